// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for module/vtcr.c and module/idregs.c, which are compiled
 * here unchanged; module/s2pt.c is tested by s2pt_test.c and the
 * allow-list of idregs.c by idregs_test.c, in the same run.
 * With --table, prints the allow-list's treatment of every ID register
 * field as markdown instead.
 * Prints TAP version 13; exits non-zero if any test fails.
 *
 * Nothing expected here is derived from the code under test:
 *  - geom_table.h is a hand-written table of the geometry policy;
 *  - check_legal() re-states the Arm ARM stage-2 walk checks
 *    (AArch64.S2InvalidSL, AArch64.S2InconsistentSL, AArch64.S2MinTxSZ)
 *    and judges the VTCR_EL2 value itself, field by field;
 *  - the ID register values are those of QEMU 7.2's CPU models
 *    (target/arm/cpu64.c, aarch64_*_initfn) plus synthetic ones.
 * VTCR_EL2 and ID register bit positions are spelled out literally rather
 * than taken from the module's headers, so a wrong shift there shows up.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vtcr.h"
#include "idregs.h"
#include "geom_table.h"
#include "tap.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define MAX_DIAG	12
#define NO_LEVEL	INT_MIN

/* ID_AA64MMFR0_EL1.PARange encodings 0..6, in bits. */
static const unsigned int pa_bits_of[] = { 32, 36, 40, 42, 44, 48, 52 };
static const unsigned int gshifts[] = { 12, 14, 16 };

static unsigned int tests_run, tests_failed;

