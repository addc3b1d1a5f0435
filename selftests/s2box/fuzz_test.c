// SPDX-License-Identifier: GPL-2.0
/*
 * s2box_fuzz_test: a seeded, reproducible fuzzer of the s2box ioctl ABI.
 *
 * It keeps up to MAX_BOXES boxes open and issues random calls: every
 * ioctl of the uapi on /dev/s2box and on box fds (and each on the wrong
 * one), unknown ioctl numbers, structure sizes other than ours in the
 * _IOC size field, arguments that are NULL, in a PROT_NONE page, on a
 * read-only page, kernel or tagged addresses, misaligned, or ending right
 * at a PROT_NONE page (fuzz_arg.h), field values biased towards edges,
 * MAP/UNMAP inside and outside the box, pread/pwrite/mmap at random
 * offsets (fuzz_mem.h), random registers and RUN of small blobs that
 * HVC, fault, store, loop under small budgets or run one random
 * instruction (fuzz_cpu.h), AUDIT, GET_BOX_INFO, SNAPSHOT (and DROP),
 * RESET and CLONE (fuzz_snap.h), and closes boxes and creates new ones
 * as it goes (fuzz_call.h).
 *
 * Every call's result is predicted by a model of the module's rules and
 * of each box's memory (fuzz_model.h) and checked:
 *  - the errno is one the uapi documents for that call, and the one the
 *    model expects (ENOMEM is always the host's call where memory is
 *    allocated, EINTR where a watchdog signal may cut a run short);
 *  - pread returns what was written (or zeroes), pwrite returns what it
 *    wrote and changes nothing else, a shared mapping shows the same;
 *  - after RESET a box reads as at its SNAPSHOT, a CLONE as its
 *    template's snapshot, and neither ever sees the other's writes; the
 *    counts RESET reports are those the model predicts (fuzz_snap.h);
 *  - output never goes past the size in the ioctl number, input-only
 *    ioctls never write the caller's memory, larger output structures
 *    are zero-filled;
 *  - the blobs exit as they must (exit reason, IPA, registers);
 *  - every CHECK_EVERY calls S2BOX_AUDIT is clean on every box and
 *    agrees with the model, and a mapped range reads back as modelled;
 *  - no call takes longer than HANG_S seconds;
 *  - at the end, with every box closed, the netlink statistics
 *    BOXES_ALIVE and MEM_BYTES are what they were before.
 * It fails too when a command whose successes matter (CREATE, MAP, UNMAP,
 * RUN, SET_REGS, GET_REGS, AUDIT, pwrite, SNAPSHOT, RESET, CLONE) succeeded in fewer than
 * MIN_OK_PCT percent of its calls: a fuzzer whose calls all fail tests
 * nothing.
 *
 * Errors each call may return (uapi/linux/s2box.h, and what the module
 * and the VFS do before it):
 *   GET_CAPS, GET_BOX_INFO          EFAULT
 *   CREATE_BOX                      EINVAL EOPNOTSUPP E2BIG ENOMEM EDQUOT EMFILE
 *                                   EFAULT
 *   MAP                             EINVAL EEXIST ENOMEM E2BIG EFAULT
 *   UNMAP                           EINVAL ENOMEM E2BIG EFAULT
 *   AUDIT                           EFAULT (EUCLEAN means a broken box)
 *   GET_REGS                        EBUSY ENOMEM EFAULT
 *   SET_REGS                        EINVAL EBUSY ENOMEM E2BIG EFAULT
 *   RUN                             EINTR EBUSY EINVAL E2BIG EFAULT
 *   SNAPSHOT                        EBUSY ENOMEM ENOENT EINVAL E2BIG EFAULT
 *   RESET                           ENOENT EBUSY ENOMEM EINVAL E2BIG EFAULT
 *   CLONE                           ENOENT EINVAL ENOMEM EDQUOT EMFILE E2BIG
 *                                   EFAULT
 *   any other ioctl number          ENOTTY
 *   pread/pwrite                    ENXIO EFAULT EINVAL (a negative offset)
 *   mmap                            EINVAL (MAP_PRIVATE, offset) ENOMEM
 * (E2BIG: the uapi's convention for a larger structure whose unknown
 * bytes are not zero, for every ioctl that reads one.)
 *
 * The seed comes from S2BOX_FUZZ_SEED or the clock and is printed first.
 * S2BOX_HEAVY=1 makes CALLS_HEAVY calls, otherwise CALLS_LIGHT; either
 * stops early, saying so, after TIME_*_S seconds.
 *
 * race.threads is the threaded mode (fuzz_race.h documents its model):
 * RC_THREADS threads on shared boxes, for RC_LIGHT_S seconds or, with
 * S2BOX_HEAVY=1, RC_HEAVY_S. RUN, GET_REGS and SET_REGS must each have
 * met a running box (EBUSY) at least once; EBADF is allowed only on a
 * box another thread closed during the call.
 */

