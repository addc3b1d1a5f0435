/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel reports about a process's pinned memory and a box fd,
 * read from /proc (s2box_mem_test, s2box_nl_test): "VmPin" in
 * /proc/PID/status and the s2box_* keys of /proc/PID/fdinfo/FD.
 */
#ifndef S2BOX_PINNED_UTIL_H
#define S2BOX_PINNED_UTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/types.h>

#define NO_VALUE	(~0ULL)

/*
 * This process's /proc/PID directory, when opened with proc_self_hold()
 * before dropping privileges: paths then resolve from it, so they work
 * even where the caller could no longer reach /proc by name.
 */
static int proc_self_dir = -1;

static inline int proc_self_hold(void)
{
	proc_self_dir = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return proc_self_dir < 0 ? -1 : 0;
}

/*
 * The decimal value after "@key:" in @path (relative to /proc/self when
 * it does not start with '/'), scaled by @unit, or NO_VALUE.
 */
static inline __u64 proc_key(const char *path, const char *key, __u64 unit)
{
	size_t len = strlen(key);
	unsigned long long v;
	__u64 ret = NO_VALUE;
	char line[256], full[96];
	FILE *f;
	int fd;

	if (path[0] != '/' && proc_self_dir < 0) {
		snprintf(full, sizeof(full), "/proc/self/%s", path);
		path = full;
	}
	fd = openat(proc_self_dir, path, O_RDONLY | O_CLOEXEC);
	f = fd < 0 ? NULL : fdopen(fd, "r");
	if (fd >= 0 && !f)
		close(fd);

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':' &&
		    sscanf(line + len + 1, "%llu", &v) == 1) {
			ret = v * unit;
			break;
		}
	if (f)
		fclose(f);
	return ret;
}

/* mm->pinned_vm of @pid (0: this process), in bytes. */
static inline __u64 vm_pinned(pid_t pid)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
	else
		snprintf(path, sizeof(path), "status");
	return proc_key(path, "VmPin", 1024);
}

/* An s2box_* key of this process's box fd @fd. */
static inline __u64 fdinfo_u64(int fd, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "fdinfo/%d", fd);
	return proc_key(path, key, 1);
}

#endif /* S2BOX_PINNED_UTIL_H */
