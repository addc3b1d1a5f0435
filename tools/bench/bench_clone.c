// SPDX-License-Identifier: GPL-2.0
/*
 * s2box_bench, clone: children of a template box whose snapshot holds a
 * 64 MiB image, against fresh boxes loaded with the same image:
 *
 *   first exit   S2BOX_CLONE + S2BOX_RUN, against S2BOX_CREATE_BOX +
 *                S2BOX_MAP + pwrite() of the 64 MiB + S2BOX_SET_REGS +
 *                S2BOX_RUN; both then run the same blob (bench_blobs.S,
 *                bench_box_dirty) to its HVC, once writing nothing and
 *                once 16 pages (then the clone sets x1 too, and copies
 *                the 16 units it writes on their first write);
 *   memory       what a box holds itself (fdinfo s2box_mem_bytes) and
 *                what it is charged (memory.current per box, bench_mem.c),
 *                for a fresh box, an idle clone and a clone that wrote
 *                16 pages;
 *   density      idle clones in a 256 MiB memory cgroup (bench_mem.c),
 *                the template paid for outside it.
 *
 * Closing the box an operation made is untimed (before the next one).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

#define CLONE_BYTES	(64 * MIB)
#define CLONE_DIRTY	16
#define CLONE_ITERS	40	/* a fresh box of 64 MiB: ~0.3 s under TCG */
#define CLONE_MEM_N	64	/* clones measured at once for the charge */
#define FRESH_MEM_N	4
#define CLONE_VALUE	0xc10eULL

struct clone_ctx {
	struct bench *b;
	int tmpl;		/* the template box, with its snapshot */
	__u64 align;
	unsigned char *image;	/* what the template was loaded with */
	struct s2box_regs regs;	/* the template's, at its snapshot */
	unsigned int dirty;	/* pages the first run writes */
	int fd;			/* the box the last operation made */
};

/* The template's registers with the blob told to write @dirty pages. */
static int set_dirty_regs(struct clone_ctx *c, int fd)
{
	struct s2box_regs regs = c->regs;

	regs.x[1] = c->dirty;
	return ioctl(fd, S2BOX_SET_REGS, &regs) ? vmm_fail("S2BOX_SET_REGS") : 0;
}

/* MAP the region and pwrite() the image into it. */
static int load_image(struct clone_ctx *c, int fd)
{
	struct s2box_map map = {
		.ipa = BENCH_DATA_IPA, .size = CLONE_BYTES,
		.prot = S2BOX_PROT_READ | S2BOX_PROT_WRITE | S2BOX_PROT_EXEC,
	};

	if (ioctl(fd, S2BOX_MAP, &map))
		return vmm_fail("S2BOX_MAP");
	if (pwrite(fd, c->image, CLONE_BYTES, BENCH_DATA_IPA) !=
	    (ssize_t)CLONE_BYTES)
		return vmm_fail("pwrite image");
	return 0;
}

