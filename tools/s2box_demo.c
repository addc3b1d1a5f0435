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

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/s2box.h>

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

static int run_from(int box, __u64 pc, __u64 x0, __u64 x1,
		    struct s2box_run *run, struct s2box_regs *regs)
{
	if (ioctl(box, S2BOX_GET_REGS, regs))
		return -1;
	regs->pc = pc;
	regs->x[0] = x0;
	regs->x[1] = x1;
	if (ioctl(box, S2BOX_SET_REGS, regs))
		return -1;
	memset(run, 0, sizeof(*run));
	run->budget_ns = 100000000;
	if (ioctl(box, S2BOX_RUN, run))
		return -1;
	return ioctl(box, S2BOX_GET_REGS, regs);
}

static void print_exit(const char *what, const struct s2box_run *run,
		       const struct s2box_regs *regs)
{
	static const char *const access[] = { "?", "read", "write", "exec" };
	static const char *const status[] = {
		"address size", "translation", "access flag", "permission", "other"
	};

	printf("      %-22s ", what);
	switch (run->exit_reason) {
	case S2BOX_EXIT_HVC:
		if (run->hvc_imm != 0xe1) {
			printf("HVC #%u, x0 = 0x%llx\n", run->hvc_imm, regs->x[0]);
			break;
		}
		printf("stayed at EL1: its own vector got EC 0x%llx ",
		       regs->x[0] >> 26);
		printf("(ESR_EL1 0x%llx) for FAR 0x%llx\n", regs->x[0],
		       regs->x[1]);
		break;
	case S2BOX_EXIT_S2_FAULT:
		printf("stage-2 %s fault on %s at IPA 0x%llx, level %d\n",
		       status[run->fault_status % 5],
		       access[run->fault_access % 4], run->ipa,
		       run->fault_level);
		break;
	default:
		printf("exit %u, ESR 0x%llx\n", run->exit_reason, run->esr);
	}
}

/* Map and load what the blobs need; returns 0 or -1 with errno. */
static int load_box(int box, __u64 top, __u32 align)
{
	struct s2box_map low = { .ipa = 0, .size = align, .prot = 7 };
	struct s2box_map high = { .ipa = top - align, .size = align, .prot = 3 };
	__u64 array[ARRAY_LEN], mark = 0x70b0f1a5c0ffee00ULL;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN; i++)
		array[i] = (i + 1) * 1000;
	if (ioctl(box, S2BOX_MAP, &low) || ioctl(box, S2BOX_MAP, &high))
		return -1;
	if (pwrite(box, s2box_blob_vectors, S2BOX_BLOB_SIZE(vectors), 0) < 0 ||
	    pwrite(box, s2box_blob_sum, S2BOX_BLOB_SIZE(sum), IPA_SUM) < 0 ||
	    pwrite(box, s2box_blob_touch, S2BOX_BLOB_SIZE(touch),
		   IPA_TOUCH) < 0 ||
	    pwrite(box, array, sizeof(array), IPA_ARRAY) < 0 ||
	    pwrite(box, &mark, sizeof(mark), top - 8) < 0)
		return -1;
	return 0;
}

static void run_blobs(int box, const struct s2box_box_info *info)
{
	__u64 top = 1ULL << info->ipa_bits, got = 0;
	struct s2box_regs regs;
	struct s2box_run run;

	if (load_box(box, top, info->map_align)) {
		printf("      loading failed: %s\n", strerror(errno));
		return;
	}
	if (!run_from(box, IPA_SUM, IPA_ARRAY, ARRAY_LEN, &run, &regs))
		print_exit("sum of 1000..8000:", &run, &regs);
	if (!run_from(box, IPA_TOUCH, top - 8, 0x5eed, &run, &regs))
		print_exit("read top of IPA space:", &run, &regs);
	if (!ioctl(box, S2BOX_RUN, &run) && run.exit_reason == S2BOX_EXIT_HVC &&
	    pread(box, &got, sizeof(got), top - 8) == sizeof(got))
		printf("      %-22s host reads back 0x%llx\n", "write top:", got);
	if (!run_from(box, IPA_TOUCH, top, 0, &run, &regs))
		print_exit("read 1 byte past top:", &run, &regs);
}

static void try_box(int ctl, unsigned int granule, unsigned int ipa_bits)
{
	struct s2box_create args = { .ipa_bits = ipa_bits, .granule = granule };
	struct s2box_box_info info;
	int box;

	printf("  %2uK granule, %u-bit IPA: ", granule / 1024, ipa_bits);
	box = ioctl(ctl, S2BOX_CREATE_BOX, &args);
	if (box < 0) {
		printf("refused: %s\n", strerror(errno));
		return;
	}
	if (ioctl(box, S2BOX_GET_BOX_INFO, &info)) {
		printf("GET_BOX_INFO failed: %s\n", strerror(errno));
	} else {
		print_vtcr(info.vtcr, granule);
		printf("      box %llu: %u root table(s), root aligned to %u bytes\n",
		       (unsigned long long)info.box_id, info.root_pages,
		       info.root_align);
		run_blobs(box, &info);
	}
	close(box);
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

/* A box per granule, each with one run, while s2boxctl looks. */
static void show_boxes(int ctl, const struct s2box_caps *caps)
{
	const unsigned int limits[] = {
		caps->ipa_bits_max_4k, caps->ipa_bits_max_16k,
		caps->ipa_bits_max_64k
	};
	int boxes[ARRAY_SIZE(granules)];
	struct s2box_box_info info;
	struct s2box_regs regs;
	struct s2box_run run;
	unsigned int g;

	for (g = 0; g < ARRAY_SIZE(granules); g++) {
		struct s2box_create args = {
			.ipa_bits = limits[g] < 40 ? limits[g] : 40,
			.granule = granules[g],
		};

		boxes[g] = limits[g] ? ioctl(ctl, S2BOX_CREATE_BOX, &args) : -1;
		if (boxes[g] >= 0 && !ioctl(boxes[g], S2BOX_GET_BOX_INFO, &info) &&
		    !load_box(boxes[g], 1ULL << info.ipa_bits, info.map_align))
			run_from(boxes[g], IPA_SUM, IPA_ARRAY, ARRAY_LEN, &run,
				 &regs);
	}
	run_s2boxctl("list");
	run_s2boxctl("stats");
	for (g = 0; g < ARRAY_SIZE(granules); g++)
		if (boxes[g] >= 0)
			close(boxes[g]);
}

int main(void)
{
	struct s2box_caps caps;
	unsigned int g, i;
	int ctl;

	ctl = open(S2BOX_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		fprintf(stderr, "s2box_demo: %s: %s (is the module loaded?)\n",
			S2BOX_DEVICE_PATH, strerror(errno));
		return 1;
	}
	if (ioctl(ctl, S2BOX_GET_CAPS, &caps)) {
		perror("s2box_demo: S2BOX_GET_CAPS");
		return 1;
	}
	print_caps(&caps);
	for (g = 0; g < ARRAY_SIZE(granules); g++)
		for (i = 0; i < ARRAY_SIZE(ipa_sizes); i++)
			try_box(ctl, granules[g], ipa_sizes[i]);
	show_boxes(ctl, &caps);
	close(ctl);
	return 0;
}
