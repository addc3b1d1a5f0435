/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sum: x0 = IPA of an array of u64, x1 = its length. Sums it and reports
 * the sum with HVC #1 in x0.
 */
	.section .rodata
	.balign	4
	.global	s2box_blob_sum, s2box_blob_sum_end
s2box_blob_sum:
	mov	x2, xzr
1:	cbz	x1, 2f
	ldr	x3, [x0], #8
	add	x2, x2, x3
	sub	x1, x1, #1
	b	1b
2:	mov	x0, x2
	hvc	#1
	b	.
s2box_blob_sum_end:
