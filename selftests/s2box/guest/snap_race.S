/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of snap_race_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/*
 * KVM guest, x1 = counter, x2 = MMIO page, x3 = address of a marker in
 * its RAM, x4 = the marker: forever, count and report the count at MMIO
 * offset 0; if the marker ever reads otherwise (the guest read memory
 * through a stage 2 that is not its VM's: a box's reset or clone left in
 * the TLB), report what it read at offset 8, for ever.
 */
	blob	snap_kvm
1:	add	x1, x1, #1
	str	x1, [x2]
	ldr	x5, [x3]
	cmp	x5, x4
	b.eq	1b
2:	str	x5, [x2, #8]
	b	2b
	endblob	snap_kvm
