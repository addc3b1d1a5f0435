// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests: register state across the world switch. The calling
 * thread's TLS registers, V0-V31, FPCR and FPSR survive a box that
 * overwrites them all; a new box starts from the documented reset state
 * whatever the caller's FP registers hold; and values one box leaves in
 * its EL1 registers never show up in the next box on the same CPU.
 */

#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "run_util.h"

/*
 * What the thread's FP/SIMD and TLS registers hold around a RUN. The
 * offsets are used by raw_run()'s assembly.
 */
struct host_regs {
	__u64 v[64];		/* 0 */
	__u64 fpcr;		/* 512 */
	__u64 fpsr;		/* 520 */
	__u64 tpidr;		/* 528 */
	__u64 tpidrro;		/* 536 */
};

/*
 * S2BOX_RUN as a bare system call, with V0-V31, FPCR, FPSR and TPIDR_EL0
 * loaded from @in right before it and stored to @out right after it (and
 * TPIDRRO_EL0 read). TPIDR_EL0, FPCR and FPSR are put back before any C
 * code runs: libc's TLS lives in TPIDR_EL0.
 */
static long raw_run(int box, struct s2box_run *run,
		    const struct host_regs *in, struct host_regs *out)
{
	register long x0 asm("x0") = box;
	register long x1 asm("x1") = S2BOX_RUN;
	register long x2 asm("x2") = (long)run;
	register long x8 asm("x8") = __NR_ioctl;

	asm volatile("mrs	x10, tpidr_el0\n"
		     "	mrs	x11, fpcr\n"
		     "	mrs	x12, fpsr\n"
		     "	ldp	q0, q1, [%[in], #0]\n"
		     "	ldp	q2, q3, [%[in], #32]\n"
		     "	ldp	q4, q5, [%[in], #64]\n"
		     "	ldp	q6, q7, [%[in], #96]\n"
		     "	ldp	q8, q9, [%[in], #128]\n"
		     "	ldp	q10, q11, [%[in], #160]\n"
		     "	ldp	q12, q13, [%[in], #192]\n"
		     "	ldp	q14, q15, [%[in], #224]\n"
		     "	ldp	q16, q17, [%[in], #256]\n"
		     "	ldp	q18, q19, [%[in], #288]\n"
		     "	ldp	q20, q21, [%[in], #320]\n"
		     "	ldp	q22, q23, [%[in], #352]\n"
		     "	ldp	q24, q25, [%[in], #384]\n"
		     "	ldp	q26, q27, [%[in], #416]\n"
		     "	ldp	q28, q29, [%[in], #448]\n"
		     "	ldp	q30, q31, [%[in], #480]\n"
		     "	ldr	x13, [%[in], #512]\n"
		     "	msr	fpcr, x13\n"
		     "	ldr	x13, [%[in], #520]\n"
		     "	msr	fpsr, x13\n"
		     "	ldr	x13, [%[in], #528]\n"
		     "	msr	tpidr_el0, x13\n"
		     "	svc	#0\n"
		     "	mrs	x13, tpidr_el0\n"
		     "	msr	tpidr_el0, x10\n"
		     "	str	x13, [%[out], #528]\n"
		     "	mrs	x13, tpidrro_el0\n"
		     "	str	x13, [%[out], #536]\n"
		     "	mrs	x13, fpcr\n"
		     "	str	x13, [%[out], #512]\n"
		     "	mrs	x13, fpsr\n"
		     "	str	x13, [%[out], #520]\n"
		     "	msr	fpcr, x11\n"
		     "	msr	fpsr, x12\n"
		     "	stp	q0, q1, [%[out], #0]\n"
		     "	stp	q2, q3, [%[out], #32]\n"
		     "	stp	q4, q5, [%[out], #64]\n"
		     "	stp	q6, q7, [%[out], #96]\n"
		     "	stp	q8, q9, [%[out], #128]\n"
		     "	stp	q10, q11, [%[out], #160]\n"
		     "	stp	q12, q13, [%[out], #192]\n"
		     "	stp	q14, q15, [%[out], #224]\n"
		     "	stp	q16, q17, [%[out], #256]\n"
		     "	stp	q18, q19, [%[out], #288]\n"
		     "	stp	q20, q21, [%[out], #320]\n"
		     "	stp	q22, q23, [%[out], #352]\n"
		     "	stp	q24, q25, [%[out], #384]\n"
		     "	stp	q26, q27, [%[out], #416]\n"
		     "	stp	q28, q29, [%[out], #448]\n"
		     "	stp	q30, q31, [%[out], #480]\n"
		     : "+r" (x0)
		     : "r" (x1), "r" (x2), "r" (x8), [in] "r" (in),
		       [out] "r" (out)
		     : "x10", "x11", "x12", "x13", "memory", "cc",
		       "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7",
		       "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15",
		       "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23",
		       "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31");
	return x0;
}

