// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests: a catalogue of hostile blobs. Each row of the table
 * below is one behaviour, run in a new box: an instruction the module
 * traps, one the box's own EL1 takes (its VBAR_EL1 vectors HVC with a
 * marker), a fault, a storm, an endless loop, junk translation tables,
 * self-modifying code, exclusives, cache and TLB maintenance, registers
 * of EL2 and EL3, SVE/SME/PAuth/MTE state. The exit must be exactly the
 * expected one (reason, exception class, ISS, the system register with
 * its Rt and direction, the faulting IPA), and after every RUN the
 * caller's TPIDR_EL0, TPIDRRO_EL0, some V registers, FPCR and FPSR are
 * what they were, S2BOX_AUDIT is clean, and the box is gone from the
 * netlink family once its fd is closed.
 */

#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "run_util.h"
#include "nl_util.h"

#ifndef HWCAP2_SME
#define HWCAP2_SME	0x800000UL
#endif

#define BIT64(n)	(1ULL << (n))

/* Box layout, beyond run_util.h's CODE_IPA and DATA_IPA. */
#define VEC_IPA		(CODE_IPA + 0x800)	/* the vectors below */
#define TABLE_IPA	0x300000ULL	/* stage-1 level-1 table */
#define HOLE_IPA	0x400000ULL	/* never mapped */
#define XN_IPA		0x500000ULL	/* mapped without execute, on demand */
#define ALIAS_VA	0x40000000ULL	/* stage-1 VA 1G..2G: IPA 0..1G */
#define FAR_IPA		0x80000000ULL	/* 2G: inside the IPA space, unmapped */

#define HVC_END		0x7e	/* every blob's last instruction */
#define HVC_PROBE	0x1d
/* The vectors HVC #(0xe000 + offset / 0x80) with ESR_EL1 in x27. */
#define VEC_MARK(off)	(0xe000 | ((off) >> 7))
#define VEC(off)	((off) | 0x1000)	/* a row's .vec */
#define VEC_EL1T_SYNC	0x000
#define VEC_EL1H_SYNC	0x200
#define VEC_EL0_SYNC	0x400
#define VEC_A32_SYNC	0x600

/* Exception classes run_util.h does not name. */
#define EC_ILLEGAL	0x0e
#define EC_SVC32	0x11
#define EC_SME		0x1d
#define EC_IABT_CUR	0x21
#define EC_DABT_CUR	0x25
#define EC_SP_ALIGN	0x26
#define ISS_ALL		0x1ffffffU
#define ISS_SYSREG	0x3fffffU
#define ISS_IMM16	0xffffU
#define ISS_FSC		0x3fU
#define ESR_S1PTW	BIT64(7)
#define ESR_CM		BIT64(8)
/* WFx from AArch64: CV = 1, COND = 0b1110, TI (0 WFI, 1 WFE). */
#define ISS_WFX(ti)	((1U << 24) | (0xeU << 20) | (ti))
#define ISS_WFX_MASK	((1U << 24) | (0xfU << 20) | 3U)

/* SCTLR_EL1, TCR_EL1 and stage-1 descriptor bits (Arm ARM). */
#define SCTLR_M		BIT64(0)
#define SCTLR_A		BIT64(1)
#define SCTLR_C		BIT64(2)
#define SCTLR_SA	BIT64(3)
#define SCTLR_I		BIT64(12)
#define SCTLR_ENIA	BIT64(31)
#define SCTLR_TCF_SYNC	BIT64(40)
#define SCTLR_ATA	BIT64(43)
/* 4K granule, 39-bit VA (walks start at level 1), TTBR1 off, 32-bit PA. */
#define S1_TCR		(25 | BIT64(8) | BIT64(10) | (3ULL << 12) | \
			 BIT64(23) | (2ULL << 30))
#define TCR_TBI0	BIT64(37)
/* Level-1 block: AttrIndx 0, inner shareable, AF; table descriptor. */
#define S1_BLOCK	0x701ULL
#define S1_TABLE	0x3ULL
#define MAIR_WB		0xffULL		/* attribute 0: Normal write-back */
#define MAIR_TAGGED	0xf0ULL		/* attribute 0: Tagged Normal */

/* Host registers a RUN must leave alone (offsets used by hrun()). */
struct host_fp {
	__u64 v[12];		/*   0: q0, q1, q8, q15, q16, q31 */
	__u64 fpcr;		/*  96 */
	__u64 fpsr;		/* 104 */
	__u64 tpidr;		/* 112 */
	__u64 tpidrro;		/* 120 */
};

/* Features the box sees in its ID registers (probe_blob). */
enum {
	F_PMU = 1 << 0,
	F_SVE = 1 << 1,
	F_SME = 1 << 2,
	F_PAUTH = 1 << 3,	/* address authentication */
	F_PACGA = 1 << 4,	/* generic authentication */
	F_MTE = 1 << 5,		/* FEAT_MTE: the instructions */
	F_MTE2 = 1 << 6,	/* FEAT_MTE2: tags and their registers */
	F_LSE = 1 << 7,
	F_LOR = 1 << 8,
	F_RAS = 1 << 9,
	F_AA32EL0 = 1 << 10,
	F_GICSYS = 1 << 11,
	F_DCZVA = 1 << 12,
	F_SCXT = 1 << 13,	/* FEAT_CSV2_2 or CSV2_1p2: SCXTNUM_ELx */
};

struct hostile_feat {
	__u64 pfr0, pfr1, dfr0, isar0, isar1, isar2, mmfr1, midr;
	__u64 dczid;
	__u32 f;
};

struct hostile_ctx {
	int ctl, box;
	struct s2box_box_info info;
	struct s2box_regs r;		/* set before the first RUN */
	struct hostile_feat feat;
	__u64 storm;			/* iterations of a storm */
	__u64 host_tpidr2;
};

typedef void (*hostile_hook)(struct __test_metadata *_metadata,
			     struct hostile_ctx *c);

/* --- blobs --------------------------------------------------------------- */

BLOB(vec_blob);
BLOB(probe_blob);
BLOB(one);

/* The catalogue's labels. */
BLOB_MARK(smc_0_at); BLOB_MARK(smc_ffff_at); BLOB_MARK(hvc_0_at);
BLOB_MARK(hvc_ffff_at); BLOB_MARK(hlt_0_at); BLOB_MARK(zero_word_at);
BLOB_MARK(udf_el1_at); BLOB_MARK(pmcntenset_w_at); BLOB_MARK(pmuserenr_r_at);
BLOB_MARK(pmintenset_w_at); BLOB_MARK(pmevtyper0_w_at); BLOB_MARK(pmcr_r_at);
BLOB_MARK(dbgbvr0_w_at); BLOB_MARK(osdlr_r_at); BLOB_MARK(oslar_w_at);
BLOB_MARK(mdccsr_r_at); BLOB_MARK(mdrar_r_at); BLOB_MARK(mdscr_r_at);
BLOB_MARK(dbgwcr0_w_at); BLOB_MARK(cntp_cval_w_at); BLOB_MARK(cntp_tval_r_at);
BLOB_MARK(sgi0r_w_at); BLOB_MARK(asgi1r_w_at); BLOB_MARK(iar1_r_at);
BLOB_MARK(iar0_r_at); BLOB_MARK(pmr_w_at); BLOB_MARK(icc_sre_r_at);
BLOB_MARK(dir_w_at); BLOB_MARK(igrpen1_w_at); BLOB_MARK(actlr_r_at);
BLOB_MARK(impdef_r_at); BLOB_MARK(dc_isw_at); BLOB_MARK(dc_csw_at);
BLOB_MARK(lorc_r_at); BLOB_MARK(lorsa_w_at); BLOB_MARK(erridr_r_at);
BLOB_MARK(disr_r_at); BLOB_MARK(scxtnum1_r_at); BLOB_MARK(scxtnum0_w_at);
BLOB_MARK(hcr_el2_r_at); BLOB_MARK(vttbr_el2_w_at); BLOB_MARK(scr_el3_r_at);
BLOB_MARK(sctlr_el12_r_at); BLOB_MARK(icc_sre_el2_r_at); BLOB_MARK(sp_el1_r_at);
BLOB_MARK(tlbi_alle2_at); BLOB_MARK(tlbi_ipas2e1is_at); BLOB_MARK(at_s12e1r_at);
BLOB_MARK(pacga_at); BLOB_MARK(pacia_at); BLOB_MARK(autia_at);
BLOB_MARK(apiakeylo_r_at); BLOB_MARK(apgakeyhi_w_at); BLOB_MARK(zcr_r_at);
BLOB_MARK(rdvl_at); BLOB_MARK(smstart_at); BLOB_MARK(smcr_r_at);
BLOB_MARK(gcr_r_at); BLOB_MARK(rgsr_w_at); BLOB_MARK(tfsr_r_at);
BLOB_MARK(tfsre0_w_at); BLOB_MARK(irg_at); BLOB_MARK(svc_el0_at);
BLOB_MARK(svc_el0_go); BLOB_MARK(brk_el0_at); BLOB_MARK(brk_el0_go);
BLOB_MARK(wfi_el0_at); BLOB_MARK(wfi_el0_go); BLOB_MARK(udf_el0_at);
BLOB_MARK(udf_el0_go); BLOB_MARK(ret_el2_at); BLOB_MARK(ret_el2_go);
BLOB_MARK(a32_svc_at); BLOB_MARK(a32_svc_go); BLOB_MARK(a32_udf_at);
BLOB_MARK(a32_udf_go); BLOB_MARK(a32_loop_at); BLOB_MARK(a32_loop_go);
BLOB_MARK(udf_el1t_at); BLOB_MARK(udf_el1t_go);

/* Blobs of more than one instruction, each with its name_at label. */
BLOB(wfi_storm); BLOB_MARK(wfi_storm_at);
BLOB(wfe_storm); BLOB_MARK(wfe_storm_at);
BLOB(spin); BLOB_MARK(spin_at);
BLOB(count); BLOB_MARK(count_at);
BLOB(exc_loop); BLOB_MARK(exc_loop_at);
BLOB(tls); BLOB_MARK(tls_at);
#define TLS_BASE	0x71500000ULL

