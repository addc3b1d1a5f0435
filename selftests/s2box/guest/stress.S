/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of stress_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/*
 * Box blobs (labels global, see BLOB() in kvm_vmm.h).
 *
 * sum: x0 = address, x1 = count of u64: sum them into x0 (x1 ends at 0),
 * HVC #0. A load from memory the box does not have faults at its IPA.
 */
.pushsection .rodata, "a"
.balign 16
	mark	st_sum_start
	mov	x2, #0
1:	cbz	x1, 2f
	ldr	x3, [x0], #8
	add	x2, x2, x3
	sub	x1, x1, #1
	b	1b
2:	mov	x0, x2
	hvc	#0
	endblob	st_sum

/* store: x0 = address, x1 = value: store it, HVC #1. */
.pushsection .rodata, "a"
.balign 16
	mark	st_store_start
	str	x1, [x0]
	hvc	#1
	endblob	st_store

/*
 * KVM guest, x1 = counter, x2 = MMIO page: forever, count, put the count
 * into TPIDR_EL1, CONTEXTIDR_EL1 and D0, report it at MMIO offset 0, and
 * once KVM resumes it check the three still hold it; a changed value is
 * reported at MMIO offset 8 instead.
 */
.pushsection .rodata, "a"
.balign 16
	mark	st_kvm_start
	mov	x4, #0x300000
	msr	cpacr_el1, x4
	isb
1:	add	x1, x1, #1
	msr	tpidr_el1, x1
	msr	contextidr_el1, x1
	fmov	d0, x1
	str	x1, [x2]
	mrs	x5, tpidr_el1
	cmp	x5, x1
	b.ne	2f
	mrs	x5, contextidr_el1
	cmp	w5, w1
	b.ne	2f
	fmov	x5, d0
	cmp	x5, x1
	b.eq	1b
2:	str	x5, [x2, #8]
	b	2b
	endblob	st_kvm
