/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2box_lib_test's guest image (lib_guest.c, built by the Makefile) inside
 * the test: LIB_GUEST_ELF is its path.
 */
	.pushsection .rodata
	.balign	16
	.global	lib_guest_elf, lib_guest_elf_end
lib_guest_elf:
	.incbin	LIB_GUEST_ELF
lib_guest_elf_end:
	.popsection