#define _GNU_SOURCE	/* O_PATH */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "fuzz_call.h"
#include "fuzz_mem.h"
#include "fuzz_cpu.h"
#include "fuzz_snap.h"
#include "fuzz_race_run.h"

/* --- the rest of the ioctls -------------------------------------------- */

static void op_audit(struct fuzz *f, struct fz_box *b)
{
	struct s2box_audit a;
	struct pred p;
	struct call c;
	int got;

	call_prepare(f, &c, ST_AUDIT, b->fd, NULL, false);
	p = (struct pred){ c.out_err };
	fz_log(&f->ring, "AUDIT box %llu size %zu place %d",
	       (unsigned long long)b->id, c.b.len, c.b.place);
	call_issue(&c);
	got = fz_result(f, ST_AUDIT, c.err, &p, c.secs);
	call_post(f, &c, &a);
	if (got || f->failed || c.b.place != FZ_GOOD || c.b.len < sizeof(a))
		return;
	if (a.bad_desc || a.empty_tables || a.foreign || a.bytes != b->mapped)
		fz_fail(f, "%s: bad %llu empty %llu foreign %llu bytes %llu, model %llu",
			cur_op(f), (unsigned long long)a.bad_desc,
			(unsigned long long)a.empty_tables,
			(unsigned long long)a.foreign,
			(unsigned long long)a.bytes,
			(unsigned long long)b->mapped);
}

static void op_info(struct fuzz *f, struct fz_box *b)
{
	struct s2box_box_info info, ref;
	struct pred p;
	struct call c;
	int got;

	call_prepare(f, &c, ST_INFO, b->fd, NULL, false);
	p = (struct pred){ c.out_err };
	fz_log(&f->ring, "GET_BOX_INFO box %llu size %zu place %d",
	       (unsigned long long)b->id, c.b.len, c.b.place);
	call_issue(&c);
	got = fz_result(f, ST_INFO, c.err, &p, c.secs);
	call_post(f, &c, &info);
	if (got || f->failed || c.b.place != FZ_GOOD)
		return;
	if (!kioctl(f, b->fd, S2BOX_GET_BOX_INFO, &ref, "GET_BOX_INFO"))
		return;
	if (memcmp(&info, &ref, c.b.len < sizeof(ref) ? c.b.len : sizeof(ref)))
		fz_fail(f, "%s: differs from a full-size GET_BOX_INFO", cur_op(f));
	else if (ref.box_id != b->id || ref.ipa_bits != b->ipa_bits ||
		 ref.granule != b->granule || ref.map_align != b->align ||
		 ref.mapped_bytes != b->mapped || ref.reserved1 ||
		 ref.clone_of != b->clone_of ||
		 ref.snapshot_bytes != (b->snap ? b->snap->mapped : 0) ||
		 ref.shared_bytes > (b->clone_of ? b->mapped : 0))
		fz_fail(f, "%s: %llu %u/%u/%u map %llu of %llu snap %llu sh %llu; %llu %llu %llu",
			cur_op(f), (unsigned long long)ref.box_id, ref.ipa_bits,
			ref.granule, ref.map_align,
			(unsigned long long)ref.mapped_bytes,
			(unsigned long long)ref.clone_of,
			(unsigned long long)ref.snapshot_bytes,
			(unsigned long long)ref.shared_bytes,
			(unsigned long long)b->mapped,
			(unsigned long long)b->clone_of,
			(unsigned long long)(b->snap ? b->snap->mapped : 0));
}

static void op_caps(struct fuzz *f)
{
	struct s2box_caps caps;
	struct pred p;
	struct call c;
	int got;

	call_prepare(f, &c, ST_CAPS, f->ctl, NULL, false);
	p = (struct pred){ c.out_err };
	fz_log(&f->ring, "GET_CAPS size %zu place %d", c.b.len, c.b.place);
	call_issue(&c);
	got = fz_result(f, ST_CAPS, c.err, &p, c.secs);
	call_post(f, &c, &caps);
	if (!got && !f->failed && c.b.place == FZ_GOOD &&
	    memcmp(&caps, &f->caps, c.b.len < sizeof(caps) ? c.b.len :
							      sizeof(caps)))
		fz_fail(f, "%s: caps changed", cur_op(f));
}

