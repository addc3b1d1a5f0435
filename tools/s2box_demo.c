// SPDX-License-Identifier: GPL-2.0
/*
 * s2box_demo: what `make demo` runs inside the emulated server. Prints the
 * host's capabilities, then creates a box for every granule at 32, 36, 40,
 * 44, 48 and 52 bits of IPA and prints its VTCR_EL2 decoded from the raw
 * register value (a refused combination prints its error), and runs three
 * blobs in it (tools/blobs): one sums an array the host wrote, one reads
 * and writes the top of the IPA space, and the same one reads one byte
 * past it. Ends with what `s2boxctl list` and `s2boxctl stats` say while
 * a box per granule is alive (when s2boxctl sits next to s2box_demo).
 */

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <s2box/s2box.h>

#include "blobs/blobs.h"

/* Box layout: EL1 vectors at 0, blobs after them, the array at 0xc00. */
#define IPA_SUM		0x800ULL
#define IPA_TOUCH	0x900ULL
#define IPA_ARRAY	0xc00ULL
#define ARRAY_LEN	8

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const unsigned int granules[] = {
	S2BOX_GRANULE_4K, S2BOX_GRANULE_16K, S2BOX_GRANULE_64K
};

static const unsigned int ipa_sizes[] = { 32, 36, 40, 44, 48, 52 };

static void print_caps(const struct s2box_caps *c)
{
	printf("host: %u-bit PA, %u-bit VMIDs, page size %u, FWB %s\n",
	       c->pa_bits, c->vmid_bits, c->host_page_size,
	       c->flags & S2BOX_CAP_FWB ? "yes" : "no");
	printf("      IPA limit: 4K %u, 16K %u, 64K %u (0 = granule absent)\n",
	       c->ipa_bits_max_4k, c->ipa_bits_max_16k, c->ipa_bits_max_64k);
}

/* Decode VTCR_EL2 from the raw value (Arm ARM field layout). */
static void print_vtcr(unsigned long long v, unsigned int granule)
{
	static const unsigned int ps_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	unsigned int t0sz = v & 0x3f, sl0 = (v >> 6) & 3, tg0 = (v >> 14) & 3;
	unsigned int ps = (v >> 16) & 7, ds = (v >> 32) & 1;
	int start = granule == S2BOX_GRANULE_4K ? 2 - (int)sl0 : 3 - (int)sl0;

	printf("vtcr 0x%09llx  T0SZ=%-2u (%u-bit IPA) TG0=%s ", v, t0sz,
	       64 - t0sz, tg0 == 0 ? "4K " : tg0 == 1 ? "64K" : "16K");
	printf("SL0=%u (start level %d, %d levels) PS=%u (%u-bit OA) DS=%u VS=%llu\n",
	       sl0, start, 4 - start, ps, ps < 7 ? ps_bits[ps] : 0, ds,
	       (v >> 19) & 1);
}

/* Starts the box at @pc with x0, x1 and runs it to an exit. */
static int run_from(struct s2box_box *box, __u64 pc, __u64 x0, __u64 x1,
		    struct s2box_exit *exit)
{
	struct s2box_regs regs;

	if (s2box_regs_get(box, &regs))
		return -1;
	regs.pc = pc;
	regs.x[0] = x0;
	regs.x[1] = x1;
	if (s2box_regs_set(box, &regs))
		return -1;
	return s2box_run(box, 100000000, exit);
}

static void print_exit(const char *what, const struct s2box_exit *e)
{
	char buf[160];

	printf("      %-22s ", what);
	if (e->reason == S2BOX_EXIT_HVC && e->hvc_imm == 0xe1) {
		printf("stayed at EL1: its own vector got EC 0x%llx ",
		       e->x[0] >> 26);
		printf("(ESR_EL1 0x%llx) for FAR 0x%llx\n", e->x[0], e->x[1]);
		return;
	}
	s2box_exit_describe(e, buf, sizeof(buf));
	printf("%s\n", buf);
}

/* Map and load what the blobs need; returns 0 or a negative errno. */
static int load_box(struct s2box_box *box, __u64 top, __u32 align)
{
	__u64 array[ARRAY_LEN], mark = 0x70b0f1a5c0ffee00ULL;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_LEN; i++)
		array[i] = (i + 1) * 1000;
	err = s2box_mem_map(box, 0, align, S2BOX_PROT_READ | S2BOX_PROT_WRITE |
			    S2BOX_PROT_EXEC);
	if (!err)
		err = s2box_mem_map(box, top - align, align,
				    S2BOX_PROT_READ | S2BOX_PROT_WRITE);
	if (!err)
		err = s2box_mem_write(box, 0, s2box_blob_vectors,
				      S2BOX_BLOB_SIZE(vectors));
	if (!err)
		err = s2box_mem_write(box, IPA_SUM, s2box_blob_sum,
				      S2BOX_BLOB_SIZE(sum));
	if (!err)
		err = s2box_mem_write(box, IPA_TOUCH, s2box_blob_touch,
				      S2BOX_BLOB_SIZE(touch));
	if (!err)
		err = s2box_mem_write(box, IPA_ARRAY, array, sizeof(array));
	if (!err)
		err = s2box_mem_write(box, top - 8, &mark, sizeof(mark));
	return err;
}

