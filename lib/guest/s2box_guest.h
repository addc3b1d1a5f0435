/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The guest side of libs2box: what a C function compiled to run in a box
 * may use. Freestanding (no libc): build with the cross compiler and
 *
 *   -ffreestanding -nostdlib -static -fno-pic -no-pie -mgeneral-regs-only
 *   -mstrict-align -T lib/guest/s2box_guest.ld lib/guest/s2box_crt.S
 *
 * (the box runs with its MMU off, so every access is to Device memory,
 * where an unaligned access faults: -mstrict-align). The host calls a
 * function with s2box_call(): the entry stub (s2box_crt.S) sets SP, calls
 * the function in x8 with x0..x7 as its arguments and returns x0..x7 to
 * the host with HVC #S2BOX_GUEST_HVC_RETURN.
 */
#ifndef S2BOX_GUEST_H
#define S2BOX_GUEST_H

/* The same value as S2BOX_HVC_RETURN of <s2box/s2box.h>. */
#define S2BOX_GUEST_HVC_RETURN	0x5b0

/* Where s2box_guest.ld links the image: IPA 0 stays unmapped. */
#define S2BOX_GUEST_BASE	0x100000

#ifndef __ASSEMBLER__

typedef unsigned long long s2box_u64;

/*
 * A function the host calls by its symbol: kept whole and out of line,
 * so s2box_elf_symbol() finds it even when nothing in the image calls it.
 */
#define S2BOX_GUEST_FN	__attribute__((used, noinline))

/*
 * Stops the box with HVC #@imm and x0 = @value; the host sees an HVC
 * exit and may run the box again to resume after it.
 */
#define s2box_guest_hvc(imm, value)					\
	({								\
		register s2box_u64 __x0 asm("x0") = (value);		\
		asm volatile("hvc #" #imm : "+r" (__x0) : : "memory");	\
		__x0;							\
	})

#endif /* __ASSEMBLER__ */

#endif /* S2BOX_GUEST_H */
