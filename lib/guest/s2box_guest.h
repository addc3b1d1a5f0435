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

/*
 * A function the host calls is found by its symbol (s2box_elf_symbol()),
 * so it must not be static; nothing else is needed.
 *
 * s2box_guest_hvc(imm, value) stops the box with HVC #@imm and x0 =
 * @value; the host sees an HVC exit and may run the box again to resume
 * after it, with whatever x0 it set then as the result.
 */
#define s2box_guest_hvc(imm, value)					\
	({								\
		register unsigned long __x0 asm("x0") = (value);	\
		asm volatile("hvc #" #imm : "+r" (__x0) : : "memory");	\
		__x0;							\
	})

/* One 64-bit store, exactly as written (the host may watch it fault). */
/* unsigned long is 64 bits here (LP64), the width of x0..x7. */
static inline void s2box_guest_store64(unsigned long ipa,
				       unsigned long value)
{
	asm volatile("str %1, [%0]" : : "r" (ipa), "r" (value) : "memory");
}

static inline unsigned long s2box_guest_load64(unsigned long ipa)
{
	unsigned long v;

	asm volatile("ldr %0, [%1]" : "=r" (v) : "r" (ipa) : "memory");
	return v;
}

#endif /* __ASSEMBLER__ */

#endif /* S2BOX_GUEST_H */
