/* SPDX-License-Identifier: GPL-2.0 */
/* The limit and pattern helpers of the memory tests (mem_fixture.h). */
#ifndef S2BOX_MEM_UTIL_H
#define S2BOX_MEM_UTIL_H

#include <stddef.h>

#include <linux/types.h>

#define MEM_LIMIT_PARAM	"/sys/module/s2box/parameters/max_box_mem_mb"
#define MIB		(1024ULL * 1024)

/*
 * The buddy allocator's largest block for a host page size (MAX_PAGE_ORDER
 * of Debian's arm64 kernels: 10 for 4K, 11 for 16K, 13 for 64K pages).
 */
__u64 max_buddy_block(__u32 page_size);
/* Writes max_box_mem_mb. */
int mem_write_limit(int mb);
/* The word a pattern puts at @ipa (8-byte aligned); tag 0 is fresh memory. */
__u64 pat_word(__u64 ipa, __u32 tag);
void pat_fill(void *buf, __u64 ipa, size_t len, __u32 tag);
/* Byte offset of the first word that differs from the pattern, or -1. */
long pat_diff(const void *buf, __u64 ipa, size_t len, __u32 tag);

#endif /* S2BOX_MEM_UTIL_H */
