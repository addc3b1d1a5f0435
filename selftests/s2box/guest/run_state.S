/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of run_state_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/* The system registers of struct el1_dump, in its order. */
#define SYSREG_LIST tpidr_el1, par_el1, contextidr_el1, mair_el1, tcr_el1, \
	ttbr0_el1, ttbr1_el1, vbar_el1, elr_el1, spsr_el1, far_el1, esr_el1, \
	afsr0_el1, afsr1_el1, amair_el1, cntkctl_el1, tpidr_el0, \
	tpidrro_el0, sp_el0, csselr_el1

/*
 * Overwrites TPIDR_EL0, TPIDRRO_EL0, SP_EL0, V0-V31, FPCR and FPSR, then
 * writes MDSCR_EL1 (a trap), then HVCs.
 */
	blob	clobber_blob
	mov	x5, #0xb0c5
	msr	tpidr_el0, x5
	msr	tpidrro_el0, x5
	msr	sp_el0, x5
	mov	x6, #0x04800000
	msr	fpcr, x6
	mov	x6, #0x08000000
	msr	fpsr, x6
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	dup	v\n\().2d, x5
	add	x5, x5, #1
	.endr
	mov	x9, #0x8000
	mark	clobber_blob_mdscr
	msr	mdscr_el1, x9
	hvc	#0xc1
	endblob	clobber_blob

/* "qpairs ldp" / "qpairs stp": V0-V31 as pairs at x0, post-indexed. */
.macro qpairs op
	\op	q0, q1, [x0], #32
	\op	q2, q3, [x0], #32
	\op	q4, q5, [x0], #32
	\op	q6, q7, [x0], #32
	\op	q8, q9, [x0], #32
	\op	q10, q11, [x0], #32
	\op	q12, q13, [x0], #32
	\op	q14, q15, [x0], #32
	\op	q16, q17, [x0], #32
	\op	q18, q19, [x0], #32
	\op	q20, q21, [x0], #32
	\op	q22, q23, [x0], #32
	\op	q24, q25, [x0], #32
	\op	q26, q27, [x0], #32
	\op	q28, q29, [x0], #32
	\op	q30, q31, [x0], #32
.endm

/*
 * Stores struct el1_dump at DATA_IPA: the system registers, then V0-V31
 * as pairs, FPCR and FPSR (so CPACR_EL1.FPEN must be set). HVC #0xd0.
 */
	blob	dump_blob
	mov	x0, #0x200000
	.irp	reg, SYSREG_LIST
	mrs	x1, \reg
	str	x1, [x0], #8
	.endr
	mrs	x1, sctlr_el1
	str	x1, [x0], #8
	mov	x1, sp
	str	x1, [x0], #8
	mrs	x1, cntv_ctl_el0
	str	x1, [x0], #8
	mrs	x1, cntv_cval_el0
	str	x1, [x0], #8
	qpairs	stp
	mrs	x1, fpcr
	str	x1, [x0], #8
	mrs	x1, fpsr
	str	x1, [x0], #8
	hvc	#0xd0
	endblob	dump_blob

/*
 * Loads struct el1_dump from DATA_IPA into the registers (SCTLR_EL1
 * excepted: the MMU stays off). HVC #0xa0.
 */
	blob	mark_blob
	mov	x0, #0x200000
	.irp	reg, SYSREG_LIST
	ldr	x1, [x0], #8
	msr	\reg, x1
	.endr
	ldp	x1, x2, [x0], #16
	mov	sp, x2
	ldr	x1, [x0], #8
	msr	cntv_ctl_el0, x1
	ldr	x1, [x0], #8
	msr	cntv_cval_el0, x1
	qpairs	ldp
	ldr	x1, [x0], #8
	msr	fpcr, x1
	ldr	x1, [x0], #8
	msr	fpsr, x1
	hvc	#0xa0
	endblob	mark_blob

/* Fresh CPACR_EL1 is 0: an FP instruction takes the box's EL1 vector. */
	blob	fp_blob
	fmov	d0, x1
	hvc	#0xf0
	endblob	fp_blob

/*
 * Lazy FP/SIMD: a first stop with no FP/SIMD used, then the box's first
 * access, which the kernel resolves without an exit. V1 must read what
 * SET_REGS put there, never the caller's V1; V2 gets x1.
 */
	blob	lazy_fp_blob
	hvc	#0x10
	fmov	x0, d1
	fmov	d2, x1
	hvc	#0x11
	endblob	lazy_fp_blob

/*
 * CPACR_EL1 is the box's own register (uapi: struct s2box_regs.cpacr):
 * the box reads its reset value, sets FPEN itself, uses FP/SIMD, and the
 * host finds the new value in GET_REGS.
 */
	blob	cpacr_blob
	mrs	x0, cpacr_el1
	orr	x1, x0, #0x300000
	msr	cpacr_el1, x1
	isb
	fmov	d0, x2
	hvc	#0xcc
	endblob	cpacr_blob
