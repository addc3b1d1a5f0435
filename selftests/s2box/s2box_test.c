// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests: capabilities, box creation per granule and IPA size,
 * the geometry each box reports against a table written by hand from the
 * Arm ARM, every rejection with its errno, and the same ABI from a 32-bit
 * caller.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/s2box.h>

#include "../kselftest_harness.h"
#include "s2box_util.h"

/*
 * Expected geometry, by hand from the Arm ARM stage-2 rules: with a
 * granule of 2^g bytes each level resolves g-3 bits; s2box takes the
 * fewest levels (at least two) whose reach plus up to 4 bits of root
 * concatenation covers the IPA. SL0 is 2 - start level for 4K and
 * 3 - start level for 16K/64K. DS=1 only past 48 bits with 4K/16K.
 */
struct geom_row {
	unsigned int ipa_bits, levels, sl0, root_pages, ds;
};

static const struct geom_row rows_4k[] = {
	{ 32, 2, 0, 4, 0 }, { 33, 2, 0, 8, 0 }, { 34, 2, 0, 16, 0 },
	{ 35, 3, 1, 1, 0 }, { 36, 3, 1, 1, 0 }, { 37, 3, 1, 1, 0 },
	{ 38, 3, 1, 1, 0 }, { 39, 3, 1, 1, 0 }, { 40, 3, 1, 2, 0 },
	{ 41, 3, 1, 4, 0 }, { 42, 3, 1, 8, 0 }, { 43, 3, 1, 16, 0 },
	{ 44, 4, 2, 1, 0 }, { 45, 4, 2, 1, 0 }, { 46, 4, 2, 1, 0 },
	{ 47, 4, 2, 1, 0 }, { 48, 4, 2, 1, 0 }, { 49, 4, 2, 2, 1 },
	{ 50, 4, 2, 4, 1 }, { 51, 4, 2, 8, 1 }, { 52, 4, 2, 16, 1 },
};

static const struct geom_row rows_16k[] = {
	{ 32, 2, 1, 1, 0 }, { 33, 2, 1, 1, 0 }, { 34, 2, 1, 1, 0 },
	{ 35, 2, 1, 1, 0 }, { 36, 2, 1, 1, 0 }, { 37, 2, 1, 2, 0 },
	{ 38, 2, 1, 4, 0 }, { 39, 2, 1, 8, 0 }, { 40, 2, 1, 16, 0 },
	{ 41, 3, 2, 1, 0 }, { 42, 3, 2, 1, 0 }, { 43, 3, 2, 1, 0 },
	{ 44, 3, 2, 1, 0 }, { 45, 3, 2, 1, 0 }, { 46, 3, 2, 1, 0 },
	{ 47, 3, 2, 1, 0 }, { 48, 3, 2, 2, 0 }, { 49, 3, 2, 4, 1 },
	{ 50, 3, 2, 8, 1 }, { 51, 3, 2, 16, 1 }, { 52, 4, 3, 1, 1 },
};

static const struct geom_row rows_64k[] = {
	{ 32, 2, 1, 1, 0 }, { 33, 2, 1, 1, 0 }, { 34, 2, 1, 1, 0 },
	{ 35, 2, 1, 1, 0 }, { 36, 2, 1, 1, 0 }, { 37, 2, 1, 1, 0 },
	{ 38, 2, 1, 1, 0 }, { 39, 2, 1, 1, 0 }, { 40, 2, 1, 1, 0 },
	{ 41, 2, 1, 1, 0 }, { 42, 2, 1, 1, 0 }, { 43, 2, 1, 2, 0 },
	{ 44, 2, 1, 4, 0 }, { 45, 2, 1, 8, 0 }, { 46, 2, 1, 16, 0 },
	{ 47, 3, 2, 1, 0 }, { 48, 3, 2, 1, 0 }, { 49, 3, 2, 1, 0 },
	{ 50, 3, 2, 1, 0 }, { 51, 3, 2, 1, 0 }, { 52, 3, 2, 1, 0 },
};

static const struct geom_row *expected_row(unsigned int granule,
					   unsigned int ipa_bits)
{
	const struct geom_row *rows = granule == S2BOX_GRANULE_4K ? rows_4k :
				      granule == S2BOX_GRANULE_16K ? rows_16k :
				      rows_64k;

	return &rows[ipa_bits - 32];
}