BLOB(idregs); BLOB_MARK(idregs_at);
BLOB(cntvct); BLOB_MARK(cntvct_at);
BLOB(vtimer); BLOB_MARK(vtimer_at);
BLOB(smc_code); BLOB_MARK(smc_code_at);
BLOB(load); BLOB_MARK(load_at);
BLOB(sp_load); BLOB_MARK(sp_load_at);
BLOB(excl); BLOB_MARK(excl_at);
BLOB(lse); BLOB_MARK(lse_at);
BLOB(remap); BLOB_MARK(remap_at);
BLOB(maint); BLOB_MARK(maint_at);
BLOB(dczva); BLOB_MARK(dczva_at);
BLOB(mmu_on); BLOB_MARK(mmu_on_at);
BLOB(mte); BLOB_MARK(mte_at);
BLOB(t32_wfi); BLOB_MARK(t32_wfi_at);
BLOB(disr); BLOB_MARK(disr_at);
BLOB(tpidr2); BLOB_MARK(tpidr2_at);

/* --- the table ----------------------------------------------------------- */

enum { PC_AT, PC_PAST, PC_NEXT, PC_IPA, PC_ANY };

FIXTURE(hostile) {
	struct hostile_ctx c;
};

/*
 * One behaviour. The box starts at @entry (@start's first instruction
 * when NULL) with VBAR_EL1 at the shared vectors, CPACR_EL1.FPEN set and
 * x0 = the storm size; @setup may change that. The exit must be @exit
 * with @ec and ISS & @iss_mask == @iss:
 *  - TRAP: ESR_EL2, and for EC 0x18 s2box_run.sysreg == @iss exactly;
 *  - HVC: immediate @hvc; with @vec, the box's own vector at that offset,
 *    @ec and @iss then being ESR_EL1's and ELR_EL1 @at (+4: @elr_past);
 *  - S2_FAULT: @ipa, @access, @status;
 * and the pc @pc: PC_AT @at, PC_PAST one instruction on, PC_NEXT two
 * (a completed instruction and the HVC after it), PC_IPA the faulting
 * IPA. @repeat RUNs must all end so (-1: the storm size); @resume then
 * goes on (past a trap at @at) to HVC #0x7e; @wfx is a WFx storm instead
 * (wfx_storm()), and BUDGET rows go by budget_rounds(). @check looks at
 * the rest. A row runs only where the box sees every feature in @need and
 * none in @need_not. BUDGET rows run with @budget_ns; the others with
 * RUN_BUDGET_NS, again if it runs out (hrun_exit()).
 * @gap names a CPU model that does not implement the trap: when the
 * instruction completes or is UNDEFINED at EL1 instead, the row skips
 * with that reason (the architecture's answer stays the expectation);
 * @gap_vec and @gap_ec name one more exception the model takes instead.
 */
FIXTURE_VARIANT(hostile) {
	const __u32 *start, *end, *entry, *at;
	hostile_hook setup, check;
	__u32 exit, ec, iss, iss_mask, hvc, vec;
	__u64 ipa;
	__u32 access, status;
	int pc, elr_past, repeat, resume, wfx;
	__u32 need, need_not;
	__u64 budget_ns;
	const char *gap;
	__u32 gap_vec, gap_ec;
};

/* The variant's type, for the helpers below. */
#define hostile_row	FIXTURE_VARIANT(hostile)

#define ONE_AT(l)	.start = one_start, .end = one_end, .entry = l##_at, \
			.at = l##_at
#define GO_AT(l)	.start = one_start, .end = one_end, .entry = l##_go, \
			.at = l##_at
#define BLOB_AT(b)	.start = b##_start, .end = b##_end, .at = b##_at
#define SYSREG_TRAP(op0, op1, crn, crm, op2, rt, rd) \
	.exit = S2BOX_EXIT_TRAP, .ec = EC_SYS64, .iss_mask = ISS_SYSREG, \
	.iss = SYSREG_ISS(op0, op1, crn, crm, op2, rt, rd), .resume = 1
#define TRAP(e, i, m)	.exit = S2BOX_EXIT_TRAP, .ec = e, .iss = i, \
			.iss_mask = m
#define EL1(off, e, i, m) \
	.exit = S2BOX_EXIT_HVC, .vec = VEC(off), .ec = e, .iss = i, \
	.iss_mask = m
#define EL1_UNDEF	EL1(VEC_EL1H_SYNC, EC_UNKNOWN, 0, ISS_ALL)
#define DONE		.exit = S2BOX_EXIT_HVC, .hvc = HVC_END, .pc = PC_NEXT
#define S2F(i, a, s)	.exit = S2BOX_EXIT_S2_FAULT, .ipa = i, .access = a, \
			.status = s
#define BUDGET		.exit = S2BOX_EXIT_BUDGET, .budget_ns = 20 * MSEC, \
			.repeat = 3

/* --- set-up and check hooks ---------------------------------------------- */

static long hrun(struct __test_metadata *_metadata, struct hostile_ctx *c,
		 __u64 budget_ns, struct s2box_run *run);
static long hrun_exit(struct __test_metadata *_metadata,
		      struct hostile_ctx *c, struct s2box_run *run);

/* The byte at DATA_IPA + @i, as FIXTURE_SETUP wrote it: never zero. */
static __u8 data_byte(unsigned int i)
{
	return 0x80 | (i * 13 & 0x7f);
}

static __u64 data_word(unsigned int off)
{
	__u64 w = 0;
	int i;

	for (i = 7; i >= 0; i--)
		w = w << 8 | data_byte(off + i);
	return w;
}

static void write_l1(struct __test_metadata *_metadata,
		     struct hostile_ctx *c, __u64 d0, __u64 d1)
{
	__u64 l1[2] = { d0, d1 };

	ASSERT_EQ(sizeof(l1), pwrite(c->box, l1, sizeof(l1), TABLE_IPA));
}

/* Stage 1 tables: VA 0..1G identity, VA 1G..2G to IPA 0..1G; MMU off. */
static void setup_tables(struct __test_metadata *_metadata,
			 struct hostile_ctx *c)
{
	write_l1(_metadata, c, S1_BLOCK, S1_BLOCK);
	c->r.mair = MAIR_WB;
	c->r.tcr = S1_TCR;
	c->r.ttbr0 = TABLE_IPA;
}

/* ... and the MMU and caches on from the first instruction. */
static void setup_mmu(struct __test_metadata *_metadata,
		      struct hostile_ctx *c)
{
	setup_tables(_metadata, c);
	c->r.sctlr |= SCTLR_M | SCTLR_C | SCTLR_I;
}

static void setup_vbar_hole(struct __test_metadata *_metadata,
			    struct hostile_ctx *c)
{
	c->r.vbar = HOLE_IPA;
}

static void setup_vbar_xn(struct __test_metadata *_metadata,
			  struct hostile_ctx *c)
{
	ASSERT_EQ(0, box_map(c->box, XN_IPA, c->info.map_align,
			     S2BOX_PROT_READ | S2BOX_PROT_WRITE));
	c->r.vbar = XN_IPA;
}

static void setup_unaligned(struct __test_metadata *_metadata,
			    struct hostile_ctx *c)
{
	setup_mmu(_metadata, c);
	c->r.x[1] = DATA_IPA + 0x41;
}

static void setup_unaligned_a(struct __test_metadata *_metadata,
			      struct hostile_ctx *c)
{
	setup_unaligned(_metadata, c);
	c->r.sctlr |= SCTLR_A;
}

static void check_unaligned(struct __test_metadata *_metadata,
			    struct hostile_ctx *c)
{
	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(data_word(0x41), c->r.x[0]);
}

static void check_far_data41(struct __test_metadata *_metadata,
			     struct hostile_ctx *c)
{
	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(DATA_IPA + 0x41, c->r.far);
}

static void setup_sp_align(struct __test_metadata *_metadata,
			   struct hostile_ctx *c)
{
	c->r.sctlr |= SCTLR_SA;
	c->r.x[1] = DATA_IPA + 8;
}

static void setup_excl(struct __test_metadata *_metadata,
		       struct hostile_ctx *c)
{
	setup_mmu(_metadata, c);
	c->r.x[1] = DATA_IPA + 0x100;
	c->r.x[2] = c->storm;
	c->r.x[6] = 0x55;
}

static void check_excl(struct __test_metadata *_metadata,
		       struct hostile_ctx *c)
{
	__u64 v = 0;

	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(1, c->r.x[6]);
	ASSERT_EQ(8, pread(c->box, &v, 8, DATA_IPA + 0x100));
	EXPECT_EQ(data_word(0x100) + 2 * c->storm, v);
}

static void setup_lse(struct __test_metadata *_metadata,
		      struct hostile_ctx *c)
{
	__u64 five = 5;

	setup_mmu(_metadata, c);
	ASSERT_EQ(8, pwrite(c->box, &five, 8, DATA_IPA + 0x40));
	c->r.x[1] = DATA_IPA + 0x40;
}

static void check_lse(struct __test_metadata *_metadata,
		      struct hostile_ctx *c)
{
	__u64 v = 0;

	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(5, c->r.x[0]);	/* CAS hit: old value */
	EXPECT_EQ(9, c->r.x[3]);	/* CAS miss: current value */
	EXPECT_EQ(9, c->r.x[6]);	/* LDADD: old value */
	EXPECT_EQ(0x19, c->r.x[8]);	/* SWP: old value */
	ASSERT_EQ(8, pread(c->box, &v, 8, DATA_IPA + 0x40));
	EXPECT_EQ(0x77, v);
}

/* The alias of DATA_IPA + 0x80 moves from IPA 0..1G to 2G..3G. */
static void setup_remap(struct __test_metadata *_metadata,
			struct hostile_ctx *c, int all)
{
	setup_mmu(_metadata, c);
	c->r.x[3] = ALIAS_VA + DATA_IPA + 0x80;
	c->r.x[4] = TABLE_IPA + 8;
	c->r.x[5] = FAR_IPA | S1_BLOCK;
	c->r.x[6] = (ALIAS_VA + DATA_IPA + 0x80) >> 12;
	c->r.x[7] = all;
}

static void setup_remap_va(struct __test_metadata *_metadata,
			   struct hostile_ctx *c)
{
	setup_remap(_metadata, c, 0);
}

static void setup_remap_all(struct __test_metadata *_metadata,
			    struct hostile_ctx *c)
{
	setup_remap(_metadata, c, 1);
}

