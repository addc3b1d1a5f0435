// SPDX-License-Identifier: GPL-2.0
/*
 * s2box_bench, memory: touching every page of a box's memory against a
 * KVM guest's; kernel memory per box (every geometry) and per KVM VM,
 * from the memory cgroup the bench runs in; density, the number of
 * minimal boxes or VMs that fit in a memory cgroup of a fixed size.
 *
 * s2box charges everything it allocates (tables, guest memory, its box
 * structure) to the caller's memory cgroup, as KVM does with most of its
 * allocations, so memory.current around N creations divided by N is the
 * kernel memory one costs (plus, for a box, its guest memory, subtracted
 * in the table). What a kernel allocates without charging it is not
 * seen.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_MAIN		CG_ROOT "/s2box-bench"
#define CG_AUX		CG_ROOT "/s2box-bench-aux"
#define CG_DENSITY	CG_ROOT "/s2box-bench-density"
#define MAX_OBJECTS	20000	/* density cap; also the arrays' size */
#define DENSITY_SECONDS	90	/* per side, so TCG cannot run away */
#define TOUCH_STRIDE	4096	/* one store per 4 KiB: every page */

/* --- touching memory -------------------------------------------------- */

struct touch_times {
	struct bench_samples map, run, release, total;
};

static int touch_init(struct touch_times *t, size_t reps)
{
	return bench_samples_init(&t->map, reps) ||
	       bench_samples_init(&t->run, reps) ||
	       bench_samples_init(&t->release, reps) ||
	       bench_samples_init(&t->total, reps);
}

static void touch_free(struct touch_times *t)
{
	bench_samples_free(&t->map);
	bench_samples_free(&t->run);
	bench_samples_free(&t->release);
	bench_samples_free(&t->total);
}

static void touch_sample(struct touch_times *t, __u64 t0, __u64 t1, __u64 t2,
			 __u64 t3)
{
	bench_sample(&t->map, t1 - t0);
	bench_sample(&t->run, t2 - t1);
	bench_sample(&t->release, t3 - t2);
	bench_sample(&t->total, t2 - t0);
}

/*
 * A fresh box (36-bit IPA) with the touch blob; MAP @size at
 * BENCH_DATA_IPA (eager: allocated, zeroed, block-mapped), RUN until every
 * page was written, then close (everything freed).
 */
static int touch_box(struct bench *b, __u64 size, struct touch_times *t)
{
	__u64 align, t0, t1, t2, t3;
	struct s2box_regs regs;
	struct s2box_map map = {
		.ipa = BENCH_DATA_IPA, .size = size,
		.prot = S2BOX_PROT_READ | S2BOX_PROT_WRITE,
	};
	int box = box_with_code(b->ctl, bench_main_granule(b), 36,
				bench_box_touch_start,
				BENCH_BLOB_LEN(bench_box_touch), &align);

	if (box < 0)
		return -1;
	if (ioctl(box, S2BOX_GET_REGS, &regs))
		goto fail_regs;
	regs.x[0] = BENCH_DATA_IPA;
	regs.x[1] = size;
	regs.x[2] = TOUCH_STRIDE;
	if (ioctl(box, S2BOX_SET_REGS, &regs))
		goto fail_regs;
	t0 = now_ns();
	if (ioctl(box, S2BOX_MAP, &map)) {
		close(box);
		return vmm_fail("S2BOX_MAP");
	}
	t1 = now_ns();
	if (bench_box_rt(box)) {
		close(box);
		return -1;
	}
	t2 = now_ns();
	close(box);
	t3 = now_ns();
	touch_sample(t, t0, t1, t2, t3);
	return 0;
fail_regs:
	close(box);
	return vmm_fail("S2BOX_GET/SET_REGS");
}

/*
 * The same in a fresh KVM guest: anonymous memory (2 MiB aligned, with
 * MADV_HUGEPAGE as VMMs do, or MADV_NOHUGEPAGE for 4 KiB pages) as a
 * second memory slot, faulted in by the guest's stores; then the VM is
 * destroyed and the memory unmapped.
 */
