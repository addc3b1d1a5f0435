/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2box_fuzz_test's state and how it makes and judges a call: the
 * ioctls and the errnos the uapi documents for each, the placement of an
 * ioctl's structure (fuzz_arg.h) and what the module will read of it,
 * the check of every result against the model's prediction, and the
 * boxes themselves (CREATE_BOX, close). The operations on boxes are in
 * fuzz_mem.h (memory) and fuzz_cpu.h (registers, blobs, RUN); the test
 * and its documentation in fuzz_test.c. Include after
 * kselftest_harness.h.
 */
#ifndef S2BOX_FUZZ_CALL_H
#define S2BOX_FUZZ_CALL_H

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "fuzz_arg.h"
#include "fuzz_model.h"
#include "nl_util.h"

#define MAX_BOXES	6
#define MAX_MAPS	8
#define CALLS_HEAVY	100000
#define CALLS_LIGHT	5000
#define TIME_HEAVY_S	240
#define TIME_LIGHT_S	60
#define CHECK_EVERY	250
#define HANG_S		10.0
#define MIN_OK_PCT	5
#define MSEC_NS		1000000ULL

/* Reset state of a new box (uapi: struct s2box_regs). */
#define PSTATE_RESET	0x3c5ULL
#define SCTLR_RESET	0x30d00800ULL
/*
 * PSTATE bits SET_REGS keeps (uapi): NZCV, TCO, DIT, UAO, PAN, SSBS,
 * BTYPE, DAIF and M[4:0], whose only valid values are EL0t, EL1t, EL1h.
 */
#define PSTATE_KEPT	(0xf0000000ULL | 1ULL << 25 | 1ULL << 24 | \
			 1ULL << 23 | 1ULL << 22 | 1ULL << 12 | 3ULL << 10 | \
			 0xfULL << 6 | 0x1fULL)

/* The blobs RUN loads (fuzz_cpu.h). */
enum { BL_HVC, BL_LOAD, BL_STORE, BL_LOOP, BL_COUNT, BL_RANDOM, BL_NR };

/* Statistics slots; the first twelve are the ioctl numbers. */
enum {
	ST_CAPS, ST_CREATE, ST_INFO, ST_MAP, ST_UNMAP, ST_AUDIT,
	ST_GET_REGS, ST_SET_REGS, ST_RUN, ST_SNAPSHOT, ST_RESET, ST_CLONE,
	ST_UNKNOWN, ST_PREAD, ST_PWRITE, ST_MMAP, ST_MUNMAP, ST_CLOSE, NR_ST
};

static const char * const st_names[NR_ST] = {
	"GET_CAPS", "CREATE_BOX", "GET_BOX_INFO", "MAP", "UNMAP", "AUDIT",
	"GET_REGS", "SET_REGS", "RUN", "SNAPSHOT", "RESET", "CLONE",
	"other ioctl", "pread", "pwrite", "mmap", "munmap", "close",
};

static const int st_allowed[NR_ST][7] = {
	[ST_CAPS] = { EFAULT },
	[ST_CREATE] = { EINVAL, EOPNOTSUPP, E2BIG, ENOMEM, EMFILE, EFAULT,
			EDQUOT },
	[ST_INFO] = { EFAULT },
	[ST_MAP] = { EINVAL, EEXIST, ENOMEM, E2BIG, EFAULT },
	[ST_UNMAP] = { EINVAL, ENOMEM, E2BIG, EFAULT },
	[ST_AUDIT] = { EFAULT },
	[ST_GET_REGS] = { EBUSY, ENOMEM, EFAULT },
	[ST_SET_REGS] = { EINVAL, EBUSY, ENOMEM, E2BIG, EFAULT },
	[ST_RUN] = { EINTR, EBUSY, EINVAL, E2BIG, EFAULT },
	[ST_SNAPSHOT] = { EBUSY, ENOMEM, ENOENT, EINVAL, E2BIG, EFAULT },
	[ST_RESET] = { ENOENT, EBUSY, ENOMEM, EINVAL, E2BIG, EFAULT },
	[ST_CLONE] = { ENOENT, EINVAL, ENOMEM, EDQUOT, EMFILE, E2BIG, EFAULT },
	[ST_UNKNOWN] = { ENOTTY },
	[ST_PREAD] = { ENXIO, EFAULT, EINVAL },
	[ST_PWRITE] = { ENXIO, EFAULT, EINVAL },
	[ST_MMAP] = { EINVAL, ENOMEM },
};