void
fail(struct tcase *tc, const char *fmt, ...)
{
	va_list ap;

	if (tc->errors++ >= MAX_DIAG)
		return;
	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void
tap(struct tcase *tc, const char *fmt, ...)
{
	va_list ap;

	tests_run++;
	if (tc->errors > MAX_DIAG)
		printf("# ... and %u more\n", tc->errors - MAX_DIAG);
	if (tc->errors)
		tests_failed++;
	printf("%sok %u - ", tc->errors ? "not " : "", tests_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	tc->errors = 0;
}

static void expect_u(struct tcase *tc, const char *ctx, const char *what,
		     unsigned long long got, unsigned long long want)
{
	if (got != want)
		fail(tc, "%s: %s is %#llx, expected %#llx", ctx, what, got,
		     want);
}

static void expect_i(struct tcase *tc, const char *ctx, const char *what,
		     long long got, long long want)
{
	if (got != want)
		fail(tc, "%s: %s is %lld, expected %lld", ctx, what, got, want);
}

static const char *gname(unsigned int gshift)
{
	return gshift == 12 ? "4K" : gshift == 14 ? "16K" : "64K";
}

static unsigned int log2_exact(unsigned int v)
{
	unsigned int n = 0;

	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

static const struct geom_row *find_row(unsigned int gshift,
				       unsigned int ipa_bits)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(geom_rows); i++)
		if (geom_rows[i].gshift == gshift &&
		    geom_rows[i].ipa_bits == ipa_bits)
			return &geom_rows[i];
	return NULL;
}

static struct s2box_host make_host(unsigned int parange, bool lpa2,
				   unsigned int vmid_bits)
{
	struct s2box_host h;

	memset(&h, 0, sizeof(h));
	h.pa_bits = pa_bits_of[parange];
	h.ps = parange;
	h.gran_4k = true;
	h.gran_16k = true;
	h.gran_64k = true;
	h.lpa2_4k = lpa2;
	h.lpa2_16k = lpa2;
	h.vmid_bits = vmid_bits;
	return h;
}

static bool host_lpa2(const struct s2box_host *h, unsigned int gshift)
{
	if (gshift == 12)
		return h->lpa2_4k;
	if (gshift == 14)
		return h->lpa2_16k;
	return false;
}

static bool host_has(const struct s2box_host *h, unsigned int gshift)
{
	if (gshift == 12)
		return h->gran_4k;
	if (gshift == 14)
		return h->gran_16k;
	return h->gran_64k;
}

/*
 * Largest IPA: 64K reaches PARange (52 bits needs FEAT_LPA, which is what
 * PARange 52 means); 4K/16K stop at 48 bits unless the granule has LPA2 at
 * stage 2 and the host really has 52 bits of PA.
 */
static unsigned int want_limit(const struct s2box_host *h,
			       unsigned int gshift)
{
	if (!host_has(h, gshift))
		return 0;
	if (gshift == 16)
		return h->pa_bits;
	if (host_lpa2(h, gshift) && h->pa_bits == 52)
		return 52;
	return h->pa_bits < 48 ? h->pa_bits : 48;
}

/* PS = PARange, but 48 bits at most without the 52-bit descriptor layout. */
static unsigned int want_ps(const struct s2box_host *h,
			    const struct geom_row *r)
{
	if (r->gshift != 16 && !r->ds && h->ps > 5)
		return 5;
	return h->ps;
}

static unsigned long long tg0_of(unsigned int gshift)
{
	return gshift == 12 ? 0 : gshift == 14 ? 2 : 1;
}

/* VTCR_EL2 assembled from the expected fields of a table row. */
static unsigned long long want_vtcr(const struct s2box_host *h,
				    const struct geom_row *r)
{
	unsigned long long v = 0;

	v |= r->t0sz;				/* T0SZ, bits [5:0] */
	v |= (unsigned long long)r->sl0 << 6;	/* SL0, bits [7:6] */
	v |= 1ULL << 8;				/* IRGN0 = WBWA */
	v |= 1ULL << 10;			/* ORGN0 = WBWA */
	v |= 3ULL << 12;			/* SH0 = inner shareable */
	v |= tg0_of(r->gshift) << 14;		/* TG0, bits [15:14] */
	v |= (unsigned long long)want_ps(h, r) << 16;	/* PS, [18:16] */
	if (h->vmid_bits == 16)
		v |= 1ULL << 19;		/* VS */
	v |= 1ULL << 31;			/* RES1 */
	if (r->ds)
		v |= 1ULL << 32;		/* DS */
	return v;				/* HA = HD = SL2 = 0 */
}

static void check_row(struct tcase *tc, const char *ctx,
		      const struct s2box_host *h, const struct geom_row *r,
		      const struct s2box_geom *g)
{
	unsigned int ps = want_ps(h, r);

	expect_u(tc, ctx, "vtcr", g->vtcr, want_vtcr(h, r));
	expect_u(tc, ctx, "ipa_bits", g->ipa_bits, r->ipa_bits);
	expect_u(tc, ctx, "granule_shift", g->granule_shift, r->gshift);
	expect_u(tc, ctx, "levels", g->levels, r->levels);
	expect_i(tc, ctx, "start_level", g->start_level, r->start_level);
	expect_u(tc, ctx, "sl0", g->sl0, r->sl0);
	expect_u(tc, ctx, "sl2", g->sl2, 0);
	expect_u(tc, ctx, "t0sz", g->t0sz, r->t0sz);
	expect_u(tc, ctx, "ps", g->ps, ps);
	expect_u(tc, ctx, "ps_bits", g->ps_bits, pa_bits_of[ps]);
	expect_u(tc, ctx, "ds", g->ds, r->ds);
	expect_u(tc, ctx, "vs", g->vs, h->vmid_bits == 16);
	expect_u(tc, ctx, "root_pages", g->root_pages, r->root_pages);
	expect_u(tc, ctx, "root_align_shift", g->root_align_shift,
		 r->gshift + log2_exact(r->root_pages));
}

/*
 * Arm ARM, AArch64.S2InvalidSL with AArch64.S2StartLevel: the start level
 * a stage-2 walk takes from VTCR_EL2.{SL2,SL0}, or NO_LEVEL when the
 * combination faults. 4K: SL0 0/1/2 = level 2/1/0, level 0 only with
 * PAMax >= 44; SL0 = 3 is level 3 only with FEAT_TTST, which s2box does
 * not assume; SL2:SL0 = 1:00 is level -1, only with DS = 1. 16K: SL0
 * 0/1/2/3 = level 3/2/1/0, level 1 needs PAMax >= 42 and level 0 DS = 1.
 * 64K: SL0 0/1/2 = level 3/2/1, level 1 needs PAMax >= 44, SL0 = 3 faults.
 * SL2 is RES0 except with 4K and DS = 1.
 */
static int arm_start_level(unsigned int gshift, unsigned int sl0,
			   unsigned int sl2, unsigned int ds,
			   unsigned int pamax)
{
	switch (gshift) {
	case 12:
		if (sl2)
			return ds && sl0 == 0 ? -1 : NO_LEVEL;
		if (sl0 == 3 || (sl0 == 2 && pamax < 44))
			return NO_LEVEL;
		return 2 - (int)sl0;
	case 14:
		if (sl2 || (sl0 == 3 && !ds) || (sl0 == 2 && pamax < 42))
			return NO_LEVEL;
		return 3 - (int)sl0;
	case 16:
		if (sl2 || sl0 == 3 || (sl0 == 2 && pamax < 44))
			return NO_LEVEL;
		return 3 - (int)sl0;
	}
	return NO_LEVEL;
}

/*
 * Arm ARM, AArch64.S2InconsistentSL: with 3 - s levels below the start
 * level s, the input size must leave at least one bit for level s and at
 * most a full level plus 4 bits (2..16 concatenated tables).
 */
static bool arm_sl_consistent(unsigned int gshift, int start,
			      unsigned int iasize)
{
	int stride = gshift - 3;
	int min = (3 - start) * stride + (int)gshift + 1;
	int max = min + stride - 1 + 4;

	return (int)iasize >= min && (int)iasize <= max;
}

/*
 * Judge an accepted geometry as the hardware would: decode VTCR_EL2,
 * reject anything the walk checks fault on or that is RES0, and check
 * that the struct the module returns describes the same walk.
 */
static void check_legal(struct tcase *tc, const char *ctx,
			const struct s2box_host *h, unsigned int gshift,
			const struct s2box_geom *g)
{
	unsigned long long v = g->vtcr;
	unsigned long long known = 0x3fULL | 3ULL << 6 | 3ULL << 8 |
				   3ULL << 10 | 3ULL << 12 | 3ULL << 14 |
				   7ULL << 16 | 1ULL << 19 | 1ULL << 31 |
				   1ULL << 32 | 1ULL << 33;
	unsigned int t0sz = v & 0x3f, sl0 = (v >> 6) & 3;
	unsigned int ps = (v >> 16) & 7, ds = (v >> 32) & 1;
	unsigned int sl2 = (v >> 33) & 1, stride = gshift - 3;
	unsigned int iasize = 64 - t0sz, max_ia, bits_at_start, tables;
	unsigned int alt;
	int start, s;

	if (((v >> 14) & 3) != tg0_of(gshift))
		fail(tc, "%s: TG0 %llu is not the %s granule", ctx,
		     (v >> 14) & 3, gname(gshift));
	if (v & ~known)
		fail(tc, "%s: bits %#llx set outside the fields s2box owns",
		     ctx, v & ~known);
	if (!(v & 1ULL << 31))
		fail(tc, "%s: RES1 bit 31 clear", ctx);
	if (((v >> 8) & 0x3f) != 0x35)
		fail(tc, "%s: walk attributes %#llx, expected WBWA inner shareable",
		     ctx, (v >> 8) & 0x3f);

	/* DS is RES0 unless FEAT_LPA2 covers this granule at stage 2. */
	if (ds && !host_lpa2(h, gshift))
		fail(tc, "%s: DS set without LPA2 for %s", ctx, gname(gshift));
	/* PS within PARange; 52 bits only with the 52-bit layout. */
	if (ps > h->ps || ps > 6)
		fail(tc, "%s: PS %u beyond PARange %u", ctx, ps, h->ps);
	if (ps == 6 && gshift != 16 && !ds)
		fail(tc, "%s: PS 52 bits with %s and DS=0", ctx, gname(gshift));

	/* AArch64.S2MinTxSZ (AArch64 EL1); MaxTxSZ 39 without FEAT_TTST. */
	max_ia = gshift == 16 || ds ? 52 : 48;
	if (h->pa_bits < max_ia)
		max_ia = h->pa_bits;
	if (t0sz < 64 - max_ia || t0sz > 39)
		fail(tc, "%s: T0SZ %u outside [%u, 39]", ctx, t0sz, 64 - max_ia);

	start = arm_start_level(gshift, sl0, sl2, ds, h->pa_bits);
	if (start == NO_LEVEL) {
		fail(tc, "%s: SL2:SL0 %u:%u invalid (S2InvalidSL)", ctx, sl2,
		     sl0);
		return;
	}
	if (!arm_sl_consistent(gshift, start, iasize))
		fail(tc, "%s: T0SZ %u inconsistent with start level %d",
		     ctx, t0sz, start);
	if (start > 2)
		fail(tc, "%s: fewer than two levels", ctx);
	/* Fewest levels: no legal later start level that still has two. */
	for (alt = 0; alt < 4; alt++) {
		s = arm_start_level(gshift, alt, 0, ds, h->pa_bits);
		if (s == NO_LEVEL || s <= start || s > 2)
			continue;
		if (arm_sl_consistent(gshift, s, iasize))
			fail(tc, "%s: start level %d (SL0 %u) would be legal with fewer levels",
			     ctx, s, alt);
	}

	/* The struct must describe the walk the register selects. */
	expect_u(tc, ctx, "ipa_bits vs T0SZ", g->ipa_bits, iasize);
	expect_u(tc, ctx, "t0sz vs VTCR", g->t0sz, t0sz);
	expect_u(tc, ctx, "sl0 vs VTCR", g->sl0, sl0);
	expect_u(tc, ctx, "sl2 vs VTCR", g->sl2, sl2);
	expect_u(tc, ctx, "ds vs VTCR", g->ds, ds);
	expect_u(tc, ctx, "ps vs VTCR", g->ps, ps);
	expect_u(tc, ctx, "vs vs VTCR", g->vs, (v >> 19) & 1);
	expect_i(tc, ctx, "start_level vs SL0", g->start_level, start);
	expect_i(tc, ctx, "levels vs SL0", g->levels, 4 - start);

	/* Concatenated root tables the walk implies, and their alignment. */
	bits_at_start = iasize - ((3 - start) * stride + gshift);
	tables = bits_at_start > stride ? 1U << (bits_at_start - stride) : 1;
	if (tables > 16)
		fail(tc, "%s: %u concatenated tables", ctx, tables);
	expect_u(tc, ctx, "root_pages vs walk", g->root_pages, tables);
	if (g->root_align_shift < bits_at_start + 3 ||
	    g->root_align_shift < 6)
		fail(tc, "%s: root alignment 2^%u below the root's 2^%u bytes",
		     ctx, g->root_align_shift, bits_at_start + 3);
}

/* The hand table must itself pass the Arm ARM checks on a 52-bit host. */
static void test_table_self(void)
{
	struct s2box_host h = make_host(6, true, 16);
	struct tcase tc = { 0 };
	struct s2box_geom g;
	const struct geom_row *r;
	unsigned int i, ipa;
	char ctx[64];

	for (i = 0; i < ARRAY_SIZE(gshifts); i++) {
		for (ipa = 32; ipa <= 52; ipa++) {
			snprintf(ctx, sizeof(ctx), "table %s ipa %u",
				 gname(gshifts[i]), ipa);
			r = find_row(gshifts[i], ipa);
			if (!r) {
				fail(&tc, "%s: no row", ctx);
				continue;
			}
			memset(&g, 0, sizeof(g));
			g.vtcr = want_vtcr(&h, r);
			g.ipa_bits = r->ipa_bits;
			g.granule_shift = r->gshift;
			g.levels = r->levels;
			g.start_level = r->start_level;
			g.sl0 = r->sl0;
			g.t0sz = r->t0sz;
			g.ps = want_ps(&h, r);
			g.ds = r->ds;
			g.vs = 1;
			g.root_pages = r->root_pages;
			g.root_align_shift = r->gshift +
					     log2_exact(r->root_pages);
			check_legal(&tc, ctx, &h, gshifts[i], &g);
		}
		tap(&tc, "hand table %s: every row legal and minimal per Arm ARM",
		    gname(gshifts[i]));
	}
}

/*
 * One host, one granule: IPA 32..52 either matches the hand table exactly
 * and passes the legality checker, or lies above the host limit and is
 * refused with -EINVAL.
 */
static void test_host_granule(const struct s2box_host *h, unsigned int gs,
			      const char *desc)
{
	unsigned int ipa, limit = want_limit(h, gs);
	struct tcase tc = { 0 }, legal = { 0 };
	const struct geom_row *r;
	struct s2box_geom g;
	char ctx[96];
	int ret;

	expect_u(&tc, desc, "s2box_ipa_limit", s2box_ipa_limit(h, gs), limit);
	for (ipa = 32; ipa <= 52; ipa++) {
		snprintf(ctx, sizeof(ctx), "%s ipa %u, %s", gname(gs), ipa,
			 desc);
		r = find_row(gs, ipa);
		memset(&g, 0x5a, sizeof(g));
		ret = s2box_geom_compute(h, ipa, 1U << gs, &g);
		if (ipa > limit) {
			expect_i(&tc, ctx, "return", ret, -EINVAL);
			continue;
		}
		expect_i(&tc, ctx, "return", ret, 0);
		if (ret || !r)
			continue;
		check_row(&tc, ctx, h, r, &g);
		check_legal(&legal, ctx, h, gs, &g);
	}
	tap(&tc, "%s %s: ipa 32..%u match the hand table, %u..52 -EINVAL",
	    gname(gs), desc, limit, limit + 1);
	tap(&legal, "%s %s: every VTCR_EL2 legal and minimal per Arm ARM",
	    gname(gs), desc);
}

/* Every PARange x LPA2 on/off x 8/16-bit VMIDs x granule. */
static void test_matrix(void)
{
	unsigned int parange, lpa2, vmid, i;
	struct s2box_host h;
	char desc[64];

	for (parange = 0; parange < ARRAY_SIZE(pa_bits_of); parange++) {
		for (lpa2 = 0; lpa2 < 2; lpa2++) {
			for (vmid = 8; vmid <= 16; vmid += 8) {
				h = make_host(parange, lpa2, vmid);
				snprintf(desc, sizeof(desc),
					 "PARange %u bits, LPA2 %s, %u-bit VMID",
					 h.pa_bits, lpa2 ? "on" : "off", vmid);
				for (i = 0; i < ARRAY_SIZE(gshifts); i++)
					test_host_granule(&h, gshifts[i], desc);
			}
		}
	}
}

static void test_bad_ipa(void)
{
	static const unsigned int bad[] = { 0, 1, 31, 53, 56, 64, 65,
					    UINT_MAX };
	struct s2box_host h = make_host(6, true, 16);
	struct tcase tc = { 0 };
	struct s2box_geom g;
	unsigned int i, j;
	char ctx[64];

	for (i = 0; i < ARRAY_SIZE(gshifts); i++) {
		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			snprintf(ctx, sizeof(ctx), "%s ipa %u",
				 gname(gshifts[i]), bad[j]);
			expect_i(&tc, ctx, "return",
				 s2box_geom_compute(&h, bad[j],
						    1U << gshifts[i], &g),
				 -EINVAL);
		}
		tap(&tc, "%s, 52-bit LPA2 host: ipa_bits 0..31, 53..UINT_MAX -> -EINVAL",
		    gname(gshifts[i]));
	}
}

