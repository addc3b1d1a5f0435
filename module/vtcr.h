/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stage-2 geometry and VTCR_EL2 for one box: pure architecture rules,
 * compiled into the module and, unchanged, into the host unit tests.
 */
#ifndef S2BOX_VTCR_H
#define S2BOX_VTCR_H

#include "arch_types.h"

/* VTCR_EL2 fields (Arm ARM, VTCR_EL2 register description). */
#define S2_VTCR_T0SZ_SHIFT	0
#define S2_VTCR_SL0_SHIFT	6
#define S2_VTCR_IRGN0_SHIFT	8
#define S2_VTCR_ORGN0_SHIFT	10
#define S2_VTCR_SH0_SHIFT	12
#define S2_VTCR_TG0_SHIFT	14
#define S2_VTCR_PS_SHIFT	16
#define S2_VTCR_VS		BIT_ULL(19)
#define S2_VTCR_HA		BIT_ULL(21)	/* hardware Access flag update */
#define S2_VTCR_HD		BIT_ULL(22)	/* hardware dirty state (DBM) */
#define S2_VTCR_RES1		BIT_ULL(31)
#define S2_VTCR_DS		BIT_ULL(32)
#define S2_VTCR_SL2		BIT_ULL(33)

#define S2_VTCR_TG0_4K		0ULL
#define S2_VTCR_TG0_64K		1ULL
#define S2_VTCR_TG0_16K		2ULL
#define S2_VTCR_RGN_WBWA	1ULL	/* walks: Normal, write-back, allocate */
#define S2_VTCR_SH_INNER	3ULL	/* walks: inner shareable */

/* Granule shifts. */
#define S2_GRANULE_SHIFT_4K	12
#define S2_GRANULE_SHIFT_16K	14
#define S2_GRANULE_SHIFT_64K	16

/*
 * What the geometry rules need to know about the host, decoded from the
 * system-wide ID registers by s2box_host_decode() (idregs.c).
 */
struct s2box_host {
	unsigned int pa_bits;		/* PARange in bits: 32..52 */
	unsigned int ps;		/* PARange encoding (0..6) */
	bool gran_4k;			/* usable at stage 2 */
	bool gran_16k;
	bool gran_64k;
	bool lpa2_4k;			/* 52-bit with 4K at stage 2 (DS=1) */
	bool lpa2_16k;			/* 52-bit with 16K at stage 2 (DS=1) */
	unsigned int vmid_bits;		/* 8 or 16 */
	unsigned int hafdbs;		/* ID_AA64MMFR1_EL1.HAFDBS */
	bool fwb;			/* ID_AA64MMFR2_EL1.FWB */
	bool gic_sysregs;		/* ID_AA64PFR0_EL1.GIC: GICv3 sysregs */
	bool ras;			/* ID_AA64PFR0_EL1.RAS */
	bool sme;			/* ID_AA64PFR1_EL1.SME: TPIDR2_EL0 */
	bool pmuv3;			/* ID_AA64DFR0_EL1.PMUVer: PMUv3 */
	bool hcx;			/* ID_AA64MMFR1_EL1.HCX: HCRX_EL2 */
	bool spe;			/* ID_AA64DFR0_EL1.PMSVer: PMSCR_EL1 */
	bool trf;			/* ID_AA64DFR0_EL1.TraceFilt: TRFCR_EL1 */
	/* FEAT_MPAM on every CPU: MPAM2_EL2 traps the box's MPAMn_EL1. */
	bool mpam;
	bool mpam_tidr;			/* MPAMIDR_EL1.HAS_TIDR */
	/* FEAT_FGT (and FEAT_FGT2) on every CPU: per-box fine-grained traps. */
	bool fgt;
	bool fgt2;
	bool brbe;			/* FEAT_BRBE on every CPU: BRBCR_EL1 */
	bool the;			/* FEAT_THE on every CPU: RCW masks */
	bool ecv;			/* FEAT_ECV on every CPU: timer traps */
	/* A CPU where TCR_EL1.HA/HD must stay clear (AmpereOne AC03_CPU_38). */
	bool tcr_hw_update_broken;
};

/* A box's stage-2 geometry; every field derives from (host, ipa, granule). */
struct s2box_geom {
	u64 vtcr;
	unsigned int ipa_bits;
	unsigned int granule_shift;
	unsigned int levels;
	int start_level;
	unsigned int sl0;
	unsigned int sl2;
	unsigned int t0sz;
	unsigned int ps;
	unsigned int ps_bits;
	unsigned int ds;
	unsigned int vs;
	unsigned int root_pages;	/* concatenated tables at start level */
	unsigned int root_align_shift;	/* log2 of BADDR alignment in bytes */
};

/* PARange encoding <-> bits; returns 0 / -1 for an unknown value. */
unsigned int s2box_parange_bits(unsigned int parange);
int s2box_bits_to_ps(unsigned int bits);

/* Granule size in bytes -> shift (12/14/16), or 0 when not a granule. */
unsigned int s2box_granule_shift(unsigned int granule_bytes);

/* Largest IPA size for the granule on this host; 0 if unsupported. */
unsigned int s2box_ipa_limit(const struct s2box_host *host,
			     unsigned int granule_shift);

/*
 * Compute the geometry and VTCR_EL2 of a box.
 * Returns 0, -EINVAL (not a granule, or ipa_bits outside [32, limit]) or
 * -EOPNOTSUPP (granule not supported at stage 2 by the host).
 */
int s2box_geom_compute(const struct s2box_host *host, unsigned int ipa_bits,
		       unsigned int granule_bytes, struct s2box_geom *geom);

/*
 * VTTBR_EL2 for a box whose concatenated root is at @root_pa (aligned as
 * s2box_geom.root_align_shift says): BADDR, with PA[51:48] in BADDR[5:2]
 * when the output size is 52 bits, and @vmid. CnP stays 0.
 */
u64 s2box_vttbr(const struct s2box_geom *geom, u64 root_pa, unsigned int vmid);

#endif /* S2BOX_VTCR_H */