/* The ioctls: number, direction, structure size, fd. */
static const struct {
	unsigned int dir;
	size_t ksize;
	bool on_box;
} cmds[ST_UNKNOWN] = {
	[ST_CAPS] = { _IOC_READ, sizeof(struct s2box_caps), false },
	[ST_CREATE] = { _IOC_WRITE, sizeof(struct s2box_create), false },
	[ST_INFO] = { _IOC_READ, sizeof(struct s2box_box_info), true },
	[ST_MAP] = { _IOC_WRITE, sizeof(struct s2box_map), true },
	[ST_UNMAP] = { _IOC_WRITE, sizeof(struct s2box_unmap), true },
	[ST_AUDIT] = { _IOC_READ, sizeof(struct s2box_audit), true },
	[ST_GET_REGS] = { _IOC_READ, sizeof(struct s2box_regs), true },
	[ST_SET_REGS] = { _IOC_WRITE, sizeof(struct s2box_regs), true },
	[ST_RUN] = { _IOC_READ | _IOC_WRITE, sizeof(struct s2box_run), true },
	[ST_SNAPSHOT] = { _IOC_READ | _IOC_WRITE,
			  sizeof(struct s2box_snapshot), true },
	[ST_RESET] = { _IOC_READ | _IOC_WRITE, sizeof(struct s2box_reset),
		       true },
	[ST_CLONE] = { _IOC_WRITE, sizeof(struct s2box_clone), true },
};

/* What the model expects of a call. */
struct pred {
	int err;		/* 0 or the errno */
	bool enomem_ok;		/* it allocates: ENOMEM is the host's call */
	bool eintr_ok;		/* a watchdog signal may cut it short */
};

struct fmap {
	char *addr;
	size_t len;
	__u64 box_id, off;	/* what it maps */
};

struct fuzz {
	struct fz_rng rng;
	__u64 seed;
	bool heavy, failed;
	int ctl;
	struct s2box_caps caps;
	size_t page;
	__u64 budget;		/* box memory the fuzzer lets itself map */
	__u64 mapped_total;
	__u64 max_box_mem;	/* module parameter max_box_mem_mb, bytes */
	struct fz_box box[MAX_BOXES];
	struct fmap maps[MAX_MAPS];
	struct fz_arena ar;
	struct fz_ring ring;
	struct fz_stat st[NR_ST];
	unsigned long calls;
	/* What the run exercised, for the report. */
	unsigned long checked, taints, exits[6], blob_ok[BL_NR];
	unsigned long sigbus, creates_ok, qemu_16k_l0;
	char img[FZ_RW_BYTES];	/* bytes placed for the current call */
};

/* One ioctl being made. */
struct call {
	int st;
	int fd;
	unsigned int cmd;
	size_t ksize;
	bool in, out;
	const void *karg;	/* the structure as built, ksize bytes */
	long nonzero_at;	/* a non-zero byte past ksize, or -1 */
	struct fz_buf b;
	int in_err, out_err;
	__u64 eff[sizeof(struct s2box_regs) / 8];	/* what the module reads */
	long ret;
	int err;
	double secs;
};

static sigjmp_buf fz_jb;

/* Its only job is to interrupt the RUN in progress. */
static void fz_on_alarm(int sig)
{
}

static void fz_on_sigbus(int sig)
{
	siglongjmp(fz_jb, 1);
}

/* What the model holds of every box, for a failure's report. */
static void fz_dump_boxes(struct fuzz *f)
{
	const struct fz_box *b;
	int i, j;

	for (i = 0; i < MAX_BOXES; i++) {
		b = &f->box[i];
		if (b->fd < 0)
			continue;
		fz_info("model of box %llu (clone of %llu, %s snapshot):\n",
			(unsigned long long)b->id,
			(unsigned long long)b->clone_of, b->snap ? "a" : "no");
		for (j = 0; j < b->n_ext; j++)
			fz_info("  0x%llx +0x%llx prot %u%s\n",
				(unsigned long long)b->ext[j].ipa,
				(unsigned long long)b->ext[j].size,
				b->ext[j].prot,
				b->ext[j].tainted ? " tainted" : "");
	}
}

static void __printf(2, 3) fz_fail(struct fuzz *f, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (f->failed)
		return;
	f->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fz_info("FAILED at call %lu: %s\n", f->calls, msg);
	fz_dump(&f->ring);
	fz_dump_boxes(f);
	fz_info("reproduce with %s=0x%llx S2BOX_HEAVY=%d (S2BOX_FUZZ_TRACE=1 prints every operation)\n",
		FZ_SEED_ENV, (unsigned long long)f->seed, f->heavy);
}

static const char *cur_op(struct fuzz *f)
{
	return f->ring.n ? f->ring.line[(f->ring.n - 1) % FZ_RING] : "?";
}

