// SPDX-License-Identifier: GPL-2.0
/*
 * Stage-2 translation tables of one box (see s2pt.h).
 *
 * Pure architecture rules: no kernel calls, so the host unit tests compile
 * this file unchanged and check the trees it builds with a walker of their
 * own. Descriptor layouts are those of the Arm ARM, "VMSAv8-64 translation
 * table format descriptors", for stage 2.
 *
 * Invariants kept between calls, relied on by map and unmap:
 *  - every table but the root holds at least one valid descriptor, so a
 *    table is freed as soon as it empties and none leaks;
 *  - descriptors are only ever written by s2pt_mk_leaf()/s2pt_mk_table(),
 *    and s2pt_audit() checks that the tree still reads that way.
 */

#include "s2pt.h"

/* Bits [1:0]: valid; table (levels 0-2) or page (level 3), else block. */
#define DESC_VALID		BIT_ULL(0)
#define DESC_TYPE_MASK		3ULL
#define DESC_TYPE_TABLE		3ULL	/* also "page" at level 3 */
#define DESC_TYPE_BLOCK		1ULL	/* reserved (invalid) at level 3 */

/* Stage-2 leaf attributes. */
#define DESC_MEMATTR_SHIFT	2
#define MEMATTR_NORMAL_WB	0xfULL	/* Outer and Inner Write-Back */
#define MEMATTR_FWB_NORMAL_WB	0x6ULL	/* FWB: force Normal Write-Back */
#define DESC_S2AP_R		BIT_ULL(6)
#define DESC_S2AP_W		BIT_ULL(7)
#define DESC_SH_INNER		(3ULL << 8)
#define DESC_AF			BIT_ULL(10)
#define DESC_XN_MASK		(3ULL << 53)
#define DESC_XN_NEVER		(2ULL << 53)
#define DESC_DBM		BIT_ULL(51)	/* in every layout, DS=1 too */

/* Output address fields. */
#define OA_TOP_NO_DS		48	/* OA[47:g] in bits [47:g] */
#define OA_TOP_DS		50	/* DS=1: OA[49:g] in bits [49:g] */
#define DS_OA_HI_SHIFT		8	/* DS=1: OA[51:50] in bits [9:8] */
#define DS_OA_HI_MASK		3ULL
#define LPA_OA_HI_SHIFT		12	/* 64K, FEAT_LPA: OA[51:48] in [15:12] */
#define LPA_OA_HI_MASK		0xfULL

#define LAST_LEVEL		3

static u64 bit_range(unsigned int top, unsigned int low)
{
	return (BIT_ULL(top) - 1) & ~(BIT_ULL(low) - 1);
}

void s2pt_init(struct s2pt *pt, const struct s2box_geom *geom, bool fwb,
	       const struct s2pt_ops *ops, void *ctx, u64 *root, u64 root_pa)
{
	u64 memattr = fwb ? MEMATTR_FWB_NORMAL_WB : MEMATTR_NORMAL_WB;

	pt->ops = ops;
	pt->ctx = ctx;
	pt->root = root;
	pt->root_pa = root_pa;
	pt->gs = geom->granule_shift;
	pt->ipa_bits = geom->ipa_bits;
	pt->oa_bits = geom->ps_bits;
	pt->start_level = geom->start_level;
	pt->ds = geom->ds;
	/*
	 * 64K level-1 blocks depend on PAMax being 52 bits, not on PS; for
	 * 64K, vtcr.c sets PS to the host's PARange, so ps_bits is PAMax.
	 */
	pt->lpa_64k = geom->granule_shift == S2_GRANULE_SHIFT_64K &&
		      geom->ps_bits == 52;
	/*
	 * Box memory is ordinary RAM the host also maps Normal WB: any other
	 * type would make the two views mismatched aliases. With DS=1 bits
	 * [9:8] hold OA[51:50] and shareability comes from VTCR_EL2.SH0,
	 * which vtcr.c sets to inner shareable too.
	 */
	pt->leaf_attr = memattr << DESC_MEMATTR_SHIFT | DESC_AF;
	if (!pt->ds)
		pt->leaf_attr |= DESC_SH_INNER;
	pt->nr_tables = 0;
	pt->nr_blocks = 0;
	pt->nr_pages = 0;
	pt->mapped_bytes = 0;
	pt->breaks = 0;
}

