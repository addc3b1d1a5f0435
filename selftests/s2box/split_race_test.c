// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests: splitting a block under a running box. S2BOX_UNMAP of
 * one unit of a block mapping splits the block with break-before-make;
 * for a moment every IPA of the block is unmapped, and a box on another
 * CPU whose walk lands in that moment takes a translation fault for an
 * IPA that stays mapped. The module must retry such a fault, not hand it
 * to user space. QEMU TCG shows the window: its broadcast TLBI empties
 * the other vCPU's TLB synchronously, so the box's next load walks the
 * tables while the host is still between the break and the make.
 *
 * Rounds for a few seconds (S2BOX_HEAVY=1: longer): map a few blocks,
 * start a box on CPU 1 that loads from their top halves in a loop, then
 * from CPU 0 unmap and map again each block's first unit (the first
 * unmap splits the block; the first block's unit goes a few more times),
 * stop the box through a flag in its memory and check that it stopped at
 * its HVC. Any stage-2 fault exit is the bug: the box never touches the
 * bottom halves. A variant turns the box's own MMU on with its stage-1
 * table in the first block, so the walk that faults can be the stage-1
 * table walk (ESR S1PTW, the IPA of the table's page). Under QEMU (6.12,
 * neoverse-n1) the unfixed module gave such an exit in 4 of 26 rounds
 * with one block a round, in 6 of 13 and 12 of 23 with four, and in 5 of
 * 15 with stage 1 on (one of them S1PTW).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "run_util.h"
#include "nl_util.h"

#define BOX_IPA_BITS	36
#define CTRL_IPA	DATA_IPA	/* count at +0, stop flag at +8 */
#define BLK_IPA		0x40000000ULL	/* aligned to every block size */
#define STOP_HVC	0x5700
#define REMAPS		8		/* UNMAP/MAP pairs of the first unit */
#define SECONDS_LIGHT	4
#define SECONDS_HEAVY	30
#define TEST_TIMEOUT_S	90		/* one variant, heavy, on a busy host */
/* A vCPU thread of a busy host can stall for a second: not a hang. */
#define START_WAIT_NS	(10 * 1000000000ULL)

/*
 * The s1 variant's stage 1: 4K granule, T0SZ 25 (39-bit VA, walks start
 * at level 1), TTBR1 off; its level-1 table, identity-mapping the first
 * 2 GiB with two 1 GiB blocks (AttrIndx 0, inner shareable, AF), sits in
 * the top half of the first block, so every stage-1 walk reads it
 * through the block being split (a fault there is an S1PTW one).
 */
#define S1_TCR		(25 | (1ULL << 8) | (1ULL << 10) | (3ULL << 12) | \
			 (1ULL << 23) | (2ULL << 30))
#define S1_BLOCK(n)	(((__u64)(n) << 30) | 0x1ULL | (3ULL << 8) | \
			 (1ULL << 10))
#define S1_MAIR		0xffULL	/* attribute 0: Normal, write-back */
#define S1_TABLE(self)	(BLK_IPA + (self)->blk / 2)

BLOB(split_load_blob);

struct runner {
	pthread_t thread;
	int box, ret, err;
	struct s2box_run run;
};

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void *runner_main(void *arg)
{
	struct runner *t = arg;

	t->err = 0;
	if (pin_to(1)) {
		t->ret = -1;
		t->err = errno;
		return NULL;
	}
	memset(&t->run, 0, sizeof(t->run));
	t->run.budget_ns = RUN_BUDGET_NS;
	t->ret = ioctl(t->box, S2BOX_RUN, &t->run);
	t->err = errno;
	return NULL;
}

static __u64 read_u64(int box, __u64 ipa)
{
	__u64 v = ~0ULL;

	if (pread(box, &v, sizeof(v), ipa) != sizeof(v))
		return ~0ULL;
	return v;
}

static int write_u64(int box, __u64 ipa, __u64 v)
{
	return pwrite(box, &v, sizeof(v), ipa) == sizeof(v) ? 0 : -1;
}

/* The box's S2BOX_ATTR_EXITS_FAULT_RETRY count, or -1 if not reported. */
static long long fault_retries(int box)
{
	struct nlattr *ex[S2BOX_ATTR_EXITS_MAX + 1];
	struct nl_reply *rep = calloc(1, sizeof(*rep));
	struct nlattr *nest;
	long long n = -1;
	struct nl nl;

	if (!rep)
		return -1;
	if (nl_open(&nl, rep))
		goto out;
	if (!nl_get_box(&nl, box_id(box), rep) && !rep->err &&
	    rep->tb[S2BOX_ATTR_BOX_EXITS]) {
		nest = rep->tb[S2BOX_ATTR_BOX_EXITS];
		nl_parse(ex, S2BOX_ATTR_EXITS_MAX, NLA_DATA(nest),
			 nest->nla_len - NLA_HDRLEN);
		if (ex[S2BOX_ATTR_EXITS_FAULT_RETRY])
			n = nla_u64(ex[S2BOX_ATTR_EXITS_FAULT_RETRY]);
	}
	close(nl.fd);
out:
	free(rep);
	return n;
}

