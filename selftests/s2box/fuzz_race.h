/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2box_fuzz_test's threaded mode: RC_THREADS threads share RC_BOXES
 * boxes and race every call that can meet another on one box: RUN with
 * RUN, GET_REGS and SET_REGS (EBUSY), MAP/UNMAP with RUN, pread/pwrite
 * and a process's mapping of the same memory, close with all of them.
 *
 * What stays predictable, and so is checked exactly:
 *  - each box's IPA space above RC_BASE is cut into lanes of RC_LANE
 *    bytes, one a thread and one shared (lane RC_THREADS). Only thread t
 *    maps, unmaps or writes lane t, so its model (fuzz_model.h) is exact
 *    while the other threads race it on the same box: MAP (0, EEXIST),
 *    UNMAP, pread/pwrite counts and bytes, and its mappings (a page the
 *    box maps reads as modelled, one it does not raises SIGBUS, and after
 *    UNMAP a page already faulted in stays the old page while one not
 *    yet faulted in raises SIGBUS: the uapi's contract). The last unit of
 *    every lane stays unmapped, so no transfer runs into the next lane.
 *  - a checked run holds the box's cpu mutex for SET_REGS, RUN, GET_REGS
 *    and its exit is checked as in the single-threaded mode, unless a
 *    racer may have run or set the registers in between (the box's race
 *    counters say so): then it only counts as stolen.
 * What is not, and so is checked against the set the uapi allows:
 *  - the shared lane, which every thread maps, unmaps, reads, writes,
 *    mmap()s and stores into from blobs (x6 of the store blob always
 *    points there or into a hole): any count, SIGBUS or a read;
 *  - racing RUN (0, EBUSY), GET_REGS and SET_REGS (0, EBUSY), whose
 *    exit only has to be a known one;
 *  - pread/pwrite whose user buffer is a mapping of a box's shared lane
 *    (the copy faults where the box has no page: EFAULT or a short count).
 * Every RUN may also end with EINTR: threads SIGUSR1 each other.
 * A box is closed under its slot's lock: with no call in flight by
 * close(), otherwise by dup2() of an O_PATH fd over its number, so that
 * the box's last fd reference goes while calls are inside the module
 * and a call that picks up the number later gets EBADF from the VFS,
 * never another box reusing the number. EBADF is allowed exactly when
 * the slot was closed during the call. The number is freed, and the slot
 * made again, once its last user is done.
 *
 * At the end, single-threaded: the shared lanes are unmapped, every box
 * audits clean with exactly its lanes' modelled bytes and reads back as
 * modelled; every box closed, the netlink counters are as before.
 * Include after fuzz_cpu.h.
 */
#ifndef S2BOX_FUZZ_RACE_H
#define S2BOX_FUZZ_RACE_H

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>

#include "fuzz_cpu.h"

#define RC_THREADS	3
#define RC_BOXES	3
#define RC_LANES	(RC_THREADS + 1)
#define RC_SHARED	RC_THREADS
#define RC_BASE		0x40000000ULL	/* IPA 0 and VBAR's 0x200 stay holes */
#define RC_LANE		0x400000ULL	/* holds a 2 MiB block (4K granule) */
#define RC_HOLE		(RC_BASE / 2)	/* never mapped: the load blob's IPA */
#define RC_LANE_MAX	0x200000ULL	/* bytes a lane maps before it unmaps */
#define RC_LIGHT_S	4.0
#define RC_HEAVY_S	45.0
#define RC_MORE_S	20.0	/* past that, only until EBUSY was seen */
#define RC_EBUSY_ALL	(B(ST_RUN) | B(ST_GET_REGS) | B(ST_SET_REGS))
/* A mask of acceptable errnos, all below 64; bit 0 is success. */
#define B(e)		((__u64)1 << (e))

struct rc_slot {
	pthread_mutex_t lock;	/* all below, but the lanes' contents */
	pthread_mutex_t cpu;	/* a checked run: SET_REGS, RUN, GET_REGS */
	int fd;			/* -1: free */
	int users;		/* calls between rc_get() and rc_put() */
	bool dead;		/* closed: fd is an O_PATH placeholder */
	__u64 id, align, top;
	bool qemu_16k_l0;	/* see check_blob() */
	struct fz_box lane[RC_LANES];	/* lane t: thread t's alone */
	/* Racing RUN and SET_REGS calls started and finished. */
	unsigned long race_in, race_out;
};

struct rc_thread {
	struct race *rc;
	int idx;
	pthread_t tid;
	struct fz_rng rng;
	struct fz_ring ring;
	struct fz_stat st[NR_ST];
	unsigned long ebadf, eintr, checked, stolen, sigbus, stale, pokes;
	unsigned long hvc_mismatch;	/* see rc_hvc_mismatch() */
	unsigned long closes_busy, exits[6];
	char *buf;		/* FZ_RW_BYTES, for pread/pwrite */
	char *img;		/* what was written */
};

struct race {
	struct rc_slot slot[RC_BOXES];
	struct rc_thread th[RC_THREADS];
	int ctl, opath;
	struct s2box_caps caps;
	size_t page;
	__u64 seed;
	bool heavy;
	pthread_barrier_t go;	/* every tid known before any signal */
	int failed;		/* atomic */
	unsigned long ebusy;	/* atomic */
	__u64 ebusy_st;		/* atomic: B(ST_*) of the calls that saw it */
	double t0, soft, hard;
};

static __thread sigjmp_buf rc_jb;

static void rc_on_sigbus(int sig)
{
	siglongjmp(rc_jb, 1);
}

/* Its only job is to cut a RUN short (no SA_RESTART). */
static void rc_on_poke(int sig)
{
}

static bool rc_failed(struct race *rc)
{
	return __atomic_load_n(&rc->failed, __ATOMIC_RELAXED);
}

static void __printf(2, 3) rc_fail(struct rc_thread *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (__atomic_exchange_n(&t->rc->failed, 1, __ATOMIC_SEQ_CST))
		return;
	fz_info("FAILED in thread %d: %s\n", t->idx, msg);
	fz_dump(&t->ring);
	fz_info("seed 0x%llx (%s=0x%llx replays each thread's choices, not their interleaving)\n",
		(unsigned long long)t->rc->seed, FZ_SEED_ENV,
		(unsigned long long)t->rc->seed);
}

static const char *rc_op(struct rc_thread *t)
{
	return t->ring.line[(t->ring.n - 1) % FZ_RING];
}

static bool slot_dead(struct rc_slot *s)
{
	return __atomic_load_n(&s->dead, __ATOMIC_ACQUIRE);
}

/*
 * Count a call and check its errno (0: success) against @ok, a mask of
 * the acceptable ones (bit 0: success); EBADF too when @s was closed
 * meanwhile.
 */
static int rc_result(struct rc_thread *t, struct rc_slot *s, int st, int got,
		     __u64 ok, double secs)
{
	if (s && slot_dead(s))
		ok |= B(EBADF);
	fz_count(&t->st[st], got, secs);
	if (got == EBADF)
		t->ebadf++;
	if (got == EINTR)
		t->eintr++;
	if (got == EBUSY) {
		__atomic_fetch_add(&t->rc->ebusy, 1, __ATOMIC_RELAXED);
		__atomic_fetch_or(&t->rc->ebusy_st, B(st), __ATOMIC_RELAXED);
	}
	if (secs > HANG_S)
		rc_fail(t, "%s took %.1f s", rc_op(t), secs);
	if (got < 0 || got >= 64 || !(ok & B(got)))
		rc_fail(t, "%s: %s (%d) is not what the uapi allows here (mask 0x%llx)",
			rc_op(t), fz_errname(got), got, (unsigned long long)ok);
	return got;
}

/* ioctl() with its errno and duration. */
static int rc_ioctl(int fd, unsigned long cmd, void *arg, double *secs)
{
	double t0 = fz_now();
	int err;

	err = ioctl(fd, cmd, arg) ? errno : 0;
	*secs = fz_now() - t0;
	return err;
}

static __u64 lane_base(int l)
{
	return RC_BASE + l * RC_LANE;
}

/* --- slots: boxes, their fds, closing them under the others' feet ------ */

/* Make a box in the free slot @s (its lock held). */
static void slot_create(struct rc_thread *t, struct rc_slot *s)
{
	static const __u32 gran[] = {
		S2BOX_GRANULE_4K, S2BOX_GRANULE_16K, S2BOX_GRANULE_64K
	};
	struct race *rc = t->rc;
	struct s2box_create a = { 0 };
	struct s2box_box_info info;
	unsigned int lim;
	double secs;
	int fd, err, l;

	do {
		a.granule = gran[fz_below(&t->rng, ARRAY_SIZE(gran))];
		lim = s2box_ipa_limit(&rc->caps, a.granule);
	} while (!lim);
	a.ipa_bits = 32 + fz_below(&t->rng, lim - 31);
	fz_log(&t->ring, "CREATE bits %u granule %u", a.ipa_bits, a.granule);
	errno = 0;
	secs = fz_now();
	fd = ioctl(rc->ctl, S2BOX_CREATE_BOX, &a);
	err = fd < 0 ? errno : 0;
	secs = fz_now() - secs;
	if (rc_result(t, NULL, ST_CREATE, err, B(0) | B(ENOMEM), secs) || fd < 0)
		return;
	if (ioctl(fd, S2BOX_GET_BOX_INFO, &info)) {
		rc_fail(t, "GET_BOX_INFO of a new box: %s", strerror(errno));
		close(fd);
		return;
	}
	memset(s->lane, 0, sizeof(s->lane));
	for (l = 0; l < RC_LANES; l++)
		s->lane[l].fd = -1;
	s->id = info.box_id;
	s->align = info.map_align;
	s->top = 1ULL << info.ipa_bits;
	s->qemu_16k_l0 = info.granule == S2BOX_GRANULE_16K && info.ds &&
			 info.start_level == 0;
	s->fd = fd;
	s->dead = false;
}

/* The slot is free again, its models gone (lock held). */
static void slot_forget(struct rc_slot *s)
{
	int l;

	for (l = 0; l < RC_LANES; l++)
		fz_box_forget(&s->lane[l]);
	s->fd = -1;
	__atomic_store_n(&s->dead, false, __ATOMIC_RELEASE);
}

/* The placeholder's fd number is given back too. */
static void slot_free(struct rc_slot *s)
{
	close(s->fd);
	slot_forget(s);
}

/* A box to use, made if its slot is free; NULL if it is being closed. */
static struct rc_slot *rc_get(struct rc_thread *t, int *fd)
{
	struct rc_slot *s = &t->rc->slot[fz_below(&t->rng, RC_BOXES)];

	pthread_mutex_lock(&s->lock);
	if (s->fd < 0)
		slot_create(t, s);
	if (s->fd < 0 || s->dead) {
		pthread_mutex_unlock(&s->lock);
		return NULL;
	}
	s->users++;
	*fd = s->fd;
	pthread_mutex_unlock(&s->lock);
	return s;
}

static void rc_put(struct rc_slot *s)
{
	pthread_mutex_lock(&s->lock);
	if (!--s->users && s->dead)
		slot_free(s);
	pthread_mutex_unlock(&s->lock);
}

/* Close a box, maybe while other threads' calls are in it. */
static void op_rc_close(struct rc_thread *t)
{
	struct rc_slot *s = &t->rc->slot[fz_below(&t->rng, RC_BOXES)];
	double t0;
	int err;

	pthread_mutex_lock(&s->lock);
	if (s->fd < 0 || s->dead) {
		pthread_mutex_unlock(&s->lock);
		return;
	}
	fz_log(&t->ring, "close box %llu (%d calls in flight)",
	       (unsigned long long)s->id, s->users);
	__atomic_store_n(&s->dead, true, __ATOMIC_RELEASE);
	t0 = fz_now();
	if (!s->users) {
		err = close(s->fd) ? errno : 0;
		slot_forget(s);
	} else {
		/* The box's last fd reference goes; the number stays ours. */
		err = dup2(t->rc->opath, s->fd) == s->fd ? 0 : errno;
		t->closes_busy++;
	}
	rc_result(t, NULL, ST_CLOSE, err, B(0), fz_now() - t0);
	pthread_mutex_unlock(&s->lock);
}

/* --- memory: a thread's own lane ------------------------------------------ */

/* A range of whole units in lane @l, its guard unit excluded. */
static void lane_range(struct rc_thread *t, struct rc_slot *s, int l,
		       __u64 *ipa, __u64 *size)
{
	__u64 units = RC_LANE / s->align - 1, u, n;

	if (s->align < RC_LANE_MAX && fz_pct(&t->rng, 5)) {
		*ipa = lane_base(l);	/* a 2 MiB block, with 4K */
		*size = RC_LANE_MAX;
		return;
	}
	u = fz_below(&t->rng, units);
	n = 1 + fz_below(&t->rng, fz_pct(&t->rng, 80) ? 4 : 16);
	if (u + n > units)
		n = units - u;
	*ipa = lane_base(l) + u * s->align;
	*size = n * s->align;
}

static void op_rc_map(struct rc_thread *t, struct rc_slot *s, int fd, int l)
{
	static const __u32 prots[] = { 7, 7, 7, 5, 5, 3, 3, 1, 4, 6 };
	struct fz_box *m = &s->lane[l];
	struct s2box_map a = { 0 };
	__u64 ok = B(0) | B(ENOMEM);
	double secs;
	int err;

	lane_range(t, s, l, &a.ipa, &a.size);
	a.prot = prots[fz_below(&t->rng, ARRAY_SIZE(prots))];
	if (fz_pct(&t->rng, 3))
		a.flags = 1U << fz_below(&t->rng, 32);
	if (a.flags)
		ok = B(EINVAL);
	else if (l == RC_SHARED)
		ok |= B(EEXIST);
	else if (fz_overlaps(m, a.ipa, a.size))
		ok = B(EEXIST);
	else if (m->mapped + a.size > RC_LANE_MAX)
		return;		/* keep the memory in use small */
	fz_log(&t->ring, "MAP box %llu lane %d 0x%llx+0x%llx prot %u flags 0x%x",
	       (unsigned long long)s->id, l, (unsigned long long)a.ipa,
	       (unsigned long long)a.size, a.prot, a.flags);
	err = rc_ioctl(fd, S2BOX_MAP, &a, &secs);
	rc_result(t, s, ST_MAP, err, ok, secs);
	if (!err && l != RC_SHARED && !fz_ext_add(m, a.ipa, a.size, a.prot))
		rc_fail(t, "out of memory for the model");
}

static void op_rc_unmap(struct rc_thread *t, struct rc_slot *s, int fd, int l)
{
	struct s2box_unmap u = { 0 };
	__u64 ok = B(0) | B(ENOMEM);	/* a block split needs a table */
	double secs;
	int err;

	lane_range(t, s, l, &u.ipa, &u.size);
	if (fz_pct(&t->rng, 10)) {
		u.ipa = lane_base(l);
		u.size = RC_LANE;
	}
	if (fz_pct(&t->rng, 3)) {
		u.flags = 1U << fz_below(&t->rng, 32);
		ok = B(EINVAL);
	}
	fz_log(&t->ring, "UNMAP box %llu lane %d 0x%llx+0x%llx flags 0x%x",
	       (unsigned long long)s->id, l, (unsigned long long)u.ipa,
	       (unsigned long long)u.size, u.flags);
	err = rc_ioctl(fd, S2BOX_UNMAP, &u, &secs);
	rc_result(t, s, ST_UNMAP, err, ok, secs);
	if (!err && l != RC_SHARED && !fz_ext_remove(&s->lane[l], u.ipa, u.size))
		rc_fail(t, "out of memory for the model");
}

/* A position in lane @l (mostly in what it maps) and a length. */
static void lane_pos(struct rc_thread *t, struct rc_slot *s, int l,
		     __u64 *pos, size_t *len)
{
	struct fz_box *m = &s->lane[l];
	const size_t lens[] = {
		0, 1, 8, 100, 4095, 4096, 4097, s->align, s->align + 1,
		3 * s->align, fz_below(&t->rng, 2 * s->align + 64),
	};
	struct fz_ext *e;

	*len = lens[fz_below(&t->rng, ARRAY_SIZE(lens))];
	if (*len > FZ_RW_BYTES)
		*len = FZ_RW_BYTES;
	if (m->n_ext && fz_pct(&t->rng, 80)) {
		e = &m->ext[fz_below(&t->rng, m->n_ext)];
		*pos = e->ipa + fz_below(&t->rng, e->size + 64);
	} else {
		*pos = lane_base(l) + fz_below(&t->rng, RC_LANE);
	}
}

static void op_rc_rw(struct rc_thread *t, struct rc_slot *s, int fd, int l,
		     bool write)
{
	struct fz_box *m = &s->lane[l];
	unsigned long checked = 0;
	__u64 pos, run;
	__u64 ok = B(0);
	size_t len;
	double t0;
	long ret, off;
	int err;

	lane_pos(t, s, l, &pos, &len);
	run = l == RC_SHARED ? len : fz_mapped_run(m, pos, len);
	if (len && !run)
		ok = B(ENXIO);
	else if (l == RC_SHARED)
		ok |= B(ENXIO);
	if (write)
		fz_fill(&t->rng, t->img, len);
	fz_log(&t->ring, "%s box %llu lane %d 0x%llx len %zu (model: %llu)",
	       write ? "pwrite" : "pread", (unsigned long long)s->id, l,
	       (unsigned long long)pos, len, (unsigned long long)run);
	t0 = fz_now();
	ret = write ? pwrite(fd, t->img, len, pos) : pread(fd, t->buf, len, pos);
	err = ret < 0 ? errno : 0;
	if (rc_result(t, s, write ? ST_PWRITE : ST_PREAD, err, ok,
		      fz_now() - t0) || rc_failed(t->rc))
		return;
	if ((__u64)ret > len || (l != RC_SHARED && (__u64)ret != run)) {
		rc_fail(t, "%s returned %ld, expected %llu", rc_op(t), ret,
			(unsigned long long)run);
		return;
	}
	if (l == RC_SHARED || !ret)
		return;
	if (write) {
		fz_model_write(m, pos, t->img, ret);
		return;
	}
	off = fz_model_cmp(m, pos, t->buf, ret, false, &checked);
	if (off >= 0)
		rc_fail(t, "%s: IPA 0x%llx reads 0x%02x, not as written",
			rc_op(t), (unsigned long long)(pos + off),
			(unsigned char)t->buf[off]);
}

/*
 * Read 8 bytes through a mapping (and maybe write 8); false on SIGBUS.
 * Atomic accesses: the compiler must neither drop nor move them.
 */
static bool rc_probe(__u64 *p, __u64 *val, const __u64 *store)
{
	if (sigsetjmp(rc_jb, 1))
		return false;
	*val = __atomic_load_n(p, __ATOMIC_RELAXED);
	if (store)
		__atomic_store_n(p, *store, __ATOMIC_RELAXED);
	return true;
}

/*
 * A mapping of lane @l: pages the box maps read as modelled, others
 * raise SIGBUS. In its own lane a thread may then UNMAP what the mapping
 * covers: a page it faulted in before stays that page, the rest raise
 * SIGBUS.
 */
static void op_rc_mmap(struct rc_thread *t, struct rc_slot *s, int fd, int l)
{
	struct fz_box *m = &s->lane[l];
	size_t page = t->rc->page, len, i, n;
	__u64 off, val, old[4], store;
	bool in[4], unmap, got;
	double t0;
	char *p;
	int err;

	n = 1 + fz_below(&t->rng, 4);
	off = lane_base(l) + page * fz_below(&t->rng, RC_LANE / page - n);
	if (m->n_ext && fz_pct(&t->rng, 70))
		off = m->ext[fz_below(&t->rng, m->n_ext)].ipa;
	/* Not into the next lane, someone else's. */
	if (off + n * page > lane_base(l + 1))
		n = (lane_base(l + 1) - off) / page;
	len = n * page;
	unmap = l != RC_SHARED && fz_pct(&t->rng, 40);
	fz_log(&t->ring, "mmap box %llu lane %d 0x%llx len %zu%s",
	       (unsigned long long)s->id, l, (unsigned long long)off, len,
	       unmap ? ", then UNMAP" : "");
	t0 = fz_now();
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	err = p == MAP_FAILED ? errno : 0;
	if (rc_result(t, s, ST_MMAP, err, B(0) | B(ENOMEM), fz_now() - t0))
		return;
	for (i = 0; i < n && !rc_failed(t->rc); i++) {
		struct fz_ext *e = fz_ext_at(m, off + i * page);
		unsigned long checked = 0;
		bool wr = (e || l == RC_SHARED) && fz_pct(&t->rng, 40);

		/* Half the pages are left untouched until after UNMAP. */
		in[i] = !unmap || fz_pct(&t->rng, 50);
		if (!in[i])
			continue;
		store = fz_next(&t->rng);
		got = rc_probe((__u64 *)(p + i * page), &val, wr ? &store : NULL);
		in[i] = got;
		old[i] = wr ? store : val;
		if (l == RC_SHARED) {
			t->sigbus += !got;
			continue;
		}
		if (got != !!e) {
			rc_fail(t, "%s: page %zu %s", rc_op(t), i,
				e ? "raised SIGBUS, mapped" : "reads, not mapped");
		} else if (!e) {
			t->sigbus++;
		} else if (fz_model_cmp(m, off + i * page, &val, 8, false,
					&checked) >= 0) {
			rc_fail(t, "%s: page %zu reads 0x%llx, not as written",
				rc_op(t), i, (unsigned long long)val);
		} else if (wr) {
			fz_model_write(m, off + i * page, &store, 8);
		}
	}
	if (unmap && !rc_failed(t->rc)) {
		struct s2box_unmap u = { .ipa = off & ~(s->align - 1) };
		double secs;

		u.size = ((off + len + s->align - 1) & ~(s->align - 1)) - u.ipa;
		fz_log(&t->ring, "  UNMAP 0x%llx+0x%llx under the mapping",
		       (unsigned long long)u.ipa, (unsigned long long)u.size);
		err = rc_ioctl(fd, S2BOX_UNMAP, &u, &secs);
		rc_result(t, s, ST_UNMAP, err, B(0) | B(ENOMEM), secs);
		if (!err)
			fz_ext_remove(m, u.ipa, u.size);
		for (i = 0; !err && i < n && !rc_failed(t->rc); i++) {
			got = rc_probe((__u64 *)(p + i * page), &val, NULL);
			if (in[i] && (!got || val != old[i]))
				rc_fail(t, "%s: page %zu, faulted in before UNMAP, %s 0x%llx after",
					rc_op(t), i, got ? "reads" : "SIGBUS, had",
					(unsigned long long)(got ? val : old[i]));
			else if (!in[i] && got)
				rc_fail(t, "%s: page %zu, untouched before UNMAP, reads after it",
					rc_op(t), i);
			t->stale += got;
			t->sigbus += !got;
		}
	}
	t0 = fz_now();
	err = munmap(p, len) ? errno : 0;
	rc_result(t, NULL, ST_MUNMAP, err, B(0), fz_now() - t0);
}

/*
 * pread from lane @l of one box into, or pwrite to the shared lane from,
 * a mapping of another box's (or the same box's) shared lane: the copy
 * faults in pages there (pread and pwrite hold the box's lock across
 * it), or faults where that box has none.
 */
static void op_rc_rw_mapped(struct rc_thread *t, struct rc_slot *s, int fd,
			    int l)
{
	size_t page = t->rc->page, len = 4 * page;
	bool write = fz_pct(&t->rng, 50);
	struct rc_slot *s2;
	__u64 pos, off, ok;
	long ret;
	double t0;
	char *p;
	int fd2, err;

	s2 = rc_get(t, &fd2);
	if (!s2)
		return;
	off = lane_base(RC_SHARED) + page * fz_below(&t->rng, RC_LANE / page - 4);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, off);
	rc_put(s2);
	if (p == MAP_FAILED) {
		if (errno != ENOMEM && errno != EBADF)
			rc_fail(t, "mmap of a shared lane: %s", strerror(errno));
		return;
	}
	if (write)
		l = RC_SHARED;
	lane_pos(t, s, l, &pos, &len);
	if (len > 4 * page)
		len = 4 * page;
	ok = B(0) | B(EFAULT) | B(ENXIO);
	fz_log(&t->ring, "%s box %llu lane %d 0x%llx len %zu, mapped buffer of box %llu at 0x%llx",
	       write ? "pwrite" : "pread", (unsigned long long)s->id, l,
	       (unsigned long long)pos, len, (unsigned long long)s2->id,
	       (unsigned long long)off);
	t0 = fz_now();
	ret = write ? pwrite(fd, p, len, pos) : pread(fd, p, len, pos);
	err = ret < 0 ? errno : 0;
	rc_result(t, s, write ? ST_PWRITE : ST_PREAD, err, ok, fz_now() - t0);
	/*
	 * What arrived there is not checked: other threads write that
	 * shared page too. A count past what the box maps is wrong.
	 */
	if (!err && ((__u64)ret > len ||
		     (l != RC_SHARED && (__u64)ret > fz_mapped_run(&s->lane[l],
								  pos, len))))
		rc_fail(t, "%s returned %ld", rc_op(t), ret);
	munmap(p, 4 * page);
}

#endif /* S2BOX_FUZZ_RACE_H */