static void check_remap(struct __test_metadata *_metadata,
			struct hostile_ctx *c)
{
	ASSERT_EQ(0, box_get(c->box, &c->r));
	/* Before the remap, the alias showed the data. */
	EXPECT_EQ(data_word(0x80), c->r.x[0]);
}

static void setup_maint(struct __test_metadata *_metadata,
			struct hostile_ctx *c)
{
	c->r.x[1] = DATA_IPA + 0xc0;
}

static void check_maint(struct __test_metadata *_metadata,
			struct hostile_ctx *c)
{
	__u64 v = 0;

	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(data_word(0xc0), c->r.x[0]);
	ASSERT_EQ(8, pread(c->box, &v, 8, DATA_IPA + 0xc0));
	EXPECT_EQ(data_word(0xc0), v);
}

static unsigned int dczva_bytes(const struct hostile_ctx *c)
{
	return 4U << (c->feat.dczid & 0xf);
}

static void setup_dczva(struct __test_metadata *_metadata,
			struct hostile_ctx *c)
{
	setup_mmu(_metadata, c);
	c->r.x[1] = DATA_IPA + dczva_bytes(c);
}

/* Exactly the second block of DCZID_EL0.BS bytes is zero. */
static void check_dczva(struct __test_metadata *_metadata,
			struct hostile_ctx *c)
{
	unsigned int bs = dczva_bytes(c), i;
	__u8 buf[3 * 2048];

	ASSERT_GE(sizeof(buf), 3 * bs);
	ASSERT_EQ(3 * bs, pread(c->box, buf, 3 * bs, DATA_IPA));
	for (i = 0; i < 3 * bs; i++) {
		__u8 want = i >= bs && i < 2 * bs ? 0 : data_byte(i);

		EXPECT_EQ(want, buf[i]) {
			TH_LOG("byte %u of %u-byte blocks", i, bs);
			break;
		}
	}
}

/* 2K: aligned for every DCZID_EL0.BS. */
static void setup_dczva_hole(struct __test_metadata *_metadata,
			     struct hostile_ctx *c)
{
	setup_mmu(_metadata, c);
	c->r.x[1] = HOLE_IPA + 0x800;
}

static void check_smc_code(struct __test_metadata *_metadata,
			   struct hostile_ctx *c)
{
	__u32 insn = 0;

	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(0x5a5a, c->r.x[0]);
	ASSERT_EQ(4, pread(c->box, &insn, 4, CODE_IPA + 4 *
			   (smc_code_at - smc_code_start)));
	EXPECT_EQ(0xd28b4b40, insn);	/* movz x0, #0x5a5a */
}

/* L1[0] all ones: a table descriptor far past the 32-bit PA size. */
static void setup_junk_ones(struct __test_metadata *_metadata,
			    struct hostile_ctx *c)
{
	setup_mmu(_metadata, c);
	write_l1(_metadata, c, ~0ULL, S1_BLOCK);
	/* The vectors stay reachable through the alias. */
	c->r.vbar = ALIAS_VA + VEC_IPA;
}

static void check_junk_ones(struct __test_metadata *_metadata,
			    struct hostile_ctx *c)
{
	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(CODE_IPA, c->r.far);
}

/* L1[0] a table descriptor pointing at HOLE_IPA; MMU still off. */
static void setup_junk_hole(struct __test_metadata *_metadata,
			    struct hostile_ctx *c)
{
	setup_tables(_metadata, c);
	write_l1(_metadata, c, HOLE_IPA | S1_TABLE, S1_BLOCK);
}

/*
 * The fetch after the SCTLR_EL1 write (the ISB or the instruction after
 * it: the new MMU state may take effect before the ISB) faults on its
 * walk, at the level-2 descriptor: HOLE_IPA + 0, whose page is all the
 * CPU reports (FAR holds the VA being translated).
 */
static void check_junk_hole(struct __test_metadata *_metadata,
			    struct hostile_ctx *c)
{
	__u64 at = CODE_IPA + 4 * (mmu_on_at - mmu_on_start);

	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_TRUE(c->r.pc == at || c->r.pc == at - 4) {
		TH_LOG("pc 0x%llx", c->r.pc);
	}
}

static void setup_cpacr_zen(struct __test_metadata *_metadata,
			    struct hostile_ctx *c)
{
	c->r.cpacr = CPACR_FPEN | CPACR_ZEN;
}

static void setup_cpacr_smen(struct __test_metadata *_metadata,
			     struct hostile_ctx *c)
{
	c->r.cpacr = CPACR_FPEN | (3ULL << 24);
}

static void setup_x0(struct __test_metadata *_metadata,
		     struct hostile_ctx *c)
{
	c->r.x[0] = 0xabcdef;
	c->r.x[1] = 0x100000;
}

static void check_x0(struct __test_metadata *_metadata,
		     struct hostile_ctx *c)
{
	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(0xabcdef, c->r.x[0]);
}

static void setup_enia(struct __test_metadata *_metadata,
		       struct hostile_ctx *c)
{
	c->r.sctlr |= SCTLR_ENIA;
}

static void setup_mte(struct __test_metadata *_metadata,
		      struct hostile_ctx *c)
{
	setup_mmu(_metadata, c);
	c->r.mair = MAIR_TAGGED;
	c->r.tcr |= TCR_TBI0;
	c->r.sctlr |= SCTLR_ATA | SCTLR_TCF_SYNC;
	c->r.x[1] = DATA_IPA + 0x200;
}

/*
 * HCR_EL2.ATA = 0: no allocation tag access at EL1, so IRG yields tag 0,
 * STG stores none, LDG reads none and nothing is tag checked.
 */
static void check_mte(struct __test_metadata *_metadata,
		      struct hostile_ctx *c)
{
	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(0, (c->r.x[3] >> 56) & 0xf);
	EXPECT_EQ(DATA_IPA + 0x200, c->r.x[5]);
	EXPECT_EQ(data_word(0x200), c->r.x[7]);
}

static void check_tls(struct __test_metadata *_metadata,
		      struct hostile_ctx *c)
{
	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(TLS_BASE, c->r.tpidr_el0);
	EXPECT_EQ(TLS_BASE + 1, c->r.tpidrro_el0);
	EXPECT_EQ(TLS_BASE + 2, c->r.sp_el0);
	EXPECT_EQ(TLS_BASE + 3, c->r.contextidr);
	EXPECT_EQ(TLS_BASE + 4, c->r.tpidr_el1);
}

static __u64 host_midr(void)
{
	__u64 v;

	/* Emulated by the kernel for EL0 (HWCAP_CPUID). */
	asm volatile("mrs %0, midr_el1" : "=r" (v));
	return v;
}

static void check_idregs(struct __test_metadata *_metadata,
			 struct hostile_ctx *c)
{
	ASSERT_EQ(0, box_get(c->box, &c->r));
	if (getauxval(AT_HWCAP) & HWCAP_CPUID)
		EXPECT_EQ(host_midr(), c->r.x[0]);
	EXPECT_EQ(c->feat.midr, c->r.x[0]);
	/* One CPU, no affinity: VMPIDR_EL2 as the module sets it. */
	EXPECT_EQ(0x80000000ULL, c->r.x[1]);
	EXPECT_EQ(0, c->r.x[3]);
	EXPECT_NE(0, c->r.x[4]);
}

static __u64 host_cntvct(void)
{
	__u64 v;

	asm volatile("isb\n	mrs %0, cntvct_el0" : "=r" (v) : : "memory");
	return v;
}

/* Runs the counter blob itself, between two reads of the host's counter. */
static void check_cntvct(struct __test_metadata *_metadata,
			 struct hostile_ctx *c)
{
	struct s2box_run run;
	__u64 before, after, freq;

	asm volatile("mrs %0, cntfrq_el0" : "=r" (freq));
	ASSERT_EQ(0, box_get(c->box, &c->r));
	c->r.pc = CODE_IPA;
	ASSERT_EQ(0, box_set(c->box, &c->r));
	before = host_cntvct();
	ASSERT_EQ(0, hrun_exit(_metadata, c, &run));
	after = host_cntvct();
	ASSERT_EQ(S2BOX_EXIT_HVC, run.exit_reason);
	ASSERT_EQ(0, box_get(c->box, &c->r));
	/* No virtual offset: the box's time is the host's. */
	EXPECT_LE(before, c->r.x[0]);
	EXPECT_LE(c->r.x[0], c->r.x[1]);
	EXPECT_LE(c->r.x[1], after);
	EXPECT_EQ(freq, c->r.x[2]);
}

static void setup_storm(struct __test_metadata *_metadata,
			struct hostile_ctx *c)
{
	c->r.x[0] = c->storm;
}

/*
 * Enabled and expired (ISTATUS) when last read, and the box's own setting
 * kept for it (uapi: cntv_ctl).
 */
static void check_vtimer(struct __test_metadata *_metadata,
			 struct hostile_ctx *c)
{
	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(0, c->r.x[0]);
	EXPECT_EQ(5, c->r.x[2] & 5);
	EXPECT_EQ(1, c->r.cntv_ctl & 1);
	TH_LOG("%llu of %llu reads found the timer masked after an interrupt",
	       c->r.x[3], c->storm);
}

static void check_count(struct __test_metadata *_metadata,
			struct hostile_ctx *c)
{
	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(0, c->r.pstate & 0x3c0);	/* DAIF clear */
}

static void check_exc_loop(struct __test_metadata *_metadata,
			   struct hostile_ctx *c)
{
	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(EC_UNKNOWN, ESR_EC(c->r.esr));
	EXPECT_EQ(CODE_IPA + 4 * (exc_loop_at - exc_loop_start), c->r.elr);
}

/* An illegal return: PSTATE.IL was set, and saved in SPSR_EL1 (IL). */
static void check_illegal(struct __test_metadata *_metadata,
			  struct hostile_ctx *c)
{
	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(BIT64(20), c->r.spsr & BIT64(20));
	EXPECT_EQ(5, c->r.spsr & 0x1f);	/* from EL1h: EL unchanged */
}

/*
 * A box stopped in AArch32 User mode: GET_REGS shows it, SET_REGS takes
 * only AArch64 modes (uapi), RUN resumes it where it was.
 */
