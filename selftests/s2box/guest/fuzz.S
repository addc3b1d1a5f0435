/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of the fuzzer (fuzz_cpu.h: BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/* Blobs: the fuzzer knows what each does and checks it did. */
	blob	fz_hvc_blob
	add	x0, x1, x2
	hvc	#0x5a
	endblob	fz_hvc_blob

	blob	fz_load_blob
	ldr	x3, [x4]
	hvc	#0x5b
	endblob	fz_load_blob

	blob	fz_store_blob
	str	x5, [x6]
	hvc	#0x5c
	endblob	fz_store_blob

	blob	fz_loop_blob
	mark	fz_loop_again
	b	fz_loop_again
	endblob	fz_loop_blob

	blob	fz_count_blob
	mark	fz_count_again
	subs	x7, x7, #1
	b.ne	fz_count_again
	hvc	#0x5d
	endblob	fz_count_blob

/* One random instruction (patched over the NOP), then HVC #0x5e. */
	blob	fz_rand_blob
	nop
	hvc	#0x5e
	endblob	fz_rand_blob
