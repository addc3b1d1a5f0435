// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests: box memory, for every granule and IPA size. S2BOX_MAP
 * and S2BOX_UNMAP against the GET_BOX_INFO counters, with a clean
 * S2BOX_AUDIT after every operation; pread, pwrite and mmap on the box fd;
 * every rejection with its errno; the per-box memory limit, detached
 * pages (UNMAPped while mmap()ed) included, and the fdinfo figures; the
 * highest mapping each IPA size allows.
 */

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "mem_fixture.h"
#include "pinned_util.h"

#define RW	(S2BOX_PROT_READ | S2BOX_PROT_WRITE)
#define RWX	(RW | S2BOX_PROT_EXEC)

/* Counters and audit, checked at this line. */
#define STATE(bytes, out) check_state(_metadata, self, bytes, out, "line", __LINE__)

TEST_F(mem, map_counters)
{
	__u64 a = self->align, b = self->base, per = a / self->granule;
	struct s2box_box_info info;

	ASSERT_EQ(0, box_map(self->box, b, a, RW));
	STATE(a, &info);
	EXPECT_EQ(0, info.block_maps);
	EXPECT_EQ(per, info.page_maps);
	/* Page descriptors live below the root, in a table of their own. */
	EXPECT_LT(info.root_pages, info.table_pages);
	ASSERT_EQ(0, box_map(self->box, b + 4 * a, 3 * a, S2BOX_PROT_READ));
	STATE(4 * a, &info);
	EXPECT_EQ(4 * per, info.page_maps);
	ASSERT_EQ(0, box_map(self->box, b + a, a, S2BOX_PROT_EXEC));
	STATE(5 * a, &info);
	EXPECT_EQ(5 * per, info.page_maps);
	if (self->blk_ok) {
		/* Block-aligned and block-sized: one block descriptor. */
		ASSERT_EQ(0, box_map(self->box, b + self->blk, self->blk, RW));
		STATE(5 * a + self->blk, &info);
		EXPECT_EQ(1, info.block_maps);
		EXPECT_EQ(5 * per, info.page_maps);
	}
	if (self->blk_ok && self->blk <= 4 * MIB) {
		/* Block-sized but one unit off: pages only. */
		ASSERT_EQ(0, box_map(self->box, b + 3 * self->blk + a,
				     self->blk, RW));
		STATE(5 * a + 2 * self->blk, &info);
		EXPECT_EQ(5 * per + self->blk / self->granule, info.page_maps);
	}
	/* All of it at once, holes included. */
	ASSERT_EQ(0, box_unmap(self->box, 0, self->top));
	STATE(0, NULL);
}

/*
 * Unmapping the middle unit of a block mapping splits the block into pages
 * (without blocks, of a page mapping); the rest keeps its data.
 */
TEST_F(mem, partial_unmap_splits_block)
{
	__u64 a = self->align, b = self->base;
	__u64 size = self->blk_ok ? self->blk : 8 * a, mid = b + size / 2;
	struct s2box_box_info before, after;
	char *buf = malloc(size);

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, box_map(self->box, b, size, RW));
	STATE(size, &before);
	ASSERT_EQ(self->blk_ok, before.block_maps);
	pat_fill(buf, b, size, 1);
	ASSERT_EQ(size, pwrite(self->box, buf, size, b));
	STATE(size, &before);
	ASSERT_EQ(0, box_unmap(self->box, mid, a));
	STATE(size - a, &after);
	if (self->blk_ok) {
		EXPECT_EQ(before.block_maps - 1, after.block_maps);
		EXPECT_EQ(before.page_maps + (size - a) / self->granule,
			  after.page_maps);
		EXPECT_EQ(before.table_pages + 1, after.table_pages);
	} else {
		EXPECT_EQ(before.page_maps - a / self->granule,
			  after.page_maps);
	}
	memset(buf, 0, size);
	ASSERT_EQ(size / 2, pread(self->box, buf, size, b));
	EXPECT_EQ(-1, pat_diff(buf, b, size / 2, 1));
	EXPECT_EQ(-1, pread(self->box, buf, a, mid));
	EXPECT_EQ(ENXIO, errno);
	ASSERT_EQ(size / 2 - a, pread(self->box, buf, size, mid + a));
	EXPECT_EQ(-1, pat_diff(buf, mid + a, size / 2 - a, 1));
	ASSERT_EQ(0, box_unmap(self->box, b, a));
	STATE(size - 2 * a, NULL);
	ASSERT_EQ(0, box_unmap(self->box, b, size));
	STATE(0, NULL);
	free(buf);
}