/*
 * Arm ARM AArch64.BlockDescSupported: 4K has blocks at levels 1-2 and at
 * level 0 only with DS=1; 16K at level 2 and at level 1 only with DS=1;
 * 64K at level 2 and at level 1 only when PAMax is 52 bits.
 */
bool s2pt_block_allowed(const struct s2pt *pt, int level)
{
	switch (pt->gs) {
	case S2_GRANULE_SHIFT_4K:
		return level == 1 || level == 2 || (level == 0 && pt->ds);
	case S2_GRANULE_SHIFT_16K:
		return level == 2 || (level == 1 && pt->ds);
	default:
		return level == 2 || (level == 1 && pt->lpa_64k);
	}
}

/* Each level resolves g - 3 bits above the g bits of the last level. */
static unsigned int level_shift(const struct s2pt *pt, int level)
{
	return pt->gs + (unsigned int)(LAST_LEVEL - level) * (pt->gs - 3);
}

u64 s2pt_level_size(const struct s2pt *pt, int level)
{
	return BIT_ULL(level_shift(pt, level));
}

/* The root may be concatenated (up to 16 tables) or partial. */
static unsigned int level_index_bits(const struct s2pt *pt, int level)
{
	if (level == pt->start_level)
		return pt->ipa_bits - level_shift(pt, level);
	return pt->gs - 3;
}

static u64 level_entries(const struct s2pt *pt, int level)
{
	return BIT_ULL(level_index_bits(pt, level));
}

static u64 level_index(const struct s2pt *pt, u64 addr, int level)
{
	return (addr >> level_shift(pt, level)) & (level_entries(pt, level) - 1);
}

/* Start of the next entry at @level after @addr, capped at @end. */
static u64 entry_end(const struct s2pt *pt, u64 addr, u64 end, int level)
{
	u64 next = (addr | (s2pt_level_size(pt, level) - 1)) + 1;

	return next < end ? next : end;
}

/* Tables and leaves share one OA layout, chosen by granule and DS. */
static u64 oa_to_desc(const struct s2pt *pt, u64 pa)
{
	u64 desc;

	if (pt->ds)
		return (pa & bit_range(OA_TOP_DS, pt->gs)) |
		       ((pa >> OA_TOP_DS) & DS_OA_HI_MASK) << DS_OA_HI_SHIFT;
	desc = pa & bit_range(OA_TOP_NO_DS, pt->gs);
	/* Zero below 2^48, so also right for 64K without FEAT_LPA. */
	if (pt->gs == S2_GRANULE_SHIFT_64K)
		desc |= ((pa >> OA_TOP_NO_DS) & LPA_OA_HI_MASK) <<
			LPA_OA_HI_SHIFT;
	return desc;
}

u64 s2pt_desc_oa(const struct s2pt *pt, u64 desc)
{
	u64 pa;

	if (pt->ds)
		return (desc & bit_range(OA_TOP_DS, pt->gs)) |
		       ((desc >> DS_OA_HI_SHIFT) & DS_OA_HI_MASK) << OA_TOP_DS;
	pa = desc & bit_range(OA_TOP_NO_DS, pt->gs);
	if (pt->gs == S2_GRANULE_SHIFT_64K)
		pa |= ((desc >> LPA_OA_HI_SHIFT) & LPA_OA_HI_MASK) <<
		      OA_TOP_NO_DS;
	return pa;
}

/*
 * AF is set so no access ever faults on it (VTCR_EL2.HA is 0); S2AP gives
 * read and write, XN[1:0] = 0b10 forbids execution at EL1 and EL0 and
 * means the same with and without FEAT_XNX.
 */
