/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stage-2 translation tables of one box: descriptor encoding and a table
 * tree with map, unmap (with block splitting), walk and audit.
 *
 * Pure architecture rules: no kernel calls, so the host unit tests compile
 * s2pt.c unchanged. Memory and TLB maintenance come from the caller through
 * struct s2pt_ops. The caller serialises every call on one tree (one lock
 * per box); only the hardware walker runs concurrently with it.
 */
#ifndef S2BOX_S2PT_H
#define S2BOX_S2PT_H

#include "vtcr.h"

/* Access a box gets to a mapping; any combination, including none. */
#define S2PT_PROT_R		0x1U
#define S2PT_PROT_W		0x2U
#define S2PT_PROT_X		0x4U
#define S2PT_PROT_ALL		(S2PT_PROT_R | S2PT_PROT_W | S2PT_PROT_X)
/*
 * Not an access but a leaf attribute carried with them: DBM, so that a
 * CPU running with VTCR_EL2.HD sets the write permission itself on the
 * first write instead of faulting (hardware dirty state). Only ever on a
 * leaf the box may write anyway.
 */
#define S2PT_PROT_DBM		0x8U
#define S2PT_PROT_VALID		(S2PT_PROT_ALL | S2PT_PROT_DBM)

/* s2pt_map() flags. */
#define S2PT_MAP_NO_BLOCKS	0x1U	/* page descriptors only */

/* tlbi_ipa() level when the entry removed was a table, not a leaf. */
#define S2PT_LEVEL_TABLE	0x7fffffff

/*
 * What the tree needs from its environment. Each hook exists for one
 * architectural rule:
 *
 * alloc_table	A new table must read as all-invalid before any walker can
 *		reach it: return a zeroed, granule-sized, granule-aligned
 *		table and its PA, or NULL. The PA must fit the box's output
 *		size (VTCR_EL2.PS), or the descriptor pointing at it could
 *		not hold it; a PA that does not is treated as a failure.
 * free_table	Only called once the table is unlinked and the non-leaf
 *		invalidation below has completed, so no walk or walk cache
 *		can still use it.
 * phys_to_virt	Table descriptors hold PAs; the tree follows them.
 * tlbi_ipa	Break-before-make and removal: after a valid descriptor is
 *		made invalid, stale TLB and walk-cache copies must be gone
 *		before the entry is reused or its memory released. Must make
 *		the descriptor writes so far visible to the table walker
 *		first (DSB ISHST), invalidate every stage-2 entry for @ipa in
 *		the box's VMID, including combined stage-1+2 entries, and
 *		return only once that has completed (DSB ISH). @level is the
 *		lookup level of the removed leaf (usable as a TTL hint), or
 *		S2PT_LEVEL_TABLE when a table descriptor was removed: then
 *		no level hint may be used, since walk-cache entries of
 *		every level below must go.
 * sync		Descriptor writes reach the table walker only after a DSB:
 *		called before a new empty table is linked (so its zeroes are
 *		seen before the pointer to it; a split relies on the barrier
 *		that starts tlbi_ipa instead) and at the end of every map and
 *		unmap (so the box sees the result without spurious faults).
 *		DSB ISHST.
 */
struct s2pt_ops {
	void *(*alloc_table)(void *ctx, u64 *pa);
	void (*free_table)(void *ctx, void *va, u64 pa);
	void *(*phys_to_virt)(void *ctx, u64 pa);
	void (*tlbi_ipa)(void *ctx, u64 ipa, int level);
	void (*sync)(void *ctx);
};

/* One valid leaf: a block (level < 3) or a page (level 3). */
struct s2pt_leaf {
	u64 ipa;
	u64 pa;
	u64 size;
	unsigned int prot;
	int level;
};

/*
 * Called for each leaf unmapped, after its invalidation has completed, to
 * release the memory behind it. A block is reported whole when the range
 * covers it; a block the range cuts was split first, so @size may be any
 * block or page size of the granule even if the memory came as one larger
 * allocation.
 */
typedef void (*s2pt_release_fn)(void *arg, const struct s2pt_leaf *leaf);

struct s2pt {
	const struct s2pt_ops *ops;
	void *ctx;
	u64 *root;			/* concatenated root tables */
	u64 root_pa;
	unsigned int gs;		/* granule shift: 12, 14, 16 */
	unsigned int ipa_bits;
	unsigned int oa_bits;		/* VTCR_EL2.PS in bits */
	int start_level;
	bool ds;			/* LPA2 descriptor layout (DS=1) */
	bool lpa_64k;			/* 64K with PAMax 52 (FEAT_LPA) */
	u64 leaf_attr;			/* MemAttr, SH, AF of every leaf */
	/* Counters, kept by map/unmap, checked by s2pt_audit(). */
	unsigned long nr_tables;	/* allocated via ops, root excluded */
	unsigned long nr_blocks;
	unsigned long nr_pages;
	u64 mapped_bytes;
	/*
	 * Times a valid descriptor was made invalid: a leaf or table
	 * removed, or the break of a split's break-before-make. Bumped
	 * before the invalidation, so a box that took a translation fault
	 * in such a window sees it moved once the window is over.
	 */
	unsigned long breaks;
};

/*
 * Set up an empty tree on a zeroed root of geom->root_pages granules,
 * aligned as VTTBR_EL2.BADDR needs. @fwb: HCR_EL2.FWB is set while the box
 * runs, which changes the stage-2 MemAttr encoding.
 */