/* A fresh box holding the image, its registers as the template's. */
static int fresh_box(struct clone_ctx *c)
{
	int fd = s2box_create(c->b->ctl, 36, bench_main_granule(c->b));

	if (fd < 0)
		return vmm_fail("S2BOX_CREATE_BOX");
	if (load_image(c, fd) || set_dirty_regs(c, fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int op_close(void *arg)
{
	struct clone_ctx *c = arg;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	return 0;
}

static int op_fresh(void *arg)
{
	struct clone_ctx *c = arg;

	c->fd = fresh_box(c);
	if (c->fd < 0)
		return -1;
	return bench_box_rt(c->fd);
}

static int clone_of(int tmpl)
{
	struct s2box_clone args;
	int fd;

	memset(&args, 0, sizeof(args));
	fd = ioctl(tmpl, S2BOX_CLONE, &args);
	return fd < 0 ? vmm_fail("S2BOX_CLONE") : fd;
}

static int op_clone(void *arg)
{
	struct clone_ctx *c = arg;

	c->fd = clone_of(c->tmpl);
	if (c->fd < 0)
		return -1;
	if (c->dirty && set_dirty_regs(c, c->fd))
		return -1;
	return bench_box_rt(c->fd);
}

int bench_clone_one(struct bench *b)
{
	return clone_of(b->clone_tmpl);
}

long long bench_fdinfo(int fd, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return bench_read_keyed(path, key);
}

/*
 * The image: the blob at its start, every other byte a pattern (a fresh
 * box gets all of it by pwrite(), a clone shares it).
 */
static int clone_image(struct clone_ctx *c)
{
	c->image = mmap(NULL, CLONE_BYTES, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->image == MAP_FAILED) {
		c->image = NULL;
		return vmm_fail("mmap image");
	}
	memset(c->image, 0xa5, CLONE_BYTES);
	memcpy(c->image, bench_box_dirty_start, BENCH_BLOB_LEN(bench_box_dirty));
	return 0;
}

static int clone_template(struct clone_ctx *c)
{
	unsigned int g = bench_main_granule(c->b);
	struct s2box_snapshot snap;
	int fd = s2box_create(c->b->ctl, 36, g);

	if (fd < 0)
		return vmm_fail("S2BOX_CREATE_BOX");
	c->align = g > c->b->page_size ? g : c->b->page_size;
	vmm_why = "S2BOX_GET_REGS";
	if (ioctl(fd, S2BOX_GET_REGS, &c->regs))
		goto fail;
	c->regs.pc = BENCH_DATA_IPA;
	c->regs.x[0] = BENCH_DATA_IPA + c->align - 8;
	c->regs.x[1] = 0;
	c->regs.x[2] = CLONE_BYTES / CLONE_DIRTY / c->align * c->align;
	c->regs.x[3] = CLONE_VALUE;
	c->dirty = 0;
	if (load_image(c, fd) || set_dirty_regs(c, fd))
		goto fail;
	memset(&snap, 0, sizeof(snap));
	vmm_why = "S2BOX_SNAPSHOT";
	if (ioctl(fd, S2BOX_SNAPSHOT, &snap))
		goto fail;
	c->tmpl = fd;
	return 0;
fail:
	close(fd);
	return -1;
}

/* --- measuring ----------------------------------------------------------- */

static void clone_first_exit(struct bench *b, struct clone_ctx *c,
			     unsigned int dirty, const char *name)
{
	struct bench_ops clone = { .prep = op_close, .op = op_clone, .arg = c };
	struct bench_ops fresh = { .prep = op_close, .op = op_fresh, .arg = c };
	struct bench_pair *p = bench_pair_add(b, "clone", name);

	if (!p)
		return;
	p->other = "fresh_box";
	p->bytes = CLONE_BYTES;
	p->dirty = dirty;
	p->granule = bench_main_granule(b);
	p->ipa_bits = 36;
	if (!dirty)
		p->target = 0.5;
	c->dirty = dirty;
	if (bench_measure(p, &clone, &fresh, bench_iters(b, CLONE_ITERS)))
		bench_report_failure(name);
	op_close(c);
}

static int fds[CLONE_MEM_N];

static double per_box(long long before, long long after, size_t n)
{
	return before < 0 || after < 0 ? -1 : (double)(after - before) / n;
}

static void close_fds(size_t n)
{
	while (n)
		close(fds[--n]);
}

/* FRESH_MEM_N fresh boxes at once: what each holds and is charged. */
static int fresh_memory(struct clone_ctx *c, bool cg)
{
	struct bench_clone_mem *m = &c->b->clone_mem;
	long long c0, c1;
	size_t n;

	c->dirty = 0;
	c0 = cg ? bench_memcg_charged(true) : -1;
	for (n = 0; n < FRESH_MEM_N; n++) {
		fds[n] = fresh_box(c);
		if (fds[n] < 0) {
			close_fds(n);
			return -1;
		}
	}
	c1 = cg ? bench_memcg_charged(false) : -1;
	m->fresh_mem = bench_fdinfo(fds[0], "s2box_mem_bytes");
	m->fresh_charged = per_box(c0, c1, FRESH_MEM_N);
	close_fds(n);
	return 0;
}

/* CLONE_MEM_N clones run to their first exit, then to 16 pages written. */
static int clone_memory_of(struct clone_ctx *c, bool cg)
{
	struct bench_clone_mem *m = &c->b->clone_mem;
	struct s2box_box_info info;
	long long c0, c1, c2;
	size_t n, i;
	int err = -1;

	c0 = cg ? bench_memcg_charged(true) : -1;
	for (n = 0; n < CLONE_MEM_N; n++) {
		fds[n] = clone_of(c->tmpl);
		if (fds[n] < 0 || bench_box_rt(fds[n]))
			goto out;
	}
	c1 = cg ? bench_memcg_charged(false) : -1;
	m->idle_mem = bench_fdinfo(fds[0], "s2box_mem_bytes");
	if (ioctl(fds[0], S2BOX_GET_BOX_INFO, &info)) {
		vmm_fail("S2BOX_GET_BOX_INFO");
		goto out;
	}
	m->idle_shared = info.shared_bytes;
	m->idle_tables = info.table_pages;
	c->dirty = CLONE_DIRTY;
	for (i = 0; i < n; i++)
		if (set_dirty_regs(c, fds[i]) || bench_box_rt(fds[i]))
			goto out;
	c2 = cg ? bench_memcg_charged(false) : -1;
	m->dirty_mem = bench_fdinfo(fds[0], "s2box_mem_bytes");
	m->idle_charged = per_box(c0, c1, n);
	m->dirty_charged = per_box(c0, c2, n);
	m->objects = n;
	err = 0;
out:
	close_fds(n < CLONE_MEM_N && fds[n] >= 0 ? n + 1 : n);
	return err;
}

static void clone_memory(struct bench *b, struct clone_ctx *c)
{
	bool cg = bench_memcg_ready(b);

	memset(&b->clone_mem, 0, sizeof(b->clone_mem));
	b->clone_mem.image = CLONE_BYTES;
	if (fresh_memory(c, cg) || clone_memory_of(c, cg)) {
		bench_report_failure("clone memory");
		return;
	}
	b->has_clone_mem = true;
}

void bench_clone(struct bench *b)
{
	struct clone_ctx c = { .b = b, .tmpl = -1, .fd = -1 };

	if (b->max_box_mem_mb < 0)
		bench_param_set("max_box_mem_mb", 4096, &b->max_box_mem_mb);
	if (clone_image(&c) || clone_template(&c)) {
		bench_report_failure("clone template");
		goto out;
	}
	clone_first_exit(b, &c, 0, "clone_first_exit");
	clone_first_exit(b, &c, CLONE_DIRTY, "clone_first_exit_16_dirty");
	bench_log("clone first exit done");
	clone_memory(b, &c);
	bench_log("clone memory done");
	b->clone_tmpl = c.tmpl;
	bench_density_clones(b);
	b->clone_tmpl = -1;
out:
	if (c.tmpl >= 0)
		close(c.tmpl);
	if (c.image)
		munmap(c.image, CLONE_BYTES);
}
