// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests: boxes next to KVM on the same CPU. A VHE host shares
 * the EL1 registers between KVM's guests and boxes, and KVM leaves its
 * guest's values in them when it returns to user space; a box must never
 * see them, KVM's guests must never see a box's, and a box's virtual
 * timer must not break KVM's. The VMM is kvm_vmm.h; the guest code below
 * is shared by the KVM guest and the box wherever it can be.
 */

#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "kvm_vmm.h"

/*
 * Register dump layout, one __u64 a word: V0..V31 (low, high), then the
 * system registers below in this order. Guest RAM and box memory both
 * hold code at 0, a dump at DUMP_OFF and the values to load at MARK_OFF.
 */
enum {
	R_SCTLR, R_TCR, R_TTBR0, R_TTBR1, R_MAIR, R_AMAIR, R_VBAR,
	R_CONTEXTIDR, R_CPACR, R_CNTKCTL, R_ESR, R_FAR, R_AFSR0, R_AFSR1,
	R_PAR, R_ELR, R_SPSR, R_TPIDR_EL1, R_TPIDR_EL0, R_TPIDRRO_EL0,
	R_CSSELR, R_SP_EL0, R_SP_EL1, R_CNTV_CTL, R_CNTV_CVAL, R_FPCR,
	R_FPSR, NR_SYS
};

#define W_SYS		64
#define NR_WORDS	(W_SYS + NR_SYS)
#define DUMP_OFF	0x800ULL
#define MARK_OFF	0xc00ULL
#define BOX_IPA_BITS	36
#define BUDGET_NS	1000000000ULL
#define SCTLR_RESET	0x30d00800ULL

static const char *const sys_names[NR_SYS] = {
	"SCTLR_EL1", "TCR_EL1", "TTBR0_EL1", "TTBR1_EL1", "MAIR_EL1",
	"AMAIR_EL1", "VBAR_EL1", "CONTEXTIDR_EL1", "CPACR_EL1",
	"CNTKCTL_EL1", "ESR_EL1", "FAR_EL1", "AFSR0_EL1", "AFSR1_EL1",
	"PAR_EL1", "ELR_EL1", "SPSR_EL1", "TPIDR_EL1", "TPIDR_EL0",
	"TPIDRRO_EL0", "CSSELR_EL1", "SP_EL0", "SP_EL1", "CNTV_CTL_EL0",
	"CNTV_CVAL_EL0", "FPCR", "FPSR",
};

/*
 * Markers: fixed where the register has few harmless values (SCTLR gains
 * only EL0 controls, the MMU stays off; FP stays enabled; the timer stays
 * disabled), otherwise a seed-dependent pattern under a mask.
 */
static const struct { __u64 fixed, mask; } sys_marks[NR_SYS] = {
	[R_SCTLR] = { SCTLR_RESET | 1 << 4 | 1 << 9 | 1 << 14 | 1 << 15 |
		      1 << 26, 0 },
	[R_VBAR] = { 0, ~0x7ffULL },
	[R_CONTEXTIDR] = { 0, 0xffffffffULL },
	[R_CPACR] = { 0x10300000, 0 },		/* TTA, FPEN */
	[R_CNTKCTL] = { 0x303, 0 },		/* EL0 counter/timer access */
	[R_ESR] = { 0, 0xffffffffULL },
	[R_SPSR] = { 0, 0xffffffffULL },
	[R_CSSELR] = { 2, 0 },			/* level 2 */
	[R_SP_EL0] = { 0, ~0xfULL },
	[R_SP_EL1] = { 0, ~0xfULL },
	[R_CNTV_CTL] = { 2, 0 },		/* IMASK, disabled */
	[R_FPCR] = { 0x07400000, 0 },		/* AHP DN FZ RMode=+inf */
	[R_FPSR] = { 0x0800009f, 0 },		/* QC and every flag */
};

BLOB(regs_blob);
BLOB_MARK(regs_box_dump);
BLOB_MARK(regs_box_mark);
BLOB_MARK(regs_kvm_mark);
BLOB_MARK(regs_kvm_dump);

