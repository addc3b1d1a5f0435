// SPDX-License-Identifier: GPL-2.0
/*
 * s2box_bench, reset: putting a box back to its snapshot after its blob
 * wrote N pages, against a KVM VMM doing the same job in the same boot.
 *
 * Both run the same blob (bench_blobs.S, *_dirty) from a code page of its
 * own (the box's at IPA 0, the VM's in memory slot 0), which stores one
 * word into each of N pages spread evenly over a data region of S bytes
 * at BENCH_DATA_IPA (read-write, not executable; fully populated: the
 * box's MAP is eager, the VMM's memory is written once by user space)
 * and exits. Untimed: that run. Timed:
 *
 *   s2box  S2BOX_RESET: registers back, the N units the box wrote (found
 *          by write-protect faults resolved in the kernel) copied back
 *          from the snapshot and write-protected again;
 *   KVM    KVM_GET_DIRTY_LOG of the data slot (KVM_MEM_LOG_DIRTY_PAGES), the
 *          dirty pages copied back from a saved copy of the region,
 *          KVM_CLEAR_DIRTY_LOG of the whole slot to write-protect them
 *          again when KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 is there (else
 *          GET_DIRTY_LOG did it), and KVM_SET_ONE_REG of what the blob
 *          changes: pc, pstate, x0-x3.
 *
 * Each sample is checked once: after the first run the N words hold the
 * blob's value, after the first reset the snapshot's, and the reset
 * reports (s2box) or the bitmap holds (KVM) exactly N pages.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

#define RESET_IPA_BITS	36
#define RESET_ITERS	200
#define RESET_VALUE	0x5eed5eedULL
#define GIB		(1024 * MIB)

struct reset_job {
	__u64 size;		/* the region */
	__u64 align;		/* the box's map unit; KVM's page if larger */
	__u64 stride;		/* between written pages */
	unsigned int dirty;	/* pages written */
	__u64 x[4];		/* the blob's x0-x3 */
};

struct reset_box {
	const struct reset_job *job;
	int fd;
};

struct reset_kvm {
	const struct reset_job *job;
	struct vmm v;
	unsigned char *mem;	/* the data region, memory slot 1 */
	unsigned char *saved;	/* the region as it was */
	unsigned long *bitmap;
	size_t pages, words;
	bool manual;		/* KVM_CLEAR_DIRTY_LOG re-protects */
	unsigned int page;
};

/* Offset in the region of the word the blob writes into page @i. */
static __u64 job_offset(const struct reset_job *j, unsigned int i)
{
	return i * j->stride + j->align - 8;
}

static bool job_plan(struct reset_job *j, __u64 size, __u64 align,
		     unsigned int dirty)
{
	j->size = size;
	j->align = align;
	j->dirty = dirty;
	if ((__u64)dirty * align > size)
		return false;
	j->stride = size / dirty / align * align;
	j->x[0] = BENCH_DATA_IPA + job_offset(j, 0);
	j->x[1] = dirty;
	j->x[2] = j->stride;
	j->x[3] = RESET_VALUE;
	return true;
}

/* --- s2box --------------------------------------------------------------- */

static int box_word(int fd, __u64 ipa, __u64 want)
{
	__u64 got = 0;

	if (pread(fd, &got, 8, ipa) != 8)
		return vmm_fail("pread");
	return got == want ? 0 : vmm_fail("box memory holds the wrong value");
}