static unsigned int granule_shift(unsigned int granule)
{
	return granule == S2BOX_GRANULE_4K ? 12 :
	       granule == S2BOX_GRANULE_16K ? 14 : 16;
}

/* PS encoding of an output size in bits (VTCR_EL2.PS / PARange). */
static unsigned int ps_of_bits(unsigned int bits)
{
	static const unsigned int sizes[] = { 32, 36, 40, 42, 44, 48, 52 };
	unsigned int i;

	for (i = 0; i < 7; i++)
		if (sizes[i] == bits)
			return i;
	return 99;
}

/* VTCR_EL2 assembled from the expected fields (Arm ARM bit positions). */
static __u64 expected_vtcr(const struct s2box_caps *caps,
			   unsigned int granule, const struct geom_row *row,
			   unsigned int *ps_bits)
{
	unsigned int tg0 = granule == S2BOX_GRANULE_4K ? 0 :
			   granule == S2BOX_GRANULE_64K ? 1 : 2;
	unsigned int oa = caps->pa_bits;
	__u64 v;

	if (granule != S2BOX_GRANULE_64K && !row->ds && oa > 48)
		oa = 48;
	*ps_bits = oa;
	v = (__u64)(64 - row->ipa_bits);		/* T0SZ [5:0] */
	v |= (__u64)row->sl0 << 6;			/* SL0 [7:6] */
	v |= 1ULL << 8 | 1ULL << 10 | 3ULL << 12;	/* WBWA, inner sh. */
	v |= (__u64)tg0 << 14;			/* TG0 [15:14] */
	v |= (__u64)ps_of_bits(oa) << 16;		/* PS [18:16] */
	if (caps->vmid_bits == 16)
		v |= 1ULL << 19;			/* VS */
	v |= 1ULL << 31;				/* RES1 */
	if (row->ds)
		v |= 1ULL << 32;			/* DS */
	return v;
}

/* --- capabilities and the control device ---------------------------- */

TEST(caps_sane)
{
	struct s2box_caps caps;
	int fd = s2box_open_ctl();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, S2BOX_GET_CAPS, &caps));
	EXPECT_EQ(S2BOX_API_VERSION, caps.api_version);
	EXPECT_TRUE(caps.flags & S2BOX_CAP_VHE);
	EXPECT_GT(99, ps_of_bits(caps.pa_bits));
	EXPECT_TRUE(caps.vmid_bits == 8 || caps.vmid_bits == 16);
	EXPECT_EQ((unsigned int)getpagesize(), caps.host_page_size);
	EXPECT_EQ(!!(caps.granules & S2BOX_GRANULE_MASK_4K),
		  !!caps.ipa_bits_max_4k);
	EXPECT_EQ(!!(caps.granules & S2BOX_GRANULE_MASK_16K),
		  !!caps.ipa_bits_max_16k);
	EXPECT_EQ(!!(caps.granules & S2BOX_GRANULE_MASK_64K),
		  !!caps.ipa_bits_max_64k);
	EXPECT_GE(caps.pa_bits, caps.ipa_bits_max_4k);
	EXPECT_GE(caps.pa_bits, caps.ipa_bits_max_16k);
	EXPECT_GE(caps.pa_bits, caps.ipa_bits_max_64k);
	/* 52-bit IPA with 4K/16K exactly when LPA2 is reported. */
	EXPECT_EQ(caps.ipa_bits_max_4k == 52,
		  !!(caps.flags & S2BOX_CAP_LPA2_4K));
	EXPECT_EQ(caps.ipa_bits_max_16k == 52,
		  !!(caps.flags & S2BOX_CAP_LPA2_16K));
	for (int i = 0; i < 6; i++)
		EXPECT_EQ(0, caps.reserved[i]);
	TH_LOG("pa %u, ipa max 4K %u 16K %u 64K %u, vmid %u, flags 0x%x",
	       caps.pa_bits, caps.ipa_bits_max_4k, caps.ipa_bits_max_16k,
	       caps.ipa_bits_max_64k, caps.vmid_bits, caps.flags);
	close(fd);
}