static __u64 marker(int word, unsigned int seed)
{
	__u64 m = 0x5a5a000000000000ULL ^ (__u64)seed << 40 ^
		  (__u64)(word + 1) << 32 ^
		  (__u32)(0x9e3779b9U * (word + 1 + seed * 97));
	int k = word - W_SYS;

	if (k < 0)
		return m;
	if (sys_marks[k].fixed)
		return sys_marks[k].fixed;
	return sys_marks[k].mask ? m & sys_marks[k].mask : m;
}

/* A new box's view: all zero, SCTLR_EL1 at its documented reset value. */
/* What a new box reads; its timer runs masked (uapi: cntv_ctl). */
static __u64 reset_value(int word)
{
	if (word == W_SYS + R_SCTLR)
		return SCTLR_RESET;
	return word == W_SYS + R_CNTV_CTL ? 2 : 0;
}

/* The dump layout, from a box's saved registers. */
static void regs_to_words(const struct s2box_regs *r, __u64 *w)
{
	const __u64 *sys = &r->sctlr;

	static_assert(offsetof(struct s2box_regs, csselr) -
		       offsetof(struct s2box_regs, sctlr) == 8 * R_CSSELR,
		       "struct s2box_regs no longer in dump order");
	memcpy(w, r->v, 64 * sizeof(__u64));
	/* struct s2box_regs has sctlr..csselr in dump order (R_SCTLR..). */
	memcpy(&w[W_SYS], sys, (R_CSSELR + 1) * sizeof(__u64));
	w[W_SYS + R_SP_EL0] = r->sp_el0;
	w[W_SYS + R_SP_EL1] = r->sp_el1;
	w[W_SYS + R_CNTV_CTL] = r->cntv_ctl;
	w[W_SYS + R_CNTV_CVAL] = r->cntv_cval;
	w[W_SYS + R_FPCR] = r->fpcr;
	w[W_SYS + R_FPSR] = r->fpsr;
}

static void word_name(int word, char *buf, size_t len)
{
	if (word < W_SYS)
		snprintf(buf, len, "V%d.%s", word / 2, word & 1 ? "hi" : "lo");
	else
		snprintf(buf, len, "%s", sys_names[word - W_SYS]);
}

static unsigned int read_midr(int cpu)
{
	char path[96];
	unsigned long long midr = 0;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/devices/system/cpu/cpu%d/regs/identification/midr_el1",
		 cpu);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%llx", &midr) != 1)
			midr = 0;
		fclose(f);
	}
	return midr;
}

static const char *cpu_model(unsigned int midr)
{
	switch (midr & 0xff00fff0) {
	case 0x4100d0b0:
		return "cortex-a76";
	case 0x4100d0c0:
		return "neoverse-n1";
	case 0x46000010:
		return "a64fx";
	}
	return (midr >> 24) == 0 ? "qemu max" : "unknown";
}

static __u64 read_tpidr_el0(void)
{
	__u64 v;

	asm volatile("mrs %0, tpidr_el0" : "=r" (v));
	return v;
}

/*
 * One KVM guest on this CPU: load @values (NULL: none, just dump) into
 * every register it can reach and dump them into @held, then exit.
 */
static int kvm_guest_regs(const __u64 *values, __u64 *held)
{
	__u64 x[3] = { VMM_MEM_IPA + DUMP_OFF, VMM_MEM_IPA + MARK_OFF,
		       VMM_MMIO_IPA };
	__u64 off, data;
	struct vmm v;
	int err;

	if (vmm_create(&v, false))
		return -1;
	vmm_load(&v, 0, regs_blob_start, BLOB_LEN(regs_blob));
	if (values)
		memcpy(v.mem + MARK_OFF, values, NR_WORDS * 8);
	err = vmm_start(&v, values ? ENTRY(regs_blob, regs_kvm_mark) :
			ENTRY(regs_blob, regs_kvm_dump), x, 3);
	if (!err)
		err = vmm_run_mmio(&v, &off, &data);
	if (!err)
		memcpy(held, v.mem + DUMP_OFF, NR_WORDS * 8);
	vmm_destroy(&v);
	return err;
}

