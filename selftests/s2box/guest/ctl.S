/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of ctl_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/* An undefined instruction: EL1 takes it. */
	blob	ctl_udf_blob
	udf	#0
	endblob	ctl_udf_blob

/* An endless loop. */
	blob	ctl_loop_blob
	b	.
	endblob	ctl_loop_blob
