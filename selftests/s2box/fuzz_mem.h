/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2box_fuzz_test's operations on box memory: MAP and UNMAP of ranges
 * inside and outside the box, pread and pwrite at random offsets into
 * and out of buffers that fault, and shared mappings of the box probed
 * page by page. Each is predicted from the model (fuzz_model.h) and
 * checked (fuzz_call.h). Include after kselftest_harness.h.
 */
#ifndef S2BOX_FUZZ_MEM_H
#define S2BOX_FUZZ_MEM_H

#include <sys/mman.h>

#include "fuzz_call.h"

/* --- MAP, UNMAP --------------------------------------------------------- */

static __u64 edge_ipa(struct fuzz *f, struct fz_box *b)
{
	__u64 a = b->align, t = b->top, p = f->page;
	const __u64 v[] = {
		0, 1, a - 1, a + 1, p - 1, p + 1, a, 2 * a, t - a, t - 1, t,
		t + a, t / 2, 1ULL << 32, (1ULL << 32) - a, 1ULL << 48,
		1ULL << 52, 1ULL << 63, ~0ULL, ~0ULL - a + 1, -t,
		fz_next(&f->rng), fz_next(&f->rng) & (t - 1) & ~(a - 1),
	};

	return v[fz_below(&f->rng, ARRAY_SIZE(v))];
}

static __u64 edge_size(struct fuzz *f, struct fz_box *b, __u64 ipa)
{
	__u64 a = b->align, t = b->top;
	const __u64 v[] = {
		0, 1, a - 1, a, a + 1, 2 * a, f->page, t, t - ipa,
		t - ipa + a, ~0ULL, ~0ULL & ~(a - 1), 1ULL << 32, 1ULL << 40,
		f->max_box_mem, f->max_box_mem + a, b->blk ? b->blk : a,
		fz_next(&f->rng) & ~(a - 1),
	};

	return v[fz_below(&f->rng, ARRAY_SIZE(v))];
}

/*
 * A range for MAP and UNMAP: mostly in three windows (the bottom, around
 * 2^32 or the middle, the top of the box), sometimes a stage-2 block,
 * sometimes across an existing mapping, sometimes edge values.
 */
static void pick_range(struct fuzz *f, struct fz_box *b, __u64 *ipa,
		       __u64 *size)
{
	struct fz_rng *r = &f->rng;
	__u64 a = b->align, span = 64 * a, base;
	unsigned int v = fz_below(r, 100);

	if (v < 60) {
		switch (fz_below(r, 3)) {
		case 0:
			base = 0;
			break;
		case 1:
			base = (b->top > 1ULL << 33 ? 1ULL << 32 : b->top / 2) -
			       span / 2;
			break;
		default:
			base = b->top - span - 2 * b->blk;
			break;
		}
		if (b->blk && fz_pct(r, 12)) {
			base = (base + b->blk - 1) & ~(b->blk - 1);
			*ipa = base + b->blk * fz_below(r, 2);
			*size = b->blk + (fz_pct(r, 30) ? a : 0);
			return;
		}
		*ipa = base + a * fz_below(r, span / a);
		*size = a * (1 + fz_below(r, fz_pct(r, 80) ? 4 : 16));
		return;
	}
	if (v < 85 && b->n_ext) {
		struct fz_ext *e = &b->ext[fz_below(r, b->n_ext)];
		__u64 units = e->size / a;

		*ipa = e->ipa + a * fz_below(r, units + 2) - a;
		*size = a * (1 + fz_below(r, units + 2));
		return;
	}
	*ipa = edge_ipa(f, b);
	*size = edge_size(f, b, *ipa);
}

/* Is [ipa, ipa + size) a range MAP and UNMAP accept? */
static bool range_ok(struct fz_box *b, __u64 ipa, __u64 size)
{
	return size && !((ipa | size) & (b->align - 1)) && ipa < b->top &&
	       size <= b->top - ipa;
}