static int touch_kvm(struct bench *b, __u64 size, bool huge,
		     struct touch_times *t)
{
	struct vmm_cfg c = {
		.kvm = b->kvm, .ipa_bits = 36, .mem_ipa = VMM_MEM_IPA,
		.mem_size = b->page_size,
	};
	struct kvm_userspace_memory_region slot = {
		.slot = 1, .guest_phys_addr = BENCH_DATA_IPA,
		.memory_size = size,
	};
	__u64 x[3] = { BENCH_DATA_IPA, size, TOUCH_STRIDE };
	__u64 t0, t1, t2, t3, extra = 2 * MIB;
	unsigned char *raw, *mem;
	struct vmm v;
	int err;

	if (vmm_create_cfg(&v, &c))
		return -1;
	vmm_load(&v, 0, bench_kvm_touch_start, BENCH_BLOB_LEN(bench_kvm_touch));
	if (vmm_start(&v, 0, x, 3)) {
		vmm_destroy(&v);
		return -1;
	}
	t0 = now_ns();
	raw = mmap(NULL, size + extra, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED) {
		vmm_destroy(&v);
		return vmm_fail("mmap");
	}
	mem = (unsigned char *)(((unsigned long)raw + extra - 1) &
				~(unsigned long)(extra - 1));
	madvise(mem, size, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	slot.userspace_addr = (__u64)(unsigned long)mem;
	err = ioctl(v.vm, KVM_SET_USER_MEMORY_REGION, &slot);
	if (err)
		vmm_fail("KVM_SET_USER_MEMORY_REGION");
	t1 = now_ns();
	if (!err)
		err = bench_kvm_rt(&v);
	t2 = now_ns();
	vmm_destroy(&v);
	munmap(raw, size + extra);
	t3 = now_ns();
	if (!err)
		touch_sample(t, t0, t1, t2, t3);
	return err;
}

static void touch_pair(struct bench *b, const char *name, unsigned int mib,
		       const struct bench_samples *box,
		       const struct bench_samples *kvm, double target)
{
	struct bench_pair *p = bench_pair_add(b, "touch", name);

	if (!p)
		return;
	p->target = target;
	p->mib = mib;
	p->granule = bench_main_granule(b);
	p->ipa_bits = 36;
	if (box && box->n) {
		bench_summarise(box, &p->box);
		p->has_box = true;
	}
	if (kvm && kvm->n) {
		bench_summarise(kvm, &p->kvm);
		p->has_kvm = true;
	}
}

static char *name_of(const char *fmt, unsigned int mib)
{
	char *s = NULL;

	if (asprintf(&s, fmt, mib) < 0)
		return "touch";
	return s;
}

void bench_touch(struct bench *b)
{
	static const unsigned int mib[] = { 4, 64, 512 };
	static const size_t reps[] = { 8, 4, 2 };
	struct touch_times tb, tk, tn;
	size_t i, r, n;
	bool kvm = b->kvm >= 0, big;

	for (i = 0; i < ARRAY_SIZE(mib); i++) {
		__u64 size = mib[i] * MIB;

		n = reps[i] * b->scale / 100;
		n = n ? n : 1;
		if (touch_init(&tb, n) || touch_init(&tk, n) ||
		    touch_init(&tn, n)) {
			bench_log("touch: out of memory");
			return;
		}
		for (r = 0; r < n; r++) {
			if (touch_box(b, size, &tb))
				bench_report_failure("touch (s2box)");
			if (kvm && touch_kvm(b, size, true, &tk))
				bench_report_failure("touch (KVM)");
			if (kvm && touch_kvm(b, size, false, &tn))
				bench_report_failure("touch (KVM, 4K pages)");
		}
		/*
		 * Targets at 512 MiB: MAP + RUN within half of KVM's slot +
		 * faults, and close no slower than KVM's destroy.
		 */
		big = mib[i] == 512;
		touch_pair(b, name_of("touch_%uMiB", mib[i]), mib[i],
			   &tb.total, &tk.total, big ? 0.5 : 0);
		touch_pair(b, name_of("touch_%uMiB_map_or_slot", mib[i]),
			   mib[i], &tb.map, &tk.map, 0);
		touch_pair(b, name_of("touch_%uMiB_run", mib[i]), mib[i],
			   &tb.run, &tk.run, 0);
		touch_pair(b, name_of("touch_%uMiB_release", mib[i]), mib[i],
			   &tb.release, &tk.release, big ? 1.0 : 0);
		touch_pair(b, name_of("touch_%uMiB_vs_kvm_no_thp", mib[i]),
			   mib[i], &tb.total, &tn.total, 0);
		touch_free(&tb);
		touch_free(&tk);
		touch_free(&tn);
		bench_log("touch %u MiB done", mib[i]);
	}
}

/* --- memory cgroups ---------------------------------------------------- */

static int cg_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(text);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, len) == len;
	close(fd);
	return ok ? 0 : -1;
}