static void log_coverage(struct __test_metadata *_metadata, int cpu,
			 const bool *covered)
{
	char list[1024], name[32];
	unsigned int midr = read_midr(cpu);
	size_t n = 0;
	int w, v_ok = 1;

	for (w = 0; w < W_SYS; w++)
		v_ok &= covered[w];
	n += snprintf(list + n, sizeof(list) - n, "%s",
		      v_ok ? "V0-V31" : "(some V registers unset)");
	for (w = W_SYS; w < NR_WORDS; w++) {
		word_name(w, name, sizeof(name));
		if (covered[w])
			n += snprintf(list + n, sizeof(list) - n, " %s", name);
	}
	TH_LOG("cpu%d %s (MIDR 0x%08x): KVM guest markers checked in a box: %s",
	       cpu, cpu_model(midr), midr, list);
	n = 0;
	list[0] = 0;
	for (w = W_SYS; w < NR_WORDS; w++) {
		word_name(w, name, sizeof(name));
		if (!covered[w])
			n += snprintf(list + n, sizeof(list) - n, " %s", name);
	}
	if (n)
		TH_LOG("cpu%d: the guest could not set (reads as reset):%s",
		       cpu, list);
}

/* Compare a dump with what it must be; log the first few differences. */
static int count_bad(struct __test_metadata *_metadata, const char *what,
		     int cpu, const __u64 *got, const __u64 *want,
		     const __u64 *other)
{
	char name[32];
	int w, bad = 0;

	for (w = 0; w < NR_WORDS; w++) {
		if (got[w] == want[w])
			continue;
		if (bad++ < 8) {
			word_name(w, name, sizeof(name));
			TH_LOG("cpu%d: %s %s = 0x%llx, want 0x%llx (other side 0x%llx)",
			       cpu, what, name, got[w], want[w], other[w]);
		}
	}
	return bad;
}

/*
 * A KVM guest loads a marker into every EL1 register it can reach and
 * exits to user space, which leaves the markers in the CPU; a new box on
 * the same CPU must read its own reset values instead, and the calling
 * thread must get its TPIDR_EL0 back.
 */
TEST(kvm_markers_invisible_to_box)
{
	__u64 mark[NR_WORDS], held[NR_WORDS], seen[NR_WORDS];
	__u64 reset[NR_WORDS], saved[NR_WORDS], x[1] = { DUMP_OFF }, align, tp;
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), cpu, rep, w, ctl, box;
	struct s2box_regs regs;
	struct s2box_run run;
	unsigned int granule;
	bool *covered;

	if (!vmm_available())
		SKIP(return, "no /dev/kvm: no KVM guest to leave markers");
	ctl = s2box_open_ctl();
	ASSERT_LE(0, ctl);
	granule = s2box_any_granule(ctl);
	covered = calloc(ncpu, NR_WORDS);
	ASSERT_NE(NULL, covered);
	for (w = 0; w < NR_WORDS; w++)
		reset[w] = reset_value(w);
	for (rep = 0; rep < 3 * ncpu; rep++) {
		cpu = rep % ncpu;
		ASSERT_EQ(0, pin_cpu(cpu));
		for (w = 0; w < NR_WORDS; w++)
			mark[w] = marker(w, rep + 1);
		ASSERT_EQ(0, kvm_guest_regs(mark, held))
			TH_LOG("KVM guest: %s: %s", vmm_why, strerror(errno));
		box = box_with_code(ctl, granule, BOX_IPA_BITS,
				    regs_blob_start, BLOB_LEN(regs_blob),
				    &align);
		ASSERT_LE(0, box) TH_LOG("%s: %s", vmm_why, strerror(errno));
		tp = read_tpidr_el0();
		ASSERT_EQ(0, box_run(box, ENTRY(regs_blob, regs_box_dump), x, 1,
				     BUDGET_NS, &run, &regs))
			TH_LOG("%s: %s", vmm_why, strerror(errno));
		EXPECT_EQ(tp, read_tpidr_el0());
		ASSERT_EQ(S2BOX_EXIT_HVC, run.exit_reason)
			TH_LOG("exit %u, ESR 0x%llx, IPA 0x%llx", run.exit_reason,
			       run.esr, run.ipa);
		ASSERT_EQ(sizeof(seen), pread(box, seen, sizeof(seen), DUMP_OFF));
		EXPECT_EQ(0, count_bad(_metadata, "the box read", cpu, seen,
				       reset, held));
		/* The registers the box left are what it read (CPACR: FP on). */
		regs_to_words(&regs, saved);
		saved[W_SYS + R_CPACR] = seen[W_SYS + R_CPACR];
		EXPECT_EQ(0, count_bad(_metadata, "GET_REGS has", cpu, saved,
				       seen, held));
		for (w = 0; w < NR_WORDS; w++)
			covered[cpu * NR_WORDS + w] |= held[w] != reset[w];
		close(box);
	}
	for (cpu = 0; cpu < ncpu; cpu++)
		log_coverage(_metadata, cpu, &covered[cpu * NR_WORDS]);
	free(covered);
	close(ctl);
}

