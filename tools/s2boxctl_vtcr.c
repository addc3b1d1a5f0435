// SPDX-License-Identifier: GPL-2.0
/*
 * VTCR_EL2 decoded from its raw value by the Arm ARM's field layout and
 * stage-2 walk rules, independently of the module, so `s2boxctl vtcr`
 * can show what a box's walk looks like and catch a module that reports
 * one geometry but programs another.
 */

#include <stdio.h>
#include <string.h>

#include "s2boxctl.h"

#define VTCR_T0SZ(v)	((unsigned int)(v) & 0x3f)
#define VTCR_FIELD(v, shift, bits) \
	((unsigned int)((v) >> (shift)) & ((1U << (bits)) - 1))
#define VTCR_RES1	0x80000000ULL
/* Every field decoded below, RES1 included. */
#define VTCR_KNOWN	((0x7fffffULL & ~(1ULL << 20)) | VTCR_RES1 | \
			 (3ULL << 32))

static const char *const cacheability[] = {
	"non-cacheable",
	"write-back, read- and write-allocate",
	"write-through, read-allocate, no write-allocate",
	"write-back, read-allocate, no write-allocate",
};

static const char *const shareability[] = {
	"non-shareable", "reserved", "outer shareable", "inner shareable",
};

/* The walk's start level from SL0 (and SL2), or 99 if reserved. */
static int start_level(const struct vtcr_decoded *d)
{
	static const int sl0_4k[] = { 2, 1, 0, 3 };

	switch (d->granule) {
	case S2BOX_GRANULE_4K:
		if (d->ds && d->sl2)
			return d->sl0 ? 99 : -1;
		return sl0_4k[d->sl0];
	case S2BOX_GRANULE_16K:
		if (d->sl0 == 3 && !d->ds)
			return 99;
		return 3 - (int)d->sl0;
	case S2BOX_GRANULE_64K:
		return d->sl0 == 3 ? 99 : 3 - (int)d->sl0;
	}
	return 99;
}

/* Levels, root concatenation and whether T0SZ fits the start level. */
static void walk_shape(struct vtcr_decoded *d)
{
	unsigned int shift = d->granule == S2BOX_GRANULE_4K ? 12 :
			     d->granule == S2BOX_GRANULE_16K ? 14 : 16;
	unsigned int stride = shift - 3, reach;

	d->levels = 4 - d->start_level;
	reach = shift + d->levels * stride;	/* one root table's reach */
	d->root_pages = 1;
	if (d->problem)
		return;
	if (d->ipa_bits > reach + 4)
		d->problem = "more than 16 concatenated root tables (SL0 too high)";
	else if (d->ipa_bits > reach)
		d->root_pages = 1U << (d->ipa_bits - reach);
	else if (d->ipa_bits <= reach - stride)
		d->problem = "the start level resolves no IPA bits (SL0 too low)";
}

void vtcr_decode(__u64 v, struct vtcr_decoded *d)
{
	static const unsigned int ps_bits[] = { 32, 36, 40, 42, 44, 48, 52, 56 };
	static const unsigned int tg0_bytes[] = {
		S2BOX_GRANULE_4K, S2BOX_GRANULE_64K, S2BOX_GRANULE_16K, 0
	};

	memset(d, 0, sizeof(*d));
	d->vtcr = v;
	d->t0sz = VTCR_T0SZ(v);
	d->sl0 = VTCR_FIELD(v, 6, 2);
	d->irgn0 = VTCR_FIELD(v, 8, 2);
	d->orgn0 = VTCR_FIELD(v, 10, 2);
	d->sh0 = VTCR_FIELD(v, 12, 2);
	d->tg0 = VTCR_FIELD(v, 14, 2);
	d->ps = VTCR_FIELD(v, 16, 3);
	d->vs = VTCR_FIELD(v, 19, 1);
	d->ha = VTCR_FIELD(v, 21, 1);
	d->hd = VTCR_FIELD(v, 22, 1);
	d->ds = VTCR_FIELD(v, 32, 1);
	d->sl2 = VTCR_FIELD(v, 33, 1);
	d->other = v & ~VTCR_KNOWN;
	d->granule = tg0_bytes[d->tg0];
	d->ipa_bits = 64 - d->t0sz;
	d->ps_bits = ps_bits[d->ps];
	if (!d->granule) {
		d->problem = "TG0 3 is reserved";
		return;
	}
	d->start_level = start_level(d);
	if (d->start_level == 99) {
		d->start_level = 0;
		d->problem = "SL0 is reserved for this granule (and DS)";
		return;
	}
	if (d->ipa_bits > 52)
		d->problem = "T0SZ below 12: more than 52 bits of IPA";
	else if (d->ipa_bits > 48 && d->granule != S2BOX_GRANULE_64K &&
		 !d->ds)
		d->problem = "more than 48 bits of IPA with the 4K or 16K granule need DS=1 (LPA2)";
	else if (!(v & VTCR_RES1))
		d->problem = "bit 31 is RES1 but clear";
	walk_shape(d);
}

