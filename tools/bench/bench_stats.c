// SPDX-License-Identifier: GPL-2.0
/*
 * s2box_bench: samples, their summary (median and p99 from the sorted
 * samples), and the JSON file the host keeps under build/bench/.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

const char * const bench_stat_keys[8] = {
	"kernel", "slab", "pagetables", "sec_pagetables", "percpu",
	"vmalloc", "kernel_stack", "sock",
};

int bench_samples_init(struct bench_samples *s, size_t cap)
{
	s->n = 0;
	s->cap = cap ? cap : 1;
	s->ns = calloc(s->cap, sizeof(*s->ns));
	return s->ns ? 0 : -1;
}

void bench_samples_free(struct bench_samples *s)
{
	free(s->ns);
	s->ns = NULL;
	s->n = 0;
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentiles: p99 is a sample that was really measured. */
void bench_summarise(const struct bench_samples *s, struct bench_stat *st)
{
	double sum = 0;
	size_t i, rank;

	memset(st, 0, sizeof(*st));
	if (!s->n)
		return;
	qsort(s->ns, s->n, sizeof(*s->ns), cmp_u64);
	for (i = 0; i < s->n; i++)
		sum += s->ns[i];
	st->n = s->n;
	st->min = s->ns[0];
	st->max = s->ns[s->n - 1];
	st->median = s->n % 2 ? s->ns[s->n / 2] :
		(s->ns[s->n / 2 - 1] + s->ns[s->n / 2]) / 2;
	rank = (s->n * 99 + 99) / 100;
	st->p99 = s->ns[rank - 1];
	st->mean = sum / s->n;
}

/* @base iterations scaled by S2BOX_BENCH_SCALE (percent), at least 5. */
size_t bench_iters(const struct bench *b, size_t base)
{
	size_t n = base * b->scale / 100;

	return n < 5 ? 5 : n;
}

struct bench_pair *bench_pair_add(struct bench *b, const char *section,
				  const char *name)
{
	struct bench_pair *p;

	if (b->npairs == ARRAY_SIZE(b->pairs))
		return NULL;
	p = &b->pairs[b->npairs++];
	memset(p, 0, sizeof(*p));
	p->section = section;
	p->name = name;
	return p;
}

/* s2box over KVM, medians; 0 when one side is missing. */
double bench_ratio(const struct bench_pair *p)
{
	if (!p->has_box || !p->has_kvm || !p->kvm.median)
		return 0;
	return (double)p->box.median / p->kvm.median;
}

/* Progress on stdout, unbuffered in effect: the host streams it. */
void bench_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("bench: ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

const char *bench_granule_name(unsigned int granule)
{
	switch (granule) {
	case S2BOX_GRANULE_4K:
		return "4K";
	case S2BOX_GRANULE_16K:
		return "16K";
	case S2BOX_GRANULE_64K:
		return "64K";
	}
	return "-";
}

static void json_stat(FILE *f, const char *key, const struct bench_stat *s)
{
	fprintf(f, "\"%s\": {\"iterations\": %llu, \"median_ns\": %llu, ",
		key, (unsigned long long)s->n, (unsigned long long)s->median);
	fprintf(f, "\"p99_ns\": %llu, \"min_ns\": %llu, \"max_ns\": %llu, ",
		(unsigned long long)s->p99, (unsigned long long)s->min,
		(unsigned long long)s->max);
	fprintf(f, "\"mean_ns\": %.0f}", s->mean);
}

static void json_pair(FILE *f, const struct bench_pair *p)
{
	double r = bench_ratio(p);

	fprintf(f, "    {\"section\": \"%s\", \"name\": \"%s\"", p->section,
		p->name);
	if (p->granule)
		fprintf(f, ", \"granule\": %u", p->granule);
	if (p->ipa_bits)
		fprintf(f, ", \"ipa_bits\": %u", p->ipa_bits);
	if (p->levels)
		fprintf(f, ", \"levels\": %u", p->levels);
	if (p->kvm_levels)
		fprintf(f, ", \"kvm_levels\": %u", p->kvm_levels);
	if (p->threads)
		fprintf(f, ", \"threads\": %u", p->threads);
	if (p->mib)
		fprintf(f, ", \"mib\": %u", p->mib);
	if (p->bytes)
		fprintf(f, ", \"bytes\": %llu, \"dirty_pages\": %u",
			(unsigned long long)p->bytes, p->dirty);
	if (p->has_box) {
		fprintf(f, ",\n     ");
		json_stat(f, "s2box", &p->box);
	}
	if (p->has_kvm) {
		fprintf(f, ",\n     ");
		json_stat(f, p->other ? p->other : "kvm", &p->kvm);
	}
	if (r > 0)
		fprintf(f, ",\n     \"ratio\": %.4f", r);
	if (p->target > 0 && r > 0)
		fprintf(f, ", \"target\": %.2f, \"met\": %s", p->target,
			r <= p->target ? "true" : "false");
	fprintf(f, "}");
}

static void json_mem(FILE *f, const struct bench *b, const struct bench_mem *m)
{
	double kernel = m->charged - m->guest;
	size_t i;

	fprintf(f, "    {\"side\": \"%s\", \"granule\": %u, \"ipa_bits\": %u, ",
		m->side, m->granule, m->ipa_bits);
	fprintf(f, "\"levels\": %u, \"root_pages\": %u, \"table_pages\": %llu, ",
		m->levels, m->root_pages, (unsigned long long)m->table_pages);
	fprintf(f, "\"objects\": %llu,\n     \"charged_bytes\": %.0f, ",
		(unsigned long long)m->objects, m->charged);
	fprintf(f, "\"guest_bytes\": %.0f, \"kernel_bytes\": %.0f, ",
		m->guest, kernel);
	fprintf(f, "\"kernel_pages\": %.2f", kernel / b->page_size);
	if (m->exact) {
		fprintf(f, ",\n     \"memory_stat_bytes\": {");
		for (i = 0; i < ARRAY_SIZE(bench_stat_keys); i++)
			fprintf(f, "%s\"%s\": %.0f", i ? ", " : "",
				bench_stat_keys[i], m->stat[i]);
		fprintf(f, "}");
	}
	fprintf(f, "}");
}

static void json_caps(FILE *f, const struct s2box_caps *c)
{
	fprintf(f, "  \"caps\": {\"pa_bits\": %u, \"ipa_bits_max_4k\": %u, ",
		c->pa_bits, c->ipa_bits_max_4k);
	fprintf(f, "\"ipa_bits_max_16k\": %u, \"ipa_bits_max_64k\": %u, ",
		c->ipa_bits_max_16k, c->ipa_bits_max_64k);
	fprintf(f, "\"vmid_bits\": %u, \"fwb\": %s, \"host_page_size\": %u},\n",
		c->vmid_bits, c->flags & S2BOX_CAP_FWB ? "true" : "false",
		c->host_page_size);
}

static void json_clone_mem(FILE *f, const struct bench *b)
{
	const struct bench_clone_mem *m = &b->clone_mem;

	if (!b->has_clone_mem)
		return;
	fprintf(f, "  \"clone_memory\": {\"image_bytes\": %llu, \"clones\": %llu, ",
		(unsigned long long)m->image, (unsigned long long)m->objects);
	fprintf(f, "\"fresh_mem_bytes\": %lld, \"idle_mem_bytes\": %lld, ",
		m->fresh_mem, m->idle_mem);
	fprintf(f, "\"dirty_16_mem_bytes\": %lld, \"idle_shared_bytes\": %lld, ",
		m->dirty_mem, m->idle_shared);
	fprintf(f, "\"idle_table_pages\": %lld,\n    \"fresh_charged_bytes\": %.0f, ",
		m->idle_tables, m->fresh_charged);
	fprintf(f, "\"idle_charged_bytes\": %.0f, \"dirty_16_charged_bytes\": %.0f},\n",
		m->idle_charged, m->dirty_charged);
}

/* The figures with a target (bench_figures()), for merging boots. */
static void json_figures(FILE *f, const struct bench *b)
{
	struct bench_figure fig[BENCH_FIGURES_MAX];
	size_t i, n = bench_figures(b, fig);

	fprintf(f, "  \"figures\": [\n");
	for (i = 0; i < n; i++) {
		fprintf(f, "    {\"key\": \"%s\", \"label\": \"%s\", ",
			fig[i].key, fig[i].label);
		fprintf(f, "\"unit\": \"%s\", \"value\": %.4f, ", fig[i].unit,
			fig[i].value);
		fprintf(f, "\"target\": %g, \"met\": %s}%s\n", fig[i].target,
			fig[i].value <= fig[i].target ? "true" : "false",
			i + 1 < n ? "," : "");
	}
	fprintf(f, "  ],\n");
}

int bench_write_json(const struct bench *b, const char *path)
{
	FILE *f = fopen(path, "we");
	size_t i;

	if (!f)
		return -1;
	fprintf(f, "{\n  \"kernel\": \"%s\", \"kernel_release\": \"%s\",\n",
		b->kernel, b->release);
	fprintf(f, "  \"cpu\": \"%s\", \"accel\": \"%s\", \"cpus\": %u, ",
		b->cpu, b->accel, b->ncpus);
	fprintf(f, "\"page_size\": %u, \"thp\": \"%s\", \"scale_percent\": %u,\n",
		b->page_size, b->thp, b->scale);
	fprintf(f, "  \"kvm\": %s, \"kvm_ipa_bits_max\": %u, ",
		b->kvm >= 0 ? "true" : "false", b->kvm_ipa_max);
	fprintf(f, "\"max_boxes_per_user_lifted_from\": %ld,\n",
		b->max_boxes_per_user);
	json_caps(f, &b->caps);
	if (b->reset_max_bytes) {
		fprintf(f, "  \"reset_max_bytes\": %llu, \"reset_note\": \"%s\", ",
			(unsigned long long)b->reset_max_bytes, b->reset_note);
		fprintf(f, "\"kvm_clear_dirty_log\": %s,\n",
			b->kvm_dirty_manual > 0 ? "true" : "false");
	}
	json_clone_mem(f, b);
	json_figures(f, b);
	fprintf(f, "  \"pairs\": [\n");
	for (i = 0; i < b->npairs; i++) {
		json_pair(f, &b->pairs[i]);
		fprintf(f, "%s\n", i + 1 < b->npairs ? "," : "");
	}
	fprintf(f, "  ],\n  \"memory\": [\n");
	for (i = 0; i < b->nmem; i++) {
		json_mem(f, b, &b->mem[i]);
		fprintf(f, "%s\n", i + 1 < b->nmem ? "," : "");
	}
	fprintf(f, "  ],\n  \"memcg\": %s, \"memcg_note\": \"%s\",\n",
		b->memcg ? "true" : "false", b->memcg_why);
	fprintf(f, "  \"density\": [\n");
	for (i = 0; i < b->ndensity; i++) {
		const struct bench_density *d = &b->density[i];

		fprintf(f, "    {\"side\": \"%s\", \"count\": %llu, ", d->side,
			(unsigned long long)d->count);
		fprintf(f, "\"budget_bytes\": %llu, \"seconds\": %.2f, ",
			(unsigned long long)d->budget, d->seconds);
		fprintf(f, "\"stopped_by\": \"%s\"}%s\n", d->stop,
			i + 1 < b->ndensity ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	return fclose(f) ? -1 : 0;
}
