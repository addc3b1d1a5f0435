// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the allow-list in module/idregs.c: the ID register
 * sets of real server CPUs, decoded field by field.
 *
 * Nothing expected here is read from the table under test: which CPUs
 * load, which feature refuses the others, which ID fields expose EL1
 * state and where each register is encoded are written out below from
 * the Arm ARM and the CPUs' TRMs.
 */
#include <stdio.h>
#include <string.h>

#include "idregs.h"
#include "tap.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/*
 * Reason a CPU with MPAM gives today, and what it gives once world.c
 * traps MPAM (S2BOX_MPAM_TRAPPED in idregs.h): NULL means "loads".
 */
#define MPAM_OR(later)	(S2BOX_MPAM_TRAPPED ? (later) : "ID_AA64PFR0_EL1.MPAM [43:40] = 0x1")

struct cpu_case {
	const char *name;
	const char *source;
	struct s2box_idregs regs;
	const char *refusal;	/* expected reason prefix, NULL: loads */
};

/*
 * The reset values of the TRMs' ID register summaries, as QEMU's CPU
 * models copy them (target/arm/tcg/cpu64.c, each initfn citing its TRM
 * section), with the GIC field set to 1 as on a part whose GIC CPU
 * interface is enabled (QEMU fills it in at realize). Registers a TRM
 * does not list are zero, as the ID space reads where unimplemented.
 */
