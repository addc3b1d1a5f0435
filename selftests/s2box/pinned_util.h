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
extern int proc_self_dir;

int proc_self_hold(void);

/*
 * The decimal value after "@key:" in @path (relative to /proc/self when
 * it does not start with '/'), scaled by @unit, or NO_VALUE.
 */
__u64 proc_key(const char *path, const char *key, __u64 unit);

/* mm->pinned_vm of @pid (0: this process), in bytes. */
__u64 vm_pinned(pid_t pid);

/* An s2box_* key of this process's box fd @fd. */
__u64 fdinfo_u64(int fd, const char *key);

#endif /* S2BOX_PINNED_UTIL_H */