/*
 * Adjacent mappings of every protection, read-only and execute-only
 * included: the host reads and writes all of them in one call each.
 */
TEST_F(mem, rw_across_prots)
{
	static const __u32 prots[] = {
		S2BOX_PROT_READ, S2BOX_PROT_EXEC, RW,
		S2BOX_PROT_READ | S2BOX_PROT_EXEC, S2BOX_PROT_WRITE, RWX, 0,
	};
	__u64 a = self->align, b = self->base, ipa = b, len, size;
	char *buf, *back, piece[37];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(prots); i++) {
		size = (i % 2 + 1) * a;
		ASSERT_EQ(0, box_map(self->box, ipa, size, prots[i]));
		ipa += size;
		STATE(ipa - b, NULL);
	}
	len = ipa - b;
	buf = malloc(len);
	back = malloc(len);
	ASSERT_TRUE(buf && back);
	memset(back, 0xff, len);
	ASSERT_EQ(len, pread(self->box, back, len, b));
	EXPECT_EQ(-1, pat_diff(back, b, len, 0));
	pat_fill(buf, b, len, 7);
	ASSERT_EQ(len, pwrite(self->box, buf, len, b));
	STATE(len, NULL);
	memset(back, 0, len);
	ASSERT_EQ(len, pread(self->box, back, len, b));
	EXPECT_EQ(0, memcmp(buf, back, len));
	/* Odd-sized pieces at odd offsets, across every boundary. */
	for (ipa = b + a; ipa < b + len; ipa += a) {
		memset(piece, (int)(ipa / a), sizeof(piece));
		ASSERT_EQ(sizeof(piece),
			  pwrite(self->box, piece, sizeof(piece), ipa - 17));
		memcpy(buf + (ipa - 17 - b), piece, sizeof(piece));
	}
	STATE(len, NULL);
	ASSERT_EQ(len - 3, pread(self->box, back, len - 3, b + 3));
	EXPECT_EQ(0, memcmp(buf + 3, back, len - 3));
	free(buf);
	free(back);
}

TEST_F(mem, holes)
{
	__u64 a = self->align, b = self->base, t = self->top;
	char *buf = calloc(1, 3 * a);
	unsigned int i;

	ASSERT_NE(NULL, buf);
	/* Mapped, a hole, mapped. */
	ASSERT_EQ(0, box_map(self->box, b, a, RW));
	ASSERT_EQ(0, box_map(self->box, b + 2 * a, a, RW));
	STATE(2 * a, NULL);
	/* Starting in a hole: ENXIO, wherever the hole. */
	EXPECT_EQ(-1, pread(self->box, buf, a, b + a));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, pwrite(self->box, buf, 16, b + a));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, pread(self->box, buf, 64, b + 2 * a - 8));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, pread(self->box, buf, 2, b - 1));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, pwrite(self->box, buf, 2, 0));
	EXPECT_EQ(ENXIO, errno);
	/* Starting mapped and running into a hole: a short count. */
	memset(buf, 0x5a, 3 * a);
	EXPECT_EQ(10, pwrite(self->box, buf, 100, b + a - 10));
	STATE(2 * a, NULL);
	memset(buf, 0, 3 * a);
	EXPECT_EQ(a, pread(self->box, buf, 3 * a, b));
	for (i = 0; i < 10; i++)
		EXPECT_EQ(0x5a, buf[a - 10 + i]);
	EXPECT_EQ(0, buf[a - 11]);
	EXPECT_EQ(a - 1, pread(self->box, buf, 3 * a, b + 2 * a + 1));
	/* Past the IPA size. */
	EXPECT_EQ(-1, pread(self->box, buf, 16, t));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, pwrite(self->box, buf, 16, t));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, pread(self->box, buf, 16, t + a));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, pwrite(self->box, buf, 16, 1LL << 62));
	EXPECT_EQ(ENXIO, errno);
	/* An empty box is one big hole. */
	ASSERT_EQ(0, box_unmap(self->box, 0, t));
	STATE(0, NULL);
	EXPECT_EQ(-1, pread(self->box, buf, 16, b));
	EXPECT_EQ(ENXIO, errno);
	free(buf);
}

TEST_F(mem, mmap_shared_coherent)
{
	__u64 a = self->align, b = self->base, len = 2 * a;
	char *buf = malloc(len);
	__u64 *p, *q;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, box_map(self->box, b, len, RW));
	STATE(len, NULL);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->box, b);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, pat_diff(p, b, len, 0));
	/* Written through the mapping, read by pread. */
	pat_fill(p, b, len, 3);
	ASSERT_EQ(len, pread(self->box, buf, len, b));
	EXPECT_EQ(-1, pat_diff(buf, b, len, 3));
	/* Written by pwrite, read through the mapping. */
	pat_fill(buf, b, len, 4);
	ASSERT_EQ(len, pwrite(self->box, buf, len, b));
	EXPECT_EQ(-1, pat_diff(p, b, len, 4));
	STATE(len, NULL);
	/*
	 * A second mapping, not yet faulted in, as the buffer of pwrite and
	 * pread on the same box: its faults come while they hold the box.
	 */
	q = mmap(NULL, a, PROT_READ | PROT_WRITE, MAP_SHARED, self->box, b + a);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(a, pwrite(self->box, q, a, b));
	EXPECT_EQ(-1, pat_diff(p, b + a, a, 4));
	EXPECT_EQ(0, munmap(q, a));
	q = mmap(NULL, a, PROT_READ | PROT_WRITE, MAP_SHARED, self->box, b + a);
	ASSERT_NE(MAP_FAILED, q);
	pat_fill(buf, b, a, 5);
	ASSERT_EQ(a, pwrite(self->box, buf, a, b));
	ASSERT_EQ(a, pread(self->box, q, a, b));
	EXPECT_EQ(-1, pat_diff(p + a / 8, b, a, 5));
	STATE(len, NULL);
	/* The mappings keep the box alive once its fd is closed. */
	close(self->box);
	self->box = -1;
	p[a / 8] = 0x1234;
	EXPECT_EQ(0x1234, q[0]);
	EXPECT_EQ(0, munmap(p, len));
	EXPECT_EQ(0, munmap(q, a));
	free(buf);
}

TEST_F(mem, mmap_private_einval)
{
	__u64 a = self->align, b = self->base;

	ASSERT_EQ(0, box_map(self->box, b, a, RW));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, a, PROT_READ, MAP_PRIVATE,
				   self->box, b));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, a, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE, self->box, b));
	EXPECT_EQ(EINVAL, errno);
	STATE(a, NULL);
}

/* In a child: read @p[0] (must be @want), then touch @hole. */
static int touch_hole(const __u64 *p, __u64 want, __u64 *hole, int write)
{
	struct rlimit no_core = { 0, 0 };

	setrlimit(RLIMIT_CORE, &no_core);
	if (p[0] != want)
		return 2;
	if (write)
		__atomic_store_n(hole, 1, __ATOMIC_RELAXED);
	else
		__atomic_load_n(hole, __ATOMIC_RELAXED);
	return 0;
}

