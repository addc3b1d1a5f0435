// SPDX-License-Identifier: GPL-2.0
/*
 * s2box_bench: the same work done by s2box and by a minimal KVM VMM
 * (selftests/s2box/kvm_vmm.h: KVM's ioctls directly, the IPA size through
 * the VM type), in one boot, so that both pay the same machine:
 *
 *   floor        a no-op ioctl on /dev/s2box (ENOTTY) and on /dev/kvm
 *   round trip   S2BOX_RUN -> HVC -> return against KVM_RUN -> MMIO exit
 *   first exit   create, map one page, load 64 bytes, run to the first
 *                exit, destroy: a box against a VM with one memory slot
 *                and one vCPU, and its phases (bench_cold.c)
 *   touch        every page of 4, 64 and 512 MiB (bench_mem.c)
 *   memory       kernel memory per box for every geometry, per VM, and
 *                how many fit in a memory cgroup (bench_mem.c)
 *   scaling      against IPA size and granule, and CPUs (bench_scale.c)
 *   reset        S2BOX_RESET against KVM's dirty log (bench_reset.c)
 *   clone        S2BOX_CLONE against a fresh box (bench_clone.c)
 *
 * Samples are CLOCK_MONOTONIC around each operation; s2box and KVM take
 * turns in blocks so that a slow phase of the machine hits both. Output: a
 * table on stdout, result.json and latency-vs-ipa.dat in $S2BOX_BENCH_OUT
 * (default /tmp/s2box-bench).
 *
 * Environment: S2BOX_BENCH_KERNEL, S2BOX_BENCH_CPU, S2BOX_BENCH_ACCEL name
 * the machine in the report; S2BOX_BENCH_SCALE is the number of iterations
 * in percent of the default (100); S2BOX_BENCH_ONLY a list of the parts
 * to run (latency touch memory density geometry cpus reset clone;
 * default all).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"

/* An ioctl number no s2box device knows: the dispatch alone, ENOTTY. */
#define S2BOX_BENCH_NOOP	_IO(S2BOX_IOC_MAGIC, 0xff)

#define RT_ITERS	20000
#define BLOCKS		10	/* s2box and KVM take turns this often */
#define NOFILE		65536	/* density keeps up to 40000 fds open */

static int failures;

/* --- the work ---------------------------------------------------------- */

int bench_box_rt_new(struct bench *b, unsigned int granule,
		     unsigned int ipa_bits, struct s2box_box_info *info)
{
	__u64 align;
	int box = box_with_code(b->ctl, granule, ipa_bits,
				bench_box_hvc_loop_start,
				BENCH_BLOB_LEN(bench_box_hvc_loop), &align);

	if (box < 0)
		return -1;
	if (info && ioctl(box, S2BOX_GET_BOX_INFO, info)) {
		close(box);
		return vmm_fail("S2BOX_GET_BOX_INFO");
	}
	return box;
}

/* One S2BOX_RUN, no budget: in, HVC, out. */
int bench_box_rt(int box)
{
	struct s2box_run run;

	memset(&run, 0, sizeof(run));
	if (ioctl(box, S2BOX_RUN, &run))
		return vmm_fail("S2BOX_RUN");
	if (run.exit_reason != S2BOX_EXIT_HVC)
		return vmm_fail("S2BOX_RUN: exit other than HVC");
	return 0;
}

/* A VM of @ipa_bits whose vCPU stores to the MMIO page in a loop. */
int bench_kvm_rt_new(struct bench *b, unsigned int ipa_bits, struct vmm *v)
{
	struct vmm_cfg c = {
		.kvm = b->kvm, .ipa_bits = ipa_bits, .mem_ipa = VMM_MEM_IPA,
		.mem_size = b->page_size,
	};

	if (vmm_create_cfg(v, &c))
		return -1;
	vmm_load(v, 0, bench_kvm_mmio_loop_start,
		 BENCH_BLOB_LEN(bench_kvm_mmio_loop));
	if (vmm_start(v, 0, NULL, 0)) {
		vmm_destroy(v);
		return -1;
	}
	return 0;
}

int bench_kvm_rt(struct vmm *v)
{
	__u64 off, data;

	return vmm_run_mmio(v, &off, &data);
}