/*
 * Ioctl numbers no fd knows: s2box's own on the wrong fd or with the
 * wrong direction, unknown s2box numbers, other types. Types the VFS
 * itself answers (FIOCLEX, FIFREEZE, FICLONE, ...) are left out: they
 * never reach the module.
 */
static void op_unknown(struct fuzz *f, struct fz_box *b)
{
	static const __u8 vfs_types[] = { 0x00, 0x15, 0x54, 0x58, 0x66, 0x94 };
	struct fz_rng *r = &f->rng;
	unsigned int type = S2BOX_IOC_MAGIC, nr, dir, i;
	struct pred p = { ENOTTY };
	bool on_box = fz_pct(r, 60);
	struct fz_buf buf;
	double t0;
	long ret;

	if (fz_pct(r, 60)) {
		nr = fz_below(r, ST_UNKNOWN);
		dir = cmds[nr].dir;
		if (on_box == cmds[nr].on_box)	/* right fd: wrong direction */
			dir = (dir + 1 + fz_below(r, 3)) & 3;
	} else {
		nr = ST_UNKNOWN + fz_below(r, 256 - ST_UNKNOWN);
		dir = fz_below(r, 4);
		if (fz_pct(r, 40)) {
			nr = fz_below(r, 256);
			do {
				type = fz_below(r, 256);
				for (i = 0; i < sizeof(vfs_types); i++)
					if (vfs_types[i] == type)
						break;
			} while (i < sizeof(vfs_types) || type == S2BOX_IOC_MAGIC);
		}
	}
	fz_place(&f->ar, r, &buf, fz_pick_place(r), NULL, pick_usize(f, 64));
	fz_log(&f->ring, "ioctl 0x%x on %s (type 0x%x nr %u dir %u size %zu place %d)",
	       (unsigned int)_IOC(dir, type, nr, buf.len),
	       on_box ? "a box" : "/dev/s2box",
	       type, nr, dir, buf.len, buf.place);
	t0 = fz_now();
	errno = 0;
	ret = ioctl(on_box ? b->fd : f->ctl, _IOC(dir, type, nr, buf.len),
		    buf.p);
	fz_result(f, ST_UNKNOWN, ret < 0 ? errno : 0, &p, fz_now() - t0);
	if (buf.place != FZ_GOOD || f->failed)
		return;
	for (i = 0; i < buf.len + FZ_SENTINEL; i++)
		if ((unsigned char)buf.p[i] != FZ_FILL)
			break;
	if (i < buf.len + FZ_SENTINEL)
		fz_fail(f, "%s: the caller's buffer changed", cur_op(f));
}

/* --- checks between operations ------------------------------------------ */

/* Every box audits clean and as modelled; one range reads back. */
static void checkpoint(struct fuzz *f)
{
	struct s2box_box_info info;
	unsigned long checked = 0;
	struct s2box_audit a;
	struct fz_box *b;
	struct fz_ext *e;
	__u64 pos, len;
	long got, off;
	int i;

	fz_log(&f->ring, "checkpoint");
	for (i = 0; i < MAX_BOXES && !f->failed; i++) {
		b = &f->box[i];
		if (b->fd < 0)
			continue;
		if (!kioctl(f, b->fd, S2BOX_AUDIT, &a, "AUDIT") ||
		    !kioctl(f, b->fd, S2BOX_GET_BOX_INFO, &info, "GET_BOX_INFO"))
			return;
		if (a.bad_desc || a.empty_tables || a.foreign ||
		    a.bytes != b->mapped || info.mapped_bytes != b->mapped) {
			fz_fail(f,
				"box %llu: audit bad %llu empty %llu foreign %llu bytes %llu, info %llu, model %llu",
				(unsigned long long)b->id,
				(unsigned long long)a.bad_desc,
				(unsigned long long)a.empty_tables,
				(unsigned long long)a.foreign,
				(unsigned long long)a.bytes,
				(unsigned long long)info.mapped_bytes,
				(unsigned long long)b->mapped);
			return;
		}
	}
	b = random_box(f);
	if (!b || !b->n_ext || f->failed)
		return;
	e = &b->ext[fz_below(&f->rng, b->n_ext)];
	pos = e->ipa + FZ_CHUNK * fz_below(&f->rng, e->size / FZ_CHUNK);
	len = e->ipa + e->size - pos;
	if (len > FZ_RW_BYTES)
		len = FZ_RW_BYTES;
	got = pread(b->fd, f->img, len, pos);
	if (got != (long)len) {
		fz_fail(f, "pread of %llu mapped bytes at 0x%llx: %ld (%s)",
			(unsigned long long)len, (unsigned long long)pos, got,
			strerror(errno));
		return;
	}
	off = fz_model_cmp(b, pos, f->img, len, false, &checked);
	f->checked += checked;
	if (off >= 0)
		fz_fail(f, "box %llu: IPA 0x%llx reads 0x%02x, not as written",
			(unsigned long long)b->id,
			(unsigned long long)(pos + off),
			(unsigned char)f->img[off]);
}