TEST_F(mem, mmap_hole_sigbus)
{
	__u64 a = self->align, b = self->base, w = pat_word(b, 5);
	int status, write;
	__u64 *p;
	pid_t pid;

	ASSERT_EQ(0, box_map(self->box, b, a, RW));
	ASSERT_EQ(8, pwrite(self->box, &w, 8, b));
	p = mmap(NULL, 2 * a, PROT_READ | PROT_WRITE, MAP_SHARED, self->box,
		 b);
	ASSERT_NE(MAP_FAILED, p);
	for (write = 0; write < 2; write++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(touch_hole(p, w, p + a / 8, write));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFSIGNALED(status)) {
			TH_LOG("%s of a hole: exit status %d", write ?
			       "write" : "read", WEXITSTATUS(status));
		}
		EXPECT_EQ(SIGBUS, WTERMSIG(status));
	}
	/* Nothing was mapped by the faults. */
	STATE(a, NULL);
	EXPECT_EQ(w, p[0]);
	EXPECT_EQ(0, munmap(p, 2 * a));
}

/*
 * UNMAP takes the pages from the box, not from a process that mapped
 * them: the process keeps reading (and may write) its old pages, while a
 * fresh MAP at the same IPA gives the box new, zeroed memory.
 */
TEST_F(mem, unmap_while_mmapped)
{
	__u64 a = self->align, b = self->base;
	char *buf = malloc(a);
	__u64 *p;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, box_map(self->box, b, a, RWX));
	pat_fill(buf, b, a, 6);
	ASSERT_EQ(a, pwrite(self->box, buf, a, b));
	p = mmap(NULL, a, PROT_READ | PROT_WRITE, MAP_SHARED, self->box, b);
	ASSERT_NE(MAP_FAILED, p);
	/* Fault in every page of it. */
	EXPECT_EQ(-1, pat_diff(p, b, a, 6));
	ASSERT_EQ(0, box_unmap(self->box, b, a));
	STATE(0, NULL);
	EXPECT_EQ(-1, pat_diff(p, b, a, 6));
	pat_fill(p, b, a, 8);
	EXPECT_EQ(-1, pread(self->box, buf, a, b));
	EXPECT_EQ(ENXIO, errno);
	ASSERT_EQ(0, box_map(self->box, b, a, RW));
	STATE(a, NULL);
	memset(buf, 0xff, a);
	ASSERT_EQ(a, pread(self->box, buf, a, b));
	EXPECT_EQ(-1, pat_diff(buf, b, a, 0));
	EXPECT_EQ(-1, pat_diff(p, b, a, 8));
	EXPECT_EQ(0, munmap(p, a));
	STATE(a, NULL);
	ASSERT_EQ(a, pread(self->box, buf, a, b));
	EXPECT_EQ(-1, pat_diff(buf, b, a, 0));
	free(buf);
}

TEST_F(mem, unmap_holes_ok)
{
	__u64 a = self->align, b = self->base, t = self->top;

	/* An empty box, then all of its IPA space. */
	EXPECT_EQ(0, box_unmap(self->box, b, a));
	EXPECT_EQ(0, box_unmap(self->box, 0, t));
	EXPECT_EQ(0, box_unmap(self->box, t - a, a));
	STATE(0, NULL);
	ASSERT_EQ(0, box_map(self->box, b + a, a, RW));
	ASSERT_EQ(0, box_map(self->box, b + 3 * a, 2 * a, RW));
	STATE(3 * a, NULL);
	/* Holes next to and between mappings. */
	EXPECT_EQ(0, box_unmap(self->box, b, a));
	EXPECT_EQ(0, box_unmap(self->box, b + 2 * a, a));
	EXPECT_EQ(0, box_unmap(self->box, b + 5 * a, 4 * a));
	STATE(3 * a, NULL);
	/* A range with holes and mappings in it. */
	EXPECT_EQ(0, box_unmap(self->box, b, 4 * a));
	STATE(a, NULL);
	EXPECT_EQ(0, box_unmap(self->box, b, 8 * a));
	STATE(0, NULL);
}

