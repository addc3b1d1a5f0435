// SPDX-License-Identifier: GPL-2.0
/*
 * s2box_bench: the table on stdout (scripts/bench.sh shows it and writes
 * the latest complete one into Documentation/benchmarks.md). Medians
 * unless a column says otherwise; the JSON file has every number.
 */

#define _GNU_SOURCE
#include <string.h>

#include "bench.h"

static const unsigned int granules[] = {
	S2BOX_GRANULE_4K, S2BOX_GRANULE_16K, S2BOX_GRANULE_64K,
};

/* A time with a unit that keeps it short: "57.3us", "7.59ms", "1.43s". */
static const char *fmt_ns(char *buf, size_t len, double ns)
{
	if (ns <= 0)
		snprintf(buf, len, "-");
	else if (ns < 1e6)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

static const struct bench_pair *find(const struct bench *b,
				     const char *section, const char *name,
				     unsigned int granule, unsigned int ipa,
				     unsigned int threads)
{
	size_t i;

	for (i = 0; i < b->npairs; i++) {
		const struct bench_pair *p = &b->pairs[i];

		if (!strcmp(p->section, section) && !strcmp(p->name, name) &&
		    (!granule || p->granule == granule) &&
		    (!ipa || p->ipa_bits == ipa) &&
		    (!threads || p->threads == threads))
			return p;
	}
	return NULL;
}

static void print_latency(const struct bench *b)
{
	static const char * const rows[][2] = {
		{ "floor_noop_ioctl", "floor: no-op ioctl" },
		{ "round_trip", "round trip: RUN/HVC, KVM_RUN/MMIO" },
		{ "round_trip_with_budget", "  the same with a budget (s2box)" },
		{ "create_first_exit_destroy", "create, first exit, destroy" },
	};
	char t[4][16], ratio[40];
	size_t i;

	if (!find(b, "latency", "round_trip", 0, 0, 0))
		return;
	printf("\nLatency (box: %s granule, 40-bit IPA; KVM: 40-bit VM)\n",
	       bench_granule_name(bench_main_granule(b)));
	printf("  %-36s %9s %9s %9s %9s  %s\n", "", "s2box", "p99", "KVM",
	       "p99", "s2box/KVM");
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct bench_pair *p = find(b, "latency", rows[i][0], 0,
						  0, 0);
		double r;

		if (!p)
			continue;
		r = bench_ratio(p);
		snprintf(ratio, sizeof(ratio), r > 0 ? "%.3f" : "-", r);
		if (r > 0 && p->target > 0)
			snprintf(ratio, sizeof(ratio), "%.3f (target <= %.2f: %s)",
				 r, p->target,
				 r <= p->target ? "met" : "NOT met");
		printf("  %-36s %9s %9s %9s %9s  %s\n", rows[i][1],
		       fmt_ns(t[0], 16, p->has_box ? p->box.median : 0),
		       fmt_ns(t[1], 16, p->has_box ? p->box.p99 : 0),
		       fmt_ns(t[2], 16, p->has_kvm ? p->kvm.median : 0),
		       fmt_ns(t[3], 16, p->has_kvm ? p->kvm.p99 : 0), ratio);
	}
}

static double med(const struct bench_pair *p, bool kvm)
{
	if (!p)
		return 0;
	if (kvm)
		return p->has_kvm ? p->kvm.median : 0;
	return p->has_box ? p->box.median : 0;
}

