/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of kvm_race_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/*
 * Labels C refers to are global (see BLOB() in kvm_vmm.h).
 *
 * KVM guest, x1 = counter, x2 = MMIO page, x3 = address of a marker in
 * its RAM, x4 = the marker: forever, count, put the count into
 * TPIDR_EL1, CONTEXTIDR_EL1 and D0, report it at MMIO offset 0 and check
 * all three still hold it when KVM resumes the guest, and that its RAM
 * still holds the marker; a changed value is reported at MMIO offset 8
 * (TPIDR_EL1), 16 (CONTEXTIDR_EL1), 24 (D0) or 32 (the marker: the guest
 * read memory through a stage 2 that is not its VM's, such as a box's
 * left in the TLB under VMID 0).
 */
.pushsection .rodata, "a"
.balign 16
	mark	count_kvm_start
	mov	x9, #0x300000
	msr	cpacr_el1, x9
	isb
1:	add	x1, x1, #1
	msr	tpidr_el1, x1
	msr	contextidr_el1, x1
	fmov	d0, x1
	str	x1, [x2]
	mov	x6, #8
	mrs	x5, tpidr_el1
	cmp	x5, x1
	b.ne	2f
	mov	x6, #16
	mrs	x5, contextidr_el1
	cmp	w5, w1
	b.ne	2f
	mov	x6, #24
	fmov	x5, d0
	cmp	x5, x1
	b.ne	2f
	mov	x6, #32
	ldr	x5, [x3]
	cmp	x5, x4
	b.ne	2f
	b	1b
2:	str	x5, [x2, x6]
	b	2b
	endblob	count_kvm

/*
 * Box, x0 = array, x1 = count, x2 = tag, x6 = address of a marker in its
 * memory (the IPA of the KVM guest's marker), x7 = the marker, FP
 * enabled by the host: HVC #3 if the marker is not there; put the tag
 * into TPIDR_EL1, CONTEXTIDR_EL1, MAIR_EL1 and D0, HVC #1; when resumed,
 * HVC #2 if any of them changed, HVC #3 if the marker did, else sum the
 * array into x0 and HVC #0.
 */
.pushsection .rodata, "a"
.balign 16
	mark	sum_box_start
	ldr	x5, [x6]
	cmp	x5, x7
	b.ne	4f
	msr	tpidr_el1, x2
	msr	contextidr_el1, x2
	msr	mair_el1, x2
	fmov	d0, x2
	hvc	#1
	mrs	x5, tpidr_el1
	cmp	x5, x2
	b.ne	3f
	mrs	x5, contextidr_el1
	cmp	w5, w2
	b.ne	3f
	mrs	x5, mair_el1
	cmp	x5, x2
	b.ne	3f
	fmov	x5, d0
	cmp	x5, x2
	b.ne	3f
	ldr	x5, [x6]
	cmp	x5, x7
	b.ne	4f
	mov	x5, #0
1:	cbz	x1, 2f
	ldr	x3, [x0], #8
	add	x5, x5, x3
	sub	x1, x1, #1
	b	1b
2:	mov	x0, x5
	hvc	#0
3:	hvc	#2
4:	hvc	#3
	endblob	sum_box

/*
 * Box, x0 = address in page A, x1 = address in page B, x2 = counter:
 * forever load from A, count, store the count to B.
 */
.pushsection .rodata, "a"
.balign 16
	mark	spin_box_start
1:	ldr	x3, [x0]
	add	x2, x2, #1
	str	x2, [x1]
	b	1b
	endblob	spin_box
