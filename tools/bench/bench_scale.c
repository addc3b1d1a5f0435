// SPDX-License-Identifier: GPL-2.0
/*
 * s2box_bench, scaling: round trip and create-to-first-exit against the
 * IPA size (and so the number of stage-2 levels) for every granule the
 * host has, KVM's VM type giving it the same IPA sizes in the host's
 * granule; and against the number of CPUs doing the same at once, one
 * pinned thread and one box or VM per CPU.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define GEOM_RT_ITERS		1000
#define GEOM_FIRST_ITERS	30
#define CPU_RT_ITERS		2000
#define CPU_FIRST_ITERS		60

static const unsigned int granules[] = {
	S2BOX_GRANULE_4K, S2BOX_GRANULE_16K, S2BOX_GRANULE_64K,
};

static unsigned int max_ipa(const struct bench *b)
{
	unsigned int i, m = b->kvm >= 0 ? b->kvm_ipa_max : 0, l;

	for (i = 0; i < ARRAY_SIZE(granules); i++) {
		l = s2box_ipa_limit(&b->caps, granules[i]);
		m = l > m ? l : m;
	}
	return m;
}

/*
 * One cell of the sweep: a granule and IPA size; KVM's samples for that
 * IPA size sit in the cell of the host's granule. Samples accumulate over
 * GEOM_PASSES passes, so that a burst of load on the machine touches a
 * part of every cell's samples rather than all of one cell's.
 */
struct geo_cell {
	unsigned int granule, ipa_bits, levels;
	bool kvm;
	struct bench_samples rt[2], first[2];	/* [0] s2box, [1] KVM */
};

#define GEOM_PASSES	3

static struct bench_samples *kvm_part(struct geo_cell *c,
				      struct bench_samples *s)
{
	return c->kvm ? &s[1] : NULL;
}

static int geometry_cell(struct bench *b, struct geo_cell *c, struct vmm *v,
			 size_t rt, size_t first)
{
	struct s2box_box_info info;
	int box = bench_box_rt_new(b, c->granule, c->ipa_bits, &info);

	if (box < 0)
		return -1;
	c->levels = info.levels;
	if (bench_collect_rt(&c->rt[0], box, kvm_part(c, c->rt), v, rt)) {
		close(box);
		return -1;
	}
	close(box);
	return bench_collect_first(b, &c->first[0], kvm_part(c, c->first),
				   c->granule, c->ipa_bits, first);
}

/* One pass over the IPA sizes, KVM's VM made once for each. */
static void geometry_pass(struct bench *b, struct geo_cell *cells, size_t n,
			  size_t rt, size_t first)
{
	struct vmm v;
	size_t i, j;

	for (i = 0; i < n; i = j) {
		bool kvm = false;

		for (j = i; j < n && cells[j].ipa_bits == cells[i].ipa_bits; j++)
			kvm |= cells[j].kvm;
		if (kvm && bench_kvm_rt_new(b, cells[i].ipa_bits, &v)) {
			bench_report_failure("geometry (KVM)");
			/* The boxes still count; KVM drops out of the cell. */
			for (j = i; j < n && cells[j].ipa_bits == cells[i].ipa_bits; j++)
				cells[j].kvm = false;
			kvm = false;
		}
		for (j = i; j < n && cells[j].ipa_bits == cells[i].ipa_bits; j++)
			if (geometry_cell(b, &cells[j], kvm ? &v : NULL, rt,
					  first))
				bench_report_failure("geometry");
		if (kvm)
			vmm_destroy(&v);
	}
}

static void geometry_pairs(struct bench *b, struct geo_cell *c)
{
	static const char * const names[] = {
		"round_trip", "create_first_exit_destroy",
	};
	struct bench_samples *s;
	struct bench_pair *p;
	int k;

	for (k = 0; k < 2; k++) {
		s = k ? c->first : c->rt;
		p = bench_pair_add(b, "geometry", names[k]);
		if (!p)
			return;
		p->granule = c->granule;
		p->ipa_bits = c->ipa_bits;
		p->levels = c->levels;
		p->kvm_levels = c->kvm ? bench_kvm_levels(b, c->ipa_bits) : 0;
		p->has_box = s[0].n > 0;
		p->has_kvm = c->kvm && s[1].n > 0;
		bench_summarise(&s[0], &p->box);
		if (c->kvm)
			bench_summarise(&s[1], &p->kvm);
	}
}