/* The value of @key in a "key value" file; "" for a one-number file. */
long long bench_read_keyed(const char *path, const char *key)
{
	long long value = -1;
	size_t n = strlen(key);
	char line[160];
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!n) {
			value = atoll(line);
			break;
		}
		if (!strncmp(line, key, n) && (line[n] == ' ' || line[n] == ':')) {
			value = atoll(line + n + 1);
			break;
		}
	}
	fclose(f);
	return value;
}

static long long cg_current(const char *cg)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/memory.current", cg);
	return bench_read_keyed(path, "");
}

static int cg_join(const char *cg)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	return cg_write(path, "0");
}

/* A fresh cgroup under the root (one left by an earlier run is reused). */
static int cg_make(const char *cg)
{
	return mkdir(cg, 0755) && errno != EEXIST ? -1 : 0;
}

/*
 * The bench runs in a cgroup of its own, so that its memory.current moves
 * only with what it creates. The memory controller must be enabled in the
 * root's subtree first.
 */
static bool memcg_setup(struct bench *b)
{
	static bool tried;

	if (tried)
		return b->memcg;
	tried = true;
	if (cg_write(CG_ROOT "/cgroup.subtree_control", "+memory"))
		snprintf(b->memcg_why, sizeof(b->memcg_why),
			 "cannot enable the memory controller: %s",
			 strerror(errno));
	else if (cg_make(CG_MAIN) || cg_make(CG_AUX) || cg_join(CG_MAIN))
		snprintf(b->memcg_why, sizeof(b->memcg_why),
			 "cannot make or join %s: %s", CG_MAIN,
			 strerror(errno));
	else if (cg_current(CG_MAIN) < 0)
		snprintf(b->memcg_why, sizeof(b->memcg_why),
			 "no memory.current in %s", CG_MAIN);
	else
		b->memcg = true;
	if (!b->memcg)
		bench_log("memory cgroup: %s", b->memcg_why);
	return b->memcg;
}

/*
 * memory.current counts what this CPU keeps precharged for the cgroup (up
 * to a charge batch of pages, and a partial page of slab bytes). Charging
 * something to another cgroup on the same CPU hands that back, so two
 * readings differ by exactly what was created in between.
 */
static void memcg_drain(void)
{
	char *page;
	int fd;

	if (cg_join(CG_AUX))
		return;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page != MAP_FAILED) {
		page[0] = 1;
		munmap(page, 4096);
	}
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	cg_join(CG_MAIN);
}

/*
 * Wait until memory.current stops falling: what the previous measurement
 * destroyed may be uncharged late (objects freed after an RCU grace
 * period), which would make the next one look cheaper.
 */
static void memcg_settle(void)
{
	long long prev = -1, cur;
	int i, stable = 0;

	for (i = 0; i < 100 && stable < 3; i++) {
		usleep(20 * 1000);
		memcg_drain();
		cur = cg_current(CG_MAIN);
		stable = cur == prev ? stable + 1 : 0;
		prev = cur;
	}
}

struct mem_snap {
	long long current;
	long long stat[ARRAY_SIZE(bench_stat_keys)];
};