/*
 * KVM's stage-2 levels for an IPA size: the fewest that reach it with up
 * to 16 concatenated tables at the start level, at least two, in the
 * host page size (arch/arm64/include/asm/stage2_pgtable.h).
 */
unsigned int bench_kvm_levels(const struct bench *b, unsigned int ipa_bits)
{
	unsigned int shift = __builtin_ctz(b->page_size);
	unsigned int levels = (ipa_bits - 8) / (shift - 3);

	return levels < 2 ? 2 : levels;
}

/* --- measuring --------------------------------------------------------- */

struct side {
	bench_op op;
	void *arg;
	struct bench_samples s;
	bench_op prep;		/* untimed, before each op; may be NULL */
	void (*kept)(void *arg);	/* after each op whose sample is kept */
};

static int op_box_noop(void *arg)
{
	struct bench *b = arg;

	return ioctl(b->ctl, S2BOX_BENCH_NOOP) == -1 && errno == ENOTTY ? 0 :
		vmm_fail("no-op ioctl did not fail with ENOTTY");
}

static int op_kvm_noop(void *arg)
{
	struct bench *b = arg;

	return ioctl(b->kvm, KVM_GET_API_VERSION, 0) == KVM_API_VERSION ? 0 :
		vmm_fail("KVM_GET_API_VERSION");
}

static int op_box_rt(void *arg)
{
	return bench_box_rt(*(int *)arg);
}

static int op_kvm_rt(void *arg)
{
	return bench_kvm_rt(arg);
}

struct budget_box {
	int box;
	__u64 budget_ns;
};

/* As op_box_rt, with a budget: the hrtimer armed and cancelled. */
static int op_box_rt_budget(void *arg)
{
	struct budget_box *bb = arg;
	struct s2box_run run;

	memset(&run, 0, sizeof(run));
	run.budget_ns = bb->budget_ns;
	if (ioctl(bb->box, S2BOX_RUN, &run))
		return vmm_fail("S2BOX_RUN");
	return run.exit_reason == S2BOX_EXIT_HVC ? 0 :
		vmm_fail("S2BOX_RUN: exit other than HVC");
}

struct first_arg {
	struct bench *b;
	unsigned int granule, ipa_bits;
};

static int op_box_first(void *arg)
{
	struct first_arg *f = arg;

	return bench_box_first(f->b, f->granule, f->ipa_bits);
}

static int op_kvm_first(void *arg)
{
	struct first_arg *f = arg;

	return bench_kvm_first(f->b, f->ipa_bits);
}

/* Time @n operations of @s, one sample each (none kept when warming). */
static int run_side(struct side *s, size_t n, bool keep)
{
	__u64 t0, t1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s->prep && s->prep(s->arg))
			return -1;
		t0 = now_ns();
		if (s->op(s->arg))
			return -1;
		t1 = now_ns();
		if (!keep)
			continue;
		bench_sample(&s->s, t1 - t0);
		if (s->kept)
			s->kept(s->arg);
	}
	return 0;
}

/*
 * Add @iters timed operations of each of the @n sides (any may be NULL)
 * to its samples, in BLOCKS turns, after a few unrecorded ones that warm
 * caches and lazily allocated state.
 */
static int collect_n(struct side **sides, size_t n, size_t iters)
{
	size_t blk, i, per = (iters + BLOCKS - 1) / BLOCKS;
	int err = 0;

	for (i = 0; !err && i < n; i++)
		if (sides[i])
			err = run_side(sides[i], per / 10 + 1, false);
	for (blk = 0; !err && blk < BLOCKS; blk++)
		for (i = 0; !err && i < n; i++)
			if (sides[i])
				err = run_side(sides[i], per, true);
	return err;
}

static int collect(struct side *box, struct side *kvm, size_t iters)
{
	struct side *sides[2] = { box, kvm };

	return collect_n(sides, 2, iters);
}

/* Samples for @iters operations as collect() rounds them, @times over. */
int bench_samples_for(struct bench_samples *s, size_t iters, size_t times)
{
	return bench_samples_init(s, (iters + BLOCKS - 1) / BLOCKS * BLOCKS *
				  times);
}