static const struct cpu_case cpus[] = {
	{ "Cortex-A76", "A76 TRM r4p1 B2.4 (QEMU aarch64_a76_initfn)",
	  { .pfr0 = 0x1100000011111112ULL, .pfr1 = 0x10,
	    .dfr0 = 0x0000000010305408ULL,
	    .isar0 = 0x0000100010211120ULL, .isar1 = 0x0000000000100001ULL,
	    .mmfr0 = 0x0000000000101122ULL, .mmfr1 = 0x0000000010212122ULL,
	    .mmfr2 = 0x0000000000001011ULL },
	  NULL },
	{ "Neoverse N1", "N1 TRM r4p1 B2.4 (QEMU aarch64_neoverse_n1_initfn)",
	  { .pfr0 = 0x1100000011111112ULL, .pfr1 = 0x20,
	    .dfr0 = 0x0000000110305408ULL,
	    .isar0 = 0x0000100010211120ULL, .isar1 = 0x0000000000100001ULL,
	    .mmfr0 = 0x0000000000101125ULL, .mmfr1 = 0x0000000010212122ULL,
	    .mmfr2 = 0x0000000000001011ULL },
	  NULL },
	{ "A64FX", "A64FX HPC extension spec (QEMU aarch64_a64fx_initfn)",
	  { .pfr0 = 0x0000000101111111ULL,
	    .dfr0 = 0x0000000010305408ULL,
	    .isar0 = 0x0000000010211120ULL, .isar1 = 0x0000000000010001ULL,
	    .mmfr0 = 0x0000000000001122ULL, .mmfr1 = 0x0000000011212100ULL,
	    .mmfr2 = 0x0000000000001011ULL },
	  NULL },
	/* ID_AA64ISAR1_EL1 as corrected by QEMU from TRM section 3.2.74. */
	{ "Neoverse V1", "V1 TRM r1p2 3.2.4/3.7.5 (QEMU aarch64_neoverse_v1_initfn)",
	  { .pfr0 = 0x1101110121111112ULL, .pfr1 = 0x20,
	    .zfr0 = 0x0000100000100000ULL,
	    .dfr0 = 0x000001f210305519ULL,
	    .isar0 = 0x1011111110212120ULL, .isar1 = 0x0011000001211032ULL,
	    .mmfr0 = 0x0000000000101125ULL, .mmfr1 = 0x0000000010212122ULL,
	    .mmfr2 = 0x0220011102101011ULL },
	  MPAM_OR(NULL) },
	{ "Neoverse N2", "N2 TRM r0p3 B.5 (QEMU aarch64_neoverse_n2_initfn)",
	  { .pfr0 = 0x1201111121111112ULL, .pfr1 = 0x221,
	    .zfr0 = 0x0000110100110021ULL,
	    .dfr0 = 0x000011f210305619ULL,
	    .isar0 = 0x1221111110212120ULL, .isar1 = 0x0011111101211052ULL,
	    .mmfr0 = 0x0000022200101125ULL, .mmfr1 = 0x0000000010212122ULL,
	    .mmfr2 = 0x1221011112101011ULL },
	  MPAM_OR(NULL) },
	{ "Cortex-A710", "A710 TRM r2p1 B.4 (QEMU aarch64_a710_initfn)",
	  { .pfr0 = 0x1201111121111112ULL, .pfr1 = 0x221,
	    .zfr0 = 0x0000110100110021ULL,
	    .dfr0 = 0x000011f010305619ULL,
	    .isar0 = 0x0221111110212120ULL, .isar1 = 0x0010111101211052ULL,
	    .mmfr0 = 0x0000022200101122ULL, .mmfr1 = 0x0000000010212122ULL,
	    .mmfr2 = 0x1221011110101011ULL },
	  MPAM_OR(NULL) },
	/*
	 * Neoverse V2 (Graviton4, Grace, Axion, Cobalt 100's sibling N2 is
	 * above): no reset word was at hand, so each field is set from the
	 * V2 TRM's feature list (Armv9.0-A with SVE2, MTE2, SPEv1p2, TRBE,
	 * MPAM, AMUv1, RASv1p1, PAuth, BTI, BF16, I8MM, AArch64 only).
	 */
	{ "Neoverse V2", "V2 TRM feature list, field by field (not a reset word)",
	  { .pfr0 = 0x1201111121111111ULL, .pfr1 = 0x221,
	    .zfr0 = 0x0000110100110021ULL,
	    .dfr0 = 0x000011f310305719ULL,
	    .isar0 = 0x1221111110212120ULL, .isar1 = 0x0011111101211052ULL,
	    .mmfr0 = 0x0000022200101125ULL, .mmfr1 = 0x0000000010212122ULL,
	    .mmfr2 = 0x1221011112101011ULL },
	  MPAM_OR(NULL) },
	/*
	 * Neoverse V3 (Armv9.2-A): as V2 plus the Armv8.6/8.7 features
	 * Armv9.2 requires (ECV, FGT, HCX, WFxT, AFP, XS) and BRBE, again
	 * from the feature list rather than a reset word.
	 */
	{ "Neoverse V3 (Armv9.2)", "V3 TRM feature list, field by field (not a reset word)",
	  { .pfr0 = 0x1201111121111111ULL, .pfr1 = 0x221,
	    .zfr0 = 0x0000110100110021ULL,
	    .dfr0 = 0x001011f310305819ULL,
	    .isar0 = 0x1221111110212120ULL, .isar1 = 0x0111111101211052ULL,
	    .isar2 = 0x0000000000000002ULL,
	    .mmfr0 = 0x1100022200101125ULL, .mmfr1 = 0x0000110010212122ULL,
	    .mmfr2 = 0x1221011112101011ULL },
	  MPAM_OR(NULL) },
};

/*
 * QEMU 7.2 (the matrix's emulator): the raw registers host.c read at
 * module load in each cell (its pr_debug lines, printed for the record);
 * every cell of the matrix must load. All registers not listed read 0.
 */