static __u64 read_tpidrro(void)
{
	__u64 v;

	asm volatile("mrs %0, tpidrro_el0" : "=r" (v));
	return v;
}

/* The caller's pattern: DN, FZ and round towards +inf; all FPSR flags. */
static void host_pattern(struct host_regs *h)
{
	int i;

	memset(h, 0, sizeof(*h));
	for (i = 0; i < 64; i++)
		h->v[i] = 0x4057000000000000ULL | (__u64)i << 40 | i;
	h->fpcr = 0x03400000;
	h->fpsr = 0x0800009f;
	h->tpidr = 0x7150000000001234ULL;
}

BLOB(clobber_blob);
BLOB_MARK(clobber_blob_mdscr);

FIXTURE(state) {
	int ctl, box;
	struct s2box_box_info info;
};

FIXTURE_SETUP(state)
{
	cpu_set_t one;

	/* Every box of a test on one CPU, where leftovers would be. */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	self->box = -1;
	self->ctl = s2box_open_ctl();
	ASSERT_LE(0, self->ctl);
	self->box = small_box(_metadata, self->ctl, &self->info);
	ASSERT_LE(0, self->box);
}

FIXTURE_TEARDOWN(state)
{
	if (self->box >= 0)
		close(self->box);
	close(self->ctl);
}

/* @out must be @in, register by register. */
static void expect_host_regs(struct __test_metadata *_metadata,
			     const struct host_regs *in,
			     const struct host_regs *out, __u64 tpidrro,
			     int iter)
{
	int i;

	EXPECT_EQ(in->tpidr, out->tpidr) {
		TH_LOG("run %d: TPIDR_EL0", iter);
	}
	EXPECT_EQ(tpidrro, out->tpidrro) {
		TH_LOG("run %d: TPIDRRO_EL0", iter);
	}
	EXPECT_EQ(in->fpcr, out->fpcr) {
		TH_LOG("run %d: FPCR", iter);
	}
	EXPECT_EQ(in->fpsr, out->fpsr) {
		TH_LOG("run %d: FPSR", iter);
	}
	for (i = 0; i < 64; i++)
		EXPECT_EQ(in->v[i], out->v[i]) {
			TH_LOG("run %d: V%d[%d]", iter, i / 2, i % 2);
			break;
		}
}

/*
 * 200 times: the box overwrites the caller's TLS, SP_EL0 and FP/SIMD
 * registers and writes MDSCR_EL1, which traps; the caller's registers are
 * intact after that exit and after the HVC that follows, and the box
 * keeps its own values.
 */
TEST_F(state, host_registers_survive)
{
	__u64 mdscr = CODE_IPA + 4 * (clobber_blob_mdscr - clobber_blob_start);
	__u64 tpidrro = read_tpidrro();
	struct host_regs in, out;
	struct s2box_regs r;
	struct s2box_run run;
	int i;

	host_pattern(&in);
	LOAD(self->box, CODE_IPA, clobber_blob);
	for (i = 0; i < 200 && !_metadata->exit_code; i++) {
		ASSERT_EQ(0, box_get(self->box, &r));
		r.pc = CODE_IPA;
		r.cpacr = CPACR_FPEN;
		ASSERT_EQ(0, box_set(self->box, &r));
		memset(&run, 0, sizeof(run));
		memset(&out, 0, sizeof(out));
		ASSERT_EQ(0, raw_run(self->box, &run, &in, &out));
		expect_host_regs(_metadata, &in, &out, tpidrro, i);
		ASSERT_EQ(S2BOX_EXIT_TRAP, run.exit_reason) {
			exit_log(_metadata, &run);
		}
		ASSERT_EQ(EC_SYS64, run.exception_class);
		ASSERT_EQ(SYSREG_ISS(2, 0, 0, 2, 2, 9, 0), run.sysreg);
		ASSERT_EQ(0, box_get(self->box, &r));
		ASSERT_EQ(mdscr, r.pc);
		r.pc += 4;
		ASSERT_EQ(0, box_set(self->box, &r));
		memset(&run, 0, sizeof(run));
		ASSERT_EQ(0, raw_run(self->box, &run, &in, &out));
		expect_host_regs(_metadata, &in, &out, tpidrro, i);
		ASSERT_EQ(S2BOX_EXIT_HVC, run.exit_reason) {
			exit_log(_metadata, &run);
		}
	}
	/* What the box wrote is the box's. */
	ASSERT_EQ(0, box_get(self->box, &r));
	EXPECT_EQ(0xb0c5, r.tpidr_el0);
	EXPECT_EQ(0xb0c5, r.tpidrro_el0);
	EXPECT_EQ(0xb0c5, r.sp_el0);
	EXPECT_EQ(0x04800000, r.fpcr);
	EXPECT_EQ(0x08000000, r.fpsr);
	for (i = 0; i < 64; i++)
		EXPECT_EQ(0xb0c5 + i / 2, r.v[i]);
}

