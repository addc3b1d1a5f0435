// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding of the arm64 ID registers s2box depends on.
 *
 * Pure architecture rules (field positions and encodings from the Arm ARM
 * ID register descriptions): no kernel calls, so the host unit tests
 * compile this file unchanged.
 */

#include "idregs.h"

#define FIELD(reg, shift)	((unsigned int)(((reg) >> (shift)) & 0xf))

/* ID_AA64MMFR0_EL1 */
#define MMFR0_PARANGE		0
#define MMFR0_TGRAN16		20
#define MMFR0_TGRAN64		24
#define MMFR0_TGRAN4		28
#define MMFR0_TGRAN16_2		32
#define MMFR0_TGRAN64_2		36
#define MMFR0_TGRAN4_2		40

/* TGranX_2 encodings, common to the three granules. */
#define TGRAN_2_AS_STAGE1	0x0
#define TGRAN_2_NONE		0x1
#define TGRAN_2_52BIT		0x3

/* ID_AA64MMFR1_EL1 */
#define MMFR1_HAFDBS		0
#define MMFR1_VMIDBITS		4
#define MMFR1_VMIDBITS_16	0x2

/* ID_AA64MMFR2_EL1 */
#define MMFR2_FWB		40

/* ID_AA64PFR0_EL1 / ID_AA64PFR1_EL1: state the world switch must handle. */
#define PFR0_GIC		24
#define PFR0_RAS		28
#define PFR1_SME		24

/*
 * TGranX gives stage-1 support; its encoding differs per granule, so
 * each granule reads it with its own helper when TGranX_2 says "as
 * stage 1".
 */
static bool tgran4_s1(u64 mmfr0, bool *lpa2)
{
	unsigned int v = FIELD(mmfr0, MMFR0_TGRAN4);

	*lpa2 = v == 0x1;
	return v == 0x0 || v == 0x1;	/* 0xf: not implemented */
}

static bool tgran16_s1(u64 mmfr0, bool *lpa2)
{
	unsigned int v = FIELD(mmfr0, MMFR0_TGRAN16);

	*lpa2 = v == 0x2;
	return v == 0x1 || v == 0x2;	/* 0x0: not implemented */
}

static bool tgran64_s1(u64 mmfr0)
{
	return FIELD(mmfr0, MMFR0_TGRAN64) == 0x0;
}

/* Stage-2 support from TGranX_2, falling back to the stage-1 answer. */
static bool tgran_s2(unsigned int v2, bool s1, bool s1_lpa2, bool *lpa2)
{
	if (v2 == TGRAN_2_AS_STAGE1) {
		*lpa2 = s1 && s1_lpa2;
		return s1;
	}
	*lpa2 = v2 == TGRAN_2_52BIT;
	return v2 != TGRAN_2_NONE;
}

void s2box_host_decode(const struct s2box_idregs *regs, struct s2box_host *host)
{
	u64 mmfr0 = regs->mmfr0;
	unsigned int parange = FIELD(mmfr0, MMFR0_PARANGE);
	bool s1, s1_lpa2, unused;

	/*
	 * 0b0111 (56 bits) needs 128-bit descriptors (FEAT_D128), which boxes
	 * do not use: with 64-bit descriptors 52 bits is the most a box sees.
	 */
	if (!s2box_parange_bits(parange))
		parange = (unsigned int)s2box_bits_to_ps(52);
	host->ps = parange;
	host->pa_bits = s2box_parange_bits(parange);

	s1 = tgran4_s1(mmfr0, &s1_lpa2);
	host->gran_4k = tgran_s2(FIELD(mmfr0, MMFR0_TGRAN4_2), s1, s1_lpa2,
				 &host->lpa2_4k);
	s1 = tgran16_s1(mmfr0, &s1_lpa2);
	host->gran_16k = tgran_s2(FIELD(mmfr0, MMFR0_TGRAN16_2), s1, s1_lpa2,
				  &host->lpa2_16k);
	host->gran_64k = tgran_s2(FIELD(mmfr0, MMFR0_TGRAN64_2),
				  tgran64_s1(mmfr0), false, &unused);

	host->vmid_bits = FIELD(regs->mmfr1, MMFR1_VMIDBITS) ==
			  MMFR1_VMIDBITS_16 ? 16 : 8;
	host->hafdbs = FIELD(regs->mmfr1, MMFR1_HAFDBS);
	host->fwb = FIELD(regs->mmfr2, MMFR2_FWB) != 0;
	host->gic_sysregs = FIELD(regs->pfr0, PFR0_GIC) != 0;
	host->ras = FIELD(regs->pfr0, PFR0_RAS) != 0;
	host->sme = FIELD(regs->pfr1, PFR1_SME) != 0;
}

/*
 * The allow-list. Every field of every AArch64 feature ID register is
 * here, with the value s2box knows it up to and what the world switch
 * (world.c) does about the feature: a field reading a value above the
 * known ones, or any non-zero bit outside the fields listed, refuses the
 * load, since a later architecture level may add state behind it. Field
 * positions and values: Arm ARM (DDI 0487) ID register descriptions and
 * the 2024/2025 System Register XML (DDI 0601).
 *
 * What world.c sets, which the rows below rely on (check it when either
 * changes): HCR_EL2 with TSC, TWI, TWE, TIDCP, TACR, TSW, TLOR, IMO, FMO,
 * AMO, VM, RW, PTW and, with RAS, TERR and TEA; API, APK, ATA, EnSCXT,
 * NV, TGE clear. CPTR_EL2 (E2H layout) with ZEN and SMEN 0, TTA and TAM
 * set. MDCR_EL2 with TPM, TPMCR, TDE, TDA, TDOSA, TDRA, TPMS, TTRF and
 * E2PB = E2TB = 0. ICH_HCR_EL2 with TC, TALL0, TALL1, TDIR and
 * ICC_SRE_EL2.Enable clear. HSTR_EL2.T15. With FEAT_HCX, HCRX_EL2 with
 * every enable 0 and TALLINT set. With FEAT_FGT, every fine-grained trap
 * register 0 (positive traps off, nXXX traps on), with FEAT_FGT2 the FGT2
 * ones too. A feature whose only trap is one of those last two registers
 * is refused on a CPU without the register (trap_gated below).
 */

#define ID_R(x)	S2BOX_ID_##x
#define ID_T(t)	S2BOX_##t

/* Unsigned field known from 0 to @max; the row applies from @min. */
#define ID_U(reg, sh, fld, lo, max, t, ft, why)				\
	{ ID_R(reg), sh, 4, lo, false, (unsigned short)((2U << (max)) - 1),	\
	  ID_T(t), fld, ft, why }
/* Signed field with an explicit set of known values (bit n: value n). */
#define ID_S(reg, sh, fld, kn, t, ft, why)					\
	{ ID_R(reg), sh, 4, 0, true, kn, ID_T(t), fld, ft, why }
/* A count (breakpoints...), @w bits wide: every value is known. */
#define ID_N(reg, sh, w, fld, t, ft, why)					\
	{ ID_R(reg), sh, w, 0, false, 0, ID_T(t), fld, ft, why }
/* One-bit field. */
#define ID_B(reg, sh, fld, t, ft, why)					\
	{ ID_R(reg), sh, 1, 1, false, 0x3, ID_T(t), fld, ft, why }
/* Field with a sparse set of known values, applying from @min. */
#define ID_K(reg, sh, fld, lo, kn, t, ft, why)				\
	{ ID_R(reg), sh, 4, lo, false, kn, ID_T(t), fld, ft, why }

#define ID_V(n)		(1U << (n))

