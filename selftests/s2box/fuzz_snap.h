/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2box_fuzz_test's S2BOX_SNAPSHOT (and its DROP), S2BOX_RESET and
 * S2BOX_CLONE, predicted from the model (fuzz_model.h) and checked:
 *
 *  - SNAPSHOT copies the model of the box (what an unpredicted run
 *    wrote is read back first, so the copy is exact as far as it can
 *    be) and reports the bytes the box maps;
 *  - RESET makes the model that copy again, and the box must then read
 *    as it (a large part of it is read back at once) with the
 *    snapshot's registers; its counts are those of the layout difference
 *    (unmapped_pages, remapped_pages: exact) and of the units changed
 *    since (restored_pages: at least those surely changed, at most those
 *    that may have been), and resets counts every one;
 *  - CLONE makes a box whose model is the template's snapshot, checked
 *    the same way, with clone_of, snapshot_bytes and shared_bytes in
 *    GET_BOX_INFO; from then on clone and template are modelled apart,
 *    so any write one sees of another's fails the reads that follow.
 *
 * Include after fuzz_mem.h and fuzz_cpu.h.
 */
#ifndef S2BOX_FUZZ_SNAP_H
#define S2BOX_FUZZ_SNAP_H

#include "fuzz_call.h"

/* At most this much unpredicted content is read back per snapshot. */
#define LEARN_MAX	(8ULL << 20)
/* ... and this much of a box read back after a reset or a clone. */
#define VERIFY_MAX	(4ULL << 20)

static bool snap_reserved(const __u64 *r, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (r[i])
			return true;
	return false;
}

/* pread @len bytes at @pos into f->img; false (and failed) otherwise. */
static bool snap_pread(struct fuzz *f, struct fz_box *b, __u64 pos,
		       __u64 len)
{
	long got = pread(b->fd, f->img, len, pos);

	if (got == (long)len)
		return true;
	fz_fail(f, "pread of %llu mapped bytes at 0x%llx of box %llu: %ld (%s)",
		(unsigned long long)len, (unsigned long long)pos,
		(unsigned long long)b->id, got, strerror(errno));
	return false;
}

/* What unpredicted runs wrote, read back: the model becomes exact. */
static void snap_learn(struct fuzz *f, struct fz_box *b)
{
	__u64 left = LEARN_MAX, off, n;
	struct fz_ext *e;
	int i;

	for (i = 0; i < b->n_ext && !f->failed; i++) {
		e = &b->ext[i];
		if (!e->tainted || e->size > left)
			continue;
		for (off = 0; off < e->size; off += n) {
			n = e->size - off < FZ_RW_BYTES ? e->size - off :
							  FZ_RW_BYTES;
			if (!snap_pread(f, b, e->ipa + off, n))
				return;
			if (!fz_model_learn(e, e->ipa + off, f->img, n)) {
				fz_fail(f, "out of memory for the model");
				return;
			}
		}
		e->tainted = false;
		left -= e->size;
	}
}

/* Read up to VERIFY_MAX bytes of @b back, from a random extent on. */
static void snap_verify(struct fuzz *f, struct fz_box *b, const char *after)
{
	unsigned long checked = 0;
	__u64 left = VERIFY_MAX, off, n;
	struct fz_ext *e;
	int i, k, first;
	long at;

	if (!b->n_ext)
		return;
	first = fz_below(&f->rng, b->n_ext);
	for (k = 0; k < b->n_ext && left && !f->failed; k++) {
		i = (first + k) % b->n_ext;
		e = &b->ext[i];
		for (off = 0; off < e->size && left; off += n) {
			n = e->size - off < FZ_RW_BYTES ? e->size - off :
							  FZ_RW_BYTES;
			if (n > left)
				n = left;
			if (!snap_pread(f, b, e->ipa + off, n))
				return;
			at = fz_model_cmp(b, e->ipa + off, f->img, n, false,
					  &checked);
			if (at >= 0) {
				fz_fail(f, "box %llu after %s: 0x%llx reads 0x%02x, not as snapped",
					(unsigned long long)b->id, after,
					(unsigned long long)(e->ipa + off + at),
					(unsigned char)f->img[at]);
				return;
			}
			left -= n;
		}
	}
	f->checked += checked;
}

static void snap_forget(struct fuzz *f, struct fz_box *b)
{
	if (b->snap) {
		fz_box_forget(b->snap);
		free(b->snap);
	}
	b->snap = NULL;
	f->mapped_total -= b->snap_charge;
	b->snap_charge = 0;
	fz_units_free(&b->must);
	fz_units_free(&b->may);
	b->ran_blind = false;
	b->inexact = false;
}

