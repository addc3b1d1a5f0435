/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The box-memory fixture shared by s2box_mem_test and s2box_mem_random_test:
 * one fresh box per test for every granule and IPA size, and the checks
 * every test runs after each operation. Include after kselftest_harness.h,
 * once per program.
 */
#ifndef S2BOX_MEM_FIXTURE_H
#define S2BOX_MEM_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/s2box.h>

#include "mem_util.h"
#include "s2box_util.h"

FIXTURE(mem) {
	int ctl, box;
	struct s2box_caps caps;
	struct s2box_box_info info;	/* as created */
	__u64 top;			/* 2^ipa_bits */
	__u64 align;			/* map_align */
	__u64 granule;
	__u64 blk;			/* smallest stage-2 block */
	int blk_ok;			/* the buddy allocator can back blk */
	__u64 base;			/* a roomy, block-aligned IPA */
	int saved_limit;		/* max_box_mem_mb to restore, or -1 */
};

FIXTURE_VARIANT(mem) {
	unsigned int granule, ipa_bits;
};

FIXTURE_VARIANT_ADD(mem, g4k_ipa32) { S2BOX_GRANULE_4K, 32 };
FIXTURE_VARIANT_ADD(mem, g4k_ipa36) { S2BOX_GRANULE_4K, 36 };
FIXTURE_VARIANT_ADD(mem, g4k_ipa40) { S2BOX_GRANULE_4K, 40 };
FIXTURE_VARIANT_ADD(mem, g4k_ipa44) { S2BOX_GRANULE_4K, 44 };
FIXTURE_VARIANT_ADD(mem, g4k_ipa48) { S2BOX_GRANULE_4K, 48 };
FIXTURE_VARIANT_ADD(mem, g4k_ipa52) { S2BOX_GRANULE_4K, 52 };
FIXTURE_VARIANT_ADD(mem, g16k_ipa32) { S2BOX_GRANULE_16K, 32 };
FIXTURE_VARIANT_ADD(mem, g16k_ipa36) { S2BOX_GRANULE_16K, 36 };
FIXTURE_VARIANT_ADD(mem, g16k_ipa40) { S2BOX_GRANULE_16K, 40 };
FIXTURE_VARIANT_ADD(mem, g16k_ipa44) { S2BOX_GRANULE_16K, 44 };
FIXTURE_VARIANT_ADD(mem, g16k_ipa48) { S2BOX_GRANULE_16K, 48 };
FIXTURE_VARIANT_ADD(mem, g16k_ipa52) { S2BOX_GRANULE_16K, 52 };
FIXTURE_VARIANT_ADD(mem, g64k_ipa32) { S2BOX_GRANULE_64K, 32 };
FIXTURE_VARIANT_ADD(mem, g64k_ipa36) { S2BOX_GRANULE_64K, 36 };
FIXTURE_VARIANT_ADD(mem, g64k_ipa40) { S2BOX_GRANULE_64K, 40 };
FIXTURE_VARIANT_ADD(mem, g64k_ipa44) { S2BOX_GRANULE_64K, 44 };
FIXTURE_VARIANT_ADD(mem, g64k_ipa48) { S2BOX_GRANULE_64K, 48 };
FIXTURE_VARIANT_ADD(mem, g64k_ipa52) { S2BOX_GRANULE_64K, 52 };

FIXTURE_SETUP(mem)
{
	char why[96];

	self->box = -1;
	self->saved_limit = -1;
	self->ctl = s2box_open_ctl();
	ASSERT_LE(0, self->ctl);
	ASSERT_EQ(0, ioctl(self->ctl, S2BOX_GET_CAPS, &self->caps));
	if (s2box_geometry_refused(&self->caps, variant->granule,
				   variant->ipa_bits, why, sizeof(why)))
		SKIP(return, "%s", why);
	self->box = s2box_create(self->ctl, variant->ipa_bits,
				 variant->granule);
	ASSERT_LE(0, self->box);
	ASSERT_EQ(0, ioctl(self->box, S2BOX_GET_BOX_INFO, &self->info));
	self->granule = variant->granule;
	self->top = 1ULL << variant->ipa_bits;
	self->align = self->granule > self->caps.host_page_size ?
		      self->granule : self->caps.host_page_size;
	ASSERT_EQ(self->align, self->info.map_align);
	ASSERT_EQ(0, self->info.mapped_bytes);
	ASSERT_EQ(self->info.root_pages, self->info.table_pages);
	ASSERT_EQ(0, self->info.block_maps);
	ASSERT_EQ(0, self->info.page_maps);
	ASSERT_EQ(0, self->info.reserved1);
	/* A new box: no clone, no snapshot. */
	ASSERT_EQ(0, self->info.clone_of | self->info.snapshot_bytes |
		  self->info.shared_bytes);
	/* A block at the last table level: 2 MiB, 32 MiB or 512 MiB. */
	self->blk = self->granule * (self->granule / 8);
	self->blk_ok = self->blk <= max_buddy_block(self->caps.host_page_size);
	self->base = 1ULL << 30;
}

FIXTURE_TEARDOWN(mem)
{
	/* Tests that lower the per-box limit put it back, even on failure. */
	EXPECT_TRUE(self->saved_limit < 0 ||
		    !mem_write_limit(self->saved_limit));
	if (self->box >= 0)
		close(self->box);
	close(self->ctl);
}

/*
 * GET_BOX_INFO and AUDIT must agree with each other and with @bytes, the
 * memory the test believes is mapped; the audit must be clean. Leaves
 * the info in @out when it is not NULL. A failure logs both structures
 * and "@what @n" (where the check was made). @self is FIXTURE_DATA(mem),
 * spelled out as the harness defines it (checkpatch misreads the macro).
 */
static inline void check_state(struct __test_metadata *_metadata,
			       struct _test_data_mem *self, __u64 bytes,
			       struct s2box_box_info *out, const char *what,
			       long n)
{
	struct s2box_box_info i;
	struct s2box_audit a;
	int err, ok;

	memset(&a, 0xa5, sizeof(a));
	err = ioctl(self->box, S2BOX_AUDIT, &a) ? errno : 0;
	ASSERT_EQ(0, ioctl(self->box, S2BOX_GET_BOX_INFO, &i));
	ok = !err && i.mapped_bytes == bytes && !a.bad_desc &&
	     !a.empty_tables && !a.foreign &&
	     !(a.reserved[0] | a.reserved[1] | a.reserved[2]) &&
	     a.bytes == i.mapped_bytes && a.blocks == i.block_maps &&
	     a.pages == i.page_maps && a.tables + i.root_pages == i.table_pages;
	/* No test maps enough for a block above the last table level. */
	ok = ok && i.mapped_bytes == i.block_maps * self->blk +
		   i.page_maps * self->granule;
	/* An empty box is down to its root tables. */
	ok = ok && (bytes || i.table_pages == i.root_pages);
	ASSERT_TRUE(ok) {
		TH_LOG("at %s %ld: want %llu bytes mapped", what, n, bytes);
		TH_LOG("audit: %s; tables %llu blocks %llu pages %llu bytes %llu",
		       strerror(err), a.tables, a.blocks, a.pages, a.bytes);
		TH_LOG("audit: bad %llu empty %llu foreign %llu", a.bad_desc,
		       a.empty_tables, a.foreign);
		TH_LOG("info: mapped %llu, tables %llu (root %u), blocks %llu, pages %llu",
		       i.mapped_bytes, i.table_pages, i.root_pages,
		       i.block_maps, i.page_maps);
	}
	if (out)
		*out = i;
}

#endif /* S2BOX_MEM_FIXTURE_H */
