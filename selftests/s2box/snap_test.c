// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests: S2BOX_SNAPSHOT and S2BOX_RESET, through libs2box, per
 * granule. A C guest (lib_guest.c) writes box memory; after a reset the
 * box's memory and registers must equal the snapshot byte for byte, the
 * reset must copy back exactly the units written since (and no others),
 * the box's first write to a unit must not be an exit, and ranges mapped
 * or unmapped since, pwrite() and writes through mmap() must all be put
 * back. A write to read-only memory must still exit with its IPA.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../kselftest_harness.h"

#include <s2box/s2box.h>

#include "snap_util.h"

extern const char lib_guest_elf[], lib_guest_elf_end[];

#define IMAGE_LEN	((size_t)(lib_guest_elf_end - lib_guest_elf))
/* Data the guest writes: above the image at 1 MiB, 2 MiB aligned. */
#define DATA_IPA	0x40000000ULL
#define DATA_UNITS	16
/* Mapped read-only, for a write that must still exit. */
#define RO_IPA		0x50000000ULL
/* Mapped only after the snapshot. */
#define LATE_IPA	0x60000000ULL

FIXTURE(snap) {
	struct s2box_dev *dev;
	struct s2box_box *box;
	struct s2box_elf elf;
	__u64 align;		/* map_align: the unit of tracking */
	__u64 page;		/* host page size */
	__u64 data_len;
	unsigned char *truth;	/* what DATA_IPA held at the snapshot */
};

FIXTURE_VARIANT(snap) {
	unsigned int granule;
};

FIXTURE_VARIANT_ADD(snap, g4k) { .granule = S2BOX_GRANULE_4K };
FIXTURE_VARIANT_ADD(snap, g16k) { .granule = S2BOX_GRANULE_16K };
FIXTURE_VARIANT_ADD(snap, g64k) { .granule = S2BOX_GRANULE_64K };

static void fill_pattern(unsigned char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 131 + seed * 7 + (i >> 12));
}

FIXTURE_SETUP(snap)
{
	int err;

	self->box = NULL;
	self->truth = NULL;
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
	ASSERT_EQ(0, s2box_load_elf(self->box, lib_guest_elf, IMAGE_LEN,
				    &self->elf)) {
		TH_LOG("%s", s2box_box_errmsg(self->box));
	}
	self->align = s2box_box_map_align(self->box);
	self->page = (__u64)sysconf(_SC_PAGESIZE);
	self->data_len = DATA_UNITS * self->align;
	ASSERT_EQ(0, s2box_mem_map(self->box, DATA_IPA, self->data_len,
				   S2BOX_PROT_READ | S2BOX_PROT_WRITE));
	ASSERT_EQ(0, s2box_mem_map(self->box, RO_IPA, self->align,
				   S2BOX_PROT_READ));
	self->truth = malloc(self->data_len);
	ASSERT_NE(NULL, self->truth);
	fill_pattern(self->truth, self->data_len, 1);
	ASSERT_EQ(0, s2box_mem_write(self->box, DATA_IPA, self->truth,
				     self->data_len));
}

