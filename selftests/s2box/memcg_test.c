// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftest: box memory is charged to the caller's memory cgroup, and
 * a cgroup at its limit gets ENOMEM from box creation, never an OOM kill.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "s2box_util.h"

#define CGROUP_ROOT	"/sys/fs/cgroup"

static int write_file(const char *path, const char *text)
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

static long read_keyed(const char *path, const char *key)
{
	char line[128];
	long value = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(key);

		if (!key[0]) {
			value = atol(line);
			break;
		}
		if (!strncmp(line, key, n) && line[n] == ' ') {
			value = atol(line + n + 1);
			break;
		}
	}
	fclose(f);
	return value;
}

/*
 * Cap the cgroup @headroom bytes above its usage. Nothing but s2box calls
 * may allocate afterwards: an fd table growing or a page fault at the
 * limit would OOM-kill the child, so memcg_join() grows the fd table
 * first and the children touch nothing new later. Returns 0 or a small
 * error code, as memcg_join() does.
 */
static int memcg_enter(const char *cg, long headroom)
{
	char path[256], text[64];
	long usage;

	snprintf(path, sizeof(path), "%s/memory.current", cg);
	usage = read_keyed(path, "");
	snprintf(text, sizeof(text), "%ld", usage + headroom);
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	if (usage < 0 || write_file(path, text))
		return 4;
	return 0;
}

static int memcg_join(const char *cg)
{
	struct rlimit lim = { 4096, 4096 };
	char path[256];

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	if (write_file(path, "0") || setrlimit(RLIMIT_NOFILE, &lim))
		return 2;
	if (dup2(0, 4090) < 0 || close(4090))
		return 2;
	return 0;
}

/*
 * Create one-page boxes under a 1 MiB headroom until creation fails. Exit
 * 0 when that failure is ENOMEM and came after at most 2 MiB worth of
 * boxes (structure and root table): boxes that were not charged would
 * only hit the limit through their small file objects, thousands later.
 */
static int child_create_boxes(const char *cg)
{
	int ctl, made, err = memcg_join(cg);

	if (err)
		return err;
	ctl = s2box_open_ctl();
	if (ctl < 0)
		return 3;
	err = memcg_enter(cg, 1L << 20);
	if (err)
		return err;
	for (made = 0; made < 4000; made++)
		if (s2box_create(ctl, 36, s2box_any_granule(ctl)) < 0)
			break;
	if (made == 4000 || errno != ENOMEM)
		return 5;
	/*
	 * A box charges at least its structure (over 2 KiB) and its root,
	 * which is slab memory for a 36-bit box (Documentation/geometry.md),
	 * so not a whole page on 16K and 64K hosts: at most one box a KiB
	 * and a half still proves the charge.
	 */
	return made <= (2L << 20) / 1536 ? 0 : 6;
}

/*
 * MAP 16 MiB under a 2 MiB headroom: ENOMEM, and nothing of the range may
 * stay mapped (the box's counters read zero).
 */
static int child_map_over_limit(const char *cg)
{
	struct s2box_map map = { .ipa = 0, .size = 16 << 20,
				 .prot = S2BOX_PROT_READ };
	struct s2box_box_info info;
	int ctl, box, err = memcg_join(cg);

	if (err)
		return err;
	ctl = s2box_open_ctl();
	box = ctl < 0 ? -1 : s2box_create(ctl, 36, s2box_any_granule(ctl));
	if (box < 0)
		return 3;
	err = memcg_enter(cg, 2L << 20);
	if (err)
		return err;
	if (ioctl(box, S2BOX_MAP, &map) == 0 || errno != ENOMEM)
		return 5;
	if (ioctl(box, S2BOX_GET_BOX_INFO, &info) || info.mapped_bytes ||
	    info.page_maps || info.block_maps)
		return 6;
	return 0;
}

/* Run @child in a fresh memory cgroup; check it met ENOMEM, not the OOM killer. */
static void run_in_memcg(struct __test_metadata *_metadata,
			 int (*child)(const char *cg))
{
	char cg[128], file[160];
	int status;
	pid_t pid;

	if (access(CGROUP_ROOT "/cgroup.subtree_control", W_OK))
		SKIP(return, "no writable cgroup2 hierarchy at " CGROUP_ROOT);
	if (write_file(CGROUP_ROOT "/cgroup.subtree_control", "+memory"))
		SKIP(return, "cannot enable the memory controller");
	snprintf(cg, sizeof(cg), CGROUP_ROOT "/s2box-test-%d", getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child(cg));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	snprintf(file, sizeof(file), "%s/memory.events", cg);
	/*
	 * Not even the cgroup's OOM path ran ("oom" counts its invocations,
	 * "oom_kill" what it killed): the limit only ever made s2box fail.
	 */
	EXPECT_EQ(0, read_keyed(file, "oom"));
	EXPECT_EQ(0, read_keyed(file, "oom_kill"));
	EXPECT_LT(0, read_keyed(file, "max"));
	/* With the child gone its boxes are freed: nothing stays charged. */
	snprintf(file, sizeof(file), "%s/memory.current", cg);
	EXPECT_GT(1L << 20, read_keyed(file, ""));
	EXPECT_EQ(0, rmdir(cg));
}

TEST(memcg_limit_gives_enomem_not_oom)
{
	run_in_memcg(_metadata, child_create_boxes);
}

TEST(memcg_limit_fails_map_whole)
{
	run_in_memcg(_metadata, child_map_over_limit);
}

TEST_HARNESS_MAIN
