// SPDX-License-Identifier: GPL-2.0
/*
 * s2box_bench: the table on stdout (scripts/bench.sh shows it and writes
 * the latest complete one into Documentation/benchmarks.md). Medians
 * unless a column says otherwise; the JSON file has every number.
 */

#define _GNU_SOURCE
#include <string.h>

#include "bench.h"

/* Targets that are not a pair's ratio. */
#define MINIMAL_BOX_PAGES	3	/* kernel pages beyond guest memory */
#define ABOVE_FLOOR_TARGET	0.15	/* round trip less the floor */
#define RESET_SIZE_TARGET	2	/* largest box against 64 KiB */

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
		/* its phases (bench_cold.c): s2box's | KVM's */
		{ "cold_start_create", "  CREATE_BOX | KVM_CREATE_VM" },
		{ "cold_start_memory", "  MAP | mmap, SET_USER_MEMORY_REGION" },
		{ "cold_start_vcpu", "  - | CREATE_VCPU, mmap, VCPU_INIT" },
		{ "cold_start_load", "  pwrite | memcpy of the blob" },
		{ "cold_start_first_run", "  RUN | KVM_RUN to the first exit" },
		{ "cold_start_destroy", "  close | munmap, close" },
	};
	struct bench_figure f[BENCH_FIGURES_MAX];
	char t[4][16], ratio[40];
	size_t i, n;

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
	n = bench_figures(b, f);
	for (i = 0; i < n; i++)
		if (!strcmp(f[i].key, "round_trip_above_floor"))
			printf("  %-76s  %.3f (target <= %.2f: %s)\n",
			       "round trip less the floor, s2box's over KVM's",
			       f[i].value, f[i].target,
			       f[i].value <= f[i].target ? "met" : "NOT met");
}

static double med(const struct bench_pair *p, bool kvm)
{
	if (!p)
		return 0;
	if (kvm)
		return p->has_kvm ? p->kvm.median : 0;
	return p->has_box ? p->box.median : 0;
}

/* Whether @p's ratio meets its target. */
static const char *met(const struct bench_pair *p)
{
	return bench_ratio(p) <= p->target ? "met" : "NOT met";
}

static void print_touch_targets(unsigned int mib,
				const struct bench_pair *sum,
				const struct bench_pair *release)
{
	printf("  %3u MiB: MAP + RUN %.3f x KVM's (target <= %.2f: %s), ",
	       mib, bench_ratio(sum), sum->target, met(sum));
	printf("close %.3f x KVM's destroy (target <= %.2f: %s)\n",
	       bench_ratio(release), release->target, met(release));
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
		if (p[2] && p[3]->target > 0 && p[2]->target > 0 &&
		    bench_ratio(p[3]) > 0 && bench_ratio(p[2]) > 0)
			print_touch_targets(mib[i], p[3], p[2]);
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
		printf("  minimal box (4K, 36-bit, one page): %.2f pages (target <= %u: %s)\n",
		       kernel_pages(b, m), MINIMAL_BOX_PAGES,
		       kernel_pages(b, m) <= MINIMAL_BOX_PAGES ? "met" : "NOT met");
}

static const struct bench_density *find_density(const struct bench *b,
						const char *side)
{
	size_t i;

	for (i = 0; i < b->ndensity; i++)
		if (!strcmp(b->density[i].side, side))
			return &b->density[i];
	return NULL;
}

static void print_density(const struct bench *b)
{
	static const char * const rows[][2] = {
		{ "s2box", "s2box (4K, 36-bit, one page):" },
		{ "kvm", "KVM (VM + vCPU + one slot):" },
		{ "s2box-clone", "s2box clones of 64 MiB (idle):" },
	};
	const struct bench_density *d, *box, *kvm;
	size_t i;

	if (!b->ndensity)
		return;
	printf("\nDensity: minimal boxes / VMs in a memory cgroup of %llu MiB\n",
	       (unsigned long long)(b->density[0].budget / MIB));
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		d = find_density(b, rows[i][0]);
		if (d)
			printf("  %-31s %llu (stopped by %s)\n", rows[i][1],
			       (unsigned long long)d->count, d->stop);
	}
	box = find_density(b, "s2box");
	kvm = find_density(b, "kvm");
	if (box && kvm && kvm->count)
		printf("  s2box/KVM: %.2f\n", (double)box->count / kvm->count);
}

static const char *fmt_bytes(char *buf, size_t len, double bytes)
{
	__u64 whole = bytes > 0 ? (__u64)bytes : 0;

	if (bytes < 0)
		snprintf(buf, len, "-");
	else if (whole == bytes && whole && !(whole % (1024 * MIB)))
		snprintf(buf, len, "%llu GiB", whole / (1024 * MIB));
	else if (whole == bytes && whole && !(whole % MIB))
		snprintf(buf, len, "%llu MiB", whole / MIB);
	else if (whole == bytes && whole < MIB && !(whole % 1024))
		snprintf(buf, len, "%llu KiB", whole / 1024);
	else if (bytes < MIB)
		snprintf(buf, len, "%.1f KiB", bytes / 1024);
	else
		snprintf(buf, len, "%.2f MiB", bytes / MIB);
	return buf;
}

/* A row of two sides: medians, p99s, the ratio and its target. */
static void print_row(const char *label, const struct bench_pair *p)
{
	char t[4][16], ratio[48];
	double r = bench_ratio(p);

	snprintf(ratio, sizeof(ratio), r > 0 ? "%.3f" : "-", r);
	if (r > 0 && p->target > 0)
		snprintf(ratio, sizeof(ratio), "%.3f (target <= %.2f: %s)", r,
			 p->target, r <= p->target ? "met" : "NOT met");
	printf("  %-28s %9s %9s %9s %9s  %s\n", label,
	       fmt_ns(t[0], 16, med(p, false)),
	       fmt_ns(t[1], 16, p->has_box ? p->box.p99 : 0),
	       fmt_ns(t[2], 16, med(p, true)),
	       fmt_ns(t[3], 16, p->has_kvm ? p->kvm.p99 : 0), ratio);
}

static const struct bench_pair *find_reset(const struct bench *b,
					   __u64 bytes, unsigned int dirty)
{
	size_t i;

	for (i = 0; i < b->npairs; i++)
		if (!strcmp(b->pairs[i].section, "reset") &&
		    b->pairs[i].bytes == bytes && b->pairs[i].dirty == dirty)
			return &b->pairs[i];
	return NULL;
}

static void print_reset(const struct bench *b)
{
	const struct bench_pair *p, *small, *big;
	char label[48], sz[24];
	size_t i;
	double r;

	if (!b->reset_max_bytes)
		return;
	printf("\nReset to the snapshot after the blob wrote N pages (s2box: S2BOX_RESET;\n");
	printf("  KVM: GET_DIRTY_LOG, copy back, %s6 SET_ONE_REG)\n",
	       b->kvm_dirty_manual > 0 ? "CLEAR_DIRTY_LOG, " : "");
	printf("  %-28s %9s %9s %9s %9s  %s\n", "box or slot, pages", "s2box",
	       "p99", "KVM", "p99", "s2box/KVM");
	for (i = 0; i < b->npairs; i++) {
		p = &b->pairs[i];
		if (strcmp(p->section, "reset"))
			continue;
		fmt_bytes(sz, sizeof(sz), p->bytes);
		snprintf(label, sizeof(label), "%s, %u", sz, p->dirty);
		print_row(label, p);
	}
	if (b->reset_note[0])
		printf("  (largest box %s: %s)\n",
		       fmt_bytes(sz, sizeof(sz), b->reset_max_bytes), b->reset_note);
	small = find_reset(b, 64 * 1024, 16);
	big = find_reset(b, b->reset_max_bytes, 16);
	if (small && big && med(small, false) > 0) {
		r = med(big, false) / med(small, false);
		printf("  s2box, %s against 64 KiB, 16 pages: %.2f (target <= %u: %s)\n",
		       fmt_bytes(sz, sizeof(sz), b->reset_max_bytes), r,
		       RESET_SIZE_TARGET, r <= RESET_SIZE_TARGET ? "met" : "NOT met");
	}
}