static const struct cpu_case qemu_cpus[] = {
	{ "QEMU 7.2 cortex-a76", "boot of the 6.12 cortex-a76 cell",
	  { .pfr0 = 0x1100000011110112ULL, .pfr1 = 0x10,
	    .dfr0 = 0x0000000010305408ULL,
	    .isar0 = 0x0000100010211120ULL, .isar1 = 0x0000000000100001ULL,
	    .mmfr0 = 0x0000000000101122ULL, .mmfr1 = 0x0000000010212122ULL,
	    .mmfr2 = 0x0000000000001011ULL },
	  NULL },
	{ "QEMU 7.2 neoverse-n1", "boot of the 6.12 neoverse-n1 cell",
	  { .pfr0 = 0x1100000011110112ULL, .pfr1 = 0x20,
	    .dfr0 = 0x0000000010305408ULL,
	    .isar0 = 0x0000100010211120ULL, .isar1 = 0x0000000000100001ULL,
	    .mmfr0 = 0x0000000000101125ULL, .mmfr1 = 0x0000000010212122ULL,
	    .mmfr2 = 0x0000000000001011ULL },
	  NULL },
	{ "QEMU 7.2 a64fx", "boot of the 6.12 a64fx cell",
	  { .pfr0 = 0x0000000101110111ULL,
	    .dfr0 = 0x0000000010305408ULL,
	    .isar0 = 0x0000000010211120ULL, .isar1 = 0x0000000000010001ULL,
	    .mmfr0 = 0x0000000000001122ULL, .mmfr1 = 0x0000000011212100ULL,
	    .mmfr2 = 0x0000000000001011ULL },
	  NULL },
	{ "QEMU 7.2 max, mte=on", "boot of the 6.12 max cell with mte=on",
	  { .pfr0 = 0x1201001121110222ULL, .pfr1 = 0x0000000001000321ULL,
	    .zfr0 = 0x0110110100110021ULL, .smfr0 = 0x80f100fd00000000ULL,
	    .dfr0 = 0x0000000010305609ULL,
	    .isar0 = 0x1221111110212120ULL, .isar1 = 0x0011111110211102ULL,
	    .mmfr0 = 0x0000032310201126ULL, .mmfr1 = 0x0000011010211122ULL,
	    .mmfr2 = 0x1021011010011011ULL },
	  NULL },
	{ "QEMU 7.2 max", "boot of the 6.12 max cell (no tag memory: MTE 0)",
	  { .pfr0 = 0x1201001121110222ULL, .pfr1 = 0x0000000001000021ULL,
	    .zfr0 = 0x0110110100110021ULL, .smfr0 = 0x80f100fd00000000ULL,
	    .dfr0 = 0x0000000010305609ULL,
	    .isar0 = 0x1221111110212120ULL, .isar1 = 0x0011111110211102ULL,
	    .mmfr0 = 0x0000032310201126ULL, .mmfr1 = 0x0000011010211122ULL,
	    .mmfr2 = 0x1021011010011011ULL },
	  NULL },
};

/*
 * Fields whose feature, when present, gives EL1 state that would outlive
 * the box or reach the host (Arm ARM register lists per feature): the
 * table must switch, trap or refuse each, never call it stateless.
 */