/* Count a call and check its errno against the uapi and the model. */
static int fz_result(struct fuzz *f, int st, int got, const struct pred *p,
		     double secs)
{
	int i;

	f->calls++;
	fz_count(&f->st[st], got, secs);
	if (secs > HANG_S)
		fz_fail(f, "%s took %.1f s", cur_op(f), secs);
	if (got) {
		for (i = 0; i < 7 && st_allowed[st][i] != got; i++)
			;
		if (i == 7) {
			fz_fail(f, "%s: %s (%d) is not an errno the ABI documents for %s",
				cur_op(f), fz_errname(got), got, st_names[st]);
			return got;
		}
	}
	if (got != p->err && !(got == ENOMEM && p->enomem_ok) &&
	    !(got == EINTR && p->eintr_ok))
		fz_fail(f, "%s: expected %s, got %s", cur_op(f),
			fz_errname(p->err), fz_errname(got));
	return got;
}

static struct fz_box *random_box(struct fuzz *f)
{
	int i, n = 0, pick;

	for (i = 0; i < MAX_BOXES; i++)
		n += f->box[i].fd >= 0;
	if (!n)
		return NULL;
	pick = fz_below(&f->rng, n);
	for (i = 0; i < MAX_BOXES; i++)
		if (f->box[i].fd >= 0 && !pick--)
			return &f->box[i];
	return NULL;
}

static int live_boxes(struct fuzz *f)
{
	int i, n = 0;

	for (i = 0; i < MAX_BOXES; i++)
		n += f->box[i].fd >= 0;
	return n;
}

static unsigned int ipa_limit(struct fuzz *f, __u32 granule)
{
	return s2box_ipa_limit(&f->caps, granule);
}

/* --- ioctl arguments ------------------------------------------------------ */

/* The _IOC size: mostly ours, sometimes smaller, larger or absurd. */
static size_t pick_usize(struct fuzz *f, size_t ksize)
{
	struct fz_rng *r = &f->rng;
	unsigned int v = fz_below(r, 100);

	if (v < 80)
		return ksize;
	if (v < 83)
		return 0;
	if (v < 88)
		return 1 + fz_below(r, ksize - 1);
	if (v < 94)
		return ksize + 8 * (1 + fz_below(r, 8));
	if (v < 97)
		return ksize + 1 + fz_below(r, 4096);
	if (v < 98)
		return _IOC_SIZEMASK;
	return 1 + fz_below(r, _IOC_SIZEMASK);
}

/*
 * Lay out @c->karg for the kernel: size and placement vary unless @exact.
 * Predicts what the placement alone decides (in_err, out_err) and what
 * the module will read (eff: the structure cut or zero-extended).
 */
static void call_prepare(struct fuzz *f, struct call *c, int st, int fd,
			 const void *karg, bool exact)
{
	size_t usize, head;

	memset(c, 0, sizeof(*c));
	c->st = st;
	c->fd = fd;
	c->ksize = cmds[st].ksize;
	c->in = cmds[st].dir & _IOC_WRITE;
	c->out = cmds[st].dir & _IOC_READ;
	c->karg = karg;
	usize = exact ? c->ksize : pick_usize(f, c->ksize);
	head = usize < c->ksize ? usize : c->ksize;
	if (c->in) {
		memset(f->img, 0, usize);
		memcpy(f->img, karg, head);
	} else {
		memset(f->img, FZ_FILL, usize);
	}
	c->nonzero_at = -1;
	if (c->in && usize > c->ksize && fz_pct(&f->rng, 30)) {
		c->nonzero_at = c->ksize + fz_below(&f->rng, usize - c->ksize);
		f->img[c->nonzero_at] = 1 + fz_below(&f->rng, 255);
	}
	fz_place(&f->ar, &f->rng, &c->b, exact ? FZ_GOOD :
		 fz_pick_place(&f->rng), f->img, usize);
	c->cmd = _IOC(cmds[st].dir, S2BOX_IOC_MAGIC, st, c->b.len);
	if (c->in)
		memcpy(c->eff, karg, head);
	c->in_err = c->in ? fz_in_err(&f->ar, &c->b, c->ksize) : 0;
	c->out_err = c->out ? fz_out_err(&c->b) : 0;
}

static void call_issue(struct call *c)
{
	double t0 = fz_now();

	errno = 0;
	c->ret = ioctl(c->fd, c->cmd, c->b.p);
	c->err = c->ret < 0 ? errno : 0;
	c->secs = fz_now() - t0;
}

