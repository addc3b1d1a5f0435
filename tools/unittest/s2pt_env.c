// SPDX-License-Identifier: GPL-2.0
/*
 * Test environment for module/s2pt.c (see s2pt_env.h). Nothing here uses
 * the code under test to decide what is right: the walker and the
 * descriptor checks are re-stated from the Arm ARM (VMSAv8-64 stage-2
 * descriptor formats, AArch64.BlockDescSupported), and the expected
 * mappings come from a plain list of regions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s2pt_env.h"

#define POISON	0xa5a5a5a5a5a5a5a5ULL

static u64 mask(unsigned int top_excl, unsigned int low)
{
	return (BIT_ULL(top_excl) - 1) & ~(BIT_ULL(low) - 1);
}

/* ---- fake memory and maintenance ---- */

static void *fake_alloc(void *ctx, u64 *pa)
{
	struct env *e = ctx;
	size_t bytes = (size_t)1 << e->g;
	unsigned int i;

	e->last = EV_OTHER;
	if (e->fail_in == 0)
		return NULL;
	if (e->fail_in > 0)
		e->fail_in--;
	if (e->nfree) {
		i = e->free_stack[--e->nfree];
	} else {
		if (e->nslots == e->cap) {
			e->cap = e->cap ? e->cap * 2 : 64;
			e->slot = realloc(e->slot, e->cap * sizeof(*e->slot));
			e->live = realloc(e->live, e->cap);
			e->free_stack = realloc(e->free_stack,
						e->cap * sizeof(unsigned int));
		}
		i = e->nslots++;
		e->slot[i] = aligned_alloc(bytes, bytes);
	}
	memset(e->slot[i], 0, bytes);
	e->live[i] = 1;
	e->nlive++;
	*pa = e->pa_base + ((u64)i << e->g);
	return e->slot[i];
}

static int slot_of(struct env *e, u64 pa)
{
	u64 i;

	if (pa < e->pa_base || (pa - e->pa_base) & (BIT_ULL(e->g) - 1))
		return -1;
	i = (pa - e->pa_base) >> e->g;
	return i < e->nslots ? (int)i : -1;
}

/*
 * Freed only after unlinking and a table invalidation
 * (Documentation/memory.md).
 */
static void fake_free(void *ctx, void *va, u64 pa)
{
	struct env *e = ctx;
	int i = slot_of(e, pa);
	struct rwalk w;
	unsigned int k;

	if (i < 0 || !e->live[i] || e->slot[i] != va) {
		fail(e->tc, "%s: free_table of unknown table %#llx", e->ctx,
		     (unsigned long long)pa);
		return;
	}
	if (e->last == EV_TLBI_TABLE) {
		ref_walk(e, e->tlbi_ipa, &w);
		for (k = 0; k < w.npath; k++)
			if (w.path[k] == pa)
				fail(e->tc, "%s: freed table %#llx still linked",
				     e->ctx, (unsigned long long)pa);
	} else if (e->last == EV_TLBI_VMID) {
		/* Nothing may still reach it from the root. */
		if (e->pt.nr_tables || e->pt.mapped_bytes)
			fail(e->tc, "%s: table %#llx freed from a live tree",
			     e->ctx, (unsigned long long)pa);
	} else if (e->last != EV_OTHER) {
		/* EV_OTHER: never linked (failed or rejected allocation). */
		fail(e->tc, "%s: table %#llx freed without a table TLBI",
		     e->ctx, (unsigned long long)pa);
	}
	for (k = 0; k < (1U << (e->g - 3)); k++)
		((u64 *)va)[k] = POISON;
	e->live[i] = 0;
	e->nlive--;
	e->free_stack[e->nfree++] = (unsigned int)i;
	if (e->last != EV_TLBI_VMID)
		e->last = EV_OTHER;
}

static void *fake_p2v(void *ctx, u64 pa)
{
	static u64 junk[1 << 13];
	struct env *e = ctx;
	int i = slot_of(e, pa);

	if (i < 0 || !e->live[i]) {
		fail(e->tc, "%s: phys_to_virt(%#llx) is not a live table",
		     e->ctx, (unsigned long long)pa);
		memset(junk, 0, sizeof(junk));
		return junk;
	}
	return e->slot[i];
}

