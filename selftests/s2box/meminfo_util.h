/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory readings the s2box kselftests compare before and after a run
 * (s2box_stress_test, s2box_lifetime_test). Include after
 * kselftest_harness.h.
 */
#ifndef S2BOX_MEMINFO_UTIL_H
#define S2BOX_MEMINFO_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * Free pages parked on the per-CPU page lists, in kB: MemFree and
 * MemAvailable leave them out, and after a burst of allocation and
 * freeing they can hold tens of MiB (the allocator raises their limits
 * while it frees; with 16K pages the same page counts are four times the
 * bytes). Counted back in, so that "memory is back" measures memory.
 */
long long pcp_free_kb(void);

/* Every /proc/meminfo field, to say what moved when a check fails. */
#define MEMINFO_MAX	64

struct meminfo_all {
	int n;
	char key[MEMINFO_MAX][32];
	long long kb[MEMINFO_MAX];
};

void meminfo_all(struct meminfo_all *m);

#ifdef __KSELFTEST_HARNESS_H	/* the test itself, not a helper object */

/* Log every field that moved by @min_kb or more. */
static inline void meminfo_moved(struct __test_metadata *_metadata,
				 const struct meminfo_all *a,
				 const struct meminfo_all *b, long long min_kb)
{
	int i;

	for (i = 0; i < a->n && i < b->n; i++)
		if (llabs(b->kb[i] - a->kb[i]) >= min_kb)
			TH_LOG("  %s %lld -> %lld kB", a->key[i], a->kb[i],
			       b->kb[i]);
}

#endif /* __KSELFTEST_HARNESS_H */

#endif /* S2BOX_MEMINFO_UTIL_H */
