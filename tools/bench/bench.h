/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2box_bench: s2box side by side with a minimal KVM VMM (kvm_vmm.h) in
 * one boot. Shared by its parts: s2box_bench.c (set-up, latencies,
 * output), bench_cold.c (create to first exit, phase by phase),
 * bench_mem.c (memory: touching, kernel cost, density),
 * bench_scale.c (geometry and CPU scaling), bench_reset.c (reset to a
 * snapshot against KVM's dirty log), bench_clone.c (clones against fresh
 * boxes), bench_stats.c (statistics, JSON) and bench_blobs.S (the guest
 * code).
 */
#ifndef S2BOX_BENCH_H
#define S2BOX_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/utsname.h>

#include <linux/types.h>
#include <linux/s2box.h>

#include "kvm_vmm.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MIB		(1024ULL * 1024)
#define BENCH_MAIN_IPA_BITS	40	/* KVM's default IPA size */

/* Guest layout, the same for boxes and KVM guests where both have it. */
#define BENCH_CODE_IPA	0x0ULL		/* code, one map unit or page */
#define BENCH_MMIO_IPA	0x20000000ULL	/* KVM: the exit page (VMM_MMIO_IPA) */
#define BENCH_DATA_IPA	0x40000000ULL	/* memory the touch blobs walk */

/* Guest code (bench_blobs.S); each blob's start and end label. */
#define BENCH_BLOB(name) extern const char name##_start[], name##_end[]
#define BENCH_BLOB_LEN(name) ((size_t)(name##_end - name##_start))
BENCH_BLOB(bench_box_hvc_loop);
BENCH_BLOB(bench_kvm_mmio_loop);
BENCH_BLOB(bench_box_first);
BENCH_BLOB(bench_kvm_first);
BENCH_BLOB(bench_box_touch);
BENCH_BLOB(bench_kvm_touch);
BENCH_BLOB(bench_box_dirty);
BENCH_BLOB(bench_kvm_dirty);

/* Summary of one set of samples, in nanoseconds. */
struct bench_stat {
	__u64 n, median, p99, min, max;
	double mean;
};

/* Samples of one measurement: a fixed-size buffer, filled in order. */
struct bench_samples {
	__u64 *ns;
	size_t n, cap;
};

/* A measured pair: the same work done by s2box and by KVM. */
struct bench_pair {
	const char *section;	/* latency, touch, geometry, cpus */
	const char *name;	/* what was measured */
	unsigned int granule;	/* 0: not applicable */
	unsigned int ipa_bits;	/* 0: not applicable */
	unsigned int levels;	/* stage-2 lookup levels of the box */
	unsigned int kvm_levels;
	unsigned int threads;	/* CPUs running at once; 0: one, unpinned */
	unsigned int mib;	/* memory touched */
	__u64 bytes;		/* box or memory slot size; 0: not applicable */
	unsigned int dirty;	/* pages written since the snapshot */
	const char *other;	/* what the second side is; NULL: "kvm" */
	bool has_box, has_kvm;
	struct bench_stat box, kvm;
	double box_rate, kvm_rate;	/* all threads together, per second */
	double target;		/* ratio s2box/KVM to meet; 0: none */
};

/*
 * A figure with a target: a ratio (unit "x") or a count. The table ends
 * with them, result.json has them, and scripts/bench-merge.py takes
 * their median over boots.
 */
struct bench_figure {
	char key[48];		/* stable, for matching boots */
	char label[48];
	const char *unit;
	double value, target;	/* met: value <= target */
};

#define BENCH_FIGURES_MAX	16

/* Kernel memory one object costs (memcg deltas), for the table. */
struct bench_mem {
	const char *side;	/* s2box or kvm */
	unsigned int granule;	/* box granule, or KVM's (host page) */
	unsigned int ipa_bits, levels, root_pages;
	__u64 table_pages;	/* from S2BOX_GET_BOX_INFO, per box */
	__u64 objects;
	double charged;		/* memory.current delta per object, bytes */
	double guest;		/* guest memory in it, bytes */
	double stat[8];		/* memory.stat deltas, see bench_stat_keys */
	bool exact;		/* stat[] is filled (memory.stat flushed) */
};

struct bench_density {
	const char *side;
	__u64 count;
	__u64 budget;		/* bytes the cgroup may use */
	double seconds;
	char stop[48];		/* why creation stopped */
};

extern const char * const bench_stat_keys[8];

/* Memory a clone holds against a fresh box of the same image. */
struct bench_clone_mem {
	__u64 image;		/* the template's memory, bytes */
	__u64 objects;		/* clones measured at once */
	/* fdinfo s2box_mem_bytes: host memory the box holds itself */
	long long fresh_mem, idle_mem, dirty_mem;
	long long idle_shared;	/* s2box_box_info.shared_bytes */
	long long idle_tables;	/* s2box_box_info.table_pages */
	/* memory.current per object; < 0: no memory cgroup */
	double fresh_charged, idle_charged, dirty_charged;
};