/* The errno MAP of @m must fail with (positive), or 0. */
static int map_err(struct fuzz *f, struct fz_box *b, const struct s2box_map *m)
{
	int err = 0;

	if (m->flags || m->reserved[0] || m->reserved[1] ||
	    (m->prot & ~(S2BOX_PROT_READ | S2BOX_PROT_WRITE | S2BOX_PROT_EXEC)) ||
	    !range_ok(b, m->ipa, m->size))
		err = EINVAL;
	else if (fz_overlaps(b, m->ipa, m->size))
		err = EEXIST;
	else if (m->size > f->max_box_mem ||
		 b->mapped > f->max_box_mem - m->size)
		err = ENOMEM;	/* max_box_mem_mb */
	return err;
}

static void op_unmap(struct fuzz *f, struct fz_box *b);

static void op_map(struct fuzz *f, struct fz_box *b)
{
	static const __u32 prots[] = { 7, 7, 7, 7, 5, 5, 3, 3, 1, 4, 6, 2, 0 };
	const struct s2box_map *eff;
	struct s2box_map m = { 0 };
	struct pred p;
	struct call c;
	int got, tries;

	pick_range(f, b, &m.ipa, &m.size);
	m.prot = prots[fz_below(&f->rng, ARRAY_SIZE(prots))];
	if (fz_pct(&f->rng, 4))
		m.prot |= 1U << (3 + fz_below(&f->rng, 29));
	if (fz_pct(&f->rng, 3))
		m.flags = 1U << fz_below(&f->rng, 32);
	if (fz_pct(&f->rng, 3))
		m.reserved[fz_below(&f->rng, 2)] = fz_next(&f->rng) | 1;
	/*
	 * Keep the memory the fuzzer maps within its budget: a request that
	 * would be granted and is too large shrinks to one unit, and when
	 * even that is too much, memory is given back instead.
	 */
	for (tries = 0;; tries++) {
		call_prepare(f, &c, ST_MAP, b->fd, &m, tries > 0);
		eff = (const struct s2box_map *)c.eff;
		p = (struct pred){ c.in_err };
		if (!p.err)
			p.err = map_err(f, b, eff);
		if (p.err || f->mapped_total + eff->size <= f->budget)
			break;
		if (tries) {
			op_unmap(f, b);
			return;
		}
		m.size = b->align;
	}
	p.enomem_ok = !p.err;
	fz_log(&f->ring,
	       "MAP box %llu size %zu place %d ipa 0x%llx size 0x%llx prot 0x%x flags 0x%x",
	       (unsigned long long)b->id, c.b.len, c.b.place,
	       (unsigned long long)m.ipa, (unsigned long long)m.size, m.prot,
	       m.flags);
	call_issue(&c);
	got = fz_result(f, ST_MAP, c.err, &p, c.secs);
	call_post(f, &c, NULL);
	/* What a failed MAP marked is not the model's to know. */
	b->inexact |= got == ENOMEM;
	if (got || f->failed)
		return;
	if (!fz_ext_add(b, eff->ipa, eff->size, eff->prot) ||
	    !fz_mark(b, eff->ipa, eff->size, true)) {
		fz_fail(f, "out of memory for the model");
		return;
	}
	f->mapped_total += eff->size;
}

static void op_unmap(struct fuzz *f, struct fz_box *b)
{
	const struct s2box_unmap *eff;
	struct s2box_unmap u = { 0 };
	struct pred p;
	struct call c;
	__u64 before;
	int got;

	if (fz_pct(&f->rng, 8))
		u.size = b->top;
	else
		pick_range(f, b, &u.ipa, &u.size);
	if (fz_pct(&f->rng, 3))
		u.flags = 1U << fz_below(&f->rng, 32);
	if (fz_pct(&f->rng, 3))
		u.reserved[fz_below(&f->rng, 3)] = 1 + fz_below(&f->rng, ~0U);
	call_prepare(f, &c, ST_UNMAP, b->fd, &u, false);
	eff = (const struct s2box_unmap *)c.eff;
	p = (struct pred){ c.in_err };
	if (!p.err && (eff->flags || eff->reserved[0] || eff->reserved[1] ||
		       eff->reserved[2]))
		p.err = EINVAL;
	if (!p.err && !range_ok(b, eff->ipa, eff->size))
		p.err = EINVAL;
	/* Splitting a block allocates a table. */
	p.enomem_ok = !p.err;
	fz_log(&f->ring, "UNMAP box %llu size %zu place %d ipa 0x%llx size 0x%llx flags 0x%x",
	       (unsigned long long)b->id, c.b.len, c.b.place,
	       (unsigned long long)u.ipa, (unsigned long long)u.size,
	       u.flags);
	call_issue(&c);
	got = fz_result(f, ST_UNMAP, c.err, &p, c.secs);
	call_post(f, &c, NULL);
	b->inexact |= got == ENOMEM;
	if (got || f->failed)
		return;
	before = b->mapped;
	if (!fz_mark_mapped(b, eff->ipa, eff->size) ||
	    !fz_ext_remove(b, eff->ipa, eff->size))
		fz_fail(f, "out of memory for the model");
	f->mapped_total -= before - b->mapped;
}

