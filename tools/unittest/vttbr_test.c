// SPDX-License-Identifier: GPL-2.0
/*
 * VTTBR_EL2 encoding (s2box_vttbr()), checked against values worked out by
 * hand from the register description: BADDR in bits [47:1], PA[51:48] in
 * BADDR[5:2] when the output size is 52 bits, VMID from bit 48, CnP 0.
 */

#include <stdio.h>

#include "tap.h"
#include "vtcr.h"

struct vttbr_case {
	const char *name;
	unsigned int ps_bits;
	u64 root_pa;
	unsigned int vmid;
	u64 want;
};

static const struct vttbr_case vttbr_cases[] = {
	{ "48-bit PS, VMID 0", 48, 0x40001000ULL, 0, 0x40001000ULL },
	{ "40-bit PS, VMID 5", 40, 0x8000f000ULL, 5, 0x000500008000f000ULL },
	{ "48-bit PS, 16-bit VMID 0xabcd", 48, 0xffff0000ULL, 0xabcd,
	  0xabcd0000ffff0000ULL },
	{ "52-bit PS, PA[51:48] = 0xf", 52, 0x000f123456780000ULL, 0,
	  0x000012345678003cULL },
	{ "52-bit PS, root below 2^48", 52, 0x40010000ULL, 0, 0x40010000ULL },
};

void vttbr_tests(void)
{
	struct s2box_geom geom = { 0 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vttbr_cases); i++) {
		const struct vttbr_case *c = &vttbr_cases[i];
		struct tcase tc = { 0 };
		u64 got;

		geom.ps_bits = c->ps_bits;
		got = s2box_vttbr(&geom, c->root_pa, c->vmid);
		if (got != c->want)
			fail(&tc, "got 0x%016llx, want 0x%016llx",
			     (unsigned long long)got,
			     (unsigned long long)c->want);
		tap(&tc, "s2box_vttbr: %s", c->name);
	}
}