static void print_touch(const struct bench *b)
{
	static const unsigned int mib[] = { 4, 64, 512 };
	char t[7][16], name[4][40];
	const struct bench_pair *p[4];
	size_t i, k;

	if (!find(b, "touch", "touch_4MiB", 0, 0, 0))
		return;
	printf("\nTouching every 4 KiB page (s2box: MAP, RUN, close; ");
	printf("KVM: memory slot, KVM_RUN faulting in, destroy)\n");
	printf("  %-7s %9s %9s %9s | %9s %9s %9s | %-16s %s\n", "size",
	       "MAP", "RUN", "close", "slot", "KVM_RUN", "destroy",
	       "s2box/KVM (sum)", "vs KVM w/o THP");
	for (i = 0; i < ARRAY_SIZE(mib); i++) {
		snprintf(name[0], 40, "touch_%uMiB_map_or_slot", mib[i]);
		snprintf(name[1], 40, "touch_%uMiB_run", mib[i]);
		snprintf(name[2], 40, "touch_%uMiB_release", mib[i]);
		snprintf(name[3], 40, "touch_%uMiB", mib[i]);
		for (k = 0; k < 4; k++)
			p[k] = find(b, "touch", name[k], 0, 0, 0);
		if (!p[3])
			continue;
		snprintf(name[0], 40, "touch_%uMiB_vs_kvm_no_thp", mib[i]);
		printf("  %3u MiB %9s %9s %9s | %9s %9s %9s | %-16.3f %.3f\n",
		       mib[i], fmt_ns(t[0], 16, med(p[0], false)),
		       fmt_ns(t[1], 16, med(p[1], false)),
		       fmt_ns(t[2], 16, med(p[2], false)),
		       fmt_ns(t[3], 16, med(p[0], true)),
		       fmt_ns(t[4], 16, med(p[1], true)),
		       fmt_ns(t[5], 16, med(p[2], true)), bench_ratio(p[3]),
		       bench_ratio(find(b, "touch", name[0], 0, 0, 0)));
	}
}

static const struct bench_mem *find_mem(const struct bench *b,
					const char *side, unsigned int granule,
					unsigned int ipa)
{
	size_t i;

	for (i = 0; i < b->nmem; i++)
		if (!strcmp(b->mem[i].side, side) &&
		    (!granule || b->mem[i].granule == granule) &&
		    b->mem[i].ipa_bits == ipa)
			return &b->mem[i];
	return NULL;
}

static double kernel_pages(const struct bench *b, const struct bench_mem *m)
{
	return (m->charged - m->guest) / b->page_size;
}

static void print_memory(const struct bench *b)
{
	const struct bench_mem *m;
	unsigned int ipa, g;
	char cell[3][24];
	size_t i;

	if (!b->nmem)
		return;
	printf("\nKernel memory per box beyond its guest memory ");
	printf("(%u-byte pages; [stage-2 levels])\n", b->page_size);
	printf("  one map unit of guest memory at IPA 0; memory-cgroup charge per box\n");
	printf("  %-8s %12s %12s %12s\n", "ipa_bits", "4K", "16K", "64K");
	for (ipa = S2BOX_IPA_BITS_MIN; ipa <= 52; ipa++) {
		bool any = false;

		for (g = 0; g < ARRAY_SIZE(granules); g++) {
			m = find_mem(b, "s2box", granules[g], ipa);
			snprintf(cell[g], sizeof(cell[g]), "-");
			if (m)
				snprintf(cell[g], sizeof(cell[g]), "%.2f [%u]",
					 kernel_pages(b, m), m->levels);
			any |= !!m;
		}
		if (any)
			printf("  %-8u %12s %12s %12s\n", ipa, cell[0], cell[1],
			       cell[2]);
	}
	for (i = 0; i < b->nmem; i++) {
		m = &b->mem[i];
		if (!strcmp(m->side, "kvm"))
			printf("  KVM VM + vCPU, %u-bit IPA [%u]: %.2f pages\n",
			       m->ipa_bits, m->levels, kernel_pages(b, m));
	}
	m = find_mem(b, "s2box", S2BOX_GRANULE_4K, 36);
	if (m)
		printf("  minimal box (4K, 36-bit, one page): %.2f pages (target <= 5: %s)\n",
		       kernel_pages(b, m),
		       kernel_pages(b, m) <= 5.0 ? "met" : "NOT met");
}

