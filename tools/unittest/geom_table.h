/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Expected stage-2 geometry for every granule and every IPA size from 32 to
 * 52 bits, written out by hand from the Arm ARM translation rules; nothing
 * here is computed by, or copied from, the code under test.
 *
 * A table walk with granule 2^g and 8-byte descriptors resolves
 * stride = g - 3 bits per level; the last level (3) leaves g bits of page
 * offset. Starting at level s therefore covers
 *
 *	reach(s) = g + (4 - s) * stride  bits
 *
 * with one table at the start level, and up to 4 bits more when 2..16
 * tables are concatenated there:
 *
 *	            stride   reach with 4 / 3 / 2 levels (+4 if concatenated)
 *	4K  g = 12     9              48 / 39 / 30
 *	16K g = 14    11              58 / 47 / 36
 *	64K g = 16    13              68 / 55 / 42
 *
 * Policy (Documentation/geometry.md): levels is the fewest, but at least
 * two, such that reach + 4 >= ipa_bits; start level = 4 - levels;
 * root_pages = 2^(ipa_bits - reach) when that is above one, else 1 (a
 * partial root table); T0SZ = 64 - ipa_bits; SL0 = 2 - start level for 4K,
 * 3 - start level for 16K and 64K (SL2 always 0: level -1 is never used);
 * DS = 1 exactly when ipa_bits > 48 with 4K or 16K (FEAT_LPA2).
 *
 * The rows give what that policy yields when the host allows every IPA
 * size; the test refuses, instead, the rows that exceed a host's limit.
 * Resulting breaks:
 *
 *	4K:  32-34 level 2 (4/8/16 tables); 35-43 level 1 (2..16 tables from
 *	     40); 44-52 level 0 (2..16 tables from 49, DS=1 from 49)
 *	16K: 32-40 level 2 (2..16 tables from 37); 41-51 level 1 (2..16
 *	     tables from 48, DS=1 from 49); 52 level 0 (one partial table
 *	     of 32 entries, DS=1)
 *	64K: 32-46 level 2 (2..16 tables from 43); 47-52 level 1
 *
 * Columns: granule shift, ipa_bits, levels, start level, SL0, T0SZ,
 * root_pages, DS.
 */

struct geom_row {
	unsigned int gshift;
	unsigned int ipa_bits;
	unsigned int levels;
	int start_level;
	unsigned int sl0;
	unsigned int t0sz;
	unsigned int root_pages;
	unsigned int ds;
};

static const struct geom_row geom_rows[] = {
	/* 4K granule */
	{ 12, 32, 2, 2, 0, 32,  4, 0 },
	{ 12, 33, 2, 2, 0, 31,  8, 0 },
	{ 12, 34, 2, 2, 0, 30, 16, 0 },
	{ 12, 35, 3, 1, 1, 29,  1, 0 },
	{ 12, 36, 3, 1, 1, 28,  1, 0 },
	{ 12, 37, 3, 1, 1, 27,  1, 0 },
	{ 12, 38, 3, 1, 1, 26,  1, 0 },
	{ 12, 39, 3, 1, 1, 25,  1, 0 },
	{ 12, 40, 3, 1, 1, 24,  2, 0 },
	{ 12, 41, 3, 1, 1, 23,  4, 0 },
	{ 12, 42, 3, 1, 1, 22,  8, 0 },
	{ 12, 43, 3, 1, 1, 21, 16, 0 },
	{ 12, 44, 4, 0, 2, 20,  1, 0 },
	{ 12, 45, 4, 0, 2, 19,  1, 0 },
	{ 12, 46, 4, 0, 2, 18,  1, 0 },
	{ 12, 47, 4, 0, 2, 17,  1, 0 },
	{ 12, 48, 4, 0, 2, 16,  1, 0 },
	{ 12, 49, 4, 0, 2, 15,  2, 1 },
	{ 12, 50, 4, 0, 2, 14,  4, 1 },
	{ 12, 51, 4, 0, 2, 13,  8, 1 },
	{ 12, 52, 4, 0, 2, 12, 16, 1 },

	/* 16K granule */
	{ 14, 32, 2, 2, 1, 32,  1, 0 },
	{ 14, 33, 2, 2, 1, 31,  1, 0 },
	{ 14, 34, 2, 2, 1, 30,  1, 0 },
	{ 14, 35, 2, 2, 1, 29,  1, 0 },
	{ 14, 36, 2, 2, 1, 28,  1, 0 },
	{ 14, 37, 2, 2, 1, 27,  2, 0 },
	{ 14, 38, 2, 2, 1, 26,  4, 0 },
	{ 14, 39, 2, 2, 1, 25,  8, 0 },
	{ 14, 40, 2, 2, 1, 24, 16, 0 },
	{ 14, 41, 3, 1, 2, 23,  1, 0 },
	{ 14, 42, 3, 1, 2, 22,  1, 0 },
	{ 14, 43, 3, 1, 2, 21,  1, 0 },
	{ 14, 44, 3, 1, 2, 20,  1, 0 },
	{ 14, 45, 3, 1, 2, 19,  1, 0 },
	{ 14, 46, 3, 1, 2, 18,  1, 0 },
	{ 14, 47, 3, 1, 2, 17,  1, 0 },
	{ 14, 48, 3, 1, 2, 16,  2, 0 },
	{ 14, 49, 3, 1, 2, 15,  4, 1 },
	{ 14, 50, 3, 1, 2, 14,  8, 1 },
	{ 14, 51, 3, 1, 2, 13, 16, 1 },
	{ 14, 52, 4, 0, 3, 12,  1, 1 },

	/* 64K granule */
	{ 16, 32, 2, 2, 1, 32,  1, 0 },
	{ 16, 33, 2, 2, 1, 31,  1, 0 },
	{ 16, 34, 2, 2, 1, 30,  1, 0 },
	{ 16, 35, 2, 2, 1, 29,  1, 0 },
	{ 16, 36, 2, 2, 1, 28,  1, 0 },
	{ 16, 37, 2, 2, 1, 27,  1, 0 },
	{ 16, 38, 2, 2, 1, 26,  1, 0 },
	{ 16, 39, 2, 2, 1, 25,  1, 0 },
	{ 16, 40, 2, 2, 1, 24,  1, 0 },
	{ 16, 41, 2, 2, 1, 23,  1, 0 },
	{ 16, 42, 2, 2, 1, 22,  1, 0 },
	{ 16, 43, 2, 2, 1, 21,  2, 0 },
	{ 16, 44, 2, 2, 1, 20,  4, 0 },
	{ 16, 45, 2, 2, 1, 19,  8, 0 },
	{ 16, 46, 2, 2, 1, 18, 16, 0 },
	{ 16, 47, 3, 1, 2, 17,  1, 0 },
	{ 16, 48, 3, 1, 2, 16,  1, 0 },
	{ 16, 49, 3, 1, 2, 15,  1, 0 },
	{ 16, 50, 3, 1, 2, 14,  1, 0 },
	{ 16, 51, 3, 1, 2, 13,  1, 0 },
	{ 16, 52, 3, 1, 2, 12,  1, 0 },
};