/*
 * Break-before-make: the entry must already be invalid when invalidating,
 * and counted in pt.breaks, once per TLBI, so the run loop can tell that
 * a fault may have come from this window.
 */
static void fake_tlbi(void *ctx, u64 ipa, int level)
{
	struct env *e = ctx;
	struct s2pt_leaf leaf;
	struct rwalk w;

	ref_walk(e, ipa, &w);
	if (level != S2PT_LEVEL_TABLE && w.res == RW_OK)
		fail(e->tc, "%s: TLBI of %#llx while it is still mapped",
		     e->ctx, (unsigned long long)ipa);
	if (e->pt.breaks != e->tlbi_breaks + 1)
		fail(e->tc, "%s: TLBI of %#llx after %lu breaks counted, not 1",
		     e->ctx, (unsigned long long)ipa,
		     e->pt.breaks - e->tlbi_breaks);
	e->tlbi_breaks = e->pt.breaks;
	if (e->probe) {
		e->probe_ret = s2pt_walk(&e->pt, e->probe_ipa, &leaf);
		if (e->probe_ret == -ENOENT)
			e->probe_hits++;
	}
	e->last = level == S2PT_LEVEL_TABLE ? EV_TLBI_TABLE : EV_TLBI_LEAF;
	e->tlbi_ipa = ipa;
	e->tlbi_level = level;
	e->ntlbi++;
}

static void fake_sync(void *ctx)
{
	struct env *e = ctx;

	e->nsync++;
}

static const struct s2pt_ops fake_ops = {
	.alloc_table = fake_alloc,
	.free_table = fake_free,
	.phys_to_virt = fake_p2v,
	.tlbi_ipa = fake_tlbi,
	.sync = fake_sync,
};

/* Memory released only after its invalidation, and as the model says. */
void env_release(void *arg, const struct s2pt_leaf *leaf)
{
	struct env *e = arg;
	unsigned int prot;
	u64 pa;

	if (e->last != EV_TLBI_LEAF || e->tlbi_level != leaf->level ||
	    e->tlbi_ipa < leaf->ipa || e->tlbi_ipa - leaf->ipa >= leaf->size)
		fail(e->tc, "%s: release of %#llx not preceded by its TLBI",
		     e->ctx, (unsigned long long)leaf->ipa);
	if (!model_lookup(e, leaf->ipa, &pa, &prot) || pa != leaf->pa ||
	    prot != leaf->prot)
		fail(e->tc, "%s: released %#llx+%#llx -> %#llx not in the model",
		     e->ctx, (unsigned long long)leaf->ipa,
		     (unsigned long long)leaf->size,
		     (unsigned long long)leaf->pa);
	e->released += leaf->size;
	e->nreleased++;
	e->last = EV_OTHER;
}

/* ---- the walk, from VTCR_EL2 and the Arm ARM ---- */

void env_init(struct env *e, struct tcase *tc, unsigned int pamax,
	      unsigned int gs, unsigned int ipa_bits)
{
	static const unsigned int ps_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	struct s2box_host h = { .pa_bits = pamax, .gran_4k = true,
				.gran_16k = true, .gran_64k = true,
				.lpa2_4k = pamax == 52, .lpa2_16k = pamax == 52,
				.vmid_bits = 16 };
	size_t root_bytes;
	u64 v;

	memset(e, 0, sizeof(*e));
	e->tc = tc;
	e->pamax = pamax;
	h.ps = (unsigned int)s2box_bits_to_ps(pamax);
	if (s2box_geom_compute(&h, ipa_bits, 1U << gs, &e->geom))
		fail(tc, "geometry %u/%u refused", gs, ipa_bits);
	v = e->geom.vtcr;
	e->ia = 64 - (unsigned int)(v & 0x3f);
	e->g = ((v >> 14) & 3) == 0 ? 12 : ((v >> 14) & 3) == 2 ? 14 : 16;
	e->ps_bits = ps_bits[(v >> 16) & 7];
	e->ds = (v >> 32) & 1;
	/* SL0 counts from level 2 for 4K and from level 3 otherwise. */
	e->start = (e->g == 12 ? 2 : 3) - (int)((v >> 6) & 3);
	snprintf(e->ctx, sizeof(e->ctx), "%uK ipa %u pamax %u", 1U << (gs - 10),
		 ipa_bits, pamax);

	/* Tables high in the PA space, so OA bits 51:48 get exercised. */
	e->pa_base = BIT_ULL(e->ps_bits) - BIT_ULL(36);
	e->root_pa = e->pa_base - BIT_ULL(24);
	root_bytes = (size_t)e->geom.root_pages << gs;
	e->root = aligned_alloc(root_bytes, root_bytes);
	memset(e->root, 0, root_bytes);
	e->fail_in = -1;
	s2pt_init(&e->pt, &e->geom, false, &fake_ops, e, e->root, e->root_pa);
}

