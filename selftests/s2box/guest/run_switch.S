/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of run_switch_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/*
 * The box's own vectors: a synchronous exception from AArch64 EL0 (the
 * entry at 0x400) HVCs HVC_EL0_SYNC with ESR_EL1 in x27; every other
 * entry HVCs 0xe000 + its index, so a stray exception shows which.
 */
	blob	vec_blob, 2048
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	.balign	0x80
	mrs	x27, esr_el1
	.if	\n == 8
	hvc	#1
	.else
	hvc	#(0xe000 + \n)
	.endif
	.endr
	endblob	vec_blob

/* TTBR0_EL1 = x0, TTBR1_EL1 = x1, read both back into x0 and x1. */
	blob	ttbr_blob
	msr	ttbr0_el1, x0
	msr	ttbr1_el1, x1
	isb
	mrs	x0, ttbr0_el1
	mrs	x1, ttbr1_el1
	hvc	#0x10
	endblob	ttbr_blob

/* x0 = TTBR0_EL1, x1 = TTBR1_EL1, as the box's entry loaded them. */
	blob	ttbr_read_blob
	mrs	x0, ttbr0_el1
	mrs	x1, ttbr1_el1
	hvc	#0x11
	endblob	ttbr_read_blob

	blob	mmu_write_blob
	msr	sctlr_el1, x0
	msr	tcr_el1, x1
	msr	mair_el1, x2
	msr	amair_el1, x3
	msr	contextidr_el1, x4
	msr	esr_el1, x5
	msr	far_el1, x6
	msr	afsr0_el1, x7
	msr	afsr1_el1, x8
	isb
	mrs	x10, sctlr_el1
	mrs	x11, tcr_el1
	mrs	x12, mair_el1
	mrs	x13, amair_el1
	mrs	x14, contextidr_el1
	mrs	x15, esr_el1
	mrs	x16, far_el1
	mrs	x17, afsr0_el1
	mrs	x18, afsr1_el1
	msr	contextidr_el1, xzr
	isb
	mrs	x19, contextidr_el1
	hvc	#0x20
	endblob	mmu_write_blob

/* The same nine registers read into x10..x18, as the entry loaded them. */
	blob	mmu_read_blob
	mrs	x10, sctlr_el1
	mrs	x11, tcr_el1
	mrs	x12, mair_el1
	mrs	x13, amair_el1
	mrs	x14, contextidr_el1
	mrs	x15, esr_el1
	mrs	x16, far_el1
	mrs	x17, afsr0_el1
	mrs	x18, afsr1_el1
	hvc	#0x21
	endblob	mmu_read_blob

	blob	hvc_blob
	hvc	#0x33
	endblob	hvc_blob

	blob	spin_blob
1:	b	1b
	endblob	spin_blob

/*
 * Drop to EL0t at el0_store_at with MMU off (VA = IPA there), which
 * stores x2 to [x1] and makes an SVC: the box's own EL1 takes it
 * (vec_blob, HVC_EL0_SYNC).
 */
	blob	el0_store_blob
	mov	x26, #0x3c0			// SPSR_EL0T
	msr	spsr_el1, x26
	adr	x26, 1f
	msr	elr_el1, x26
	eret
1:	str	x2, [x1]
	svc	#0x5
	b	1b
	endblob	el0_store_blob

/* The same drop to EL0t, which then spins until the budget ends the run. */
	blob	el0_spin_blob
	mov	x26, #0x3c0			// SPSR_EL0T
	msr	spsr_el1, x26
	adr	x26, 1f
	msr	elr_el1, x26
	eret
1:	add	x0, x0, #1
	b	1b
	endblob	el0_spin_blob