/* The model of the snapshot just taken. */
static void snap_take_model(struct fuzz *f, struct fz_box *b)
{
	struct fz_box *s = calloc(1, sizeof(*s));

	snap_learn(f, b);
	if (!s || f->failed || !regs_fetch(f, b)) {
		free(s);
		return;
	}
	snap_forget(f, b);
	s->fd = -1;
	s->align = b->align;
	if (!fz_copy_mem(s, b)) {
		fz_fail(f, "out of memory for the model");
		fz_box_forget(s);
		free(s);
		return;
	}
	b->snap = s;
	b->snap_charge = b->mapped;
	f->mapped_total += b->snap_charge;
}

static void op_snapshot(struct fuzz *f, struct fz_box *b)
{
	struct fz_rng *r = &f->rng;
	const struct s2box_snapshot *eff;
	struct s2box_snapshot a = { 0 }, out;
	bool acts, drop;
	struct pred p;
	struct call c;
	int got;

	if (fz_pct(r, b->snap ? 25 : 5))
		a.flags = S2BOX_SNAPSHOT_DROP;
	if (fz_pct(r, 3))
		a.flags |= 1U << (1 + fz_below(r, 31));
	if (fz_pct(r, 3))
		a.reserved1 = 1 + fz_below(r, ~0U);
	if (fz_pct(r, 3))
		a.reserved[fz_below(r, 4)] = fz_next(r) | 1;
	/* A copy of the box must fit the fuzzer's budget. */
	if (!(a.flags & S2BOX_SNAPSHOT_DROP) &&
	    f->mapped_total - b->snap_charge + b->mapped > f->budget)
		a.flags |= S2BOX_SNAPSHOT_DROP;
	call_prepare(f, &c, ST_SNAPSHOT, b->fd, &a, false);
	eff = (const struct s2box_snapshot *)c.eff;
	drop = eff->flags & S2BOX_SNAPSHOT_DROP;
	p = (struct pred){ c.in_err };
	if (!p.err && ((eff->flags & ~S2BOX_SNAPSHOT_DROP) || eff->reserved1 ||
		       snap_reserved(eff->reserved, 4)))
		p.err = EINVAL;
	if (!p.err && drop && !b->snap)
		p.err = ENOENT;
	/* It acts; then the result is copied out, which may fault. */
	acts = !p.err;
	if (!p.err)
		p.err = c.out_err;
	p.enomem_ok = acts && !drop;
	fz_log(&f->ring, "SNAPSHOT box %llu size %zu place %d flags 0x%x (%llu bytes mapped, %s)",
	       (unsigned long long)b->id, c.b.len, c.b.place, a.flags,
	       (unsigned long long)b->mapped, b->snap ? "has one" : "none");
	call_issue(&c);
	got = fz_result(f, ST_SNAPSHOT, c.err, &p, c.secs);
	call_post(f, &c, &out);
	if (!acts || f->failed)
		return;
	if (got == ENOMEM) {
		/* The earlier snapshot stays; what it counts may not. */
		b->inexact = true;
		return;
	}
	if (drop)
		snap_forget(f, b);
	else
		snap_take_model(f, b);
	if (got || c.b.place != FZ_GOOD || c.b.len < 24 || f->failed)
		return;
	if (out.bytes != (drop ? 0 : b->mapped) ||
	    out.pages != out.bytes / f->page)
		fz_fail(f, "%s: pages %llu bytes %llu, the box maps %llu",
			cur_op(f), (unsigned long long)out.pages,
			(unsigned long long)out.bytes,
			(unsigned long long)b->mapped);
}

/* What a reset must report: exact layout counts, bounds on the rest. */
struct reset_pred {
	__u64 unmapped, remapped;	/* pages */
	__u64 lo, hi;			/* restored pages */
};

/* Live shared mappings of @b: what they map may have changed. */
static void snap_mark_maps(struct fuzz *f, struct fz_box *b)
{
	int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (f->maps[i].addr && f->maps[i].box_id == b->id)
			fz_mark(b, f->maps[i].off, f->maps[i].len, false);
}

/* The units of [lo, hi), mapped with @prot now and in the snapshot. */
static void reset_count(struct fz_box *b, __u64 lo, __u64 hi, __u32 prot,
			struct reset_pred *rp)
{
	bool surely, maybe;
	__u64 u;

	for (u = lo / b->align; u < hi / b->align; u++) {
		surely = fz_units_has(&b->must, u);
		maybe = surely || fz_units_has(&b->may, u) ||
			(b->ran_blind && (prot & S2BOX_PROT_WRITE));
		rp->lo += surely;
		rp->hi += maybe;
	}
}

