/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of run_trap_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/*
 * One blob per case: the trapping instruction, maybe after some set-up,
 * then HVC #0x7e. Encoded instructions need no newer assembler.
 */

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