/*
 * memory.stat is brought up to date at least every 2 s; @exact waits for
 * that, for the rows whose breakdown the JSON file shows.
 */
static void mem_snap(struct mem_snap *s, bool before, bool exact)
{
	size_t i;

	if (before)
		memcg_settle();
	if (exact)
		usleep(2100 * 1000);
	memcg_drain();
	s->current = cg_current(CG_MAIN);
	for (i = 0; i < ARRAY_SIZE(bench_stat_keys); i++)
		s->stat[i] = bench_read_keyed(CG_MAIN "/memory.stat",
					      bench_stat_keys[i]);
}

static void mem_delta(struct bench_mem *m, const struct mem_snap *a,
		      const struct mem_snap *z, bool exact)
{
	size_t i;

	m->charged = (double)(z->current - a->current) / m->objects;
	m->exact = exact;
	for (i = 0; exact && i < ARRAY_SIZE(bench_stat_keys); i++)
		if (a->stat[i] >= 0 && z->stat[i] >= 0)
			m->stat[i] = (double)(z->stat[i] - a->stat[i]) /
				     m->objects;
}

static int fds[MAX_OBJECTS];
static struct vmm vms[MAX_OBJECTS];
static void *shared_page;	/* the guest memory of every minimal VM */

/* A minimal box: one map unit of memory at IPA 0, nothing else. */
static int box_minimal(struct bench *b, unsigned int granule,
		       unsigned int ipa_bits)
{
	__u64 align = granule > b->page_size ? granule : b->page_size;
	int box = s2box_create(b->ctl, ipa_bits, granule);

	if (box < 0)
		return vmm_fail("S2BOX_CREATE_BOX");
	if (box_map(box, 0, align, S2BOX_PROT_READ | S2BOX_PROT_WRITE)) {
		close(box);
		return vmm_fail("S2BOX_MAP");
	}
	return box;
}

/*
 * A minimal VM: one vCPU and one memory slot, all VMs sharing the same
 * page of the bench as guest memory (never touched, so KVM allocates none).
 */
static int vm_minimal(struct bench *b, unsigned int ipa_bits, struct vmm *v)
{
	struct vmm_cfg c = {
		.kvm = b->kvm, .ipa_bits = ipa_bits, .mem_ipa = 0,
		.mem_size = b->page_size, .mem = shared_page,
	};

	return vmm_create_cfg(v, &c);
}

static int mem_boxes(struct bench *b, unsigned int granule,
		     unsigned int ipa_bits, size_t n, bool exact)
{
	struct bench_mem *m = &b->mem[b->nmem];
	struct s2box_box_info info;
	struct mem_snap s0, s1;
	size_t i, made;
	int err = 0;

	mem_snap(&s0, true, exact);
	for (made = 0; made < n; made++) {
		fds[made] = box_minimal(b, granule, ipa_bits);
		if (fds[made] < 0)
			break;
	}
	mem_snap(&s1, false, exact);
	if (made < n || ioctl(fds[0], S2BOX_GET_BOX_INFO, &info))
		err = -1;
	for (i = 0; i < made; i++)
		close(fds[i]);
	if (err)
		return -1;
	memset(m, 0, sizeof(*m));
	m->side = "s2box";
	m->granule = granule;
	m->ipa_bits = ipa_bits;
	m->levels = info.levels;
	m->root_pages = info.root_pages;
	m->table_pages = info.table_pages;
	m->objects = n;
	m->guest = info.mapped_bytes;
	mem_delta(m, &s0, &s1, exact);
	b->nmem++;
	return 0;
}

static int mem_vms(struct bench *b, unsigned int ipa_bits, size_t n,
		   bool exact)
{
	struct bench_mem *m = &b->mem[b->nmem];
	struct mem_snap s0, s1;
	size_t i, made;

	mem_snap(&s0, true, exact);
	for (made = 0; made < n; made++)
		if (vm_minimal(b, ipa_bits, &vms[made]))
			break;
	mem_snap(&s1, false, exact);
	for (i = 0; i < made; i++)
		vmm_destroy(&vms[i]);
	if (made < n)
		return -1;
	memset(m, 0, sizeof(*m));
	m->side = "kvm";
	m->granule = b->page_size;
	m->ipa_bits = ipa_bits;
	m->levels = bench_kvm_levels(b, ipa_bits);
	m->objects = n;
	mem_delta(m, &s0, &s1, exact);
	b->nmem++;
	return 0;
}