static void fuzz_step(struct fuzz *f)
{
	struct fz_box *b = random_box(f);
	unsigned int v = fz_below(&f->rng, 1000);

	if (!b || (live_boxes(f) < 2 && v < 200)) {
		op_create(f);
		return;
	}
	if (v < 30)
		op_create(f);
	else if (v < 42)
		op_close(f, b);
	else if (v < 190)
		op_map(f, b);
	else if (v < 280)
		op_unmap(f, b);
	else if (v < 390)
		op_rw(f, b, true);
	else if (v < 490)
		op_rw(f, b, false);
	else if (v < 570)
		op_run(f, b);
	else if (v < 640)
		op_set_regs(f, b);
	else if (v < 690)
		op_get_regs(f, b);
	else if (v < 730)
		op_audit(f, b);
	else if (v < 770)
		op_info(f, b);
	else if (v < 790)
		op_caps(f);
	else if (v < 830)
		op_mmap(f, b);
	else if (v < 845)
		op_munmap(f);
	else if (v < 870)
		op_snapshot(f, b);
	else if (v < 900)
		op_reset(f, b);
	else if (v < 912)
		op_clone(f, b);
	else
		op_unknown(f, b);
}

/* --- the test -------------------------------------------------------------- */

/* The module-wide counters a leak would move (GET_STATS). */
static const struct {
	int attr;
	const char *name;
} leak_stats[] = {
	{ S2BOX_ATTR_STAT_BOXES_ALIVE, "BOXES_ALIVE" },
	{ S2BOX_ATTR_STAT_MEM_BYTES, "MEM_BYTES" },
	{ S2BOX_ATTR_STAT_TABLE_PAGES, "TABLE_PAGES" },
	{ S2BOX_ATTR_STAT_GUEST_PAGES, "GUEST_PAGES" },
};

#define NR_LEAK_STATS	ARRAY_SIZE(leak_stats)

/*
 * Reads them into @v (~0: not reported; the first two always are).
 * Returns 0, or -1 when the family does not answer.
 */
static int nl_stats(__u64 *v)
{
	struct nl_reply *rep = malloc(sizeof(*rep));
	struct nl_req r;
	struct nl nl;
	int ret = -1;
	size_t i;

	if (!rep || nl_open(&nl, rep)) {
		free(rep);
		return -1;
	}
	req_init(&r, nl.family, S2BOX_CMD_GET_STATS, 0);
	if (!nl_do(&nl, &r, rep) && !rep->err &&
	    rep->tb[S2BOX_ATTR_STAT_BOXES_ALIVE] &&
	    rep->tb[S2BOX_ATTR_STAT_MEM_BYTES]) {
		for (i = 0; i < NR_LEAK_STATS; i++)
			v[i] = rep->tb[leak_stats[i].attr] ?
			       nla_u64(rep->tb[leak_stats[i].attr]) : ~0ULL;
		ret = 0;
	}
	close(nl.fd);
	free(rep);
	return ret;
}

static __u64 max_box_mem(void)
{
	FILE *p = fopen("/sys/module/s2box/parameters/max_box_mem_mb", "r");
	unsigned long mb = 1024;

	if (p) {
		if (fscanf(p, "%lu", &mb) != 1)
			mb = 1024;
		fclose(p);
	}
	return (__u64)mb << 20;
}

