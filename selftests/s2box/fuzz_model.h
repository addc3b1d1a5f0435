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
 *
 * Snapshots (fuzz_snap.h): a box with one keeps a copy of its model as
 * it was then, and the MAP units (map_align bytes) changed since, in two
 * sets: those that surely changed (a modelled write, MAP, UNMAP, a page
 * touched through a shared mapping) and those that may have (a live
 * shared mapping of the box); an unpredicted run adds every writable
 * unit to the second. S2BOX_RESET must copy back at least the first and
 * at most both.
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

/* A sorted set of MAP unit numbers (IPA / map_align). */
struct fz_units {
	__u64 *u;
	int n, cap;
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
	/* S2BOX_SNAPSHOT, _RESET, _CLONE (fuzz_snap.h). */
	struct fz_box *snap;	/* memory and registers then, or NULL */
	__u64 snap_charge;	/* what the snapshot adds to the fuzzer's budget */
	__u64 clone_of;		/* the template's id, or 0 */
	__u64 resets;		/* successful resets, as the module counts */
	struct fz_units must, may;	/* units changed since: surely, perhaps */
	bool ran_blind;		/* an unpredicted run since the snapshot */
	bool inexact;		/* a partial failure since: counts unknown */
};

bool fz_units_add(struct fz_units *s, __u64 unit);

bool fz_units_has(const struct fz_units *s, __u64 unit);

void fz_units_free(struct fz_units *s);

/* With a snapshot: the units of [ipa, ipa + len) changed, surely or perhaps. */
bool fz_mark(struct fz_box *b, __u64 ipa, __u64 len, bool surely);

/* With a snapshot: the units of [ipa, ipa + len) that are mapped changed. */
bool fz_mark_mapped(struct fz_box *b, __u64 ipa, __u64 len);

/*
 * @dst (empty) gets a copy of @src's memory model and registers; false
 * when out of memory (@dst then holds what was copied: forget it).
 */
bool fz_copy_mem(struct fz_box *dst, const struct fz_box *src);

/* Free @b's memory model (extents and their contents) only. */
void fz_free_mem(struct fz_box *b);

struct fz_ext *fz_ext_at(struct fz_box *b, __u64 ipa);

/* Does anything mapped meet [ipa, ipa + size)? (size > 0, no overflow) */
bool fz_overlaps(const struct fz_box *b, __u64 ipa, __u64 size);

/* Bytes mapped without a hole from @pos, at most @len. */
__u64 fz_mapped_run(struct fz_box *b, __u64 pos, __u64 len);

void fz_ext_free_pages(struct fz_ext *e, __u64 first, __u64 count);

/* A new, zeroed extent; returns false when out of memory. */
bool fz_ext_add(struct fz_box *b, __u64 ipa, __u64 size, __u32 prot);

/* Keep [from, from + size) of @e (chunk aligned, inside it) as a new extent. */
bool fz_ext_piece(struct fz_box *b, const struct fz_ext *e, __u64 from,
		  __u64 size);

/* What S2BOX_UNMAP of [ipa, ipa + size) does to the model. */
bool fz_ext_remove(struct fz_box *b, __u64 ipa, __u64 size);

void fz_box_forget(struct fz_box *b);

/* @len bytes at @pos (all mapped) now hold @data; marks them changed. */
bool fz_model_write(struct fz_box *b, __u64 pos, const void *data, __u64 len);

/*
 * Compare @len bytes read from @pos (all mapped) with the model, skipping
 * tainted extents (and, with @skip_box_stored, what the box stored).
 * Returns the offset of the first difference, or -1. @checked counts the
 * bytes really compared.
 */
long fz_model_cmp(struct fz_box *b, __u64 pos, const void *buf, __u64 len,
		  bool skip_box_stored, unsigned long *checked);

/* An unpredicted run may have written whatever the box can write. */
void fz_taint_writable(struct fz_box *b);

/*
 * Learn what the box really holds at @pos (@len bytes, within extent
 * @e, chunk aligned) from @buf: the model's chunks get @buf's bytes.
 */
bool fz_model_learn(struct fz_ext *e, __u64 pos, const void *buf, __u64 len);

#endif /* S2BOX_FUZZ_MODEL_H */