TEST(device_mode_is_root_only)
{
	struct stat st;

	ASSERT_EQ(0, stat(S2BOX_DEVICE_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
}

TEST(unprivileged_open_denied)
{
	pid_t pid;
	int status;

	if (getuid() != 0)
		SKIP(return, "needs root to drop privileges");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(open(S2BOX_DEVICE_PATH, O_RDWR) < 0 &&
		      errno == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(unknown_ioctl_is_enotty)
{
	struct s2box_caps caps;
	int fd = s2box_open_ctl(), box;

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, _IO(S2BOX_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	/* Right number, wrong direction. */
	EXPECT_EQ(-1, ioctl(fd, _IOW(S2BOX_IOC_MAGIC, 0x00,
				     struct s2box_caps), &caps));
	EXPECT_EQ(ENOTTY, errno);
	/* A box-only ioctl on the control device, and the reverse. */
	EXPECT_EQ(-1, ioctl(fd, S2BOX_GET_BOX_INFO, &caps));
	EXPECT_EQ(ENOTTY, errno);
	box = s2box_create(fd, 40, S2BOX_GRANULE_64K);
	if (box < 0)
		box = s2box_create(fd, 32, S2BOX_GRANULE_4K);
	ASSERT_LE(0, box);
	EXPECT_EQ(-1, ioctl(box, S2BOX_GET_CAPS, &caps));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(box, _IO(S2BOX_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	close(box);
	close(fd);
}

TEST(module_pinned_while_box_open)
{
	int fd = s2box_open_ctl(), box;

	ASSERT_LE(0, fd);
	box = s2box_create(fd, 32, s2box_any_granule(fd));
	ASSERT_LE(0, box);
	close(fd);
	/* Only the box fd holds the module now: unloading must refuse. */
	EXPECT_EQ(-1, syscall(SYS_delete_module, "s2box", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	close(box);
}

/* --- struct extensibility ---------------------------------------------- */

struct s2box_create_v2 {
	struct s2box_create v1;
	__u64 future;
};

TEST(larger_struct_needs_zero_tail)
{
	struct s2box_create_v2 c = { 0 };
	int fd = s2box_open_ctl(), box;

	ASSERT_LE(0, fd);
	c.v1.ipa_bits = 32;
	c.v1.granule = s2box_any_granule(fd);
	box = ioctl(fd, _IOW(S2BOX_IOC_MAGIC, 0x01, struct s2box_create_v2),
		    &c);
	EXPECT_LE(0, box);
	close(box);
	c.future = 1;
	EXPECT_EQ(-1, ioctl(fd, _IOW(S2BOX_IOC_MAGIC, 0x01,
				     struct s2box_create_v2), &c));
	EXPECT_EQ(E2BIG, errno);
	close(fd);
}

TEST(smaller_caps_struct_is_truncated)
{
	__u32 words[3] = { 0xdead, 0xdead, 0xdead };
	int fd = s2box_open_ctl();

	ASSERT_LE(0, fd);
	/* An older caller that only knew flags and api_version. */
	ASSERT_EQ(0, ioctl(fd, _IOR(S2BOX_IOC_MAGIC, 0x00, __u64), words));
	EXPECT_EQ(S2BOX_API_VERSION, words[1]);
	EXPECT_EQ(0xdead, words[2]);
	close(fd);
}

/* --- rejections ---------------------------------------------------------- */

static int create_raw(int fd, struct s2box_create *c)
{
	int box = ioctl(fd, S2BOX_CREATE_BOX, c);

	if (box >= 0)
		close(box);
	return box < 0 ? errno : 0;
}

TEST(create_rejects_bad_input)
{
	struct s2box_caps caps;
	struct s2box_create c;
	int fd = s2box_open_ctl();
	unsigned int g, limit;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, S2BOX_GET_CAPS, &caps));
	g = s2box_any_granule(fd);
	limit = s2box_ipa_limit(&caps, g);

	memset(&c, 0, sizeof(c));
	c.granule = g;
	c.ipa_bits = 0;		/* 0 is an error, never a default */
	EXPECT_EQ(EINVAL, create_raw(fd, &c));
	c.ipa_bits = 31;
	EXPECT_EQ(EINVAL, create_raw(fd, &c));
	c.ipa_bits = limit + 1;
	EXPECT_EQ(EINVAL, create_raw(fd, &c));
	c.ipa_bits = 64;
	EXPECT_EQ(EINVAL, create_raw(fd, &c));
	c.ipa_bits = 32;
	EXPECT_EQ(0, create_raw(fd, &c));
	c.flags = 1;
	EXPECT_EQ(EINVAL, create_raw(fd, &c));
	c.flags = 0x80000000;
	EXPECT_EQ(EINVAL, create_raw(fd, &c));
	c.flags = 0;
	c.reserved[4] = 1;
	EXPECT_EQ(EINVAL, create_raw(fd, &c));
	c.reserved[4] = 0;
	c.granule = 8192;
	EXPECT_EQ(EINVAL, create_raw(fd, &c));
	c.granule = 0;
	EXPECT_EQ(EINVAL, create_raw(fd, &c));
	EXPECT_EQ(-1, ioctl(fd, S2BOX_CREATE_BOX, NULL));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

TEST(unsupported_granule_is_eopnotsupp)
{
	static const unsigned int granules[] = {
		S2BOX_GRANULE_4K, S2BOX_GRANULE_16K, S2BOX_GRANULE_64K
	};
	struct s2box_caps caps;
	struct s2box_create c = { .ipa_bits = 32 };
	int fd = s2box_open_ctl(), tried = 0;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, S2BOX_GET_CAPS, &caps));
	for (int i = 0; i < 3; i++) {
		if (s2box_ipa_limit(&caps, granules[i]))
			continue;
		c.granule = granules[i];
		EXPECT_EQ(EOPNOTSUPP, create_raw(fd, &c));
		tried++;
	}
	close(fd);
	if (!tried)
		SKIP(return, "every granule is supported on this CPU");
}

/* Fixture set-up shared by the box and granule fixtures. */
static void open_ctl_with_caps(struct __test_metadata *_metadata, int *ctl,
			       struct s2box_caps *caps)
{
	*ctl = s2box_open_ctl();
	ASSERT_LE(0, *ctl);
	ASSERT_EQ(0, ioctl(*ctl, S2BOX_GET_CAPS, caps));
}

/* --- geometry per granule and IPA size ------------------------------------ */

FIXTURE(box) {
	int ctl;
	struct s2box_caps caps;
};

FIXTURE_VARIANT(box) {
	unsigned int granule;
	unsigned int ipa_bits;
};

FIXTURE_VARIANT_ADD(box, g4k_32) {
	.granule = S2BOX_GRANULE_4K, .ipa_bits = 32,
};

FIXTURE_VARIANT_ADD(box, g4k_36) {
	.granule = S2BOX_GRANULE_4K, .ipa_bits = 36,
};

FIXTURE_VARIANT_ADD(box, g4k_40) {
	.granule = S2BOX_GRANULE_4K, .ipa_bits = 40,
};

FIXTURE_VARIANT_ADD(box, g4k_44) {
	.granule = S2BOX_GRANULE_4K, .ipa_bits = 44,
};

FIXTURE_VARIANT_ADD(box, g4k_48) {
	.granule = S2BOX_GRANULE_4K, .ipa_bits = 48,
};

FIXTURE_VARIANT_ADD(box, g4k_52) {
	.granule = S2BOX_GRANULE_4K, .ipa_bits = 52,
};

FIXTURE_VARIANT_ADD(box, g16k_32) {
	.granule = S2BOX_GRANULE_16K, .ipa_bits = 32,
};

FIXTURE_VARIANT_ADD(box, g16k_36) {
	.granule = S2BOX_GRANULE_16K, .ipa_bits = 36,
};

FIXTURE_VARIANT_ADD(box, g16k_40) {
	.granule = S2BOX_GRANULE_16K, .ipa_bits = 40,
};

FIXTURE_VARIANT_ADD(box, g16k_44) {
	.granule = S2BOX_GRANULE_16K, .ipa_bits = 44,
};

FIXTURE_VARIANT_ADD(box, g16k_48) {
	.granule = S2BOX_GRANULE_16K, .ipa_bits = 48,
};

FIXTURE_VARIANT_ADD(box, g16k_52) {
	.granule = S2BOX_GRANULE_16K, .ipa_bits = 52,
};

FIXTURE_VARIANT_ADD(box, g64k_32) {
	.granule = S2BOX_GRANULE_64K, .ipa_bits = 32,
};

FIXTURE_VARIANT_ADD(box, g64k_36) {
	.granule = S2BOX_GRANULE_64K, .ipa_bits = 36,
};

FIXTURE_VARIANT_ADD(box, g64k_40) {
	.granule = S2BOX_GRANULE_64K, .ipa_bits = 40,
};

FIXTURE_VARIANT_ADD(box, g64k_44) {
	.granule = S2BOX_GRANULE_64K, .ipa_bits = 44,
};

FIXTURE_VARIANT_ADD(box, g64k_48) {
	.granule = S2BOX_GRANULE_64K, .ipa_bits = 48,
};

FIXTURE_VARIANT_ADD(box, g64k_52) {
	.granule = S2BOX_GRANULE_64K, .ipa_bits = 52,
};

FIXTURE_SETUP(box)
{
	open_ctl_with_caps(_metadata, &self->ctl, &self->caps);
}

FIXTURE_TEARDOWN(box)
{
	close(self->ctl);
}

/* Create the variant's box, or check the refusal the host must give. */
static int create_or_check_refusal(struct __test_metadata *_metadata,
				   int ctl, const struct s2box_caps *caps,
				   unsigned int ipa_bits, unsigned int granule)
{
	unsigned int limit = s2box_ipa_limit(caps, granule);
	int box = s2box_create(ctl, ipa_bits, granule);

	if (!limit) {
		EXPECT_EQ(-1, box);
		EXPECT_EQ(EOPNOTSUPP, errno);
		return -1;
	}
	if (ipa_bits > limit) {
		EXPECT_EQ(-1, box);
		EXPECT_EQ(EINVAL, errno);
		return -1;
	}
	EXPECT_LE(0, box);
	return box;
}

TEST_F(box, geometry_matches_table)
{
	const struct geom_row *row = expected_row(variant->granule,
						  variant->ipa_bits);
	struct s2box_box_info info;
	unsigned int ps_bits;
	__u64 vtcr;
	int box;

	box = create_or_check_refusal(_metadata, self->ctl, &self->caps,
				      variant->ipa_bits, variant->granule);
	if (box < 0)
		SKIP(return, "%u-bit IPA with granule %u refused as expected",
		     variant->ipa_bits, variant->granule);
	vtcr = expected_vtcr(&self->caps, variant->granule, row, &ps_bits);
	ASSERT_EQ(0, ioctl(box, S2BOX_GET_BOX_INFO, &info));
	EXPECT_EQ(vtcr, info.vtcr);
	EXPECT_EQ(variant->ipa_bits, info.ipa_bits);
	EXPECT_EQ(variant->granule, info.granule);
	EXPECT_EQ(row->levels, info.levels);
	EXPECT_EQ(4 - (int)row->levels, info.start_level);
	EXPECT_EQ(row->sl0, info.sl0);
	EXPECT_EQ(0, info.sl2);
	EXPECT_EQ(64 - variant->ipa_bits, info.t0sz);
	EXPECT_EQ(ps_of_bits(ps_bits), info.ps);
	EXPECT_EQ(ps_bits, info.ps_bits);
	EXPECT_EQ(row->ds, info.ds);
	EXPECT_EQ(self->caps.vmid_bits == 16, info.vs);
	EXPECT_EQ(row->root_pages, info.root_pages);
	EXPECT_EQ(row->root_pages << granule_shift(variant->granule),
		  info.root_align);
	EXPECT_NE(0, info.box_id);
	TH_LOG("vtcr 0x%llx levels %u start %d sl0 %u t0sz %u ps %u root %u",
	       (unsigned long long)info.vtcr, info.levels, info.start_level,
	       info.sl0, info.t0sz, info.ps, info.root_pages);
	close(box);
}

TEST_F(box, fd_is_cloexec_and_ids_unique)
{
	struct s2box_box_info a, b;
	int box1, box2;

	box1 = create_or_check_refusal(_metadata, self->ctl, &self->caps,
				       variant->ipa_bits, variant->granule);
	if (box1 < 0)
		SKIP(return, "geometry refused on this host");
	box2 = s2box_create(self->ctl, variant->ipa_bits, variant->granule);
	ASSERT_LE(0, box2);
	EXPECT_TRUE(fcntl(box1, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDWR, fcntl(box1, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, ioctl(box1, S2BOX_GET_BOX_INFO, &a));
	ASSERT_EQ(0, ioctl(box2, S2BOX_GET_BOX_INFO, &b));
	EXPECT_LT(a.box_id, b.box_id);
	close(box1);
	close(box2);
}

/* Every IPA size 32..52 of each granule, not just the six above. */
FIXTURE(granule) {
	int ctl;
	struct s2box_caps caps;
};

FIXTURE_VARIANT(granule) {
	unsigned int granule;
};

FIXTURE_VARIANT_ADD(granule, g4k) { .granule = S2BOX_GRANULE_4K };
FIXTURE_VARIANT_ADD(granule, g16k) { .granule = S2BOX_GRANULE_16K };
FIXTURE_VARIANT_ADD(granule, g64k) { .granule = S2BOX_GRANULE_64K };

FIXTURE_SETUP(granule)
{
	open_ctl_with_caps(_metadata, &self->ctl, &self->caps);
}

FIXTURE_TEARDOWN(granule)
{
	close(self->ctl);
}

TEST_F(granule, every_ipa_size)
{
	unsigned int limit = s2box_ipa_limit(&self->caps, variant->granule);
	struct s2box_box_info info;
	unsigned int bits, ps_bits;

	if (!limit)
		SKIP(return, "granule %u absent at stage 2", variant->granule);
	for (bits = 32; bits <= 52; bits++) {
		const struct geom_row *row = expected_row(variant->granule, bits);
		int box = s2box_create(self->ctl, bits, variant->granule);

		if (bits > limit) {
			EXPECT_EQ(-1, box);
			EXPECT_EQ(EINVAL, errno);
			continue;
		}
		ASSERT_LE(0, box);
		ASSERT_EQ(0, ioctl(box, S2BOX_GET_BOX_INFO, &info));
		EXPECT_EQ(expected_vtcr(&self->caps, variant->granule, row,
					&ps_bits), info.vtcr);
		EXPECT_EQ(row->root_pages, info.root_pages);
		close(box);
	}
}

/* --- 32-bit callers ------------------------------------------------------ */

#if __SIZEOF_POINTER__ == 8
/*
 * The same ABI tests, built for AArch32 (s2box_test32 beside this binary),
 * prove the structures and compat_ioctl path are identical for 32-bit
 * callers. CPUs without AArch32 EL0 (a64fx) refuse to exec it.
 */
#define NO_AARCH32	100

/* The child's TAP must not read as this run's own results: indent it. */
static void relay_as_comments(int fd)
{
	FILE *in = fdopen(fd, "r");
	char line[512];

	if (!in)
		return;
	while (fgets(line, sizeof(line), in))
		printf("#   %s", line);
	fclose(in);
	fflush(stdout);
}

TEST(compat32_abi)
{
	char self[256], path[300], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int status, out[2];
	pid_t pid;

	ASSERT_LT(0, n);
	self[n] = '\0';
	slash = strrchr(self, '/');
	ASSERT_NE(NULL, slash);
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/s2box_test32", self);
	if (access(path, X_OK))
		SKIP(return, "no 32-bit build next to this test");
	ASSERT_EQ(0, pipe(out));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(out[1], 2);
		execl(path, path, "-f", "box", "-f", "granule", "-t", "caps_sane",
		      "-t", "create_rejects_bad_input",
		      "-t", "larger_struct_needs_zero_tail",
		      "-t", "smaller_caps_struct_is_truncated",
		      "-t", "unknown_ioctl_is_enotty", (char *)NULL);
		_exit(errno == ENOEXEC ? NO_AARCH32 : 1);
	}
	close(out[1]);
	relay_as_comments(out[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == NO_AARCH32)
		SKIP(return, "this CPU has no AArch32 EL0");
	EXPECT_EQ(0, WEXITSTATUS(status));
}
#endif

TEST_HARNESS_MAIN