static void test_bad_granule(void)
{
	static const unsigned int bad[] = { 0, 1, 512, 2048, 4095, 4097,
					    8192, 12288, 32768, 131072,
					    1U << 21, 1U << 31, UINT_MAX };
	static const unsigned int good[] = { 4096, 16384, 65536 };
	struct s2box_host h = make_host(6, true, 16);
	struct tcase tc = { 0 };
	struct s2box_geom g;
	unsigned int i, ipa;
	char ctx[64];

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(ctx, sizeof(ctx), "granule %u", bad[i]);
		expect_u(&tc, ctx, "s2box_granule_shift",
			 s2box_granule_shift(bad[i]), 0);
		for (ipa = 32; ipa <= 52; ipa += 4)
			expect_i(&tc, ctx, "return",
				 s2box_geom_compute(&h, ipa, bad[i], &g),
				 -EINVAL);
	}
	tap(&tc, "granule sizes other than 4K/16K/64K -> -EINVAL");

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		snprintf(ctx, sizeof(ctx), "granule %u", good[i]);
		expect_u(&tc, ctx, "s2box_granule_shift",
			 s2box_granule_shift(good[i]), gshifts[i]);
	}
	tap(&tc, "s2box_granule_shift: 4096/16384/65536 -> 12/14/16");
}

