// SPDX-License-Identifier: GPL-2.0
/*
 * Stage-2 geometry and VTCR_EL2 for one box.
 *
 * Pure architecture rules: no kernel calls, so the host unit tests compile
 * this file unchanged and check it against a table written from the Arm ARM.
 *
 * Terms: a granule of 2^g bytes holds 2^(g-3) descriptors, so each lookup
 * level resolves stride = g - 3 address bits, and the last level (3) maps
 * g bits straight through. A walk that starts at level s therefore resolves
 * (4 - s) * stride + g bits with one table at the start level, and up to 4
 * more when 2..16 tables are concatenated there (stage 2 only).
 *
 * The Arm ARM (AArch64.S2InconsistentSL) accepts a start level s for an
 * input size n only when
 *	(3 - s) * stride + g + 1 <= n <= (4 - s) * stride + g + 4,
 * and AArch64.S2InvalidSL further rejects: 4K starting at level 0 or 64K
 * starting at level 1 when PAMax < 44, 16K starting at level 1 when
 * PAMax < 42, 16K starting at level 0 unless DS=1, 64K at level 0 ever.
 * Because a box's IPA never exceeds PAMax and we always pick the fewest
 * levels, the PAMax conditions hold by construction: a level-0 4K start is
 * only chosen for n >= 44, a level-1 16K start for n >= 41 (so PAMax >= 42)
 * and a level-1 64K start for n >= 47.
 */

#include "vtcr.h"

/* VTCR_EL2.PS / ID_AA64MMFR0_EL1.PARange share one encoding. */
static const unsigned int parange_to_bits[] = { 32, 36, 40, 42, 44, 48, 52 };

#define S2_PARANGE_COUNT	ARRAY_SIZE(parange_to_bits)

/* A level-3 walk at most concatenates 16 tables: 4 extra IPA bits. */
#define S2_MAX_CONCAT_BITS	4
/* At least two lookup levels (Documentation/geometry.md says why). */
#define S2_MIN_LEVELS		2
/* Without the 52-bit (DS=1) layout, 4K/16K descriptors carry 48-bit OAs. */
#define S2_OA_BITS_NO_DS	48

unsigned int s2box_parange_bits(unsigned int parange)
{
	if (parange >= S2_PARANGE_COUNT)
		return 0;
	return parange_to_bits[parange];
}

int s2box_bits_to_ps(unsigned int bits)
{
	unsigned int i;

	for (i = 0; i < S2_PARANGE_COUNT; i++)
		if (parange_to_bits[i] == bits)
			return (int)i;
	return -1;
}

unsigned int s2box_granule_shift(unsigned int granule_bytes)
{
	switch (granule_bytes) {
	case 1U << S2_GRANULE_SHIFT_4K:
		return S2_GRANULE_SHIFT_4K;
	case 1U << S2_GRANULE_SHIFT_16K:
		return S2_GRANULE_SHIFT_16K;
	case 1U << S2_GRANULE_SHIFT_64K:
		return S2_GRANULE_SHIFT_64K;
	default:
		return 0;
	}
}

static bool granule_supported(const struct s2box_host *host, unsigned int gs)
{
	switch (gs) {
	case S2_GRANULE_SHIFT_4K:
		return host->gran_4k;
	case S2_GRANULE_SHIFT_16K:
		return host->gran_16k;
	default:
		return host->gran_64k;
	}
}

/* Can this granule use 52-bit addresses at stage 2 on this host? */
static bool granule_has_52bit(const struct s2box_host *host, unsigned int gs)
{
	if (host->pa_bits < 52)
		return false;
	switch (gs) {
	case S2_GRANULE_SHIFT_4K:
		return host->lpa2_4k;
	case S2_GRANULE_SHIFT_16K:
		return host->lpa2_16k;
	default:
		/* PARange == 52 bits implies FEAT_LPA, i.e. 52-bit with 64K. */
		return true;
	}
}

unsigned int s2box_ipa_limit(const struct s2box_host *host,
			     unsigned int granule_shift)
{
	if (!granule_supported(host, granule_shift))
		return 0;
	if (granule_has_52bit(host, granule_shift))
		return 52;
	/*
	 * The IPA space never exceeds the host's PA size: KVM applies the
	 * same limit, and IPAs beyond PAMax are not guaranteed to translate.
	 */
	return host->pa_bits < S2_OA_BITS_NO_DS ? host->pa_bits
						 : S2_OA_BITS_NO_DS;
}

/* Bits resolved by a walk of @levels levels with one table at the start. */
static unsigned int walk_reach(unsigned int gs, unsigned int levels)
{
	return levels * (gs - 3) + gs;
}

