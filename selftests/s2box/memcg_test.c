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
 * In the child: join @cg, cap it 1 MiB above its current usage, and create
 * one-page boxes until creation fails. Exit 0 when that failure is ENOMEM
 * (the limit returns an error instead of an OOM kill) and came after at
 * most 2 MiB worth of root tables: boxes whose root tables were not charged
 * would only hit the limit through their small file objects, thousands of
 * boxes later.
 */
static int memcg_child(const char *cg)
{
	struct rlimit lim = { 4096, 4096 };
	char path[256], text[64];
	int ctl, made;
	long usage;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	if (write_file(path, "0") || setrlimit(RLIMIT_NOFILE, &lim))
		return 2;
	/*
	 * Nothing but box creation may allocate once the limit is set: an
	 * fd table growing or a page fault at the limit would OOM-kill us.
	 * Grow the fd table now, and touch no new memory afterwards.
	 */
	if (dup2(0, 4090) < 0 || close(4090))
		return 2;
	ctl = s2box_open_ctl();
	if (ctl < 0)
		return 3;
	snprintf(path, sizeof(path), "%s/memory.current", cg);
	usage = read_keyed(path, "");
	snprintf(text, sizeof(text), "%ld", usage + (1L << 20));
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	if (usage < 0 || write_file(path, text))
		return 4;
	for (made = 0; made < 4000; made++)
		if (s2box_create(ctl, 36, s2box_any_granule(ctl)) < 0)
			break;
	if (made == 4000 || errno != ENOMEM)
		return 5;
	return made <= (2L << 20) / getpagesize() ? 0 : 6;
}

TEST(memcg_limit_gives_enomem_not_oom)
{
	char cg[128], events[160];
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
		_exit(memcg_child(cg));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	snprintf(events, sizeof(events), "%s/memory.events", cg);
	EXPECT_EQ(0, read_keyed(events, "oom_kill"));
	EXPECT_LT(0, read_keyed(events, "max"));
	EXPECT_EQ(0, rmdir(cg));
}

TEST_HARNESS_MAIN