FIXTURE(split) {
	int ctl, box;
	struct s2box_box_info info;
	__u64 blk;		/* the stage-2 block size of the granule */
	unsigned int nblk;
	bool s1;
	__u64 blocks;		/* block_maps without the blocks */
};

FIXTURE_VARIANT(split) {
	unsigned int granule;
	__u64 blk;
	unsigned int nblk;	/* blocks split per round */
	bool s1;		/* the box's stage 1 on, tables in a block */
};

/* The level-2 block of each granule; 64K's 512 MiB cannot be backed. */
FIXTURE_VARIANT_ADD(split, g4k_2m) { S2BOX_GRANULE_4K, 2ULL << 20, 4 };
FIXTURE_VARIANT_ADD(split, g4k_2m_stage1) { S2BOX_GRANULE_4K, 2ULL << 20, 4, 1 };
FIXTURE_VARIANT_ADD(split, g16k_32m) { S2BOX_GRANULE_16K, 32ULL << 20, 1 };

FIXTURE_SETUP(split)
{
	struct s2box_caps caps;
	char why[96];

	self->box = -1;
	self->ctl = s2box_open_ctl();
	ASSERT_LE(0, self->ctl);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two CPUs");
	ASSERT_EQ(0, ioctl(self->ctl, S2BOX_GET_CAPS, &caps));
	if (s2box_geometry_refused(&caps, variant->granule, BOX_IPA_BITS, why,
				   sizeof(why)))
		SKIP(return, "%s", why);
	/* MAX_PAGE_ORDER of Debian's arm64 kernels: 4 MiB with 4K pages. */
	if (variant->blk > (getpagesize() == 4096 ? 4ULL << 20 : 32ULL << 20))
		SKIP(return, "the buddy allocator cannot back %llu MiB blocks with %dK host pages",
		     variant->blk >> 20, getpagesize() >> 10);
	self->blk = variant->blk;
	self->nblk = variant->nblk;
	self->s1 = variant->s1;
	self->box = s2box_create(self->ctl, BOX_IPA_BITS, variant->granule);
	ASSERT_LE(0, self->box);
	ASSERT_EQ(0, ioctl(self->box, S2BOX_GET_BOX_INFO, &self->info));
	ASSERT_EQ(0, box_map(self->box, CODE_IPA, self->info.map_align,
			     S2BOX_PROT_READ | S2BOX_PROT_EXEC));
	ASSERT_EQ(0, box_map(self->box, CTRL_IPA, self->info.map_align,
			     S2BOX_PROT_READ | S2BOX_PROT_WRITE));
	LOAD(self->box, CODE_IPA, split_load_blob);
}

FIXTURE_TEARDOWN(split)
{
	if (self->box >= 0)
		close(self->box);
	close(self->ctl);
}

/*
 * Maps the blocks; false (and why) if they did not come out as blocks.
 * @self is FIXTURE_DATA(split).
 */
static bool map_block(struct __test_metadata *_metadata,
		      struct _test_data_split *self, char *why, size_t len)
{
	struct s2box_box_info a, b;

	if (ioctl(self->box, S2BOX_GET_BOX_INFO, &a) ||
	    box_map(self->box, BLK_IPA, self->nblk * self->blk,
		    S2BOX_PROT_READ)) {
		snprintf(why, len, "MAP of the blocks: %s", strerror(errno));
		return false;
	}
	self->blocks = a.block_maps;
	if (self->s1) {
		__u64 l1[2] = { S1_BLOCK(0), S1_BLOCK(1) };

		if (pwrite(self->box, l1, sizeof(l1), S1_TABLE(self)) !=
		    sizeof(l1)) {
			snprintf(why, len, "pwrite of the stage-1 table: %s",
				 strerror(errno));
			return false;
		}
	}
	if (ioctl(self->box, S2BOX_GET_BOX_INFO, &b) ||
	    b.block_maps != a.block_maps + self->nblk) {
		snprintf(why, len, "%llu MiB blocks not mapped as blocks (no contiguous memory?)",
			 self->blk >> 20);
		return false;
	}
	return true;
}

/* One round; returns 1 for a spurious fault, 0 otherwise. */
static int round_once(struct __test_metadata *_metadata,
		      struct _test_data_split *self, int round)
{
	__u64 unit = self->info.map_align, top = BLK_IPA + self->blk / 2;
	__u64 end = BLK_IPA + self->nblk * self->blk, ipa;
	struct runner t = { .box = self->box };
	struct s2box_box_info info;
	struct s2box_regs r;
	unsigned int k;
	__u64 c, t0;
	int i, bad = 0;