#define TOGETHER_MAX	2	/* pairs measured in the same turns */

/*
 * @n pairs measured together: all their sides take turns in the same
 * blocks (box[i] and kvm[i], any NULL, are pair @p[i]'s), so that what
 * one phase of the machine costs hits them all; each summarised into its
 * pair.
 */
static int measure_n(struct bench_pair **p, struct side **box,
		     struct side **kvm, size_t n, size_t iters)
{
	struct side *all[2 * TOGETHER_MAX];
	size_t i, k = 0;
	int err = -1;

	for (i = 0; i < n && i < TOGETHER_MAX; i++) {
		all[k++] = box[i];
		all[k++] = kvm[i];
	}
	for (i = 0; i < k; i++)
		if (all[i] && bench_samples_for(&all[i]->s, iters, 1)) {
			vmm_fail("out of memory");
			goto out;
		}
	err = collect_n(all, k, iters);
	for (i = 0; !err && i < k; i++) {
		if (!all[i])
			continue;
		if (i % 2) {
			bench_summarise(&all[i]->s, &p[i / 2]->kvm);
			p[i / 2]->has_kvm = true;
		} else {
			bench_summarise(&all[i]->s, &p[i / 2]->box);
			p[i / 2]->has_box = true;
		}
	}
out:
	for (i = 0; i < k; i++)
		if (all[i])
			bench_samples_free(&all[i]->s);
	return err;
}

/* collect() of each side present, summarised into @p. */
static int measure(struct bench_pair *p, struct side *box, struct side *kvm,
		   size_t iters)
{
	return measure_n(&p, &box, &kvm, 1, iters);
}

int bench_measure(struct bench_pair *p, const struct bench_ops *box,
		  const struct bench_ops *kvm, size_t iters)
{
	struct side sb = { .op = box ? box->op : NULL,
			   .arg = box ? box->arg : NULL,
			   .prep = box ? box->prep : NULL,
			   .kept = box ? box->kept : NULL };
	struct side sk = { .op = kvm ? kvm->op : NULL,
			   .arg = kvm ? kvm->arg : NULL,
			   .prep = kvm ? kvm->prep : NULL,
			   .kept = kvm ? kvm->kept : NULL };

	return measure(p, box ? &sb : NULL, kvm ? &sk : NULL, iters);
}

void bench_report_failure(const char *what)
{
	bench_log("%s FAILED: %s: %s", what, vmm_why, strerror(errno));
	failures++;
}

/* The granule KVM uses (the host page), or the first a box can have. */
unsigned int bench_main_granule(const struct bench *b)
{
	unsigned int g = b->page_size;

	if (s2box_ipa_limit(&b->caps, g))
		return g;
	return s2box_any_granule(b->ctl);
}

/*
 * The floor and the round trip take turns in the same blocks: the round
 * trip's part above the floor (bench_figures()) is then a difference of
 * two medians the same phases of the machine made.
 */
static void bench_floor_and_round_trip(struct bench *b)
{
	unsigned int g = bench_main_granule(b);
	struct side box = { .op = op_box_rt }, kvm = { .op = op_kvm_rt };
	struct side box_noop = { .op = op_box_noop, .arg = b };
	struct side kvm_noop = { .op = op_kvm_noop, .arg = b };
	struct side *boxes[2] = { &box_noop, &box };
	struct side *kvms[2] = { &kvm_noop, &kvm };
	struct budget_box bb = { .budget_ns = 1000000000ULL };
	struct bench_pair *p, *pairs[2];
	struct s2box_box_info info;
	struct vmm v;
	int fd;

	fd = bench_box_rt_new(b, g, BENCH_MAIN_IPA_BITS, &info);
	if (fd < 0) {
		bench_report_failure("round trip");
		return;
	}
	if (b->kvm >= 0 && bench_kvm_rt_new(b, BENCH_MAIN_IPA_BITS, &v)) {
		bench_report_failure("round trip (KVM)");
		close(fd);
		return;
	}
	box.arg = &fd;
	kvm.arg = &v;
	if (b->kvm < 0) {
		kvms[0] = NULL;
		kvms[1] = NULL;
	}
	pairs[0] = bench_pair_add(b, "latency", "floor_noop_ioctl");
	pairs[1] = bench_pair_add(b, "latency", "round_trip");
	p = pairs[1];
	if (p) {
		p->granule = g;
		p->ipa_bits = BENCH_MAIN_IPA_BITS;
		p->levels = info.levels;
		p->kvm_levels = bench_kvm_levels(b, BENCH_MAIN_IPA_BITS);
		p->target = 0.3;
		if (measure_n(pairs, boxes, kvms, 2, bench_iters(b, RT_ITERS)))
			bench_report_failure("floor and round trip");
	}
	/* What a budget (an hrtimer per RUN) adds; s2box only. */
	bb.box = fd;
	box.op = op_box_rt_budget;
	box.arg = &bb;
	p = bench_pair_add(b, "latency", "round_trip_with_budget");
	if (p && measure(p, &box, NULL, bench_iters(b, RT_ITERS / 4)))
		bench_report_failure("round trip with budget");
	close(fd);
	if (b->kvm >= 0)
		vmm_destroy(&v);
}