static void run_blobs(struct s2box_box *box, const struct s2box_box_info *info)
{
	__u64 top = 1ULL << info->ipa_bits, got = 0;
	struct s2box_exit e;

	if (load_box(box, top, info->map_align)) {
		printf("      loading failed: %s\n", s2box_box_errmsg(box));
		return;
	}
	if (!run_from(box, IPA_SUM, IPA_ARRAY, ARRAY_LEN, &e))
		print_exit("sum of 1000..8000:", &e);
	if (!run_from(box, IPA_TOUCH, top - 8, 0x5eed, &e))
		print_exit("read top of IPA space:", &e);
	if (!s2box_run(box, 0, &e) && e.reason == S2BOX_EXIT_HVC &&
	    !s2box_mem_read(box, top - 8, &got, sizeof(got)))
		printf("      %-22s host reads back 0x%llx\n", "write top:", got);
	if (!run_from(box, IPA_TOUCH, top, 0, &e))
		print_exit("read 1 byte past top:", &e);
}

static void try_box(struct s2box_dev *dev, unsigned int granule,
		    unsigned int ipa_bits)
{
	struct s2box_box_info info;
	struct s2box_box *box;

	printf("  %2uK granule, %u-bit IPA: ", granule / 1024, ipa_bits);
	if (s2box_box_create(dev, ipa_bits, granule, &box)) {
		printf("refused: %s\n", s2box_dev_errmsg(dev));
		return;
	}
	if (s2box_box_info(box, &info)) {
		printf("GET_BOX_INFO failed: %s\n", s2box_box_errmsg(box));
	} else {
		print_vtcr(info.vtcr, granule);
		printf("      box %llu: %u root table(s), root aligned to %u bytes\n",
		       (unsigned long long)info.box_id, info.root_pages,
		       info.root_align);
		run_blobs(box, &info);
	}
	s2box_box_destroy(box);
}

/* Runs s2boxctl @cmd, from the directory s2box_demo is in. */
static void run_s2boxctl(const char *cmd)
{
	char path[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 16);
	pid_t pid;

	if (n < 0)
		return;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash)
		return;
	snprintf(slash + 1, 16, "s2boxctl");
	if (access(path, X_OK))
		return;
	printf("\n$ s2boxctl %s\n", cmd);
	fflush(stdout);
	pid = fork();
	if (!pid) {
		execl(path, "s2boxctl", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/*
 * A sandbox's cycle on @box: snapshot, the box writes, reset puts back
 * what it wrote and nothing else; then a clone of the snapshot, which
 * shares its memory until it writes.
 */
static void show_snapshot(struct s2box_box *box, struct s2box_box **clone)
{
	__u64 top, got = 0, was = 0;
	struct s2box_box_info info;
	struct s2box_reset r;
	struct s2box_exit e;

	if (s2box_box_info(box, &info) || s2box_box_snapshot(box, NULL))
		return;
	top = 1ULL << info.ipa_bits;
	printf("\nbox %llu: snapshot, then the box writes 0x5eed at IPA 0x%llx\n",
	       (unsigned long long)info.box_id, top - 8);
	s2box_mem_read(box, top - 8, &was, sizeof(was));
	if (run_from(box, IPA_TOUCH, top - 8, 0x5eed, &e) ||
	    s2box_run(box, 0, &e) || s2box_mem_read(box, top - 8, &got,
						    sizeof(got)))
		return;
	printf("  host reads 0x%llx; ", got);
	if (s2box_box_reset(box, &r) ||
	    s2box_mem_read(box, top - 8, &got, sizeof(got)))
		return;
	printf("after the reset 0x%llx (was 0x%llx), %llu pages copied back\n",
	       got, was, (unsigned long long)r.restored_pages);
	if (s2box_box_clone(box, clone) ||
	    s2box_mem_read(*clone, top - 8, &got, sizeof(got)))
		return;
	printf("  a clone of the snapshot reads 0x%llx there, owning no memory yet\n",
	       got);
}

/* A box per granule, each with one run, while s2boxctl looks. */
static void show_boxes(struct s2box_dev *dev)
{
	const struct s2box_caps *caps = s2box_dev_caps(dev);
	struct s2box_box *boxes[ARRAY_SIZE(granules)] = { NULL };
	struct s2box_box *clone = NULL;
	struct s2box_box_info info;
	struct s2box_exit e;
	unsigned int g, limit;

	for (g = 0; g < ARRAY_SIZE(granules); g++) {
		limit = s2box_caps_ipa_limit(caps, granules[g]);
		if (!limit || s2box_box_create(dev, limit < 40 ? limit : 40,
					       granules[g], &boxes[g]))
			continue;
		if (!s2box_box_info(boxes[g], &info) &&
		    !load_box(boxes[g], 1ULL << info.ipa_bits, info.map_align))
			run_from(boxes[g], IPA_SUM, IPA_ARRAY, ARRAY_LEN, &e);
	}
	if (boxes[0])
		show_snapshot(boxes[0], &clone);
	run_s2boxctl("list");
	run_s2boxctl("stats");
	s2box_box_destroy(clone);
	for (g = 0; g < ARRAY_SIZE(granules); g++)
		s2box_box_destroy(boxes[g]);
}

int main(void)
{
	struct s2box_dev *dev;
	unsigned int g, i;
	int err;

	err = s2box_open(&dev);
	if (err) {
		fprintf(stderr, "s2box_demo: %s: %s\n", S2BOX_DEVICE_PATH,
			s2box_strerror(err));
		return 1;
	}
	print_caps(s2box_dev_caps(dev));
	for (g = 0; g < ARRAY_SIZE(granules); g++)
		for (i = 0; i < ARRAY_SIZE(ipa_sizes); i++)
			try_box(dev, granules[g], ipa_sizes[i]);
	show_boxes(dev);
	s2box_close(dev);
	return 0;
}