/*
 * What a good buffer must look like after the call: nothing written past
 * the ioctl's size; an input-only structure untouched; an output one
 * zero-filled past ours. Copies the output (ksize bytes, zero-extended)
 * to @out when the call succeeded.
 */
static void call_post(struct fuzz *f, struct call *c, void *out)
{
	size_t head = c->b.len < c->ksize ? c->b.len : c->ksize, i;

	if (out)
		memset(out, 0, c->ksize);
	if (c->b.place != FZ_GOOD)
		return;
	if (!fz_sentinel_ok(&c->b)) {
		fz_fail(f, "%s: written past the %zu bytes of the ioctl's size",
			cur_op(f), c->b.len);
		return;
	}
	if (c->in && !c->out && memcmp(c->b.p, f->img, c->b.len)) {
		fz_fail(f, "%s: an input-only ioctl wrote the caller's buffer",
			cur_op(f));
		return;
	}
	if (!c->out || c->ret < 0)
		return;
	for (i = c->ksize; i < c->b.len; i++) {
		if (c->b.p[i]) {
			fz_fail(f, "%s: byte %zu past the structure is 0x%x, not zero",
				cur_op(f), i, (unsigned char)c->b.p[i]);
			return;
		}
	}
	if (out)
		memcpy(out, c->b.p, head);
}

/* An ioctl the fuzzer needs to succeed (set-up, checks). */
static bool kioctl(struct fuzz *f, int fd, unsigned long cmd, void *arg,
		   const char *what)
{
	if (!ioctl(fd, cmd, arg))
		return true;
	fz_fail(f, "%s: %s (during %s)", what, strerror(errno), cur_op(f));
	return false;
}

/* --- boxes -------------------------------------------------------------- */

static void pick_create(struct fuzz *f, struct s2box_create *a)
{
	static const __u32 gran[] = {
		S2BOX_GRANULE_4K, S2BOX_GRANULE_16K, S2BOX_GRANULE_64K
	};
	static const __u32 bad_gran[] = {
		0, 1, 512, 4095, 4097, 8192, 32768, 131072, 1U << 31, ~0U
	};
	static const __u32 bad_bits[] = {
		0, 1, 12, 31, 53, 56, 63, 64, 65, 128, 0x80000020, ~0U
	};
	struct fz_rng *r = &f->rng;
	unsigned int lim;

	memset(a, 0, sizeof(*a));
	if (fz_pct(r, 90))
		a->granule = gran[fz_below(r, ARRAY_SIZE(gran))];
	else
		a->granule = bad_gran[fz_below(r, ARRAY_SIZE(bad_gran))];
	lim = ipa_limit(f, a->granule);
	if (lim && fz_pct(r, 85)) {
		const __u32 bits[] = {
			32, 32, 33, 36, 39, 40, 42, 44, 48, lim - 1, lim,
			32 + fz_below(r, lim - 31),
		};

		a->ipa_bits = bits[fz_below(r, ARRAY_SIZE(bits))];
		if (a->ipa_bits > lim)
			a->ipa_bits = lim;
	} else {
		a->ipa_bits = lim && fz_pct(r, 30) ? lim + 1 :
			      bad_bits[fz_below(r, ARRAY_SIZE(bad_bits))];
	}
	if (fz_pct(r, 4))
		a->flags = fz_pct(r, 50) ? 1U << fz_below(r, 32) :
			   (__u32)fz_next(r);
	if (fz_pct(r, 4))
		a->reserved[fz_below(r, 5)] = 1 + fz_below(r, ~0U);
}

/* The errno CREATE_BOX of @a must fail with (positive), or 0. */
static int create_err(struct fuzz *f, const struct s2box_create *a)
{
	unsigned int i, lim = ipa_limit(f, a->granule);
	bool reserved = false;

	for (i = 0; i < 5; i++)
		reserved |= a->reserved[i] != 0;
	/* The module's order: flags, reserved, granule, its support, size. */
	if (a->flags || reserved ||
	    (a->granule != S2BOX_GRANULE_4K &&
	     a->granule != S2BOX_GRANULE_16K &&
	     a->granule != S2BOX_GRANULE_64K))
		i = EINVAL;
	else if (!lim)
		i = EOPNOTSUPP;
	else if (a->ipa_bits < S2BOX_IPA_BITS_MIN || a->ipa_bits > lim)
		i = EINVAL;
	else
		i = 0;
	return i;
}

