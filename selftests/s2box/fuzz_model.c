// SPDX-License-Identifier: GPL-2.0
/* The fuzzer's model of a box's memory (fuzz_model.h). */

#include "fuzz_model.h"

struct fz_ext *fz_ext_at(struct fz_box *b, __u64 ipa)
{
	int i;

	for (i = 0; i < b->n_ext; i++)
		if (ipa >= b->ext[i].ipa && ipa - b->ext[i].ipa < b->ext[i].size)
			return &b->ext[i];
	return NULL;
}

bool fz_overlaps(const struct fz_box *b, __u64 ipa, __u64 size)
{
	int i;

	for (i = 0; i < b->n_ext; i++)
		if (b->ext[i].ipa < ipa + size &&
		    ipa < b->ext[i].ipa + b->ext[i].size)
			return true;
	return false;
}

__u64 fz_mapped_run(struct fz_box *b, __u64 pos, __u64 len)
{
	__u64 done = 0, n;
	struct fz_ext *e;

	while (done < len && (e = fz_ext_at(b, pos + done))) {
		n = e->ipa + e->size - (pos + done);
		done += n < len - done ? n : len - done;
	}
	return done;
}

void fz_ext_free_pages(struct fz_ext *e, __u64 first, __u64 count)
{
	__u64 i;

	for (i = first; i < first + count; i++) {
		free(e->pg[i]);
		e->pg[i] = NULL;
	}
}

bool fz_ext_add(struct fz_box *b, __u64 ipa, __u64 size, __u32 prot)
{
	struct fz_ext *e;
	int i;

	if (b->n_ext == b->cap_ext) {
		int cap = b->cap_ext ? 2 * b->cap_ext : 16;

		e = realloc(b->ext, cap * sizeof(*e));
		if (!e)
			return false;
		b->ext = e;
		b->cap_ext = cap;
	}
	for (i = b->n_ext; i > 0 && b->ext[i - 1].ipa > ipa; i--)
		b->ext[i] = b->ext[i - 1];
	e = &b->ext[i];
	memset(e, 0, sizeof(*e));
	e->ipa = ipa;
	e->size = size;
	e->prot = prot;
	e->pg = calloc(size / FZ_CHUNK, sizeof(*e->pg));
	b->n_ext++;
	b->mapped += size;
	return e->pg;
}

bool fz_ext_piece(struct fz_box *b, const struct fz_ext *e, __u64 from,
		  __u64 size)
{
	__u64 first = (from - e->ipa) / FZ_CHUNK;
	struct fz_ext copy = *e;
	struct fz_ext *n;

	if (!fz_ext_add(b, from, size, copy.prot))
		return false;
	n = fz_ext_at(b, from);
	memcpy(n->pg, copy.pg + first, size / FZ_CHUNK * sizeof(*n->pg));
	n->tainted = copy.tainted;
	n->box_stored = copy.box_stored;
	n->mmap_written = copy.mmap_written;
	return true;
}

bool fz_ext_remove(struct fz_box *b, __u64 ipa, __u64 size)
{
	__u64 end = ipa + size, e_end, lo, hi;
	struct fz_ext old;
	int i = 0;

	while (i < b->n_ext) {
		old = b->ext[i];
		e_end = old.ipa + old.size;
		if (old.ipa >= end || e_end <= ipa) {
			i++;
			continue;
		}
		lo = old.ipa > ipa ? old.ipa : ipa;
		hi = e_end < end ? e_end : end;
		fz_ext_free_pages(&old, (lo - old.ipa) / FZ_CHUNK,
				  (hi - lo) / FZ_CHUNK);
		/* Drop it from the array; its surviving pieces come back. */
		memmove(&b->ext[i], &b->ext[i + 1],
			(b->n_ext - i - 1) * sizeof(*b->ext));
		b->n_ext--;
		b->mapped -= old.size;
		if (lo > old.ipa && !fz_ext_piece(b, &old, old.ipa, lo - old.ipa))
			return false;
		if (hi < e_end && !fz_ext_piece(b, &old, hi, e_end - hi))
			return false;
		free(old.pg);
		/* Pieces are outside the range: rescanning them is harmless. */
		i = 0;
	}
	return true;
}

void fz_free_mem(struct fz_box *b)
{
	int i;

	for (i = 0; i < b->n_ext; i++) {
		fz_ext_free_pages(&b->ext[i], 0, b->ext[i].size / FZ_CHUNK);
		free(b->ext[i].pg);
	}
	free(b->ext);
	b->ext = NULL;
	b->n_ext = 0;
	b->cap_ext = 0;
	b->mapped = 0;
}

void fz_box_forget(struct fz_box *b)
{
	fz_free_mem(b);
	if (b->snap) {
		fz_box_forget(b->snap);
		free(b->snap);
	}
	fz_units_free(&b->must);
	fz_units_free(&b->may);
	memset(b, 0, sizeof(*b));
	b->fd = -1;
}

