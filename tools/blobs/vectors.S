/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vectors: an EL1 vector table (2 KiB) whose every entry reports the
 * exception with HVC #0xe1, x0 = ESR_EL1, x1 = FAR_EL1, x2 = ELR_EL1, so
 * exceptions that stay in the box (an address-size fault with the MMU off,
 * an undefined instruction) show up as an exit too.
 */
	.section .rodata
	.balign	2048
	.global	s2box_blob_vectors, s2box_blob_vectors_end
s2box_blob_vectors:
	.rept	16
	.balign	128
	mrs	x0, esr_el1
	mrs	x1, far_el1
	mrs	x2, elr_el1
	hvc	#0xe1
	b	.
	.endr
s2box_blob_vectors_end:
