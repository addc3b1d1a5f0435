// SPDX-License-Identifier: GPL-2.0
/* Pinned-memory and fdinfo readings from /proc (pinned_util.h). */

#include "pinned_util.h"

int proc_self_dir = -1;

int proc_self_hold(void)
{
	proc_self_dir = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return proc_self_dir < 0 ? -1 : 0;
}

__u64 proc_key(const char *path, const char *key, __u64 unit)
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

__u64 vm_pinned(pid_t pid)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
	else
		snprintf(path, sizeof(path), "status");
	return proc_key(path, "VmPin", 1024);
}

__u64 fdinfo_u64(int fd, const char *key)
{
	char path[64];

	snprintf(path, sizeof(path), "fdinfo/%d", fd);
	return proc_key(path, key, 1);
}