/*
 * The EL1 and EL0 registers a box can read, in the order dump_blob stores
 * them and mark_blob loads them.
 */
struct el1_dump {
	__u64 tpidr_el1, par, contextidr, mair, tcr, ttbr0, ttbr1, vbar;
	__u64 elr, spsr, far, esr, afsr0, afsr1, amair, cntkctl;
	__u64 tpidr_el0, tpidrro_el0, sp_el0, csselr, sctlr, sp_el1;
	__u64 cntv_ctl, cntv_cval;
	__u64 v[64];
	__u64 fpcr, fpsr;
};

static const char * const dump_names[] = {
	"TPIDR_EL1", "PAR_EL1", "CONTEXTIDR_EL1", "MAIR_EL1", "TCR_EL1",
	"TTBR0_EL1", "TTBR1_EL1", "VBAR_EL1", "ELR_EL1", "SPSR_EL1",
	"FAR_EL1", "ESR_EL1", "AFSR0_EL1", "AFSR1_EL1", "AMAIR_EL1",
	"CNTKCTL_EL1", "TPIDR_EL0", "TPIDRRO_EL0", "SP_EL0", "CSSELR_EL1",
	"SCTLR_EL1", "SP_EL1", "CNTV_CTL_EL0", "CNTV_CVAL_EL0",
};

#define DUMP_SYSREGS	24

BLOB(dump_blob);
BLOB(mark_blob);

/*
 * Runs dump_blob in @box as its first run, the caller's FP registers
 * holding a pattern, and reads the dump.
 */
static void dump_fresh(struct __test_metadata *_metadata, int box,
		       struct el1_dump *d)
{
	struct host_regs in, out;
	struct s2box_regs r;
	struct s2box_run run;

	host_pattern(&in);
	LOAD(box, CODE_IPA, dump_blob);
	ASSERT_EQ(0, box_get(box, &r));
	r.cpacr = CPACR_FPEN;
	ASSERT_EQ(0, box_set(box, &r));
	memset(&run, 0, sizeof(run));
	ASSERT_EQ(0, raw_run(box, &run, &in, &out));
	ASSERT_EQ(S2BOX_EXIT_HVC, run.exit_reason) {
		exit_log(_metadata, &run);
	}
	ASSERT_EQ(0xd0, run.hvc_imm);
	memset(d, 0xee, sizeof(*d));
	ASSERT_EQ(sizeof(*d), pread(box, d, sizeof(*d), DATA_IPA));
}

/* Every dumped register is zero but SCTLR_EL1, at its reset value. */
static void expect_reset_dump(struct __test_metadata *_metadata,
			      const struct el1_dump *d, const char *who)
{
	const __u64 *w = (const __u64 *)d;
	int i;

	for (i = 0; i < (int)(sizeof(*d) / 8); i++) {
		/* The timer runs masked in a box (uapi: cntv_ctl). */
		__u64 want = &w[i] == &d->sctlr ? SCTLR_RESET :
			     &w[i] == &d->cntv_ctl ? 2 : 0;
		/* ISTATUS is UNKNOWN while the timer is disabled. */
		__u64 got = &w[i] == &d->cntv_ctl ? w[i] & 3 : w[i];

		EXPECT_EQ(want, got) {
			TH_LOG("%s: %s is 0x%llx", who,
			       i < DUMP_SYSREGS ? dump_names[i] :
			       i < DUMP_SYSREGS + 64 ? "a V register" :
			       "FPCR/FPSR", w[i]);
		}
	}
}