/* A granule the host lacks at stage 2 is refused with -EOPNOTSUPP. */
static void test_unsupported_granule(void)
{
	struct tcase tc = { 0 };
	struct s2box_host h;
	struct s2box_geom g;
	unsigned int i, j, ipa;
	char ctx[64];
	int ret;

	for (i = 0; i < ARRAY_SIZE(gshifts); i++) {
		h = make_host(6, true, 16);
		h.gran_4k = gshifts[i] != 12;
		h.gran_16k = gshifts[i] != 14;
		h.gran_64k = gshifts[i] != 16;
		expect_u(&tc, gname(gshifts[i]), "s2box_ipa_limit",
			 s2box_ipa_limit(&h, gshifts[i]), 0);
		for (ipa = 32; ipa <= 48; ipa++) {
			snprintf(ctx, sizeof(ctx), "%s ipa %u",
				 gname(gshifts[i]), ipa);
			ret = s2box_geom_compute(&h, ipa, 1U << gshifts[i],
						 &g);
			expect_i(&tc, ctx, "return", ret, -EOPNOTSUPP);
			/* The other two granules are unaffected. */
			for (j = 0; j < ARRAY_SIZE(gshifts); j++) {
				if (j == i)
					continue;
				snprintf(ctx, sizeof(ctx), "%s ipa %u",
					 gname(gshifts[j]), ipa);
				ret = s2box_geom_compute(&h, ipa,
							 1U << gshifts[j], &g);
				expect_i(&tc, ctx, "return", ret, 0);
			}
		}
		tap(&tc, "%s missing at stage 2: -EOPNOTSUPP, other granules work",
		    gname(gshifts[i]));
	}
}

static void test_parange_helpers(void)
{
	struct tcase tc = { 0 };
	unsigned int i, bits;
	char ctx[32];
	int want;

	for (i = 0; i < ARRAY_SIZE(pa_bits_of); i++) {
		snprintf(ctx, sizeof(ctx), "PARange %u", i);
		expect_u(&tc, ctx, "s2box_parange_bits",
			 s2box_parange_bits(i), pa_bits_of[i]);
	}
	for (bits = 0; bits <= 64; bits++) {
		want = -1;
		for (i = 0; i < ARRAY_SIZE(pa_bits_of); i++)
			if (pa_bits_of[i] == bits)
				want = i;
		snprintf(ctx, sizeof(ctx), "%u bits", bits);
		expect_i(&tc, ctx, "s2box_bits_to_ps", s2box_bits_to_ps(bits),
			 want);
	}
	tap(&tc, "PARange 0..6 <-> 32,36,40,42,44,48,52 bits; other sizes -1");
}

/* ID_AA64MMFR0_EL1 from its stage-2 relevant fields. */
#define MMFR0(pa, t16, t64, t4, t16_2, t64_2, t4_2)			\
	((u64)(pa) | (u64)(t16) << 20 | (u64)(t64) << 24 |		\
	 (u64)(t4) << 28 | (u64)(t16_2) << 32 | (u64)(t64_2) << 36 |	\
	 (u64)(t4_2) << 40)