TEST_F(mem, map_overlap_eexist)
{
	/* Ranges [start, start + units) in units, against [2, 4). */
	static const int cases[][2] = {
		{ 2, 2 }, { 1, 2 }, { 3, 2 }, { 0, 8 }, { 3, 1 }, { 2, 1 },
	};
	__u64 a = self->align, b = self->base, w = pat_word(b, 9), r = 0;
	struct s2box_box_info before, after;
	unsigned int i;

	ASSERT_EQ(0, box_map(self->box, b + 2 * a, 2 * a, RW));
	ASSERT_EQ(8, pwrite(self->box, &w, 8, b + 2 * a));
	STATE(2 * a, &before);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		errno = 0;
		EXPECT_EQ(-1, box_map(self->box, b + cases[i][0] * a,
				      cases[i][1] * a, S2BOX_PROT_READ)) {
			TH_LOG("case %u", i);
		}
		EXPECT_EQ(EEXIST, errno);
		STATE(2 * a, &after);
		EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	}
	ASSERT_EQ(8, pread(self->box, &r, 8, b + 2 * a));
	EXPECT_EQ(w, r);
	/* Neighbours that only touch it are fine. */
	ASSERT_EQ(0, box_map(self->box, b + a, a, RW));
	ASSERT_EQ(0, box_map(self->box, b + 4 * a, a, RW));
	STATE(4 * a, NULL);
}

TEST_F(mem, map_einval)
{
	__u64 a = self->align, b = self->base, t = self->top;
	/* Off map_align: a host page, or a 4K granule on a 16K host. */
	__u64 off = a > 4096 ? 4096 : 512;
	const struct s2box_map bad[] = {
		{ .ipa = b + a / 2, .size = a, .prot = RW },
		{ .ipa = b + off, .size = a, .prot = RW },
		{ .ipa = b, .size = a / 2, .prot = RW },
		{ .ipa = b, .size = a + off, .prot = RW },
		{ .ipa = b, .size = a + 8, .prot = RW },
		{ .ipa = b, .size = 0, .prot = RW },
		{ .ipa = t - a, .size = 2 * a, .prot = RW },
		{ .ipa = t, .size = a, .prot = RW },
		{ .ipa = 0, .size = t + a, .prot = RW },
		{ .ipa = t << 1, .size = a, .prot = RW },
		{ .ipa = t - a, .size = 0 - (t - a), .prot = RW },
		{ .ipa = b, .size = 0 - a, .prot = RW },
		{ .ipa = 0 - a, .size = a, .prot = RW },
		{ .ipa = b, .size = a, .prot = 0x8 },
		{ .ipa = b, .size = a, .prot = RWX | 0x80000000U },
		{ .ipa = b, .size = a, .prot = RW, .flags = 1 },
		{ .ipa = b, .size = a, .prot = RW, .flags = 0x80000000U },
		{ .ipa = b, .size = a, .prot = RW, .reserved = { 1 } },
		{ .ipa = b, .size = a, .prot = RW, .reserved = { 0, 1ULL << 63 } },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->box, S2BOX_MAP, &bad[i])) {
			TH_LOG("case %u mapped", i);
		}
		EXPECT_EQ(EINVAL, errno) {
			TH_LOG("case %u: %s", i, strerror(errno));
		}
		STATE(0, NULL);
	}
	ASSERT_EQ(0, box_map(self->box, b, a, RW));
	STATE(a, NULL);
}

TEST_F(mem, unmap_einval)
{
	__u64 a = self->align, b = self->base, t = self->top;
	__u64 off = a > 4096 ? 4096 : 512;
	const struct s2box_unmap bad[] = {
		{ .ipa = b + a / 2, .size = a },
		{ .ipa = b + off, .size = a },
		{ .ipa = b, .size = a / 2 },
		{ .ipa = b, .size = a + off },
		{ .ipa = b, .size = 0 },
		{ .ipa = t - a, .size = 2 * a },
		{ .ipa = t, .size = a },
		{ .ipa = t - a, .size = 0 - (t - a) },
		{ .ipa = b, .size = 0 - a },
		{ .ipa = b, .size = a, .flags = 1 },
		{ .ipa = b, .size = a, .reserved = { 1 } },
		{ .ipa = b, .size = a, .reserved = { 0, 0, 0x80000000U } },
	};
	struct s2box_box_info before, after;
	unsigned int i;

	ASSERT_EQ(0, box_map(self->box, b, 2 * a, RW));
	STATE(2 * a, &before);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->box, S2BOX_UNMAP, &bad[i])) {
			TH_LOG("case %u unmapped", i);
		}
		EXPECT_EQ(EINVAL, errno) {
			TH_LOG("case %u: %s", i, strerror(errno));
		}
		STATE(2 * a, &after);
		EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	}
}