FIXTURE_TEARDOWN(snap)
{
	free(self->truth);
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

/* The guest stores to @n units of DATA_IPA from unit @first on. */
static void guest_fill(struct __test_metadata *_metadata,
		       struct _test_data_snap *self, __u64 first, __u64 n,
		       __u64 value)
{
	__u64 args[4] = { DATA_IPA + first * self->align, n, self->align,
			  value };
	__u64 res[8];
	int err;

	err = s2box_call(self->box, sym(_metadata, self->box, "fill"), args,
			 4, res);
	ASSERT_EQ(0, err) {
		TH_LOG("fill: %s", s2box_box_errmsg(self->box));
	}
	ASSERT_EQ(n, res[0]);
}

static void reset(struct __test_metadata *_metadata,
		  struct _test_data_snap *self, struct s2box_reset *res)
{
	int err = s2box_box_reset(self->box, res);

	ASSERT_EQ(0, err) {
		TH_LOG("%s", s2box_box_errmsg(self->box));
	}
}

/* DATA_IPA must read exactly as at the snapshot. */
static void expect_truth(struct __test_metadata *_metadata,
			 struct _test_data_snap *self)
{
	unsigned char *now = malloc(self->data_len);
	size_t i;

	ASSERT_NE(NULL, now);
	ASSERT_EQ(0, s2box_mem_read(self->box, DATA_IPA, now, self->data_len));
	for (i = 0; i < self->data_len && now[i] == self->truth[i]; i++)
		;
	EXPECT_EQ(self->data_len, i) {
		TH_LOG("byte 0x%zx of the data reads 0x%02x, the snapshot had 0x%02x",
		       i, now[i], self->truth[i]);
	}
	free(now);
}

/*
 * Memory and registers after a reset are the snapshot's, byte for byte,
 * and a reset copies back only what changed: the guest's writes to k
 * units cost k units more than a call that writes none (the call's own
 * stack and bss are the same both times).
 */
TEST_F(snap, reset_restores_exactly_what_changed)
{
	struct s2box_regs at_snap, now;
	struct s2box_reset r0, r1, r2;
	__u64 ppu = self->align / self->page, pages = 0;
	long long d0, d1;

	ASSERT_EQ(0, s2box_box_snapshot(self->box, &pages));
	EXPECT_LE(self->data_len / self->page, pages);
	ASSERT_EQ(0, s2box_regs_get(self->box, &at_snap));
	reset(_metadata, self, &r0);
	EXPECT_EQ(0, r0.restored_pages);
	EXPECT_EQ(1, r0.resets);

	guest_fill(_metadata, self, 0, 0, 0);
	d0 = box_fdinfo(self->box, "s2box_dirty_units");
	reset(_metadata, self, &r1);
	guest_fill(_metadata, self, 3, 5, 0xdead0000);
	d1 = box_fdinfo(self->box, "s2box_dirty_units");
	EXPECT_EQ(5, d1 - d0) {
		TH_LOG("dirty units: %lld after writing 5, %lld after none",
		       d1, d0);
	}
	reset(_metadata, self, &r2);
	EXPECT_EQ(5 * ppu, r2.restored_pages - r1.restored_pages) {
		TH_LOG("restored %llu pages after 5 units, %llu after none (%llu a unit)",
		       r2.restored_pages, r1.restored_pages, ppu);
	}
	EXPECT_EQ(0, r2.unmapped_pages + r2.remapped_pages);
	EXPECT_EQ(3, r2.resets);
	expect_truth(_metadata, self);
	ASSERT_EQ(0, s2box_regs_get(self->box, &now));
	EXPECT_EQ(0, memcmp(&at_snap, &now, sizeof(now))) {
		TH_LOG("registers differ from the snapshot's (pc 0x%llx, was 0x%llx)",
		       now.pc, at_snap.pc);
	}
	EXPECT_EQ(0, box_fdinfo(self->box, "s2box_dirty_units"));
	expect_audit_clean(_metadata, self->box);
}

/* What the guest computes from its memory after a reset is the truth. */
TEST_F(snap, guest_sees_the_snapshot_again)
{
	__u64 args[2] = { DATA_IPA, 0 }, res[8], before;
	int round;

	args[1] = self->data_len;
	ASSERT_EQ(0, s2box_call(self->box, sym(_metadata, self->box, "sum"),
				args, 2, res));
	before = res[0];
	ASSERT_EQ(0, s2box_box_snapshot(self->box, NULL));
	for (round = 0; round < 8; round++) {
		guest_fill(_metadata, self, round % DATA_UNITS, 2,
			   0x1000 * round);
		reset(_metadata, self, NULL);
		ASSERT_EQ(0, s2box_call(self->box,
					sym(_metadata, self->box, "sum"),
					args, 2, res));
		ASSERT_EQ(before, res[0]) {
			TH_LOG("round %d: the guest sums 0x%llx, before 0x%llx",
			       round, res[0], before);
		}
		reset(_metadata, self, NULL);
	}
	expect_truth(_metadata, self);
}

/* Host writes are tracked too: pwrite() and a shared mmap(). */
TEST_F(snap, host_writes_are_put_back)
{
	struct s2box_reset r;
	unsigned char junk[64];
	void *view;

	ASSERT_EQ(0, s2box_box_snapshot(self->box, NULL));
	memset(junk, 0x5a, sizeof(junk));
	ASSERT_EQ(0, s2box_mem_write(self->box, DATA_IPA + 7 * self->align + 3,
				     junk, sizeof(junk)));
	reset(_metadata, self, &r);
	EXPECT_EQ(self->align / self->page, r.restored_pages);
	expect_truth(_metadata, self);

	ASSERT_EQ(0, s2box_mem_mmap(self->box, DATA_IPA + 2 * self->align,
				    self->page, &view));
	memset(view, 0xa5, 16);
	reset(_metadata, self, &r);
	EXPECT_LE(1, r.restored_pages);
	expect_truth(_metadata, self);
	EXPECT_EQ(self->truth[2 * self->align], ((unsigned char *)view)[0]);
	/* Still mapped, still assumed written at every reset. */
	reset(_metadata, self, &r);
	EXPECT_LE(1, r.restored_pages);
	munmap(view, self->page);
	reset(_metadata, self, &r);
	reset(_metadata, self, &r);
	EXPECT_EQ(0, r.restored_pages) {
		TH_LOG("a page no process maps any more is still copied back");
	}
}

/* Layout changes since the snapshot are undone, in both directions. */
TEST_F(snap, map_and_unmap_since_are_undone)
{
	struct s2box_reset r;
	__u64 ppu = self->align / self->page;
	char byte;

	ASSERT_EQ(0, s2box_box_snapshot(self->box, NULL));
	ASSERT_EQ(0, s2box_mem_unmap(self->box, DATA_IPA + 4 * self->align,
				     2 * self->align));
	ASSERT_EQ(0, s2box_mem_map(self->box, LATE_IPA, 3 * self->align,
				   S2BOX_PROT_READ | S2BOX_PROT_WRITE));
	/* Unmapped, and mapped again with other permissions. */
	ASSERT_EQ(0, s2box_mem_unmap(self->box, DATA_IPA + 9 * self->align,
				     self->align));
	ASSERT_EQ(0, s2box_mem_map(self->box, DATA_IPA + 9 * self->align,
				   self->align, S2BOX_PROT_READ));
	reset(_metadata, self, &r);
	EXPECT_EQ(3 * ppu, r.remapped_pages);
	EXPECT_EQ(4 * ppu, r.unmapped_pages);
	EXPECT_EQ(-ENXIO, s2box_mem_read(self->box, LATE_IPA, &byte, 1));
	expect_truth(_metadata, self);
	expect_audit_clean(_metadata, self->box);
	/* The units mapped again are tracked like the rest. */
	guest_fill(_metadata, self, 4, 2, 0x77);
	guest_fill(_metadata, self, 9, 1, 0x78);
	reset(_metadata, self, &r);
	EXPECT_LE(3 * ppu, r.restored_pages);
	expect_truth(_metadata, self);
}

/* Tracking must not swallow a real permission fault. */
TEST_F(snap, read_only_write_still_exits)
{
	__u64 args[2] = { RO_IPA + 0x18, 1 }, res[8];
	const struct s2box_exit *ex;

	ASSERT_EQ(0, s2box_box_snapshot(self->box, NULL));
	/*
	 * A host write and a reset make a unit "written once": a read-only
	 * one must not get DBM then, which would let a CPU with hardware
	 * dirty state make it writable on the box's first store.
	 */
	ASSERT_EQ(0, s2box_mem_write(self->box, RO_IPA, args, sizeof(args)));
	reset(_metadata, self, NULL);
	EXPECT_EQ(-EFAULT, s2box_call(self->box,
				      sym(_metadata, self->box, "poke"),
				      args, 2, res));
	ex = s2box_box_last_exit(self->box);
	EXPECT_EQ(S2BOX_EXIT_S2_FAULT, ex->reason);
	EXPECT_EQ(S2BOX_FAULT_PERMISSION, ex->fault_status);
	EXPECT_TRUE(ex->write);
	EXPECT_EQ(RO_IPA + 0x18, ex->ipa);
	reset(_metadata, self, NULL);
	expect_truth(_metadata, self);
}

/* A 2 MiB block: one page written costs one unit, and a split. */
TEST_F(snap, block_written_once_costs_one_unit)
{
	struct s2box_box_info before, after;
	struct s2box_reset r0, r1;
	__u64 big = 2ULL << 20;

	if (self->align >= big)
		SKIP(return, "no 2 MiB block with this granule");
	ASSERT_EQ(0, s2box_mem_unmap(self->box, DATA_IPA, self->data_len));
	ASSERT_EQ(0, s2box_mem_map(self->box, DATA_IPA, big,
				   S2BOX_PROT_READ | S2BOX_PROT_WRITE));
	ASSERT_EQ(0, s2box_box_info(self->box, &before));
	ASSERT_EQ(0, s2box_box_snapshot(self->box, NULL));
	guest_fill(_metadata, self, 0, 0, 0);
	reset(_metadata, self, &r0);
	guest_fill(_metadata, self, big / self->align / 2, 1, 0x42);
	ASSERT_EQ(0, s2box_box_info(self->box, &after));
	reset(_metadata, self, &r1);
	EXPECT_EQ(self->align / self->page,
		  r1.restored_pages - r0.restored_pages);
	if (before.block_maps)
		EXPECT_LT(before.block_maps, after.page_maps + before.block_maps);
	expect_audit_clean(_metadata, self->box);
}

/* The errors the header documents. */
TEST_F(snap, errors)
{
	struct s2box_snapshot s = { 0 };
	struct s2box_reset r = { 0 };
	int fd = s2box_box_fd(self->box);

	EXPECT_EQ(-ENOENT, s2box_box_reset(self->box, NULL));
	EXPECT_EQ(-ENOENT, s2box_box_snapshot_drop(self->box));
	s.flags = 0x80;
	EXPECT_EQ(-1, ioctl(fd, S2BOX_SNAPSHOT, &s));
	EXPECT_EQ(EINVAL, errno);
	s.flags = 0;
	s.reserved[2] = 1;
	EXPECT_EQ(-1, ioctl(fd, S2BOX_SNAPSHOT, &s));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, s2box_box_snapshot(self->box, NULL));
	r.flags = 1;
	EXPECT_EQ(-1, ioctl(fd, S2BOX_RESET, &r));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_LT(0, box_fdinfo(self->box, "s2box_snapshot_bytes"));
	EXPECT_EQ(0, s2box_box_snapshot_drop(self->box));
	EXPECT_EQ(0, box_fdinfo(self->box, "s2box_snapshot_bytes"));
	EXPECT_EQ(-ENOENT, s2box_box_reset(self->box, NULL));
	/* Without a snapshot, a write-protected unit just becomes writable. */
	guest_fill(_metadata, self, 0, DATA_UNITS, 9);
	expect_audit_clean(_metadata, self->box);
}