void s2pt_init(struct s2pt *pt, const struct s2box_geom *geom, bool fwb,
	       const struct s2pt_ops *ops, void *ctx, u64 *root, u64 root_pa);

/* Descriptor encoding and decoding. */
bool s2pt_block_allowed(const struct s2pt *pt, int level);
u64 s2pt_level_size(const struct s2pt *pt, int level);
u64 s2pt_mk_leaf(const struct s2pt *pt, u64 pa, unsigned int prot,
		 int level);
u64 s2pt_mk_table(const struct s2pt *pt, u64 pa);
u64 s2pt_desc_oa(const struct s2pt *pt, u64 desc);
unsigned int s2pt_desc_prot(u64 desc);

/*
 * Map [ipa, ipa + size) to [pa, pa + size), contiguous, with @prot; blocks
 * wherever IPA and PA alignment allow unless S2PT_MAP_NO_BLOCKS.
 * Returns 0; -EINVAL for a misaligned, empty or out-of-range request;
 * -EEXIST when anything in the range is mapped (nothing changed);
 * -ENOMEM when a table could not be allocated (nothing changed).
 */
int s2pt_map(struct s2pt *pt, u64 ipa, u64 pa, u64 size, unsigned int prot,
	     unsigned int flags);

/*
 * Unmap whatever is mapped in [ipa, ipa + size), calling @release for each
 * leaf removed; holes are fine. Blocks the range cuts are split first.
 * Returns 0; -EINVAL for a misaligned, empty or out-of-range request;
 * -ENOMEM when a split could not allocate: nothing was unmapped then,
 * though blocks at the range's edges may already be split.
 */
int s2pt_unmap(struct s2pt *pt, u64 ipa, u64 size, s2pt_release_fn release,
	       void *arg);

/* Receives a table s2pt_clear() unlinked; see there. */
typedef void (*s2pt_defer_fn)(void *arg, void *va, u64 pa);

/*
 * Teardown: make the whole IPA space unmapped in one pass, with no
 * invalidation and no release of any leaf's memory. Every table below the
 * root goes to @defer (deepest first), which must not free it before the
 * caller has invalidated the whole VMID; the leaves' memory is the
 * caller's to release after that same invalidation. Only for a tree no
 * box can enter again, where one VMID-wide TLBI replaces one per leaf.
 */
void s2pt_clear(struct s2pt *pt, s2pt_defer_fn defer, void *arg);

/*
 * Change the permissions of every leaf in [ipa, ipa + size) to
 * (prot & ~@clear) | @set, splitting blocks the range cuts, but only if a
 * leaf there changes (a range whose leaves already have their new
 * permissions is left alone, blocks and all). @changed gets the number of
 * leaves rewritten. Returns 0; -EINVAL for a misaligned, empty or
 * out-of-range request or unknown bits; -ENOMEM when a split could not
 * allocate: no permission changed then, though blocks at the range's
 * edges may already be split.
 *
 * No TLB maintenance: the caller invalidates the range once it is done
 * (one invalidation can cover many calls). It must, before the box runs
 * again, when a permission was taken away; and also when one was given,
 * since a TLB may hold the entry that made the access fault (entries
 * that cause permission faults may be cached, unlike invalid ones).
 */
int s2pt_protect(struct s2pt *pt, u64 ipa, u64 size, unsigned int clear,
		 unsigned int set, unsigned long *changed);

/*
 * Map the already mapped [ipa, ipa + size) to [pa, pa + size) with @prot
 * instead, keeping the tree's shape but for blocks the range cuts, which
 * are split first; @size a power of two, @ipa and @pa aligned to it.
 * Every leaf goes through break-before-make and its invalidation has
 * completed when this returns, so the old pages may be released then.
 * Returns 0; -EINVAL for a bad request; -ENOENT when part of the range
 * is unmapped; -ENOMEM when a split could not allocate (nothing changed
 * but splits at the edges).
 */
int s2pt_remap(struct s2pt *pt, u64 ipa, u64 pa, u64 size, unsigned int prot);

/* Translate one IPA: 0, -ENOENT when unmapped, -EINVAL out of range. */
int s2pt_walk(const struct s2pt *pt, u64 ipa, struct s2pt_leaf *leaf);

/* Visit every valid leaf in IPA order; a non-zero return stops the walk. */
int s2pt_for_each_leaf(const struct s2pt *pt,
		       int (*fn)(void *arg, const struct s2pt_leaf *leaf),
		       void *arg);

struct s2pt_audit {
	unsigned long tables;		/* reachable, root excluded */
	unsigned long blocks;
	unsigned long pages;
	u64 bytes;
	unsigned long bad_desc;		/* not what s2pt_mk_* would write */
	unsigned long empty_tables;	/* reachable but holding nothing */
	unsigned long rejected;		/* leaves @ok refused */
};

/*
 * Check the whole tree: every descriptor well formed, every leaf accepted
 * by @ok (its OA owned by the box, its permissions as requested), no
 * empty table kept, and the counters equal to what the tree holds, so no
 * allocated table is unreachable. Returns 0 or -EUCLEAN; @res says why.
 */
int s2pt_audit(const struct s2pt *pt,
	       bool (*ok)(void *arg, const struct s2pt_leaf *leaf), void *arg,
	       struct s2pt_audit *res);

#endif /* S2BOX_S2PT_H */