static void js_vtcr(const struct vtcr_decoded *d,
		    const struct s2box_box_info *info)
{
	js_begin(NULL, '{');
	js_hex("vtcr", d->vtcr);
	js_begin("fields", '{');
	js_u64("t0sz", d->t0sz);
	js_u64("sl0", d->sl0);
	js_u64("irgn0", d->irgn0);
	js_u64("orgn0", d->orgn0);
	js_u64("sh0", d->sh0);
	js_u64("tg0", d->tg0);
	js_u64("ps", d->ps);
	js_u64("vs", d->vs);
	js_u64("ha", d->ha);
	js_u64("hd", d->hd);
	js_u64("ds", d->ds);
	js_u64("sl2", d->sl2);
	js_end('}');
	js_hex("other_bits", d->other);
	js_u64("ipa_bits", d->ipa_bits);
	js_u64("granule", d->granule);
	js_s64("start_level", d->start_level);
	js_u64("levels", d->levels);
	js_u64("root_pages", d->root_pages);
	js_u64("ps_bits", d->ps_bits);
	js_u64("vmid_bits", d->vs ? 16 : 8);
	if (d->problem)
		js_str("problem", d->problem);
	else
		js_null("problem");
	if (info) {
		js_begin("module", '{');
		js_u64("box_id", info->box_id);
		js_u64("ipa_bits", info->ipa_bits);
		js_u64("granule", info->granule);
		js_s64("start_level", info->start_level);
		js_u64("levels", info->levels);
		js_u64("root_pages", info->root_pages);
		js_u64("root_align", info->root_align);
		js_u64("map_align", info->map_align);
		js_u64("ps_bits", info->ps_bits);
		js_end('}');
	} else {
		js_null("module");
	}
	js_end('}');
	js_done();
}

#define ROW(name, bits, val, fmt, ...) \
	printf("  %-6s %-8s %-3u " fmt "\n", name, bits, val, ##__VA_ARGS__)

/* The module's geometry must be the one the VTCR it programs implies. */
static void check_module(const struct vtcr_decoded *d,
			 const struct s2box_box_info *info)
{
	if (info->levels == d->levels &&
	    info->start_level == d->start_level &&
	    info->root_pages == d->root_pages &&
	    info->ipa_bits == d->ipa_bits && info->granule == d->granule)
		return;
	err_msg("warning: the module's geometry is not what its VTCR says (a module bug):");
	err_msg("  module: %u levels from level %d, %u root tables, %u-bit IPA, %s",
		info->levels, info->start_level, info->root_pages,
		info->ipa_bits, granule_name(info->granule));
	err_msg("  VTCR:   %u levels from level %d, %u root tables, %u-bit IPA, %s",
		d->levels, d->start_level, d->root_pages, d->ipa_bits,
		granule_name(d->granule));
}

void vtcr_print(const struct vtcr_decoded *d,
		const struct s2box_box_info *info)
{
	if (info)
		check_module(d, info);
	if (json) {
		js_vtcr(d, info);
		return;
	}
	printf("VTCR_EL2 0x%016llx\n", d->vtcr);
	ROW("T0SZ", "[5:0]", d->t0sz, "%u-bit IPA space", d->ipa_bits);
	ROW("SL0", "[7:6]", d->sl0,
	    "walk starts at level %d: %u levels, %u concatenated root table%s",
	    d->start_level, d->levels, d->root_pages,
	    d->root_pages == 1 ? "" : "s");
	ROW("IRGN0", "[9:8]", d->irgn0, "inner %s", cacheability[d->irgn0]);
	ROW("ORGN0", "[11:10]", d->orgn0, "outer %s", cacheability[d->orgn0]);
	ROW("SH0", "[13:12]", d->sh0, "%s", shareability[d->sh0]);
	ROW("TG0", "[15:14]", d->tg0, "%s granule",
	    d->granule ? granule_name(d->granule) : "reserved");
	ROW("PS", "[18:16]", d->ps, "%u-bit output addresses", d->ps_bits);
	ROW("VS", "[19]", d->vs, "%u-bit VMIDs", d->vs ? 16 : 8);
	ROW("HA", "[21]", d->ha, "hardware access flag %s",
	    d->ha ? "on" : "off");
	ROW("HD", "[22]", d->hd, "hardware dirty state %s",
	    d->hd ? "on" : "off");
	ROW("RES1", "[31]", (unsigned int)(d->vtcr >> 31) & 1, "%s",
	    d->vtcr & VTCR_RES1 ? "set, as required" : "CLEAR");
	ROW("DS", "[32]", d->ds, "%s", d->ds ?
	    "LPA2 descriptors (52-bit addresses with 4K/16K)" :
	    "48-bit descriptor layout");
	ROW("SL2", "[33]", d->sl2, "%s", d->sl2 ? "start level -1" : "-");
	if (d->other)
		printf("  other bits set, not decoded: 0x%llx\n",
		       d->other);
	if (d->problem)
		printf("problem: %s\n", d->problem);
	if (info) {
		printf("module: box %llu: %u levels from level %d, %u root table(s)\n",
		       info->box_id, info->levels, info->start_level,
		       info->root_pages);
		printf("        root aligned to %u bytes, mappings to %u bytes\n",
		       info->root_align, info->map_align);
	}
}