static const struct {
	unsigned int reg, shift, min;
	bool is_signed;
	const char *what;
} stateful[] = {
	{ S2BOX_ID_PFR0, 16, 0, true, "FP: V regs, FPCR, FPSR" },
	{ S2BOX_ID_PFR0, 20, 0, true, "AdvSIMD: V regs" },
	{ S2BOX_ID_PFR0, 24, 1, false, "GIC: ICC_*_EL1" },
	{ S2BOX_ID_PFR0, 28, 1, false, "RAS: ERR*, DISR_EL1" },
	{ S2BOX_ID_PFR0, 32, 1, false, "SVE: Z/P regs, ZCR_EL1" },
	{ S2BOX_ID_PFR0, 40, 1, false, "MPAM: MPAM1_EL1" },
	{ S2BOX_ID_PFR0, 44, 1, false, "AMU: AMCR_EL0 & co" },
	{ S2BOX_ID_PFR0, 48, 1, false, "DIT: PSTATE.DIT" },
	{ S2BOX_ID_PFR0, 56, 2, false, "CSV2_2: SCXTNUM_EL1" },
	{ S2BOX_ID_PFR1, 0, 1, false, "BTI: PSTATE.BTYPE" },
	{ S2BOX_ID_PFR1, 4, 1, false, "SSBS: PSTATE.SSBS" },
	{ S2BOX_ID_PFR1, 8, 2, false, "MTE2: GCR_EL1, TFSR_EL1" },
	{ S2BOX_ID_PFR1, 16, 1, false, "MPAM_frac" },
	{ S2BOX_ID_PFR1, 24, 1, false, "SME: ZA, SVCR, SMCR_EL1" },
	{ S2BOX_ID_PFR1, 32, 2, false, "CSV2_1p2: SCXTNUM_EL1" },
	{ S2BOX_ID_PFR1, 36, 1, false, "NMI: ALLINT" },
	{ S2BOX_ID_PFR1, 44, 1, false, "GCS: GCSPR_EL1" },
	{ S2BOX_ID_PFR1, 48, 1, false, "THE: RCWMASK_EL1" },
	{ S2BOX_ID_PFR1, 60, 1, false, "PFAR: PFAR_EL1" },
	{ S2BOX_ID_PFR2, 32, 1, false, "FPMR" },
	{ S2BOX_ID_DFR0, 0, 0, false, "debug: DBGB*_EL1, MDSCR_EL1" },
	{ S2BOX_ID_DFR0, 4, 1, false, "trace unit: TRC*" },
	{ S2BOX_ID_DFR0, 8, 1, false, "PMU: PMCR_EL0 & co" },
	{ S2BOX_ID_DFR0, 12, 0, false, "breakpoints" },
	{ S2BOX_ID_DFR0, 32, 1, false, "SPE: PMSCR_EL1, PMB*_EL1" },
	{ S2BOX_ID_DFR0, 40, 1, false, "TRF: TRFCR_EL1" },
	{ S2BOX_ID_DFR0, 44, 1, false, "TRBE: TRB*_EL1" },
	{ S2BOX_ID_DFR0, 52, 1, false, "BRBE: BRBCR_EL1" },
	{ S2BOX_ID_ISAR1, 4, 1, false, "PAuth: APIAKey_EL1" },
	{ S2BOX_ID_ISAR1, 8, 1, false, "PAuth: APIAKey_EL1" },
	{ S2BOX_ID_ISAR1, 24, 1, false, "PAuth: APGAKey_EL1" },
	{ S2BOX_ID_ISAR1, 28, 1, false, "PAuth: APGAKey_EL1" },
	{ S2BOX_ID_ISAR1, 60, 3, false, "LS64_ACCDATA: ACCDATA_EL1" },
	{ S2BOX_ID_ISAR2, 8, 1, false, "PAuth QARMA3" },
	{ S2BOX_ID_ISAR2, 12, 1, false, "PAuth QARMA3" },
	{ S2BOX_ID_MMFR1, 16, 1, false, "LOR: LORC_EL1" },
	{ S2BOX_ID_MMFR1, 20, 1, false, "PAN: PSTATE.PAN" },
	{ S2BOX_ID_MMFR2, 4, 1, false, "UAO: PSTATE.UAO" },
	{ S2BOX_ID_MMFR3, 0, 1, false, "TCR2_EL1" },
	{ S2BOX_ID_MMFR3, 4, 1, false, "SCTLR2_EL1" },
	{ S2BOX_ID_MMFR3, 8, 1, false, "PIR_EL1" },
	{ S2BOX_ID_MMFR3, 16, 1, false, "POR_EL1" },
	{ S2BOX_ID_MMFR3, 24, 1, false, "MAIR2_EL1" },
	{ S2BOX_ID_MMFR3, 32, 1, false, "D128: 128-bit TTBRs" },
};

