// SPDX-License-Identifier: GPL-2.0
/*
 * The guest image of s2box_lib_test, linked with libs2box's guest side
 * (lib/guest): C functions the test calls with s2box_call().
 */
#include "s2box_guest.h"

/* Every argument register with its own weight and a 64-bit mix. */
unsigned long mix8(unsigned long a, unsigned long b, unsigned long c,
		   unsigned long d, unsigned long e, unsigned long f,
		   unsigned long g, unsigned long h)
{
	return (a * 1) ^ (b * 3) ^ (c * 5) ^ (d * 7) ^ (e * 11) ^ (f * 13) ^
	       (g * 17) ^ (h * 19);
}

/* Stores @value at @ipa and returns what it reads back. */
unsigned long poke(unsigned long ipa, unsigned long value)
{
	s2box_guest_store64(ipa, value);
	return s2box_guest_load64(ipa);
}

static unsigned long calls;

/* bss that lives between calls: the image stays mapped. */
unsigned long count(void)
{
	return ++calls;
}

/* The address of a byte of code, for a write the text must refuse. */
unsigned long code_addr(void)
{
	return (unsigned long)&count;
}

/* Never returns: the budget must end it. */
unsigned long spin(void)
{
	for (;;)
		asm volatile("" ::: "memory");
	return 0;
}

/*
 * Stores @value + i at @base + i * @stride for i < @n, as a sandboxed
 * call that dirties memory would (s2box_snap_test). Returns @n.
 */
unsigned long fill(unsigned long base, unsigned long n, unsigned long stride,
		   unsigned long value)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		s2box_guest_store64(base + i * stride, value + i);
	return n;
}

/* The sum of the 64-bit words of [@base, @base + @len). */
unsigned long sum(unsigned long base, unsigned long len)
{
	unsigned long off, total = 0;

	for (off = 0; off < len; off += 8)
		total += s2box_guest_load64(base + off);
	return total;
}
