// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests: libs2box from the guest's side, per granule. A C
 * guest image (lib_guest.c, linked with lib/guest) loaded with
 * s2box_load_elf() and called with eight arguments must compute what the
 * host computes; a store to an unmapped IPA must come back as a decoded
 * stage-2 fault exit naming that IPA, and a store to the image's code as
 * a permission fault (the segment flags are the stage-2 permissions); a
 * spinning call must end at its budget; bad geometries and bad calls get
 * the errnos <s2box/s2box.h> documents.
 */

#include <errno.h>
#include <string.h>

#include "../kselftest_harness.h"

#include <s2box/s2box.h>

/* The guest image, built by the Makefile, inside this binary (guest/lib_image.S). */
extern const char lib_guest_elf[], lib_guest_elf_end[];

#define IMAGE_LEN	((size_t)(lib_guest_elf_end - lib_guest_elf))
/* Unmapped: the image sits at 1 MiB, and a 32-bit box ends at 4 GiB. */
#define HOLE_IPA	0x80000008ULL

FIXTURE(lib) {
	struct s2box_dev *dev;
	struct s2box_box *box;
	struct s2box_elf elf;
};

FIXTURE_VARIANT(lib) {
	unsigned int granule;
};

FIXTURE_VARIANT_ADD(lib, g4k) { .granule = S2BOX_GRANULE_4K };
FIXTURE_VARIANT_ADD(lib, g16k) { .granule = S2BOX_GRANULE_16K };
FIXTURE_VARIANT_ADD(lib, g64k) { .granule = S2BOX_GRANULE_64K };

FIXTURE_SETUP(lib)
{
	int err;

	self->box = NULL;
	err = s2box_open(&self->dev);
	ASSERT_EQ(0, err) {
		TH_LOG("s2box_open: %s", s2box_strerror(err));
	}
	if (!s2box_caps_ipa_limit(s2box_dev_caps(self->dev), variant->granule))
		SKIP(return, "the %uK granule is not supported at stage 2",
		     variant->granule >> 10);
	err = s2box_box_create(self->dev, S2BOX_IPA_BITS_MIN, variant->granule,
			       &self->box);
	ASSERT_EQ(0, err) {
		TH_LOG("%s", s2box_dev_errmsg(self->dev));
	}
	err = s2box_load_elf(self->box, lib_guest_elf, IMAGE_LEN, &self->elf);
	ASSERT_EQ(0, err) {
		TH_LOG("%s", s2box_box_errmsg(self->box));
	}
}

FIXTURE_TEARDOWN(lib)
{
	s2box_box_destroy(self->box);
	s2box_close(self->dev);
}

static __u64 sym(struct __test_metadata *_metadata, struct s2box_box *box,
		 const char *name)
{
	__u64 v = 0;

	EXPECT_EQ(0, s2box_box_symbol(box, name, &v)) {
		TH_LOG("no symbol %s in the guest image", name);
	}
	return v;
}

#define CALL(fn, args, n, res) \
	s2box_call(self->box, sym(_metadata, self->box, fn), args, n, res)

static __u64 mix8(const __u64 *a)
{
	return (a[0] * 1) ^ (a[1] * 3) ^ (a[2] * 5) ^ (a[3] * 7) ^
	       (a[4] * 11) ^ (a[5] * 13) ^ (a[6] * 17) ^ (a[7] * 19);
}

/* Eight arguments in, the guest's result out, for several argument sets. */
TEST_F(lib, call_eight_args)
{
	__u64 args[8], res[8];
	int round, i, err;

	for (round = 0; round < 4; round++) {
		for (i = 0; i < 8; i++)
			args[i] = (0x9e3779b97f4a7c15ULL * (round * 8 + i + 1)) ^
				  ((__u64)i << 56);
		memset(res, 0xa5, sizeof(res));
		err = CALL("mix8", args, 8, res);
		ASSERT_EQ(0, err) {
			TH_LOG("%s", s2box_box_errmsg(self->box));
		}
		EXPECT_EQ(mix8(args), res[0]) {
			TH_LOG("round %d: the guest computed 0x%llx", round,
			       res[0]);
		}
	}
	/* bss persists between calls, and nargs 0 works. */
	ASSERT_EQ(0, CALL("count", NULL, 0, res));
	EXPECT_EQ(1, res[0]);
	ASSERT_EQ(0, CALL("count", NULL, 0, res));
	EXPECT_EQ(2, res[0]);
	/* A store to the data segment (RW) is allowed. */
	args[0] = sym(_metadata, self->box, "calls");
	args[1] = 0x5eed;
	ASSERT_EQ(0, CALL("poke", args, 2, res));
	EXPECT_EQ(0x5eed, res[0]);
	ASSERT_EQ(0, CALL("count", NULL, 0, res));
	EXPECT_EQ(0x5eee, res[0]);
}

