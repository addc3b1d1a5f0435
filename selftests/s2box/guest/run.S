/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of run_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/* x_i = 2 * x_i + i + 1 for x0..x7, HVC; then x0 += 0x100, HVC. */
	blob	hvc_blob
	lsl	x0, x0, #1
	add	x0, x0, #1
	lsl	x1, x1, #1
	add	x1, x1, #2
	lsl	x2, x2, #1
	add	x2, x2, #3
	lsl	x3, x3, #1
	add	x3, x3, #4
	lsl	x4, x4, #1
	add	x4, x4, #5
	lsl	x5, x5, #1
	add	x5, x5, #6
	lsl	x6, x6, #1
	add	x6, x6, #7
	lsl	x7, x7, #1
	add	x7, x7, #8
	hvc	#0xfeed
	add	x0, x0, #0x100
	hvc	#0x1
1:	b	1b
	endblob	hvc_blob

/* x0 = the sum of x1 64-bit words at x0. */
	blob	sum_blob
	mov	x2, #0
1:	ldr	x3, [x0], #8
	add	x2, x2, x3
	subs	x1, x1, #1
	b.ne	1b
	mov	x0, x2
	hvc	#0x5
	endblob	sum_blob

/* Counts in x0 for ever. */
	blob	loop_blob
1:	add	x0, x0, #1
	b	1b
	endblob	loop_blob

/*
 * Installs its own vector table, then UDF (x2 == 0) or SVC #0x1357. The
 * synchronous current-EL vector HVCs with x0 = ESR_EL1.EC, x1 = ELR_EL1,
 * x2 = ESR_EL1.
 */
	blob	vec_blob, 2048
	adr	x4, vec_blob_table
	msr	vbar_el1, x4
	isb
	cbnz	x2, 1f
	udf	#0x5a
	hvc	#0xbad
1:	svc	#0x1357
	hvc	#0xbad
	.balign	2048
vec_blob_table:
	.skip	0x200
	mrs	x2, esr_el1
	mrs	x1, elr_el1
	lsr	x0, x2, #26
	hvc	#0xe1
	endblob	vec_blob
