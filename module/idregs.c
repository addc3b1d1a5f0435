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

/* Allow-list fields: EL1-visible state s2box does not switch or trap yet. */
#define MMFR3_TCRX		0	/* TCR2_EL1 */
#define MMFR3_SCTLRX		4	/* SCTLR2_EL1 */
#define MMFR3_S1PIE		8	/* PIR_EL1, PIRE0_EL1 */
#define MMFR3_S1POE		16	/* POR_EL1, POR_EL0 */
#define MMFR3_D128		32	/* 128-bit descriptors: TTBRs widen */
#define PFR1_GCS		44	/* GCSCR_EL1, GCSPR_EL1/EL0 */
#define PFR1_NMI		36	/* ALLINT, SCTLR_EL1.NMI */
#define PFR1_THE		48	/* RCWMASK_EL1, RCWSMASK_EL1 */
#define PFR2_FPMR		32	/* FPMR */
#define PFR0_AMU		44	/* activity monitors, AMCR_EL0 & co */
#define PFR0_MPAM		40	/* MPAM0_EL1, MPAM1_EL1 */
#define PFR1_MPAM_FRAC		16
/*
 * BRBCR_EL1, BRBFCR_EL1 and the branch records: MDCR_EL2 has no trap for
 * them (only FGT does, which s2box does not program yet).
 */
#define DFR0_BRBE		52

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

struct unhandled_feature {
	const char *name;
	unsigned int reg;	/* index into the idregs words below */
	unsigned int shift;
};

enum { R_PFR0, R_PFR1, R_PFR2, R_MMFR3, R_DFR0 };

/*
 * Each entry is state an EL1 blob could read or write that would survive
 * into the host or another box (or KVM guest) because s2box neither
 * context-switches it nor traps it. Grow the switch code, then drop the
 * entry.
 */
static const struct unhandled_feature unhandled[] = {
	{ "TCR2 (FEAT_TCR2)", R_MMFR3, MMFR3_TCRX },
	{ "SCTLR2 (FEAT_SCTLR2)", R_MMFR3, MMFR3_SCTLRX },
	{ "PIE (FEAT_S1PIE)", R_MMFR3, MMFR3_S1PIE },
	{ "POE (FEAT_S1POE)", R_MMFR3, MMFR3_S1POE },
	{ "D128 (FEAT_D128)", R_MMFR3, MMFR3_D128 },
	{ "GCS (FEAT_GCS)", R_PFR1, PFR1_GCS },
	{ "NMI (FEAT_NMI)", R_PFR1, PFR1_NMI },
	{ "THE (FEAT_THE)", R_PFR1, PFR1_THE },
	{ "FPMR (FEAT_FPMR)", R_PFR2, PFR2_FPMR },
	{ "AMU (FEAT_AMUv1)", R_PFR0, PFR0_AMU },
	{ "MPAM (FEAT_MPAM)", R_PFR0, PFR0_MPAM },
	{ "MPAM (FEAT_MPAM, fractional)", R_PFR1, PFR1_MPAM_FRAC },
	{ "BRBE (FEAT_BRBE)", R_DFR0, DFR0_BRBE },
};

const char *s2box_unhandled_feature(const struct s2box_idregs *regs)
{
	const u64 words[] = {
		[R_PFR0] = regs->pfr0,
		[R_PFR1] = regs->pfr1,
		[R_PFR2] = regs->pfr2,
		[R_MMFR3] = regs->mmfr3,
		[R_DFR0] = regs->dfr0,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(unhandled); i++)
		if (FIELD(words[unhandled[i].reg], unhandled[i].shift))
			return unhandled[i].name;
	return NULL;
}