u64 s2pt_mk_leaf(const struct s2pt *pt, u64 pa, unsigned int prot, int level)
{
	u64 desc = oa_to_desc(pt, pa) | pt->leaf_attr | DESC_VALID;

	desc |= level == LAST_LEVEL ? DESC_TYPE_TABLE : DESC_TYPE_BLOCK;
	if (prot & S2PT_PROT_R)
		desc |= DESC_S2AP_R;
	if (prot & S2PT_PROT_W)
		desc |= DESC_S2AP_W;
	if (!(prot & S2PT_PROT_X))
		desc |= DESC_XN_NEVER;
	if (prot & S2PT_PROT_DBM)
		desc |= DESC_DBM;
	return desc;
}

/* Stage 2 has no hierarchical attributes: a table entry is just the PA. */
u64 s2pt_mk_table(const struct s2pt *pt, u64 pa)
{
	return oa_to_desc(pt, pa) | DESC_TYPE_TABLE;
}

unsigned int s2pt_desc_prot(u64 desc)
{
	unsigned int prot = 0;

	if (desc & DESC_S2AP_R)
		prot |= S2PT_PROT_R;
	if (desc & DESC_S2AP_W)
		prot |= S2PT_PROT_W;
	if (!(desc & DESC_XN_MASK))
		prot |= S2PT_PROT_X;
	if (desc & DESC_DBM)
		prot |= S2PT_PROT_DBM;
	return prot;
}

static bool desc_valid(u64 desc)
{
	return desc & DESC_VALID;
}

static bool desc_is_table(u64 desc, int level)
{
	return level < LAST_LEVEL && (desc & DESC_TYPE_MASK) == DESC_TYPE_TABLE;
}

static u64 *desc_table(const struct s2pt *pt, u64 desc)
{
	return pt->ops->phys_to_virt(pt->ctx, s2pt_desc_oa(pt, desc));
}

static void desc_leaf(const struct s2pt *pt, u64 desc, u64 addr, int level,
		      struct s2pt_leaf *leaf)
{
	leaf->size = s2pt_level_size(pt, level);
	leaf->ipa = addr & ~(leaf->size - 1);
	leaf->pa = s2pt_desc_oa(pt, desc);
	leaf->prot = s2pt_desc_prot(desc);
	leaf->level = level;
}

static void count_leaf(struct s2pt *pt, int level, u64 size, bool add)
{
	unsigned long *nr = level == LAST_LEVEL ? &pt->nr_pages
						: &pt->nr_blocks;

	if (add) {
		(*nr)++;
		pt->mapped_bytes += size;
	} else {
		(*nr)--;
		pt->mapped_bytes -= size;
	}
}

/* A table whose PA the descriptors cannot hold is no table for us. */
static u64 *table_alloc(struct s2pt *pt, u64 *pa)
{
	u64 *table = pt->ops->alloc_table(pt->ctx, pa);

	if (!table)
		return NULL;
	if ((*pa & (BIT_ULL(pt->gs) - 1)) || (*pa >> pt->oa_bits)) {
		pt->ops->free_table(pt->ctx, table, *pa);
		return NULL;
	}
	pt->nr_tables++;
	return table;
}

/* Only for tables no walker has been able to reach. */
static void table_free_unlinked(struct s2pt *pt, u64 *table, u64 pa)
{
	pt->ops->free_table(pt->ctx, table, pa);
	pt->nr_tables--;
}

static bool table_empty(const struct s2pt *pt, const u64 *table, int level)
{
	u64 i, n = level_entries(pt, level);

	for (i = 0; i < n; i++)
		if (desc_valid(table[i]))
			return false;
	return true;
}

static bool range_ok(const struct s2pt *pt, u64 ipa, u64 size)
{
	u64 gmask = BIT_ULL(pt->gs) - 1, limit = BIT_ULL(pt->ipa_bits);

	return size && !((ipa | size) & gmask) && size <= limit &&
	       ipa <= limit - size;
}

/* Is anything mapped in [addr, end)? */
static bool range_mapped(const struct s2pt *pt, const u64 *table, int level,
			 u64 addr, u64 end)
{
	u64 next, desc;

	for (; addr < end; addr = next) {
		next = entry_end(pt, addr, end, level);
		desc = table[level_index(pt, addr, level)];
		if (!desc_valid(desc))
			continue;
		if (!desc_is_table(desc, level) ||
		    range_mapped(pt, desc_table(pt, desc), level + 1, addr,
				 next))
			return true;
	}
	return false;
}

