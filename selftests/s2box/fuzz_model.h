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

/* @len bytes at @pos (all mapped) now hold @data. */
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

#endif /* S2BOX_FUZZ_MODEL_H */