/* ID_AA64MMFR1_EL1: HAFDBS [3:0], VMIDBits [7:4] (2 = 16 bits). */
#define MMFR1(hafdbs, vmidbits)	((u64)(hafdbs) | (u64)(vmidbits) << 4)
/* ID_AA64MMFR2_EL1: FWB [43:40]. */
#define MMFR2_FWB		BIT_ULL(40)

#define HOST(pa, ps_, g4, g16, g64, l4, l16, vmid, haf, fwb_)		\
	{ .pa_bits = (pa), .ps = (ps_), .gran_4k = (g4),		\
	  .gran_16k = (g16), .gran_64k = (g64), .lpa2_4k = (l4),	\
	  .lpa2_16k = (l16), .vmid_bits = (vmid), .hafdbs = (haf),	\
	  .fwb = (fwb_) }

struct decode_case {
	const char *name;
	struct s2box_idregs regs;
	struct s2box_host want;
};

/*
 * QEMU 7.2, target/arm/cpu64.c: cortex-a76, neoverse-n1 and a64fx set
 * these registers literally in their initfn; max is cortex-a57's
 * 0x1124 for MMFR0 (MMFR1/2 zero) with the FIELD_DP64 updates of
 * aarch64_max_initfn and arm_cpu_lpa2_finalize (lpa2=on by default):
 * PARange 6, TGran16 2, TGran4 1, TGran16_2 3, TGran64_2 2, TGran4_2 3;
 * MMFR1 HAFDBS 2, VMIDBits 2, VH, HPDS, LO, PAN 2, XNX, ETS, HCX;
 * MMFR2 CnP, UAO, IESB, VARange, ST, IDS, FWB, TTL, BBM 2, EVT 2, E0PD.
 * PFR0/PFR1 are as a virt machine (GICv3, secure=off) shows them after
 * realize: GIC field 1, EL3 field 0; max's MTE field cleared for want of
 * tag memory. Only s2box_unhandled_feature() looks at them.
 */