/* A new box at @b: what GET_BOX_INFO says must match what was asked. */
static void box_init(struct fuzz *f, struct fz_box *b, int fd,
		     const struct s2box_create *a)
{
	struct s2box_box_info info;
	__u64 l2;

	memset(b, 0, sizeof(*b));
	b->fd = fd;
	if (!kioctl(f, fd, S2BOX_GET_BOX_INFO, &info, "GET_BOX_INFO"))
		return;
	if (info.ipa_bits != a->ipa_bits || info.granule != a->granule ||
	    info.mapped_bytes || info.map_align < a->granule ||
	    info.map_align < f->page) {
		fz_fail(f, "new box: ipa_bits %u granule %u mapped %llu align %u",
			info.ipa_bits, info.granule,
			(unsigned long long)info.mapped_bytes, info.map_align);
		return;
	}
	fz_log(&f->ring,
	       "  box %llu: %u bits, granule %u, align %u, vtcr 0x%llx, levels %u from %d, %u root pages",
	       (unsigned long long)info.box_id, info.ipa_bits, info.granule,
	       info.map_align, (unsigned long long)info.vtcr, info.levels,
	       info.start_level, info.root_pages);
	b->id = info.box_id;
	b->ipa_bits = info.ipa_bits;
	b->granule = info.granule;
	b->align = info.map_align;
	b->top = 1ULL << info.ipa_bits;
	/* A level-2 block: 2 MiB (4K), 32 MiB (16K), 512 MiB (64K). */
	l2 = (__u64)b->granule * (b->granule / 8);
	b->blk = l2 >= b->align && l2 <= f->budget / 2 ? l2 : 0;
	b->qemu_16k_l0 = info.granule == S2BOX_GRANULE_16K && info.ds &&
			 info.start_level == 0;
	/* A new box holds the documented reset state. */
	b->regs_known = true;
	b->regs.pstate = PSTATE_RESET;
	b->regs.sctlr = SCTLR_RESET;
	f->creates_ok++;
}

static void op_close(struct fuzz *f, struct fz_box *b)
{
	struct pred p = { 0 };
	double t0 = fz_now();
	int ret, got;

	fz_log(&f->ring, "close box %llu (fd %d, %d extents, %llu bytes)",
	       (unsigned long long)b->id, b->fd, b->n_ext,
	       (unsigned long long)b->mapped);
	ret = close(b->fd);
	got = ret ? errno : 0;
	fz_result(f, ST_CLOSE, got, &p, fz_now() - t0);
	f->mapped_total -= b->mapped + b->snap_charge;
	fz_box_forget(b);
}

static struct fz_box *free_slot(struct fuzz *f)
{
	int i;

	for (i = 0; i < MAX_BOXES; i++)
		if (f->box[i].fd < 0)
			return &f->box[i];
	return NULL;
}

/* The lowest free fd: with RLIMIT_NOFILE there, no new fd can be had. */
static bool fd_limit_here(struct rlimit *saved)
{
	struct rlimit rl;
	int lo = fcntl(0, F_DUPFD_CLOEXEC, 0);

	if (lo < 0 || getrlimit(RLIMIT_NOFILE, saved))
		return false;
	close(lo);
	rl = *saved;
	rl.rlim_cur = lo;
	return !setrlimit(RLIMIT_NOFILE, &rl);
}

static void op_create(struct fuzz *f)
{
	struct fz_box *b = free_slot(f);
	struct s2box_create a;
	struct rlimit saved;
	bool emfile = false;
	struct pred p;
	struct call c;
	int got;

	if (!b) {
		op_close(f, random_box(f));
		return;
	}
	pick_create(f, &a);
	call_prepare(f, &c, ST_CREATE, f->ctl, &a, false);
	p = (struct pred){ c.in_err };
	if (!p.err)
		p.err = create_err(f, (struct s2box_create *)c.eff);
	p.enomem_ok = !p.err;
	/* Now and then at the fd limit: the box is made, then thrown away. */
	if (!p.err && fz_pct(&f->rng, 3) && fd_limit_here(&saved)) {
		emfile = true;
		p.err = EMFILE;
		p.enomem_ok = false;
	}
	fz_log(&f->ring, "CREATE size %zu place %d bits %u granule %u flags 0x%x%s",
	       c.b.len, c.b.place, a.ipa_bits, a.granule, a.flags,
	       emfile ? " at the fd limit" : "");
	call_issue(&c);
	if (emfile)
		setrlimit(RLIMIT_NOFILE, &saved);
	got = fz_result(f, ST_CREATE, c.err, &p, c.secs);
	call_post(f, &c, NULL);
	if (c.ret < 0)
		return;
	if (got || f->failed) {
		close(c.ret);
		return;
	}
	box_init(f, b, c.ret, (struct s2box_create *)c.eff);
}

#endif /* S2BOX_FUZZ_CALL_H */
