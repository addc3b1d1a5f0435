// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for module/s2pt.c, compiled here unchanged, for every
 * granule x IPA size {32..52} x host (PARange 40, 48, and 52 with LPA2, so
 * DS=1 and FEAT_LPA layouts are covered). The tree is judged by the
 * independent walker and reference model of s2pt_env.c. Random sequences
 * are seeded per configuration: rerun one with the seed printed.
 */
#include <stdio.h>
#include <string.h>

#include "s2pt_env.h"

#define RANDOM_OPS	150

static u64 rng_state;

static u64 rnd(void)
{
	/* xorshift64*: reproducible without libc's rand(). */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static u64 rnd_below(u64 n)
{
	return n ? rnd() % n : 0;
}

static int largest_block_level(const struct env *e)
{
	int level;

	for (level = e->start; level < 3; level++)
		if (ref_block_ok(e, level) &&
		    2 * ref_level_size(e, level) <= BIT_ULL(e->ia))
			return level;
	return 3;
}

/* Map through s2pt and, if it worked, into the model; checks the result. */
static int do_map(struct env *e, u64 ipa, u64 pa, u64 size,
		  unsigned int prot, unsigned int flags, int want)
{
	int ret = s2pt_map(&e->pt, ipa, pa, size, prot, flags);

	if (want != 1 && ret != want)
		fail(e->tc, "%s: map %#llx+%#llx->%#llx = %d, expected %d",
		     e->ctx, (unsigned long long)ipa, (unsigned long long)size,
		     (unsigned long long)pa, ret, want);
	if (!ret)
		model_add(e, ipa, size, pa, prot);
	return ret;
}

static int do_unmap(struct env *e, u64 ipa, u64 size, int want)
{
	u64 before = e->released, removed;
	int ret = s2pt_unmap(&e->pt, ipa, size, env_release, e);

	if (want != 1 && ret != want)
		fail(e->tc, "%s: unmap %#llx+%#llx = %d, expected %d", e->ctx,
		     (unsigned long long)ipa, (unsigned long long)size, ret,
		     want);
	if (ret)
		return ret;
	removed = model_remove(e, ipa, size);
	if (e->released - before != removed)
		fail(e->tc, "%s: unmap %#llx+%#llx released %#llx, mapped %#llx",
		     e->ctx, (unsigned long long)ipa, (unsigned long long)size,
		     (unsigned long long)(e->released - before),
		     (unsigned long long)removed);
	return 0;
}

static void expect_counts(struct env *e, const char *what,
			  unsigned long blocks, unsigned long pages)
{
	if (e->pt.nr_blocks != blocks || e->pt.nr_pages != pages)
		fail(e->tc, "%s: %s: %lu blocks %lu pages, expected %lu/%lu",
		     e->ctx, what, e->pt.nr_blocks, e->pt.nr_pages, blocks,
		     pages);
}

static void expect_empty(struct env *e, const char *what)
{
	env_check_tree(e);
	if (e->nlive || e->pt.nr_tables || e->pt.mapped_bytes)
		fail(e->tc, "%s: %s: %lu tables still allocated", e->ctx, what,
		     e->nlive);
}

/*
 * A block at every level that has them: one block for an aligned range;
 * cutting one granule out of its middle splits it down to level 3, leaving
 * entries - 1 leaves at each level below, and break-before-make is seen by
 * the fake TLBI (which fails if the entry is still valid then).
 */
static void test_blocks(struct env *e)
{
	u64 n = BIT_ULL(e->g - 3), gr = BIT_ULL(e->g), bs, pa, mid;
	unsigned long blocks;
	int level, l;

	for (level = e->start; level < 3; level++) {
		bs = ref_level_size(e, level);
		if (!ref_block_ok(e, level) || 2 * bs > BIT_ULL(e->ia))
			continue;
		pa = BIT_ULL(e->ps_bits) - bs;
		do_map(e, bs, pa, bs, S2PT_PROT_R | S2PT_PROT_X, 0, 0);
		expect_counts(e, "one block", 1, 0);
		env_check_points(e, bs, bs);
		mid = bs + bs / 2 + gr;
		do_unmap(e, mid, gr, 0);
		for (blocks = 0, l = level + 1; l < 3; l++)
			blocks += n - 1;
		expect_counts(e, "split block", blocks, n - 1);
		env_check_points(e, mid, gr);
		env_check_tree(e);
		do_unmap(e, 0, BIT_ULL(e->ia), 0);
		expect_empty(e, "block unmapped");
	}
	tap(e->tc, "s2pt %s: a block at each block level, split down to a page",
	    e->ctx);
}

/*
 * What the run loop relies on to retry a stale fault: while a block is
 * split, s2pt_walk() finds an IPA far from the cut unmapped (the window a
 * box can fault in) and pt.breaks has moved; once the unmap returns, the
 * IPA resolves to the same PA and permissions as before. A map never
 * counts a break; an unmap counts one per descriptor it made invalid
 * (checked at every TLBI by the environment).
 */
static void test_split_window(struct env *e)
{
	u64 gr = BIT_ULL(e->g), bs, pa, probe;
	unsigned int prot = S2PT_PROT_R | S2PT_PROT_W;
	unsigned long before;
	struct s2pt_leaf leaf;
	int level;

	for (level = e->start; level < 3; level++) {
		bs = ref_level_size(e, level);
		if (!ref_block_ok(e, level) || 2 * bs > BIT_ULL(e->ia))
			continue;
		pa = BIT_ULL(e->ps_bits) - bs;
		before = e->pt.breaks;
		do_map(e, bs, pa, bs, prot, 0, 0);
		if (e->pt.breaks != before)
			fail(e->tc, "%s: a map counted %lu breaks", e->ctx,
			     e->pt.breaks - before);
		/* The top half, as the selftest's box reads it. */
		probe = bs + bs / 2 + 5 * gr + 8;
		e->probe = true;
		e->probe_ipa = probe;
		e->probe_hits = 0;
		do_unmap(e, bs, gr, 0);
		e->probe = false;
		if (e->probe_hits != 1)
			fail(e->tc, "%s: level %d split: %lu TLBIs saw %#llx unmapped, expected 1",
			     e->ctx, level, e->probe_hits,
			     (unsigned long long)probe);
		if (e->pt.breaks - before != 2)
			fail(e->tc, "%s: level %d split and unmap: %lu breaks, expected 2",
			     e->ctx, level, e->pt.breaks - before);
		if (s2pt_walk(&e->pt, probe, &leaf) ||
		    leaf.pa + (probe - leaf.ipa) != pa + (probe - bs) ||
		    leaf.prot != prot || leaf.level <= level)
			fail(e->tc, "%s: level %d: %#llx after the split: not the page it was",
			     e->ctx, level, (unsigned long long)probe);
		if (s2pt_walk(&e->pt, bs, &leaf) != -ENOENT)
			fail(e->tc, "%s: level %d: the unmapped granule still maps",
			     e->ctx, level);
		do_unmap(e, 0, BIT_ULL(e->ia), 0);
		expect_empty(e, "split window");
	}
	tap(e->tc, "s2pt %s: a split's window is seen and counted, then the IPA maps as before",
	    e->ctx);
}

static void do_protect(struct env *e, u64 ipa, u64 size, unsigned int clear,
		       unsigned int set, long want_changed)
{
	unsigned long changed;
	int ret = s2pt_protect(&e->pt, ipa, size, clear, set, &changed);

	if (ret)
		fail(e->tc, "%s: protect %#llx+%#llx = %d", e->ctx,
		     (unsigned long long)ipa, (unsigned long long)size, ret);
	if (want_changed >= 0 && changed != (unsigned long)want_changed)
		fail(e->tc, "%s: protect %#llx+%#llx changed %lu leaves, expected %ld",
		     e->ctx, (unsigned long long)ipa, (unsigned long long)size,
		     changed, want_changed);
	if (!ret)
		model_protect(e, ipa, size, clear, set);
	env_check_points(e, ipa, size);
	env_check_tree(e);
}

/*
 * What dirty tracking does with a block (snapshot, then the box's first
 * write): write-protecting the whole block rewrites it in place, still
 * one block; giving one granule back its write permission splits the
 * block down to that granule and changes that leaf alone; asking for
 * permissions a range already has changes nothing and splits nothing.
 */
static void test_protect(struct env *e)
{
	u64 gr = BIT_ULL(e->g), bs, pa, mid;
	unsigned int rw = S2PT_PROT_R | S2PT_PROT_W;
	struct s2pt_leaf leaf;
	unsigned long tables;
	int level;

	for (level = e->start; level < 3; level++) {
		bs = ref_level_size(e, level);
		if (!ref_block_ok(e, level) || 2 * bs > BIT_ULL(e->ia))
			continue;
		pa = BIT_ULL(e->ps_bits) - bs;
		do_map(e, bs, pa, bs, rw, 0, 0);
		do_protect(e, 0, BIT_ULL(e->ia), S2PT_PROT_W, 0, 1);
		expect_counts(e, "write-protected block", 1, 0);
		tables = e->nlive;
		do_protect(e, bs, bs / 2, S2PT_PROT_W, 0, 0);
		if (e->nlive != tables)
			fail(e->tc, "%s: a protect that changed nothing split a block",
			     e->ctx);
		mid = bs + bs / 2;
		do_protect(e, mid, gr, 0, S2PT_PROT_W, 1);
		if (s2pt_walk(&e->pt, mid, &leaf) || leaf.level != 3 ||
		    leaf.prot != rw)
			fail(e->tc, "%s: level %d: the written granule is no writable page",
			     e->ctx, level);
		do_unmap(e, 0, BIT_ULL(e->ia), 0);
		expect_empty(e, "protect");
	}
	tap(e->tc, "s2pt %s: protect rewrites whole blocks in place and splits only for a change",
	    e->ctx);
}

/*
 * Copy-on-write and giving a copy back (clones): one granule inside a
 * block moves to another output address, through break-before-make (the
 * fake TLBI fails if it sees the entry still valid), the rest of the
 * block keeps its own; a range with a hole is refused untouched.
 */
static void test_remap(struct env *e)
{
	u64 gr = BIT_ULL(e->g), bs, pa, pa2, mid;
	unsigned int rw = S2PT_PROT_R | S2PT_PROT_W;
	unsigned long breaks;
	int level;

	for (level = e->start; level < 3; level++) {
		bs = ref_level_size(e, level);
		if (!ref_block_ok(e, level) || 4 * bs > BIT_ULL(e->ia) ||
		    4 * bs > BIT_ULL(e->ps_bits))
			continue;
		pa = BIT_ULL(e->ps_bits) - bs;
		pa2 = BIT_ULL(e->ps_bits) - 2 * bs;
		do_map(e, bs, pa, bs, S2PT_PROT_R, 0, 0);
		mid = bs + bs / 2;
		breaks = e->pt.breaks;
		if (s2pt_remap(&e->pt, mid, pa2, gr, rw))
			fail(e->tc, "%s: level %d: remap of a granule failed",
			     e->ctx, level);
		if (e->pt.breaks == breaks)
			fail(e->tc, "%s: a remap without a break", e->ctx);
		model_remove(e, mid, gr);
		model_add(e, mid, gr, pa2, rw);
		env_check_points(e, mid, gr);
		env_check_tree(e);
		if (s2pt_remap(&e->pt, 0, 0, 2 * bs, rw) != -ENOENT ||
		    s2pt_remap(&e->pt, mid, pa2 + gr / 2, gr, rw) != -EINVAL ||
		    s2pt_remap(&e->pt, mid, pa2, 3 * gr, rw) != -EINVAL)
			fail(e->tc, "%s: a bad remap was not refused", e->ctx);
		env_check_tree(e);
		do_unmap(e, 0, BIT_ULL(e->ia), 0);
		expect_empty(e, "remap");
	}
	tap(e->tc, "s2pt %s: remap moves a granule of a block by break-before-make",
	    e->ctx);
}

/* s2pt_clear()'s tables, kept until the test "invalidates the VMID". */
struct deferred {
	struct env *e;
	void *va[4096];
	u64 pa[4096];
	unsigned int n;
};

static void defer_table(void *arg, void *va, u64 pa)
{
	struct deferred *d = arg;
	unsigned int i;

	for (i = 0; i < d->n; i++)
		if (d->pa[i] == pa)
			fail(d->e->tc, "%s: clear deferred table %#llx twice",
			     d->e->ctx, (unsigned long long)pa);
	if (d->n == ARRAY_SIZE(d->pa)) {
		fail(d->e->tc, "%s: clear deferred too many tables", d->e->ctx);
		return;
	}
	d->va[d->n] = va;
	d->pa[d->n++] = pa;
}

/*
 * Teardown: blocks and pages at every level, cleared in one pass with no
 * per-leaf TLBI and no table freed; every table comes out once, the tree
 * reads empty, and the tables can be freed after the VMID-wide TLBI.
 */
static void test_clear(struct env *e)
{
	static struct deferred d;
	u64 gr = BIT_ULL(e->g), bs, ipa = 0, tlbis;
	unsigned long tables, breaks;
	unsigned int i;
	int level;

	for (level = e->start; level <= 3; level++) {
		bs = level < 3 ? ref_level_size(e, level) : gr;
		if ((level < 3 && !ref_block_ok(e, level)) ||
		    ipa + 2 * bs > BIT_ULL(e->ia) || 2 * bs > BIT_ULL(e->ps_bits))
			continue;
		ipa = (ipa + bs - 1) & ~(bs - 1);
		do_map(e, ipa, bs, bs, S2PT_PROT_R | S2PT_PROT_W, 0, 0);
		ipa += bs;
	}
	/* Pages at the top of the space, far from the blocks. */
	do_map(e, BIT_ULL(e->ia) - 4 * gr, 0, 4 * gr, S2PT_PROT_R,
	       S2PT_MAP_NO_BLOCKS, 0);
	memset(&d, 0, sizeof(d));
	d.e = e;
	tables = e->nlive;
	tlbis = e->ntlbi;
	breaks = e->pt.breaks;
	s2pt_clear(&e->pt, defer_table, &d);
	if (e->ntlbi != tlbis || e->nlive != tables || d.n != tables ||
	    e->pt.breaks == breaks)
		fail(e->tc, "%s: clear: %llu TLBIs, %lu of %lu tables freed, %u deferred",
		     e->ctx, (unsigned long long)(e->ntlbi - tlbis),
		     tables - e->nlive, tables, d.n);
	model_remove(e, 0, BIT_ULL(e->ia));
	env_check_points(e, 0, BIT_ULL(e->ia) - 4 * gr);
	env_check_points(e, BIT_ULL(e->ia) - 4 * gr, 4 * gr);
	/* The caller's VMID-wide TLBI, which covers the break. */
	e->last = EV_TLBI_VMID;
	e->tlbi_breaks = e->pt.breaks;
	for (i = 0; i < d.n; i++)
		e->pt.ops->free_table(e->pt.ctx, d.va[i], d.pa[i]);
	e->last = EV_OTHER;
	expect_empty(e, "clear");
	tap(e->tc, "s2pt %s: clear unlinks the whole tree with no TLBI and frees nothing",
	    e->ctx);
}

/* Where a level has no blocks, an aligned range takes the next level's. */
static void test_no_block_levels(struct env *e)
{
	u64 n = BIT_ULL(e->g - 3), bs;
	int level;

	for (level = e->start; level < 2; level++) {
		bs = ref_level_size(e, level);
		if (ref_block_ok(e, level) || 2 * bs > BIT_ULL(e->ia) ||
		    2 * bs > BIT_ULL(e->ps_bits))
			continue;
		do_map(e, bs, bs, bs, S2PT_PROT_R, 0, 0);
		expect_counts(e, "level without blocks", n, 0);
		env_check_tree(e);
		do_unmap(e, bs, bs, 0);
		expect_empty(e, "level without blocks");
	}
	tap(e->tc, "s2pt %s: no block descriptor where the granule has none",
	    e->ctx);
}

/* Level-2 blocks where aligned, pages at the ragged edges. */
static void test_edges(struct env *e)
{
	u64 gr = BIT_ULL(e->g), b2 = ref_level_size(e, 2), pa = 4 * b2;
	u64 n = b2 / gr;

	do_map(e, b2 - gr, pa - gr, b2 + 2 * gr, S2PT_PROT_ALL, 0, 0);
	expect_counts(e, "aligned", 1, 2);
	env_check_points(e, b2 - gr, b2 + 2 * gr);
	env_check_tree(e);
	do_unmap(e, 0, 3 * b2, 0);
	do_map(e, b2 - gr, pa - gr, b2 + 2 * gr, S2PT_PROT_W,
	       S2PT_MAP_NO_BLOCKS, 0);
	expect_counts(e, "no blocks", 0, n + 2);
	env_check_tree(e);
	do_unmap(e, 0, 3 * b2, 0);
	do_map(e, b2 - gr, pa, b2 + 2 * gr, S2PT_PROT_R, 0, 0);
	expect_counts(e, "PA misaligned", 0, n + 2);
	env_check_tree(e);
	do_unmap(e, b2 - gr, b2 + 2 * gr, 0);
	expect_empty(e, "edges unmapped");
	tap(e->tc, "s2pt %s: blocks where IPA and PA align, pages elsewhere",
	    e->ctx);
}

/* Refused requests change nothing. */
static void test_errors(struct env *e)
{
	u64 gr = BIT_ULL(e->g), top = BIT_ULL(e->ia), ps = BIT_ULL(e->ps_bits);
	unsigned long nt;

	do_map(e, 4 * gr, 0, 4 * gr, S2PT_PROT_R, 0, 0);
	nt = e->nlive;
	do_map(e, 0, 0, 0, S2PT_PROT_R, 0, -EINVAL);
	do_map(e, gr / 2, 0, gr, S2PT_PROT_R, 0, -EINVAL);
	do_map(e, 0, gr / 2, gr, S2PT_PROT_R, 0, -EINVAL);
	do_map(e, 0, 0, gr + 8, S2PT_PROT_R, 0, -EINVAL);
	do_map(e, top - gr, 0, 2 * gr, S2PT_PROT_R, 0, -EINVAL);
	do_map(e, top, 0, gr, S2PT_PROT_R, 0, -EINVAL);
	do_map(e, gr, 0, ~0ULL << e->g, S2PT_PROT_R, 0, -EINVAL);
	do_map(e, 0, ps - gr, 2 * gr, S2PT_PROT_R, 0, -EINVAL);
	do_map(e, 0, ps, gr, S2PT_PROT_R, 0, -EINVAL);
	do_map(e, 0, 0, gr, S2PT_PROT_VALID + 1, 0, -EINVAL);
	do_map(e, 0, 0, gr, S2PT_PROT_R, 2, -EINVAL);
	do_map(e, 0, 0, 5 * gr, S2PT_PROT_R, 0, -EEXIST);
	do_map(e, 7 * gr, 0, gr, S2PT_PROT_R, 0, -EEXIST);
	do_map(e, 2 * gr, 0, 8 * gr, S2PT_PROT_R, 0, -EEXIST);
	do_unmap(e, 0, 0, -EINVAL);
	do_unmap(e, gr / 2, gr, -EINVAL);
	do_unmap(e, top - gr, 2 * gr, -EINVAL);
	do_unmap(e, gr, ~0ULL << e->g, -EINVAL);
	if (e->nlive != nt)
		fail(e->tc, "%s: refused calls changed the tables", e->ctx);
	env_check_tree(e);
	do_map(e, top - gr, ps - gr, gr, S2PT_PROT_X, 0, 0);
	env_check_points(e, top - gr, gr);
	do_unmap(e, 0, top, 0);
	expect_empty(e, "errors");
	tap(e->tc, "s2pt %s: -EINVAL and -EEXIST leave the tree unchanged",
	    e->ctx);
}

/* Fail the k-th allocation of one map, for k = 0, 1, ... until it works. */
static void enomem_map(struct env *e, u64 ipa, u64 size, unsigned int flags,
		       long min_tables)
{
	unsigned long nt;
	long k;
	int ret;

	for (k = 0, ret = -ENOMEM; ret == -ENOMEM; k++) {
		nt = e->nlive;
		e->fail_in = k;
		ret = do_map(e, ipa, ipa, size, S2PT_PROT_R, flags, 1);
		if (ret == -ENOMEM && e->nlive != nt)
			fail(e->tc, "%s: failed map kept %lu tables", e->ctx,
			     e->nlive - nt);
		env_check_tree(e);
	}
	e->fail_in = -1;
	if (ret)
		fail(e->tc, "%s: map never succeeded: %d", e->ctx, ret);
	if (k - 1 < min_tables)
		fail(e->tc, "%s: map needed only %ld tables", e->ctx, k - 1);
}

/*
 * Allocation failure at every point of a map, and of the splits of an
 * unmap: the map is undone entirely (same mappings, same table count),
 * and the unmap unmaps nothing.
 */
static void test_enomem(struct env *e)
{
	u64 gr = BIT_ULL(e->g), b2 = ref_level_size(e, 2);
	u64 big = ref_level_size(e, largest_block_level(e));
	long k;
	int ret;

	do_map(e, 3 * b2 + 4 * gr, 0, gr, S2PT_PROT_R, 0, 0);
	enomem_map(e, b2 - gr, 2 * b2 + 3 * gr, 0, 1);
	enomem_map(e, BIT_ULL(e->ia) - 2 * b2 - gr, b2 + 2 * gr,
		   S2PT_MAP_NO_BLOCKS, 3);
	do_unmap(e, 0, BIT_ULL(e->ia), 0);
	do_map(e, big, 0, big, S2PT_PROT_W, 0, 0);
	for (k = 0, ret = -ENOMEM; ret == -ENOMEM; k++) {
		e->fail_in = k;
		ret = do_unmap(e, big + gr, big - 2 * gr, 1);
		env_check_tree(e);
	}
	e->fail_in = -1;
	if (ret)
		fail(e->tc, "%s: unmap never succeeded: %d", e->ctx, ret);
	do_unmap(e, 0, BIT_ULL(e->ia), 0);
	expect_empty(e, "enomem");
	tap(e->tc, "s2pt %s: -ENOMEM at every allocation leaves nothing half done",
	    e->ctx);
}

/*
 * An IPA range for the random test, clustered where blocks meet; true for
 * a whole largest block, which must then be mapped as one.
 */
static bool random_range(struct env *e, u64 *ipa, u64 *size)
{
	u64 gr = BIT_ULL(e->g), b2 = ref_level_size(e, 2);
	u64 big = ref_level_size(e, largest_block_level(e));
	u64 top = BIT_ULL(e->ia), base, r = rnd_below(100);

	switch (rnd_below(3)) {
	case 0:
		base = 0;
		break;
	case 1:
		base = big > 2 * b2 ? big - 2 * b2 : b2;
		break;
	default:
		base = top - 4 * b2;
		break;
	}
	if (r < 50) {
		*ipa = base + rnd_below(4 * b2 / gr) * gr;
		*size = (1 + rnd_below(16)) * gr;
	} else if (r < 90) {
		*ipa = base + rnd_below(4) * b2 + rnd_below(4) * gr;
		*size = (1 + rnd_below(2)) * b2 + rnd_below(3) * gr;
		if (*ipa >= rnd_below(4) * gr)
			*ipa -= rnd_below(4) * gr;
	} else {
		*ipa = big;
		*size = big;
		return true;
	}
	if (*ipa >= top)
		*ipa = top - gr;
	if (*size > top - *ipa)
		*size = top - *ipa;
	return false;
}

static void random_op(struct env *e)
{
	u64 ipa, size, pa, align, ps = BIT_ULL(e->ps_bits);
	u64 big = ref_level_size(e, largest_block_level(e));
	unsigned int flags = rnd_below(8) ? 0 : S2PT_MAP_NO_BLOCKS;
	bool large = random_range(e, &ipa, &size);
	int want;

	if (rnd_below(10) < 4) {
		do_unmap(e, ipa, size, 0);
		return;
	}
	/* PA congruent to the IPA (blocks possible) or a granule off. */
	align = big > ps / 4 ? ps / 4 : big;
	pa = rnd_below(ps / align) * align + (ipa & (align - 1));
	/* A huge range of pages would take minutes: blocks for those. */
	if (large)
		flags = 0;
	else if (rnd_below(4) == 0)
		pa ^= BIT_ULL(e->g);
	want = size > ps || pa > ps - size ? -EINVAL :
	       model_overlaps(e, ipa, size) ? -EEXIST : 0;
	do_map(e, ipa, pa, size, (unsigned int)rnd_below(8), flags, want);
	if (!want)
		env_check_points(e, ipa, size);
}

static void test_random(struct env *e, u64 seed)
{
	unsigned int i;

	rng_state = seed;
	for (i = 0; i < RANDOM_OPS && !e->tc->errors; i++) {
		random_op(e);
		env_check_tree(e);
	}
	do_unmap(e, 0, BIT_ULL(e->ia), 0);
	expect_empty(e, "random");
	if (e->nsync == 0)
		fail(e->tc, "%s: sync hook never called", e->ctx);
	tap(e->tc, "s2pt %s: %u random map/unmap (seed %#llx) match the model",
	    e->ctx, RANDOM_OPS, (unsigned long long)seed);
}

void s2pt_tests(void)
{
	static const unsigned int hosts[] = { 40, 48, 52 };
	static const unsigned int ipas[] = { 32, 36, 40, 44, 48, 52 };
	static struct env e;
	struct tcase tc = { 0 };
	unsigned int h, gs, i;
	u64 seed;

	for (h = 0; h < ARRAY_SIZE(hosts); h++) {
		for (gs = 12; gs <= 16; gs += 2) {
			for (i = 0; i < ARRAY_SIZE(ipas); i++) {
				if (ipas[i] > hosts[h])
					continue;
				seed = 0x5eed0000ULL + h * 256 + gs * 16 + i;
				env_init(&e, &tc, hosts[h], gs, ipas[i]);
				test_blocks(&e);
				test_split_window(&e);
				test_protect(&e);
				test_remap(&e);
				test_clear(&e);
				test_no_block_levels(&e);
				test_edges(&e);
				test_errors(&e);
				test_enomem(&e);
				test_random(&e, seed);
				env_fini(&e);
			}
		}
	}
}