/* What the whole run knows; results accumulate here. */
struct bench {
	int ctl, kvm;		/* /dev/s2box, /dev/kvm (-1: no KVM) */
	struct s2box_caps caps;
	unsigned int kvm_ipa_max;
	unsigned int ncpus, page_size;
	unsigned int scale;	/* iterations in percent of the default */
	const char *kernel, *cpu, *accel, *outdir;
	char release[sizeof(((struct utsname *)0)->release)], thp[32];
	struct bench_pair pairs[256];
	size_t npairs;
	struct bench_mem mem[96];
	size_t nmem;
	struct bench_density density[3];
	size_t ndensity;
	bool memcg;		/* a cgroup2 memory controller is usable */
	char memcg_why[96];
	long max_boxes_per_user;	/* the module's, lifted to 0 meanwhile */
	long max_box_mem_mb;	/* the module's, raised for reset and clone */
	__u64 reset_max_bytes;	/* the largest box reset measured */
	char reset_note[96];	/* why it is smaller than 1 GiB, if it is */
	int kvm_dirty_manual;	/* KVM_CLEAR_DIRTY_LOG used (-1: not known) */
	bool has_clone_mem;
	struct bench_clone_mem clone_mem;
	int clone_tmpl;		/* the template density clones (-1: none) */
};

/* bench_stats.c */
int bench_samples_init(struct bench_samples *s, size_t cap);
void bench_samples_free(struct bench_samples *s);
static inline void bench_sample(struct bench_samples *s, __u64 ns)
{
	if (s->n < s->cap)
		s->ns[s->n++] = ns;
}

void bench_summarise(const struct bench_samples *s, struct bench_stat *st);
size_t bench_iters(const struct bench *b, size_t base);
struct bench_pair *bench_pair_add(struct bench *b, const char *section,
				  const char *name);
double bench_ratio(const struct bench_pair *p);
int bench_write_json(const struct bench *b, const char *path);
void bench_log(const char *fmt, ...) __printf(1, 2);
const char *bench_granule_name(unsigned int granule);

/*
 * One side of a measured pair: @op is timed; @prep, if any, runs before
 * each @op and is not (what brings the box or VM to the state @op
 * starts from).
 */
typedef int (*bench_op)(void *arg);
struct bench_ops {
	bench_op prep, op;
	void *arg;
	/* If set, after each @op whose sample is kept (not a warm-up one). */
	void (*kept)(void *arg);
};

/*
 * s2box_bench.c: the work both sides do, shared by the parts. Each
 * returns 0, or -1 with vmm_why naming the step that failed.
 */
int bench_box_rt_new(struct bench *b, unsigned int granule,
		     unsigned int ipa_bits, struct s2box_box_info *info);
int bench_box_rt(int box);
int bench_kvm_rt_new(struct bench *b, unsigned int ipa_bits, struct vmm *v);
int bench_kvm_rt(struct vmm *v);
unsigned int bench_kvm_levels(const struct bench *b, unsigned int ipa_bits);
int bench_samples_for(struct bench_samples *s, size_t iters, size_t times);
int bench_collect_rt(struct bench_samples *bs, int box,
		     struct bench_samples *ks, struct vmm *v, size_t iters);
int bench_collect_first(struct bench *b, struct bench_samples *bs,
			struct bench_samples *ks, unsigned int granule,
			unsigned int ipa_bits, size_t iters);
unsigned int bench_main_granule(const struct bench *b);
/* bench_ops of either side (or NULL) timed in turns, summarised in @p. */
int bench_measure(struct bench_pair *p, const struct bench_ops *box,
		  const struct bench_ops *kvm, size_t iters);
/* Set a module parameter of s2box; the old value in *@old (-1: none). */
void bench_param_set(const char *name, long value, long *old);
void bench_param_restore(const char *name, long old);
/* Logs what failed (vmm_why, errno); the run then exits non-zero. */
void bench_report_failure(const char *what);

/* bench_table.c */
void bench_print_table(const struct bench *b);
/* The figures with a target that @b has measured, in @f; their number. */
size_t bench_figures(const struct bench *b,
		     struct bench_figure f[BENCH_FIGURES_MAX]);

/*
 * bench_cold.c: create, first exit, destroy. With @t, now_ns() at the
 * start and after each phase (BENCH_COLD_PHASES + 1 of them).
 */
#define BENCH_COLD_PHASES	6
int bench_box_first_at(struct bench *b, unsigned int granule,
		       unsigned int ipa_bits, __u64 *t);
int bench_kvm_first_at(struct bench *b, unsigned int ipa_bits, __u64 *t);
static inline int bench_box_first(struct bench *b, unsigned int granule,
				  unsigned int ipa_bits)
{
	return bench_box_first_at(b, granule, ipa_bits, NULL);
}

static inline int bench_kvm_first(struct bench *b, unsigned int ipa_bits)
{
	return bench_kvm_first_at(b, ipa_bits, NULL);
}

/* The latency part's create_first_exit_destroy and its phases. */
void bench_cold_start(struct bench *b);

/* bench_mem.c */
void bench_touch(struct bench *b);
void bench_kernel_memory(struct bench *b);
void bench_density(struct bench *b);
void bench_density_clones(struct bench *b);
bool bench_memcg_ready(struct bench *b);
/* memory.current of the bench's cgroup, settled first with @settle. */
long long bench_memcg_charged(bool settle);
/* The value of @key in a "key value" or "key: value" file; -1: none. */
long long bench_read_keyed(const char *path, const char *key);

/* bench_reset.c */
void bench_reset(struct bench *b);

/* bench_clone.c */
void bench_clone(struct bench *b);
/* A clone of b->clone_tmpl for the density child; its fd, or -1. */
int bench_clone_one(struct bench *b);
/* A value of /proc/self/fdinfo of @fd; -1: none. */
long long bench_fdinfo(int fd, const char *key);

/* bench_scale.c */
void bench_geometry(struct bench *b);
void bench_cpus(struct bench *b);
void bench_write_plot_data(const struct bench *b, const char *path);

#endif /* S2BOX_BENCH_H */