/*
 * A new box's registers are the uapi's reset state, from the host's view
 * (GET_REGS) and from the box's own (first run; CPACR_EL1.FPEN set by the
 * host, nothing else), although the caller's V0-V31, FPCR and FPSR held
 * a pattern when it ran.
 */
TEST_F(state, new_box_starts_from_reset)
{
	struct s2box_regs r, zero = { .pstate = PSTATE_RESET,
				      .sctlr = SCTLR_RESET };
	struct el1_dump d;

	ASSERT_EQ(0, box_get(self->box, &r));
	EXPECT_EQ(0, memcmp(&zero, &r, sizeof(r))) {
		TH_LOG("GET_REGS of a new box is not the reset state");
	}
	dump_fresh(_metadata, self->box, &d);
	expect_reset_dump(_metadata, &d, "new box");
}

BLOB(fp_blob);

TEST_F(state, new_box_fp_traps_at_el1)
{
	struct s2box_regs r;
	struct s2box_run run;

	LOAD(self->box, CODE_IPA, fp_blob);
	ASSERT_EQ(0, box_run(_metadata, self->box, RUN_BUDGET_NS, &run));
	/* VBAR_EL1 0: the vector at 0x200 is not mapped. */
	ASSERT_EQ(S2BOX_EXIT_S2_FAULT, run.exit_reason) {
		exit_log(_metadata, &run);
	}
	EXPECT_EQ(S2BOX_ACCESS_EXEC, run.fault_access);
	EXPECT_EQ(0x200, run.ipa);
	ASSERT_EQ(0, box_get(self->box, &r));
	EXPECT_EQ(EC_FP, ESR_EC(r.esr));
	EXPECT_EQ(CODE_IPA, r.elr);
	EXPECT_EQ(0x200, r.pc);
}

BLOB(lazy_fp_blob);

/* One raw run of the state test's box to the HVC #@imm. */
static void raw_run_to_hvc(struct __test_metadata *_metadata, int box,
			   const struct host_regs *in, __u16 imm,
			   __u64 tpidrro)
{
	struct host_regs out;
	struct s2box_run run;

	memset(&run, 0, sizeof(run));
	memset(&out, 0, sizeof(out));
	ASSERT_EQ(0, raw_run(box, &run, in, &out));
	expect_host_regs(_metadata, in, &out, tpidrro, imm);
	ASSERT_EQ(S2BOX_EXIT_HVC, run.exit_reason) {
		exit_log(_metadata, &run);
	}
	ASSERT_EQ(imm, run.hvc_imm);
}

/*
 * Lazy FP/SIMD: runs that use none leave the box's V registers unloaded
 * (fdinfo s2box_fp_live 0); the first use traps into the kernel, which
 * loads them and retries, so the box reads its own V1 (not the caller's,
 * which the hardware held until then) and what it writes reaches GET_REGS,
 * with the caller's registers intact throughout.
 */
TEST_F(state, lazy_fp)
{
	__u64 tpidrro = read_tpidrro();
	struct host_regs in;
	struct s2box_regs r;

	host_pattern(&in);
	LOAD(self->box, CODE_IPA, lazy_fp_blob);
	ASSERT_EQ(0, box_get(self->box, &r));
	r.pc = CODE_IPA;
	r.cpacr = CPACR_FPEN;
	r.v[2] = 0xb0c5000000000001ULL;
	r.x[1] = 0xb0c5000000000002ULL;
	ASSERT_EQ(0, box_set(self->box, &r));
	raw_run_to_hvc(_metadata, self->box, &in, 0x10, tpidrro);
	EXPECT_EQ(0, s2box_fdinfo(self->box, "s2box_fp_live"));
	raw_run_to_hvc(_metadata, self->box, &in, 0x11, tpidrro);
	EXPECT_EQ(1, s2box_fdinfo(self->box, "s2box_fp_live"));
	ASSERT_EQ(0, box_get(self->box, &r));
	EXPECT_EQ(0xb0c5000000000001ULL, r.x[0]);
	EXPECT_EQ(0xb0c5000000000002ULL, r.v[4]);
	EXPECT_EQ(0xb0c5000000000001ULL, r.v[2]);
}

BLOB(cpacr_blob);