void bench_geometry(struct bench *b)
{
	const char *env = getenv("S2BOX_BENCH_IPA_STEP");
	unsigned int ipa, i, step = env ? strtoul(env, NULL, 10) : 1;
	size_t rt = bench_iters(b, GEOM_RT_ITERS) / GEOM_PASSES + 1;
	size_t first = bench_iters(b, GEOM_FIRST_ITERS) / GEOM_PASSES + 1;
	struct geo_cell cells[3 * 21];
	size_t n = 0, pass, k;
	int err = 0;

	step = step ? step : 1;
	for (ipa = S2BOX_IPA_BITS_MIN; ipa <= max_ipa(b); ipa += step) {
		for (i = 0; i < ARRAY_SIZE(granules); i++) {
			struct geo_cell *c = &cells[n];

			if (ipa > s2box_ipa_limit(&b->caps, granules[i]) ||
			    n == ARRAY_SIZE(cells))
				continue;
			memset(c, 0, sizeof(*c));
			c->granule = granules[i];
			c->ipa_bits = ipa;
			c->kvm = b->kvm >= 0 && ipa <= b->kvm_ipa_max &&
				 granules[i] == b->page_size;
			for (k = 0; k < 2; k++)
				err |= bench_samples_for(&c->rt[k], rt,
							 GEOM_PASSES) |
				       bench_samples_for(&c->first[k], first,
							 GEOM_PASSES);
			n++;
		}
	}
	if (err) {
		bench_log("geometry: out of memory");
		return;
	}
	for (pass = 0; pass < GEOM_PASSES; pass++)
		geometry_pass(b, cells, n, rt, first);
	for (i = 0; i < n; i++) {
		geometry_pairs(b, &cells[i]);
		for (k = 0; k < 2; k++) {
			bench_samples_free(&cells[i].rt[k]);
			bench_samples_free(&cells[i].first[k]);
		}
	}
	bench_log("geometry done");
}

/* --- CPUs -------------------------------------------------------------- */

struct cpu_worker {
	struct bench *b;
	pthread_t thread;
	pthread_barrier_t *start;
	unsigned int cpu;
	bool kvm, first;	/* KVM or s2box; create or round trip */
	size_t iters;
	struct bench_samples s;
	__u64 t0, t1;
	int err;
	char why[64];
};

static int worker_loop(struct cpu_worker *w, int box, struct vmm *v)
{
	unsigned int g = bench_main_granule(w->b);
	__u64 a, z;
	size_t i;
	int err = 0;

	w->t0 = now_ns();
	for (i = 0; !err && i < w->iters; i++) {
		a = now_ns();
		if (w->first)
			err = w->kvm ? bench_kvm_first(w->b, 40) :
				bench_box_first(w->b, g, 40);
		else
			err = w->kvm ? bench_kvm_rt(v) : bench_box_rt(box);
		z = now_ns();
		bench_sample(&w->s, z - a);
	}
	w->t1 = now_ns();
	return err;
}

static void *worker(void *arg)
{
	struct cpu_worker *w = arg;
	struct vmm v;
	int box = -1;

	w->err = pin_cpu(w->cpu);
	if (!w->err && !w->first) {
		if (w->kvm)
			w->err = bench_kvm_rt_new(w->b, 40, &v);
		else
			box = bench_box_rt_new(w->b, bench_main_granule(w->b),
					       40, NULL);
		w->err |= !w->kvm && box < 0;
	}
	/* Everyone starts together, whether set-up worked or not. */
	pthread_barrier_wait(w->start);
	if (!w->err)
		w->err = worker_loop(w, box, &v);
	if (w->err)
		snprintf(w->why, sizeof(w->why), "%s: %s", vmm_why,
			 strerror(errno));
	if (box >= 0)
		close(box);
	if (w->kvm && !w->first && v.vm >= 0)
		vmm_destroy(&v);
	return NULL;
}

/*
 * @n threads on CPUs 0..n-1 at once; their samples together in @st,
 * operations per second of all of them in @rate.
 */
static int cpus_run(struct bench *b, unsigned int n, bool kvm, bool first,
		    struct bench_stat *st, double *rate)
{
	struct cpu_worker *w = calloc(n, sizeof(*w));
	size_t per = bench_iters(b, first ? CPU_FIRST_ITERS : CPU_RT_ITERS);
	struct bench_samples all;
	pthread_barrier_t start;
	__u64 t0 = ~0ULL, t1 = 0;
	unsigned int i, j;
	int err = 0;