/*
 * The other way round: a box loads markers into its registers and exits;
 * a new KVM guest on the same CPU must see none of them.
 */
TEST(box_markers_invisible_to_kvm)
{
	__u64 mark[NR_WORDS], held[NR_WORDS], seen[NR_WORDS], align;
	__u64 x[2] = { DUMP_OFF, MARK_OFF };
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), cpu, rep, w, ctl, box, bad;
	struct s2box_regs regs;
	struct s2box_run run;
	char name[32];

	if (!vmm_available())
		SKIP(return, "no /dev/kvm: no KVM guest to look");
	ctl = s2box_open_ctl();
	ASSERT_LE(0, ctl);
	for (rep = 0; rep < 2 * ncpu; rep++) {
		cpu = rep % ncpu;
		ASSERT_EQ(0, pin_cpu(cpu));
		for (w = 0; w < NR_WORDS; w++)
			mark[w] = marker(w, 100 + rep);
		box = box_with_code(ctl, s2box_any_granule(ctl), BOX_IPA_BITS,
				    regs_blob_start, BLOB_LEN(regs_blob),
				    &align);
		ASSERT_LE(0, box) TH_LOG("%s: %s", vmm_why, strerror(errno));
		ASSERT_EQ(sizeof(mark), pwrite(box, mark, sizeof(mark),
					       MARK_OFF));
		ASSERT_EQ(0, box_run(box, ENTRY(regs_blob, regs_box_mark), x, 2,
				     BUDGET_NS, &run, &regs))
			TH_LOG("%s: %s", vmm_why, strerror(errno));
		ASSERT_EQ(S2BOX_EXIT_HVC, run.exit_reason)
			TH_LOG("exit %u, ESR 0x%llx", run.exit_reason, run.esr);
		regs_to_words(&regs, held);
		ASSERT_EQ(0, kvm_guest_regs(NULL, seen))
			TH_LOG("KVM guest: %s: %s", vmm_why, strerror(errno));
		bad = 0;
		for (w = 0; w < NR_WORDS; w++) {
			if (held[w] == reset_value(w) || seen[w] != held[w])
				continue;
			word_name(w, name, sizeof(name));
			TH_LOG("cpu%d: the KVM guest read the box's %s = 0x%llx",
			       cpu, name, seen[w]);
			bad++;
		}
		EXPECT_EQ(0, bad);
		close(box);
	}
	close(ctl);
}

BLOB(vtimer_box);
BLOB(vtimer_kvm);
BLOB_MARK(vtimer_kvm_main);

#define CNTV_ENABLE	1ULL
#define CNTV_IMASK	2ULL
#define CNTV_ISTATUS	4ULL
#define VTIMER_INTID	27
/* Results of the KVM guest, past its code. */
#define TIMER_RES	0x1000ULL

/* This CPU's count of the EL1 virtual timer's PPI (KVM's), or -1. */
static long vtimer_irqs(int cpu)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[512], *p;
	long n = -1;
	int i;

	while (f && n < 0 && fgets(line, sizeof(line), f)) {
		p = strstr(line, "vtimer") ? strchr(line, ':') : NULL;
		for (i = 0; p && i <= cpu; i++)
			n = strtol(p + 1, &p, 10);
	}
	if (f)
		fclose(f);
	return n;
}

/* The KVM guest of vtimer_kvm on this CPU; res[] as described there. */
static int kvm_guest_timer(__u64 *res, bool *gic)
{
	__u64 off, data, x[5] = { VMM_MEM_IPA + TIMER_RES, 0, VMM_MMIO_IPA,
				  VMM_GICD_IPA, VMM_GICR_IPA };
	struct vmm v;
	int err;

	if (vmm_create(&v, true))
		return -1;
	*gic = v.gic >= 0;
	if (!*gic)
		x[3] = 0;
	vmm_load(&v, 0, vtimer_kvm_start, BLOB_LEN(vtimer_kvm));
	err = vmm_start(&v, ENTRY(vtimer_kvm, vtimer_kvm_main), x, 5);
	if (!err)
		err = vmm_run_mmio(&v, &off, &data);
	if (!err && off) {
		res[3] = data;
		err = vmm_fail("the guest took an exception (ESR_EL1 in [3])");
	}
	if (!err)
		memcpy(res, v.mem + TIMER_RES, 5 * sizeof(*res));
	vmm_destroy(&v);
	return err;
}