static int box_new(struct bench *b, struct reset_box *r)
{
	const struct reset_job *j = r->job;
	struct s2box_map map = {
		.ipa = BENCH_DATA_IPA, .size = j->size,
		.prot = S2BOX_PROT_READ | S2BOX_PROT_WRITE,
	};
	struct s2box_snapshot snap;
	struct s2box_regs regs;
	__u64 align;
	int i;

	/* The code at IPA 0, where a new box starts. */
	r->fd = box_with_code(b->ctl, bench_main_granule(b), RESET_IPA_BITS,
			      bench_box_dirty_start,
			      BENCH_BLOB_LEN(bench_box_dirty), &align);
	if (r->fd < 0)
		return -1;
	vmm_why = "S2BOX_MAP";
	if (ioctl(r->fd, S2BOX_MAP, &map))
		goto fail;
	vmm_why = "S2BOX_GET/SET_REGS";
	if (ioctl(r->fd, S2BOX_GET_REGS, &regs))
		goto fail;
	for (i = 0; i < 4; i++)
		regs.x[i] = j->x[i];
	if (ioctl(r->fd, S2BOX_SET_REGS, &regs))
		goto fail;
	memset(&snap, 0, sizeof(snap));
	vmm_why = "S2BOX_SNAPSHOT";
	if (ioctl(r->fd, S2BOX_SNAPSHOT, &snap))
		goto fail;
	return 0;
fail:
	close(r->fd);
	r->fd = -1;
	return -1;
}

/* A budget: a reset that left pc behind would spin at the blob's end. */
static int box_dirty(void *arg)
{
	struct reset_box *r = arg;
	struct s2box_run run;

	memset(&run, 0, sizeof(run));
	run.budget_ns = 1000000000ULL;
	if (ioctl(r->fd, S2BOX_RUN, &run))
		return vmm_fail("S2BOX_RUN");
	return run.exit_reason == S2BOX_EXIT_HVC ? 0 :
		vmm_fail("S2BOX_RUN: exit other than HVC");
}

static int box_reset(void *arg)
{
	struct reset_box *r = arg;
	struct s2box_reset res;

	memset(&res, 0, sizeof(res));
	return ioctl(r->fd, S2BOX_RESET, &res) ? vmm_fail("S2BOX_RESET") : 0;
}

/* One run and reset, checked from the outside (the box's memory). */
static int box_check(struct bench *b, struct reset_box *r)
{
	const struct reset_job *j = r->job;
	struct s2box_reset res;
	unsigned int i;

	if (box_dirty(r))
		return -1;
	for (i = 0; i < j->dirty; i++)
		if (box_word(r->fd, BENCH_DATA_IPA + job_offset(j, i),
			     RESET_VALUE))
			return -1;
	memset(&res, 0, sizeof(res));
	if (ioctl(r->fd, S2BOX_RESET, &res))
		return vmm_fail("S2BOX_RESET");
	if (res.restored_pages != j->dirty * (j->align / b->page_size))
		return vmm_fail("S2BOX_RESET restored other than the pages written");
	for (i = 0; i < j->dirty; i++)
		if (box_word(r->fd, BENCH_DATA_IPA + job_offset(j, i), 0))
			return -1;
	return 0;
}

/* --- KVM ----------------------------------------------------------------- */

static void kvm_free(struct reset_kvm *k)
{
	if (k->v.vm >= 0)
		vmm_destroy(&k->v);
	if (k->saved && k->saved != MAP_FAILED)
		munmap(k->saved, k->job->size);
	if (k->mem && k->mem != MAP_FAILED)
		munmap(k->mem, k->job->size);
	free(k->bitmap);
	k->saved = NULL;
	k->mem = NULL;
	k->bitmap = NULL;
}

/* The data region as slot 1, logged, manually re-protected if KVM can. */
static int kvm_log_dirty(struct bench *b, struct reset_kvm *k)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
		.args[0] = KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE,
	};
	struct kvm_userspace_memory_region slot = {
		.slot = 1, .flags = KVM_MEM_LOG_DIRTY_PAGES,
		.guest_phys_addr = BENCH_DATA_IPA, .memory_size = k->job->size,
		.userspace_addr = (__u64)(unsigned long)k->mem,
	};

	k->manual = ioctl(b->kvm, KVM_CHECK_EXTENSION,
			  KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) > 0 &&
		    !ioctl(k->v.vm, KVM_ENABLE_CAP, &cap);
	b->kvm_dirty_manual = k->manual;
	if (ioctl(k->v.vm, KVM_SET_USER_MEMORY_REGION, &slot))
		return vmm_fail("KVM_SET_USER_MEMORY_REGION dirty log");
	return 0;
}