	ASSERT_EQ(0, write_u64(self->box, CTRL_IPA, 0));
	ASSERT_EQ(0, write_u64(self->box, CTRL_IPA + 8, 0));
	ASSERT_EQ(0, box_get(self->box, &r));
	r.pc = CODE_IPA;
	r.x[0] = top;
	r.x[1] = self->blk;
	r.x[8] = self->nblk;
	r.x[7] = self->info.granule;
	r.x[2] = CTRL_IPA;
	r.x[3] = CTRL_IPA + 8;
	r.x[12] = S1_MAIR;
	r.x[13] = S1_TCR;
	r.x[14] = self->s1 ? S1_TABLE(self) : 0;
	ASSERT_EQ(0, box_set(self->box, &r));
	ASSERT_EQ(0, pthread_create(&t.thread, NULL, runner_main, &t));
	/* The box demonstrably loads from the blocks: its count moves. */
	t0 = now_ns();
	do {
		c = read_u64(self->box, CTRL_IPA);
	} while ((c < 2 || c == ~0ULL) && now_ns() - t0 < START_WAIT_NS);
	EXPECT_TRUE(c >= 2 && c != ~0ULL) {
		TH_LOG("round %d: the box never ran (count %llu)", round, c);
	}
	if (now_ns() - t0 > 1000000000ULL)
		TH_LOG("round %d: the box took %llu ms to start", round,
		       (now_ns() - t0) / 1000000);
	/* Each block's first UNMAP splits it; the rest are pages. */
	for (k = 0; k < self->nblk; k++) {
		ipa = BLK_IPA + k * self->blk;
		for (i = 0; i < (k ? 1 : REMAPS); i++) {
			EXPECT_EQ(0, box_unmap(self->box, ipa, unit));
			EXPECT_EQ(0, box_map(self->box, ipa, unit,
					     S2BOX_PROT_READ));
		}
	}
	ASSERT_EQ(0, ioctl(self->box, S2BOX_GET_BOX_INFO, &info));
	EXPECT_EQ(self->blocks, info.block_maps);
	ASSERT_EQ(0, write_u64(self->box, CTRL_IPA + 8, 1));
	ASSERT_EQ(0, pthread_join(t.thread, NULL));
	ASSERT_EQ(0, t.ret) {
		TH_LOG("RUN: %s", strerror(t.err));
	}
	if (t.run.exit_reason == S2BOX_EXIT_S2_FAULT) {
		bad = 1;
		TH_LOG("round %d: stage-2 fault at 0x%llx, blocks 0x%llx-0x%llx",
		       round, t.run.ipa, BLK_IPA, end);
		TH_LOG("  status %u level %d%s after %llu passes",
		       t.run.fault_status, t.run.fault_level,
		       t.run.esr & (1ULL << 7) ? " on a stage-1 walk" : "",
		       read_u64(self->box, CTRL_IPA));
		/* Never the first unit of a block: the box does not go there. */
		EXPECT_TRUE(t.run.ipa >= BLK_IPA && t.run.ipa < end &&
			    (t.run.ipa & (self->blk - 1)) >= self->blk / 2) {
			exit_log(_metadata, &t.run);
		}
	} else {
		EXPECT_EQ(S2BOX_EXIT_HVC, t.run.exit_reason) {
			exit_log(_metadata, &t.run);
		}
		EXPECT_EQ(STOP_HVC, t.run.hvc_imm);
		EXPECT_EQ(0, t.run.flags);
	}
	return bad;
}

/*
 * While a box on CPU 1 loads from the top half of a block, CPU 0 splits
 * the block (UNMAP of its first unit) and maps and unmaps that unit: the
 * box must never see a fault.
 */
TEST_F_TIMEOUT(split, no_fault_while_block_splits, TEST_TIMEOUT_S)
{
	const char *heavy = getenv("S2BOX_HEAVY");
	__u64 secs = heavy && !strcmp(heavy, "1") ? SECONDS_HEAVY :
		     SECONDS_LIGHT;
	__u64 start = now_ns(), end = start + secs * 1000000000ULL;
	struct s2box_audit a;
	long long retries;
	int rounds = 0, faults = 0;
	char why[128];

	ASSERT_EQ(0, pin_to(0));
	while (now_ns() < end && !_metadata->exit_code) {
		if (!map_block(_metadata, self, why, sizeof(why))) {
			if (!rounds)
				SKIP(return, "%s", why);
			TH_LOG("round %d: %s: stopping", rounds, why);
			break;
		}
		faults += round_once(_metadata, self, rounds);
		rounds++;
		EXPECT_EQ(0, ioctl(self->box, S2BOX_AUDIT, &a)) {
			TH_LOG("audit: %s", strerror(errno));
		}
		ASSERT_EQ(0, box_unmap(self->box, BLK_IPA,
				       self->nblk * self->blk));
	}
	retries = fault_retries(self->box);
	TH_LOG("%uK granule, %u block(s) of %llu MiB: %d rounds in %llu ms",
	       self->info.granule >> 10, self->nblk, self->blk >> 20, rounds,
	       (now_ns() - start) / 1000000);
	TH_LOG("  %d spurious fault exits, %lld faults retried%s", faults,
	       retries, retries < 0 ? " (no count from this module)" : "");
	EXPECT_EQ(0, faults);
	EXPECT_LT(0, rounds);
}

TEST_HARNESS_MAIN