static const struct decode_case decode_cases[] = {
	{ "QEMU 7.2 cortex-a76 (PARange 40, all granules)",
	  { .pfr0 = 0x1100000011110112ULL, .pfr1 = 0x10,
	    .mmfr0 = 0x0000000000101122ULL, .mmfr1 = 0x0000000010212122ULL,
	    .mmfr2 = 0x0000000000001011ULL },
	  HOST(40, 2, true, true, true, false, false, 16, 2, false) },
	{ "QEMU 7.2 neoverse-n1 (PARange 48, all granules)",
	  { .pfr0 = 0x1100000011110112ULL, .pfr1 = 0x20,
	    .mmfr0 = 0x0000000000101125ULL, .mmfr1 = 0x0000000010212122ULL,
	    .mmfr2 = 0x0000000000001011ULL },
	  HOST(48, 5, true, true, true, false, false, 16, 2, false) },
	{ "QEMU 7.2 a64fx (PARange 40, no 16K, 8-bit VMID, no HAFDBS)",
	  { .pfr0 = 0x0000000101110111ULL,
	    .mmfr0 = 0x0000000000001122ULL, .mmfr1 = 0x0000000011212100ULL,
	    .mmfr2 = 0x0000000000001011ULL },
	  HOST(40, 2, true, false, true, false, false, 8, 0, false) },
	{ "QEMU 7.2 max (PARange 52, LPA2 for 4K and 16K, FWB)",
	  { .pfr0 = 0x1201001121110222ULL, .pfr1 = 0x0000000001000021ULL,
	    .mmfr0 = 0x0000032310201126ULL, .mmfr1 = 0x0000011010211122ULL,
	    .mmfr2 = 0x1221011010011011ULL },
	  HOST(52, 6, true, true, true, true, true, 16, 2, true) },

	/* Synthetic: one field at a time, on a 52-bit host. */
	{ "TGran4_2=0 falls back to TGran4=0: 4K, no LPA2",
	  { .mmfr0 = MMFR0(6, 1, 0, 0, 0, 0, 0), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, true, true, true, false, false, 16, 0, false) },
	{ "TGran4_2=0 falls back to TGran4=1: 4K with LPA2",
	  { .mmfr0 = MMFR0(6, 1, 0, 1, 0, 0, 0), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, true, true, true, true, false, 16, 0, false) },
	{ "TGran4_2=0 falls back to TGran4=0xF: no 4K",
	  { .mmfr0 = MMFR0(6, 1, 0, 0xf, 0, 0, 0), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, false, true, true, false, false, 16, 0, false) },
	{ "TGran4_2=1: no 4K at stage 2 even though TGran4=0",
	  { .mmfr0 = MMFR0(6, 1, 0, 0, 0, 0, 1), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, false, true, true, false, false, 16, 0, false) },
	{ "TGran4_2=2: 4K without LPA2 even though TGran4=1",
	  { .mmfr0 = MMFR0(6, 1, 0, 1, 0, 0, 2), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, true, true, true, false, false, 16, 0, false) },
	{ "TGran4_2=2: 4K at stage 2 even though TGran4=0xF",
	  { .mmfr0 = MMFR0(6, 1, 0, 0xf, 0, 0, 2), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, true, true, true, false, false, 16, 0, false) },
	{ "TGran4_2=3: 4K with LPA2 even though TGran4=0",
	  { .mmfr0 = MMFR0(6, 1, 0, 0, 0, 0, 3), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, true, true, true, true, false, 16, 0, false) },
	{ "TGran16_2=0 falls back to TGran16=0: no 16K",
	  { .mmfr0 = MMFR0(6, 0, 0, 0, 0, 0, 0), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, true, false, true, false, false, 16, 0, false) },
	{ "TGran16_2=0 falls back to TGran16=2: 16K with LPA2",
	  { .mmfr0 = MMFR0(6, 2, 0, 0, 0, 0, 0), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, true, true, true, false, true, 16, 0, false) },
	{ "TGran16_2=1: 16K not supported even though TGran16=1",
	  { .mmfr0 = MMFR0(6, 1, 0, 0, 1, 0, 0), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, true, false, true, false, false, 16, 0, false) },
	{ "TGran16_2=2: 16K without LPA2 even though TGran16=2",
	  { .mmfr0 = MMFR0(6, 2, 0, 0, 2, 0, 0), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, true, true, true, false, false, 16, 0, false) },
	{ "TGran16_2=2: 16K at stage 2 even though TGran16=0",
	  { .mmfr0 = MMFR0(6, 0, 0, 0, 2, 0, 0), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, true, true, true, false, false, 16, 0, false) },
	{ "TGran16_2=3: 16K with LPA2 even though TGran16=1",
	  { .mmfr0 = MMFR0(6, 1, 0, 0, 3, 0, 0), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, true, true, true, false, true, 16, 0, false) },
	{ "TGran64_2=0 falls back to TGran64=0xF: no 64K",
	  { .mmfr0 = MMFR0(6, 1, 0xf, 0, 0, 0, 0), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, true, true, false, false, false, 16, 0, false) },
	{ "TGran64_2=1: 64K not supported even though TGran64=0",
	  { .mmfr0 = MMFR0(6, 1, 0, 0, 0, 1, 0), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, true, true, false, false, false, 16, 0, false) },
	{ "TGran64_2=2: 64K at stage 2 even though TGran64=0xF",
	  { .mmfr0 = MMFR0(6, 1, 0xf, 0, 0, 2, 0), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, true, true, true, false, false, 16, 0, false) },
	{ "no granule at stage 2 at all",
	  { .mmfr0 = MMFR0(6, 1, 0, 0, 1, 1, 1), .mmfr1 = MMFR1(0, 2) },
	  HOST(52, 6, false, false, false, false, false, 16, 0, false) },
	{ "VMIDBits=0: 8-bit VMIDs; HAFDBS=1 passed through",
	  { .mmfr0 = MMFR0(6, 1, 0, 0, 0, 0, 0), .mmfr1 = MMFR1(1, 0) },
	  HOST(52, 6, true, true, true, false, false, 8, 1, false) },
	{ "FWB=1 in ID_AA64MMFR2_EL1",
	  { .mmfr0 = MMFR0(6, 1, 0, 0, 0, 0, 0), .mmfr1 = MMFR1(2, 2),
	    .mmfr2 = MMFR2_FWB },
	  HOST(52, 6, true, true, true, false, false, 16, 2, true) },
	/*
	 * cortex-a76 with every field s2box does not decode set to 0xF
	 * (including RES0 ones): the result must not change.
	 */
	{ "cortex-a76 with all unrelated ID fields set to 0xF",
	  { .pfr0 = 0x1100000011110112ULL, .pfr1 = 0x10,
	    .mmfr0 = 0x0000000000101122ULL | 0xfffff000000ffff0ULL,
	    .mmfr1 = 0x0000000010212122ULL | 0xffffffffffffff00ULL,
	    .mmfr2 = 0x0000000000001011ULL | 0xfffff0ffffffffffULL },
	  HOST(40, 2, true, true, true, false, false, 16, 2, false) },
};

