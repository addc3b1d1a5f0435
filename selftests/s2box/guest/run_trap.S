/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of run_trap_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/*
 * One blob per case: the trapping instruction, maybe after some set-up,
 * then HVC #0x7e. Encoded instructions need no newer assembler.
 */

/*
 * The box reads the real ID registers: a case whose register needs a
 * feature first checks the field (@width bits at @shift of @reg, at
 * least @min) and HVCs #0x7d where the CPU lacks it. Five instructions:
 * the trapping one follows at index 5.
 */
.macro	need_id reg, shift, min=1, width=4
	mrs	x0, \reg
	ubfx	x0, x0, #\shift, #\width
	cmp	x0, #\min
	b.hs	.Lhave\@
	hvc	#0x7d
.Lhave\@:
.endm

	blob	smc_blob
	smc	#0x33
	end_hvc
	endblob	smc_blob

	blob	wfi_blob
	wfi
	end_hvc
	endblob	wfi_blob

	blob	wfe_blob
	wfe
	end_hvc
	endblob	wfe_blob

	blob	pmcr_blob
	mrs	x3, pmcr_el0
	end_hvc
	endblob	pmcr_blob

	blob	pmccntr_blob
	mrs	x4, pmccntr_el0
	end_hvc
	endblob	pmccntr_blob

	blob	cntpct_blob
	mrs	x5, cntpct_el0
	end_hvc
	endblob	cntpct_blob

	blob	cntp_ctl_blob
	msr	cntp_ctl_el0, x6
	end_hvc
	endblob	cntp_ctl_blob

	blob	mdscr_blob
	msr	mdscr_el1, x7
	end_hvc
	endblob	mdscr_blob

	blob	sgi1r_blob
	msr	s3_0_c12_c11_5, x8		// ICC_SGI1R_EL1
	end_hvc
	endblob	sgi1r_blob

	blob	dc_cisw_blob
	dc	cisw, x9
	end_hvc
	endblob	dc_cisw_blob

	blob	brk_blob
	brk	#0x42
	end_hvc
	endblob	brk_blob

	blob	pacia_blob
	mrs	x1, sctlr_el1
	orr	x1, x1, #0x80000000		// EnIA
	msr	sctlr_el1, x1
	isb
	.inst	0xdac10020		// pacia x0, x1
	end_hvc
	endblob	pacia_blob

	blob	sve_blob
	.inst	0x04bf5020		// rdvl x0, #1
	end_hvc
	endblob	sve_blob

/*
 * EL1 registers of later features, each trapped by the bit the allow-list
 * (module/idregs.c) names for it.
 */
	blob	erridr_blob			// RAS: HCR_EL2.TERR
	need_id	id_aa64pfr0_el1, 28
	mrs	x10, s3_0_c5_c3_0		// ERRIDR_EL1
	end_hvc
	endblob	erridr_blob

	blob	gcr_blob			// MTE2: HCR_EL2.ATA=0
	need_id	id_aa64pfr1_el1, 8, 2
	mrs	x11, s3_0_c1_c0_6		// GCR_EL1
	end_hvc
	endblob	gcr_blob

	blob	scxtnum_blob			// CSV2_2: HCR_EL2.EnSCXT=0
	need_id	id_aa64pfr0_el1, 56, 2
	mrs	x12, s3_0_c13_c0_7		// SCXTNUM_EL1
	end_hvc
	endblob	scxtnum_blob

	blob	lorc_blob			// LOR: HCR_EL2.TLOR
	need_id	id_aa64mmfr1_el1, 16
	mrs	x13, s3_0_c10_c4_3		// LORC_EL1
	end_hvc
	endblob	lorc_blob

	blob	apkey_blob			// PAuth: HCR_EL2.APK=0
	need_id	id_aa64isar1_el1, 4, 1, 8		// APA or API
	mrs	x14, s3_0_c2_c1_0		// APIAKeyLo_EL1
	end_hvc
	endblob	apkey_blob

	blob	allint_blob			// NMI: HCRX_EL2.TALLINT
	need_id	id_aa64pfr1_el1, 36
	msr	s3_0_c4_c3_0, x15		// MSR ALLINT, x15
	end_hvc
	endblob	allint_blob

	blob	smcr_blob			// SME: CPTR_EL2.SMEN=0
	need_id	id_aa64pfr1_el1, 24
	mrs	x16, s3_0_c1_c2_6		// SMCR_EL1
	end_hvc
	endblob	smcr_blob

/*
 * Registers of features QEMU 11 models (TCR2, S1PIE, S1POE, GCS, FPMR):
 * the fine-grained read traps (all HFGRTR_EL2 n-bits 0) and HCRX_EL2
 * (TCR2En, GCSEn, EnFPM 0) take them to EL2.
 */
	blob	pir_blob			// S1PIE: HFGRTR_EL2.nPIR_EL1
	need_id	s3_0_c0_c7_3, 8			// ID_AA64MMFR3_EL1.S1PIE
	mrs	x17, s3_0_c10_c2_3		// PIR_EL1
	end_hvc
	endblob	pir_blob

	blob	pire0_blob			// S1PIE: HFGRTR_EL2.nPIRE0_EL1
	need_id	s3_0_c0_c7_3, 8
	mrs	x18, s3_0_c10_c2_2		// PIRE0_EL1
	end_hvc
	endblob	pire0_blob

	blob	por_el1_blob			// S1POE: HFGRTR_EL2.nPOR_EL1
	need_id	s3_0_c0_c7_3, 16		// ID_AA64MMFR3_EL1.S1POE
	mrs	x19, s3_0_c10_c2_4		// POR_EL1
	end_hvc
	endblob	por_el1_blob

	blob	por_el0_blob			// S1POE: HFGRTR_EL2.nPOR_EL0
	need_id	s3_0_c0_c7_3, 16
	mrs	x20, s3_3_c10_c2_4		// POR_EL0
	end_hvc
	endblob	por_el0_blob

	blob	tcr2_blob			// TCR2: HCRX_EL2.TCR2En=0
	need_id	s3_0_c0_c7_3, 0			// ID_AA64MMFR3_EL1.TCRX
	mrs	x21, s3_0_c2_c0_3		// TCR2_EL1
	end_hvc
	endblob	tcr2_blob

	blob	gcspr_blob			// GCS: HCRX_EL2.GCSEn=0
	need_id	id_aa64pfr1_el1, 44		// GCS
	mrs	x22, s3_0_c2_c5_1		// GCSPR_EL1
	end_hvc
	endblob	gcspr_blob

	blob	fpmr_blob			// FPMR: HCRX_EL2.EnFPM=0
	need_id	s3_0_c0_c4_2, 32		// ID_AA64PFR2_EL1.FPMR
	mrs	x23, s3_3_c4_c4_2		// FPMR
	end_hvc
	endblob	fpmr_blob