struct spinner {
	struct s2box_box *box;
	__u64 fn;
	int err;
};

static void *spin_thread(void *arg)
{
	struct spinner *sp = arg;
	__u64 res[8];

	sp->err = s2box_call(sp->box, sp->fn, NULL, 0, res);
	return NULL;
}

/* SNAPSHOT and RESET wait for nobody: EBUSY while the box runs. */
TEST_F(snap, busy_while_running)
{
	struct spinner sp = { .box = self->box };
	pthread_t t;
	int i, busy = 0;

	sp.fn = sym(_metadata, self->box, "spin");
	ASSERT_EQ(0, s2box_box_snapshot(self->box, NULL));
	s2box_call_set_budget(self->box, 400 * 1000 * 1000ULL);
	ASSERT_EQ(0, pthread_create(&t, NULL, spin_thread, &sp));
	/*
	 * SNAPSHOT first: until the box runs it succeeds and changes nothing
	 * the caller set. A RESET that landed between s2box_call()'s
	 * SET_REGS and its RUN would put the snapshot's registers back and
	 * the call would run from them, so RESET is tried only once
	 * SNAPSHOT has seen the box running.
	 */
	for (i = 0; i < 200 && !busy; i++) {
		usleep(2000);
		busy = s2box_box_snapshot(self->box, NULL) == -EBUSY &&
		       s2box_box_reset(self->box, NULL) == -EBUSY;
	}
	pthread_join(t, NULL);
	EXPECT_TRUE(busy);
	EXPECT_EQ(-ETIME, sp.err);
	reset(_metadata, self, NULL);
	expect_truth(_metadata, self);
}

