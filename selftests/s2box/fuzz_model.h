/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2box_fuzz_test's model of a box's memory: which IPA ranges S2BOX_MAP
 * mapped (extents, in IPA order) and what they hold, in 4 KiB chunks
 * that read as zeroes until something is written to them.
 *
 * A run the fuzzer cannot predict (random registers, random code) may
 * write anywhere the box can write: it taints the box's writable extents,
 * whose content is then unknown until they are unmapped. Everything else
 * that writes box memory (pwrite, a shared mapping, the store blob) is
 * modelled byte for byte. Include after fuzz_util.h.
 */
#ifndef S2BOX_FUZZ_MODEL_H
#define S2BOX_FUZZ_MODEL_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <linux/s2box.h>

#include "fuzz_util.h"

#define FZ_CHUNK	4096ULL

struct fz_ext {
	__u64 ipa, size;
	__u32 prot;
	bool tainted;		/* content unknown: an unpredicted run */
	bool box_stored;	/* the box stored here: not checked by mmap */
	bool mmap_written;	/* written through a shared mapping */
	__u8 **pg;		/* one per chunk; NULL reads as zeroes */
};

struct fz_box {
	int fd;			/* -1: a free slot */
	__u64 id;
	unsigned int ipa_bits, granule;
	__u64 align;		/* map_align */
	__u64 top;		/* 1 << ipa_bits */
	__u64 blk;		/* a stage-2 block size worth trying, or 0 */
	bool qemu_16k_l0;	/* 16K, DS=1, walk from level 0: see fuzz_test.c */
	struct fz_ext *ext;
	int n_ext, cap_ext;
	__u64 mapped;		/* bytes, as S2BOX_MAP accounted them */
	bool regs_known;	/* @regs is exactly what the box holds */
	struct s2box_regs regs;
};

static inline struct fz_ext *fz_ext_at(struct fz_box *b, __u64 ipa)
{
	int i;

	for (i = 0; i < b->n_ext; i++)
		if (ipa >= b->ext[i].ipa && ipa - b->ext[i].ipa < b->ext[i].size)
			return &b->ext[i];
	return NULL;
}

/* Does anything mapped meet [ipa, ipa + size)? (size > 0, no overflow) */
static inline bool fz_overlaps(const struct fz_box *b, __u64 ipa, __u64 size)
{
	int i;

	for (i = 0; i < b->n_ext; i++)
		if (b->ext[i].ipa < ipa + size &&
		    ipa < b->ext[i].ipa + b->ext[i].size)
			return true;
	return false;
}

/* Bytes mapped without a hole from @pos, at most @len. */
static inline __u64 fz_mapped_run(struct fz_box *b, __u64 pos, __u64 len)
{
	__u64 done = 0, n;
	struct fz_ext *e;

	while (done < len && (e = fz_ext_at(b, pos + done))) {
		n = e->ipa + e->size - (pos + done);
		done += n < len - done ? n : len - done;
	}
	return done;
}

static inline void fz_ext_free_pages(struct fz_ext *e, __u64 first,
				     __u64 count)
{
	__u64 i;

	for (i = first; i < first + count; i++) {
		free(e->pg[i]);
		e->pg[i] = NULL;
	}
}

/* A new, zeroed extent; returns false when out of memory. */
static inline bool fz_ext_add(struct fz_box *b, __u64 ipa, __u64 size,
			      __u32 prot)
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

/* Keep [from, from + size) of @e (chunk aligned, inside it) as a new extent. */
static inline bool fz_ext_piece(struct fz_box *b, const struct fz_ext *e,
				__u64 from, __u64 size)
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

/* What S2BOX_UNMAP of [ipa, ipa + size) does to the model. */
static inline bool fz_ext_remove(struct fz_box *b, __u64 ipa, __u64 size)
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

static inline void fz_box_forget(struct fz_box *b)
{
	int i;

	for (i = 0; i < b->n_ext; i++) {
		fz_ext_free_pages(&b->ext[i], 0, b->ext[i].size / FZ_CHUNK);
		free(b->ext[i].pg);
	}
	free(b->ext);
	memset(b, 0, sizeof(*b));
	b->fd = -1;
}

/* @len bytes at @pos (all mapped) now hold @data. */
static inline bool fz_model_write(struct fz_box *b, __u64 pos,
				  const void *data, __u64 len)
{
	const __u8 *src = data;
	struct fz_ext *e;
	__u64 idx, off, n;

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

/*
 * Compare @len bytes read from @pos (all mapped) with the model, skipping
 * tainted extents (and, with @skip_box_stored, what the box stored).
 * Returns the offset of the first difference, or -1. @checked counts the
 * bytes really compared.
 */
static inline long fz_model_cmp(struct fz_box *b, __u64 pos, const void *buf,
				__u64 len, bool skip_box_stored,
				unsigned long *checked)
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

/* An unpredicted run may have written whatever the box can write. */
static inline void fz_taint_writable(struct fz_box *b)
{
	int i;

	for (i = 0; i < b->n_ext; i++)
		if (b->ext[i].prot & S2BOX_PROT_WRITE)
			b->ext[i].tainted = true;
}

#endif /* S2BOX_FUZZ_MODEL_H */
