// SPDX-License-Identifier: GPL-2.0
/*
 * The s2boxctl commands that work through /dev/s2box rather than netlink:
 * `vtcr` (what the module computes for a geometry: it creates a box and
 * reads its GET_BOX_INFO, since that is the module's own computation)
 * and `run` (a raw blob in a fresh box until it exits).
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "s2boxctl.h"
#include "blobs/blobs.h"

#define MSEC		1000000ULL
#define BLOB_MAX	(64ULL << 20)
/* tools/blobs/vectors.S reports an exception at EL1 with this HVC. */
#define VECTORS_HVC	0xe1

struct geometry {
	__u32 ipa_bits, granule;
	bool has_ipa_bits, has_granule;
};

/* Opens the device, checks the geometry, creates the box; NULL if not. */
static struct s2box_box *create_box(struct geometry *g,
				    struct s2box_box_info *info)
{
	const struct s2box_caps *caps;
	struct s2box_box *box = NULL;
	struct s2box_dev *dev;
	int err;

	dev = open_ctl();
	if (!dev)
		return NULL;
	caps = s2box_dev_caps(dev);
	if (!g->has_granule)
		g->granule = s2box_caps_any_granule(caps);
	if (check_geometry(caps, g->ipa_bits, g->granule))
		goto close_dev;
	err = s2box_box_create(dev, g->ipa_bits, g->granule, &box);
	if (err) {
		err_msg("creating a box (%u-bit IPA, %s granule): %s%s",
			g->ipa_bits, granule_name(g->granule), strerror(-err),
			err == -ENOMEM ? " (the memory cgroup is full?)" :
			err == -EMFILE ? " (raise the open files limit)" :
			err == -EDQUOT ?
			" (this user has max_boxes_per_user boxes already)" :
			" (dmesg says why)");
		goto close_dev;
	}
	err = s2box_box_info(box, info);
	if (err) {
		err_msg("%s", s2box_box_errmsg(box));
		s2box_box_destroy(box);
		box = NULL;
	}
close_dev:
	s2box_close(dev);
	return box;
}

static void parse_geometry_opt(int opt, const char *arg, struct geometry *g)
{
	__u64 v;

	if (opt == 'i') {
		if (parse_u64(arg, &v) || v > 64)
			die_usage("--ipa-bits wants a number of bits, like 40, not \"%s\"",
				  arg);
		g->ipa_bits = v;
		g->has_ipa_bits = true;
	} else {
		if (parse_granule(arg, &g->granule))
			die_usage("--granule wants 4k, 16k or 64k, not \"%s\"",
				  arg);
		g->has_granule = true;
	}
}

static const char vtcr_usage[] =
	"usage: s2boxctl [--json] vtcr --ipa-bits N [--granule 4k|16k|64k]\n"
	"       s2boxctl [--json] vtcr --decode VALUE\n";