static void print_density(const struct bench *b)
{
	const struct bench_density *d = b->density;

	if (!b->ndensity)
		return;
	printf("\nDensity: minimal boxes / VMs in a memory cgroup of %llu MiB\n",
	       (unsigned long long)(d[0].budget / MIB));
	printf("  s2box (4K, 36-bit, one page): %llu (stopped by %s)\n",
	       (unsigned long long)d[0].count, d[0].stop);
	if (b->ndensity < 2)
		return;
	printf("  KVM (VM + vCPU + one slot):   %llu (stopped by %s)\n",
	       (unsigned long long)d[1].count, d[1].stop);
	if (d[1].count)
		printf("  s2box/KVM: %.2f\n", (double)d[0].count / d[1].count);
}

static void print_geometry(const struct bench *b)
{
	static const char * const names[] = {
		"round_trip", "create_first_exit_destroy",
	};
	const struct bench_pair *p;
	unsigned int ipa, g, k;
	char t[16];

	if (!find(b, "geometry", "round_trip", 0, 0, 0))
		return;
	printf("\nAgainst the IPA size: round trip | create, first exit, ");
	printf("destroy (KVM in its %s granule)\n",
	       bench_granule_name(b->page_size));
	printf("  %-4s %8s %8s %8s %8s | %8s %8s %8s %8s\n", "ipa", "4K",
	       "16K", "64K", "KVM", "4K", "16K", "64K", "KVM");
	for (ipa = S2BOX_IPA_BITS_MIN; ipa <= 52; ipa++) {
		if (!find(b, "geometry", "round_trip", 0, ipa, 0))
			continue;
		printf("  %-4u", ipa);
		for (k = 0; k < ARRAY_SIZE(names); k++) {
			for (g = 0; g < ARRAY_SIZE(granules); g++) {
				p = find(b, "geometry", names[k], granules[g],
					 ipa, 0);
				printf(" %8s", fmt_ns(t, 16, med(p, false)));
			}
			p = find(b, "geometry", names[k], b->page_size, ipa, 0);
			printf(" %8s%s", fmt_ns(t, 16, med(p, true)),
			       k ? "" : " |");
		}
		printf("\n");
	}
}

static void print_cpus(const struct bench *b)
{
	static const char * const names[] = {
		"round_trip", "create_first_exit_destroy",
	};
	const struct bench_pair *p;
	unsigned int n, k;
	char t[4][16];

	if (!find(b, "cpus", "round_trip", 0, 0, 1))
		return;
	printf("\nCPUs at once (one box or VM per CPU): median, p99, operations/s of all CPUs\n");
	for (k = 0; k < ARRAY_SIZE(names); k++) {
		printf("  %s\n", names[k]);
		for (n = 1; n <= b->ncpus; n++) {
			p = find(b, "cpus", names[k], 0, 0, n);
			if (!p)
				continue;
			printf("    %u CPU%s  s2box %9s %9s %8.0f/s", n,
			       n > 1 ? "s" : " ",
			       fmt_ns(t[0], 16, med(p, false)),
			       fmt_ns(t[1], 16, p->has_box ? p->box.p99 : 0),
			       p->box_rate);
			printf("   KVM %9s %9s %8.0f/s   s2box/KVM %.3f\n",
			       fmt_ns(t[2], 16, med(p, true)),
			       fmt_ns(t[3], 16, p->has_kvm ? p->kvm.p99 : 0),
			       p->kvm_rate, bench_ratio(p));
		}
	}
}

void bench_print_table(const struct bench *b)
{
	printf("\n=== s2box_bench: kernel %s (%s), -cpu %s, %s, ", b->kernel,
	       b->release, b->cpu, b->accel);
	printf("%u CPUs, %u-byte pages, THP %s ===\n", b->ncpus, b->page_size,
	       b->thp);
	print_latency(b);
	print_touch(b);
	print_memory(b);
	print_density(b);
	print_geometry(b);
	print_cpus(b);
	printf("\n=== end of table ===\n");
	fflush(stdout);
}