/*
 * For bench_scale.c: collect() into samples it keeps, either side NULL.
 * Round trips of @box and @v; create-to-first-exit of @granule, @ipa_bits.
 */
/* collect() into the caller's samples; a NULL side is not measured. */
static int collect_into(struct side *sb, struct bench_samples *bs,
			struct side *sk, struct bench_samples *ks,
			size_t iters)
{
	int err;

	if (bs)
		sb->s = *bs;
	if (ks)
		sk->s = *ks;
	err = collect(bs ? sb : NULL, ks ? sk : NULL, iters);
	if (bs)
		*bs = sb->s;
	if (ks)
		*ks = sk->s;
	return err;
}

int bench_collect_rt(struct bench_samples *bs, int box,
		     struct bench_samples *ks, struct vmm *v, size_t iters)
{
	struct side sb = { .op = op_box_rt, .arg = &box };
	struct side sk = { .op = op_kvm_rt, .arg = v };

	return collect_into(&sb, bs, &sk, ks, iters);
}

int bench_collect_first(struct bench *b, struct bench_samples *bs,
			struct bench_samples *ks, unsigned int granule,
			unsigned int ipa_bits, size_t iters)
{
	struct first_arg f = { b, granule, ipa_bits };
	struct side sb = { .op = op_box_first, .arg = &f };
	struct side sk = { .op = op_kvm_first, .arg = &f };

	return collect_into(&sb, bs, &sk, ks, iters);
}

/* --- set-up and output ------------------------------------------------ */

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

static bool part_wanted(const char *part)
{
	const char *only = getenv("S2BOX_BENCH_ONLY");
	size_t n = strlen(part);
	const char *p;

	if (!only || !*only)
		return true;
	for (p = strstr(only, part); p; p = strstr(p + 1, part))
		if ((p == only || strchr(" ,", p[-1])) && strchr(" ,", p[n]))
			return true;
	return false;
}

/* The word in brackets of a sysfs choice file ("always [madvise] never"). */
static void read_choice(const char *path, char *out, size_t len)
{
	char buf[128] = "", *l, *r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	snprintf(out, len, "unknown");
	if (n <= 0)
		return;
	buf[n] = 0;
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (r) {
		*r = 0;
		snprintf(out, len, "%s", l + 1);
	}
}

#define PARAM_DIR	"/sys/module/s2box/parameters/"

/*
 * The density measurement creates boxes until memory runs out, far more
 * than the per-user limit allows (1024 by default), and reset and clone
 * want boxes with a snapshot of up to 1 GiB: such limits are lifted
 * meanwhile and restored at the end.
 */
void bench_param_set(const char *name, long value, long *old)
{
	char path[160], cur[32] = "", buf[32];
	int fd, len;

	*old = -1;
	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	len = snprintf(buf, sizeof(buf), "%ld", value);
	if (read(fd, cur, sizeof(cur) - 1) > 0) {
		*old = strtol(cur, NULL, 10);
		if (pwrite(fd, buf, len, 0) != len)
			*old = -1;
	}
	close(fd);
}

