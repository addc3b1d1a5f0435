/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EL2 register fields the world switch programs, from the Arm ARM register
 * descriptions (HCR_EL2, CPTR_EL2 with E2H=1, MDCR_EL2, CNTHCTL_EL2 with
 * E2H=1, HSTR_EL2, ICH_HCR_EL2, ICC_SRE_EL2, CNTV_CTL_EL0). Spelled out
 * here because the kernels s2box supports name them differently.
 */
#ifndef S2BOX_EL2_BITS_H
#define S2BOX_EL2_BITS_H

#include <linux/bits.h>
#include <asm/sysreg.h>

/* HCR_EL2 */
#define S2_HCR_VM	BIT_ULL(0)	/* stage 2 on */
#define S2_HCR_PTW	BIT_ULL(2)	/* S1 walks into Device memory fault */
#define S2_HCR_FMO	BIT_ULL(3)	/* physical FIQ to EL2 */
#define S2_HCR_IMO	BIT_ULL(4)	/* physical IRQ to EL2 */
#define S2_HCR_AMO	BIT_ULL(5)	/* physical SError to EL2 */
#define S2_HCR_FB	BIT_ULL(9)	/* EL1 TLB/IC maintenance broadcast */
#define S2_HCR_BSU_IS	BIT_ULL(10)	/* barriers at least inner shareable */
#define S2_HCR_TWI	BIT_ULL(13)
#define S2_HCR_TWE	BIT_ULL(14)
#define S2_HCR_TSC	BIT_ULL(19)
#define S2_HCR_TIDCP	BIT_ULL(20)	/* IMPLEMENTATION DEFINED sysregs */
#define S2_HCR_TACR	BIT_ULL(21)	/* ACTLR_EL1 */
#define S2_HCR_TSW	BIT_ULL(22)	/* set/way cache maintenance */
#define S2_HCR_TVM	BIT_ULL(26)	/* EL1 MMU register writes trap */
#define S2_HCR_TGE	BIT_ULL(27)
#define S2_HCR_RW	BIT_ULL(31)	/* EL1 is AArch64 */
#define S2_HCR_E2H	BIT_ULL(34)
#define S2_HCR_TLOR	BIT_ULL(35)	/* LORegion registers */
#define S2_HCR_TERR	BIT_ULL(36)	/* RAS error record registers */
#define S2_HCR_TEA	BIT_ULL(37)	/* external aborts to EL2 */
#define S2_HCR_FWB	BIT_ULL(46)
/* API (41), APK (40), ATA (56), EnSCXT (53) stay 0: those trap. */

/* CPTR_EL2 in the E2H=1 layout (that of CPACR_EL1). */
#define S2_CPTR_ZEN_MASK	(3ULL << 16)	/* 00: SVE traps */
#define S2_CPTR_FPEN_NOTRAP	(3ULL << 20)
/* FPEN 0b00 (E2H=1 layout): FP/SIMD at EL0 and EL1 traps to EL2. */
#define S2_CPTR_FPEN_TRAP	(0ULL << 20)
#define S2_CPTR_FPEN_MASK	(3ULL << 20)
#define S2_CPTR_SMEN_MASK	(3ULL << 24)	/* 00: SME traps */
#define S2_CPTR_TTA		BIT_ULL(28)	/* trace registers trap */
#define S2_CPTR_TAM		BIT_ULL(30)	/* activity monitors trap */

/* MDCR_EL2 */
#define S2_MDCR_HPMN_MASK	0x1fULL
#define S2_MDCR_TPMCR		BIT_ULL(5)
#define S2_MDCR_TPM		BIT_ULL(6)
#define S2_MDCR_TDE		BIT_ULL(8)	/* debug exceptions to EL2 */
#define S2_MDCR_TDA		BIT_ULL(9)
#define S2_MDCR_TDOSA		BIT_ULL(10)
#define S2_MDCR_TDRA		BIT_ULL(11)
#define S2_MDCR_TPMS		BIT_ULL(14)
#define S2_MDCR_TTRF		BIT_ULL(19)

/* CNTHCTL_EL2 in the E2H=1 layout. */
#define S2_CNTHCTL_EL1PCTEN	BIT_ULL(10)
#define S2_CNTHCTL_EL1PCEN	BIT_ULL(11)
#define S2_CNTHCTL_EL1TVT	BIT_ULL(13)	/* FEAT_ECV: EL1 virtual timer traps */

#define S2_HSTR_T15		BIT_ULL(15)	/* AArch32 CP15 c15 */

/* ICH_HCR_EL2 and ICC_SRE_EL2 (GICv3 system register interface). */
#define S2_ICH_HCR_TC		BIT_ULL(10)
#define S2_ICH_HCR_TALL0	BIT_ULL(11)
#define S2_ICH_HCR_TALL1	BIT_ULL(12)
#define S2_ICH_HCR_TDIR		BIT_ULL(14)
#define S2_ICC_SRE_EL2_ENABLE	BIT_ULL(3)

#define S2_CNTV_CTL_ENABLE	BIT_ULL(0)
#define S2_CNTV_CTL_IMASK	BIT_ULL(1)
#define S2_CNTV_CTL_ISTATUS	BIT_ULL(2)

/* EL1 translation registers: bits a box may not set (world.c, trap.c). */
#define S2_TTBR_CNP		BIT_ULL(0)	/* common not private */
#define S2_TCR_HA		BIT_ULL(39)	/* hardware Access flag */
#define S2_TCR_HD		BIT_ULL(40)	/* hardware dirty state */

