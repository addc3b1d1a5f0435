/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of lifetime_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/*
 * Box blobs (labels global, see BLOB() in kvm_vmm.h).
 *
 * sum: x0 = address, x1 = count of u64: sum them into x0, HVC #0.
 */
.pushsection .rodata, "a"
.balign 16
	mark	lt_sum_start
	mov	x2, #0
1:	cbz	x1, 2f
	ldr	x3, [x0], #8
	add	x2, x2, x3
	sub	x1, x1, #1
	b	1b
2:	mov	x0, x2
	hvc	#0
	endblob	lt_sum

/* spin: count in x2 forever; only the budget ends it. */
.pushsection .rodata, "a"
.balign 16
	mark	lt_spin_start
1:	add	x2, x2, #1
	b	1b
	endblob	lt_spin
