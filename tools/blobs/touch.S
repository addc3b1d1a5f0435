/* SPDX-License-Identifier: GPL-2.0 */
/*
 * touch: x0 = an IPA. Reads the u64 there, reports it with HVC #2 in x0,
 * then writes x1 there and reports with HVC #3. Pointed past the box's
 * IPA space, the read is a stage-2 fault instead.
 */
	.section .rodata
	.balign	4
	.global	s2box_blob_touch, s2box_blob_touch_end
s2box_blob_touch:
	mov	x2, x0
	ldr	x0, [x2]
	hvc	#2
	str	x1, [x2]
	hvc	#3
	b	.
s2box_blob_touch_end:
