// SPDX-License-Identifier: LGPL-2.1-or-later
/* The guest of hello.c: functions the host calls with s2box_call(). */
#include "s2box_guest.h"

S2BOX_GUEST_FN s2box_u64 add(s2box_u64 a, s2box_u64 b)
{
	return a + b;
}

/* All eight argument registers, each weighted, so none can be lost. */
S2BOX_GUEST_FN s2box_u64 weigh8(s2box_u64 a, s2box_u64 b, s2box_u64 c,
				s2box_u64 d, s2box_u64 e, s2box_u64 f,
				s2box_u64 g, s2box_u64 h)
{
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}

/* Stores @value at @ipa: the host's way to make the box fault. */
S2BOX_GUEST_FN s2box_u64 poke(s2box_u64 ipa, s2box_u64 value)
{
	*(volatile s2box_u64 *)ipa = value;
	return value;
}

static s2box_u64 counter;

/* Data and bss survive between calls: the image stays mapped. */
S2BOX_GUEST_FN s2box_u64 count(void)
{
	return ++counter;
}