bool fz_copy_mem(struct fz_box *dst, const struct fz_box *src)
{
	const struct fz_ext *s;
	struct fz_ext *d;
	__u64 i;
	int n;

	dst->regs = src->regs;
	dst->regs_known = src->regs_known;
	for (n = 0; n < src->n_ext; n++) {
		s = &src->ext[n];
		if (!fz_ext_add(dst, s->ipa, s->size, s->prot))
			return false;
		d = fz_ext_at(dst, s->ipa);
		d->tainted = s->tainted;
		d->box_stored = s->box_stored;
		d->mmap_written = s->mmap_written;
		for (i = 0; i < s->size / FZ_CHUNK; i++) {
			if (!s->pg[i])
				continue;
			d->pg[i] = malloc(FZ_CHUNK);
			if (!d->pg[i])
				return false;
			memcpy(d->pg[i], s->pg[i], FZ_CHUNK);
		}
	}
	return true;
}

/* Where @unit is in @s, or would go. */
static int fz_units_pos(const struct fz_units *s, __u64 unit)
{
	int lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (s->u[mid] < unit)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool fz_units_has(const struct fz_units *s, __u64 unit)
{
	int i = fz_units_pos(s, unit);

	return i < s->n && s->u[i] == unit;
}

bool fz_units_add(struct fz_units *s, __u64 unit)
{
	int i = fz_units_pos(s, unit);
	__u64 *u;

	if (i < s->n && s->u[i] == unit)
		return true;
	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 64;

		u = realloc(s->u, cap * sizeof(*u));
		if (!u)
			return false;
		s->u = u;
		s->cap = cap;
	}
	memmove(&s->u[i + 1], &s->u[i], (s->n - i) * sizeof(*s->u));
	s->u[i] = unit;
	s->n++;
	return true;
}

void fz_units_free(struct fz_units *s)
{
	free(s->u);
	memset(s, 0, sizeof(*s));
}

bool fz_mark(struct fz_box *b, __u64 ipa, __u64 len, bool surely)
{
	struct fz_units *s = surely ? &b->must : &b->may;
	__u64 u;

	if (!b->snap || !len)
		return true;
	for (u = ipa / b->align; u <= (ipa + len - 1) / b->align; u++)
		if (!fz_units_add(s, u))
			return false;
	return true;
}

bool fz_mark_mapped(struct fz_box *b, __u64 ipa, __u64 len)
{
	__u64 lo, hi;
	int i;

	for (i = 0; i < b->n_ext && b->snap; i++) {
		lo = b->ext[i].ipa > ipa ? b->ext[i].ipa : ipa;
		hi = b->ext[i].ipa + b->ext[i].size;
		if (hi > ipa + len)
			hi = ipa + len;
		if (lo < hi && !fz_mark(b, lo, hi - lo, true))
			return false;
	}
	return true;
}

bool fz_model_write(struct fz_box *b, __u64 pos, const void *data, __u64 len)
{
	const __u8 *src = data;
	struct fz_ext *e;
	__u64 idx, off, n;

	if (!fz_mark(b, pos, len, true))
		return false;
	while (len) {
		e = fz_ext_at(b, pos);
		if (!e)
			return false;
		idx = (pos - e->ipa) / FZ_CHUNK;
		off = (pos - e->ipa) % FZ_CHUNK;
		n = FZ_CHUNK - off < len ? FZ_CHUNK - off : len;
		if (!e->pg[idx]) {
			e->pg[idx] = calloc(1, FZ_CHUNK);
			if (!e->pg[idx])
				return false;
		}
		memcpy(e->pg[idx] + off, src, n);
		pos += n;
		src += n;
		len -= n;
	}
	return true;
}

long fz_model_cmp(struct fz_box *b, __u64 pos, const void *buf, __u64 len,
		  bool skip_box_stored, unsigned long *checked)
{
	static const __u8 zero[FZ_CHUNK];
	const __u8 *got = buf;
	__u64 done = 0, idx, off, n;
	struct fz_ext *e;
	const __u8 *want;

	while (done < len) {
		e = fz_ext_at(b, pos + done);
		if (!e)
			return done;
		idx = (pos + done - e->ipa) / FZ_CHUNK;
		off = (pos + done - e->ipa) % FZ_CHUNK;
		n = FZ_CHUNK - off < len - done ? FZ_CHUNK - off : len - done;
		if (!e->tainted && !(skip_box_stored && e->box_stored)) {
			want = e->pg[idx] ? e->pg[idx] + off : zero;
			if (memcmp(got + done, want, n)) {
				__u64 i;

				for (i = 0; got[done + i] == want[i]; i++)
					;
				return done + i;
			}
			*checked += n;
		}
		done += n;
	}
	return -1;
}

void fz_taint_writable(struct fz_box *b)
{
	int i;

	b->ran_blind = true;
	for (i = 0; i < b->n_ext; i++)
		if (b->ext[i].prot & S2BOX_PROT_WRITE)
			b->ext[i].tainted = true;
}

bool fz_model_learn(struct fz_ext *e, __u64 pos, const void *buf, __u64 len)
{
	static const __u8 zero[FZ_CHUNK];
	const __u8 *src = buf;
	__u64 idx, done;

	for (done = 0; done < len; done += FZ_CHUNK) {
		idx = (pos + done - e->ipa) / FZ_CHUNK;
		if (!memcmp(src + done, zero, FZ_CHUNK)) {
			fz_ext_free_pages(e, idx, 1);
			continue;
		}
		if (!e->pg[idx]) {
			e->pg[idx] = malloc(FZ_CHUNK);
			if (!e->pg[idx])
				return false;
		}
		memcpy(e->pg[idx], src + done, FZ_CHUNK);
	}
	return true;
}