struct map_req {
	u64 ipa;
	u64 pa;
	unsigned int prot;
	bool blocks;
};

static int map_range(struct s2pt *pt, u64 *table, int level, u64 addr,
		     u64 end, const struct map_req *req);

/* Map [addr, next), all inside one entry at @level, known to be empty. */
static int map_entry(struct s2pt *pt, u64 *ptep, int level, u64 addr,
		     u64 next, const struct map_req *req)
{
	u64 size = s2pt_level_size(pt, level), pa = req->pa + (addr - req->ipa);
	u64 *child, child_pa;

	/* A block needs the whole entry and an OA aligned to its size. */
	if (level == LAST_LEVEL ||
	    (req->blocks && s2pt_block_allowed(pt, level) &&
	     next - addr == size && !(pa & (size - 1)) &&
	     !desc_valid(*ptep))) {
		WRITE_ONCE(*ptep, s2pt_mk_leaf(pt, pa, req->prot, level));
		count_leaf(pt, level, size, true);
		return 0;
	}
	if (desc_valid(*ptep))
		return map_range(pt, desc_table(pt, *ptep), level + 1, addr,
				 next, req);
	child = table_alloc(pt, &child_pa);
	if (!child)
		return -ENOMEM;
	/* The walker may follow the new pointer at once: zeroes first. */
	pt->ops->sync(pt->ctx);
	WRITE_ONCE(*ptep, s2pt_mk_table(pt, child_pa));
	return map_range(pt, child, level + 1, addr, next, req);
}