#define NO_HW_DIRTY	"/sys/module/s2box/parameters/no_hw_dirty_cpus"

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static int write_param(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -1;
	err = fputs(val, f) < 0;
	return fclose(f) || err ? -1 : 0;
}

/*
 * One round on the CPUs of @cpus in turn (one call each): the guest
 * writes units @first.. of @n, one a call, in the order of @order (a
 * permutation of 0..DATA_UNITS-1; NULL: in order). Returns the first
 * writes the kernel had to resolve (dirty faults) and, through
 * @restored, the pages the reset that follows copied back.
 */
static long long hw_round(struct __test_metadata *_metadata,
			  struct _test_data_snap *self, const int *cpus,
			  int ncpus, __u64 first, __u64 n, __u64 *restored,
			  const unsigned int *order)
{
	long long before = box_fdinfo(self->box, "s2box_dirty_faults");
	long long faults;
	struct s2box_reset r;
	__u64 i, unit;

	for (i = 0; i < (n ? n : 1); i++) {
		unit = order ? order[(first + i) % DATA_UNITS] : first + i;
		EXPECT_EQ(0, pin_to(cpus[i % ncpus]));
		guest_fill(_metadata, self, unit, n ? 1 : 0, 0x100 + i);
	}
	faults = box_fdinfo(self->box, "s2box_dirty_faults") - before;
	EXPECT_EQ(0, pin_to(0));
	reset(_metadata, self, &r);
	*restored = r.restored_pages;
	expect_truth(_metadata, self);
	return faults;
}