#if S2BOX_MPAM_TRAPPED
#define MPAM_T		TRAPPED
#define MPAM_HOW	"MPAM2_EL2.TRAPMPAM1EL1/TRAPMPAM0EL1: MPAM1_EL1 and MPAM0_EL1 exit"
#else
#define MPAM_T		REFUSED
#define MPAM_HOW	"MPAM0_EL1, MPAM1_EL1: world.c does not set the MPAM2_EL2 traps yet"
#endif

/* Common "how" texts. */
#define H_FP	"V0-V31, FPCR, FPSR and CPACR_EL1 switched"
#define H_SVE	"CPTR_EL2.ZEN=0: SVE instructions and ZCR_EL1 exit"
#define H_SME	"CPTR_EL2.SMEN=0: SME instructions, SVCR, SMCR_EL1, SMPRI_EL1 exit; TPIDR2_EL0 zeroed for the box"
#define H_PAC	"HCR_EL2.API=0, APK=0: PAC instructions and the key registers exit"
#define H_MTE	"HCR_EL2.ATA=0: GCR_EL1, RGSR_EL1, TFSR_EL1, TFSRE0_EL1 exit; tag access disabled, accesses Tag Unchecked; PSTATE.TCO in SPSR_EL2"
#define H_DBG	"MDCR_EL2.TDA/TDOSA/TDRA/TDE: debug registers and exceptions exit"
#define H_PMU	"MDCR_EL2.TPM/TPMCR: PMU registers exit"
#define H_SPE	"MDCR_EL2.TPMS, E2PB=0: SPE registers exit"
#define H_RAS	"HCR_EL2.TERR: error record registers exit; DISR_EL1 is VDISR_EL2 (AMO), zeroed on entry"
#define H_SCXT	"HCR_EL2.EnSCXT=0: SCXTNUM_EL0/EL1 exit"
#define H_INSN	"instructions only"
#define H_PSTATE "PSTATE bit, in SPSR_EL2 with the box's PSTATE"
#define H_SCTLR	"controlled by SCTLR_EL1, switched"
#define H_TCR	"controlled by TCR_EL1, switched"
#define H_EL2	"EL2/EL3 or stage 2 only"
#define H_NEW	"state not handled by world.c yet"
#define H_TCR2	"TCR2_EL1 reads as 0 for the box's regime (HCRX_EL2.TCR2En=0)"

static const struct s2box_idfield idfields[] = {
	/* ID_AA64PFR0_EL1 */
	ID_U(PFR0, 0, "EL0", 1, 2, NO_STATE, "FEAT_AA32EL0",
	     "AArch32 EL0 state is the AArch64 registers the box owns"),
	ID_U(PFR0, 4, "EL1", 1, 2, NO_STATE, "FEAT_AA32EL1", "HCR_EL2.RW=1: box EL1 is AArch64"),
	ID_U(PFR0, 8, "EL2", 1, 2, HOST_ONLY, "FEAT_AA64EL2", H_EL2),
	ID_U(PFR0, 12, "EL3", 1, 2, HOST_ONLY, "FEAT_AA64EL3", "HCR_EL2.TSC: SMC exits"),
	ID_S(PFR0, 16, "FP", ID_V(0) | ID_V(1) | ID_V(15), SWITCHED, "FEAT_FP/FEAT_FP16", H_FP),
	ID_S(PFR0, 20, "AdvSIMD", ID_V(0) | ID_V(1) | ID_V(15), SWITCHED, "FEAT_AdvSIMD", H_FP),
	ID_K(PFR0, 24, "GIC", 1, ID_V(0) | ID_V(1) | ID_V(3), TRAPPED, "FEAT_GICv3",
	     "ICH_HCR_EL2.TALL0/TALL1/TC/TDIR, ICC_SRE_EL2.Enable=0: ICC_* exit"),
	ID_U(PFR0, 28, "RAS", 1, 2, TRAPPED, "FEAT_RAS/FEAT_RASv1p1", H_RAS),
	ID_U(PFR0, 32, "SVE", 1, 1, TRAPPED, "FEAT_SVE", H_SVE),
	ID_U(PFR0, 36, "SEL2", 1, 1, HOST_ONLY, "FEAT_SEL2", "Secure EL2"),
	ID_U(PFR0, 40, "MPAM", 1, 1, MPAM_T, "FEAT_MPAM", MPAM_HOW),
	ID_U(PFR0, 44, "AMU", 1, 2, TRAPPED, "FEAT_AMUv1/FEAT_AMUv1p1",
	     "CPTR_EL2.TAM=1: activity monitor registers exit"),
	ID_U(PFR0, 48, "DIT", 1, 1, SWITCHED, "FEAT_DIT", H_PSTATE),
	ID_U(PFR0, 52, "RME", 1, 2, HOST_ONLY, "FEAT_RME", "granule protection: EL3"),
	ID_U(PFR0, 56, "CSV2", 1, 3, NO_STATE, "FEAT_CSV2", "a guarantee, no state"),
	ID_U(PFR0, 56, "CSV2", 2, 3, TRAPPED, "FEAT_CSV2_2", H_SCXT),
	ID_U(PFR0, 60, "CSV3", 1, 1, NO_STATE, "FEAT_CSV3", "a guarantee, no state"),

	/* ID_AA64PFR1_EL1 */
	ID_U(PFR1, 0, "BT", 1, 1, SWITCHED, "FEAT_BTI",
	     "PSTATE.BTYPE in SPSR_EL2; SCTLR_EL1.BT0/BT1 switched"),
	ID_U(PFR1, 4, "SSBS", 1, 2, SWITCHED, "FEAT_SSBS", H_PSTATE),
	ID_U(PFR1, 8, "MTE", 1, 3, NO_STATE, "FEAT_MTE",
	     "EL0 tag instructions without tag storage; PSTATE.TCO in SPSR_EL2"),
	ID_U(PFR1, 8, "MTE", 2, 3, TRAPPED, "FEAT_MTE2/FEAT_MTE3", H_MTE),
	ID_U(PFR1, 12, "RAS_frac", 1, 1, TRAPPED, "FEAT_RASv1p1", H_RAS),
	ID_U(PFR1, 16, "MPAM_frac", 1, 1, MPAM_T, "FEAT_MPAMv0p1/v1p1", MPAM_HOW),
	ID_U(PFR1, 24, "SME", 1, 2, TRAPPED, "FEAT_SME/FEAT_SME2", H_SME),
	ID_U(PFR1, 28, "RNDR_trap", 1, 1, HOST_ONLY, "FEAT_RNG_TRAP", "SCR_EL3.TRNDR"),
	ID_U(PFR1, 32, "CSV2_frac", 1, 2, NO_STATE, "FEAT_CSV2_1p1", "a guarantee, no state"),
	ID_U(PFR1, 32, "CSV2_frac", 2, 2, TRAPPED, "FEAT_CSV2_1p2", H_SCXT),
	/*
	 * Interrupts never target a box's EL1 (IMO/FMO), so ALLINT and the
	 * SCTLR_EL1 bits only shape the box itself.
	 */
	ID_U(PFR1, 36, "NMI", 1, 1, SWITCHED, "FEAT_NMI",
	     "SCTLR_EL1.NMI/SPINTMASK with SCTLR, ALLINT in the box's PSTATE; "
	     "MSR ALLINT exits (HCRX_EL2.TALLINT)"),
	ID_S(PFR1, 40, "MTE_frac", ID_V(0) | ID_V(15), NO_STATE, "FEAT_MTE_ASYNC",
	     "refines MTE, covered by its row"),
	ID_U(PFR1, 44, "GCS", 1, 1, TRAPPED, "FEAT_GCS",
	     "HCRX_EL2.GCSEn=0: GCSCR_EL1, GCSPR_EL1, GCSCRE0_EL1, GCSPR_EL0 exit"),
	/* Trapping is not enough: RCW* apply the loaded masks (state.md). */
	ID_U(PFR1, 48, "THE", 1, 1, TRAPPED, "FEAT_THE",
	     "nRCWMASK_EL1/nRCWSMASK_EL1=0: both exit; 0 for the box"),
	/* Its only state is TCR_EL1.MTX0/MTX1: the box's own translation. */
	ID_U(PFR1, 52, "MTEX", 1, 1, SWITCHED, "FEAT_MTE_NO_ADDRESS_TAGS", H_TCR),
	ID_U(PFR1, 56, "DF2", 1, 1, REFUSED, "FEAT_DoubleFault2",
	     "SCTLR2_EL1/HCRX_EL2 error controls: " H_NEW),
	ID_U(PFR1, 60, "PFAR", 1, 1, TRAPPED, "FEAT_PFAR",
	     "HFGRTR2/HFGWTR2_EL2.nPFAR_EL1=0 (FEAT_FGT2): PFAR_EL1 exits"),

	/* ID_AA64PFR2_EL1 */
	ID_U(PFR2, 0, "MTEPERM", 1, 1, HOST_ONLY, "FEAT_MTE_PERM", "stage-2 NoTagAccess attribute"),
	ID_U(PFR2, 4, "MTESTOREONLY", 1, 1, TRAPPED, "FEAT_MTE_STORE_ONLY", H_MTE),
	ID_U(PFR2, 8, "MTEFAR", 1, 1, SWITCHED, "FEAT_MTE_TAGGED_FAR", "FAR_EL1 switched"),
	ID_U(PFR2, 12, "GCIE", 1, 1, REFUSED, "FEAT_GCIE", "GICv5 CPU interface registers: " H_NEW),
	ID_U(PFR2, 16, "UINJ", 1, 1, REFUSED, "FEAT_UINJ", "not reviewed yet"),
	ID_U(PFR2, 32, "FPMR", 1, 1, TRAPPED, "FEAT_FPMR",
	     "HCRX_EL2.EnFPM=0: FPMR is UNDEFINED at EL1/EL0"),

	/* ID_AA64ZFR0_EL1: SVE instruction subsets; SVE itself traps. */
	ID_U(ZFR0, 0, "SVEver", 1, 4, TRAPPED, "FEAT_SVE2...", H_SVE),
	ID_U(ZFR0, 4, "AES", 1, 3, TRAPPED, "FEAT_SVE_AES", H_SVE),
	ID_U(ZFR0, 12, "EltPerm", 1, 1, TRAPPED, "FEAT_SVE2p2", H_SVE),
	ID_U(ZFR0, 16, "BitPerm", 1, 1, TRAPPED, "FEAT_SVE_BitPerm", H_SVE),
	ID_U(ZFR0, 20, "BF16", 1, 2, TRAPPED, "FEAT_BF16", H_SVE),
	ID_U(ZFR0, 24, "B16B16", 1, 3, TRAPPED, "FEAT_SVE_B16B16", H_SVE),
	ID_U(ZFR0, 32, "SHA3", 1, 1, TRAPPED, "FEAT_SVE_SHA3", H_SVE),
	ID_U(ZFR0, 40, "SM4", 1, 1, TRAPPED, "FEAT_SVE_SM4", H_SVE),
	ID_U(ZFR0, 44, "I8MM", 1, 1, TRAPPED, "FEAT_I8MM", H_SVE),
	ID_U(ZFR0, 48, "F16MM", 1, 1, TRAPPED, "FEAT_F16MM", H_SVE),
	ID_U(ZFR0, 52, "F32MM", 1, 1, TRAPPED, "FEAT_F32MM", H_SVE),
	ID_U(ZFR0, 56, "F64MM", 1, 1, TRAPPED, "FEAT_F64MM", H_SVE),

	/* ID_AA64SMFR0_EL1: SME instruction subsets; SME itself traps. */
	ID_B(SMFR0, 0, "SMOP4", TRAPPED, "FEAT_SME_MOP4", H_SME),
	ID_B(SMFR0, 16, "STMOP", TRAPPED, "FEAT_SME_TMOP", H_SME),
	ID_B(SMFR0, 23, "SFEXPA", TRAPPED, "FEAT_SSVE_FEXPA", H_SME),
	ID_B(SMFR0, 24, "AES", TRAPPED, "FEAT_SSVE_AES", H_SME),
	ID_B(SMFR0, 25, "SBitPerm", TRAPPED, "FEAT_SSVE_BitPerm", H_SME),
	ID_B(SMFR0, 28, "SF8DP2", TRAPPED, "FEAT_SSVE_FP8DOT2", H_SME),
	ID_B(SMFR0, 29, "SF8DP4", TRAPPED, "FEAT_SSVE_FP8DOT4", H_SME),
	ID_B(SMFR0, 30, "SF8FMA", TRAPPED, "FEAT_SSVE_FP8FMA", H_SME),
	ID_B(SMFR0, 32, "F32F32", TRAPPED, "FEAT_SME", H_SME),
	ID_B(SMFR0, 33, "BI32I32", TRAPPED, "FEAT_SME2", H_SME),
	ID_B(SMFR0, 34, "B16F32", TRAPPED, "FEAT_SME", H_SME),
	ID_B(SMFR0, 35, "F16F32", TRAPPED, "FEAT_SME", H_SME),
	ID_K(SMFR0, 36, "I8I32", 1, ID_V(0) | ID_V(15), TRAPPED, "FEAT_SME", H_SME),
	ID_B(SMFR0, 40, "F8F32", TRAPPED, "FEAT_SME_F8F32", H_SME),
	ID_B(SMFR0, 41, "F8F16", TRAPPED, "FEAT_SME_F8F16", H_SME),
	ID_B(SMFR0, 42, "F16F16", TRAPPED, "FEAT_SME_F16F16", H_SME),
	ID_B(SMFR0, 43, "B16B16", TRAPPED, "FEAT_SME_B16B16", H_SME),
	ID_K(SMFR0, 44, "I16I32", 1, ID_V(0) | ID_V(5), TRAPPED, "FEAT_SME2", H_SME),
	ID_B(SMFR0, 48, "F64F64", TRAPPED, "FEAT_SME_F64F64", H_SME),
	ID_K(SMFR0, 52, "I16I64", 1, ID_V(0) | ID_V(15), TRAPPED, "FEAT_SME_I16I64", H_SME),
	ID_U(SMFR0, 56, "SMEver", 1, 4, TRAPPED, "FEAT_SME2...", H_SME),
	ID_B(SMFR0, 60, "LUTv2", TRAPPED, "FEAT_SME_LUTv2", H_SME),
	ID_B(SMFR0, 61, "LUT6", TRAPPED, "FEAT_LUT6", H_SME),
	ID_B(SMFR0, 63, "FA64", TRAPPED, "FEAT_SME_FA64", H_SME),

	/* ID_AA64FPFR0_EL1: FP8 instructions; their state, FPMR, is PFR2's. */
	ID_B(FPFR0, 0, "F8E5M2", NO_STATE, "FEAT_FP8",
	     "format controls in FPMR (ID_AA64PFR2_EL1.FPMR)"),
	ID_B(FPFR0, 1, "F8E4M3", NO_STATE, "FEAT_FP8",
	     "format controls in FPMR (ID_AA64PFR2_EL1.FPMR)"),
	ID_B(FPFR0, 15, "F16MM2", NO_STATE, "FEAT_F16MM2", H_INSN),
	ID_B(FPFR0, 26, "F8MM4", NO_STATE, "FEAT_F8F32MM", H_INSN),
	ID_B(FPFR0, 27, "F8MM8", NO_STATE, "FEAT_F8F16MM", H_INSN),
	ID_B(FPFR0, 28, "F8DP2", NO_STATE, "FEAT_FP8DOT2", H_INSN),
	ID_B(FPFR0, 29, "F8DP4", NO_STATE, "FEAT_FP8DOT4", H_INSN),
	ID_B(FPFR0, 30, "F8FMA", NO_STATE, "FEAT_FP8FMA", H_INSN),
	ID_B(FPFR0, 31, "F8CVT", NO_STATE, "FEAT_FP8", H_INSN),

	/* ID_AA64DFR0_EL1 */
	ID_K(DFR0, 0, "DebugVer", 0, 0xfc0, TRAPPED, "FEAT_Debugv8p9...", H_DBG),
	ID_U(DFR0, 4, "TraceVer", 1, 1, TRAPPED, "FEAT_ETE",
	     "CPTR_EL2.TTA=1: trace unit registers exit"),
	ID_K(DFR0, 8, "PMUVer", 1, ID_V(0) | ID_V(1) | 0x1f0, TRAPPED, "FEAT_PMUv3...", H_PMU),
	ID_N(DFR0, 12, 4, "BRPs", TRAPPED, "breakpoints", H_DBG),
	ID_U(DFR0, 16, "PMSS", 1, 1, REFUSED, "FEAT_PMUv3_SS",
	     "PMU snapshot registers: not reviewed yet"),
	ID_N(DFR0, 20, 4, "WRPs", TRAPPED, "watchpoints", H_DBG),
	ID_U(DFR0, 24, "SEBEP", 1, 1, REFUSED, "FEAT_SEBEP", "not reviewed yet"),
	ID_N(DFR0, 28, 4, "CTX_CMPs", TRAPPED, "context comparators", H_DBG),
	ID_U(DFR0, 32, "PMSVer", 1, 4, TRAPPED, "FEAT_SPE...", H_SPE),
	ID_S(DFR0, 36, "DoubleLock", ID_V(0) | ID_V(15), TRAPPED, "FEAT_DoubleLock",
	     "MDCR_EL2.TDOSA: OSDLR_EL1 exits"),
	ID_U(DFR0, 40, "TraceFilt", 1, 1, TRAPPED, "FEAT_TRF", "MDCR_EL2.TTRF: TRFCR_EL1 exits"),
	ID_U(DFR0, 44, "TraceBuffer", 1, 1, TRAPPED, "FEAT_TRBE",
	     "MDCR_EL2.E2TB=0: trace buffer registers exit"),
	ID_S(DFR0, 48, "MTPMU", ID_V(0) | ID_V(1) | ID_V(15), TRAPPED, "FEAT_MTPMU", H_PMU),
	/* Trapping is not enough: BRBCR_EL1 filters the box's branches. */
	ID_U(DFR0, 52, "BRBE", 1, 2, TRAPPED, "FEAT_BRBE",
	     "nBRB*=0: BRBE registers, BRB IALL/INJ exit; BRBCR_EL1 0 for the box"),
	ID_U(DFR0, 56, "ExtTrcBuff", 1, 1, HOST_ONLY, "FEAT_TRBE_EXT", "external debugger and EL3"),
	ID_U(DFR0, 60, "HPMN0", 1, 1, HOST_ONLY, "FEAT_HPMN0", "MDCR_EL2.HPMN encoding"),

	/* ID_AA64DFR1_EL1 */
	ID_N(DFR1, 0, 8, "SYSPMUID", NO_STATE, "FEAT_SPMU",
	     "an identifier; the System PMU is SPMU's row"),
	ID_N(DFR1, 8, 8, "BRPs", TRAPPED, "breakpoints", H_DBG),
	ID_N(DFR1, 16, 8, "WRPs", TRAPPED, "watchpoints", H_DBG),
	ID_N(DFR1, 24, 8, "CTX_CMPs", TRAPPED, "context comparators", H_DBG),
	ID_U(DFR1, 32, "SPMU", 1, 2, REFUSED, "FEAT_SPMU",
	     "System PMU registers: not reviewed yet"),
	ID_U(DFR1, 36, "PMICNTR", 1, 1, REFUSED, "FEAT_PMUv3_ICNTR",
	     "PMICNTR_EL0: not reviewed yet"),
	ID_U(DFR1, 40, "ABLE", 1, 1, REFUSED, "FEAT_ABLE", "not reviewed yet"),
	ID_U(DFR1, 44, "ITE", 1, 1, REFUSED, "FEAT_ITE", "TRCITECR_EL1: not reviewed yet"),
	ID_U(DFR1, 48, "EBEP", 1, 1, REFUSED, "FEAT_EBEP", "PMU exceptions: not reviewed yet"),
	ID_U(DFR1, 52, "DPFZS", 1, 1, NO_STATE, "FEAT_SPEv1p2", "PMU freeze behaviour, no state"),
	ID_N(DFR1, 56, 8, "ABL_CMPs", TRAPPED, "FEAT_ABLE", H_DBG),

	/* ID_AA64DFR2_EL1 */
	ID_U(DFR2, 0, "STEP", 1, 1, REFUSED, "FEAT_STEP2", "MDSTEPOP_EL1: not reviewed yet"),
	ID_U(DFR2, 4, "BWE", 1, 2, REFUSED, "FEAT_BWE", "not reviewed yet"),
	ID_U(DFR2, 16, "SPE_EXC", 1, 1, REFUSED, "FEAT_SPE_EXC", "not reviewed yet"),
	ID_U(DFR2, 20, "SPE_nVM", 1, 1, REFUSED, "FEAT_SPE_nVM", "not reviewed yet"),
	ID_U(DFR2, 24, "TRBE_EXC", 1, 1, REFUSED, "FEAT_TRBE_EXC", "not reviewed yet"),

	/* ID_AA64AFR0_EL1, ID_AA64AFR1_EL1: IMPLEMENTATION DEFINED, no field known. */

	/* ID_AA64ISAR0_EL1 */
	ID_U(ISAR0, 4, "AES", 1, 2, NO_STATE, "FEAT_AES/FEAT_PMULL", H_INSN),
	ID_U(ISAR0, 8, "SHA1", 1, 1, NO_STATE, "FEAT_SHA1", H_INSN),
	ID_U(ISAR0, 12, "SHA2", 1, 2, NO_STATE, "FEAT_SHA256/FEAT_SHA512", H_INSN),
	ID_U(ISAR0, 16, "CRC32", 1, 1, NO_STATE, "FEAT_CRC32", H_INSN),
	ID_K(ISAR0, 20, "Atomic", 2, ID_V(0) | ID_V(2) | ID_V(3), NO_STATE, "FEAT_LSE/FEAT_LSE128",
	     "instructions only, through stage 2"),
	ID_U(ISAR0, 28, "RDM", 1, 1, NO_STATE, "FEAT_RDM", H_INSN),
	ID_U(ISAR0, 32, "SHA3", 1, 1, NO_STATE, "FEAT_SHA3", H_INSN),
	ID_U(ISAR0, 36, "SM3", 1, 1, NO_STATE, "FEAT_SM3", H_INSN),
	ID_U(ISAR0, 40, "SM4", 1, 1, NO_STATE, "FEAT_SM4", H_INSN),
	ID_U(ISAR0, 44, "DP", 1, 1, NO_STATE, "FEAT_DotProd", H_INSN),
	ID_U(ISAR0, 48, "FHM", 1, 3, NO_STATE, "FEAT_FHM", H_INSN),
	ID_U(ISAR0, 52, "TS", 1, 2, NO_STATE, "FEAT_FlagM/FEAT_FlagM2", "PSTATE.NZCV only"),
	ID_U(ISAR0, 56, "TLB", 1, 2, NO_STATE, "FEAT_TLBIOS/FEAT_TLBIRANGE",
	     "EL1 TLBIs act on the box's VMID"),
	ID_U(ISAR0, 60, "RNDR", 1, 1, NO_STATE, "FEAT_RNG", H_INSN),

	/* ID_AA64ISAR1_EL1 */
	ID_U(ISAR1, 0, "DPB", 1, 2, NO_STATE, "FEAT_DPB/FEAT_DPB2",
	     "cache maintenance by VA through stage 2"),
	ID_U(ISAR1, 4, "APA", 1, 5, TRAPPED, "FEAT_PAuth (QARMA5)", H_PAC),
	ID_U(ISAR1, 8, "API", 1, 5, TRAPPED, "FEAT_PAuth (IMPDEF)", H_PAC),
	ID_U(ISAR1, 12, "JSCVT", 1, 1, NO_STATE, "FEAT_JSCVT", H_INSN),
	ID_U(ISAR1, 16, "FCMA", 1, 1, NO_STATE, "FEAT_FCMA", H_INSN),
	ID_U(ISAR1, 20, "LRCPC", 1, 3, NO_STATE, "FEAT_LRCPC...", H_INSN),
	ID_U(ISAR1, 24, "GPA", 1, 1, TRAPPED, "FEAT_PACQARMA5", H_PAC),
	ID_U(ISAR1, 28, "GPI", 1, 1, TRAPPED, "FEAT_PACIMP", H_PAC),
	ID_U(ISAR1, 32, "FRINTTS", 1, 1, NO_STATE, "FEAT_FRINTTS", H_INSN),
	ID_U(ISAR1, 36, "SB", 1, 1, NO_STATE, "FEAT_SB", H_INSN),
	ID_U(ISAR1, 40, "SPECRES", 1, 2, NO_STATE, "FEAT_SPECRES",
	     "prediction restriction by the box's own context"),
	ID_U(ISAR1, 44, "BF16", 1, 2, NO_STATE, "FEAT_BF16/FEAT_EBF16", "FPCR.EBF, switched"),
	ID_U(ISAR1, 48, "DGH", 1, 1, NO_STATE, "FEAT_DGH", H_INSN),
	ID_U(ISAR1, 52, "I8MM", 1, 1, NO_STATE, "FEAT_I8MM", H_INSN),
	ID_U(ISAR1, 56, "XS", 1, 1, NO_STATE, "FEAT_XS", "nXS barrier and TLBI variants"),
	ID_U(ISAR1, 60, "LS64", 1, 3, TRAPPED, "FEAT_LS64/FEAT_LS64_V",
	     "HCRX_EL2.EnALS/EnASR=0: LD64B, ST64B, ST64BV exit"),
	ID_U(ISAR1, 60, "LS64", 3, 3, TRAPPED, "FEAT_LS64_ACCDATA",
	     "nACCDATA_EL1=0: ACCDATA_EL1 exits; HCRX_EL2.EnAS0=0: ST64BV0 exits"),

	/* ID_AA64ISAR2_EL1 */
	ID_K(ISAR2, 0, "WFxT", 2, ID_V(0) | ID_V(2), NO_STATE, "FEAT_WFxT",
	     "HCR_EL2.TWI/TWE: WFIT/WFET exit"),
	ID_U(ISAR2, 4, "RPRES", 1, 1, NO_STATE, "FEAT_RPRES", "FPCR.AH, switched"),
	ID_U(ISAR2, 8, "GPA3", 1, 1, TRAPPED, "FEAT_PACQARMA3", H_PAC),
	ID_U(ISAR2, 12, "APA3", 1, 5, TRAPPED, "FEAT_PACQARMA3", H_PAC),
	ID_U(ISAR2, 16, "MOPS", 1, 1, NO_STATE, "FEAT_MOPS", "CPY*/SET* through stage 2"),
	ID_U(ISAR2, 20, "BC", 1, 1, NO_STATE, "FEAT_HBC", H_INSN),
	ID_U(ISAR2, 24, "PAC_frac", 1, 1, TRAPPED, "FEAT_CONSTPACFIELD", H_PAC),
	ID_U(ISAR2, 28, "CLRBHB", 1, 1, NO_STATE, "FEAT_CLRBHB", H_INSN),
	ID_U(ISAR2, 32, "SYSREG_128", 1, 1, REFUSED, "FEAT_SYSREG128",
	     "MRRS/MSRR to 128-bit registers: " H_NEW),
	ID_U(ISAR2, 36, "SYSINSTR_128", 1, 1, REFUSED, "FEAT_SYSINSTR128",
	     "TLBIP/SYSP: not reviewed yet"),
	ID_U(ISAR2, 40, "PRFMSLC", 1, 1, NO_STATE, "FEAT_PRFMSLC", H_INSN),
	ID_U(ISAR2, 44, "PCDPHINT", 1, 1, NO_STATE, "FEAT_PCDPHINT", H_INSN),
	ID_U(ISAR2, 48, "RPRFM", 1, 1, NO_STATE, "FEAT_RPRFM", H_INSN),
	ID_U(ISAR2, 52, "CSSC", 1, 2, NO_STATE, "FEAT_CSSC/FEAT_CMPBR", H_INSN),
	ID_U(ISAR2, 56, "LUT", 1, 2, NO_STATE, "FEAT_LUT", H_INSN),
	ID_U(ISAR2, 60, "ATS1A", 1, 1, NO_STATE, "FEAT_ATS1A", "result in PAR_EL1, switched"),

	/* ID_AA64ISAR3_EL1 */
	ID_U(ISAR3, 0, "CPA", 1, 2, NO_STATE, "FEAT_CPA",
	     "enabled by SCTLR2_EL1 (ID_AA64MMFR3_EL1.SCTLRX)"),
	ID_U(ISAR3, 4, "FAMINMAX", 1, 1, NO_STATE, "FEAT_FAMINMAX", H_INSN),
	ID_U(ISAR3, 8, "TLBIW", 1, 1, HOST_ONLY, "FEAT_TLBIW", "EL2 TLBI"),
	ID_U(ISAR3, 12, "PACM", 1, 2, TRAPPED, "FEAT_PAuth_LR", H_PAC),
	ID_U(ISAR3, 16, "LSFE", 1, 1, NO_STATE, "FEAT_LSFE", H_INSN),
	ID_U(ISAR3, 20, "OCCMO", 1, 1, NO_STATE, "FEAT_OCCMO",
	     "cache maintenance by VA through stage 2"),
	ID_U(ISAR3, 24, "LSUI", 1, 1, NO_STATE, "FEAT_LSUI", H_INSN),
	ID_U(ISAR3, 28, "FPRCVT", 1, 1, NO_STATE, "FEAT_FPRCVT", H_INSN),

	/* ID_AA64MMFR0_EL1 */
	ID_N(MMFR0, 0, 4, "PARange", HOST_ONLY, "FEAT_LPA",
	     "box output addresses are IPAs bounded by VTCR_EL2"),
	ID_K(MMFR0, 4, "ASIDBits", 0, ID_V(0) | ID_V(2), NO_STATE, "FEAT_ASID16",
	     "TLB entries of all boxes share VMID 0 and are flushed when another box runs"),
	ID_U(MMFR0, 8, "BigEnd", 1, 1, SWITCHED, "FEAT_MixedEnd", H_SCTLR),
	ID_U(MMFR0, 12, "SNSMem", 1, 1, HOST_ONLY, "Secure memory", H_EL2),
	ID_U(MMFR0, 16, "BigEndEL0", 1, 1, SWITCHED, "FEAT_MixedEndEL0", H_SCTLR),
	ID_U(MMFR0, 20, "TGran16", 1, 2, NO_STATE, "FEAT_TGran16K/FEAT_LPA2", H_TCR),
	ID_S(MMFR0, 24, "TGran64", ID_V(0) | ID_V(15), NO_STATE, "FEAT_TGran64K", H_TCR),
	ID_S(MMFR0, 28, "TGran4", ID_V(0) | ID_V(1) | ID_V(15), NO_STATE, "FEAT_TGran4K/FEAT_LPA2",
	     H_TCR),
	ID_U(MMFR0, 32, "TGran16_2", 1, 3, HOST_ONLY, "stage-2 16K", H_EL2),
	ID_U(MMFR0, 36, "TGran64_2", 1, 2, HOST_ONLY, "stage-2 64K", H_EL2),
	ID_U(MMFR0, 40, "TGran4_2", 1, 3, HOST_ONLY, "stage-2 4K", H_EL2),
	ID_U(MMFR0, 44, "ExS", 1, 1, SWITCHED, "FEAT_ExS", "SCTLR_EL1.EIS/EOS, switched"),
	ID_U(MMFR0, 48, "NVTGE", 1, 1, HOST_ONLY, "FEAT_NV2p1", H_EL2),
	ID_U(MMFR0, 56, "FGT", 1, 2, HOST_ONLY, "FEAT_FGT/FEAT_FGT2",
	     "fine-grained trap registers 0 per box, the host's back on exit"),
	ID_U(MMFR0, 60, "ECV", 1, 2, HOST_ONLY, "FEAT_ECV",
	     "CNTHCTL_EL2.EL1TVT: box timer accesses finish in trap.c; CNTVOFF_EL2 0"),

	/* ID_AA64MMFR1_EL1 */
	ID_U(MMFR1, 0, "HAFDBS", 1, 4, NO_STATE, "FEAT_HAFDBS",
	     "TCR_EL1.HA/HD switched; stage 2 runs with VTCR_EL2.HA=HD=0"),
	ID_K(MMFR1, 4, "VMIDBits", 0, ID_V(0) | ID_V(2), HOST_ONLY, "FEAT_VMID16", H_EL2),
	ID_U(MMFR1, 8, "VH", 1, 1, HOST_ONLY, "FEAT_VHE", H_EL2),
	ID_U(MMFR1, 12, "HPDS", 1, 2, SWITCHED, "FEAT_HPDS/FEAT_HPDS2", H_TCR),
	ID_U(MMFR1, 16, "LO", 1, 1, TRAPPED, "FEAT_LOR", "HCR_EL2.TLOR: LOR*_EL1 exit"),
	ID_U(MMFR1, 20, "PAN", 1, 3, SWITCHED, "FEAT_PAN/PAN2/PAN3",
	     "PSTATE.PAN in SPSR_EL2; SCTLR_EL1.SPAN/EPAN switched"),
	ID_U(MMFR1, 24, "SpecSEI", 1, 1, NO_STATE, "SError on speculative reads",
	     "a behaviour, no state"),
	ID_U(MMFR1, 28, "XNX", 1, 1, HOST_ONLY, "FEAT_XNX", "stage-2 execute-never split"),
	ID_U(MMFR1, 32, "TWED", 1, 1, SWITCHED, "FEAT_TWED",
	     "SCTLR_EL1.TWEDEn/TWEDEL switched; HCR_EL2.TWEDEn=0"),
	ID_U(MMFR1, 36, "ETS", 1, 3, NO_STATE, "FEAT_ETS2/ETS3", "an ordering guarantee"),
	ID_U(MMFR1, 40, "HCX", 1, 1, HOST_ONLY, "FEAT_HCX",
	     "HCRX_EL2 per box: every enable off, TALLINT; what it gates has its own row"),
	ID_U(MMFR1, 44, "AFP", 1, 1, SWITCHED, "FEAT_AFP", "FPCR.AH/FIZ/NEP, switched"),
	ID_U(MMFR1, 48, "nTLBPA", 1, 1, NO_STATE, "FEAT_nTLBPA", "a guarantee"),
	ID_U(MMFR1, 52, "TIDCP1", 1, 1, SWITCHED, "FEAT_TIDCP1",
	     "SCTLR_EL1.TIDCP switched; HCR_EL2.TIDCP traps EL1 ones"),
	ID_U(MMFR1, 56, "CMOW", 1, 1, SWITCHED, "FEAT_CMOW", H_SCTLR),
	ID_U(MMFR1, 60, "ECBHB", 1, 1, NO_STATE, "FEAT_ECBHB", "a guarantee"),

	/* ID_AA64MMFR2_EL1 */
	ID_U(MMFR2, 0, "CnP", 1, 1, SWITCHED, "FEAT_TTCNP",
	     "TTBRx_EL1.CnP switched with the TTBRs (see world.c: boxes share VMID 0)"),
	ID_U(MMFR2, 4, "UAO", 1, 1, SWITCHED, "FEAT_UAO", H_PSTATE),
	ID_U(MMFR2, 8, "LSM", 1, 1, SWITCHED, "FEAT_LSMAOC", H_SCTLR),
	ID_U(MMFR2, 12, "IESB", 1, 1, SWITCHED, "FEAT_IESB", H_SCTLR),
	ID_U(MMFR2, 16, "VARange", 1, 1, SWITCHED, "FEAT_LVA", H_TCR),
	ID_U(MMFR2, 20, "CCIDX", 1, 1, NO_STATE, "FEAT_CCIDX",
	     "CCSIDR format; CSSELR_EL1 switched"),
	ID_U(MMFR2, 24, "NV", 1, 2, HOST_ONLY, "FEAT_NV/FEAT_NV2", "HCR_EL2.NV=0"),
	ID_U(MMFR2, 28, "ST", 1, 1, SWITCHED, "FEAT_TTST", H_TCR),
	ID_U(MMFR2, 32, "AT", 1, 1, NO_STATE, "FEAT_LSE2", "alignment behaviour"),
	ID_U(MMFR2, 36, "IDS", 1, 2, NO_STATE, "FEAT_IDST", "how ID register accesses fault"),
	ID_U(MMFR2, 40, "FWB", 1, 1, HOST_ONLY, "FEAT_S2FWB", "stage-2 attributes"),
	ID_U(MMFR2, 48, "TTL", 1, 1, NO_STATE, "FEAT_TTL", "TLBI level hint"),
	ID_U(MMFR2, 52, "BBM", 1, 3, NO_STATE, "FEAT_BBM",
	     "a guarantee about the box's own tables"),
	ID_U(MMFR2, 56, "EVT", 1, 2, HOST_ONLY, "FEAT_EVT", "EL2 trap controls"),
	ID_U(MMFR2, 60, "E0PD", 1, 1, SWITCHED, "FEAT_E0PD", H_TCR),

	/* ID_AA64MMFR3_EL1: each REFUSED row becomes SWITCHED once world.c moves it. */
	ID_U(MMFR3, 0, "TCRX", 1, 1, TRAPPED, "FEAT_TCR2",
	     "HCRX_EL2.TCR2En=0: TCR2_EL1 exits"),
	ID_U(MMFR3, 4, "SCTLRX", 1, 1, TRAPPED, "FEAT_SCTLR2",
	     "HCRX_EL2.SCTLR2En=0: SCTLR2_EL1 exits"),
	ID_U(MMFR3, 8, "S1PIE", 1, 1, TRAPPED, "FEAT_S1PIE",
	     "HFGRTR/HFGWTR_EL2.nPIR_EL1/nPIRE0_EL1=0: PIR_EL1, PIRE0_EL1 exit; " H_TCR2),
	ID_U(MMFR3, 12, "S2PIE", 1, 1, HOST_ONLY, "FEAT_S2PIE", "stage-2 permission indirection"),
	ID_U(MMFR3, 16, "S1POE", 1, 1, TRAPPED, "FEAT_S1POE",
	     "HFGRTR/HFGWTR_EL2.nPOR_EL1/nPOR_EL0=0: POR_EL1, POR_EL0 exit; " H_TCR2),
	ID_U(MMFR3, 20, "S2POE", 1, 1, HOST_ONLY, "FEAT_S2POE", "stage-2 overlays"),
	ID_U(MMFR3, 24, "AIE", 1, 1, TRAPPED, "FEAT_AIE",
	     "HFGRTR/HFGWTR_EL2.nMAIR2_EL1/nAMAIR2_EL1=0: MAIR2_EL1, AMAIR2_EL1 exit; " H_TCR2),
	ID_U(MMFR3, 28, "MEC", 1, 1, HOST_ONLY, "FEAT_MEC", "EL2/EL3 encryption contexts"),
	ID_U(MMFR3, 32, "D128", 1, 1, TRAPPED, "FEAT_D128",
	     "HCRX_EL2.D128En=0: 128-bit system register accesses exit"),
	ID_U(MMFR3, 36, "D128_2", 1, 1, HOST_ONLY, "FEAT_D128 at stage 2", H_EL2),
	ID_U(MMFR3, 40, "SNERR", 1, 3, NO_STATE, "FEAT_ANERR",
	     "error reporting; controls in SCTLR2_EL1"),
	ID_U(MMFR3, 44, "ANERR", 1, 3, NO_STATE, "FEAT_ANERR",
	     "error reporting; controls in SCTLR2_EL1"),
	ID_U(MMFR3, 52, "SDERR", 1, 3, NO_STATE, "FEAT_ADERR",
	     "error reporting; controls in SCTLR2_EL1"),
	ID_U(MMFR3, 56, "ADERR", 1, 3, NO_STATE, "FEAT_ADERR",
	     "error reporting; controls in SCTLR2_EL1"),
	ID_U(MMFR3, 60, "Spec_FPACC", 1, 1, NO_STATE, "FEAT_FPACC_SPEC", "a behaviour"),

	/* ID_AA64MMFR4_EL1 */
	ID_U(MMFR4, 0, "PoPS", 1, 1, NO_STATE, "FEAT_PoPS",
	     "cache maintenance through stage 2; DC CIVAPS exits with FEAT_FGT2 (nDCCIVAPS=0)"),
	ID_K(MMFR4, 4, "EIESB", 1, ID_V(0) | ID_V(1) | ID_V(2) | ID_V(15), NO_STATE, "FEAT_IESB",
	     "a behaviour of SCTLR_EL1.IESB"),
	ID_U(MMFR4, 8, "ASID2", 1, 1, NO_STATE, "FEAT_ASID2",
	     "enabled by TCR2_EL1 (ID_AA64MMFR3_EL1.TCRX)"),
	ID_U(MMFR4, 12, "HACDBS", 1, 1, HOST_ONLY, "FEAT_HACDBS", H_EL2),
	ID_U(MMFR4, 16, "FGWTE3", 1, 1, HOST_ONLY, "FEAT_FGWTE3", H_EL2),
	ID_U(MMFR4, 20, "NV_frac", 1, 3, HOST_ONLY, "FEAT_NV2p1", H_EL2),
	ID_S(MMFR4, 24, "E2H0", ID_V(0) | ID_V(14) | ID_V(15), HOST_ONLY, "FEAT_E2H0", H_EL2),
	ID_U(MMFR4, 28, "RMEGDI", 1, 1, HOST_ONLY, "FEAT_RME_GDI", H_EL2),
	ID_U(MMFR4, 32, "EAESR", 1, 1, REFUSED, "FEAT_EAESR", "not reviewed yet"),
	ID_U(MMFR4, 36, "E3DSE", 1, 1, HOST_ONLY, "FEAT_E3DSE", H_EL2),
	ID_U(MMFR4, 40, "TLBID", 1, 1, HOST_ONLY, "FEAT_TLBID", H_EL2),
	ID_U(MMFR4, 44, "SRMASK", 1, 2, REFUSED, "FEAT_SRMASK", "not reviewed yet"),
	ID_U(MMFR4, 48, "TPS", 1, 2, REFUSED, "FEAT_TPS", "not reviewed yet"),
	ID_U(MMFR4, 52, "TEV", 1, 1, REFUSED, "FEAT_TEV", "not reviewed yet"),
	ID_U(MMFR4, 56, "SCRX", 1, 1, HOST_ONLY, "FEAT_SCR2", "SCR2_EL3"),
	ID_U(MMFR4, 60, "MTEFGT", 1, 1, HOST_ONLY, "FEAT_MTE_FGT", H_EL2),
};

static const struct {
	const char *name;
	unsigned short off;
	unsigned char crm, op2;
} idregs[S2BOX_ID_COUNT] = {
#define REG(x, m, name, crm, op2) \
	[S2BOX_ID_##x] = { name, offsetof(struct s2box_idregs, m), crm, op2 }
	REG(PFR0, pfr0, "ID_AA64PFR0_EL1", 4, 0),
	REG(PFR1, pfr1, "ID_AA64PFR1_EL1", 4, 1),
	REG(PFR2, pfr2, "ID_AA64PFR2_EL1", 4, 2),
	REG(ZFR0, zfr0, "ID_AA64ZFR0_EL1", 4, 4),
	REG(SMFR0, smfr0, "ID_AA64SMFR0_EL1", 4, 5),
	REG(FPFR0, fpfr0, "ID_AA64FPFR0_EL1", 4, 7),
	REG(DFR0, dfr0, "ID_AA64DFR0_EL1", 5, 0),
	REG(DFR1, dfr1, "ID_AA64DFR1_EL1", 5, 1),
	REG(DFR2, dfr2, "ID_AA64DFR2_EL1", 5, 2),
	REG(AFR0, afr0, "ID_AA64AFR0_EL1", 5, 4),
	REG(AFR1, afr1, "ID_AA64AFR1_EL1", 5, 5),
	REG(ISAR0, isar0, "ID_AA64ISAR0_EL1", 6, 0),
	REG(ISAR1, isar1, "ID_AA64ISAR1_EL1", 6, 1),
	REG(ISAR2, isar2, "ID_AA64ISAR2_EL1", 6, 2),
	REG(ISAR3, isar3, "ID_AA64ISAR3_EL1", 6, 3),
	REG(MMFR0, mmfr0, "ID_AA64MMFR0_EL1", 7, 0),
	REG(MMFR1, mmfr1, "ID_AA64MMFR1_EL1", 7, 1),
	REG(MMFR2, mmfr2, "ID_AA64MMFR2_EL1", 7, 2),
	REG(MMFR3, mmfr3, "ID_AA64MMFR3_EL1", 7, 3),
	REG(MMFR4, mmfr4, "ID_AA64MMFR4_EL1", 7, 4),
#undef REG
};

const char *s2box_idreg_name(unsigned int reg)
{
	return reg < S2BOX_ID_COUNT ? idregs[reg].name : "?";
}

u64 s2box_idreg_value(const struct s2box_idregs *regs, unsigned int reg)
{
	if (reg >= S2BOX_ID_COUNT)
		return 0;
	return *(const u64 *)((const char *)regs + idregs[reg].off);
}

void s2box_idreg_set(struct s2box_idregs *regs, unsigned int reg, u64 value)
{
	if (reg < S2BOX_ID_COUNT)
		*(u64 *)((char *)regs + idregs[reg].off) = value;
}

unsigned int s2box_idreg_field(const struct s2box_idregs *regs,
			       unsigned int reg, unsigned int shift)
{
	return FIELD(s2box_idreg_value(regs, reg), shift);
}

void s2box_idreg_encoding(unsigned int reg, unsigned int *crm,
			  unsigned int *op2)
{
	*crm = reg < S2BOX_ID_COUNT ? idregs[reg].crm : 0;
	*op2 = reg < S2BOX_ID_COUNT ? idregs[reg].op2 : 0;
}

const struct s2box_idfield *s2box_idfields(unsigned int *count)
{
	*count = ARRAY_SIZE(idfields);
	return idfields;
}

static u64 idfield_mask(const struct s2box_idfield *f)
{
	return ((1ULL << f->width) - 1) << f->shift;
}

unsigned int s2box_idfield_get(const struct s2box_idfield *f,
			       const struct s2box_idregs *regs)
{
	return (unsigned int)((s2box_idreg_value(regs, f->reg) &
			       idfield_mask(f)) >> f->shift);
}

bool s2box_idfield_applies(const struct s2box_idfield *f, unsigned int value)
{
	if (f->is_signed)
		return value != 0xf;
	return value >= f->min;
}

static bool field_known(const struct s2box_idfield *f, unsigned int value)
{
	return !f->known || (value < 16 && (f->known & (1U << value)));
}

/* The last row of the field starting at @i that applies to @value. */
static const struct s2box_idfield *field_row(unsigned int i, unsigned int value,
					     unsigned int *next)
{
	const struct s2box_idfield *row = NULL, *f = &idfields[i];
	unsigned int j;

	for (j = i; j < ARRAY_SIZE(idfields); j++) {
		if (idfields[j].reg != f->reg || idfields[j].shift != f->shift)
			break;
		if (s2box_idfield_applies(&idfields[j], value))
			row = &idfields[j];
	}
	*next = j;
	return row;
}

const struct s2box_idfield *s2box_idfield_lookup(unsigned int reg,
						 unsigned int shift,
						 unsigned int value)
{
	unsigned int i, next;

	for (i = 0; i < ARRAY_SIZE(idfields); i = next) {
		const struct s2box_idfield *row = field_row(i, value, &next);

		if (idfields[i].reg == reg && idfields[i].shift == shift)
			return row;
	}
	return NULL;
}

const char *s2box_treatment_name(unsigned int treatment)
{
	static const char *const names[] = {
		[S2BOX_NO_STATE] = "no state",
		[S2BOX_SWITCHED] = "switched",
		[S2BOX_TRAPPED] = "trapped",
		[S2BOX_HOST_ONLY] = "host only",
		[S2BOX_REFUSED] = "refused",
	};

	return treatment < ARRAY_SIZE(names) ? names[treatment] : "?";
}

/* Bits [hi:lo] of the lowest run of set bits in @v. */
static void lowest_run(u64 v, unsigned int *lo, unsigned int *hi)
{
	unsigned int b = 0;

	while (!(v & (1ULL << b)))
		b++;
	*lo = b;
	while (b < 63 && (v & (1ULL << (b + 1))))
		b++;
	*hi = b;
}

/*
 * Features whose only trap is in an EL2 register a CPU may lack: an
 * HCRX_EL2 enable left 0 for the box (without FEAT_HCX those enables
 * behave as 1), or an nXXX fine-grained trap left 0 (without FEAT_FGT,
 * or FEAT_FGT2, nothing traps the register). Without its trap register
 * the feature would be live in the box: such a CPU is refused.
 */
enum { GATE_HCX, GATE_FGT, GATE_FGT2 };

static const struct {
	unsigned char reg, shift, min, gate;
} trap_gated[] = {
	{ S2BOX_ID_MMFR3, 0, 1, GATE_HCX },	/* TCR2En */
	{ S2BOX_ID_MMFR3, 4, 1, GATE_HCX },	/* SCTLR2En */
	{ S2BOX_ID_MMFR3, 32, 1, GATE_HCX },	/* D128En */
	{ S2BOX_ID_PFR1, 36, 1, GATE_HCX },	/* TALLINT */
	{ S2BOX_ID_PFR1, 44, 1, GATE_HCX },	/* GCSEn */
	{ S2BOX_ID_PFR2, 32, 1, GATE_HCX },	/* EnFPM */
	{ S2BOX_ID_ISAR1, 60, 1, GATE_HCX },	/* EnALS, EnASR, EnAS0 */
	{ S2BOX_ID_MMFR3, 8, 1, GATE_FGT },	/* nPIR_EL1, nPIRE0_EL1 */
	{ S2BOX_ID_MMFR3, 16, 1, GATE_FGT },	/* nPOR_EL1, nPOR_EL0 */
	{ S2BOX_ID_MMFR3, 24, 1, GATE_FGT },	/* nMAIR2_EL1, nAMAIR2_EL1 */
	{ S2BOX_ID_ISAR1, 60, 3, GATE_FGT },	/* nACCDATA_EL1 */
	{ S2BOX_ID_DFR0, 52, 1, GATE_FGT },	/* nBRB* */
	{ S2BOX_ID_PFR1, 60, 1, GATE_FGT2 },	/* nPFAR_EL1 */
	{ S2BOX_ID_PFR1, 48, 1, GATE_FGT2 },	/* nRCWMASK_EL1, nRCWSMASK_EL1 */
};

static const char *const gate_name[] = {
	[GATE_HCX] = "an HCRX_EL2 enable, and ID_AA64MMFR1_EL1.HCX = 0",
	[GATE_FGT] = "a fine-grained trap, and ID_AA64MMFR0_EL1.FGT = 0",
	[GATE_FGT2] = "a FEAT_FGT2 trap, and ID_AA64MMFR0_EL1.FGT < 2",
};

static bool gate_present(const struct s2box_idregs *regs, unsigned int gate)
{
	unsigned int fgt = FIELD(regs->mmfr0, 56);

	if (gate == GATE_HCX)
		return FIELD(regs->mmfr1, 40) != 0;
	return fgt >= (gate == GATE_FGT ? 1 : 2);
}

static const char *trap_missing(const struct s2box_idregs *regs, char *buf,
				size_t len)
{
	unsigned int i, v;

	for (i = 0; i < ARRAY_SIZE(trap_gated); i++) {
		v = FIELD(s2box_idreg_value(regs, trap_gated[i].reg),
			  trap_gated[i].shift);
		if (v < trap_gated[i].min ||
		    gate_present(regs, trap_gated[i].gate))
			continue;
		snprintf(buf, len, "%s [%u:%u] = %#x: its trap is %s",
			 s2box_idreg_name(trap_gated[i].reg),
			 trap_gated[i].shift + 3, trap_gated[i].shift, v,
			 gate_name[trap_gated[i].gate]);
		return buf;
	}
	return NULL;
}

const char *s2box_unhandled_feature(const struct s2box_idregs *regs,
				    char *buf, size_t len)
{
	u64 covered[S2BOX_ID_COUNT] = { 0 };
	unsigned int i, next, lo, hi;
	u64 rest;

	for (i = 0; i < ARRAY_SIZE(idfields); i = next) {
		const struct s2box_idfield *f = &idfields[i];
		unsigned int v = s2box_idfield_get(f, regs);
		const struct s2box_idfield *row = field_row(i, v, &next);

		covered[f->reg] |= idfield_mask(f);
		if (!field_known(f, v)) {
			snprintf(buf, len, "%s.%s [%u:%u] = %#x: a value s2box does not know",
				 s2box_idreg_name(f->reg), f->field,
				 f->shift + f->width - 1, f->shift, v);
			return buf;
		}
		if (row && row->treatment == S2BOX_REFUSED) {
			snprintf(buf, len, "%s.%s [%u:%u] = %#x: %s (%s)",
				 s2box_idreg_name(f->reg), f->field,
				 f->shift + f->width - 1, f->shift, v,
				 row->feat, row->how);
			return buf;
		}
	}
	for (i = 0; i < S2BOX_ID_COUNT; i++) {
		rest = s2box_idreg_value(regs, i) & ~covered[i];
		if (!rest)
			continue;
		lowest_run(rest, &lo, &hi);
		snprintf(buf, len, "%s bits [%u:%u] = %#llx: a field s2box does not know",
			 s2box_idreg_name(i), hi, lo,
			 (unsigned long long)((rest >> lo) &
					      ((2ULL << (hi - lo)) - 1)));
		return buf;
	}
	return trap_missing(regs, buf, len);
}
