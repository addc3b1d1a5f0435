/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the s2box fuzzers (s2box_fuzz_test, s2box_nl_fuzz_test):
 *
 *  - a PRNG of our own (splitmix64), so one seed gives the same sequence
 *    under every libc and on every machine;
 *  - the seed, from S2BOX_FUZZ_SEED or the clock, always printed first
 *    with the way to rerun it;
 *  - S2BOX_HEAVY, the switch of the two long matrix cells;
 *  - per-command counters: calls, successes and an errno histogram;
 *  - a ring of the last operations, printed when an invariant breaks, so
 *    a report says what led up to it; S2BOX_FUZZ_TRACE=1 prints every
 *    operation as it goes, to replay a seed with the whole history.
 *
 * Include after kselftest_harness.h.
 */
#ifndef S2BOX_FUZZ_UTIL_H
#define S2BOX_FUZZ_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#define FZ_SEED_ENV	"S2BOX_FUZZ_SEED"

/* ksft_print_msg() under a name checkpatch knows for a logging call. */
#define fz_info(...)	ksft_print_msg(__VA_ARGS__)

struct fz_rng {
	__u64 state;
};

/* splitmix64 (Steele, Lea, Flood): every seed, zero included, is fine. */
static inline __u64 fz_next(struct fz_rng *r)
{
	__u64 z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform enough below @n (the modulo bias of 64 bits is negligible). */
static inline __u64 fz_below(struct fz_rng *r, __u64 n)
{
	return n ? fz_next(r) % n : 0;
}

static inline bool fz_pct(struct fz_rng *r, unsigned int pct)
{
	return fz_below(r, 100) < pct;
}

/* Random bytes, the same on every host (little-endian words). */
static inline void fz_fill(struct fz_rng *r, void *buf, size_t len)
{
	unsigned char *p = buf;
	__u64 v;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		v = fz_next(r);
		memcpy(p + i, &v, 8);
	}
	for (v = fz_next(r); i < len; i++, v >>= 8)
		p[i] = v;
}

/*
 * S2BOX_FUZZ_SEED (any base strtoull() reads) replays a run; otherwise
 * the clock picks one. Printed either way, with how to rerun it.
 */
static inline __u64 fz_seed(const char *prog)
{
	const char *env = getenv(FZ_SEED_ENV);
	struct timespec ts;
	__u64 seed;

	if (env && *env) {
		seed = strtoull(env, NULL, 0);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
		seed ^= (__u64)getpid() << 40;
	}
	fz_info("%s: seed 0x%llx%s\n", prog, (unsigned long long)seed,
		env && *env ? " (from " FZ_SEED_ENV ")" : "");
	fz_info("%s: rerun with %s=0x%llx %s (on the matrix: add it to the cell's kernel command line words)\n",
		prog, FZ_SEED_ENV, (unsigned long long)seed, prog);
	return seed;
}

/* The two heavy matrix cells set S2BOX_HEAVY=1. */
static inline bool fz_heavy(void)
{
	const char *env = getenv("S2BOX_HEAVY");

	return env && !strcmp(env, "1");
}

static inline double fz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline const char *fz_errname(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case ENXIO: return "ENXIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case EMSGSIZE: return "EMSGSIZE";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOBUFS: return "ENOBUFS";
	case EOVERFLOW: return "EOVERFLOW";
	case EUCLEAN: return "EUCLEAN";
	case EDQUOT: return "EDQUOT";
	case EAGAIN: return "EAGAIN";
	}
	return "E?";
}

#define FZ_ERRNO_MAX	160

/* One command's counters. */
struct fz_stat {
	const char *name;
	unsigned long calls, ok;
	unsigned long err[FZ_ERRNO_MAX];
	double secs;		/* time spent in the calls */
};

static inline void fz_count(struct fz_stat *s, int err, double secs)
{
	s->calls++;
	s->secs += secs;
	if (!err)
		s->ok++;
	else
		s->err[err > 0 && err < FZ_ERRNO_MAX ? err : 0]++;
}

static inline void fz_print_stat(const struct fz_stat *s)
{
	char line[512];
	int e, n;

	if (!s->calls)
		return;
	n = snprintf(line, sizeof(line), "%-14s calls %7lu ok %7lu (%3lu%%) %6.2fs",
		     s->name, s->calls, s->ok, s->ok * 100 / s->calls, s->secs);
	for (e = 0; e < FZ_ERRNO_MAX && n < (int)sizeof(line) - 32; e++)
		if (s->err[e])
			n += snprintf(line + n, sizeof(line) - n, " %s(%d) %lu",
				      fz_errname(e), e, s->err[e]);
	fz_info("%s\n", line);
}

/* The last operations, for the report when an invariant breaks. */
#define FZ_RING		32
#define FZ_LINE		200

struct fz_ring {
	char line[FZ_RING][FZ_LINE];
	unsigned long n;
	int trace;		/* 0: not yet known, 1: off, 2: on */
};

static inline void __printf(2, 3) fz_log(struct fz_ring *r, const char *fmt,
					 ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->line[r->n % FZ_RING], FZ_LINE, fmt, ap);
	va_end(ap);
	if (!r->trace)
		r->trace = getenv("S2BOX_FUZZ_TRACE") &&
			   !strcmp(getenv("S2BOX_FUZZ_TRACE"), "1") ? 2 : 1;
	if (r->trace == 2)
		fz_info("%lu: %s\n", r->n, r->line[r->n % FZ_RING]);
	r->n++;
}

static inline void fz_dump(const struct fz_ring *r)
{
	unsigned long i = r->n > FZ_RING ? r->n - FZ_RING : 0;

	fz_info("last operations, oldest first:\n");
	for (; i < r->n; i++)
		fz_info("  %s\n", r->line[i % FZ_RING]);
}

#endif /* S2BOX_FUZZ_UTIL_H */
