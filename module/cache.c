// SPDX-License-Identifier: GPL-2.0
/*
 * Cache maintenance for box memory on hosts without FWB.
 *
 * A box whose MMU is off makes Device/non-cacheable accesses that bypass
 * the caches, while the host reads and writes the same pages through its
 * cacheable linear map. Without FWB nothing makes the two views agree, so
 * the host cleans to the point of coherency after writing and cleans and
 * invalidates before reading. The kernel's own PoC helpers are not
 * exported to modules; this is a plain DC CIVAC loop.
 */

#include <linux/cache.h>
#include <asm/barrier.h>
#include <asm/cacheflush.h>
#include <asm/cpufeature.h>
#include <asm/cputype.h>

#include "s2box.h"

/* Smallest D-cache line of any CPU (CTR_EL0.DminLine, in words). */
static unsigned long s2box_dline_size(void)
{
	u64 ctr = read_sanitised_ftr_reg(SYS_CTR_EL0);

	return 4UL << ((ctr >> 16) & 0xf);
}

/*
 * Clean and invalidate [start, start + len) to the PoC. CIVAC rather than
 * CVAC: it serves both directions (pushes host writes out, drops lines the
 * host may hold before it reads what the box wrote behind the cache).
 */
void s2box_dcache_poc(void *start, size_t len)
{
	unsigned long line = s2box_dline_size();
	unsigned long addr = (unsigned long)start & ~(line - 1);
	unsigned long end = (unsigned long)start + len;

	for (; addr < end; addr += line)
		asm volatile("dc civac, %0" : : "r" (addr) : "memory");
	/* The maintenance must complete before the box or host accesses. */
	dsb(sy);
}

/*
 * Make new instructions in [start, start + len) visible to instruction
 * fetch: the exported helper cleans the D-cache to the PoU and invalidates
 * the I-cache, with the kernel's cache-type and errata handling.
 */
void s2box_icache_sync(void *start, size_t len)
{
	caches_clean_inval_pou((unsigned long)start,
			       (unsigned long)start + len);
}
