// SPDX-License-Identifier: GPL-2.0
/* The memory tests' limit and pattern helpers (mem_util.h). */

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <linux/types.h>

#include "mem_util.h"

__u64 max_buddy_block(__u32 page_size)
{
	return page_size == 4096 ? 4 * MIB : page_size == 16384 ? 32 * MIB :
	       512 * MIB;
}

int mem_write_limit(int mb)
{
	char text[16];
	int fd = open(MEM_LIMIT_PARAM, O_WRONLY | O_CLOEXEC);
	int len, ok;

	if (fd < 0)
		return -1;
	len = snprintf(text, sizeof(text), "%d", mb);
	ok = write(fd, text, len) == len;
	close(fd);
	return ok ? 0 : -1;
}

__u64 pat_word(__u64 ipa, __u32 tag)
{
	return tag ? ipa ^ ((__u64)tag * 0x9e3779b97f4a7c15ULL) : 0;
}

void pat_fill(void *buf, __u64 ipa, size_t len, __u32 tag)
{
	__u64 *w = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = pat_word(ipa + 8 * i, tag);
}

long pat_diff(const void *buf, __u64 ipa, size_t len, __u32 tag)
{
	const __u64 *w = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i] != pat_word(ipa + 8 * i, tag))
			return (long)(i * 8);
	return -1;
}