static void check_host(struct tcase *tc, const char *ctx,
		       const struct s2box_host *got,
		       const struct s2box_host *want)
{
	expect_u(tc, ctx, "pa_bits", got->pa_bits, want->pa_bits);
	expect_u(tc, ctx, "ps", got->ps, want->ps);
	expect_u(tc, ctx, "gran_4k", got->gran_4k, want->gran_4k);
	expect_u(tc, ctx, "gran_16k", got->gran_16k, want->gran_16k);
	expect_u(tc, ctx, "gran_64k", got->gran_64k, want->gran_64k);
	expect_u(tc, ctx, "lpa2_4k", got->lpa2_4k, want->lpa2_4k);
	expect_u(tc, ctx, "lpa2_16k", got->lpa2_16k, want->lpa2_16k);
	expect_u(tc, ctx, "vmid_bits", got->vmid_bits, want->vmid_bits);
	expect_u(tc, ctx, "hafdbs", got->hafdbs, want->hafdbs);
	expect_u(tc, ctx, "fwb", got->fwb, want->fwb);
}

static void test_decode(void)
{
	const struct decode_case *c;
	struct tcase tc = { 0 };
	struct s2box_idregs regs;
	struct s2box_host got;
	unsigned int i;
	char ctx[32];

	for (i = 0; i < ARRAY_SIZE(decode_cases); i++) {
		c = &decode_cases[i];
		memset(&got, 0x5a, sizeof(got));
		s2box_host_decode(&c->regs, &got);
		check_host(&tc, "decode", &got, &c->want);
		tap(&tc, "s2box_host_decode: %s", c->name);
	}

	/* PARange 0..6 on an otherwise plain 4K/16K/64K host. */
	for (i = 0; i < ARRAY_SIZE(pa_bits_of); i++) {
		memset(&regs, 0, sizeof(regs));
		regs.mmfr0 = MMFR0(i, 1, 0, 0, 0, 0, 0);
		memset(&got, 0x5a, sizeof(got));
		s2box_host_decode(&regs, &got);
		snprintf(ctx, sizeof(ctx), "PARange %u", i);
		expect_u(&tc, ctx, "pa_bits", got.pa_bits, pa_bits_of[i]);
		expect_u(&tc, ctx, "ps", got.ps, i);
	}
	tap(&tc, "s2box_host_decode: PARange 0..6 -> 32..52 bits");

	/*
	 * PARange 7 is 56 bits (FEAT_D128); VTCR_EL2.PS can only say 56 with
	 * 128-bit descriptors, so s2box must treat it as 52. The ID scheme
	 * makes any larger value mean "at least as much".
	 */
	for (i = 7; i < 16; i++) {
		memset(&regs, 0, sizeof(regs));
		regs.mmfr0 = MMFR0(i, 1, 0, 0, 0, 0, 0);
		memset(&got, 0x5a, sizeof(got));
		s2box_host_decode(&regs, &got);
		snprintf(ctx, sizeof(ctx), "PARange %u", i);
		expect_u(&tc, ctx, "pa_bits", got.pa_bits, 52);
		expect_u(&tc, ctx, "ps", got.ps, 6);
	}
	tap(&tc, "s2box_host_decode: PARange 7 (56 bits) and above -> 52 bits");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--table")) {
		idregs_print_table();
		return 0;
	}
	printf("TAP version 13\n");
	test_table_self();
	test_matrix();
	test_bad_ipa();
	test_bad_granule();
	test_unsupported_granule();
	test_parange_helpers();
	test_decode();
	idregs_tests();
	s2pt_tests();
	vttbr_tests();
	printf("1..%u\n", tests_run);
	if (tests_failed)
		printf("# %u of %u tests failed\n", tests_failed, tests_run);
	return tests_failed ? 1 : 0;
}