int cmd_vtcr(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ipa-bits", required_argument, NULL, 'i' },
		{ "granule", required_argument, NULL, 'g' },
		{ "decode", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct geometry g = { 0 };
	struct s2box_box_info info;
	struct vtcr_decoded d;
	const char *decode = NULL;
	struct s2box_box *box;
	int opt;
	__u64 v;

	while ((opt = getopt_long(argc, argv, "+i:g:d:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
		case 'g':
			parse_geometry_opt(opt, optarg, &g);
			break;
		case 'd':
			decode = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(vtcr_usage, stdout);
			return EXIT_OK;
		default:
			die_usage("see \"%s vtcr --help\"", prog);
		}
	}
	if (optind < argc)
		die_usage("vtcr: unexpected argument \"%s\"", argv[optind]);
	if (decode) {
		if (g.has_ipa_bits || g.has_granule)
			die_usage("vtcr: --decode takes no --ipa-bits or --granule");
		if (parse_u64(decode, &v))
			die_usage("vtcr: --decode wants a number, like 0x80023558, not \"%s\"",
				  decode);
		vtcr_decode(v, &d);
		vtcr_print(&d, NULL);
		return EXIT_OK;
	}
	if (!g.has_ipa_bits)
		die_usage("vtcr: give --ipa-bits N (and --granule), or --decode VALUE");
	box = create_box(&g, &info);
	if (!box)
		return EXIT_ERROR;
	s2box_box_destroy(box);
	vtcr_decode(info.vtcr, &d);
	vtcr_print(&d, &info);
	return EXIT_OK;
}

/* --- run ----------------------------------------------------------------- */

struct run_opts {
	struct geometry g;
	__u64 mem, load, budget_ms;
	const char *path;
	bool vectors;	/* tools/blobs/vectors.S at VBAR_EL1 (0) */
};

static sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	__atomic_store_n(&interrupted, 1, __ATOMIC_RELAXED);
}

static void *read_blob(const char *path, size_t *len)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd < 0 || fstat(fd, &st)) {
		err_msg("%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || !st.st_size ||
	    (__u64)st.st_size > BLOB_MAX) {
		err_msg("%s: a blob is a non-empty raw binary file of at most %llu MiB",
			path, BLOB_MAX >> 20);
		goto fail;
	}
	buf = malloc(st.st_size);
	if (buf)
		n = read(fd, buf, st.st_size);
	if (n != st.st_size) {
		err_msg("%s: cannot read it whole", path);
		free(buf);
		goto fail;
	}
	close(fd);
	*len = n;
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Maps [0, mem) and copies the blob to the load address. */
static int load_blob(struct s2box_box *box, const struct s2box_box_info *info,
		     const struct run_opts *o, const void *blob, size_t len)
{
	__u64 align = info->map_align;
	int err;

	if (o->mem % align) {
		err_msg("--mem %llu is not a multiple of map_align (%llu): use --mem %llu",
			o->mem, align, (o->mem + align - 1) / align * align);
		return -1;
	}
	if (o->g.ipa_bits < 64 && o->mem > 1ULL << o->g.ipa_bits) {
		err_msg("--mem %llu is larger than the %u-bit IPA space: use a smaller --mem",
			o->mem, o->g.ipa_bits);
		return -1;
	}
	if (o->load > o->mem || len > o->mem - o->load) {
		err_msg("the blob (%zu bytes) at 0x%llx does not fit in --mem: use --mem %llu",
			len, o->load,
			(o->load + len + align - 1) / align * align);
		return -1;
	}
	err = s2box_mem_map(box, 0, o->mem, S2BOX_PROT_READ |
			    S2BOX_PROT_WRITE | S2BOX_PROT_EXEC);
	if (err) {
		err_msg("mapping %llu bytes at 0: %s%s", o->mem,
			strerror(-err), err == -ENOMEM ?
			" (over the module's max_box_mem_mb, or the memory cgroup's limit)" :
			"");
		return -1;
	}
	err = o->vectors ? s2box_mem_write(box, 0, s2box_blob_vectors,
					   S2BOX_BLOB_SIZE(vectors)) : 0;
	if (err) {
		err_msg("loading the vector table at 0: %s", strerror(-err));
		return -1;
	}
	err = s2box_mem_write(box, o->load, blob, len);
	if (err) {
		err_msg("loading the blob at 0x%llx: %s", o->load,
			strerror(-err));
		return -1;
	}
	return s2box_set_pc(box, o->load);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * RUN until an exit, resuming after signals other than SIGINT with what
 * is left of the budget. Returns 0 (r->intr if SIGINT ended it) or -1.
 */
static int run_box(struct s2box_box *box, struct run_report *r)
{
	struct sigaction sa = { .sa_handler = on_sigint };
	__u64 budget_ns = r->budget_ms * MSEC, start = now_ns(), used;
	struct s2box_exit *e = &r->exit;
	int err;

	sigaction(SIGINT, &sa, NULL);
	for (;;) {
		if (__atomic_load_n(&interrupted, __ATOMIC_RELAXED)) {
			r->intr = true;
			break;
		}
		used = now_ns() - start;
		r->calls++;
		err = s2box_run(box, !budget_ns ? 0 : used < budget_ns ?
				budget_ns - used : 1, e);
		if (!err) {
			r->guest_ns += e->guest_ns;
			break;
		}
		if (err != -EINTR) {
			err_msg("S2BOX_RUN: %s", strerror(-err));
			return -1;
		}
	}
	err = s2box_regs_get(box, &r->regs);
	if (err) {
		err_msg("S2BOX_GET_REGS: %s", strerror(-err));
		return -1;
	}
	/* HVC #0xe1 from inside our vector table: an exception at EL1. */
	r->el1 = !r->intr && r->vectors && e->reason == S2BOX_EXIT_HVC &&
		 e->hvc_imm == VECTORS_HVC && r->regs.pc >= 4 &&
		 r->regs.pc - 4 < S2BOX_BLOB_SIZE(vectors);
	return 0;
}

static const char run_usage[] =
	"usage: s2boxctl [--json] run [--ipa-bits N] [--granule 4k|16k|64k]\n"
	"           [--mem SIZE] [--load-addr IPA] [--budget MS] [--no-vectors]\n"
	"           BLOB\n";

static void parse_run(int argc, char **argv, struct run_opts *o)
{
	static const struct option opts[] = {
		{ "ipa-bits", required_argument, NULL, 'i' },
		{ "granule", required_argument, NULL, 'g' },
		{ "mem", required_argument, NULL, 'm' },
		{ "load-addr", required_argument, NULL, 'l' },
		{ "budget", required_argument, NULL, 'b' },
		{ "no-vectors", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "+i:g:m:l:b:njh", opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'i':
		case 'g':
			parse_geometry_opt(opt, optarg, &o->g);
			break;
		case 'm':
			if (parse_size(optarg, &o->mem) || !o->mem)
				die_usage("--mem wants a size, like 1M or 65536, not \"%s\"",
					  optarg);
			break;
		case 'l':
			if (parse_u64(optarg, &o->load) || o->load % 4)
				die_usage("--load-addr: not a 4-byte aligned IPA: \"%s\"",
					  optarg);
			break;
		case 'b':
			if (parse_u64(optarg, &o->budget_ms) ||
			    o->budget_ms > ULLONG_MAX / MSEC)
				die_usage("--budget wants milliseconds (0: no limit), not \"%s\"",
					  optarg);
			break;
		case 'n':
			o->vectors = false;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(run_usage, stdout);
			exit(EXIT_OK);
		default:
			die_usage("see \"%s run --help\"", prog);
		}
	}
	if (optind != argc - 1)
		die_usage("run: give exactly one BLOB file (see \"%s run --help\")",
			  prog);
	o->path = argv[optind];
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = {
		.g = { .ipa_bits = S2BOX_IPA_BITS_MIN },
		.mem = 1ULL << 20, .load = 0x1000, .budget_ms = 10000,
		.vectors = true,
	};
	struct s2box_box_info info;
	struct run_report r = { .info = &info };
	struct s2box_box *box;
	void *blob;

	parse_run(argc, argv, &o);
	blob = read_blob(o.path, &r.blob_bytes);
	if (!blob)
		return EXIT_ERROR;
	/* A blob loaded over the vector table brings its own, or none. */
	if (o.load < S2BOX_BLOB_SIZE(vectors))
		o.vectors = false;
	box = create_box(&o.g, &info);
	if (!box || load_blob(box, &info, &o, blob, r.blob_bytes)) {
		s2box_box_destroy(box);
		free(blob);
		return EXIT_ERROR;
	}
	free(blob);
	r.mem = o.mem;
	r.load = o.load;
	r.budget_ms = o.budget_ms;
	r.vectors = o.vectors;
	if (run_box(box, &r)) {
		s2box_box_destroy(box);
		return EXIT_ERROR;
	}
	s2box_box_destroy(box);
	print_run(&r);
	if (r.intr)
		return EXIT_INTERRUPTED;
	if (r.el1)
		return EXIT_BOX_FAULT;
	switch (r.exit.reason) {
	case S2BOX_EXIT_HVC:
		return EXIT_OK;
	case S2BOX_EXIT_BUDGET:
		return EXIT_BOX_BUDGET;
	}
	return EXIT_BOX_FAULT;
}