static unsigned char *anon(size_t size)
{
	return mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static int kvm_new(struct bench *b, struct reset_kvm *k)
{
	const struct reset_job *j = k->job;
	struct vmm_cfg c = {
		.kvm = b->kvm, .ipa_bits = RESET_IPA_BITS,
		.mem_ipa = VMM_MEM_IPA, .mem_size = b->page_size,
	};

	k->page = b->page_size;
	k->pages = j->size / k->page;
	k->words = (k->pages + 63) / 64;
	k->bitmap = calloc(k->words, 8);
	if (!k->bitmap)
		return vmm_fail("out of memory");
	if (vmm_create_cfg(&k->v, &c))
		return -1;
	vmm_load(&k->v, 0, bench_kvm_dirty_start,
		 BENCH_BLOB_LEN(bench_kvm_dirty));
	/* Every page populated, as the box's; the saved copy likewise. */
	k->mem = anon(j->size);
	k->saved = anon(j->size);
	if (k->mem == MAP_FAILED || k->saved == MAP_FAILED)
		return vmm_fail("mmap data region");
	memset(k->mem, 0, j->size);
	memcpy(k->saved, k->mem, j->size);
	if (kvm_log_dirty(b, k))
		return -1;
	return vmm_start(&k->v, 0, j->x, 4);
}

static int kvm_dirty(void *arg)
{
	struct reset_kvm *k = arg;

	return bench_kvm_rt(&k->v);
}

/* Copy back what the bitmap names; returns the number of pages. */
static size_t kvm_copy_back(struct reset_kvm *k)
{
	size_t w, n = 0, off;
	unsigned long bits;

	for (w = 0; w < k->words; w++) {
		for (bits = k->bitmap[w]; bits; bits &= bits - 1) {
			off = (w * 64 + __builtin_ctzl(bits)) * k->page;
			memcpy(k->mem + off, k->saved + off, k->page);
			n++;
		}
	}
	return n;
}

static int kvm_reset_pages(struct reset_kvm *k, size_t *copied)
{
	struct kvm_dirty_log log = { .slot = 1, .dirty_bitmap = k->bitmap };
	struct kvm_clear_dirty_log clear = {
		.slot = 1, .first_page = 0, .num_pages = k->pages,
		.dirty_bitmap = k->bitmap,
	};

	if (ioctl(k->v.vm, KVM_GET_DIRTY_LOG, &log))
		return vmm_fail("KVM_GET_DIRTY_LOG");
	*copied = kvm_copy_back(k);
	if (k->manual && ioctl(k->v.vm, KVM_CLEAR_DIRTY_LOG, &clear))
		return vmm_fail("KVM_CLEAR_DIRTY_LOG");
	return vmm_start(&k->v, 0, k->job->x, 4);
}

static int kvm_reset(void *arg)
{
	size_t copied;

	return kvm_reset_pages(arg, &copied);
}

static int kvm_check(struct reset_kvm *k)
{
	const struct reset_job *j = k->job;
	unsigned int i;
	size_t copied;
	__u64 w;

	if (kvm_dirty(k))
		return -1;
	for (i = 0; i < j->dirty; i++) {
		memcpy(&w, k->mem + job_offset(j, i), 8);
		if (w != RESET_VALUE)
			return vmm_fail("KVM guest memory holds the wrong value");
	}
	if (kvm_reset_pages(k, &copied))
		return -1;
	if (copied != j->dirty)
		return vmm_fail("KVM dirty log names other than the pages written");
	for (i = 0; i < j->dirty; i++) {
		memcpy(&w, k->mem + job_offset(j, i), 8);
		if (w)
			return vmm_fail("KVM copy back left the guest's value");
	}
	return 0;
}

/* --- measuring ----------------------------------------------------------- */

static const char *reset_name(__u64 size, unsigned int dirty)
{
	bool mib = size >= MIB;
	char *s = NULL;

	if (asprintf(&s, "reset_%llu%s_%u_dirty",
		     (unsigned long long)(mib ? size / MIB : size / 1024),
		     mib ? "MiB" : "KiB", dirty) < 0)
		return "reset";
	return s;
}

static struct bench_pair *reset_pair(struct bench *b, const struct reset_job *j)
{
	struct bench_pair *p = bench_pair_add(b, "reset",
					      reset_name(j->size, j->dirty));

	if (!p)
		return NULL;
	p->bytes = j->size;
	p->dirty = j->dirty;
	p->granule = bench_main_granule(b);
	p->ipa_bits = RESET_IPA_BITS;
	if (j->size == GIB && j->dirty == 16)
		p->target = 0.1;
	return p;
}

/*
 * One size and number of written pages. With @together both sides live
 * at once and take turns; otherwise (too little memory for both) s2box
 * first, then KVM, in the same boot.
 */
static void reset_one(struct bench *b, __u64 size, unsigned int dirty,
		      bool together)
{
	unsigned int g = bench_main_granule(b);
	struct reset_job j;
	struct reset_box rb = { .job = &j, .fd = -1 };
	struct reset_kvm rk = { .job = &j };
	struct bench_ops ob = { .prep = box_dirty, .op = box_reset, .arg = &rb };
	struct bench_ops ok = { .prep = kvm_dirty, .op = kvm_reset, .arg = &rk };
	size_t iters = bench_iters(b, RESET_ITERS);
	bool box = true, kvm = b->kvm >= 0;
	struct bench_pair *p;

	rk.v.vm = -1;
	if (!job_plan(&j, size, g > b->page_size ? g : b->page_size, dirty))
		return;
	p = reset_pair(b, &j);
	if (!p)
		return;
	if (box_new(b, &rb) || box_check(b, &rb)) {
		bench_report_failure("reset (s2box)");
		box = false;
	}
	if (box && !together) {
		if (bench_measure(p, &ob, NULL, iters))
			bench_report_failure("reset (s2box)");
		close(rb.fd);
		rb.fd = -1;
		box = false;
	}
	if (kvm && (kvm_new(b, &rk) || kvm_check(&rk))) {
		bench_report_failure("reset (KVM)");
		kvm = false;
	}
	if ((box || kvm) && bench_measure(p, box ? &ob : NULL,
					  kvm ? &ok : NULL, iters))
		bench_report_failure("reset");
	if (rb.fd >= 0)
		close(rb.fd);
	kvm_free(&rk);
}

/* Guest memory free for what the bench allocates, in bytes. */
static __u64 mem_available(void)
{
	long long kb = bench_read_keyed("/proc/meminfo", "MemAvailable");

	return kb > 0 ? kb * 1024ULL : 0;
}

#define RESET_SLACK	(256 * MIB)	/* tables, the saved bitmaps, the rest */

/* 1 GiB, or 512 MiB when a box and its snapshot of 1 GiB do not fit. */
static __u64 reset_top(struct bench *b)
{
	__u64 avail = mem_available();

	if (avail >= 2 * GIB + RESET_SLACK)
		return GIB;
	snprintf(b->reset_note, sizeof(b->reset_note),
		 "1 GiB: a box and its snapshot need 2 GiB, %llu MiB free",
		 (unsigned long long)(avail / MIB));
	bench_log("reset: %s; 512 MiB instead", b->reset_note);
	return GIB / 2;
}

void bench_reset(struct bench *b)
{
	static const unsigned int dirty[] = { 1, 16, 256 };
	__u64 sizes[] = { 64 * 1024, 64 * MIB, 0 };
	size_t s, d;

	sizes[2] = reset_top(b);
	b->reset_max_bytes = sizes[2];
	/* A box and its snapshot count against max_box_mem_mb together. */
	if (b->max_box_mem_mb < 0)
		bench_param_set("max_box_mem_mb", 4096, &b->max_box_mem_mb);
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		bool together = mem_available() >= 4 * sizes[s] + RESET_SLACK;

		for (d = 0; d < ARRAY_SIZE(dirty); d++)
			reset_one(b, sizes[s], dirty[d], together);
		bench_log("reset of %llu KiB boxes done%s",
			  (unsigned long long)(sizes[s] / 1024),
			  together ? "" : " (s2box, then KVM)");
	}
}