/* Callers built against an older or a newer header (see its rules). */
struct map_newer {
	struct s2box_map m;
	__u64 more;
};

struct map_older {
	__u64 ipa, size;
};

struct info_older {
	__u8 bytes[offsetof(struct s2box_box_info, mapped_bytes)];
};

struct audit_newer {
	struct s2box_audit a;
	__u64 more[2];
};

#define MAP_NEWER	_IOW(S2BOX_IOC_MAGIC, 0x03, struct map_newer)
#define MAP_OLDER	_IOW(S2BOX_IOC_MAGIC, 0x03, struct map_older)
#define INFO_OLDER	_IOR(S2BOX_IOC_MAGIC, 0x02, struct info_older)
#define AUDIT_NEWER	_IOR(S2BOX_IOC_MAGIC, 0x05, struct audit_newer)

TEST_F(mem, struct_sizes)
{
	__u64 a = self->align, b = self->base;
	struct map_newer newer = { { .ipa = b, .size = a, .prot = RW }, 1 };
	struct map_older older = { b + a, a };
	struct { struct info_older i; __u8 guard[64]; } small;
	struct s2box_box_info info;
	struct audit_newer big;
	unsigned int i;

	/* Unknown non-zero tail bytes: E2BIG, and nothing mapped. */
	EXPECT_EQ(-1, ioctl(self->box, MAP_NEWER, &newer));
	EXPECT_EQ(E2BIG, errno);
	STATE(0, NULL);
	newer.more = 0;
	ASSERT_EQ(0, ioctl(self->box, MAP_NEWER, &newer));
	/* A shorter structure reads as zero-extended: prot 0. */
	ASSERT_EQ(0, ioctl(self->box, MAP_OLDER, &older));
	STATE(2 * a, &info);
	/* Outputs are truncated to, or zero-filled up to, the caller's size. */
	memset(&small, 0xff, sizeof(small));
	ASSERT_EQ(0, ioctl(self->box, INFO_OLDER, &small));
	EXPECT_EQ(0, memcmp(&small.i, &info, sizeof(small.i)));
	for (i = 0; i < sizeof(small.guard); i++)
		EXPECT_EQ(0xff, small.guard[i]);
	memset(&big, 0xff, sizeof(big));
	ASSERT_EQ(0, ioctl(self->box, AUDIT_NEWER, &big));
	EXPECT_EQ(2 * a, big.a.bytes);
	EXPECT_EQ(0, big.more[0] | big.more[1]);
}

