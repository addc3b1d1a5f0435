/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of run_timer_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/*
 * Arms the timer with a deadline long past and unmasked, spins so that a
 * firing timer would interrupt it, reads the timer back (x0 CTL, x2 CVAL),
 * then sets a deadline far ahead through TVAL and reads CTL (x5), CVAL
 * (x6) and the counter (x7).
 */
	blob	timer_blob
	msr	cntv_cval_el0, xzr
	mov	x1, #1
	msr	cntv_ctl_el0, x1
	isb
	mov	x3, #0x40000
1:	subs	x3, x3, #1
	b.ne	1b
	mrs	x0, cntv_ctl_el0
	mrs	x2, cntv_cval_el0
	mov	x1, #0x7fffffff
	msr	cntv_tval_el0, x1
	mrs	x5, cntv_ctl_el0
	mrs	x6, cntv_cval_el0
	isb
	mrs	x7, cntvct_el0
	hvc	#0x30
	endblob	timer_blob
