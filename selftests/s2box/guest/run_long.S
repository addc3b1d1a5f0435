/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of run_long_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/* Counts in x0 for ever. */
	blob	spin_blob
1:	add	x0, x0, #1
	b	1b
	endblob	spin_blob
