/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of split_race_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/*
 * x0 = the top half of the first block, x1 = the block size, x8 = the
 * number of blocks, x7 = the granule, x2 = the count, x3 = the stop flag;
 * with x14 set, first its own MMU on: MAIR_EL1 = x12, TCR_EL1 = x13,
 * TTBR0_EL1 = x14, SCTLR_EL1.M, C and I. Each pass loads once from the
 * top half of every block, one granule further into it than the pass
 * before (wrapping at its end), so the first load after any TLB
 * invalidation is at most a few instructions away from a walk of the
 * block being split. Then it stores the pass count, and once the flag is
 * set, HVC #STOP_HVC.
 */
	blob	split_load_blob
	cbz	x14, 3f
	msr	mair_el1, x12
	msr	tcr_el1, x13
	msr	ttbr0_el1, x14
	isb
	mrs	x15, sctlr_el1
	orr	x15, x15, #0x1
	orr	x15, x15, #0x4
	orr	x15, x15, #0x1000
	msr	sctlr_el1, x15
	isb
3:	mov	x4, #0
	mov	x10, #0
	lsr	x11, x1, #1
1:	add	x9, x0, x10
	mov	x6, #0
2:	ldr	x5, [x9]
	add	x9, x9, x1
	add	x6, x6, #1
	cmp	x6, x8
	b.lo	2b
	add	x10, x10, x7
	cmp	x10, x11
	csel	x10, x10, xzr, lo
	add	x4, x4, #1
	str	x4, [x2]
	ldr	x5, [x3]
	cbz	x5, 1b
	hvc	#0x5700
	endblob	split_load_blob