void env_fini(struct env *e)
{
	unsigned int i;

	for (i = 0; i < e->nslots; i++)
		free(e->slot[i]);
	free(e->slot);
	free(e->live);
	free(e->free_stack);
	free(e->root);
}

u64 ref_level_size(const struct env *e, int level)
{
	return BIT_ULL(e->g + (3 - level) * (e->g - 3));
}

/* Arm ARM AArch64.BlockDescSupported, PAMax being the host's PARange. */
bool ref_block_ok(const struct env *e, int level)
{
	if (e->g == 12)
		return level == 1 || level == 2 || (level == 0 && e->ds);
	if (e->g == 14)
		return level == 2 || (level == 1 && e->ds);
	return level == 2 || (level == 1 && e->pamax >= 52);
}

/* Output address of a descriptor; NULL or why its OA field is bad. */
static const char *ref_oa(const struct env *e, u64 d, u64 *oa)
{
	if (e->ds) {
		/* LPA2: OA[49:g] in place, OA[51:50] in bits [9:8]. */
		*oa = (d & mask(50, e->g)) | ((d >> 8) & 3) << 50;
		return NULL;
	}
	*oa = d & mask(48, e->g);
	if (e->g == 16) {
		/* FEAT_LPA: OA[51:48] in bits [15:12]. */
		*oa |= ((d >> 12) & 0xf) << 48;
	}
	return d & mask(50, 48) ? "bits [49:48] not RES0" : NULL;
}

/* A leaf as stage 2 reads it; NULL or why s2box should not write it. */
static const char *ref_leaf(const struct env *e, u64 d, int level,
			    struct rwalk *w)
{
	u64 xn = (d >> 53) & 3, size = ref_level_size(e, level);
	const char *why = ref_oa(e, d, &w->leaf_pa);

	if (why)
		return why;
	if (level < 3 && !ref_block_ok(e, level))
		return "block at a level without blocks";
	if (w->leaf_pa & (size - 1))
		return "OA bits below the block size not RES0";
	if (w->leaf_pa >> e->ps_bits)
		return "OA beyond VTCR_EL2.PS (address size fault)";
	if (((d >> 2) & 0xf) != 0xf)
		return "MemAttr is not Normal Write-Back";
	if (!e->ds && ((d >> 8) & 3) != 3)
		return "SH is not inner shareable";
	if (!((d >> 10) & 1))
		return "AF clear";
	if (d & (BIT_ULL(11) | ~(BIT_ULL(50) - 1)) & ~(3ULL << 53))
		return "bits 11, 50..52, 55..63 not zero";
	if (xn != 0 && xn != 2)
		return "XN is neither 0b00 nor 0b10";
	w->size = size;
	w->level = level;
	w->prot = ((d >> 6) & 1 ? S2PT_PROT_R : 0) |
		  ((d >> 7) & 1 ? S2PT_PROT_W : 0) | (xn ? 0 : S2PT_PROT_X);
	return NULL;
}

static const char *ref_table(const struct env *e, u64 d, u64 *oa)
{
	const char *why = ref_oa(e, d, oa);
	const u64 oa_field = e->ds ? mask(50, e->g) | 3ULL << 8
				: mask(48, e->g) | (e->g == 16 ? 0xfULL << 12 : 0);

	if (why)
		return why;
	return d & ~(oa_field | 3) ? "table descriptor with attributes" : NULL;
}

void ref_walk(struct env *e, u64 ipa, struct rwalk *w)
{
	const u64 *t = e->root;
	unsigned int stride = e->g - 3, shift, bits;
	int level, i;
	u64 d = 0, oa;

	memset(w, 0, sizeof(*w));
	w->res = RW_BAD;
	for (level = e->start; level <= 3; level++) {
		shift = e->g + (3 - level) * stride;
		bits = level == e->start ? e->ia - shift : stride;
		d = t[(ipa >> shift) & (BIT_ULL(bits) - 1)];
		w->level = level;
		if (!(d & 1)) {
			w->res = RW_FAULT;
			return;
		}
		if (level == 3 && !(d & 2)) {
			w->why = "reserved level-3 descriptor";
			return;
		}
		if (level == 3 || !(d & 2))
			break;
		w->why = ref_table(e, d, &oa);
		i = slot_of(e, oa);
		if (w->why || i < 0 || !e->live[i]) {
			w->why = w->why ? w->why : "table pointer to no table";
			return;
		}
		w->path[w->npath++] = oa;
		t = e->slot[i];
	}
	w->why = ref_leaf(e, d, level, w);
	if (w->why)
		return;
	w->leaf_ipa = ipa & ~(w->size - 1);
	w->res = RW_OK;
}

/* ---- the reference model ---- */

bool model_overlaps(const struct env *e, u64 ipa, u64 size)
{
	unsigned int i;

	for (i = 0; i < e->nreg; i++)
		if (e->reg[i].ipa < ipa + size &&
		    ipa < e->reg[i].ipa + e->reg[i].size)
			return true;
	return false;
}

bool model_lookup(const struct env *e, u64 ipa, u64 *pa, unsigned int *prot)
{
	unsigned int i;

	for (i = 0; i < e->nreg; i++) {
		if (ipa >= e->reg[i].ipa &&
		    ipa - e->reg[i].ipa < e->reg[i].size) {
			*pa = e->reg[i].pa + (ipa - e->reg[i].ipa);
			*prot = e->reg[i].prot;
			return true;
		}
	}
	return false;
}

static void model_insert(struct env *e, const struct region *r)
{
	unsigned int i = 0;

	if (e->nreg == MAX_REGIONS) {
		fail(e->tc, "%s: model full", e->ctx);
		return;
	}
	while (i < e->nreg && e->reg[i].ipa < r->ipa)
		i++;
	memmove(&e->reg[i + 1], &e->reg[i], (e->nreg - i) * sizeof(*r));
	e->reg[i] = *r;
	e->nreg++;
}

void model_add(struct env *e, u64 ipa, u64 size, u64 pa, unsigned int prot)
{
	struct region r = { ipa, size, pa, prot };

	model_insert(e, &r);
}

/* Remove [ipa, ipa + size) from the model; returns the bytes removed. */
u64 model_remove(struct env *e, u64 ipa, u64 size)
{
	u64 end = ipa + size, removed = 0, rend;
	struct region r, tail;
	unsigned int i = 0;

	while (i < e->nreg) {
		r = e->reg[i];
		rend = r.ipa + r.size;
		if (rend <= ipa || r.ipa >= end) {
			i++;
			continue;
		}
		memmove(&e->reg[i], &e->reg[i + 1],
			(e->nreg - i - 1) * sizeof(r));
		e->nreg--;
		removed += (rend < end ? rend : end) - (r.ipa > ipa ? r.ipa : ipa);
		if (rend > end) {
			tail = r;
			tail.ipa = end;
			tail.pa = r.pa + (end - r.ipa);
			tail.size = rend - end;
			model_insert(e, &tail);
		}
		if (r.ipa < ipa) {
			r.size = ipa - r.ipa;
			model_insert(e, &r);
			i++;
		}
	}
	return removed;
}

/* Give [ipa, ipa + size) the permissions (prot & ~clear) | set. */
void model_protect(struct env *e, u64 ipa, u64 size, unsigned int clear,
		   unsigned int set)
{
	struct region part[MAX_REGIONS];
	u64 end = ipa + size, lo, hi;
	unsigned int i, n = 0;

	for (i = 0; i < e->nreg; i++) {
		struct region r = e->reg[i];

		lo = r.ipa > ipa ? r.ipa : ipa;
		hi = r.ipa + r.size < end ? r.ipa + r.size : end;
		if (lo >= hi)
			continue;
		part[n].ipa = lo;
		part[n].size = hi - lo;
		part[n].pa = r.pa + (lo - r.ipa);
		part[n].prot = (r.prot & ~clear) | set;
		n++;
	}
	model_remove(e, ipa, size);
	for (i = 0; i < n; i++)
		model_insert(e, &part[i]);
}

/* ---- whole-tree checks ---- */

struct scan {
	struct env *e;
	struct region *leaf;
	unsigned int nleaf;
	unsigned long tables, blocks, pages;
	u64 bytes;
	unsigned char *seen;
};

static void scan_table(struct scan *s, const u64 *t, int level, u64 base)
{
	struct env *e = s->e;
	unsigned int stride = e->g - 3, shift = e->g + (3 - level) * stride;
	u64 n = BIT_ULL(level == e->start ? e->ia - shift : stride), i, d, oa;
	const char *why;
	struct rwalk w;
	int k;

	for (i = 0; i < n; i++) {
		d = t[i];
		if (!(d & 1))
			continue;
		if (level < 3 && (d & 2)) {
			why = ref_table(e, d, &oa);
			k = slot_of(e, oa);
			if (why || k < 0 || !e->live[k] || s->seen[k]) {
				fail(e->tc, "%s: bad table entry %#llx at level %d: %s",
				     e->ctx, (unsigned long long)d, level,
				     why ? why : "not a live, unshared table");
				continue;
			}
			s->seen[k] = 1;
			s->tables++;
			scan_table(s, e->slot[k], level + 1, base + (i << shift));
			continue;
		}
		why = level == 3 && !(d & 2) ? "reserved level-3 descriptor"
					      : ref_leaf(e, d, level, &w);
		if (why) {
			fail(e->tc, "%s: bad leaf %#llx at level %d: %s",
			     e->ctx, (unsigned long long)d, level, why);
			continue;
		}
		if (level == 3)
			s->pages++;
		else
			s->blocks++;
		s->bytes += w.size;
		if (s->nleaf == MAX_LEAVES) {
			fail(e->tc, "%s: more than %u leaves", e->ctx,
			     MAX_LEAVES);
			continue;
		}
		s->leaf[s->nleaf++] = (struct region){
			base + (i << shift), w.size, w.leaf_pa, w.prot };
	}
}

/* Merge neighbours contiguous in IPA and PA with equal permissions. */
static unsigned int coalesce(struct region *r, unsigned int n)
{
	unsigned int i, out = 0;

	for (i = 0; i < n; i++) {
		if (out && r[out - 1].ipa + r[out - 1].size == r[i].ipa &&
		    r[out - 1].pa + r[out - 1].size == r[i].pa &&
		    r[out - 1].prot == r[i].prot)
			r[out - 1].size += r[i].size;
		else
			r[out++] = r[i];
	}
	return out;
}

static bool audit_ok(void *arg, const struct s2pt_leaf *leaf)
{
	struct env *e = arg;
	unsigned int prot;
	u64 pa;

	return model_lookup(e, leaf->ipa, &pa, &prot) && pa == leaf->pa &&
	       prot == leaf->prot && !((leaf->pa + leaf->size - 1) >> e->ps_bits);
}

static void check_counts(struct env *e, const struct scan *s)
{
	struct s2pt_audit a;

	if (s->tables != e->nlive || e->pt.nr_tables != e->nlive)
		fail(e->tc, "%s: %lu tables reachable, %lu counted, %lu allocated",
		     e->ctx, s->tables, e->pt.nr_tables, e->nlive);
	if (s->blocks != e->pt.nr_blocks || s->pages != e->pt.nr_pages ||
	    s->bytes != e->pt.mapped_bytes)
		fail(e->tc, "%s: counters %lu/%lu/%#llx, tree %lu/%lu/%#llx",
		     e->ctx, e->pt.nr_blocks, e->pt.nr_pages,
		     (unsigned long long)e->pt.mapped_bytes, s->blocks,
		     s->pages, (unsigned long long)s->bytes);
	if (s2pt_audit(&e->pt, audit_ok, e, &a))
		fail(e->tc, "%s: s2pt_audit: bad %lu empty %lu rejected %lu tables %lu",
		     e->ctx, a.bad_desc, a.empty_tables, a.rejected, a.tables);
}

static bool same_region(const struct region *a, const struct region *b)
{
	return a->ipa == b->ipa && a->size == b->size && a->pa == b->pa &&
	       a->prot == b->prot;
}

/* Every address: the leaves, merged, are exactly the model's regions. */
void env_check_tree(struct env *e)
{
	struct scan s = { .e = e };
	struct region *m;
	unsigned int i, nm;

	s.leaf = malloc(MAX_LEAVES * sizeof(*s.leaf));
	s.seen = calloc(e->nslots + 1, 1);
	scan_table(&s, e->root, e->start, 0);
	s.nleaf = coalesce(s.leaf, s.nleaf);
	m = malloc(sizeof(e->reg));
	memcpy(m, e->reg, e->nreg * sizeof(*m));
	nm = coalesce(m, e->nreg);
	for (i = 0; i < s.nleaf || i < nm; i++) {
		if (i < s.nleaf && i < nm && same_region(&s.leaf[i], &m[i]))
			continue;
		fail(e->tc, "%s: run %u: tree %#llx+%#llx->%#llx/%u, model %#llx+%#llx->%#llx/%u",
		     e->ctx, i,
		     (unsigned long long)(i < s.nleaf ? s.leaf[i].ipa : 0),
		     (unsigned long long)(i < s.nleaf ? s.leaf[i].size : 0),
		     (unsigned long long)(i < s.nleaf ? s.leaf[i].pa : 0),
		     i < s.nleaf ? s.leaf[i].prot : 0,
		     (unsigned long long)(i < nm ? m[i].ipa : 0),
		     (unsigned long long)(i < nm ? m[i].size : 0),
		     (unsigned long long)(i < nm ? m[i].pa : 0),
		     i < nm ? m[i].prot : 0);
		break;
	}
	check_counts(e, &s);
	free(m);
	free(s.seen);
	free(s.leaf);
}

/* One IPA three ways: the model, the independent walker, s2pt_walk(). */
static void check_point(struct env *e, u64 ipa)
{
	unsigned int prot = 0;
	struct s2pt_leaf l;
	struct rwalk w;
	bool mapped;
	u64 pa = 0;
	int ret;

	if (ipa >> e->ia)
		return;
	mapped = model_lookup(e, ipa, &pa, &prot);
	ref_walk(e, ipa, &w);
	ret = s2pt_walk(&e->pt, ipa, &l);
	if (w.res == RW_BAD)
		fail(e->tc, "%s: walk of %#llx: %s", e->ctx,
		     (unsigned long long)ipa, w.why);
	else if ((w.res == RW_OK) != mapped ||
		 (mapped && (w.leaf_pa + (ipa - w.leaf_ipa) != pa ||
			     w.prot != prot)))
		fail(e->tc, "%s: %#llx walks to %s%#llx, model %s%#llx",
		     e->ctx, (unsigned long long)ipa,
		     w.res == RW_OK ? "" : "fault ",
		     (unsigned long long)(w.leaf_pa + (ipa - w.leaf_ipa)),
		     mapped ? "" : "unmapped ", (unsigned long long)pa);
	if (ret != (mapped ? 0 : -ENOENT) ||
	    (mapped && (l.pa + (ipa - l.ipa) != pa || l.prot != prot ||
			l.level != w.level || l.size != w.size)))
		fail(e->tc, "%s: s2pt_walk(%#llx) = %d disagrees", e->ctx,
		     (unsigned long long)ipa, ret);
}

/* Both sides of both edges of a range, and a few points inside. */
void env_check_points(struct env *e, u64 ipa, u64 size)
{
	u64 gr = BIT_ULL(e->g);

	if (ipa)
		check_point(e, ipa - gr);
	check_point(e, ipa);
	check_point(e, ipa + size / 2);
	check_point(e, ipa + size - gr);
	check_point(e, ipa + size - 1);
	check_point(e, ipa + size);
}