static struct reset_pred reset_predict(struct fuzz *f, struct fz_box *b)
{
	struct reset_pred rp = { 0 };
	const struct fz_ext *e, *s;
	__u64 common = 0, lo, hi, ppu = b->align / f->page;
	int i, j;

	snap_mark_maps(f, b);
	for (i = 0; i < b->n_ext; i++) {
		e = &b->ext[i];
		for (j = 0; j < b->snap->n_ext; j++) {
			s = &b->snap->ext[j];
			lo = e->ipa > s->ipa ? e->ipa : s->ipa;
			hi = e->ipa + e->size < s->ipa + s->size ?
			     e->ipa + e->size : s->ipa + s->size;
			if (lo >= hi || e->prot != s->prot)
				continue;
			common += hi - lo;
			reset_count(b, lo, hi, e->prot, &rp);
		}
	}
	rp.unmapped = (b->mapped - common) / f->page;
	rp.remapped = (b->snap->mapped - common) / f->page;
	rp.lo *= ppu;
	rp.hi *= ppu;
	return rp;
}

static void reset_check(struct fuzz *f, struct fz_box *b,
			const struct reset_pred *rp,
			const struct s2box_reset *out)
{
	if (out->unmapped_pages != rp->unmapped ||
	    out->remapped_pages != rp->remapped ||
	    out->resets != b->resets + 1 ||
	    (!b->inexact && (out->restored_pages < rp->lo ||
			     out->restored_pages > rp->hi)))
		fz_fail(f, "%s: r/u/m/n %llu/%llu/%llu/%llu, model %llu..%llu%s/%llu/%llu/%llu",
			cur_op(f), (unsigned long long)out->restored_pages,
			(unsigned long long)out->unmapped_pages,
			(unsigned long long)out->remapped_pages,
			(unsigned long long)out->resets,
			(unsigned long long)rp->lo, (unsigned long long)rp->hi,
			b->inexact ? " (not checked)" : "",
			(unsigned long long)rp->unmapped,
			(unsigned long long)rp->remapped,
			(unsigned long long)(b->resets + 1));
}

/* The box is its snapshot again: so is the model. */
static void reset_model(struct fuzz *f, struct fz_box *b)
{
	f->mapped_total -= b->mapped;
	fz_free_mem(b);
	if (!fz_copy_mem(b, b->snap)) {
		fz_fail(f, "out of memory for the model");
		return;
	}
	f->mapped_total += b->mapped;
	fz_units_free(&b->must);
	fz_units_free(&b->may);
	b->ran_blind = false;
	b->inexact = false;
	b->resets++;
	snap_verify(f, b, "RESET");
}

/* ENOMEM left the box partly reset: RESET again finishes it. */
static bool reset_finish(struct fuzz *f, struct fz_box *b)
{
	struct s2box_reset a;
	int i;

	for (i = 0; i < 4; i++) {
		memset(&a, 0, sizeof(a));
		if (!ioctl(b->fd, S2BOX_RESET, &a))
			return true;
		if (errno != ENOMEM) {
			fz_fail(f, "RESET again after ENOMEM: %s", strerror(errno));
			return false;
		}
	}
	fz_log(&f->ring, "  RESET still ENOMEM: the box goes");
	op_close(f, b);
	return false;
}

static void op_reset(struct fuzz *f, struct fz_box *b)
{
	struct fz_rng *r = &f->rng;
	const struct s2box_reset *eff;
	struct s2box_reset a = { 0 }, out;
	struct reset_pred rp = { 0 };
	struct pred p;
	struct call c;
	bool acts;
	int got;

	if (!b->snap && fz_pct(r, 80)) {
		op_snapshot(f, b);
		return;
	}
	if (fz_pct(r, 3))
		a.flags = 1U << fz_below(r, 32);
	if (fz_pct(r, 3))
		a.reserved1 = 1 + fz_below(r, ~0U);
	if (fz_pct(r, 3))
		a.reserved[fz_below(r, 3)] = fz_next(r) | 1;
	call_prepare(f, &c, ST_RESET, b->fd, &a, false);
	eff = (const struct s2box_reset *)c.eff;
	p = (struct pred){ c.in_err };
	if (!p.err && (eff->flags || eff->reserved1 ||
		       snap_reserved(eff->reserved, 3)))
		p.err = EINVAL;
	if (!p.err && !b->snap)
		p.err = ENOENT;
	acts = !p.err;
	if (!p.err)
		p.err = c.out_err;
	p.enomem_ok = acts;
	if (acts)
		rp = reset_predict(f, b);
	fz_log(&f->ring, "RESET box %llu size %zu place %d flags 0x%x (%llu..%llu/%llu/%llu)",
	       (unsigned long long)b->id, c.b.len, c.b.place, a.flags,
	       (unsigned long long)rp.lo, (unsigned long long)rp.hi,
	       (unsigned long long)rp.unmapped,
	       (unsigned long long)rp.remapped);
	call_issue(&c);
	got = fz_result(f, ST_RESET, c.err, &p, c.secs);
	call_post(f, &c, &out);
	if (!acts || f->failed)
		return;
	if (got == ENOMEM && !reset_finish(f, b))
		return;
	if (!got && c.b.place == FZ_GOOD && c.b.len >= sizeof(out))
		reset_check(f, b, &rp, &out);
	if (!f->failed)
		reset_model(f, b);
}