static void report(struct fuzz *f, double secs)
{
	int i;

	fz_info("%lu calls in %.1f s; per command:\n", f->calls, secs);
	for (i = 0; i < NR_ST; i++)
		fz_print_stat(&f->st[i]);
	fz_info("exits: hvc %lu s2_fault %lu trap %lu serror %lu budget %lu\n",
		f->exits[1], f->exits[2], f->exits[3], f->exits[4],
		f->exits[5]);
	fz_info("blobs as expected: hvc %lu load-fault %lu store %lu loop %lu count %lu random-insn %lu\n",
		f->blob_ok[BL_HVC], f->blob_ok[BL_LOAD],
		f->blob_ok[BL_STORE], f->blob_ok[BL_LOOP],
		f->blob_ok[BL_COUNT], f->blob_ok[BL_RANDOM]);
	fz_info("boxes created %lu; bytes read back and compared %lu; SIGBUS as expected %lu; tainting runs %lu\n",
		f->creates_ok, f->checked, f->sigbus, f->taints);
	if (f->qemu_16k_l0)
		fz_info("blob runs in 16K boxes walking from level 0 that QEMU 7.2 refused: %lu\n",
			f->qemu_16k_l0);
}

FIXTURE(fuzz) {
	struct fuzz *f;
};

FIXTURE_SETUP(fuzz)
{
	struct sigaction sa = { 0 };
	struct fuzz *f;
	int i;

	f = calloc(1, sizeof(*f));
	self->f = f;
	ASSERT_NE(NULL, f);
	for (i = 0; i < MAX_BOXES; i++)
		f->box[i].fd = -1;
	for (i = 0; i < NR_ST; i++)
		f->st[i].name = st_names[i];
	f->ctl = s2box_open_ctl();
	ASSERT_LE(0, f->ctl) {
		TH_LOG("%s: %s", S2BOX_DEVICE_PATH, strerror(errno));
	}
	ASSERT_EQ(0, ioctl(f->ctl, S2BOX_GET_CAPS, &f->caps));
	ASSERT_EQ(0, fz_arena_init(&f->ar));
	f->page = f->ar.page;
	/* Room for two 32 MiB blocks on a 16K host, 2 MiB ones elsewhere. */
	f->budget = (f->page > 4096 ? 72 : 40) << 20;
	f->max_box_mem = max_box_mem();
	/* No SA_RESTART: the watchdog must interrupt RUN. */
	sa.sa_handler = fz_on_alarm;
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	sa.sa_handler = fz_on_sigbus;
	sa.sa_flags = SA_NODEFER;
	ASSERT_EQ(0, sigaction(SIGBUS, &sa, NULL));
}

FIXTURE_TEARDOWN(fuzz)
{
	struct fuzz *f = self->f;
	int i;

	if (!f)
		return;
	for (i = 0; i < MAX_MAPS; i++)
		if (f->maps[i].addr)
			munmap(f->maps[i].addr, f->maps[i].len);
	for (i = 0; i < MAX_BOXES; i++)
		if (f->box[i].fd >= 0)
			fz_box_forget(&f->box[i]);
	if (f->ctl >= 0)
		close(f->ctl);
	fz_arena_free(&f->ar);
	free(f);
}