/* PMEVTYPER<n>_EL0 / PMCCFILTR_EL0 filter bits. */
#define S2_PMU_EXCLUDE_EL1	BIT_ULL(31)	/* P */
#define S2_PMU_EXCLUDE_EL0	BIT_ULL(30)	/* U */
#define S2_PMU_INCLUDE_EL2	BIT_ULL(27)	/* NSH */

/*
 * HCRX_EL2 (FEAT_HCX). Its enables (TCR2En, SCTLR2En, GCSEn, EnFPM,
 * D128En, MSCEn, ...) are all 0 for a box, which makes those registers
 * trap to EL2 or their instructions UNDEFINED at EL1/EL0; TALLINT traps
 * MSR ALLINT (FEAT_NMI).
 */
#define S2_HCRX_TALLINT		BIT_ULL(6)

/*
 * Fine-grained traps (FEAT_FGT, FEAT_FGT2). A box runs with every one of
 * these registers 0 but for the bit below: each positive bit (trap when 1) is off, since what
 * it covers is switched or trapped coarsely already, and each nXXX bit
 * (trap when 0, named for registers added after FGT: PIR_EL1, POR_EL0,
 * MAIR2_EL1, ACCDATA_EL1, PFAR_EL1, ...) traps. A bit whose feature is
 * absent is RES0, which 0 also satisfies. HAFGRTR_EL2 (AMU counters) is
 * left alone: CPTR_EL2.TAM traps every AMU register already. The
 * FEAT_FGT2 registers are not named by 6.1's headers.
 */
/*
 * The one nXXX bit a box gets open: TPIDR2_EL0 (FEAT_SME) is the box's
 * own, zeroed on every entry and the host's put back on exit (world.c),
 * as on CPUs without FGT.
 */
#define S2_HFGXTR_NTPIDR2_EL0	BIT_ULL(55)
/* The FEAT_FGT ones are SYS_HFGRTR_EL2 & co in every supported kernel. */
#define S2_SYS_HDFGRTR2_EL2	sys_reg(3, 4, 3, 1, 0)
#define S2_SYS_HDFGWTR2_EL2	sys_reg(3, 4, 3, 1, 1)
#define S2_SYS_HFGRTR2_EL2	sys_reg(3, 4, 3, 1, 2)
#define S2_SYS_HFGWTR2_EL2	sys_reg(3, 4, 3, 1, 3)
#define S2_SYS_HFGITR2_EL2	sys_reg(3, 4, 3, 1, 7)

/*
 * EL1 registers whose value shapes what the box's own instructions do,
 * switched to 0 for the box: BRBCR_EL1 (FEAT_BRBE: which of the box's
 * branches are recorded) and the RCW masks (FEAT_THE: what RCW* stores
 * may change). Not named by 6.1's headers; BRBCR_EL1 by 6.12's neither.
 */
#define S2_SYS_BRBCR_EL12	sys_reg(2, 5, 9, 0, 0)
#define S2_SYS_RCWMASK_EL1	sys_reg(3, 0, 13, 0, 6)
#define S2_SYS_RCWSMASK_EL1	sys_reg(3, 0, 13, 0, 3)

/* MPAM2_EL2 and MPAMIDR_EL1 (FEAT_MPAM). */
#define S2_MPAM2_TRAPMPAM1EL1	BIT_ULL(48)	/* MPAM1_EL1 traps */
#define S2_MPAM2_TRAPMPAM0EL1	BIT_ULL(49)	/* MPAM0_EL1 traps */
#define S2_MPAM2_TIDR		BIT_ULL(58)	/* MPAMIDR_EL1 traps */
#define S2_MPAMIDR_HAS_TIDR	BIT_ULL(57)

/* Encodings not named alike by every supported kernel. */
#define S2_SYS_HCRX_EL2		sys_reg(3, 4, 1, 2, 2)
#define S2_SYS_PMSCR_EL12	sys_reg(3, 5, 9, 9, 0)
#define S2_SYS_TRFCR_EL12	sys_reg(3, 5, 1, 2, 1)
#define S2_SYS_MPAM2_EL2	sys_reg(3, 4, 10, 5, 0)
#define S2_SYS_MPAMIDR_EL1	sys_reg(3, 0, 10, 4, 4)
#define S2_SYS_ICH_HCR_EL2	sys_reg(3, 4, 12, 11, 0)
#define S2_SYS_ICC_SRE_EL2	sys_reg(3, 4, 12, 9, 5)
#define S2_SYS_TPIDR2_EL0	sys_reg(3, 3, 13, 0, 5)
#define S2_SYS_PAN		sys_reg(3, 0, 4, 2, 3)

/* PSTATE as SPSR holds it. */
#define S2_PSR_MODE_MASK	0x1fULL
#define S2_PSR_MODE_EL0T	0x0ULL
#define S2_PSR_MODE_EL1T	0x4ULL
#define S2_PSR_MODE_EL1H	0x5ULL
#define S2_PSR_DAIF		(0xfULL << 6)
#define S2_PSR_PAN		BIT_ULL(22)

/* ESR_ELx */
#define S2_ESR_EC(esr)		(((esr) >> 26) & 0x3f)
#define S2_ESR_IL		BIT_ULL(25)
#define S2_EC_WFX		0x01
#define S2_EC_FP_ASIMD		0x07
#define S2_EC_HVC64		0x16
#define S2_EC_SMC64		0x17
#define S2_EC_SYS64		0x18
#define S2_EC_IABT_LOW		0x20
#define S2_EC_DABT_LOW		0x24

#endif /* S2BOX_EL2_BITS_H */