void bench_param_restore(const char *name, long old)
{
	char path[160], buf[32];
	int fd;

	if (old < 0)
		return;
	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	snprintf(buf, sizeof(buf), "%ld", old);
	if (fd < 0 || write(fd, buf, strlen(buf)) < 0)
		bench_log("cannot restore %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

static int setup(struct bench *b)
{
	struct rlimit nofile = { NOFILE, NOFILE };
	struct utsname u;
	long scale = strtol(env_or("S2BOX_BENCH_SCALE", "100"), NULL, 10);
	int ipa;

	b->kernel = env_or("S2BOX_BENCH_KERNEL", "unknown");
	b->cpu = env_or("S2BOX_BENCH_CPU", "unknown");
	b->accel = env_or("S2BOX_BENCH_ACCEL", "unknown");
	b->outdir = env_or("S2BOX_BENCH_OUT", "/tmp/s2box-bench");
	b->scale = scale > 0 && scale <= 10000 ? scale : 100;
	b->page_size = getpagesize();
	b->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (!uname(&u))
		snprintf(b->release, sizeof(b->release), "%s", u.release);
	read_choice("/sys/kernel/mm/transparent_hugepage/enabled", b->thp,
		    sizeof(b->thp));
	if (setrlimit(RLIMIT_NOFILE, &nofile))
		bench_log("cannot raise RLIMIT_NOFILE: %s", strerror(errno));
	b->ctl = s2box_open_ctl();
	if (b->ctl < 0 || ioctl(b->ctl, S2BOX_GET_CAPS, &b->caps)) {
		bench_log("%s: %s", S2BOX_DEVICE_PATH, strerror(errno));
		return -1;
	}
	bench_param_set("max_boxes_per_user", 0, &b->max_boxes_per_user);
	b->max_box_mem_mb = -1;
	b->clone_tmpl = -1;
	b->kvm_dirty_manual = -1;
	b->kvm = vmm_available() ? open("/dev/kvm", O_RDWR | O_CLOEXEC) : -1;
	if (b->kvm < 0) {
		bench_log("no /dev/kvm: s2box side only");
		return 0;
	}
	ipa = ioctl(b->kvm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);
	b->kvm_ipa_max = ipa > 0 ? ipa : 40;
	return 0;
}

static void write_outputs(const struct bench *b)
{
	char path[512];

	mkdir(b->outdir, 0755);
	snprintf(path, sizeof(path), "%s/result.json", b->outdir);
	if (bench_write_json(b, path)) {
		bench_log("cannot write %s: %s", path, strerror(errno));
		failures++;
	}
	snprintf(path, sizeof(path), "%s/latency-vs-ipa.dat", b->outdir);
	bench_write_plot_data(b, path);
}

int main(void)
{
	static struct bench b;
	__u64 t0 = now_ns();

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setup(&b))
		return 2;
	bench_log("kernel %s (%s), cpu %s, %s, %u CPUs, scale %u%%", b.kernel,
		  b.release, b.cpu, b.accel, b.ncpus, b.scale);
	/* One CPU for everything single-threaded: no migrations mid-sample. */
	pin_cpu(0);
	if (part_wanted("latency")) {
		bench_floor_and_round_trip(&b);
		bench_cold_start(&b);
		bench_log("latency done at %.0f s", (now_ns() - t0) / 1e9);
	}
	if (part_wanted("touch"))
		bench_touch(&b);
	if (part_wanted("geometry"))
		bench_geometry(&b);
	if (part_wanted("cpus"))
		bench_cpus(&b);
	if (part_wanted("reset"))
		bench_reset(&b);
	if (part_wanted("clone"))
		bench_clone(&b);
	/* Last: tearing thousands of VMs down goes on after the count. */
	if (part_wanted("memory"))
		bench_kernel_memory(&b);
	if (part_wanted("density"))
		bench_density(&b);
	bench_print_table(&b);
	bench_param_restore("max_boxes_per_user", b.max_boxes_per_user);
	bench_param_restore("max_box_mem_mb", b.max_box_mem_mb);
	write_outputs(&b);
	bench_log("done in %.0f s, %d failure(s)", (now_ns() - t0) / 1e9,
		  failures);
	return failures ? 1 : 0;
}
