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

#include "../kselftest.h"

#define FZ_SEED_ENV	"S2BOX_FUZZ_SEED"

/* ksft_print_msg() under a name checkpatch knows for a logging call. */
#define fz_info(...)	ksft_print_msg(__VA_ARGS__)

struct fz_rng {
	__u64 state;
};

/* splitmix64 (Steele, Lea, Flood): every seed, zero included, is fine. */
__u64 fz_next(struct fz_rng *r);

/* Uniform enough below @n (the modulo bias of 64 bits is negligible). */
__u64 fz_below(struct fz_rng *r, __u64 n);

bool fz_pct(struct fz_rng *r, unsigned int pct);

/* Random bytes, the same on every host (little-endian words). */
void fz_fill(struct fz_rng *r, void *buf, size_t len);

/*
 * S2BOX_FUZZ_SEED (any base strtoull() reads) replays a run; otherwise
 * the clock picks one. Printed either way, with how to rerun it.
 */
__u64 fz_seed(const char *prog);

/* The two heavy matrix cells set S2BOX_HEAVY=1. */
bool fz_heavy(void);

double fz_now(void);

const char *fz_errname(int e);

#define FZ_ERRNO_MAX	160

/* One command's counters. */
struct fz_stat {
	const char *name;
	unsigned long calls, ok;
	unsigned long err[FZ_ERRNO_MAX];
	double secs;		/* time spent in the calls */
};

void fz_count(struct fz_stat *s, int err, double secs);

void fz_print_stat(const struct fz_stat *s);

/* The last operations, for the report when an invariant breaks. */
#define FZ_RING		32
#define FZ_LINE		200

struct fz_ring {
	char line[FZ_RING][FZ_LINE];
	unsigned long n;
	int trace;		/* 0: not yet known, 1: off, 2: on */
};

void __printf(2, 3) fz_log(struct fz_ring *r, const char *fmt, ...);

void fz_dump(const struct fz_ring *r);

#endif /* S2BOX_FUZZ_UTIL_H */