/* Arm ARM encodings: op0 3, op1 0, CRn 0, then CRm and op2. */
static const struct {
	unsigned int reg, crm, op2;
	const char *name;
} encodings[] = {
	{ S2BOX_ID_PFR0, 4, 0, "ID_AA64PFR0_EL1" },
	{ S2BOX_ID_PFR1, 4, 1, "ID_AA64PFR1_EL1" },
	{ S2BOX_ID_PFR2, 4, 2, "ID_AA64PFR2_EL1" },
	{ S2BOX_ID_ZFR0, 4, 4, "ID_AA64ZFR0_EL1" },
	{ S2BOX_ID_SMFR0, 4, 5, "ID_AA64SMFR0_EL1" },
	{ S2BOX_ID_FPFR0, 4, 7, "ID_AA64FPFR0_EL1" },
	{ S2BOX_ID_DFR0, 5, 0, "ID_AA64DFR0_EL1" },
	{ S2BOX_ID_DFR1, 5, 1, "ID_AA64DFR1_EL1" },
	{ S2BOX_ID_DFR2, 5, 2, "ID_AA64DFR2_EL1" },
	{ S2BOX_ID_AFR0, 5, 4, "ID_AA64AFR0_EL1" },
	{ S2BOX_ID_AFR1, 5, 5, "ID_AA64AFR1_EL1" },
	{ S2BOX_ID_ISAR0, 6, 0, "ID_AA64ISAR0_EL1" },
	{ S2BOX_ID_ISAR1, 6, 1, "ID_AA64ISAR1_EL1" },
	{ S2BOX_ID_ISAR2, 6, 2, "ID_AA64ISAR2_EL1" },
	{ S2BOX_ID_ISAR3, 6, 3, "ID_AA64ISAR3_EL1" },
	{ S2BOX_ID_MMFR0, 7, 0, "ID_AA64MMFR0_EL1" },
	{ S2BOX_ID_MMFR1, 7, 1, "ID_AA64MMFR1_EL1" },
	{ S2BOX_ID_MMFR2, 7, 2, "ID_AA64MMFR2_EL1" },
	{ S2BOX_ID_MMFR3, 7, 3, "ID_AA64MMFR3_EL1" },
	{ S2BOX_ID_MMFR4, 7, 4, "ID_AA64MMFR4_EL1" },
};

static unsigned int field_of(const struct s2box_idregs *r, unsigned int reg,
			     unsigned int shift)
{
	return (unsigned int)((s2box_idreg_value(r, reg) >> shift) & 0xf);
}

static void check_refusal(struct tcase *tc, const struct cpu_case *c)
{
	char buf[160];
	const char *why = s2box_unhandled_feature(&c->regs, buf, sizeof(buf));

	if (!c->refusal && why)
		fail(tc, "%s refused: %s", c->name, why);
	else if (c->refusal && !why)
		fail(tc, "%s loads, expected refusal \"%s\"", c->name,
		     c->refusal);
	else if (c->refusal && strncmp(why, c->refusal, strlen(c->refusal)))
		fail(tc, "%s refused with \"%s\", expected \"%s...\"",
		     c->name, why, c->refusal);
}

/* Every EL1-visible feature on the CPU is switched, trapped or refused. */
static void check_stateful(struct tcase *tc, const struct cpu_case *c)
{
	const struct s2box_idfield *row;
	unsigned int i, v;

	for (i = 0; i < ARRAY_SIZE(stateful); i++) {
		v = field_of(&c->regs, stateful[i].reg, stateful[i].shift);
		if (stateful[i].is_signed ? v == 0xf : v < stateful[i].min)
			continue;
		row = s2box_idfield_lookup(stateful[i].reg, stateful[i].shift,
					   v);
		if (!row) {
			fail(tc, "%s: %s.[%u] = %u (%s) has no row", c->name,
			     s2box_idreg_name(stateful[i].reg),
			     stateful[i].shift, v, stateful[i].what);
			continue;
		}
		if (row->treatment != S2BOX_SWITCHED &&
		    row->treatment != S2BOX_TRAPPED &&
		    row->treatment != S2BOX_REFUSED)
			fail(tc, "%s: %s.%s = %u (%s) is \"%s\"", c->name,
			     s2box_idreg_name(stateful[i].reg), row->field, v,
			     stateful[i].what,
			     s2box_treatment_name(row->treatment));
	}
}