/*
 * Hardware dirty state per CPU. Once written, units are left to CPUs
 * with VTCR_EL2.HD: writing them again there takes no fault, while CPU 1,
 * marked as having none (no_hw_dirty_cpus), takes the write-protect
 * fault path for the same units. Whichever way, and with the thread
 * moved between the two CPUs within a round, a reset finds every unit
 * written, and copies back each once.
 */
TEST_F(snap, hw_dirty_per_cpu)
{
	const int cpu0[] = { 0 }, cpu1[] = { 1 }, both[] = { 0, 1 };
	__u64 ppu = self->align / self->page, base, got;
	unsigned int order[DATA_UNITS], i, j, tmp;
	long long f0, f;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2 ||
	    s2box_dev_caps(self->dev)->hafdbs < 2)
		SKIP(return, "needs 2 CPUs with stage-2 hardware dirty state");
	ASSERT_EQ(0, write_param(NO_HW_DIRTY, "2")) {
		TH_LOG("%s: %s", NO_HW_DIRTY, strerror(errno));
	}
	ASSERT_EQ(0, s2box_box_snapshot(self->box, NULL));
	/* Every unit written once (faults), then left to the hardware. */
	hw_round(_metadata, self, cpu0, 1, 0, DATA_UNITS, &base, NULL);
	f0 = hw_round(_metadata, self, cpu0, 1, 0, 0, &base, NULL);
	EXPECT_EQ(0, f0) {
		TH_LOG("an empty call on CPU 0 took %lld dirty faults", f0);
	}
	EXPECT_NE(0, box_fdinfo(self->box, "s2box_hot_units"));

	f = hw_round(_metadata, self, cpu0, 1, 2, 6, &got, NULL);
	EXPECT_EQ(0, f) {
		TH_LOG("CPU 0 (hardware dirty state) faulted %lld times", f);
	}
	EXPECT_EQ(6 * ppu, got - base);

	f = hw_round(_metadata, self, cpu1, 1, 0, 0, &base, NULL);
	f0 = f;
	f = hw_round(_metadata, self, cpu1, 1, 5, 7, &got, NULL);
	EXPECT_EQ(7, f - f0) {
		TH_LOG("CPU 1 (none) faulted %lld times for 7 units, %lld for none",
		       f, f0);
	}
	EXPECT_EQ(7 * ppu, got - base);

	/* Random units, the thread moving between the two CPUs. */
	srandom(getpid());
	for (i = 0; i < DATA_UNITS; i++)
		order[i] = i;
	for (i = DATA_UNITS - 1; i > 0; i--) {
		j = random() % (i + 1);
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	hw_round(_metadata, self, both, 2, 0, 0, &base, NULL);
	hw_round(_metadata, self, both, 2, 0, 11, &got, order);
	EXPECT_EQ(11 * ppu, got - base);
	write_param(NO_HW_DIRTY, "0");
	expect_audit_clean(_metadata, self->box);
}

TEST_HARNESS_MAIN
