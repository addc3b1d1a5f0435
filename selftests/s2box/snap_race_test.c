// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests: S2BOX_RESET and S2BOX_CLONE while other boxes and a
 * KVM guest run on every CPU, per granule, through libs2box and its C
 * guest (lib_guest.c).
 *
 * Around the test, threads pinned to each CPU run boxes of their own
 * (each writes its memory, checks the sum the guest computes, resets to
 * its snapshot and checks again) and a KVM guest counts at an MMIO page
 * and checks a marker in its RAM: neither may ever see another's memory
 * or lose a count. Meanwhile the test's template box holds random data
 * and a snapshot:
 *  - reset_and_clone: the box writes random units (the guest's fill and
 *    pwrite()), resets, and must read as the snapshot byte for byte with
 *    the snapshot's registers; now and then clones are made that, each
 *    in a thread of its own while the template goes on, must see the
 *    snapshot (as bytes and as the guest's sum), their own writes only,
 *    and the snapshot again after their own reset;
 *  - random_rounds: every round the box writes a random set of units
 *    (some twice); the test knows the truth, so after each reset the
 *    memory must equal the snapshot and restored_pages must be the
 *    distinct units written times the pages a unit has, plus what a
 *    round writing nothing restores (the call's own stack and data).
 * Both end with every box closed and check that the module's counters
 * (boxes alive, memory, guest and table pages) are back where they were.
 * S2BOX_FUZZ_SEED replays the random choices (the seed is printed).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "kvm_vmm.h"
#include "fuzz_util.h"

#include <s2box/s2box.h>

#include "snap_util.h"

extern const char lib_guest_elf[], lib_guest_elf_end[];

BLOB(snap_kvm);

#define IMAGE_LEN	((size_t)(lib_guest_elf_end - lib_guest_elf))
#define DATA_IPA	0x40000000ULL
#define DATA_UNITS	24
/*
 * Per test and granule, rounds permitting: 2 s in every matrix cell (the
 * suite runs in all of them), 8 s with S2BOX_HEAVY=1 (the heavy cells).
 */
#define TEST_NS		2000000000ULL
#define TEST_NS_HEAVY	8000000000ULL
#define MAX_ROUNDS	200
#define NR_CHILDREN	2
#define WORKER_UNITS	8
#define KVM_MARK_OFF	0xf00ULL
#define KVM_MARK	0x736e61706b766d00ULL	/* "snapkvm" */

/* --- the load: other boxes and a KVM guest -------------------------- */

struct worker {
	pthread_t thread;
	int cpu;
	unsigned int granule;
	atomic_bool *stop;
	long rounds;
	char err[256];		/* the first failure, or empty */
};

static void *worker_fail(struct worker *w, const char *what,
			 struct s2box_box *box)
{
	snprintf(w->err, sizeof(w->err), "box worker on cpu%d: %s: %s",
		 w->cpu, what, box ? s2box_box_errmsg(box) : strerror(errno));
	return NULL;
}

/* One box: fill, sum, reset to its all-zero snapshot, sum again. */
static void *box_worker_loop(struct worker *w, struct s2box_box *box)
{
	__u64 align = s2box_box_map_align(box), fill = 0, sum = 0, tag;
	__u64 args[4], res[8];

	if (s2box_box_symbol(box, "fill", &fill) ||
	    s2box_box_symbol(box, "sum", &sum))
		return worker_fail(w, "symbols", box);
	if (s2box_box_snapshot(box, NULL))
		return worker_fail(w, "snapshot", box);
	while (!atomic_load(w->stop)) {
		tag = (__u64)w->cpu << 48 | (w->rounds + 1) << 8;
		args[0] = DATA_IPA;
		args[1] = WORKER_UNITS;
		args[2] = align;
		args[3] = tag;
		if (s2box_call(box, fill, args, 4, res))
			return worker_fail(w, "fill", box);
		args[1] = WORKER_UNITS * align;
		if (s2box_call(box, sum, args, 2, res))
			return worker_fail(w, "sum", box);
		/* fill stores tag + i to unit i: the rest stays zero. */
		if (res[0] != WORKER_UNITS * tag + WORKER_UNITS *
		    (WORKER_UNITS - 1) / 2)
			return worker_fail(w, "the guest's sum is wrong", NULL);
		if (s2box_box_reset(box, NULL) ||
		    s2box_call(box, sum, args, 2, res))
			return worker_fail(w, "reset", box);
		if (res[0])
			return worker_fail(w, "not zero after its reset", NULL);
		w->rounds++;
	}
	return NULL;
}

static void *box_worker(void *arg)
{
	struct worker *w = arg;
	struct s2box_box *box = NULL;
	struct s2box_dev *dev;
	struct s2box_elf elf;
	void *ret = NULL;

	if (pin_cpu(w->cpu))
		return worker_fail(w, "pin", NULL);
	if (s2box_open(&dev))
		return worker_fail(w, "open", NULL);
	if (s2box_box_create(dev, S2BOX_IPA_BITS_MIN, w->granule, &box)) {
		snprintf(w->err, sizeof(w->err), "box worker: create: %s",
			 s2box_dev_errmsg(dev));
	} else if (s2box_load_elf(box, lib_guest_elf, IMAGE_LEN, &elf) ||
		   s2box_mem_map(box, DATA_IPA,
				 WORKER_UNITS * s2box_box_map_align(box),
				 S2BOX_PROT_READ | S2BOX_PROT_WRITE)) {
		worker_fail(w, "load", box);
	} else {
		ret = box_worker_loop(w, box);
	}
	s2box_box_destroy(box);
	s2box_close(dev);
	return ret;
}

/* A guest that counts at its MMIO page for as long as the test runs. */
static void *kvm_worker(void *arg)
{
	struct worker *w = arg;
	__u64 x[5], off, data, count = 0, mark = KVM_MARK | w->cpu;
	struct vmm v;

	if (pin_cpu(w->cpu))
		return worker_fail(w, "pin", NULL);
	if (vmm_create(&v, false)) {
		snprintf(w->err, sizeof(w->err), "KVM: %s: %s", vmm_why,
			 strerror(errno));
		return NULL;
	}
	vmm_load(&v, 0, snap_kvm_start, BLOB_LEN(snap_kvm));
	memcpy(v.mem + KVM_MARK_OFF, &mark, sizeof(mark));
	x[0] = 0;
	x[1] = 0;
	x[2] = VMM_MMIO_IPA;
	x[3] = VMM_MEM_IPA + KVM_MARK_OFF;
	x[4] = mark;
	if (vmm_start(&v, 0, x, 5))
		snprintf(w->err, sizeof(w->err), "KVM: %s", vmm_why);
	while (!w->err[0] && !atomic_load(w->stop)) {
		if (vmm_run_mmio(&v, &off, &data))
			snprintf(w->err, sizeof(w->err), "KVM: %s: %s",
				 vmm_why, strerror(errno));
		else if (off)
			snprintf(w->err, sizeof(w->err),
				 "KVM guest's RAM marker 0x%llx reads 0x%llx",
				 mark, data);
		else if (data != ++count)
			snprintf(w->err, sizeof(w->err),
				 "KVM guest counted %llu, want %llu", data,
				 count);
		w->rounds++;
	}
	vmm_destroy(&v);
	return NULL;
}

struct load {
	atomic_bool stop;
	int n;
	struct worker w[8];
};

static void load_start(struct __test_metadata *_metadata, struct load *l,
		       unsigned int granule)
{
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), i;
	bool kvm = vmm_available();

	if (ncpu > 3)
		ncpu = 3;
	atomic_store(&l->stop, false);
	l->n = 0;
	for (i = 0; i < ncpu; i++) {
		l->w[l->n] = (struct worker){ .cpu = i, .granule = granule,
					      .stop = &l->stop };
		ASSERT_EQ(0, pthread_create(&l->w[l->n].thread, NULL,
					    box_worker, &l->w[l->n]));
		l->n++;
		if (!kvm || i != ncpu - 1)
			continue;
		l->w[l->n] = (struct worker){ .cpu = i, .stop = &l->stop };
		ASSERT_EQ(0, pthread_create(&l->w[l->n].thread, NULL,
					    kvm_worker, &l->w[l->n]));
		l->n++;
	}
	if (!kvm)
		TH_LOG("no /dev/kvm: boxes only next to the test");
}

static void load_stop(struct __test_metadata *_metadata, struct load *l)
{
	int i;

	atomic_store(&l->stop, true);
	for (i = 0; i < l->n; i++) {
		pthread_join(l->w[i].thread, NULL);
		EXPECT_EQ(0, l->w[i].err[0]) {
			TH_LOG("%s", l->w[i].err);
		}
		/* Each really ran next to the test. */
		EXPECT_LT(0, l->w[i].rounds);
	}
	l->n = 0;
}

/* --- the template -------------------------------------------------------- */

/* What a clone needs to know of its template's snapshot. */
struct tmpl {
	__u64 align, data_len;
	__u64 fill, sum;	/* the guest's functions */
	unsigned char *truth;	/* the data at the snapshot */
	__u64 truth_sum;	/* the sum of its 64-bit words */
};

static __u64 test_ns(void)
{
	const char *heavy = getenv("S2BOX_HEAVY");

	return heavy && !strcmp(heavy, "1") ? TEST_NS_HEAVY : TEST_NS;
}

FIXTURE(race) {
	struct s2box_dev *dev;
	struct s2box_box *box;
	struct s2box_elf elf;
	struct s2box_nl_stats before;
	struct load load;
	struct fz_rng rng;
	struct tmpl t;
	__u64 ppu;
	unsigned char *now;
	struct s2box_regs at_snap;
};

FIXTURE_VARIANT(race) {
	unsigned int granule;
};

FIXTURE_VARIANT_ADD(race, g4k) { .granule = S2BOX_GRANULE_4K };
FIXTURE_VARIANT_ADD(race, g16k) { .granule = S2BOX_GRANULE_16K };
FIXTURE_VARIANT_ADD(race, g64k) { .granule = S2BOX_GRANULE_64K };

static int nl_stats(struct s2box_nl_stats *st)
{
	struct s2box_nl *nl;
	int err = s2box_nl_open(&nl);

	if (err)
		return err;
	err = s2box_nl_get_stats(nl, st);
	s2box_nl_close(nl);
	return err;
}

FIXTURE_SETUP(race)
{
	__u64 w;
	size_t i;

	self->box = NULL;
	self->t.truth = NULL;
	self->now = NULL;
	self->load.n = 0;
	ASSERT_EQ(0, nl_stats(&self->before));
	ASSERT_EQ(0, s2box_open(&self->dev));
	if (!s2box_caps_ipa_limit(s2box_dev_caps(self->dev), variant->granule))
		SKIP(return, "the %uK granule is not supported at stage 2",
		     variant->granule >> 10);
	ASSERT_EQ(0, s2box_box_create(self->dev, S2BOX_IPA_BITS_MIN,
				      variant->granule, &self->box));
	ASSERT_EQ(0, s2box_load_elf(self->box, lib_guest_elf, IMAGE_LEN,
				    &self->elf)) {
		TH_LOG("%s", s2box_box_errmsg(self->box));
	}
	ASSERT_EQ(0, s2box_box_symbol(self->box, "fill", &self->t.fill));
	ASSERT_EQ(0, s2box_box_symbol(self->box, "sum", &self->t.sum));
	self->t.align = s2box_box_map_align(self->box);
	self->ppu = self->t.align / sysconf(_SC_PAGESIZE);
	self->t.data_len = DATA_UNITS * self->t.align;
	ASSERT_EQ(0, s2box_mem_map(self->box, DATA_IPA, self->t.data_len,
				   S2BOX_PROT_READ | S2BOX_PROT_WRITE));
	self->t.truth = malloc(self->t.data_len);
	self->now = malloc(self->t.data_len);
	ASSERT_NE(NULL, self->t.truth);
	ASSERT_NE(NULL, self->now);
	self->rng.state = fz_seed("s2box_snap_race_test");
	fz_fill(&self->rng, self->t.truth, self->t.data_len);
	for (self->t.truth_sum = 0, i = 0; i < self->t.data_len; i += 8) {
		memcpy(&w, self->t.truth + i, 8);
		self->t.truth_sum += w;
	}
	ASSERT_EQ(0, s2box_mem_write(self->box, DATA_IPA, self->t.truth,
				     self->t.data_len));
	ASSERT_EQ(0, s2box_box_snapshot(self->box, NULL));
	ASSERT_EQ(0, s2box_regs_get(self->box, &self->at_snap));
	load_start(_metadata, &self->load, variant->granule);
}

FIXTURE_TEARDOWN(race)
{
	if (self->load.n)
		load_stop(_metadata, &self->load);
	s2box_box_destroy(self->box);
	free(self->t.truth);
	free(self->now);
	s2box_close(self->dev);
}

/* The guest's fill(base, n, stride, value) in @box; false if it fails. */
static bool guest_fill(struct __test_metadata *_metadata,
		       struct s2box_box *box, __u64 fn, __u64 ipa, __u64 n,
		       __u64 stride, __u64 value)
{
	__u64 args[4] = { ipa, n, stride, value }, res[8];
	int err = s2box_call(box, fn, args, 4, res);

	EXPECT_EQ(0, err) {
		TH_LOG("fill at 0x%llx: %s", ipa, s2box_box_errmsg(box));
	}
	return !err;
}

/* @box's data reads as the snapshot; returns the first differing byte. */
static long differs(const struct tmpl *t, struct s2box_box *box,
		    unsigned char *buf)
{
	size_t i;

	if (s2box_mem_read(box, DATA_IPA, buf, t->data_len))
		return 0;
	for (i = 0; i < t->data_len; i++)
		if (buf[i] != t->truth[i])
			return i;
	return -1;
}

static void expect_snapshot(struct __test_metadata *_metadata,
			    struct _test_data_race *self, int round)
{
	struct s2box_regs regs;
	long at = differs(&self->t, self->box, self->now);

	EXPECT_EQ(-1, at) {
		TH_LOG("round %d: byte 0x%lx reads 0x%02x after reset, snapshot 0x%02x",
		       round, at, self->now[at], self->t.truth[at]);
	}
	ASSERT_EQ(0, s2box_regs_get(self->box, &regs));
	EXPECT_EQ(0, memcmp(&regs, &self->at_snap, sizeof(regs))) {
		TH_LOG("round %d: registers differ from the snapshot's (pc 0x%llx, then 0x%llx)",
		       round, regs.pc, self->at_snap.pc);
	}
}

/*
 * The box writes a random set of distinct units (@set gets them, in a
 * random order, some written twice), by the guest's fill, and by
 * pwrite() when @host. Returns how many.
 */
static int write_units(struct __test_metadata *_metadata,
		       struct _test_data_race *self, struct s2box_box *box,
		       int *set, bool host)
{
	int n = fz_below(&self->rng, DATA_UNITS + 1), i, j, t;
	__u64 ipa, v;

	for (i = 0; i < DATA_UNITS; i++)
		set[i] = i;
	for (i = 0; i < n; i++) {
		j = i + fz_below(&self->rng, DATA_UNITS - i);
		t = set[i];
		set[i] = set[j];
		set[j] = t;
		ipa = DATA_IPA + set[i] * self->t.align +
		      8 * fz_below(&self->rng, self->t.align / 8 - 4);
		v = fz_next(&self->rng);
		if (host && fz_pct(&self->rng, 30)) {
			if (s2box_mem_write(box, ipa, &v, sizeof(v)))
				return -1;
		} else if (!guest_fill(_metadata, box, self->t.fill, ipa,
				 1 + fz_below(&self->rng, 4), 8, v)) {
			return -1;
		}
		/* Twice: a unit counts once however often it is written. */
		if (fz_pct(&self->rng, 20) &&
		    !guest_fill(_metadata, box, self->t.fill, ipa, 1, 8, ~v))
			return -1;
	}
	return n;
}

/* What the module holds is what it held before the test. */
static void expect_counters_back(struct __test_metadata *_metadata,
				 struct _test_data_race *self)
{
	struct s2box_nl_stats after;

	load_stop(_metadata, &self->load);
	s2box_box_destroy(self->box);
	self->box = NULL;
	ASSERT_EQ(0, nl_stats(&after));
	EXPECT_EQ(self->before.boxes_alive, after.boxes_alive);
	EXPECT_EQ(self->before.mem_bytes, after.mem_bytes);
	EXPECT_EQ(self->before.has_pages, after.has_pages);
	if (after.has_pages) {
		EXPECT_EQ(self->before.guest_pages, after.guest_pages);
		EXPECT_EQ(self->before.table_pages, after.table_pages);
	}
}

/* --- clones, each in a thread of its own --------------------------------- */

struct child {
	pthread_t thread;
	struct s2box_box *box;
	struct fz_rng rng;
	unsigned char *buf;
	char err[256];
	const struct tmpl *t;
};

static void *child_fail(struct child *c, const char *fmt, long v)
{
	snprintf(c->err, sizeof(c->err), fmt, v,
		 s2box_box_errmsg(c->box));
	return NULL;
}

/*
 * A clone sees the snapshot (bytes and the guest's sum), then only its
 * own writes, then the snapshot again after its own reset.
 */
static void *child_main(void *arg)
{
	struct child *c = arg;
	const struct tmpl *t = c->t;
	__u64 args[4], res[8], ipa, v;
	long at;

	if (differs(t, c->box, c->buf) != -1)
		return child_fail(c, "a new clone differs at byte 0x%lx (%s)",
				  differs(t, c->box, c->buf));
	args[0] = DATA_IPA;
	args[1] = t->data_len;
	if (s2box_call(c->box, t->sum, args, 2, res) ||
	    res[0] != t->truth_sum)
		return child_fail(c, "a new clone's guest sums 0x%lx (%s)",
				  res[0]);
	ipa = DATA_IPA + fz_below(&c->rng, DATA_UNITS) * t->align;
	v = fz_next(&c->rng);
	args[0] = ipa;
	args[1] = 1;
	args[2] = 8;
	args[3] = v;
	if (s2box_call(c->box, t->fill, args, 4, res) ||
	    s2box_mem_read(c->box, ipa, &res[1], 8) || res[1] != v)
		return child_fail(c, "its own write reads 0x%lx (%s)", res[1]);
	if (s2box_box_reset(c->box, NULL))
		return child_fail(c, "reset %ld: %s", 0);
	at = differs(t, c->box, c->buf);
	if (at != -1)
		return child_fail(c, "after its reset byte 0x%lx differs (%s)",
				  at);
	return NULL;
}

/* Clones run in threads while the template writes and resets. */
static void clone_round(struct __test_metadata *_metadata,
			struct _test_data_race *self, int round)
{
	struct child ch[NR_CHILDREN];
	int set[DATA_UNITS], i;

	memset(ch, 0, sizeof(ch));
	for (i = 0; i < NR_CHILDREN; i++) {
		ASSERT_EQ(0, s2box_box_clone(self->box, &ch[i].box)) {
			TH_LOG("%s", s2box_box_errmsg(self->box));
		}
		ch[i].t = &self->t;
		ch[i].rng.state = fz_next(&self->rng);
		ch[i].buf = malloc(self->t.data_len);
		ASSERT_NE(NULL, ch[i].buf);
		ASSERT_EQ(0, pthread_create(&ch[i].thread, NULL, child_main,
					    &ch[i]));
	}
	EXPECT_LE(0, write_units(_metadata, self, self->box, set, true));
	ASSERT_EQ(0, s2box_box_reset(self->box, NULL));
	for (i = 0; i < NR_CHILDREN; i++) {
		pthread_join(ch[i].thread, NULL);
		EXPECT_EQ(0, ch[i].err[0]) {
			TH_LOG("round %d, clone %d: %s", round, i, ch[i].err);
		}
		expect_audit_clean(_metadata, ch[i].box);
		s2box_box_destroy(ch[i].box);
		free(ch[i].buf);
	}
	expect_snapshot(_metadata, self, round);
}

TEST_F_TIMEOUT(race, reset_and_clone, 300)
{
	__u64 end = now_ns() + test_ns();
	int set[DATA_UNITS], round, clones = 0;

	for (round = 0; round < MAX_ROUNDS && now_ns() < end; round++) {
		if (round % 3 == 2) {
			clone_round(_metadata, self, round);
			clones += NR_CHILDREN;
		} else {
			ASSERT_LE(0, write_units(_metadata, self, self->box,
						 set, true));
			ASSERT_EQ(0, s2box_box_reset(self->box, NULL)) {
				TH_LOG("%s", s2box_box_errmsg(self->box));
			}
			expect_snapshot(_metadata, self, round);
		}
		if (_metadata->exit_code)
			break;
	}
	expect_audit_clean(_metadata, self->box);
	TH_LOG("%d rounds, %d clones, next to %d workers", round, clones,
	       self->load.n);
	EXPECT_LE(3, round);
	expect_counters_back(_metadata, self);
}

/* restored_pages is the distinct units written, plus the call's own. */
TEST_F_TIMEOUT(race, random_rounds, 300)
{
	__u64 end = now_ns() + test_ns(), base, want;
	int set[DATA_UNITS], round, n;
	struct s2box_reset r;

	ASSERT_TRUE(guest_fill(_metadata, self->box, self->t.fill, DATA_IPA, 0,
			       8, 0));
	ASSERT_EQ(0, s2box_box_reset(self->box, &r));
	base = r.restored_pages;
	for (round = 0; round < MAX_ROUNDS && now_ns() < end; round++) {
		n = write_units(_metadata, self, self->box, set, false);
		ASSERT_LE(0, n);
		ASSERT_EQ(0, s2box_box_reset(self->box, &r)) {
			TH_LOG("%s", s2box_box_errmsg(self->box));
		}
		/* n == 0: no call at all, so not even the baseline. */
		want = n ? base + n * self->ppu : 0;
		EXPECT_EQ(want, r.restored_pages) {
			TH_LOG("round %d: %d units (%llu pages each, %llu base): %llu restored",
			       round, n, self->ppu, base, r.restored_pages);
		}
		EXPECT_EQ(0, r.unmapped_pages + r.remapped_pages);
		EXPECT_EQ(round + 2, r.resets);
		expect_snapshot(_metadata, self, round);
		if (_metadata->exit_code)
			break;
	}
	expect_audit_clean(_metadata, self->box);
	TH_LOG("%d rounds, baseline %llu pages, next to %d workers", round,
	       base, self->load.n);
	EXPECT_LE(3, round);
	expect_counters_back(_metadata, self);
}

TEST_HARNESS_MAIN