/* Fewest levels (>= 2) whose reach, with concatenation, covers @ipa_bits. */
static unsigned int fewest_levels(unsigned int gs, unsigned int ipa_bits)
{
	unsigned int levels = S2_MIN_LEVELS;

	while (walk_reach(gs, levels) + S2_MAX_CONCAT_BITS < ipa_bits)
		levels++;
	return levels;
}

static u64 tg0_of(unsigned int gs)
{
	switch (gs) {
	case S2_GRANULE_SHIFT_4K:
		return S2_VTCR_TG0_4K;
	case S2_GRANULE_SHIFT_16K:
		return S2_VTCR_TG0_16K;
	default:
		return S2_VTCR_TG0_64K;
	}
}

static void geom_encode_vtcr(struct s2box_geom *geom)
{
	u64 vtcr = S2_VTCR_RES1;

	vtcr |= (u64)geom->t0sz << S2_VTCR_T0SZ_SHIFT;
	vtcr |= (u64)geom->sl0 << S2_VTCR_SL0_SHIFT;
	/* Table walks use Normal WBWA inner-shareable memory, like the host. */
	vtcr |= S2_VTCR_RGN_WBWA << S2_VTCR_IRGN0_SHIFT;
	vtcr |= S2_VTCR_RGN_WBWA << S2_VTCR_ORGN0_SHIFT;
	vtcr |= S2_VTCR_SH_INNER << S2_VTCR_SH0_SHIFT;
	vtcr |= tg0_of(geom->granule_shift) << S2_VTCR_TG0_SHIFT;
	vtcr |= (u64)geom->ps << S2_VTCR_PS_SHIFT;
	if (geom->vs)
		vtcr |= S2_VTCR_VS;
	if (geom->ds)
		vtcr |= S2_VTCR_DS;
	/*
	 * HA/HD stay 0: descriptors are built with AF set and write
	 * permission decided up front, so hardware updates are never needed.
	 */
	geom->vtcr = vtcr;
}

/* Output size: the host PA size, limited by what the descriptors can hold. */
static void geom_set_ps(const struct s2box_host *host, struct s2box_geom *geom)
{
	unsigned int oa_bits = host->pa_bits;

	if (geom->granule_shift != S2_GRANULE_SHIFT_64K && !geom->ds &&
	    oa_bits > S2_OA_BITS_NO_DS)
		oa_bits = S2_OA_BITS_NO_DS;
	geom->ps_bits = oa_bits;
	geom->ps = (unsigned int)s2box_bits_to_ps(oa_bits);
}

int s2box_geom_compute(const struct s2box_host *host, unsigned int ipa_bits,
		       unsigned int granule_bytes, struct s2box_geom *geom)
{
	unsigned int gs = s2box_granule_shift(granule_bytes);
	unsigned int limit, reach;

	if (!gs)
		return -EINVAL;
	if (!granule_supported(host, gs))
		return -EOPNOTSUPP;
	limit = s2box_ipa_limit(host, gs);
	if (ipa_bits < 32 || ipa_bits > limit)
		return -EINVAL;

	geom->ipa_bits = ipa_bits;
	geom->granule_shift = gs;
	geom->t0sz = 64 - ipa_bits;
	geom->levels = fewest_levels(gs, ipa_bits);
	geom->start_level = 4 - (int)geom->levels;
	/* 4K counts SL0 down from level 2; 16K and 64K from level 3. */
	if (gs == S2_GRANULE_SHIFT_4K)
		geom->sl0 = (unsigned int)(2 - geom->start_level);
	else
		geom->sl0 = (unsigned int)(3 - geom->start_level);
	geom->sl2 = 0;

	reach = walk_reach(gs, geom->levels);
	geom->root_pages = ipa_bits > reach ? 1U << (ipa_bits - reach) : 1;
	/* BADDR must be aligned to the whole concatenated root. */
	geom->root_align_shift = gs + (ipa_bits > reach ? ipa_bits - reach : 0);

	/* 4K/16K need the LPA2 descriptor layout to go past 48 bits. */
	geom->ds = gs != S2_GRANULE_SHIFT_64K && ipa_bits > S2_OA_BITS_NO_DS;
	geom->vs = host->vmid_bits == 16;
	geom_set_ps(host, geom);
	geom_encode_vtcr(geom);
	return 0;
}

u64 s2box_vttbr(const struct s2box_geom *geom, u64 root_pa, unsigned int vmid)
{
	/* BADDR is bits [47:1]; the root's alignment keeps [5:1] clear. */
	u64 vttbr = root_pa & (BIT_ULL(48) - 2);

	/* A 52-bit output size moves PA[51:48] into BADDR[5:2]. */
	if (geom->ps_bits == 52)
		vttbr |= ((root_pa >> 48) & 0xf) << 2;
	/* VMID is [55:48], or [63:48] with VS=1. */
	return vttbr | (u64)vmid << 48;
}