static void check_a32_loop(struct __test_metadata *_metadata,
			   struct hostile_ctx *c)
{
	__u64 loop = CODE_IPA + 4 * (a32_loop_at - one_start);
	struct s2box_run run;

	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(0x10, c->r.pstate & 0x1f);
	EXPECT_EQ(loop, c->r.pc);
	EXPECT_EQ(-1, box_set(c->box, &c->r));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, hrun(_metadata, c, 10 * MSEC, &run));
	EXPECT_EQ(S2BOX_EXIT_BUDGET, run.exit_reason);
	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(loop, c->r.pc);
}

#define SCTLR_NTWI	BIT64(16)

static void setup_ntwi(struct __test_metadata *_metadata,
		       struct hostile_ctx *c)
{
	c->r.sctlr |= SCTLR_NTWI;
}

/*
 * A trapped 16-bit WFI (ESR.IL clear) resumes 2 bytes on, at the SVC #1:
 * not 4, which would be the SVC #2.
 */
static void check_t32_wfi(struct __test_metadata *_metadata,
			  struct hostile_ctx *c)
{
	__u64 wfi = CODE_IPA + 4 * (t32_wfi_at - t32_wfi_start);
	struct s2box_run run;

	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(0, c->r.esr & BIT64(25));
	EXPECT_EQ(wfi + 2, c->r.pc);
	EXPECT_EQ(0x30, c->r.pstate & 0x3f);	/* User, T32 */
	ASSERT_EQ(0, hrun_exit(_metadata, c, &run));
	ASSERT_EQ(S2BOX_EXIT_HVC, run.exit_reason) {
		exit_log(_metadata, &run);
	}
	EXPECT_EQ(VEC_MARK(VEC_A32_SYNC), run.hvc_imm);
	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(EC_SVC32, ESR_EC(c->r.esr));
	EXPECT_EQ(1, c->r.esr & ISS_IMM16);
	EXPECT_EQ(wfi + 4, c->r.elr);
}

#define DISR_MARK	0x80000011ULL	/* A, DFSC "SError" */

/* Both boxes on one CPU, where the register stays. */
static void setup_disr(struct __test_metadata *_metadata,
		       struct hostile_ctx *c)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	c->r.x[1] = DISR_MARK;
}

static void check_disr(struct __test_metadata *_metadata,
		       struct hostile_ctx *c)
{
	struct s2box_box_info info;
	struct s2box_regs r;
	int next;

	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(DISR_MARK, c->r.x[2]);
	next = small_box(_metadata, c->ctl, &info);
	ASSERT_LE(0, next);
	load_code(_metadata, next, CODE_IPA, disr_r_at, 8);
	ASSERT_EQ(0, box_get(next, &r));
	r.x[0] = 0x5a5a;
	ASSERT_EQ(0, box_set(next, &r));
	run_to_hvc(_metadata, next, HVC_END, &r);
	EXPECT_EQ(0, r.x[0]) {
		TH_LOG("a new box reads the last box's DISR_EL1");
	}
	close(next);
}

static __u64 read_tpidr2(void)
{
	__u64 v;

	asm volatile("mrs %0, s3_3_c13_c0_5" : "=r" (v));
	return v;
}

static void setup_tpidr2(struct __test_metadata *_metadata,
			 struct hostile_ctx *c)
{
	c->r.x[1] = 0xb0c5b0c5b0c5ULL;
	c->host_tpidr2 = 0;
	if (getauxval(AT_HWCAP2) & HWCAP2_SME) {
		c->host_tpidr2 = 0x7d2000000000abcdULL;
		asm volatile("msr s3_3_c13_c0_5, %0" : : "r" (c->host_tpidr2));
	}
}

static void check_tpidr2(struct __test_metadata *_metadata,
			 struct hostile_ctx *c)
{
	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(0xb0c5b0c5b0c5ULL, c->r.x[2]);
	if (getauxval(AT_HWCAP2) & HWCAP2_SME)
		EXPECT_EQ(c->host_tpidr2, read_tpidr2());
}

/* --- rows ---------------------------------------------------------------- */

/* SMC and HVC with the extreme immediates. */
FIXTURE_VARIANT_ADD(hostile, smc_imm_0) {
	ONE_AT(smc_0), TRAP(EC_SMC64, 0, ISS_IMM16), .pc = PC_PAST,
	.resume = 1,
};

FIXTURE_VARIANT_ADD(hostile, smc_imm_ffff) {
	ONE_AT(smc_ffff), TRAP(EC_SMC64, 0xffff, ISS_IMM16), .pc = PC_PAST,
	.resume = 1,
};

FIXTURE_VARIANT_ADD(hostile, hvc_imm_0) {
	ONE_AT(hvc_0), .exit = S2BOX_EXIT_HVC, .hvc = 0, .pc = PC_PAST,
	.resume = 1,
};

FIXTURE_VARIANT_ADD(hostile, hvc_imm_ffff) {
	ONE_AT(hvc_ffff), .exit = S2BOX_EXIT_HVC, .hvc = 0xffff,
	.pc = PC_PAST, .resume = 1,
};

/*
 * WFx storms: TWI and TWE trap a WFx only if it would wait, so one that
 * finds an interrupt pending or the event register set completes.
 */
FIXTURE_VARIANT_ADD(hostile, wfi_storm) {
	BLOB_AT(wfi_storm), TRAP(EC_WFX, ISS_WFX(0), ISS_WFX_MASK),
	.pc = PC_PAST, .wfx = 1, .setup = setup_storm,
};

FIXTURE_VARIANT_ADD(hostile, wfe_storm) {
	BLOB_AT(wfe_storm), TRAP(EC_WFX, ISS_WFX(1), ISS_WFX_MASK),
	.pc = PC_PAST, .wfx = 1, .setup = setup_storm,
};

/* At EL0, SCTLR_EL1.nTWI = 0 traps WFI to the box's own EL1 first. */
FIXTURE_VARIANT_ADD(hostile, wfi_at_el0) {
	GO_AT(wfi_el0), EL1(VEC_EL0_SYNC, EC_WFX, ISS_WFX(0), ISS_WFX_MASK),
};

/* Endless loops end at the budget. */
FIXTURE_VARIANT_ADD(hostile, endless_loop) {
	BLOB_AT(spin), BUDGET, .pc = PC_AT,
};

FIXTURE_VARIANT_ADD(hostile, endless_loop_daif_clear) {
	BLOB_AT(count), BUDGET, .pc = PC_ANY, .check = check_count,
};

FIXTURE_VARIANT_ADD(hostile, endless_el1_exceptions) {
	BLOB_AT(exc_loop), BUDGET, .pc = PC_ANY, .check = check_exc_loop,
};

FIXTURE_VARIANT_ADD(hostile, endless_loop_aarch32_el0) {
	GO_AT(a32_loop), BUDGET, .pc = PC_AT, .need = F_AA32EL0,
	.check = check_a32_loop,
};

/* PMU: MDCR_EL2.TPM; UNDEFINED where there is none. */
FIXTURE_VARIANT_ADD(hostile, pmcntenset_el0_write) {
	ONE_AT(pmcntenset_w), SYSREG_TRAP(3, 3, 9, 12, 1, 2, 0),
	.need = F_PMU,
};

FIXTURE_VARIANT_ADD(hostile, pmuserenr_el0_read) {
	ONE_AT(pmuserenr_r), SYSREG_TRAP(3, 3, 9, 14, 0, 3, 1),
	.need = F_PMU,
};

FIXTURE_VARIANT_ADD(hostile, pmintenset_el1_write) {
	ONE_AT(pmintenset_w), SYSREG_TRAP(3, 0, 9, 14, 1, 4, 0),
	.need = F_PMU,
};

FIXTURE_VARIANT_ADD(hostile, pmevtyper0_el0_write) {
	ONE_AT(pmevtyper0_w), SYSREG_TRAP(3, 3, 14, 12, 0, 5, 0),
	.need = F_PMU,
};

FIXTURE_VARIANT_ADD(hostile, pmcr_el0_without_pmu) {
	ONE_AT(pmcr_r), EL1_UNDEF, .need_not = F_PMU,
};

/* Debug: MDCR_EL2.TDA, TDOSA, TDRA. */
FIXTURE_VARIANT_ADD(hostile, dbgbvr0_el1_write) {
	ONE_AT(dbgbvr0_w), SYSREG_TRAP(2, 0, 0, 0, 4, 1, 0),
};

FIXTURE_VARIANT_ADD(hostile, osdlr_el1_read) {
	ONE_AT(osdlr_r), SYSREG_TRAP(2, 0, 1, 3, 4, 2, 1),
};

FIXTURE_VARIANT_ADD(hostile, oslar_el1_write) {
	ONE_AT(oslar_w), SYSREG_TRAP(2, 0, 1, 0, 4, 3, 0),
};

FIXTURE_VARIANT_ADD(hostile, mdccsr_el0_read) {
	ONE_AT(mdccsr_r), SYSREG_TRAP(2, 3, 0, 1, 0, 4, 1),
};

FIXTURE_VARIANT_ADD(hostile, mdrar_el1_read) {
	ONE_AT(mdrar_r), SYSREG_TRAP(2, 0, 1, 0, 0, 5, 1),
};

FIXTURE_VARIANT_ADD(hostile, mdscr_el1_read) {
	ONE_AT(mdscr_r), SYSREG_TRAP(2, 0, 0, 2, 2, 8, 1),
};

FIXTURE_VARIANT_ADD(hostile, dbgwcr0_el1_write) {
	ONE_AT(dbgwcr0_w), SYSREG_TRAP(2, 0, 0, 0, 7, 6, 0),
};

/* The physical timer: CNTHCTL_EL2.EL1PCEN clear. */
FIXTURE_VARIANT_ADD(hostile, cntp_cval_el0_write) {
	ONE_AT(cntp_cval_w), SYSREG_TRAP(3, 3, 14, 2, 2, 7, 0),
};

FIXTURE_VARIANT_ADD(hostile, cntp_tval_el0_read) {
	ONE_AT(cntp_tval_r), SYSREG_TRAP(3, 3, 14, 2, 0, 9, 1),
};

/* The virtual counter is not trapped: host time, no offset. */
FIXTURE_VARIANT_ADD(hostile, cntvct_is_host_time) {
	BLOB_AT(cntvct), .exit = S2BOX_EXIT_HVC, .hvc = HVC_END,
	.pc = PC_PAST, .check = check_cntvct,
};