/* --- pread, pwrite, mmap ------------------------------------------------- */

static void pick_pos(struct fuzz *f, struct fz_box *b, __s64 *pos,
		     size_t *len)
{
	struct fz_rng *r = &f->rng;
	__u64 a = b->align, t = b->top;
	const size_t lens[] = {
		0, 1, 3, 8, 100, 4095, 4096, 4097, a - 1, a, a + 1, 2 * a - 5,
		3 * a, fz_below(r, 2 * a + 64), fz_below(r, 256),
	};

	*len = lens[fz_below(r, ARRAY_SIZE(lens))];
	if (fz_pct(r, 75) && b->n_ext) {
		struct fz_ext *e = &b->ext[fz_below(r, b->n_ext)];

		if (fz_pct(r, 30))
			*pos = e->ipa + FZ_CHUNK * fz_below(r, e->size / FZ_CHUNK);
		else
			*pos = (__s64)(e->ipa + fz_below(r, e->size + 128)) - 64;
		if (*pos < 0)
			*pos = 0;
	} else {
		const __s64 v[] = {
			0, t - 1, t - 8, t, t + 1, -1, -4096, INT64_MAX,
			INT64_MAX - 7, 1LL << 62, fz_next(r) & (t - 1),
			fz_next(r) >> 1,
		};

		*pos = v[fz_below(r, ARRAY_SIZE(v))];
	}
}

/* pread/pwrite: an error, or a count in [lo, hi]. */
struct rw_pred {
	struct pred p;
	__u64 lo, hi;
};

static struct rw_pred rw_predict(struct fz_box *b, __s64 pos,
				 const struct fz_buf *buf, bool write)
{
	struct rw_pred rp = { { 0 } };
	__u64 run, acc;

	if (pos < 0)
		rp.p.err = EINVAL;
	else if (!buf->range_ok)
		rp.p.err = EFAULT;
	else if ((__u64)pos + buf->len > INT64_MAX)
		rp.p.err = EINVAL;
	if (rp.p.err || !buf->len)
		return rp;
	if ((__u64)pos >= b->top) {
		rp.p.err = ENXIO;
		return rp;
	}
	/*
	 * pwrite() copies the caller's first piece into a bounce page
	 * before it looks at the box (memio.c): a buffer it cannot read
	 * at all is EFAULT even where nothing is mapped.
	 */
	if (write && !buf->readable) {
		rp.p.err = EFAULT;
		return rp;
	}
	run = fz_mapped_run(b, pos, buf->len);
	if (!run) {
		rp.p.err = ENXIO;
		return rp;
	}
	acc = write ? buf->readable : buf->writable;
	if (acc >= run) {
		rp.lo = run;
		rp.hi = run;
	} else if (!acc) {
		rp.p.err = EFAULT;
	} else {
		/*
		 * The user buffer faults part-way: whatever was moved before
		 * the fault counts (at least a byte: arm64's usercopy makes
		 * sure of that), nothing past it.
		 */
		rp.lo = 1;
		rp.hi = acc;
	}
	return rp;
}