TEST_F_TIMEOUT(fuzz, ioctls, 900)
{
	static const int must_succeed[] = {
		ST_CREATE, ST_MAP, ST_UNMAP, ST_RUN, ST_SET_REGS, ST_GET_REGS,
		ST_AUDIT, ST_PWRITE, ST_SNAPSHOT, ST_RESET, ST_CLONE,
	};
	struct fuzz *f = self->f;
	__u64 before[NR_LEAK_STATS], after[NR_LEAK_STATS];
	unsigned long target, next_check = CHECK_EVERY;
	double t0, limit;
	int i;

	f->heavy = fz_heavy();
	f->seed = fz_seed("s2box_fuzz_test");
	f->rng.state = f->seed;
	target = f->heavy ? CALLS_HEAVY : CALLS_LIGHT;
	limit = f->heavy ? TIME_HEAVY_S : TIME_LIGHT_S;
	ASSERT_EQ(0, nl_stats(before)) {
		TH_LOG("GET_STATS over netlink failed");
	}
	fz_info("%lu calls (S2BOX_HEAVY=%d), at most %.0f s; %llu boxes alive, %llu bytes of box memory before\n",
		target, f->heavy, limit, (unsigned long long)before[0],
		(unsigned long long)before[1]);
	t0 = fz_now();
	while (f->calls < target && !f->failed) {
		fuzz_step(f);
		if (f->calls >= next_check && !f->failed) {
			checkpoint(f);
			next_check = f->calls + CHECK_EVERY;
		}
		if (fz_now() - t0 > limit) {
			fz_info("time limit of %.0f s reached after %lu calls: stopping early\n",
				limit, f->calls);
			break;
		}
	}
	if (!f->failed)
		checkpoint(f);
	report(f, fz_now() - t0);
	/* Everything goes: mappings first, they hold boxes alive too. */
	for (i = 0; i < MAX_MAPS; i++)
		if (f->maps[i].addr)
			munmap_at(f, i);
	for (i = 0; i < MAX_BOXES; i++)
		if (f->box[i].fd >= 0)
			op_close(f, &f->box[i]);
	ASSERT_FALSE(f->failed);
	/* With every box and mapping gone, the module holds what it held. */
	ASSERT_EQ(0, nl_stats(after));
	for (i = 0; i < (int)NR_LEAK_STATS; i++) {
		EXPECT_EQ(before[i], after[i]) {
			TH_LOG("GET_STATS %s: %llu before, %llu after closing all",
			       leak_stats[i].name,
			       (unsigned long long)before[i],
			       (unsigned long long)after[i]);
		}
	}
	for (i = 0; i < (int)ARRAY_SIZE(must_succeed); i++) {
		struct fz_stat *s = &f->st[must_succeed[i]];

		EXPECT_LE(s->calls * MIN_OK_PCT, s->ok * 100) {
			TH_LOG("%s succeeded %lu times in %lu calls (under %d%%)",
			       s->name, s->ok, s->calls, MIN_OK_PCT);
		}
	}
}

/* --- the threaded mode (fuzz_race.h) -------------------------------------- */

FIXTURE(race) {
	struct race *rc;
};

FIXTURE_SETUP(race)
{
	const char *what;

	self->rc = calloc(1, sizeof(*self->rc));
	ASSERT_NE(NULL, self->rc);
	self->rc->ctl = -1;
	self->rc->opath = -1;
	what = rc_init(self->rc);
	ASSERT_EQ(NULL, what) {
		TH_LOG("%s: %s", what, strerror(errno));
	}
}

FIXTURE_TEARDOWN(race)
{
	if (self->rc)
		rc_free(self->rc);
	free(self->rc);
}

TEST_F_TIMEOUT(race, threads, 400)
{
	static const int must_succeed[] = {
		ST_CREATE, ST_MAP, ST_UNMAP, ST_RUN, ST_SET_REGS, ST_GET_REGS,
		ST_AUDIT, ST_PWRITE, ST_PREAD, ST_MMAP,
	};
	__u64 before[NR_LEAK_STATS], after[NR_LEAK_STATS];
	struct race *rc = self->rc;
	struct fz_stat sum[NR_ST];
	unsigned long checked = 0;
	int i;

	rc->heavy = fz_heavy();
	rc->seed = fz_seed("s2box_fuzz_test (threads)");
	rc->soft = rc->heavy ? RC_HEAVY_S : RC_LIGHT_S;
	rc->hard = rc->soft + RC_MORE_S;
	ASSERT_EQ(0, nl_stats(before)) {
		TH_LOG("GET_STATS over netlink failed");
	}
	fz_info("%d threads, %d boxes, %.0f s (S2BOX_HEAVY=%d), longer until RUN, GET_REGS and SET_REGS saw EBUSY\n",
		RC_THREADS, RC_BOXES, rc->soft, rc->heavy);
	ASSERT_EQ(0, pthread_barrier_init(&rc->go, NULL, RC_THREADS));
	rc->t0 = fz_now();
	for (i = 0; i < RC_THREADS; i++) {
		rc->th[i].rng.state = rc->seed ^ (0x9e3779b97f4a7c15ULL * (i + 1));
		ASSERT_EQ(0, pthread_create(&rc->th[i].tid, NULL,
					    rc_thread_main, &rc->th[i]));
	}
	for (i = 0; i < RC_THREADS; i++)
		pthread_join(rc->th[i].tid, NULL);
	pthread_barrier_destroy(&rc->go);
	memset(sum, 0, sizeof(sum));
	rc_report(rc, sum, fz_now() - rc->t0);
	if (!rc_failed(rc))
		rc_final_check(&rc->th[0]);
	rc_free(rc);
	ASSERT_FALSE(rc_failed(rc));
	ASSERT_EQ(0, nl_stats(after));
	for (i = 0; i < (int)NR_LEAK_STATS; i++) {
		EXPECT_EQ(before[i], after[i]) {
			TH_LOG("GET_STATS %s: %llu before, %llu after closing all",
			       leak_stats[i].name,
			       (unsigned long long)before[i],
			       (unsigned long long)after[i]);
		}
	}
	for (i = 0; i < (int)ARRAY_SIZE(must_succeed); i++) {
		struct fz_stat *s = &sum[must_succeed[i]];

		EXPECT_LE(s->calls * MIN_OK_PCT, s->ok * 100) {
			TH_LOG("%s succeeded %lu times in %lu calls (under %d%%)",
			       s->name, s->ok, s->calls, MIN_OK_PCT);
		}
	}
	/* The point of the threads: calls that really met in the module. */
	for (i = ST_GET_REGS; i <= ST_RUN; i++) {
		EXPECT_LT(0, sum[i].err[EBUSY]) {
			TH_LOG("%s never met a running box (EBUSY)", st_names[i]);
		}
	}
	for (i = 0; i < RC_THREADS; i++)
		checked += rc->th[i].checked;
	EXPECT_LT(0, checked) {
		TH_LOG("no run was checked: every one was stolen");
	}
}