static void test_cpus(const struct cpu_case *set, unsigned int n)
{
	struct tcase tc = { 0 };
	unsigned int i;

	for (i = 0; i < n; i++) {
		check_refusal(&tc, &set[i]);
		check_stateful(&tc, &set[i]);
		tap(&tc, "allow-list: %s %s; EL1 state switched or trapped (%s)",
		    set[i].name, set[i].refusal ? "refused as expected" : "loads",
		    set[i].source);
	}
}

/* One altered field of the A76 must refuse, naming register and field. */
static void expect_refused(struct tcase *tc, struct s2box_idregs *r,
			   const char *want, const char *what)
{
	char buf[160];
	const char *why = s2box_unhandled_feature(r, buf, sizeof(buf));

	if (!why || !strstr(why, want))
		fail(tc, "%s: got \"%s\", expected \"%s\"", what,
		     why ? why : "loads", want);
}

static void test_refusals(void)
{
	struct s2box_idregs r;
	struct tcase tc = { 0 };
	char want[96];
	const struct s2box_idfield *f;
	unsigned int i, n;

	/* Values above the highest known one. */
	r = cpus[0].regs;
	r.pfr0 |= 3ULL << 44;
	expect_refused(&tc, &r, "ID_AA64PFR0_EL1.AMU [47:44] = 0x3: a value s2box does not know",
		       "AMU=3");
	r = cpus[0].regs;
	r.pfr0 = (r.pfr0 & ~(0xfULL << 28)) | 3ULL << 28;
	expect_refused(&tc, &r, "ID_AA64PFR0_EL1.RAS [31:28] = 0x3", "RASv2");
	r = cpus[0].regs;
	r.dfr0 = (r.dfr0 & ~0xfULL) | 0xc;
	expect_refused(&tc, &r, "ID_AA64DFR0_EL1.DebugVer [3:0] = 0xc", "Debugv9.x");
	r = cpus[0].regs;
	r.dfr0 = (r.dfr0 & ~0xf00ULL) | 0xf00;
	expect_refused(&tc, &r, "ID_AA64DFR0_EL1.PMUVer [11:8] = 0xf", "IMPDEF PMU");
	tap(&tc, "allow-list: %s",
	    "a field above its highest known value refuses, naming register and field");

	/* Reserved fields and IMPLEMENTATION DEFINED registers. */
	r = cpus[0].regs;
	r.pfr1 |= 1ULL << 20;
	expect_refused(&tc, &r, "ID_AA64PFR1_EL1 bits [20:20] = 0x1: a field s2box does not know",
		       "PFR1 [23:20]");
	r = cpus[0].regs;
	r.isar0 |= 1ULL << 24;
	expect_refused(&tc, &r, "ID_AA64ISAR0_EL1 bits [24:24]", "ISAR0 [27:24] (TME)");
	r = cpus[0].regs;
	r.afr0 = 0x10;
	expect_refused(&tc, &r, "ID_AA64AFR0_EL1 bits [4:4]", "AFR0 IMPDEF");
	r = cpus[0].regs;
	r.pfr2 |= 0xfULL << 60;
	expect_refused(&tc, &r, "ID_AA64PFR2_EL1 bits [63:60] = 0xf", "PFR2 [63:60]");
	tap(&tc, "allow-list: %s",
	    "a non-zero reserved or IMPLEMENTATION DEFINED field refuses, naming register and bits");

	/* The features the issue names, spelled out. */
	{
		/*
		 * Trapped through an HCRX_EL2 enable or an nXXX fine-grained
		 * trap: they load with the register that traps them (FEAT_HCX,
		 * FEAT_FGT, FEAT_FGT2) and refuse, naming the field and the
		 * missing register, without it.
		 */
		static const struct {
			unsigned int reg, shift, val, fgt;
			const char *want;
		} gated[] = {
			{ S2BOX_ID_MMFR3, 0, 1, 0,
			  "ID_AA64MMFR3_EL1 [3:0] = 0x1: its trap is an HCRX_EL2 enable" },
			{ S2BOX_ID_MMFR3, 4, 1, 0, "ID_AA64MMFR3_EL1 [7:4]" },
			{ S2BOX_ID_MMFR3, 32, 1, 0, "ID_AA64MMFR3_EL1 [35:32]" },
			{ S2BOX_ID_PFR1, 36, 1, 0, "ID_AA64PFR1_EL1 [39:36]" },
			{ S2BOX_ID_PFR1, 44, 1, 0, "ID_AA64PFR1_EL1 [47:44]" },
			{ S2BOX_ID_PFR2, 32, 1, 0, "ID_AA64PFR2_EL1 [35:32]" },
			{ S2BOX_ID_ISAR1, 60, 1, 0,
			  "ID_AA64ISAR1_EL1 [63:60] = 0x1: its trap is an HCRX_EL2 enable" },
			{ S2BOX_ID_MMFR3, 8, 1, 1,
			  "ID_AA64MMFR3_EL1 [11:8] = 0x1: its trap is a fine-grained trap" },
			{ S2BOX_ID_MMFR3, 16, 1, 1,
			  "ID_AA64MMFR3_EL1 [19:16] = 0x1: its trap is a fine" },
			{ S2BOX_ID_MMFR3, 24, 1, 1,
			  "ID_AA64MMFR3_EL1 [27:24] = 0x1: its trap is a fine" },
			{ S2BOX_ID_ISAR1, 60, 3, 1,
			  "ID_AA64ISAR1_EL1 [63:60] = 0x3: its trap is a fine" },
			{ S2BOX_ID_DFR0, 52, 1, 1,
			  "ID_AA64DFR0_EL1 [55:52] = 0x1: its trap is a fine-grained trap" },
			{ S2BOX_ID_PFR1, 60, 1, 2,
			  "ID_AA64PFR1_EL1 [63:60] = 0x1: its trap is a FEAT_FGT2 trap" },
			{ S2BOX_ID_PFR1, 48, 1, 2,
			  "ID_AA64PFR1_EL1 [51:48] = 0x1: its trap is a FEAT_FGT2 trap" },
		};
		char buf[160];

		for (i = 0; i < ARRAY_SIZE(gated); i++) {
			r = cpus[0].regs;
			s2box_idreg_set(&r, gated[i].reg,
					s2box_idreg_value(&r, gated[i].reg) |
					(unsigned long long)gated[i].val << gated[i].shift);
			if (gated[i].fgt)
				r.mmfr1 |= 1ULL << 40;
			/* One level of FGT short of what the trap needs. */
			r.mmfr0 |= (unsigned long long)(gated[i].fgt - (gated[i].fgt > 0)) << 56;
			expect_refused(&tc, &r, gated[i].want, gated[i].want);
			r.mmfr1 |= 1ULL << 40;
			r.mmfr0 = (r.mmfr0 & ~(0xfULL << 56)) |
				  (unsigned long long)gated[i].fgt << 56;
			if (s2box_unhandled_feature(&r, buf, sizeof(buf)))
				fail(&tc, "%s with its trap register: refused: %s",
				     gated[i].want, buf);
		}
		/* MPAM on the A76 follows S2BOX_MPAM_TRAPPED. */
		r = cpus[0].regs;
		r.pfr0 |= 1ULL << 40;
		if (!S2BOX_MPAM_TRAPPED)
			expect_refused(&tc, &r, "ID_AA64PFR0_EL1.MPAM", "MPAM");
	}
	tap(&tc, "allow-list: %s",
	    "TCR2, SCTLR2, D128, NMI, GCS, FPMR, LS64 load only with HCX; S1PIE, S1POE, AIE, LS64_ACCDATA, BRBE only with FGT; PFAR, THE only with FGT2; each refuses naming field and register without");

	/* Every refused row refuses on its own, from its first value. */
	f = s2box_idfields(&n);
	for (i = 0; i < n; i++) {
		if (f[i].treatment != S2BOX_REFUSED)
			continue;
		r = cpus[0].regs;
		s2box_idreg_set(&r, f[i].reg,
				(s2box_idreg_value(&r, f[i].reg) &
				 ~(((1ULL << f[i].width) - 1) << f[i].shift)) |
				(unsigned long long)f[i].min << f[i].shift);
		snprintf(want, sizeof(want), "%s.%s [", s2box_idreg_name(f[i].reg),
			 f[i].field);
		expect_refused(&tc, &r, want, f[i].feat);
	}
	tap(&tc, "allow-list: each refused row refuses the A76 by itself");
}