static void op_rw(struct fuzz *f, struct fz_box *b, bool write)
{
	int st = write ? ST_PWRITE : ST_PREAD;
	struct rw_pred rp;
	struct fz_buf buf;
	unsigned long checked = 0;
	size_t len;
	double t0;
	__s64 pos;
	long ret, off;
	int got;

	pick_pos(f, b, &pos, &len);
	if (write) {
		if (fz_pct(&f->rng, 10))
			memset(f->img, 0, len);
		else
			fz_fill(&f->rng, f->img, len);
	}
	fz_place(&f->ar, &f->rng, &buf, fz_pick_place(&f->rng),
		 write ? f->img : NULL, len);
	rp = rw_predict(b, pos, &buf, write);
	fz_log(&f->ring, "%s box %llu pos 0x%llx len %zu place %d (expect %s %llu..%llu)",
	       write ? "pwrite" : "pread", (unsigned long long)b->id,
	       (unsigned long long)pos, buf.len, buf.place,
	       fz_errname(rp.p.err), (unsigned long long)rp.lo,
	       (unsigned long long)rp.hi);
	t0 = fz_now();
	errno = 0;
	ret = write ? pwrite(b->fd, buf.p, buf.len, pos) :
		      pread(b->fd, buf.p, buf.len, pos);
	got = ret < 0 ? errno : 0;
	fz_result(f, st, got, &rp.p, fz_now() - t0);
	if (f->failed || ret < 0)
		return;
	if ((__u64)ret < rp.lo || (__u64)ret > rp.hi) {
		fz_fail(f, "%s returned %ld, expected %llu..%llu", cur_op(f),
			ret, (unsigned long long)rp.lo,
			(unsigned long long)rp.hi);
		return;
	}
	if (write && ret && !fz_model_write(b, pos, f->img, ret)) {
		fz_fail(f, "model: pwrite of unmapped bytes");
		return;
	}
	if (!write && ret) {
		off = fz_model_cmp(b, pos, buf.p, ret, false, &checked);
		f->checked += checked;
		if (off >= 0) {
			fz_fail(f, "%s: byte at IPA 0x%llx reads 0x%02x, not as written",
				cur_op(f), (unsigned long long)(pos + off),
				(unsigned char)buf.p[off]);
			return;
		}
	}
	if (buf.place != FZ_GOOD)
		return;
	if (!fz_sentinel_ok(&buf) ||
	    (write && memcmp(buf.p, f->img, buf.len)))
		fz_fail(f, "%s: the caller's buffer changed", cur_op(f));
	for (off = ret; !write && off < (long)buf.len; off++) {
		if ((unsigned char)buf.p[off] != FZ_FILL) {
			fz_fail(f, "%s: pread wrote byte %ld, past the %ld it returned",
				cur_op(f), off, ret);
			return;
		}
	}
}

/*
 * Reads (and maybe writes) 8 bytes through a mapping; false on SIGBUS.
 * Atomic accesses: the compiler must neither drop nor move them.
 */
static bool probe(__u64 *p, __u64 *val, const __u64 *store)
{
	if (sigsetjmp(fz_jb, 1))
		return false;
	*val = __atomic_load_n(p, __ATOMIC_RELAXED);
	if (store)
		__atomic_store_n(p, *store, __ATOMIC_RELAXED);
	return true;
}

static void munmap_at(struct fuzz *f, int i)
{
	struct pred p = { 0 };
	double t0 = fz_now();
	int got, k;

	/* A page it faulted in counts as changed at the next reset. */
	for (k = 0; k < MAX_BOXES; k++)
		if (f->box[k].fd >= 0 && f->box[k].id == f->maps[i].box_id)
			fz_mark(&f->box[k], f->maps[i].off, f->maps[i].len,
				false);

	fz_log(&f->ring, "munmap %zu bytes", f->maps[i].len);
	got = munmap(f->maps[i].addr, f->maps[i].len) ? errno : 0;
	fz_result(f, ST_MUNMAP, got, &p, fz_now() - t0);
	f->maps[i].addr = NULL;
}

static void op_munmap(struct fuzz *f)
{
	int i = fz_below(&f->rng, MAX_MAPS);

	if (f->maps[i].addr)
		munmap_at(f, i);
}

