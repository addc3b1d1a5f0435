// SPDX-License-Identifier: LGPL-2.1-or-later
/* The guest of hello.c: functions the host calls with s2box_call(). */
#include "s2box_guest.h"

unsigned long add(unsigned long a, unsigned long b)
{
	return a + b;
}

/* All eight argument registers, each weighted, so none can be lost. */
unsigned long weigh8(unsigned long a, unsigned long b, unsigned long c,
		     unsigned long d, unsigned long e, unsigned long f,
		     unsigned long g, unsigned long h)
{
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}

static unsigned long counter;

/* Data and bss survive between calls: the image stays mapped. */
unsigned long count(void)
{
	return ++counter;
}