TEST_F(state, box_owns_cpacr)
{
	struct s2box_regs r;

	LOAD(self->box, CODE_IPA, cpacr_blob);
	ASSERT_EQ(0, box_get(self->box, &r));
	r.x[0] = ~0ULL;
	r.x[2] = 0xf00dfacec0ffee00ULL;
	ASSERT_EQ(0, box_set(self->box, &r));
	run_to_hvc(_metadata, self->box, 0xcc, &r);
	EXPECT_EQ(0, r.x[0]);
	EXPECT_EQ(CPACR_FPEN, r.cpacr);
	EXPECT_EQ(0xf00dfacec0ffee00ULL, r.v[0]);
}

/* Marker values for mark_blob, valid for each register. */
static void markers(struct el1_dump *m)
{
	int i;

	memset(m, 0, sizeof(*m));
	m->tpidr_el1 = 0x1111222233334444ULL;
	m->par = 0x12345000;
	m->contextidr = 0x12345678;
	m->mair = 0x44ff04;
	m->tcr = 0x80803519;
	m->ttbr0 = 0x123000;
	m->ttbr1 = 0x456000;
	m->vbar = 0x789800;
	m->elr = 0x11223344;
	m->spsr = 0x3c5;
	m->far = 0x55667788;
	m->esr = 0x96000045;
	m->afsr0 = 1;
	m->afsr1 = 2;
	m->amair = 3;
	m->cntkctl = 3;
	m->tpidr_el0 = 0x7777666655554444ULL;
	m->tpidrro_el0 = 0x3333222211110000ULL;
	m->sp_el0 = 0xabc000;
	m->csselr = 2;
	m->sp_el1 = 0xdef000;
	m->cntv_ctl = 2;	/* masked, not enabled */
	m->cntv_cval = 0xffffffffff0000ULL;
	for (i = 0; i < 64; i++)
		m->v[i] = 0x3a3a000000000000ULL + i;
	m->fpcr = 0x04800000;
	m->fpsr = 0x08000000;
}

/*
 * A box fills its registers with markers; the next new box on the same
 * CPU reads the reset state, none of them.
 */
TEST_F(state, markers_stay_in_their_box)
{
	struct s2box_box_info info;
	struct el1_dump m, d;
	struct s2box_regs r;
	int next;

	markers(&m);
	ASSERT_EQ(sizeof(m), pwrite(self->box, &m, sizeof(m), DATA_IPA));
	LOAD(self->box, CODE_IPA, mark_blob);
	ASSERT_EQ(0, box_get(self->box, &r));
	r.cpacr = CPACR_FPEN;
	ASSERT_EQ(0, box_set(self->box, &r));
	run_to_hvc(_metadata, self->box, 0xa0, &r);
	/* The markers took (those of IMPLEMENTATION DEFINED AFSR/AMAIR may not). */
	EXPECT_EQ(m.tpidr_el1, r.tpidr_el1);
	EXPECT_EQ(m.par, r.par);
	EXPECT_EQ(m.contextidr, r.contextidr);
	EXPECT_EQ(m.mair, r.mair);
	EXPECT_EQ(m.tcr, r.tcr);
	EXPECT_EQ(m.ttbr0, r.ttbr0);
	EXPECT_EQ(m.ttbr1, r.ttbr1);
	EXPECT_EQ(m.vbar, r.vbar);
	EXPECT_EQ(m.elr, r.elr);
	EXPECT_EQ(m.spsr, r.spsr);
	EXPECT_EQ(m.far, r.far);
	EXPECT_EQ(m.esr, r.esr);
	EXPECT_EQ(m.cntkctl, r.cntkctl);
	EXPECT_EQ(m.tpidr_el0, r.tpidr_el0);
	EXPECT_EQ(m.tpidrro_el0, r.tpidrro_el0);
	EXPECT_EQ(m.sp_el0, r.sp_el0);
	EXPECT_EQ(m.csselr, r.csselr);
	EXPECT_EQ(m.sp_el1, r.sp_el1);
	EXPECT_EQ(m.cntv_ctl, r.cntv_ctl & 3);
	EXPECT_EQ(m.cntv_cval, r.cntv_cval);
	EXPECT_EQ(0, memcmp(m.v, r.v, sizeof(m.v)));
	EXPECT_EQ(m.fpcr, r.fpcr);
	EXPECT_EQ(m.fpsr, r.fpsr);

	next = small_box(_metadata, self->ctl, &info);
	ASSERT_LE(0, next);
	dump_fresh(_metadata, next, &d);
	expect_reset_dump(_metadata, &d, "next box");
	close(next);
}

TEST_HARNESS_MAIN