/* The virtual timer's interrupt, unmasked by the box again and again. */
FIXTURE_VARIANT_ADD(hostile, vtimer_interrupt_storm) {
	BLOB_AT(vtimer), .exit = S2BOX_EXIT_HVC, .hvc = HVC_END,
	.pc = PC_ANY, .setup = setup_storm, .check = check_vtimer,
};

/* GIC CPU interface. */
FIXTURE_VARIANT_ADD(hostile, icc_sgi0r_el1_write) {
	ONE_AT(sgi0r_w), SYSREG_TRAP(3, 0, 12, 11, 7, 1, 0), .need = F_GICSYS,
};

FIXTURE_VARIANT_ADD(hostile, icc_asgi1r_el1_write) {
	ONE_AT(asgi1r_w), SYSREG_TRAP(3, 0, 12, 11, 6, 2, 0), .need = F_GICSYS,
};

FIXTURE_VARIANT_ADD(hostile, icc_iar1_el1_read) {
	ONE_AT(iar1_r), SYSREG_TRAP(3, 0, 12, 12, 0, 3, 1), .need = F_GICSYS,
};

FIXTURE_VARIANT_ADD(hostile, icc_iar0_el1_read) {
	ONE_AT(iar0_r), SYSREG_TRAP(3, 0, 12, 8, 0, 4, 1), .need = F_GICSYS,
};

FIXTURE_VARIANT_ADD(hostile, icc_pmr_el1_write) {
	ONE_AT(pmr_w), SYSREG_TRAP(3, 0, 4, 6, 0, 5, 0), .need = F_GICSYS,
};

FIXTURE_VARIANT_ADD(hostile, icc_sre_el1_read) {
	ONE_AT(icc_sre_r), SYSREG_TRAP(3, 0, 12, 12, 5, 6, 1),
	.need = F_GICSYS,
	.gap = "the GIC model ignores ICC_SRE_EL2.Enable (QEMU 7.2, 10.0)",
};

FIXTURE_VARIANT_ADD(hostile, icc_dir_el1_write) {
	ONE_AT(dir_w), SYSREG_TRAP(3, 0, 12, 11, 1, 7, 0), .need = F_GICSYS,
};

FIXTURE_VARIANT_ADD(hostile, icc_igrpen1_el1_write) {
	ONE_AT(igrpen1_w), SYSREG_TRAP(3, 0, 12, 12, 7, 8, 0),
	.need = F_GICSYS,
};

/* HCR_EL2.TACR, TIDCP, TSW, TLOR, TERR. */
FIXTURE_VARIANT_ADD(hostile, actlr_el1_read) {
	ONE_AT(actlr_r), SYSREG_TRAP(3, 0, 1, 0, 1, 1, 1),
};

FIXTURE_VARIANT_ADD(hostile, impdef_s3_0_c15_c0_0_read) {
	ONE_AT(impdef_r), SYSREG_TRAP(3, 0, 15, 0, 0, 2, 1),
	.gap = "the CPU model ignores HCR_EL2.TIDCP (QEMU before 8.0)",
};

FIXTURE_VARIANT_ADD(hostile, dc_isw) {
	ONE_AT(dc_isw), SYSREG_TRAP(1, 0, 7, 6, 2, 3, 0),
};

FIXTURE_VARIANT_ADD(hostile, dc_csw) {
	ONE_AT(dc_csw), SYSREG_TRAP(1, 0, 7, 10, 2, 4, 0),
};

FIXTURE_VARIANT_ADD(hostile, lorc_el1_read) {
	ONE_AT(lorc_r), SYSREG_TRAP(3, 0, 10, 4, 3, 5, 1), .need = F_LOR,
};

FIXTURE_VARIANT_ADD(hostile, lorsa_el1_write) {
	ONE_AT(lorsa_w), SYSREG_TRAP(3, 0, 10, 4, 0, 6, 0), .need = F_LOR,
};

FIXTURE_VARIANT_ADD(hostile, erridr_el1_read) {
	ONE_AT(erridr_r), SYSREG_TRAP(3, 0, 5, 3, 0, 7, 1), .need = F_RAS,
};

/*
 * DISR_EL1 is VDISR_EL2 for the box (AMO): the value one box (or a KVM
 * guest: KVM leaves its guest's there) put in it must not reach the next.
 */
FIXTURE_VARIANT_ADD(hostile, disr_el1_stays_in_its_box) {
	BLOB_AT(disr), .exit = S2BOX_EXIT_HVC, .hvc = HVC_END,
	.pc = PC_PAST, .need = F_RAS, .setup = setup_disr,
	.check = check_disr,
};

FIXTURE_VARIANT_ADD(hostile, scxtnum_el1_read) {
	ONE_AT(scxtnum1_r), SYSREG_TRAP(3, 0, 13, 0, 7, 1, 1), .need = F_SCXT,
};

FIXTURE_VARIANT_ADD(hostile, scxtnum_el0_write) {
	ONE_AT(scxtnum0_w), SYSREG_TRAP(3, 3, 13, 0, 7, 2, 0), .need = F_SCXT,
};

FIXTURE_VARIANT_ADD(hostile, scxtnum_el1_without_csv2_2) {
	ONE_AT(scxtnum1_r), EL1_UNDEF, .need_not = F_SCXT,
};

FIXTURE_VARIANT_ADD(hostile, erridr_el1_without_ras) {
	ONE_AT(erridr_r), EL1_UNDEF, .need_not = F_RAS,
};

/* EL2 and EL3 registers and instructions: UNDEFINED at EL1. */
FIXTURE_VARIANT_ADD(hostile, hcr_el2_read) {
	ONE_AT(hcr_el2_r), EL1_UNDEF,
};

FIXTURE_VARIANT_ADD(hostile, vttbr_el2_write) {
	ONE_AT(vttbr_el2_w), EL1_UNDEF,
};

FIXTURE_VARIANT_ADD(hostile, scr_el3_read) {
	ONE_AT(scr_el3_r), EL1_UNDEF,
};

FIXTURE_VARIANT_ADD(hostile, sctlr_el12_read) {
	ONE_AT(sctlr_el12_r), EL1_UNDEF,
};

FIXTURE_VARIANT_ADD(hostile, icc_sre_el2_read) {
	ONE_AT(icc_sre_el2_r), EL1_UNDEF,
};

FIXTURE_VARIANT_ADD(hostile, sp_el1_read) {
	ONE_AT(sp_el1_r), EL1_UNDEF,
};

FIXTURE_VARIANT_ADD(hostile, tlbi_alle2) {
	ONE_AT(tlbi_alle2), EL1_UNDEF,
};

FIXTURE_VARIANT_ADD(hostile, tlbi_ipas2e1is) {
	ONE_AT(tlbi_ipas2e1is), EL1_UNDEF,
};

FIXTURE_VARIANT_ADD(hostile, at_s12e1r) {
	ONE_AT(at_s12e1r), EL1_UNDEF,
};

/* Other exceptions the box takes itself, or that leave it. */
FIXTURE_VARIANT_ADD(hostile, hlt) {
	ONE_AT(hlt_0), EL1_UNDEF,
};

FIXTURE_VARIANT_ADD(hostile, zero_word) {
	ONE_AT(zero_word), EL1_UNDEF,
};

FIXTURE_VARIANT_ADD(hostile, svc_at_el0) {
	GO_AT(svc_el0), EL1(VEC_EL0_SYNC, EC_SVC64, 0x77, ISS_ALL),
	.elr_past = 1,
};

/* Debug exceptions go to EL2 (MDCR_EL2.TDE), from EL0 too. */
FIXTURE_VARIANT_ADD(hostile, brk_at_el0) {
	GO_AT(brk_el0), TRAP(EC_BRK64, 0x99, ISS_ALL), .pc = PC_AT,
};

FIXTURE_VARIANT_ADD(hostile, eret_to_el2_is_illegal) {
	GO_AT(ret_el2), EL1(VEC_EL1H_SYNC, EC_ILLEGAL, 0, ISS_ALL),
	.check = check_illegal,
};

FIXTURE_VARIANT_ADD(hostile, svc_at_aarch32_el0) {
	GO_AT(a32_svc), EL1(VEC_A32_SYNC, EC_SVC32, 0x42, ISS_IMM16),
	.elr_past = 1, .need = F_AA32EL0,
};

FIXTURE_VARIANT_ADD(hostile, t32_16bit_wfi_at_el0) {
	BLOB_AT(t32_wfi), .exit = S2BOX_EXIT_TRAP, .ec = EC_WFX,
	.iss = 0, .iss_mask = 3, .pc = PC_ANY, .need = F_AA32EL0,
	.setup = setup_ntwi, .check = check_t32_wfi,
	/* A WFI may complete instead, when an interrupt is pending. */
	.gap = "the WFI did not wait", .gap_vec = VEC(VEC_A32_SYNC),
	.gap_ec = EC_SVC32,
};

/* Without AArch32 at EL0, the ERET to it is an illegal return. */
FIXTURE_VARIANT_ADD(hostile, eret_to_missing_aarch32) {
	GO_AT(a32_svc), EL1(VEC_EL1H_SYNC, EC_ILLEGAL, 0, ISS_ALL),
	.need_not = F_AA32EL0, .check = check_illegal,
	.gap = "the CPU model runs AArch32 EL0 ID_AA64PFR0_EL1 denies",
	.gap_vec = VEC(VEC_A32_SYNC), .gap_ec = EC_SVC32,
};

/* Exception storms into vectors stage 2 does not map, or not as code. */
FIXTURE_VARIANT_ADD(hostile, vbar_unmapped_el1h) {
	ONE_AT(udf_el1), S2F(HOLE_IPA + VEC_EL1H_SYNC, S2BOX_ACCESS_EXEC,
			     S2BOX_FAULT_TRANSLATION),
	.ec = EC_IABT_LOW, .pc = PC_IPA, .repeat = -1,
	.setup = setup_vbar_hole,
};

FIXTURE_VARIANT_ADD(hostile, vbar_unmapped_el1t) {
	GO_AT(udf_el1t), S2F(HOLE_IPA + VEC_EL1T_SYNC, S2BOX_ACCESS_EXEC,
			     S2BOX_FAULT_TRANSLATION),
	.ec = EC_IABT_LOW, .pc = PC_IPA, .repeat = -1,
	.setup = setup_vbar_hole,
};