static int mem_read_limit(void)
{
	char text[16] = "";
	int fd = open(MEM_LIMIT_PARAM, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	return n > 0 ? atoi(text) : -1;
}

TEST_F(mem, map_limit_enomem)
{
	__u64 a = self->align, b = self->base;
	int saved = mem_read_limit(), box2;

	if (saved < 0)
		SKIP(return, "cannot read %s", MEM_LIMIT_PARAM);
	if (mem_write_limit(saved))
		SKIP(return, "cannot write %s (not root?)", MEM_LIMIT_PARAM);
	self->saved_limit = saved;
	ASSERT_EQ(0, mem_write_limit(4));
	errno = 0;
	EXPECT_EQ(-1, box_map(self->box, b, 8 * MIB, RW));
	EXPECT_EQ(ENOMEM, errno);
	STATE(0, NULL);
	/* Up to the limit exactly, and not a unit more. */
	ASSERT_EQ(0, box_map(self->box, b, 4 * MIB, RW));
	STATE(4 * MIB, NULL);
	EXPECT_EQ(-1, box_map(self->box, b + 4 * MIB, a, RW));
	EXPECT_EQ(ENOMEM, errno);
	STATE(4 * MIB, NULL);
	ASSERT_EQ(0, box_unmap(self->box, b, a));
	ASSERT_EQ(0, box_map(self->box, b + 4 * MIB, a, RW));
	STATE(4 * MIB, NULL);
	/* The limit is per box. */
	box2 = s2box_create(self->ctl, self->info.ipa_bits, self->granule);
	ASSERT_LE(0, box2);
	EXPECT_EQ(0, box_map(box2, b, 4 * MIB, RW));
	close(box2);
	ASSERT_EQ(0, box_unmap(self->box, 0, self->top));
	STATE(0, NULL);
}

#define DETACH_TRIES	8

/*
 * MAP, fault the pages in through mmap(), UNMAP, again: each round leaves
 * the box's old pages with the process. They must still count against
 * max_box_mem_mb (and as pinned) until the process lets go of them, or a
 * box would hold any amount of memory while under its limit.
 */
TEST_F(mem, detached_pages_count_against_limit)
{
	__u64 chunk = MIB, b = self->base, pin0 = vm_pinned(0);
	int saved = mem_read_limit(), i, n, page = getpagesize();
	char *maps[DETACH_TRIES];
	__u64 off;

	if (saved < 0)
		SKIP(return, "cannot read %s", MEM_LIMIT_PARAM);
	if (mem_write_limit(saved))
		SKIP(return, "cannot write %s (not root?)", MEM_LIMIT_PARAM);
	self->saved_limit = saved;
	ASSERT_NE(NO_VALUE, pin0);
	ASSERT_EQ(0, mem_write_limit(4));
	for (n = 0; n < DETACH_TRIES; n++) {
		errno = 0;
		if (box_map(self->box, b, chunk, RW))
			break;
		maps[n] = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_SHARED,
			       self->box, b);
		ASSERT_NE(MAP_FAILED, maps[n]);
		for (off = 0; off < chunk; off += page)
			maps[n][off] = (char)(n + 1);
		ASSERT_EQ(0, box_unmap(self->box, b, chunk));
		STATE(0, NULL);
	}
	EXPECT_EQ(4, n) {
		TH_LOG("%d rounds of 1 MiB under a 4 MiB limit", n);
	}
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_EQ(n * chunk, fdinfo_u64(self->box, "s2box_mem_bytes"));
	EXPECT_EQ(n * chunk, fdinfo_u64(self->box, "s2box_detached_bytes"));
	EXPECT_EQ(0, fdinfo_u64(self->box, "s2box_mapped_bytes"));
	EXPECT_EQ(n * chunk, fdinfo_u64(self->box, "s2box_pinned_bytes"));
	EXPECT_EQ(pin0 + n * chunk, vm_pinned(0));
	/* Each mapping still has its own pages. */
	for (i = 0; i < n; i++)
		EXPECT_EQ(i + 1, maps[i][chunk - page]);
	/* One let go of: the next MAP fits again. */
	ASSERT_LT(0, n);
	ASSERT_EQ(0, munmap(maps[0], chunk));
	ASSERT_EQ(0, box_map(self->box, b, chunk, RW));
	STATE(chunk, NULL);
	EXPECT_EQ(n * chunk, fdinfo_u64(self->box, "s2box_mem_bytes"));
	EXPECT_EQ((n - 1) * chunk,
		  fdinfo_u64(self->box, "s2box_detached_bytes"));
	for (i = 1; i < n; i++)
		ASSERT_EQ(0, munmap(maps[i], chunk));
	/* Closing the mappings lets the pages go soon, with no call. */
	for (i = 0; i < 200 && vm_pinned(0) != pin0 + chunk; i++)
		usleep(10000);
	EXPECT_EQ(pin0 + chunk, vm_pinned(0));
	EXPECT_EQ(chunk, fdinfo_u64(self->box, "s2box_mem_bytes"));
	EXPECT_EQ(0, fdinfo_u64(self->box, "s2box_detached_bytes"));
	EXPECT_EQ(chunk, fdinfo_u64(self->box, "s2box_pinned_bytes"));
	EXPECT_EQ(pin0 + chunk, vm_pinned(0));
	ASSERT_EQ(0, box_unmap(self->box, 0, self->top));
	STATE(0, NULL);
	EXPECT_EQ(0, fdinfo_u64(self->box, "s2box_mem_bytes"));
	EXPECT_EQ(pin0, vm_pinned(0));
}