static bool shared_page_ready(struct bench *b)
{
	if (!shared_page)
		shared_page = mmap(NULL, b->page_size, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared_page == MAP_FAILED)
		shared_page = NULL;
	if (shared_page)
		memset(shared_page, 0, b->page_size);
	return shared_page;
}

/*
 * Grow the fd table now: growing it later would be charged in the middle
 * of a measurement (or, in the density child, at the cgroup's limit).
 */
static void grow_fd_table(void)
{
	if (dup2(0, MAX_OBJECTS * 2 + 64) >= 0)
		close(MAX_OBJECTS * 2 + 64);
}

void bench_kernel_memory(struct bench *b)
{
	static const unsigned int gs[] = {
		S2BOX_GRANULE_4K, S2BOX_GRANULE_16K, S2BOX_GRANULE_64K,
	};
	unsigned int g, ipa, limit;
	size_t n = bench_iters(b, 256);
	bool exact;

	if (!memcg_setup(b) || !shared_page_ready(b))
		return;
	grow_fd_table();
	memset(fds, 0, sizeof(fds));
	memset(vms, 0, sizeof(vms));
	for (g = 0; g < ARRAY_SIZE(gs); g++) {
		limit = s2box_ipa_limit(&b->caps, gs[g]);
		for (ipa = S2BOX_IPA_BITS_MIN; limit && ipa <= limit; ipa++) {
			exact = gs[g] == S2BOX_GRANULE_4K && ipa == 36;
			if (b->nmem == ARRAY_SIZE(b->mem))
				break;
			if (mem_boxes(b, gs[g], ipa, exact ? 4 * n : n, exact))
				bench_report_failure("kernel memory per box");
		}
	}
	bench_log("kernel memory per box done");
	for (ipa = 32; b->kvm >= 0 && ipa <= b->kvm_ipa_max; ipa += 4) {
		exact = ipa == 40;
		if (b->nmem == ARRAY_SIZE(b->mem))
			break;
		if (mem_vms(b, ipa, exact ? n : n / 2, exact))
			bench_report_failure("kernel memory per VM");
	}
	bench_log("kernel memory per VM done");
}

bool bench_memcg_ready(struct bench *b)
{
	return memcg_setup(b);
}

long long bench_memcg_charged(bool settle)
{
	if (settle)
		memcg_settle();
	memcg_drain();
	return cg_current(CG_MAIN);
}

/* --- density ----------------------------------------------------------- */

enum density_kind { DENSITY_BOX, DENSITY_KVM, DENSITY_CLONE };

static const char * const density_names[] = { "s2box", "kvm", "s2box-clone" };

struct density_shared {
	__u64 count;
	double seconds;
	char stop[48];
};

static void density_stop(struct density_shared *sh, const char *why, int err)
{
	if (err)
		snprintf(sh->stop, sizeof(sh->stop), "%s: %s", why,
			 strerror(err));
	else
		snprintf(sh->stop, sizeof(sh->stop), "%s", why);
}

/* One more object; false (and @sh says why) when it failed. */
static bool density_add(struct bench *b, enum density_kind kind, size_t i,
			unsigned int granule, struct density_shared *sh)
{
	bool ok;

	if (kind == DENSITY_KVM)
		ok = !vm_minimal(b, 0, &vms[i]);
	else if (kind == DENSITY_CLONE)
		ok = bench_clone_one(b) >= 0;
	else
		ok = box_minimal(b, granule, 36) >= 0;
	if (!ok)
		density_stop(sh, vmm_why, errno);
	return ok;
}