FIXTURE_VARIANT_ADD(hostile, vbar_unmapped_el0) {
	GO_AT(udf_el0), S2F(HOLE_IPA + VEC_EL0_SYNC, S2BOX_ACCESS_EXEC,
			    S2BOX_FAULT_TRANSLATION),
	.ec = EC_IABT_LOW, .pc = PC_IPA, .repeat = -1,
	.setup = setup_vbar_hole,
};

FIXTURE_VARIANT_ADD(hostile, vbar_unmapped_aarch32_el0) {
	GO_AT(a32_udf), S2F(HOLE_IPA + VEC_A32_SYNC, S2BOX_ACCESS_EXEC,
			    S2BOX_FAULT_TRANSLATION),
	.ec = EC_IABT_LOW, .pc = PC_IPA, .repeat = -1,
	.setup = setup_vbar_hole, .need = F_AA32EL0,
};

FIXTURE_VARIANT_ADD(hostile, vbar_not_executable) {
	ONE_AT(udf_el1), S2F(XN_IPA + VEC_EL1H_SYNC, S2BOX_ACCESS_EXEC,
			     S2BOX_FAULT_PERMISSION),
	.ec = EC_IABT_LOW, .pc = PC_IPA, .setup = setup_vbar_xn,
};

/* Translation tables: junk ones, and ones the box changes itself. */
FIXTURE_VARIANT_ADD(hostile, mmu_junk_table_address_size) {
	.start = mmu_on_start, .end = mmu_on_end, .entry = mmu_on_start,
	.at = mmu_on_start,
	/* Address size fault, level 1: the table address is past IPS. */
	EL1(VEC_EL1H_SYNC, EC_IABT_CUR, 0x01, ISS_FSC),
	.setup = setup_junk_ones, .check = check_junk_ones,
};

FIXTURE_VARIANT_ADD(hostile, mmu_junk_table_stage2_hole) {
	BLOB_AT(mmu_on), S2F(HOLE_IPA, S2BOX_ACCESS_EXEC,
			     S2BOX_FAULT_TRANSLATION),
	.ec = EC_IABT_LOW, .iss = ESR_S1PTW, .iss_mask = ESR_S1PTW,
	.pc = PC_ANY, .setup = setup_junk_hole, .check = check_junk_hole,
};

FIXTURE_VARIANT_ADD(hostile, tlbi_vae1is_after_remap) {
	BLOB_AT(remap), S2F(FAR_IPA + DATA_IPA + 0x80, S2BOX_ACCESS_READ,
			    S2BOX_FAULT_TRANSLATION),
	.ec = EC_DABT_LOW, .pc = PC_AT, .setup = setup_remap_va,
	.check = check_remap,
};

FIXTURE_VARIANT_ADD(hostile, tlbi_vmalle1is_after_remap) {
	BLOB_AT(remap), S2F(FAR_IPA + DATA_IPA + 0x80, S2BOX_ACCESS_READ,
			    S2BOX_FAULT_TRANSLATION),
	.ec = EC_DABT_LOW, .pc = PC_AT, .setup = setup_remap_all,
	.check = check_remap,
};

FIXTURE_VARIANT_ADD(hostile, cache_and_tlb_maintenance) {
	BLOB_AT(maint), .exit = S2BOX_EXIT_HVC, .hvc = HVC_END,
	.pc = PC_PAST, .setup = setup_maint, .check = check_maint,
};

FIXTURE_VARIANT_ADD(hostile, dc_zva) {
	BLOB_AT(dczva), DONE, .need = F_DCZVA, .setup = setup_dczva,
	.check = check_dczva,
};

FIXTURE_VARIANT_ADD(hostile, dc_zva_unmapped) {
	/* A store as far as stage 2 is concerned, not maintenance (CM). */
	BLOB_AT(dczva), S2F(HOLE_IPA + 0x800, S2BOX_ACCESS_WRITE,
			    S2BOX_FAULT_TRANSLATION),
	.ec = EC_DABT_LOW, .iss = 0, .iss_mask = ESR_CM | ESR_S1PTW,
	.pc = PC_AT, .need = F_DCZVA, .setup = setup_dczva_hole,
};

FIXTURE_VARIANT_ADD(hostile, self_modifying_code) {
	BLOB_AT(smc_code), DONE, .check = check_smc_code,
};

FIXTURE_VARIANT_ADD(hostile, self_modifying_code_mmu_on) {
	BLOB_AT(smc_code), DONE, .setup = setup_mmu, .check = check_smc_code,
};

/* Alignment. */
FIXTURE_VARIANT_ADD(hostile, unaligned_load) {
	BLOB_AT(load), DONE, .setup = setup_unaligned,
	.check = check_unaligned,
};

FIXTURE_VARIANT_ADD(hostile, unaligned_load_sctlr_a) {
	/* Alignment fault: DFSC 0x21. */
	BLOB_AT(load), EL1(VEC_EL1H_SYNC, EC_DABT_CUR, 0x21, ISS_FSC),
	.setup = setup_unaligned_a, .check = check_far_data41,
};

FIXTURE_VARIANT_ADD(hostile, misaligned_sp_sctlr_sa) {
	BLOB_AT(sp_load), EL1(VEC_EL1H_SYNC, EC_SP_ALIGN, 0, ISS_ALL),
	.setup = setup_sp_align,
	.gap = "the CPU model does not check SCTLR_EL1.SA (QEMU 7.2, 10.0)",
};

/* Exclusives and atomics. */
FIXTURE_VARIANT_ADD(hostile, exclusives) {
	BLOB_AT(excl), DONE, .setup = setup_excl, .check = check_excl,
};

FIXTURE_VARIANT_ADD(hostile, lse_atomics) {
	BLOB_AT(lse), .exit = S2BOX_EXIT_HVC, .hvc = HVC_END,
	.pc = PC_PAST, .need = F_LSE, .setup = setup_lse,
	.check = check_lse,
};

/* The box's own registers. */
FIXTURE_VARIANT_ADD(hostile, tls_and_context_writes) {
	BLOB_AT(tls), SYSREG_TRAP(2, 0, 0, 2, 2, 9, 0), .pc = PC_AT,
	.check = check_tls,
};

FIXTURE_VARIANT_ADD(hostile, id_registers) {
	BLOB_AT(idregs), .exit = S2BOX_EXIT_HVC, .hvc = HVC_END,
	.pc = PC_PAST, .check = check_idregs,
};

/* Pointer authentication: HCR_EL2.API and APK clear. */
FIXTURE_VARIANT_ADD(hostile, pacga) {
	ONE_AT(pacga), TRAP(EC_PAC, 0, ISS_ALL), .pc = PC_AT, .resume = 1,
	.need = F_PACGA,
};

/* With SCTLR_EL1.EnIA clear, PACIA is a NOP, not a trap. */
FIXTURE_VARIANT_ADD(hostile, pacia_disabled_is_nop) {
	ONE_AT(pacia), DONE, .need = F_PAUTH, .setup = setup_x0,
	.check = check_x0,
};

FIXTURE_VARIANT_ADD(hostile, autia_enabled) {
	ONE_AT(autia), TRAP(EC_PAC, 0, ISS_ALL), .pc = PC_AT, .resume = 1,
	.need = F_PAUTH, .setup = setup_enia,
};

FIXTURE_VARIANT_ADD(hostile, apiakeylo_el1_read) {
	ONE_AT(apiakeylo_r), SYSREG_TRAP(3, 0, 2, 1, 0, 3, 1),
	.need = F_PAUTH,
};

FIXTURE_VARIANT_ADD(hostile, apgakeyhi_el1_write) {
	ONE_AT(apgakeyhi_w), SYSREG_TRAP(3, 0, 2, 3, 1, 4, 0),
	.need = F_PACGA,
};

FIXTURE_VARIANT_ADD(hostile, apiakeylo_el1_without_pauth) {
	ONE_AT(apiakeylo_r), EL1_UNDEF, .need_not = F_PAUTH,
};

/* SVE and SME: CPTR_EL2.ZEN and SMEN; the box's CPACR_EL1 first. */
FIXTURE_VARIANT_ADD(hostile, zcr_el1_read) {
	ONE_AT(zcr_r), TRAP(EC_SVE, 0, ISS_ALL), .pc = PC_AT, .resume = 1,
	.need = F_SVE, .setup = setup_cpacr_zen,
};

FIXTURE_VARIANT_ADD(hostile, rdvl_box_cpacr_off) {
	ONE_AT(rdvl), EL1(VEC_EL1H_SYNC, EC_SVE, 0, ISS_ALL), .need = F_SVE,
};

FIXTURE_VARIANT_ADD(hostile, rdvl_without_sve) {
	ONE_AT(rdvl), EL1_UNDEF, .need_not = F_SVE | F_SME,
};

FIXTURE_VARIANT_ADD(hostile, smstart) {
	ONE_AT(smstart), TRAP(EC_SME, 0, ISS_ALL), .pc = PC_AT, .resume = 1,
	.need = F_SME, .setup = setup_cpacr_smen,
};

FIXTURE_VARIANT_ADD(hostile, smcr_el1_read) {
	ONE_AT(smcr_r), TRAP(EC_SME, 0, ISS_ALL), .pc = PC_AT, .resume = 1,
	.need = F_SME, .setup = setup_cpacr_smen,
};

FIXTURE_VARIANT_ADD(hostile, tpidr2_el0_write) {
	BLOB_AT(tpidr2), .exit = S2BOX_EXIT_HVC, .hvc = HVC_END,
	.pc = PC_PAST, .need = F_SME, .setup = setup_tpidr2,
	.check = check_tpidr2,
};

/* MTE: HCR_EL2.ATA clear. */
FIXTURE_VARIANT_ADD(hostile, gcr_el1_read) {
	ONE_AT(gcr_r), SYSREG_TRAP(3, 0, 1, 0, 6, 1, 1), .need = F_MTE2,
};

FIXTURE_VARIANT_ADD(hostile, rgsr_el1_write) {
	ONE_AT(rgsr_w), SYSREG_TRAP(3, 0, 1, 0, 5, 2, 0), .need = F_MTE2,
};

