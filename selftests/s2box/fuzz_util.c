// SPDX-License-Identifier: GPL-2.0
/* The fuzzers' PRNG, seed, counters and operation ring (fuzz_util.h). */

#include "fuzz_util.h"

__u64 fz_next(struct fz_rng *r)
{
	__u64 z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

__u64 fz_below(struct fz_rng *r, __u64 n)
{
	return n ? fz_next(r) % n : 0;
}

bool fz_pct(struct fz_rng *r, unsigned int pct)
{
	return fz_below(r, 100) < pct;
}

void fz_fill(struct fz_rng *r, void *buf, size_t len)
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

__u64 fz_seed(const char *prog)
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

bool fz_heavy(void)
{
	const char *env = getenv("S2BOX_HEAVY");

	return env && !strcmp(env, "1");
}

double fz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *fz_errname(int e)
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

void fz_count(struct fz_stat *s, int err, double secs)
{
	s->calls++;
	s->secs += secs;
	if (!err)
		s->ok++;
	else
		s->err[err > 0 && err < FZ_ERRNO_MAX ? err : 0]++;
}

void fz_print_stat(const struct fz_stat *s)
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

void __printf(2, 3) fz_log(struct fz_ring *r, const char *fmt, ...)
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

void fz_dump(const struct fz_ring *r)
{
	unsigned long i = r->n > FZ_RING ? r->n - FZ_RING : 0;

	fz_info("last operations, oldest first:\n");
	for (; i < r->n; i++)
		fz_info("  %s\n", r->line[i % FZ_RING]);
}
