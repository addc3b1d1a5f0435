/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of nl_util.h (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/* x0 = 0x2a, then HVC #0. */
	blob	nl_hvc_blob
	movz	x0, #0x2a
	hvc	#0
	endblob	nl_hvc_blob

/* Stores x0 to FAULT_IPA, unmapped in the tests' boxes, then HVC #0. */
	blob	nl_fault_blob
	movz	x1, #0x8000, lsl #16
	str	x0, [x1]
	hvc	#0
	endblob	nl_fault_blob