static int map_range(struct s2pt *pt, u64 *table, int level, u64 addr,
		     u64 end, const struct map_req *req)
{
	u64 next;
	int ret;

	for (; addr < end; addr = next) {
		next = entry_end(pt, addr, end, level);
		ret = map_entry(pt, &table[level_index(pt, addr, level)], level,
				addr, next, req);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Invalidate first, then drop the TLB copies, and only then release the
 * memory: until the invalidation completes the box may still access it.
 */
static void remove_leaf(struct s2pt *pt, u64 *ptep, u64 addr, int level,
			s2pt_release_fn release, void *arg)
{
	struct s2pt_leaf leaf;

	desc_leaf(pt, *ptep, addr, level, &leaf);
	WRITE_ONCE(*ptep, 0);
	pt->breaks++;
	pt->ops->tlbi_ipa(pt->ctx, leaf.ipa, level);
	count_leaf(pt, level, leaf.size, false);
	if (release)
		release(arg, &leaf);
}

/* Walk caches may hold the pointer: invalidate before reuse of the page. */
static void remove_table(struct s2pt *pt, u64 *ptep, u64 addr, u64 *table)
{
	u64 pa = s2pt_desc_oa(pt, *ptep);

	WRITE_ONCE(*ptep, 0);
	pt->breaks++;
	pt->ops->tlbi_ipa(pt->ctx, addr, S2PT_LEVEL_TABLE);
	table_free_unlinked(pt, table, pa);
}

/*
 * Remove every leaf inside [addr, end) and every table that empties. The
 * range's edges are leaf edges (s2pt_unmap() split what they cut, and a
 * map being rolled back only made leaves inside its range), so a leaf
 * here is either wholly inside or wholly outside.
 */
static void unmap_range(struct s2pt *pt, u64 *table, int level, u64 addr,
			u64 end, s2pt_release_fn release, void *arg)
{
	u64 next, *ptep, *child;

	for (; addr < end; addr = next) {
		next = entry_end(pt, addr, end, level);
		ptep = &table[level_index(pt, addr, level)];
		if (!desc_valid(*ptep))
			continue;
		if (!desc_is_table(*ptep, level)) {
			if (next - addr == s2pt_level_size(pt, level))
				remove_leaf(pt, ptep, addr, level, release,
					    arg);
			continue;
		}
		child = desc_table(pt, *ptep);
		unmap_range(pt, child, level + 1, addr, next, release, arg);
		if (table_empty(pt, child, level + 1))
			remove_table(pt, ptep, addr, child);
	}
}

int s2pt_map(struct s2pt *pt, u64 ipa, u64 pa, u64 size, unsigned int prot,
	     unsigned int flags)
{
	struct map_req req = {
		.ipa = ipa,
		.pa = pa,
		.prot = prot,
		.blocks = !(flags & S2PT_MAP_NO_BLOCKS),
	};
	u64 oa_limit = BIT_ULL(pt->oa_bits);
	int ret;

	if (!range_ok(pt, ipa, size) || (pa & (BIT_ULL(pt->gs) - 1)) ||
	    size > oa_limit || pa > oa_limit - size ||
	    (prot & ~S2PT_PROT_VALID) || (flags & ~S2PT_MAP_NO_BLOCKS))
		return -EINVAL;
	/* Checked whole first, so -EEXIST never leaves a partial map. */
	if (range_mapped(pt, pt->root, pt->start_level, ipa, ipa + size))
		return -EEXIST;
	ret = map_range(pt, pt->root, pt->start_level, ipa, ipa + size, &req);
	/* The range was empty: whatever is in it now is ours to undo. */
	if (ret)
		unmap_range(pt, pt->root, pt->start_level, ipa, ipa + size,
			    NULL, NULL);
	pt->ops->sync(pt->ctx);
	return ret;
}

struct split_count {
	unsigned long blocks;
	unsigned long pages;
};

/*
 * Build, unlinked, a table at parent->level + 1 describing exactly the
 * leaf @parent, with the entry holding @cut split further until @cut is a
 * leaf edge. Blocks split into the next level's blocks, which every block
 * level has (block levels run down to 2), so only the cut entry descends.
 */
static u64 *split_build(struct s2pt *pt, const struct s2pt_leaf *parent,
			u64 cut, u64 *table_pa, struct split_count *cnt)
{
	struct s2pt_leaf sub = { .prot = parent->prot,
				 .level = parent->level + 1 };
	u64 i, n = level_entries(pt, sub.level), *table, *child, child_pa;

	table = table_alloc(pt, table_pa);
	if (!table)
		return NULL;
	sub.size = s2pt_level_size(pt, sub.level);
	for (i = 0; i < n; i++) {
		sub.ipa = parent->ipa + i * sub.size;
		sub.pa = parent->pa + i * sub.size;
		if (cut > sub.ipa && cut < sub.ipa + sub.size) {
			child = split_build(pt, &sub, cut, &child_pa, cnt);
			if (!child) {
				/* Only leaves so far: nothing else to free. */
				table_free_unlinked(pt, table, *table_pa);
				return NULL;
			}
			table[i] = s2pt_mk_table(pt, child_pa);
			continue;
		}
		table[i] = s2pt_mk_leaf(pt, sub.pa, sub.prot, sub.level);
		if (sub.level == LAST_LEVEL)
			cnt->pages++;
		else
			cnt->blocks++;
	}
	return table;
}

/*
 * Replace the block at *ptep, which @cut falls inside, by a subtree with
 * the same mappings. Changing a block's size needs break-before-make
 * (without FEAT_BBM): the old entry is made invalid and its TLB entries
 * removed before the table goes in, so no TLB ever holds both.
 */
static int split_block(struct s2pt *pt, u64 *ptep, int level, u64 cut)
{
	struct split_count cnt = { 0, 0 };
	struct s2pt_leaf old;
	u64 *table, table_pa;

	desc_leaf(pt, *ptep, cut, level, &old);
	table = split_build(pt, &old, cut, &table_pa, &cnt);
	if (!table)
		return -ENOMEM;
	/*
	 * Until the table is in, a walk of any IPA of the old block faults
	 * although the IPA stays mapped; the count lets the run loop tell.
	 */
	WRITE_ONCE(*ptep, 0);
	pt->breaks++;
	/* Its leading barrier also publishes the new subtree's contents. */
	pt->ops->tlbi_ipa(pt->ctx, old.ipa, level);
	WRITE_ONCE(*ptep, s2pt_mk_table(pt, table_pa));
	pt->nr_blocks += cnt.blocks - 1;
	pt->nr_pages += cnt.pages;
	return 0;
}

/* Make @addr a leaf edge: split the block it falls inside, if any. */
static int split_at(struct s2pt *pt, u64 addr)
{
	u64 *table = pt->root, *ptep;
	int level;

	if (addr >= BIT_ULL(pt->ipa_bits))
		return 0;
	/* Level 3 holds no tables, so the walk ends there at the latest. */
	for (level = pt->start_level;; level++) {
		ptep = &table[level_index(pt, addr, level)];
		if (!desc_valid(*ptep))
			return 0;
		if (!desc_is_table(*ptep, level))
			break;
		table = desc_table(pt, *ptep);
	}
	if (!(addr & (s2pt_level_size(pt, level) - 1)))
		return 0;
	return split_block(pt, ptep, level, addr);
}

int s2pt_unmap(struct s2pt *pt, u64 ipa, u64 size, s2pt_release_fn release,
	       void *arg)
{
	int ret;

	if (!range_ok(pt, ipa, size))
		return -EINVAL;
	/* All allocation happens before anything is unmapped. */
	ret = split_at(pt, ipa);
	if (!ret)
		ret = split_at(pt, ipa + size);
	if (!ret)
		unmap_range(pt, pt->root, pt->start_level, ipa, ipa + size,
			    release, arg);
	pt->ops->sync(pt->ctx);
	return ret;
}

/*
 * Hand @table (at @level) and every table below it to @defer, deepest
 * first, leaving their descriptors as they are: nothing walks them once
 * the caller has invalidated, and @defer frees them only after that.
 */
static void clear_table(struct s2pt *pt, u64 *table, int level, u64 pa,
			s2pt_defer_fn defer, void *arg)
{
	u64 i, n = level_entries(pt, level);

	for (i = 0; i < n; i++)
		if (desc_valid(table[i]) && desc_is_table(table[i], level))
			clear_table(pt, desc_table(pt, table[i]), level + 1,
				    s2pt_desc_oa(pt, table[i]), defer, arg);
	defer(arg, table, pa);
}

void s2pt_clear(struct s2pt *pt, s2pt_defer_fn defer, void *arg)
{
	u64 i, n = level_entries(pt, pt->start_level), desc;

	for (i = 0; i < n; i++) {
		desc = pt->root[i];
		if (!desc_valid(desc))
			continue;
		WRITE_ONCE(pt->root[i], 0);
		if (desc_is_table(desc, pt->start_level))
			clear_table(pt, desc_table(pt, desc),
				    pt->start_level + 1,
				    s2pt_desc_oa(pt, desc), defer, arg);
	}
	pt->breaks++;
	pt->nr_tables = 0;
	pt->nr_blocks = 0;
	pt->nr_pages = 0;
	pt->mapped_bytes = 0;
	/* The root's invalid entries reach walkers before the caller's TLBI. */
	pt->ops->sync(pt->ctx);
}

/* New permissions of a leaf under s2pt_protect(). */
static unsigned int protect_prot(unsigned int prot, unsigned int clear,
				 unsigned int set)
{
	return (prot & ~clear) | set;
}

/* Would s2pt_protect() change any leaf in [addr, end)? */
static bool protect_needed(const struct s2pt *pt, const u64 *table,
			   int level, u64 addr, u64 end, unsigned int clear,
			   unsigned int set)
{
	u64 next, desc;
	unsigned int prot;

	for (; addr < end; addr = next) {
		next = entry_end(pt, addr, end, level);
		desc = table[level_index(pt, addr, level)];
		if (!desc_valid(desc))
			continue;
		if (desc_is_table(desc, level)) {
			if (protect_needed(pt, desc_table(pt, desc), level + 1,
					   addr, next, clear, set))
				return true;
			continue;
		}
		prot = s2pt_desc_prot(desc);
		if (protect_prot(prot, clear, set) != prot)
			return true;
	}
	return false;
}

/*
 * Rewrite every leaf inside [addr, end) with its new permissions; the
 * range's edges are leaf edges (s2pt_protect() split what they cut).
 */
static void protect_range(struct s2pt *pt, u64 *table, int level, u64 addr,
			  u64 end, unsigned int clear, unsigned int set,
			  unsigned long *changed)
{
	u64 next, *ptep;
	unsigned int prot;

	for (; addr < end; addr = next) {
		next = entry_end(pt, addr, end, level);
		ptep = &table[level_index(pt, addr, level)];
		if (!desc_valid(*ptep))
			continue;
		if (desc_is_table(*ptep, level)) {
			protect_range(pt, desc_table(pt, *ptep), level + 1,
				      addr, next, clear, set, changed);
			continue;
		}
		prot = s2pt_desc_prot(*ptep);
		if (protect_prot(prot, clear, set) == prot)
			continue;
		/*
		 * Only the permission bits change, so no break-before-make:
		 * the Arm ARM lets a valid descriptor's permissions be
		 * rewritten in place. A TLB may keep the old permissions
		 * until the caller invalidates (see s2pt.h).
		 */
		WRITE_ONCE(*ptep, s2pt_mk_leaf(pt, s2pt_desc_oa(pt, *ptep),
					       protect_prot(prot, clear, set),
					       level));
		(*changed)++;
	}
}

int s2pt_protect(struct s2pt *pt, u64 ipa, u64 size, unsigned int clear,
		 unsigned int set, unsigned long *changed)
{
	int ret;

	*changed = 0;
	if (!range_ok(pt, ipa, size) || ((clear | set) & ~S2PT_PROT_VALID))
		return -EINVAL;
	/* Nothing to do must not split a block that needs no change. */
	if (!protect_needed(pt, pt->root, pt->start_level, ipa, ipa + size,
			    clear, set))
		return 0;
	ret = split_at(pt, ipa);
	if (!ret)
		ret = split_at(pt, ipa + size);
	if (!ret)
		protect_range(pt, pt->root, pt->start_level, ipa, ipa + size,
			      clear, set, changed);
	pt->ops->sync(pt->ctx);
	return ret;
}

/* Does a leaf map every IPA of [addr, end)? */
static bool range_full(const struct s2pt *pt, const u64 *table, int level,
		       u64 addr, u64 end)
{
	u64 next, desc;

	for (; addr < end; addr = next) {
		next = entry_end(pt, addr, end, level);
		desc = table[level_index(pt, addr, level)];
		if (!desc_valid(desc))
			return false;
		if (desc_is_table(desc, level) &&
		    !range_full(pt, desc_table(pt, desc), level + 1, addr,
				next))
			return false;
	}
	return true;
}

/*
 * Point every leaf inside [addr, end) at req->pa + (its IPA - req->ipa).
 * A new output address needs break-before-make: each leaf is made
 * invalid and its TLB entries removed before the new one goes in, so no
 * TLB ever holds both.
 */
static void remap_range(struct s2pt *pt, u64 *table, int level, u64 addr,
			u64 end, const struct map_req *req)
{
	u64 next, *ptep, base;

	for (; addr < end; addr = next) {
		next = entry_end(pt, addr, end, level);
		ptep = &table[level_index(pt, addr, level)];
		if (desc_is_table(*ptep, level)) {
			remap_range(pt, desc_table(pt, *ptep), level + 1, addr,
				    next, req);
			continue;
		}
		base = addr & ~(s2pt_level_size(pt, level) - 1);
		WRITE_ONCE(*ptep, 0);
		pt->breaks++;
		pt->ops->tlbi_ipa(pt->ctx, base, level);
		WRITE_ONCE(*ptep, s2pt_mk_leaf(pt, req->pa + (base - req->ipa),
					       req->prot, level));
	}
}

int s2pt_remap(struct s2pt *pt, u64 ipa, u64 pa, u64 size, unsigned int prot)
{
	struct map_req req = { .ipa = ipa, .pa = pa, .prot = prot };
	int ret;

	if (!range_ok(pt, ipa, size) || (size & (size - 1)) ||
	    ((ipa | pa) & (size - 1)) || (pa + size - 1) >> pt->oa_bits ||
	    (prot & ~S2PT_PROT_VALID))
		return -EINVAL;
	if (!range_full(pt, pt->root, pt->start_level, ipa, ipa + size))
		return -ENOENT;
	/* All allocation happens before the first break. */
	ret = split_at(pt, ipa);
	if (!ret)
		ret = split_at(pt, ipa + size);
	if (!ret)
		remap_range(pt, pt->root, pt->start_level, ipa, ipa + size,
			    &req);
	pt->ops->sync(pt->ctx);
	return ret;
}

int s2pt_walk(const struct s2pt *pt, u64 ipa, struct s2pt_leaf *leaf)
{
	const u64 *table = pt->root;
	u64 desc;
	int level;

	if (ipa >> pt->ipa_bits)
		return -EINVAL;
	for (level = pt->start_level; level <= LAST_LEVEL; level++) {
		desc = table[level_index(pt, ipa, level)];
		if (!desc_valid(desc))
			return -ENOENT;
		if (!desc_is_table(desc, level)) {
			desc_leaf(pt, desc, ipa, level, leaf);
			return 0;
		}
		table = desc_table(pt, desc);
	}
	return -ENOENT;
}

/* One pass over the tree for s2pt_for_each_leaf() and s2pt_audit(). */
struct tree_visit {
	const struct s2pt *pt;
	int (*fn)(void *arg, const struct s2pt_leaf *leaf);
	bool (*ok)(void *arg, const struct s2pt_leaf *leaf);
	void *arg;
	struct s2pt_audit *res;		/* NULL: no audit */
};

static void audit_table(struct tree_visit *v, const u64 *table, u64 desc,
			int level)
{
	const struct s2pt *pt = v->pt;

	v->res->tables++;
	if (desc != s2pt_mk_table(pt, s2pt_desc_oa(pt, desc)))
		v->res->bad_desc++;
	if (table_empty(pt, table, level))
		v->res->empty_tables++;
}

static void audit_leaf(struct tree_visit *v, const struct s2pt_leaf *leaf,
		       u64 desc)
{
	const struct s2pt *pt = v->pt;
	struct s2pt_audit *res = v->res;

	if ((leaf->level != LAST_LEVEL &&
	     !s2pt_block_allowed(pt, leaf->level)) ||
	    (leaf->pa & (leaf->size - 1)) ||
	    desc != s2pt_mk_leaf(pt, leaf->pa, leaf->prot, leaf->level))
		res->bad_desc++;
	if (leaf->level == LAST_LEVEL)
		res->pages++;
	else
		res->blocks++;
	res->bytes += leaf->size;
	if (v->ok && !v->ok(v->arg, leaf))
		res->rejected++;
}

static int visit_table(struct tree_visit *v, const u64 *table, int level,
		       u64 base)
{
	u64 i, n = level_entries(v->pt, level);
	u64 size = s2pt_level_size(v->pt, level), desc;
	struct s2pt_leaf leaf;
	const u64 *child;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		desc = table[i];
		if (!desc_valid(desc))
			continue;
		if (desc_is_table(desc, level)) {
			child = desc_table(v->pt, desc);
			if (v->res)
				audit_table(v, child, desc, level + 1);
			ret = visit_table(v, child, level + 1, base + i * size);
			continue;
		}
		desc_leaf(v->pt, desc, base + i * size, level, &leaf);
		if (v->res)
			audit_leaf(v, &leaf, desc);
		else
			ret = v->fn(v->arg, &leaf);
	}
	return ret;
}

int s2pt_for_each_leaf(const struct s2pt *pt,
		       int (*fn)(void *arg, const struct s2pt_leaf *leaf),
		       void *arg)
{
	struct tree_visit v = { .pt = pt, .fn = fn, .arg = arg };

	return visit_table(&v, pt->root, pt->start_level, 0);
}

int s2pt_audit(const struct s2pt *pt,
	       bool (*ok)(void *arg, const struct s2pt_leaf *leaf), void *arg,
	       struct s2pt_audit *res)
{
	struct tree_visit v = { .pt = pt, .ok = ok, .arg = arg, .res = res };

	*res = (struct s2pt_audit){ 0 };
	visit_table(&v, pt->root, pt->start_level, 0);
	if (res->bad_desc || res->empty_tables || res->rejected ||
	    res->tables != pt->nr_tables || res->blocks != pt->nr_blocks ||
	    res->pages != pt->nr_pages || res->bytes != pt->mapped_bytes)
		return -EUCLEAN;
	return 0;
}
