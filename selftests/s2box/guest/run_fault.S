/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of run_fault_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/* Proves the geometry can run code at all. */
	blob	hvc_blob
	hvc	#0x1
	endblob	hvc_blob

/* Stores the low byte of x2 at x1. */
	blob	store_blob
	strb	w2, [x1]
	hvc	#0x3
	endblob	store_blob

/* Branches to x1. */
	blob	branch_blob
	br	x1
	endblob	branch_blob

/* x0 = [x1]; [x1 - 8] = x2. */
	blob	top_blob
	ldr	x0, [x1]
	str	x2, [x1, #-8]
	hvc	#0x4
	endblob	top_blob

/*
 * A blob that turns its own MMU on: MAIR_EL1 = x3, TCR_EL1 = x4,
 * TTBR0_EL1 = x5, then SCTLR_EL1.M, C and I; x0 = [x1], HVC; [x7] = x2,
 * HVC.
 */
	blob	mmu_blob
	msr	mair_el1, x3
	msr	tcr_el1, x4
	msr	ttbr0_el1, x5
	isb
	mrs	x6, sctlr_el1
	orr	x6, x6, #0x1
	orr	x6, x6, #0x4
	orr	x6, x6, #0x1000
	msr	sctlr_el1, x6
	isb
	ldr	x0, [x1]
	hvc	#0x11
	str	x2, [x7]
	hvc	#0x12
	endblob	mmu_blob