/*
 * A shared mapping of the box at an IPA: each page reads as modelled when
 * the box maps it and raises SIGBUS when it does not; some get written.
 */
static void probe_map(struct fuzz *f, struct fz_box *b, char *m, size_t len,
		      __u64 off, bool writable)
{
	unsigned long checked = 0;
	__u64 ipa, val, store;
	struct fz_ext *e;
	size_t i, o;
	bool ok, wr;

	for (i = 0; i < len; i += f->page) {
		ipa = off + i;
		e = ipa < b->top ? fz_ext_at(b, ipa) : NULL;
		o = 8 * fz_below(&f->rng, f->page / 8);
		wr = writable && e && fz_pct(&f->rng, 40);
		store = fz_next(&f->rng);
		ok = probe((__u64 *)(m + i + o), &val,
			   wr ? &store : NULL);
		if (!e) {
			f->sigbus += !ok;
			if (ok)
				fz_fail(f, "%s: IPA 0x%llx is not mapped, yet its page reads",
					cur_op(f), (unsigned long long)ipa);
			if (ok)
				return;
			continue;
		}
		if (!ok) {
			fz_fail(f, "%s: SIGBUS at mapped IPA 0x%llx", cur_op(f),
				(unsigned long long)(ipa + o));
			return;
		}
		/* Faulted in: the module counts it as changed (snapshots). */
		fz_mark(b, ipa, 1, true);
		/* A store by the box may not be visible here without FWB. */
		if (fz_model_cmp(b, ipa + o, &val, 8, true, &checked) >= 0) {
			fz_fail(f,
				"%s: IPA 0x%llx reads 0x%llx through the mapping, not as written",
				cur_op(f), (unsigned long long)(ipa + o),
				(unsigned long long)val);
			return;
		}
		f->checked += checked;
		if (wr) {
			fz_model_write(b, ipa + o, &store, 8);
			e->mmap_written = true;
		}
	}
}

static void op_mmap(struct fuzz *f, struct fz_box *b)
{
	struct fz_rng *r = &f->rng;
	size_t len = f->page * (1 + fz_below(r, 4));
	bool priv = fz_pct(r, 8), rw = fz_pct(r, 80);
	struct pred p = { 0 };
	__u64 off;
	double t0;
	char *m;
	int got, i;

	if (b->n_ext && fz_pct(r, 75)) {
		struct fz_ext *e = &b->ext[fz_below(r, b->n_ext)];

		off = (e->ipa & ~(f->page - 1)) +
		      f->page * fz_below(r, e->size / f->page + 2);
		if (off >= f->page && fz_pct(r, 30))
			off -= f->page;
	} else {
		const __u64 v[] = {
			0, b->top - f->page, b->top, 1ULL << 40, 1ULL << 50,
			f->page + 1,
		};

		off = v[fz_below(r, ARRAY_SIZE(v))];
	}
	if ((off & (f->page - 1)) || priv)
		p.err = EINVAL;
	fz_log(&f->ring, "mmap box %llu off 0x%llx len %zu %s %s",
	       (unsigned long long)b->id, (unsigned long long)off, len,
	       priv ? "private" : "shared", rw ? "rw" : "ro");
	t0 = fz_now();
	m = mmap(NULL, len, PROT_READ | (rw ? PROT_WRITE : 0),
		 priv ? MAP_PRIVATE : MAP_SHARED, b->fd, off);
	got = m == MAP_FAILED ? errno : 0;
	fz_result(f, ST_MMAP, got, &p, fz_now() - t0);
	if (m == MAP_FAILED)
		return;
	if (!f->failed)
		probe_map(f, b, m, len, off, rw);
	/* Some stay, outliving UNMAPs and the box's fd. */
	i = fz_below(r, MAX_MAPS);
	if (f->maps[i].addr)
		munmap_at(f, i);
	f->maps[i] = (struct fmap){ m, len, b->id, off };
	if (fz_pct(r, 50))
		munmap_at(f, i);
}

#endif /* S2BOX_FUZZ_MEM_H */