/* A store to an IPA nothing maps: a decoded stage-2 fault exit. */
TEST_F(lib, store_to_hole_is_a_fault_exit)
{
	__u64 args[2] = { HOLE_IPA, 0x1234 };
	const struct s2box_exit *e;
	char what[160];
	int err;

	err = CALL("poke", args, 2, NULL);
	ASSERT_EQ(-EFAULT, err) {
		TH_LOG("%d: %s", err, s2box_box_errmsg(self->box));
	}
	e = s2box_box_last_exit(self->box);
	s2box_exit_describe(e, what, sizeof(what));
	EXPECT_EQ(S2BOX_EXIT_S2_FAULT, e->reason) {
		TH_LOG("%s", what);
	}
	EXPECT_TRUE(e->ipa_valid);
	EXPECT_EQ(HOLE_IPA, e->ipa) {
		TH_LOG("%s", what);
	}
	EXPECT_TRUE(e->write);
	EXPECT_FALSE(e->exec);
	EXPECT_EQ(S2BOX_FAULT_TRANSLATION, e->fault_status);
	EXPECT_NE(NULL, strstr(s2box_box_errmsg(self->box), "0x80000008"));
	/* The box is fine afterwards: the next call returns. */
	ASSERT_EQ(0, CALL("count", NULL, 0, NULL));
}

/* The text segment is R-X at stage 2: a store to it faults. */
TEST_F(lib, store_to_code_is_a_permission_fault)
{
	const struct s2box_exit *e;
	__u64 args[2], res[8];

	ASSERT_EQ(0, CALL("code_addr", NULL, 0, res));
	EXPECT_EQ(sym(_metadata, self->box, "count"), res[0]);
	args[0] = res[0];
	args[1] = 0;
	ASSERT_EQ(-EFAULT, CALL("poke", args, 2, NULL));
	e = s2box_box_last_exit(self->box);
	EXPECT_EQ(S2BOX_EXIT_S2_FAULT, e->reason);
	EXPECT_EQ(S2BOX_FAULT_PERMISSION, e->fault_status);
	EXPECT_EQ(res[0], e->ipa);
	EXPECT_TRUE(e->write);
	/* ...and the code is still there. */
	ASSERT_EQ(0, CALL("count", NULL, 0, res));
	EXPECT_EQ(1, res[0]);
}

/* A call that never returns ends at its budget with ETIME. */
TEST_F(lib, spinning_call_ends_at_budget)
{
	s2box_call_set_budget(self->box, 50 * 1000 * 1000ULL);
	ASSERT_EQ(-ETIME, CALL("spin", NULL, 0, NULL));
	EXPECT_EQ(S2BOX_EXIT_BUDGET, s2box_box_last_exit(self->box)->reason);
}

/* Geometry the caps rule out, and calls the library must refuse. */
TEST_F(lib, documented_errnos)
{
	const struct s2box_caps *caps = s2box_dev_caps(self->dev);
	unsigned int limit = s2box_caps_ipa_limit(caps, variant->granule);
	__u64 args[9] = { 0 };
	struct s2box_box *box = (void *)1;

	EXPECT_EQ(-ERANGE, s2box_box_create(self->dev, limit + 1,
					    variant->granule, &box));
	EXPECT_EQ(NULL, box);
	EXPECT_NE(NULL, strstr(s2box_dev_errmsg(self->dev), "s2box_dev_caps"));
	EXPECT_EQ(-ERANGE, s2box_box_create(self->dev, S2BOX_IPA_BITS_MIN - 1,
					    variant->granule, &box));
	EXPECT_EQ(-EINVAL, s2box_box_create(self->dev, 40, 8192, &box));
	EXPECT_EQ(-EINVAL, CALL("mix8", args, 9, NULL));
	EXPECT_EQ(-ENOENT, s2box_box_symbol(self->box, "no_such_fn", args));
	/* Loading the image again: its IPA range is mapped already. */
	EXPECT_EQ(-EEXIST, s2box_load_elf(self->box, lib_guest_elf, IMAGE_LEN,
					  NULL));
	EXPECT_EQ(-ENOEXEC, s2box_load_elf(self->box, lib_guest_elf, 40, NULL));
}

/* A box with nothing loaded has no entry stub to call through. */
TEST(call_without_image)
{
	struct s2box_dev *dev;
	struct s2box_box *box;

	ASSERT_EQ(0, s2box_open(&dev));
	ASSERT_EQ(0, s2box_box_create(dev, S2BOX_IPA_BITS_MIN, 0, &box));
	EXPECT_EQ(-ENOEXEC, s2box_call(box, 0x100000, NULL, 0, NULL));
	s2box_box_destroy(box);
	s2box_close(dev);
}

TEST_HARNESS_MAIN