/*
 * In a child, in a fresh cgroup limited to @budget bytes above what the
 * child already uses: boxes or clones (of b->clone_tmpl, whose snapshot
 * the parent holds and pays for) until one fails (s2box gives ENOMEM at
 * the limit); KVM VMs until the next would not fit (KVM's allocations at
 * the limit would call the OOM killer rather than fail), the cap, or the
 * time limit. The count goes to @sh as it grows.
 */
static int density_child(struct bench *b, enum density_kind kind,
			 __u64 budget, struct density_shared *sh)
{
	unsigned int granule = s2box_ipa_limit(&b->caps, S2BOX_GRANULE_4K) ?
		S2BOX_GRANULE_4K : s2box_any_granule(b->ctl);
	long long base, cur;
	__u64 t0 = now_ns();
	char text[32];
	size_t i;

	/*
	 * The arrays were the parent's: copy them now, not page by page at
	 * the limit.
	 */
	memset(vms, 0, sizeof(vms));
	if (cg_join(CG_DENSITY))
		return 2;
	base = cg_current(CG_DENSITY);
	snprintf(text, sizeof(text), "%llu", base + budget);
	if (base < 0 || cg_write(CG_DENSITY "/memory.max", text))
		return 3;
	density_stop(sh, "the cap", 0);
	for (i = 0; i < MAX_OBJECTS; i++) {
		if (kind == DENSITY_KVM) {
			cur = cg_current(CG_DENSITY);
			if (i && cur + 2 * (cur - base) / (long long)i >
			    base + (long long)budget) {
				density_stop(sh, "the budget", 0);
				break;
			}
		}
		if (!density_add(b, kind, i, granule, sh))
			break;
		sh->count = i + 1;
		sh->seconds = (now_ns() - t0) / 1e9;
		if (sh->seconds > DENSITY_SECONDS) {
			density_stop(sh, "the time limit", 0);
			break;
		}
	}
	return 0;
}

static void density_side(struct bench *b, enum density_kind kind,
			 __u64 budget, struct density_shared *sh)
{
	struct bench_density *d = &b->density[b->ndensity];
	int status = 0, tries;
	long long ooms;
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	if (cg_make(CG_DENSITY)) {
		bench_log("density: %s: %s", CG_DENSITY, strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0)
		_exit(density_child(b, kind, budget, sh));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	ooms = bench_read_keyed(CG_DENSITY "/memory.events", "oom_kill");
	memset(d, 0, sizeof(*d));
	d->side = density_names[kind];
	d->count = sh->count;
	d->budget = budget;
	d->seconds = sh->seconds;
	snprintf(d->stop, sizeof(d->stop), "%s", sh->stop);
	if (ooms > 0)
		snprintf(d->stop, sizeof(d->stop), "an OOM kill");
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		snprintf(d->stop, sizeof(d->stop), "child status 0x%x", status);
	b->ndensity++;
	/* The dead child's objects may take a moment to be uncharged. */
	for (tries = 0; rmdir(CG_DENSITY) && tries < 50; tries++)
		usleep(100 * 1000);
}

static void density_run(struct bench *b, enum density_kind kind)
{
	const char *mib = getenv("S2BOX_BENCH_DENSITY_MIB");
	__u64 budget = (mib ? strtoull(mib, NULL, 10) : 256) * MIB;
	struct density_shared *sh;

	if (!memcg_setup(b) || !shared_page_ready(b) ||
	    b->ndensity == ARRAY_SIZE(b->density))
		return;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		bench_log("density: mmap: %s", strerror(errno));
		return;
	}
	grow_fd_table();
	density_side(b, kind, budget, sh);
	bench_log("density (%s) done: %llu", density_names[kind],
		  (unsigned long long)sh->count);
	munmap(sh, sizeof(*sh));
}

void bench_density(struct bench *b)
{
	density_run(b, DENSITY_BOX);
	if (b->kvm >= 0)
		density_run(b, DENSITY_KVM);
}

/* Clones of b->clone_tmpl in the same budget (bench_clone.c). */
void bench_density_clones(struct bench *b)
{
	if (b->clone_tmpl >= 0)
		density_run(b, DENSITY_CLONE);
}
