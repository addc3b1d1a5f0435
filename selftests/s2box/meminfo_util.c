// SPDX-License-Identifier: GPL-2.0
/* Memory readings compared before and after a run (meminfo_util.h). */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "meminfo_util.h"

long long pcp_free_kb(void)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	long long pages = 0, n;
	char line[160];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %lld", &n) == 1)
			pages += n;
	if (f)
		fclose(f);
	return pages * (getpagesize() / 1024);
}

void meminfo_all(struct meminfo_all *m)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];

	m->n = 0;
	while (f && m->n < MEMINFO_MAX && fgets(line, sizeof(line), f))
		if (sscanf(line, "%31[^:]: %lld", m->key[m->n],
			   &m->kb[m->n]) == 2)
			m->n++;
	if (f)
		fclose(f);
}