/* --- regressions: what the fuzzer found, each as its exact reproducer --- */

/*
 * Seed 0x18ebf4b8a4f3ca10, call 693 (6.12, cortex-a76): pwrite of 4097
 * bytes at an IPA from a buffer whose 1018th byte is in a PROT_NONE page
 * failed with EFAULT, yet had written the 1017 bytes before the fault
 * into the box, and zeroed the rest of that page's piece of box memory
 * (copy_from_user() zero-fills what it cannot copy), skipping the cache
 * maintenance for both. pread into such a buffer reported EFAULT for the
 * bytes it had delivered. Both must return what they moved, and pwrite
 * must change no other byte.
 */
TEST(rw_faulting_part_way_moves_only_what_it_reports)
{
	size_t page = sysconf(_SC_PAGESIZE), before = 1017, i;
	struct s2box_box_info info;
	char *buf, *p, back[4096];
	int ctl, box;
	__u64 ipa;
	ssize_t n;

	ctl = s2box_open_ctl();
	ASSERT_LE(0, ctl);
	box = s2box_create(ctl, S2BOX_IPA_BITS_MIN, s2box_any_granule(ctl));
	ASSERT_LE(0, box);
	ASSERT_EQ(0, ioctl(box, S2BOX_GET_BOX_INFO, &info));
	ipa = info.map_align;
	ASSERT_EQ(0, box_map(box, ipa, info.map_align,
			     S2BOX_PROT_READ | S2BOX_PROT_WRITE));
	memset(back, 0x11, sizeof(back));
	ASSERT_EQ(4096, pwrite(box, back, 4096, ipa));
	/* A buffer whose last bytes sit right before a PROT_NONE page. */
	buf = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mprotect(buf + page, page, PROT_NONE));
	p = buf + page - before;
	memset(p, 0x22, before);

	n = pwrite(box, p, 4097, ipa);
	EXPECT_TRUE(n >= 1 && n <= (ssize_t)before) {
		TH_LOG("pwrite from %zu good bytes: %zd (%s)", before, n,
		       n < 0 ? strerror(errno) : "a count");
	}
	ASSERT_EQ(4096, pread(box, back, 4096, ipa));
	for (i = 0; i < 4096; i++)
		if (back[i] != (i < (size_t)(n > 0 ? n : 0) ? 0x22 : 0x11))
			break;
	EXPECT_EQ(4096, i) {
		TH_LOG("IPA 0x%llx + %zu holds 0x%02x after pwrite returned %zd",
		       (unsigned long long)ipa, i, (unsigned char)back[i], n);
	}

	p = buf + page - 100;
	n = pread(box, p, 4096, ipa);
	EXPECT_TRUE(n >= 1 && n <= 100) {
		TH_LOG("pread into 100 good bytes: %zd (%s)", n,
		       n < 0 ? strerror(errno) : "a count");
	}
	for (i = 0; n > 0 && i < (size_t)n; i++)
		EXPECT_EQ(back[i], p[i]);
	munmap(buf, 2 * page);
	close(box);
	close(ctl);
}

TEST_HARNESS_MAIN