/* The table's own shape: registers, bit positions, adjacency, no overlap. */
static void test_table_shape(void)
{
	struct tcase tc = { 0 };
	unsigned long long used[S2BOX_ID_COUNT] = { 0 }, m;
	unsigned int i, j, n, crm, op2;
	const struct s2box_idfield *f = s2box_idfields(&n);

	for (i = 0; i < ARRAY_SIZE(encodings); i++) {
		s2box_idreg_encoding(encodings[i].reg, &crm, &op2);
		if (crm != encodings[i].crm || op2 != encodings[i].op2)
			fail(&tc, "%s encoded CRm %u op2 %u, Arm ARM says %u %u",
			     encodings[i].name, crm, op2, encodings[i].crm,
			     encodings[i].op2);
		if (strcmp(s2box_idreg_name(encodings[i].reg), encodings[i].name))
			fail(&tc, "register %u named %s", encodings[i].reg,
			     s2box_idreg_name(encodings[i].reg));
	}
	for (i = 0; i < n; i = j) {
		if (f[i].reg >= S2BOX_ID_COUNT || f[i].shift + f[i].width > 64 ||
		    (f[i].width != 1 && f[i].width != 4 && f[i].width != 8) ||
		    f[i].shift % f[i].width)
			fail(&tc, "row %u (%s) misplaced", i, f[i].field);
		m = ((1ULL << f[i].width) - 1) << f[i].shift;
		if (used[f[i].reg] & m)
			fail(&tc, "%s.%s overlaps another field or repeats apart",
			     s2box_idreg_name(f[i].reg), f[i].field);
		used[f[i].reg] |= m;
		for (j = i + 1; j < n && f[j].reg == f[i].reg &&
		     f[j].shift == f[i].shift; j++)
			if (f[j].min <= f[j - 1].min || f[j].known != f[i].known)
				fail(&tc, "%s.%s rows out of order",
				     s2box_idreg_name(f[i].reg), f[i].field);
	}
	tap(&tc, "allow-list table: %s",
	    "Arm ARM encodings, fields inside their register, no overlap, rows of a field adjacent");
}

