/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Blobs: guest code in guest/<test>.S (see guest/blob_asm.inc), assembled into
 * .rodata between global labels name_start and name_end.
 *
 * BLOB(name) declares them; BLOB_MARK(label) a label inside a blob, for
 * its offset; BLOB_LEN(name) is the size in bytes and ENTRY(name, label)
 * the byte offset of @label in blob @name.
 */
#ifndef S2BOX_BLOB_H
#define S2BOX_BLOB_H

#include <stddef.h>

#include <linux/types.h>

#define BLOB(name)	extern const __u32 name##_start[], name##_end[]
#define BLOB_MARK(label) extern const __u32 label[]
#define BLOB_LEN(name)	((size_t)(name##_end - name##_start) * 4)
#define ENTRY(name, label) ((__u64)((label) - name##_start) * 4)

#endif /* S2BOX_BLOB_H */
