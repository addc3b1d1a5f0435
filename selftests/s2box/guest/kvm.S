/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of kvm_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/*
 * The mark/dump blob (labels C refers to are global: see BLOB()). Entry
 * points: regs_box_dump (x0 = dump) and regs_box_mark (x1 = values) end
 * in HVC; regs_kvm_mark (x0, x1, x2 = MMIO page) and regs_kvm_dump (x0,
 * x2) end in a store to the MMIO page. The dump reads CPACR_EL1 before it
 * turns FP on for itself.
 */
.pushsection .rodata, "a"
.macro dump_sys reg, k
	.ifnc	\reg, cpacr_el1
	.ifc	\reg, sp_el1
	mov	x9, sp
	.else
	mrs	x9, \reg
	.endif
	str	x9, [x0, #(512 + 8 * \k)]
	.endif
.endm
.macro mark_sys reg, k
	ldr	x9, [x1, #(512 + 8 * \k)]
	.ifc	\reg, sp_el1
	mov	sp, x9
	.else
	msr	\reg, x9
	.endif
.endm
.macro sysregs m
	.set	sysreg_k, 0
	.irp	r, sctlr_el1, tcr_el1, ttbr0_el1, ttbr1_el1, mair_el1, amair_el1, vbar_el1, contextidr_el1, cpacr_el1, cntkctl_el1, esr_el1, far_el1, afsr0_el1, afsr1_el1, par_el1, elr_el1, spsr_el1, tpidr_el1, tpidr_el0, tpidrro_el0, csselr_el1, sp_el0, sp_el1, cntv_ctl_el0, cntv_cval_el0, fpcr, fpsr
	\m	\r, sysreg_k
	.set	sysreg_k, sysreg_k + 1
	.endr
.endm
.macro vregs op, base
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	\op	q\n, [\base, #(\n * 16)]
	.endr
.endm
.balign 16
	mark	regs_blob_start
	mark	regs_box_dump
	bl	regs_dump
	hvc	#0
	mark	regs_box_mark
	bl	regs_mark
	hvc	#0
	mark	regs_kvm_mark
	bl	regs_mark
	bl	regs_dump
	str	xzr, [x2]
	b	.
	mark	regs_kvm_dump
	bl	regs_dump
	str	xzr, [x2]
	b	.
regs_mark:
	ldr	x9, [x1, #(512 + 8 * 8)]
	msr	cpacr_el1, x9
	isb
	vregs	ldr, x1
	sysregs	mark_sys
	isb
	ret
regs_dump:
	mrs	x9, cpacr_el1
	str	x9, [x0, #(512 + 8 * 8)]
	orr	x9, x9, #0x300000
	msr	cpacr_el1, x9
	isb
	vregs	str, x0
	sysregs	dump_sys
	ret
	endblob	regs_blob

/*
 * The box arms its EL1 virtual timer for "now" and leaves with HVC: x1 is
 * the deadline, x3 CNTV_CTL_EL0 as the box last saw it.
 */
.pushsection .rodata, "a"
.balign 16
	mark	vtimer_box_start
	mrs	x1, cntvct_el0
	msr	cntv_cval_el0, x1
	mov	x2, #1
	msr	cntv_ctl_el0, x2
	isb
	mrs	x3, cntv_ctl_el0
	hvc	#0
	endblob	vtimer_box

/*
 * The KVM guest: vectors at 0 (IRQ at EL1h masks the timer and records
 * the INTID; anything else reports ESR_EL1 at MMIO offset 8), then from
 * vtimer_kvm_main, with x0 = results, x2 = MMIO page, x3 = GICD (0: no
 * vGIC), x4 = GICR: record CNTV_CTL/CVAL as KVM loaded them, arm the
 * timer 2 ms ahead, wait for the deadline with IRQs masked, then up to
 * 250 ms for ISTATUS (QEMU updates it a little late) and record CNTV_CTL,
 * then with a vGIC unmask IRQs and wait up to 250 ms for the interrupt.
 * Results: [0] CTL and [1] CVAL at start, [2] CTL past the deadline,
 * [3] INTID taken (0: none), [4] CTL in the handler.
 */
.pushsection .rodata, "a"
.macro bad_vec
	.balign	128
	mrs	x16, esr_el1
	str	x16, [x2, #8]
	b	.
.endm
.balign 2048
	mark	vtimer_kvm_start
	.rept	5
	bad_vec
	.endr
	.balign	128
	mrs	x16, icc_iar1_el1
	cmp	x16, #1023
	b.eq	1f
	mov	x20, x16
	mrs	x21, cntv_ctl_el0
	mov	x17, #2
	msr	cntv_ctl_el0, x17
	isb
	msr	icc_eoir1_el1, x16
1:	eret
	.rept	10
	bad_vec
	.endr
	.balign	128
	mark	vtimer_kvm_main
	mrs	x9, cntv_ctl_el0
	str	x9, [x0]
	mrs	x9, cntv_cval_el0
	str	x9, [x0, #8]
	adr	x9, vtimer_kvm_start
	msr	vbar_el1, x9
	mov	x20, #0
	mov	x21, #0
	cbz	x3, 2f
	mov	w9, #0x12
	str	w9, [x3]
	add	x10, x4, #0x10000
	mov	w9, #0xffffffff
	str	w9, [x10, #0x80]
	mov	w9, #(1 << 27)
	str	w9, [x10, #0x100]
	mov	x9, #0xff
	msr	icc_pmr_el1, x9
	mov	x9, #1
	msr	icc_igrpen1_el1, x9
2:	isb
	mrs	x11, cntfrq_el0
	mrs	x9, cntvct_el0
	add	x9, x9, x11, lsr #9
	msr	cntv_cval_el0, x9
	mov	x13, #1
	msr	cntv_ctl_el0, x13
	isb
3:	mrs	x13, cntvct_el0
	cmp	x13, x9
	b.lo	3b
	add	x14, x9, x11, lsr #2
6:	isb
	mrs	x13, cntv_ctl_el0
	tbnz	x13, #2, 7f
	mrs	x15, cntvct_el0
	cmp	x15, x14
	b.lo	6b
7:	str	x13, [x0, #16]
	cbz	x3, 5f
	mrs	x14, cntvct_el0
	add	x14, x14, x11, lsr #2
	msr	daifclr, #2
4:	cbnz	x20, 5f
	mrs	x15, cntvct_el0
	cmp	x15, x14
	b.lo	4b
5:	msr	daifset, #2
	str	x20, [x0, #24]
	str	x21, [x0, #32]
	str	xzr, [x2]
	b	.
	endblob	vtimer_kvm