	if (!w || bench_samples_init(&all, per * n)) {
		free(w);
		return vmm_fail("out of memory");
	}
	pthread_barrier_init(&start, NULL, n);
	for (i = 0; i < n; i++) {
		w[i] = (struct cpu_worker){ .b = b, .start = &start, .cpu = i,
			.kvm = kvm, .first = first, .iters = per };
		if (bench_samples_init(&w[i].s, per) ||
		    pthread_create(&w[i].thread, NULL, worker, &w[i]))
			err = -1;	/* the barrier would wait forever */
	}
	if (err) {
		bench_log("cannot start %u threads", n);
		exit(1);
	}
	for (i = 0; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].err) {
			bench_log("CPU %u: %s", i, w[i].why);
			err = vmm_fail("a worker failed");
		}
		for (j = 0; j < w[i].s.n; j++)
			bench_sample(&all, w[i].s.ns[j]);
		t0 = w[i].t0 < t0 ? w[i].t0 : t0;
		t1 = w[i].t1 > t1 ? w[i].t1 : t1;
		bench_samples_free(&w[i].s);
	}
	pthread_barrier_destroy(&start);
	bench_summarise(&all, st);
	*rate = t1 > t0 ? all.n * 1e9 / (t1 - t0) : 0;
	bench_samples_free(&all);
	free(w);
	return err;
}

void bench_cpus(struct bench *b)
{
	struct bench_pair *p;
	unsigned int n, k;

	for (n = 1; n <= b->ncpus; n++) {
		for (k = 0; k < 2; k++) {
			p = bench_pair_add(b, "cpus", k ?
					   "create_first_exit_destroy" :
					   "round_trip");
			if (!p)
				return;
			p->threads = n;
			p->granule = bench_main_granule(b);
			p->ipa_bits = 40;
			if (cpus_run(b, n, false, k, &p->box, &p->box_rate))
				bench_report_failure("CPU scaling (s2box)");
			else
				p->has_box = true;
			if (b->kvm < 0)
				continue;
			if (cpus_run(b, n, true, k, &p->kvm, &p->kvm_rate))
				bench_report_failure("CPU scaling (KVM)");
			else
				p->has_kvm = true;
		}
	}
	bench_log("CPU scaling done");
}

/* --- the plot's data ---------------------------------------------------- */

static void plot_value(FILE *f, const struct bench *b, const char *name,
		       unsigned int granule, unsigned int ipa, bool kvm)
{
	size_t i;

	for (i = 0; i < b->npairs; i++) {
		const struct bench_pair *p = &b->pairs[i];

		if (strcmp(p->section, "geometry") || strcmp(p->name, name) ||
		    p->ipa_bits != ipa)
			continue;
		if (kvm && p->has_kvm) {
			fprintf(f, " %.3f", p->kvm.median / 1e3);
			return;
		}
		if (!kvm && p->has_box && p->granule == granule) {
			fprintf(f, " %.3f", p->box.median / 1e3);
			return;
		}
	}
	fprintf(f, " NaN");
}

/*
 * Medians in microseconds against the IPA size, one column per series,
 * NaN where a series has no point: what scripts/bench.sh gives gnuplot.
 */
void bench_write_plot_data(const struct bench *b, const char *path)
{
	static const char * const names[] = {
		"round_trip", "create_first_exit_destroy",
	};
	unsigned int ipa, i, k;
	FILE *f = fopen(path, "we");

	if (!f) {
		bench_log("cannot write %s: %s", path, strerror(errno));
		return;
	}
	fprintf(f, "# kernel %s, cpu %s, %s; medians in microseconds\n",
		b->kernel, b->cpu, b->accel);
	fprintf(f, "ipa_bits rt_s2box_4K rt_s2box_16K rt_s2box_64K rt_kvm");
	fprintf(f, " create_s2box_4K create_s2box_16K create_s2box_64K create_kvm\n");
	for (ipa = S2BOX_IPA_BITS_MIN; ipa <= 52; ipa++) {
		bool any = false;

		for (i = 0; i < b->npairs; i++)
			any |= !strcmp(b->pairs[i].section, "geometry") &&
			       b->pairs[i].ipa_bits == ipa;
		if (!any)
			continue;
		fprintf(f, "%u", ipa);
		for (k = 0; k < ARRAY_SIZE(names); k++) {
			for (i = 0; i < ARRAY_SIZE(granules); i++)
				plot_value(f, b, names[k], granules[i], ipa,
					   false);
			plot_value(f, b, names[k], 0, ipa, true);
		}
		fprintf(f, "\n");
	}
	fclose(f);
}