void idregs_tests(void)
{
	test_table_shape();
	test_cpus(cpus, ARRAY_SIZE(cpus));
	test_cpus(qemu_cpus, ARRAY_SIZE(qemu_cpus));
	test_refusals();
}

static const char *bits_of(const struct s2box_idfield *f, char *buf,
			   size_t len)
{
	if (f->width == 1)
		snprintf(buf, len, "[%u]", f->shift);
	else
		snprintf(buf, len, "[%u:%u]", f->shift + f->width - 1,
			 f->shift);
	return buf;
}

/* The treatment of every field, as a markdown table (--table). */
void idregs_print_table(void)
{
	unsigned int i, n;
	const struct s2box_idfield *f = s2box_idfields(&n);
	char bits[16], from[16];

	printf("%s\n",
	       "<!-- Generated by tools/unittest (s2box-unittest --table) from module/idregs.c; do not edit. -->");
	printf("| Register | Field | Bits | From | Feature | Treatment | How |\n");
	printf("|---|---|---|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		if (f[i].is_signed)
			snprintf(from, sizeof(from), "not 0xF");
		else
			snprintf(from, sizeof(from), "%u", f[i].min);
		printf("| %s | %s | %s | %s | %s | %s | %s |\n",
		       s2box_idreg_name(f[i].reg), f[i].field,
		       bits_of(&f[i], bits, sizeof(bits)), from, f[i].feat,
		       s2box_treatment_name(f[i].treatment), f[i].how);
	}
	printf("\n%s\n",
	       "Any other non-zero bit, and any field value above the known ones, refuses the load.");
}
