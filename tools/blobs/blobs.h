/* SPDX-License-Identifier: GPL-2.0 */
/* The blobs of tools/blobs, assembled into the tools that run them. */
#ifndef S2BOX_BLOBS_H
#define S2BOX_BLOBS_H

extern const char s2box_blob_sum[], s2box_blob_sum_end[];
extern const char s2box_blob_touch[], s2box_blob_touch_end[];
extern const char s2box_blob_vectors[], s2box_blob_vectors_end[];

#define S2BOX_BLOB_SIZE(name) \
	((unsigned long)(s2box_blob_##name##_end - s2box_blob_##name))

#endif /* S2BOX_BLOBS_H */