/*
 * A box fires the EL1 virtual timer, whose PPI KVM owns, and must still
 * get to its HVC. Its own view stays (ENABLE and the deadline in
 * GET_REGS), but the timer is left masked: no more of its interrupts on
 * that CPU once RUN returns. KVM's timer then still works there: a KVM
 * guest starts from KVM's timer state, sees ISTATUS at its own deadline
 * and, with the in-kernel GICv3, takes the timer interrupt (INTID 27).
 * Without a vGIC the interrupt cannot be delivered: ISTATUS only.
 */
TEST(box_virtual_timer_left_masked)
{
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), cpu, ctl, box;
	long irq0, irq1, irq2;
	__u64 res[5], align;
	struct s2box_regs regs;
	struct s2box_run run;
	bool gic;

	if (!vmm_available())
		SKIP(return, "no /dev/kvm: no KVM timer to check");
	ctl = s2box_open_ctl();
	ASSERT_LE(0, ctl);
	for (cpu = 0; cpu < ncpu; cpu++) {
		ASSERT_EQ(0, pin_cpu(cpu));
		box = box_with_code(ctl, s2box_any_granule(ctl), BOX_IPA_BITS,
				    vtimer_box_start, BLOB_LEN(vtimer_box),
				    &align);
		ASSERT_LE(0, box) TH_LOG("%s: %s", vmm_why, strerror(errno));
		irq0 = vtimer_irqs(cpu);
		ASSERT_EQ(0, box_run(box, 0, NULL, 0, BUDGET_NS / 2, &run,
				     &regs))
			TH_LOG("%s: %s", vmm_why, strerror(errno));
		irq1 = vtimer_irqs(cpu);
		usleep(20000);
		irq2 = vtimer_irqs(cpu);
		TH_LOG("cpu%d: box exit %u after %llu ns at pc 0x%llx; vtimer IRQs %ld, then %ld",
		       cpu, run.exit_reason, run.guest_ns, regs.pc,
		       irq1 - irq0, irq2 - irq1);
		EXPECT_EQ(S2BOX_EXIT_HVC, run.exit_reason);
		EXPECT_EQ(irq1, irq2);
		EXPECT_TRUE(regs.cntv_ctl & CNTV_ENABLE);
		/* Every entry masks it (uapi: cntv_ctl), so the box sees IMASK. */
		EXPECT_TRUE(regs.cntv_ctl & CNTV_IMASK);
		if (run.exit_reason == S2BOX_EXIT_HVC) {
			EXPECT_EQ(regs.x[1], regs.cntv_cval);
			EXPECT_TRUE(regs.x[3] & CNTV_ENABLE);
		}
		close(box);

		memset(res, 0, sizeof(res));
		ASSERT_EQ(0, kvm_guest_timer(res, &gic))
			TH_LOG("KVM guest: %s: %s (0x%llx)", vmm_why,
			       strerror(errno), res[3]);
		TH_LOG("cpu%d: KVM guest CNTV_CTL 0x%llx, 0x%llx due; IRQ %llu (0x%llx)%s",
		       cpu, res[0], res[2], res[3], res[4],
		       gic ? "" : "; no vGIC, no IRQ expected");
		/* KVM's own state, not the box's enabled timer. */
		EXPECT_EQ(0, res[0] & CNTV_ENABLE);
		EXPECT_NE(regs.cntv_cval, res[1]);
		EXPECT_EQ(CNTV_ENABLE | CNTV_ISTATUS,
			  res[2] & (CNTV_ENABLE | CNTV_ISTATUS | CNTV_IMASK));
		if (gic) {
			EXPECT_EQ(VTIMER_INTID, res[3]);
			EXPECT_TRUE(res[4] & CNTV_ISTATUS);
		}
	}
	close(ctl);
}

TEST_HARNESS_MAIN