/* The fdinfo of a box fd names the box. */
TEST_F(mem, fdinfo_figures)
{
	__u64 a = self->align, b = self->base;
	struct s2box_box_info info;

	ASSERT_EQ(0, box_map(self->box, b, 3 * a, RW));
	STATE(3 * a, &info);
	EXPECT_EQ(info.box_id, fdinfo_u64(self->box, "s2box_box_id"));
	EXPECT_EQ(info.ipa_bits, fdinfo_u64(self->box, "s2box_ipa_bits"));
	EXPECT_EQ(info.granule, fdinfo_u64(self->box, "s2box_granule"));
	EXPECT_EQ(getpid(), fdinfo_u64(self->box, "s2box_owner_pid"));
	EXPECT_EQ(3 * a, fdinfo_u64(self->box, "s2box_mapped_bytes"));
	EXPECT_EQ(3 * a, fdinfo_u64(self->box, "s2box_mem_bytes"));
	EXPECT_EQ(0, fdinfo_u64(self->box, "s2box_detached_bytes"));
	EXPECT_EQ(3 * a, fdinfo_u64(self->box, "s2box_pinned_bytes"));
	EXPECT_EQ(vm_pinned(0),
		  fdinfo_u64(self->box, "s2box_owner_pinned_bytes"));
	EXPECT_LE(3 * a, vm_pinned(0));
}

/* The last units below 2^ipa_bits, and the last block when there is one. */
TEST_F(mem, highest_mapping)
{
	__u64 a = self->align, t = self->top, ipa = t - a;
	__u64 tail[2] = { pat_word(t - 8, 11), 0 };
	struct s2box_box_info info;
	char *buf = malloc(2 * a);
	__u64 *p;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, box_map(self->box, ipa, a, RWX));
	STATE(a, NULL);
	pat_fill(buf, ipa, a, 11);
	ASSERT_EQ(a, pwrite(self->box, buf, a, ipa));
	STATE(a, NULL);
	/* Transfers stop at the top of the IPA space. */
	EXPECT_EQ(8, pwrite(self->box, tail, sizeof(tail), t - 8));
	memset(buf, 0, 2 * a);
	ASSERT_EQ(a, pread(self->box, buf, 2 * a, ipa));
	EXPECT_EQ(-1, pat_diff(buf, ipa, a, 11));
	p = mmap(NULL, a, PROT_READ, MAP_SHARED, self->box, ipa);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, pat_diff(p, ipa, a, 11));
	EXPECT_EQ(0, munmap(p, a));
	EXPECT_EQ(-1, box_map(self->box, ipa - a, 2 * a, RW));
	EXPECT_EQ(EEXIST, errno);
	ASSERT_EQ(0, box_map(self->box, ipa - a, a, RW));
	STATE(2 * a, NULL);
	ASSERT_EQ(0, box_unmap(self->box, ipa - a, 2 * a));
	STATE(0, NULL);
	if (!self->blk_ok)
		goto out;
	ASSERT_EQ(0, box_map(self->box, t - self->blk, self->blk, RW));
	STATE(self->blk, &info);
	EXPECT_LT(0, info.block_maps);
	ASSERT_EQ(a, pwrite(self->box, buf, a, ipa));
	memset(buf + a, 0, a);
	ASSERT_EQ(a, pread(self->box, buf + a, 2 * a, ipa));
	EXPECT_EQ(-1, pat_diff(buf + a, ipa, a, 11));
	ASSERT_EQ(0, box_unmap(self->box, t - self->blk, self->blk));
	STATE(0, NULL);
out:
	free(buf);
}

TEST_HARNESS_MAIN