FIXTURE_VARIANT_ADD(hostile, tfsr_el1_read) {
	ONE_AT(tfsr_r), SYSREG_TRAP(3, 0, 5, 6, 0, 3, 1), .need = F_MTE2,
};

FIXTURE_VARIANT_ADD(hostile, tfsre0_el1_write) {
	ONE_AT(tfsre0_w), SYSREG_TRAP(3, 0, 5, 6, 1, 4, 0), .need = F_MTE2,
};

FIXTURE_VARIANT_ADD(hostile, mte_tags_out_of_reach) {
	BLOB_AT(mte), DONE, .need = F_MTE2, .setup = setup_mte,
	.check = check_mte,
};

FIXTURE_VARIANT_ADD(hostile, irg_without_mte) {
	ONE_AT(irg), EL1_UNDEF, .need_not = F_MTE,
};

/* --- the test ------------------------------------------------------------ */

static unsigned int field(__u64 reg, int shift)
{
	return (reg >> shift) & 0xf;
}

/* What a box sees in its ID registers, from a box of its own. */
static void probe(struct __test_metadata *_metadata, struct hostile_ctx *c)
{
	struct hostile_feat *f = &c->feat;
	struct s2box_box_info info;
	struct s2box_regs r;
	int box;

	box = small_box(_metadata, c->ctl, &info);
	ASSERT_LE(0, box);
	LOAD(box, CODE_IPA, probe_blob);
	run_to_hvc(_metadata, box, HVC_PROBE, &r);
	ASSERT_EQ(0, close(box));
	f->pfr0 = r.x[0];
	f->pfr1 = r.x[1];
	f->dfr0 = r.x[2];
	f->isar0 = r.x[3];
	f->isar1 = r.x[4];
	f->isar2 = r.x[5];
	f->mmfr1 = r.x[6];
	f->midr = r.x[7];
	f->dczid = r.x[9];
	f->f = 0;
	if (field(f->dfr0, 8) && field(f->dfr0, 8) != 0xf)
		f->f |= F_PMU;
	if (field(f->pfr0, 32))
		f->f |= F_SVE;
	if (field(f->pfr1, 24))
		f->f |= F_SME;
	if (field(f->isar1, 4) || field(f->isar1, 8) || field(f->isar2, 12))
		f->f |= F_PAUTH;
	if (field(f->isar1, 24) || field(f->isar1, 28) || field(f->isar2, 8))
		f->f |= F_PACGA;
	if (field(f->pfr1, 8) >= 1)
		f->f |= F_MTE;
	if (field(f->pfr1, 8) >= 2)
		f->f |= F_MTE2;
	if (field(f->isar0, 20) >= 2)
		f->f |= F_LSE;
	if (field(f->mmfr1, 16))
		f->f |= F_LOR;
	if (field(f->pfr0, 28))
		f->f |= F_RAS;
	if (field(f->pfr0, 0) == 2)
		f->f |= F_AA32EL0;
	if (field(f->pfr0, 24))
		f->f |= F_GICSYS;
	if (!(f->dczid & 0x10))
		f->f |= F_DCZVA;
	if (field(f->pfr0, 56) >= 2 ||
	    (field(f->pfr0, 56) == 1 && field(f->pfr1, 32) >= 2))
		f->f |= F_SCXT;
}

FIXTURE_SETUP(hostile)
{
	struct hostile_ctx *c = &self->c;
	const char *heavy = getenv("S2BOX_HEAVY");
	__u8 data[4096];
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->box = -1;
	c->storm = heavy && !strcmp(heavy, "1") ? 2000 : 200;
	c->ctl = s2box_open_ctl();
	ASSERT_LE(0, c->ctl);
	probe(_metadata, c);
	c->box = small_box(_metadata, c->ctl, &c->info);
	ASSERT_LE(0, c->box);
	ASSERT_EQ(0, box_map(c->box, TABLE_IPA, c->info.map_align,
			     S2BOX_PROT_READ | S2BOX_PROT_WRITE));
	for (i = 0; i < sizeof(data); i++)
		data[i] = data_byte(i);
	ASSERT_EQ(sizeof(data), pwrite(c->box, data, sizeof(data), DATA_IPA));
}

FIXTURE_TEARDOWN(hostile)
{
	if (self->c.box >= 0)
		close(self->c.box);
	close(self->c.ctl);
}

/*
 * S2BOX_RUN as a bare system call, with q0, q1, q8, q15, q16, q31, FPCR,
 * FPSR and TPIDR_EL0 loaded from @in right before it and stored to @out
 * right after it (TPIDRRO_EL0 too). TPIDR_EL0, FPCR and FPSR are put
 * back before any C code runs: libc's TLS lives in TPIDR_EL0.
 */
static long raw_run(int box, struct s2box_run *run, const struct host_fp *in,
		    struct host_fp *out)
{
	register long x0 asm("x0") = box;
	register long x1 asm("x1") = S2BOX_RUN;
	register long x2 asm("x2") = (long)run;
	register long x8 asm("x8") = __NR_ioctl;

	asm volatile("mrs	x10, tpidr_el0\n"
		     "	mrs	x11, fpcr\n"
		     "	mrs	x12, fpsr\n"
		     "	ldp	q0, q1, [%[in], #0]\n"
		     "	ldp	q8, q15, [%[in], #32]\n"
		     "	ldp	q16, q31, [%[in], #64]\n"
		     "	ldr	x13, [%[in], #96]\n"
		     "	msr	fpcr, x13\n"
		     "	ldr	x13, [%[in], #104]\n"
		     "	msr	fpsr, x13\n"
		     "	ldr	x13, [%[in], #112]\n"
		     "	msr	tpidr_el0, x13\n"
		     "	svc	#0\n"
		     "	mrs	x13, tpidr_el0\n"
		     "	msr	tpidr_el0, x10\n"
		     "	str	x13, [%[out], #112]\n"
		     "	mrs	x13, tpidrro_el0\n"
		     "	str	x13, [%[out], #120]\n"
		     "	mrs	x13, fpcr\n"
		     "	str	x13, [%[out], #96]\n"
		     "	mrs	x13, fpsr\n"
		     "	str	x13, [%[out], #104]\n"
		     "	msr	fpcr, x11\n"
		     "	msr	fpsr, x12\n"
		     "	stp	q0, q1, [%[out], #0]\n"
		     "	stp	q8, q15, [%[out], #32]\n"
		     "	stp	q16, q31, [%[out], #64]\n"
		     : "+r" (x0)
		     : "r" (x1), "r" (x2), "r" (x8), [in] "r" (in),
		       [out] "r" (out)
		     : "x10", "x11", "x12", "x13", "memory", "cc",
		       "v0", "v1", "v8", "v15", "v16", "v31");
	return x0;
}

/*
 * One RUN, then the checks every RUN must pass: the caller's registers
 * as they were, the box's stage 2 clean. Returns what RUN returned.
 */
static long hrun(struct __test_metadata *_metadata, struct hostile_ctx *c,
		 __u64 budget_ns, struct s2box_run *run)
{
	struct host_fp in = {
		/* DN, FZ, round towards +inf; every cumulative FPSR flag. */
		.fpcr = 0x03400000, .fpsr = 0x0800009f,
		.tpidr = 0x7150c0de00001234ULL,
	};
	struct host_fp out;
	struct s2box_audit a;
	__u64 tpidrro;
	long ret;
	int i, err;

	for (i = 0; i < 12; i++)
		in.v[i] = 0x3f50000000000000ULL | (__u64)i << 32 | i * 0x1111;
	asm volatile("mrs %0, tpidrro_el0" : "=r" (tpidrro));
	memset(&out, 0, sizeof(out));
	memset(run, 0, sizeof(*run));
	run->budget_ns = budget_ns;
	ret = raw_run(c->box, run, &in, &out);
	err = ret < 0 ? -ret : 0;
	EXPECT_EQ(in.tpidr, out.tpidr);
	EXPECT_EQ(tpidrro, out.tpidrro);
	EXPECT_EQ(in.fpcr, out.fpcr);
	EXPECT_EQ(in.fpsr, out.fpsr);
	EXPECT_EQ(0, memcmp(in.v, out.v, sizeof(in.v))) {
		for (i = 0; i < 12; i++)
			TH_LOG("V slot %d: 0x%llx, want 0x%llx", i,
			       out.v[i], in.v[i]);
	}
	memset(&a, 0xa5, sizeof(a));
	EXPECT_EQ(0, ioctl(c->box, S2BOX_AUDIT, &a)) {
		TH_LOG("audit after run: %s", strerror(errno));
	}
	EXPECT_EQ(0, a.bad_desc | a.empty_tables | a.foreign);
	errno = err;
	return ret;
}

/*
 * hrun() for a blob that must come to an exit other than the budget: a
 * loaded host may spend a whole budget elsewhere, so it gets a few.
 */
static long hrun_exit(struct __test_metadata *_metadata,
		      struct hostile_ctx *c, struct s2box_run *run)
{
	long ret;
	int i;

	for (i = 0; i < 8; i++) {
		ret = hrun(_metadata, c, RUN_BUDGET_NS, run);
		if (ret || run->exit_reason != S2BOX_EXIT_BUDGET)
			break;
	}
	return ret;
}

static __u64 ipa_of(const __u32 *start, const __u32 *insn)
{
	return insn ? CODE_IPA + 4 * (insn - start) : 0;
}

/* op0/op1/CRn/CRm/op2, Rt and direction of a trapped MSR/MRS. */
static void log_sysreg(struct __test_metadata *_metadata, const char *what,
		       __u32 iss)
{
	TH_LOG("%s: op0 %u op1 %u CRn %u CRm %u op2 %u Rt %u %s", what,
	       (iss >> 20) & 3, (iss >> 14) & 7, (iss >> 10) & 15,
	       (iss >> 1) & 15, (iss >> 17) & 7, (iss >> 5) & 31,
	       iss & 1 ? "read" : "write");
}

