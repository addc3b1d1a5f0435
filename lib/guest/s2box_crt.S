/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The entry stub of a guest image (see s2box_guest.h). s2box_call() sets
 * x0..x7 to the arguments, x8 to the function and the pc here; the stub
 * sets SP to the top of the image's stack, calls the function and hands
 * x0..x7 back with the return HVC. A box run again after that HVC (not
 * through s2box_call()) just reports the same return again.
 */
#include "s2box_guest.h"

	.section .text.s2box_entry, "ax"
	.global	_start
	.type	_start, %function
_start:
	adrp	x9, __s2box_stack_top
	add	x9, x9, :lo12:__s2box_stack_top
	mov	sp, x9
	blr	x8
1:	hvc	#S2BOX_GUEST_HVC_RETURN
	b	1b
	.size	_start, . - _start
