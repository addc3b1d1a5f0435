// SPDX-License-Identifier: GPL-2.0
/* Argument buffers placed at the edges of an arena (fuzz_arg.h). */

#include "fuzz_arg.h"

int fz_arena_init(struct fz_arena *a)
{
	size_t page = sysconf(_SC_PAGESIZE);
	char *base;

	a->page = page;
	a->rw_len = (FZ_RW_BYTES + page - 1) & ~(page - 1);
	base = mmap(NULL, a->rw_len + 3 * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -1;
	a->rw = base;
	a->guard = base + a->rw_len;
	a->ro = a->guard + page;
	if (mprotect(a->guard, page, PROT_NONE) ||
	    mprotect(a->ro, page, PROT_READ) ||
	    mprotect(a->ro + page, page, PROT_NONE))
		return -1;
	return 0;
}

void fz_arena_free(struct fz_arena *a)
{
	if (a->rw)
		munmap(a->rw, a->rw_len + 3 * a->page);
}

size_t fz_span(const struct fz_arena *a, const char *p, bool write)
{
	if (p >= a->rw && p < a->rw + a->rw_len)
		return a->rw + a->rw_len - p;
	if (!write && p >= a->ro && p < a->ro + a->page)
		return a->ro + a->page - p;
	return 0;
}

enum fz_place fz_pick_place(struct fz_rng *r)
{
	unsigned int v = fz_below(r, 1000);

	if (v < 860)
		return FZ_GOOD;
	if (v < 900)
		return FZ_EDGE;
	if (v < 930)
		return FZ_NULL;
	if (v < 950)
		return FZ_GUARD;
	if (v < 970)
		return FZ_RO;
	if (v < 985)
		return FZ_KERNEL;
	return FZ_TAGGED;
}

void fz_place(struct fz_arena *a, struct fz_rng *r, struct fz_buf *b,
	      enum fz_place place, const void *data, size_t len)
{
	size_t off, n;

	if (len > a->rw_len - 64 - FZ_SENTINEL)
		len = a->rw_len - 64 - FZ_SENTINEL;
	if (place == FZ_EDGE && len < 2)
		place = FZ_GOOD;
	memset(b, 0, sizeof(*b));
	b->place = place;
	b->len = len;
	b->range_ok = true;
	switch (place) {
	case FZ_GOOD:
	case FZ_TAGGED:
		/* Anywhere in rw, misaligned as often as not. */
		off = fz_below(r, a->rw_len - len - FZ_SENTINEL - 64 + 1);
		off = (off & ~63UL) + fz_below(r, 64);
		if (off + len + FZ_SENTINEL > a->rw_len)
			off = a->rw_len - len - FZ_SENTINEL;
		b->p = a->rw + off;
		memset(b->p + len, FZ_FILL, FZ_SENTINEL);
		n = len;
		break;
	case FZ_EDGE:
		n = 1 + fz_below(r, len - 1);	/* accessible bytes: 1..len-1 */
		b->p = a->guard - n;
		break;
	case FZ_GUARD:
		b->p = a->guard + fz_below(r, a->page - 8);
		n = 0;
		break;
	case FZ_RO:
		off = fz_below(r, 64);
		b->p = a->ro + off;
		n = 0;
		break;
	case FZ_NULL:
		b->p = (char *)(unsigned long)fz_below(r, 16);
		n = 0;
		break;
	default:
		b->p = (char *)(0xffff800008000000UL + fz_below(r, 4096));
		b->range_ok = false;
		n = 0;
		break;
	}
	if (n) {
		if (data)
			memcpy(b->p, data, n);
		else
			memset(b->p, FZ_FILL, n);
	}
	if (place == FZ_RO) {
		/* Read-only for the kernel; briefly writable for us. */
		mprotect(a->ro, a->page, PROT_READ | PROT_WRITE);
		n = a->ro + a->page - b->p;
		if (n > len)
			n = len;
		if (data)
			memcpy(b->p, data, n);
		else
			memset(b->p, FZ_FILL, n);
		mprotect(a->ro, a->page, PROT_READ);
	}
	b->readable = fz_span(a, b->p, false);
	b->writable = fz_span(a, b->p, true);
	if (place == FZ_TAGGED) {
		b->p = (char *)((unsigned long)b->p | (0x5aUL << 56));
		b->range_ok = false;
		b->readable = 0;
		b->writable = 0;
	}
}

bool fz_sentinel_ok(const struct fz_buf *b)
{
	size_t i;

	if (b->place != FZ_GOOD)
		return true;
	for (i = 0; i < FZ_SENTINEL; i++)
		if ((unsigned char)b->p[b->len + i] != FZ_FILL)
			return false;
	return true;
}

int fz_in_err(const struct fz_arena *a, const struct fz_buf *b, size_t ksize)
{
	size_t head = b->len < ksize ? b->len : ksize, tail, span, i;
	const char *t = b->p + ksize;
	int err = 0;

	if (b->len > ksize && b->range_ok) {
		tail = b->len - ksize;
		span = fz_span(a, t, false);
		for (i = 0; i < tail && i < span; i++)
			if (t[i])
				break;
		if (i < tail && i < span)
			err = E2BIG;
		else if (span < tail)
			err = EFAULT;
	}
	/* The structure itself (also when access_ok() refuses the tail). */
	if (!err && head && (!b->range_ok || b->readable < head))
		err = EFAULT;
	return err;
}

int fz_out_err(const struct fz_buf *b)
{
	return b->len && (!b->range_ok || b->writable < b->len) ? EFAULT : 0;
}