/* The exit @run must be @v's. */
static void expect_exit(struct __test_metadata *_metadata,
			struct hostile_ctx *c,
			const hostile_row *v,
			const struct s2box_run *run)
{
	__u64 at = ipa_of(v->start, v->at);
	struct s2box_regs r;

	ASSERT_EQ(v->exit, run->exit_reason) {
		exit_log(_metadata, run);
	}
	ASSERT_EQ(0, box_get(c->box, &r));
	switch (v->exit) {
	case S2BOX_EXIT_TRAP:
		EXPECT_EQ(v->ec, run->exception_class) {
			exit_log(_metadata, run);
		}
		EXPECT_EQ(v->ec, ESR_EC(run->esr));
		EXPECT_EQ(v->iss, run->esr & v->iss_mask) {
			exit_log(_metadata, run);
		}
		EXPECT_EQ(v->ec == EC_SYS64 ? v->iss : 0, run->sysreg) {
			log_sysreg(_metadata, "want", v->iss);
			log_sysreg(_metadata, "got", run->sysreg);
		}
		EXPECT_EQ(0, run->far);
		EXPECT_EQ(0, run->flags);
		break;
	case S2BOX_EXIT_HVC:
		if (!v->vec) {
			EXPECT_EQ(v->hvc, run->hvc_imm);
			break;
		}
		/* The box's own vector: its ESR_EL1 and ELR_EL1. */
		EXPECT_EQ(VEC_MARK(v->vec & 0xfff), run->hvc_imm) {
			exit_log(_metadata, run);
			TH_LOG("ESR_EL1 0x%llx ELR_EL1 0x%llx", r.esr, r.elr);
		}
		EXPECT_EQ(v->ec, ESR_EC(r.esr)) {
			TH_LOG("ESR_EL1 0x%llx", r.esr);
		}
		EXPECT_EQ(v->iss, r.esr & v->iss_mask) {
			TH_LOG("ESR_EL1 0x%llx", r.esr);
		}
		EXPECT_EQ(r.esr, r.x[27]);
		EXPECT_EQ(at + 4 * v->elr_past, r.elr);
		EXPECT_EQ(r.vbar + (v->vec & 0xfff) + 8, r.pc);
		return;
	case S2BOX_EXIT_S2_FAULT:
		EXPECT_EQ(v->ec, run->exception_class);
		EXPECT_EQ(v->iss, run->esr & v->iss_mask) {
			exit_log(_metadata, run);
		}
		EXPECT_TRUE(run->flags & S2BOX_RUN_IPA_VALID);
		if (v->ipa)
			EXPECT_EQ(v->ipa, run->ipa) {
				exit_log(_metadata, run);
			}
		EXPECT_EQ(v->access, run->fault_access);
		EXPECT_EQ(v->status, run->fault_status) {
			exit_log(_metadata, run);
		}
		break;
	}
	switch (v->pc) {
	case PC_AT:
	case PC_PAST:
	case PC_NEXT:
		EXPECT_EQ(at + 4 * v->pc, r.pc) {
			exit_log(_metadata, run);
		}
		break;
	case PC_IPA:
		EXPECT_EQ(run->ipa, r.pc);
		break;
	}
}

/*
 * A WFx that would not wait completes, and QEMU never traps WFE: the
 * storm is over when the blob's HVC is, with any number of WFx trap exits
 * on the way, each past its WFx. A WFI with nothing pending does wait: of
 * so many, some must have trapped.
 */
static void wfx_storm(struct __test_metadata *_metadata,
		      struct hostile_ctx *c, const hostile_row *v)
{
	struct s2box_run run;
	__u64 traps;

	for (traps = 0; traps <= c->storm; traps++) {
		ASSERT_EQ(0, hrun_exit(_metadata, c, &run));
		if (run.exit_reason == S2BOX_EXIT_HVC)
			break;
		expect_exit(_metadata, c, v, &run);
		if (_metadata->exit_code)
			return;
	}
	ASSERT_EQ(S2BOX_EXIT_HVC, run.exit_reason);
	ASSERT_EQ(HVC_END, run.hvc_imm);
	ASSERT_EQ(0, box_get(c->box, &c->r));
	EXPECT_EQ(0, c->r.x[0]);
	TH_LOG("%llu WF%c, %llu of them trapped", c->storm,
	       v->iss & 1 ? 'E' : 'I', traps);
	if (!(v->iss & 1))
		EXPECT_LT(0, traps);
}

/*
 * Did the instruction at @at complete (the HVC after it) or take the
 * box's own UNDEFINED exception, where a trap was expected?
 */
static bool gap_hit(struct __test_metadata *_metadata,
		    struct hostile_ctx *c, const hostile_row *v,
		    const struct s2box_run *run)
{
	__u64 at = ipa_of(v->start, v->at);
	struct s2box_regs r;

	if (!v->gap || run->exit_reason != S2BOX_EXIT_HVC ||
	    box_get(c->box, &r))
		return false;
	if (run->hvc_imm == HVC_END && r.pc == at + 8) {
		TH_LOG("completed: x0-x4 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx",
		       r.x[0], r.x[1], r.x[2], r.x[3], r.x[4]);
		TH_LOG("           x5-x9 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx",
		       r.x[5], r.x[6], r.x[7], r.x[8], r.x[9]);
		return true;
	}
	if (run->hvc_imm == VEC_MARK(VEC_EL1H_SYNC) &&
	    ESR_EC(r.esr) == EC_UNKNOWN && r.elr == at) {
		TH_LOG("UNDEFINED at EL1: ESR_EL1 0x%llx", r.esr);
		return true;
	}
	if (v->gap_vec && run->hvc_imm == VEC_MARK(v->gap_vec & 0xfff) &&
	    ESR_EC(r.esr) == v->gap_ec) {
		TH_LOG("vector 0x%x: ESR_EL1 0x%llx ELR_EL1 0x%llx",
		       v->gap_vec & 0xfff, r.esr, r.elr);
		return true;
	}
	return false;
}

/*
 * An endless loop: every RUN ends at the budget. A loaded host may let a
 * budget pass before the box got anywhere, so the box gets rounds until
 * it is in its loop (at @at, or x5 counting), then @repeat more.
 */
static void budget_rounds(struct __test_metadata *_metadata,
			  struct hostile_ctx *c, const hostile_row *v,
			  __u64 budget, int n)
{
	__u64 at = ipa_of(v->start, v->at);
	struct s2box_run run;
	int tries = 0, in_loop = 0;

	while (n > 0 && !_metadata->exit_code) {
		ASSERT_EQ(0, hrun(_metadata, c, budget, &run));
		ASSERT_EQ(S2BOX_EXIT_BUDGET, run.exit_reason) {
			exit_log(_metadata, &run);
		}
		ASSERT_EQ(0, box_get(c->box, &c->r));
		if (!in_loop)
			in_loop = v->pc == PC_AT ? c->r.pc == at : !!c->r.x[5];
		if (!in_loop) {
			ASSERT_GT(100, ++tries) {
				TH_LOG("never in its loop: pc 0x%llx", c->r.pc);
			}
			continue;
		}
		expect_exit(_metadata, c, v, &run);
		n--;
	}
}

/* Close the box: it must be gone, for the netlink family too. */
static void destroy(struct __test_metadata *_metadata, struct hostile_ctx *c)
{
	struct nl_reply *rep = calloc(1, sizeof(*rep));
	__u64 id = c->info.box_id;
	struct nl nl;

	ASSERT_NE(NULL, rep);
	ASSERT_EQ(0, close(c->box));
	c->box = -1;
	ASSERT_EQ(0, nl_open(&nl, rep)) {
		TH_LOG("netlink: %s", strerror(errno));
	}
	EXPECT_EQ(0, nl_get_box(&nl, id, rep));
	EXPECT_EQ(ENOENT, rep->err) {
		TH_LOG("box %llu still there after close", id);
	}
	close(nl.fd);
	free(rep);
}

TEST_F(hostile, behaves)
{
	struct hostile_ctx *c = &self->c;
	__u64 budget = variant->budget_ns ? variant->budget_ns : RUN_BUDGET_NS;
	int n = variant->repeat < 0 ? (int)c->storm :
		variant->repeat ? variant->repeat : 1;
	struct s2box_run run;
	int i;

	if ((c->feat.f & variant->need) != variant->need)
		SKIP(return, "the box's CPU lacks a feature (0x%x of 0x%x)",
		     variant->need & ~c->feat.f, variant->need);
	if (c->feat.f & variant->need_not)
		SKIP(return, "the box's CPU has the feature (0x%x)",
		     c->feat.f & variant->need_not);
	LOAD(c->box, VEC_IPA, vec_blob);
	load_code(_metadata, c->box, CODE_IPA, variant->start,
		  (variant->end - variant->start) * 4);
	ASSERT_EQ(0, box_get(c->box, &c->r));
	c->r.pc = ipa_of(variant->start, variant->entry ? variant->entry :
			 variant->start);
	c->r.vbar = VEC_IPA;
	c->r.cpacr = CPACR_FPEN;
	c->r.x[0] = c->storm;
	if (variant->setup)
		variant->setup(_metadata, c);
	ASSERT_EQ(0, box_set(c->box, &c->r));

	if (variant->wfx) {
		wfx_storm(_metadata, c, variant);
	} else if (variant->exit == S2BOX_EXIT_BUDGET) {
		budget_rounds(_metadata, c, variant, budget, n);
	} else {
		for (i = 0; i < n && !_metadata->exit_code; i++) {
			ASSERT_EQ(0, hrun_exit(_metadata, c, &run)) {
				TH_LOG("RUN %d: %s", i, strerror(errno));
			}
			if (gap_hit(_metadata, c, variant, &run)) {
				destroy(_metadata, c);
				SKIP(return, "%s", variant->gap);
			}
			expect_exit(_metadata, c, variant, &run);
		}
	}
	if (variant->resume && !_metadata->exit_code) {
		ASSERT_EQ(0, box_get(c->box, &c->r));
		if (variant->pc == PC_AT) {
			c->r.pc += 4;
			ASSERT_EQ(0, box_set(c->box, &c->r));
		}
		ASSERT_EQ(0, hrun_exit(_metadata, c, &run));
		ASSERT_EQ(S2BOX_EXIT_HVC, run.exit_reason) {
			exit_log(_metadata, &run);
		}
		EXPECT_EQ(HVC_END, run.hvc_imm);
	}
	if (variant->check && !_metadata->exit_code)
		variant->check(_metadata, c);
	destroy(_metadata, c);
}

TEST_HARNESS_MAIN