static void print_clone(const struct bench *b)
{
	const struct bench_clone_mem *m = &b->clone_mem;
	const struct bench_pair *p;
	char t[3][24];

	p = find(b, "clone", "clone_first_exit", 0, 0, 0);
	if (!p)
		return;
	printf("\nClone of a 64 MiB template against a fresh box (CREATE, MAP, pwrite 64 MiB,\n");
	printf("  SET_REGS), each run to its first exit (HVC)\n");
	printf("  %-28s %9s %9s %9s %9s  %s\n", "", "clone", "p99", "fresh",
	       "p99", "clone/fresh");
	print_row("create to first exit", p);
	p = find(b, "clone", "clone_first_exit_16_dirty", 0, 0, 0);
	if (p)
		print_row("  16 pages written first", p);
	if (!b->has_clone_mem)
		return;
	printf("  memory per box: held (fdinfo s2box_mem_bytes) | memory-cgroup charge\n");
	printf("    fresh box              %12s | %s\n",
	       fmt_bytes(t[0], 24, m->fresh_mem),
	       fmt_bytes(t[1], 24, m->fresh_charged));
	printf("    clone, idle            %12s | %s (%lld table pages, %s shared)\n",
	       fmt_bytes(t[0], 24, m->idle_mem),
	       fmt_bytes(t[1], 24, m->idle_charged), m->idle_tables,
	       fmt_bytes(t[2], 24, m->idle_shared));
	printf("    clone, 16 pages written %11s | %s\n",
	       fmt_bytes(t[0], 24, m->dirty_mem),
	       fmt_bytes(t[1], 24, m->dirty_charged));
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

/* --- the figures with a target ------------------------------------------ */

static void fig_add(struct bench_figure *f, size_t *n, const char *key,
		    const char *label, const char *unit, double value,
		    double target)
{
	if (*n == BENCH_FIGURES_MAX)
		return;
	f += (*n)++;
	snprintf(f->key, sizeof(f->key), "%s", key);
	snprintf(f->label, sizeof(f->label), "%s", label);
	f->unit = unit;
	f->value = value;
	f->target = target;
}

/* A pair's ratio s2box/KVM (or clone/fresh) against the pair's target. */
static void fig_pair(struct bench_figure *f, size_t *n,
		     const struct bench_pair *p, const char *label)
{
	if (p && p->target > 0 && bench_ratio(p) > 0)
		fig_add(f, n, p->name, label, "x", bench_ratio(p), p->target);
}

/*
 * The round trip's part above the syscall floor, s2box's over KVM's:
 * what each adds to a no-op ioctl, which costs both the same.
 */
static void fig_above_floor(const struct bench *b, struct bench_figure *f,
			    size_t *n)
{
	const struct bench_pair *rt = find(b, "latency", "round_trip", 0, 0, 0);
	const struct bench_pair *fl = find(b, "latency", "floor_noop_ioctl",
					   0, 0, 0);

	if (!rt || !fl || bench_ratio(rt) <= 0 || bench_ratio(fl) <= 0 ||
	    rt->kvm.median <= fl->kvm.median)
		return;
	fig_add(f, n, "round_trip_above_floor", "round trip less the floor",
		"x", ((double)rt->box.median - fl->box.median) /
		(rt->kvm.median - fl->kvm.median), ABOVE_FLOOR_TARGET);
}

size_t bench_figures(const struct bench *b,
		     struct bench_figure f[BENCH_FIGURES_MAX])
{
	const struct bench_pair *small, *big;
	const struct bench_mem *m;
	char label[48], sz[24];
	size_t n = 0;

	fig_pair(f, &n, find(b, "latency", "round_trip", 0, 0, 0),
		 "round trip");
	fig_above_floor(b, f, &n);
	fig_pair(f, &n, find(b, "latency", "create_first_exit_destroy", 0, 0,
			     0), "create, first exit, destroy");
	fig_pair(f, &n, find(b, "touch", "touch_512MiB", 0, 0, 0),
		 "touch 512 MiB: MAP + RUN");
	fig_pair(f, &n, find(b, "touch", "touch_512MiB_release", 0, 0, 0),
		 "close 512 MiB vs KVM's destroy");
	m = find_mem(b, "s2box", S2BOX_GRANULE_4K, 36);
	if (m)
		fig_add(f, &n, "minimal_box_kernel_pages",
			"minimal box: kernel pages", "pages",
			kernel_pages(b, m), MINIMAL_BOX_PAGES);
	small = find_reset(b, 64 * 1024, 16);
	big = find_reset(b, b->reset_max_bytes, 16);
	fmt_bytes(sz, sizeof(sz), b->reset_max_bytes);
	snprintf(label, sizeof(label), "reset %s, 16 pages", sz);
	fig_pair(f, &n, big, label);
	if (small && big && med(small, false) > 0) {
		snprintf(label, sizeof(label), "reset %s vs 64 KiB (s2box)", sz);
		fig_add(f, &n, "reset_largest_vs_64KiB_16_dirty", label, "x",
			med(big, false) / med(small, false), RESET_SIZE_TARGET);
	}
	fig_pair(f, &n, find(b, "clone", "clone_first_exit", 0, 0, 0),
		 "clone vs fresh box, first exit");
	return n;
}

static void print_targets(const struct bench *b)
{
	struct bench_figure f[BENCH_FIGURES_MAX];
	size_t i, n = bench_figures(b, f);

	if (!n)
		return;
	printf("\nTargets of this boot (s2box/KVM unless it says otherwise; ");
	printf("met: at most the target)\n");
	for (i = 0; i < n; i++)
		printf("  %-36s %9.3f %-5s <= %-5g %s\n", f[i].label, f[i].value,
		       f[i].unit, f[i].target,
		       f[i].value <= f[i].target ? "met" : "NOT met");
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
	print_reset(b);
	print_clone(b);
	print_geometry(b);
	print_cpus(b);
	print_targets(b);
	printf("\n=== end of table ===\n");
	fflush(stdout);
}