/* A clone at @c of @t: GET_BOX_INFO says what it must; its model is t's snapshot. */
static void clone_init(struct fuzz *f, struct fz_box *c, int fd,
		       struct fz_box *t)
{
	struct s2box_box_info info;
	__u64 n = t->snap->mapped;

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	if (!kioctl(f, fd, S2BOX_GET_BOX_INFO, &info, "GET_BOX_INFO"))
		return;
	if (info.clone_of != t->id || info.ipa_bits != t->ipa_bits ||
	    info.granule != t->granule || info.mapped_bytes != n ||
	    info.snapshot_bytes != n || info.shared_bytes != n) {
		fz_fail(f, "clone of %llu: of %llu %u/%u map %llu snap %llu shared %llu want %llu",
			(unsigned long long)t->id,
			(unsigned long long)info.clone_of, info.ipa_bits,
			info.granule, (unsigned long long)info.mapped_bytes,
			(unsigned long long)info.snapshot_bytes,
			(unsigned long long)info.shared_bytes,
			(unsigned long long)n);
		return;
	}
	c->id = info.box_id;
	c->ipa_bits = t->ipa_bits;
	c->granule = t->granule;
	c->align = t->align;
	c->top = t->top;
	c->blk = t->blk;
	c->qemu_16k_l0 = t->qemu_16k_l0;
	c->clone_of = t->id;
	c->snap = calloc(1, sizeof(*c->snap));
	if (!c->snap || !fz_copy_mem(c->snap, t->snap) ||
	    !fz_copy_mem(c, t->snap)) {
		fz_fail(f, "out of memory for the model");
		return;
	}
	c->snap->fd = -1;
	f->mapped_total += c->mapped;
	f->creates_ok++;
	fz_log(&f->ring, "  clone %llu of box %llu, %llu bytes",
	       (unsigned long long)c->id, (unsigned long long)t->id,
	       (unsigned long long)n);
	snap_verify(f, c, "CLONE");
}

static void op_clone(struct fuzz *f, struct fz_box *b)
{
	struct fz_box *slot = free_slot(f), *other;
	const struct s2box_clone *eff;
	struct s2box_clone a = { 0 };
	struct pred p;
	struct call c;
	int got;

	if (!b->snap && fz_pct(&f->rng, 80)) {
		op_snapshot(f, b);
		return;
	}
	if (!slot) {
		other = random_box(f);
		if (other != b)
			op_close(f, other);
		return;
	}
	if (b->snap && f->mapped_total + b->snap->mapped > f->budget)
		return;
	if (fz_pct(&f->rng, 3))
		a.flags = 1U << fz_below(&f->rng, 32);
	if (fz_pct(&f->rng, 3))
		a.reserved[fz_below(&f->rng, 7)] = 1 + fz_below(&f->rng, ~0U);
	call_prepare(f, &c, ST_CLONE, b->fd, &a, false);
	eff = (const struct s2box_clone *)c.eff;
	p = (struct pred){ c.in_err };
	if (!p.err && (eff->flags || eff->reserved[0] || eff->reserved[1] ||
		       eff->reserved[2] || eff->reserved[3] ||
		       eff->reserved[4] || eff->reserved[5] ||
		       eff->reserved[6]))
		p.err = EINVAL;
	if (!p.err && !b->snap)
		p.err = ENOENT;
	p.enomem_ok = !p.err;
	fz_log(&f->ring, "CLONE box %llu size %zu place %d flags 0x%x",
	       (unsigned long long)b->id, c.b.len, c.b.place, a.flags);
	call_issue(&c);
	got = fz_result(f, ST_CLONE, c.err, &p, c.secs);
	call_post(f, &c, NULL);
	if (c.ret < 0)
		return;
	if (got || f->failed) {
		close(c.ret);
		return;
	}
	clone_init(f, slot, c.ret, b);
}

#endif /* S2BOX_FUZZ_SNAP_H */
