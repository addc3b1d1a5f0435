// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Error text: s2box_strerror() for an errno as the library and the module
 * use it, and the per-handle message of the last failure.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* What each errno means coming from s2box, and what to do about it. */
static const char *const errors[] = {
	[ENOENT] =
		"not found: no /dev/s2box or netlink family (load the module: modprobe s2box), no such box id, no such ELF symbol, or a reset without a snapshot (take one first)",
	[EACCES] =
		"permission denied: /dev/s2box is mode 0600 by default (see the README: access)",
	[EPERM] =
		"operation not permitted: joining the events group needs CAP_NET_ADMIN",
	[EINVAL] =
		"invalid argument: a granule that is not 4K, 16K or 64K, an IPA or size not a multiple of map_align (s2box_box_map_align), or bad flags; dmesg names the field",
	[ERANGE] =
		"IPA size not supported by this CPU for this granule: see s2box_dev_caps() for the limits",
	[EOPNOTSUPP] =
		"granule not supported at stage 2 by this CPU: see s2box_dev_caps() for the granules it has",
	[ENOEXEC] =
		"not a static little-endian AArch64 ELF executable (link it with lib/guest/s2box_guest.ld), or s2box_call() without one loaded",
	[EEXIST] =
		"the IPA range is already mapped in the box: unmap it first or pick another",
	[ENXIO] =
		"the IPA is not mapped in the box (or past its IPA size): map it with s2box_mem_map() first",
	[ENOMEM] =
		"out of memory: the module's max_box_mem_mb, the memory cgroup, RLIMIT_MEMLOCK (box memory is pinned) or memory itself",
	[EDQUOT] =
		"this user has max_boxes_per_user boxes already: destroy some",
	[EMFILE] =
		"out of file descriptors: raise the open files limit",
	[EBUSY] =
		"the box is running (or being snapshotted or reset) on another thread",
	[EINTR] =
		"a signal interrupted the run: run again to resume where the box stopped",
	[ETIME] =
		"the box used up its budget before returning: raise it with s2box_call_set_budget(), or look for a loop",
	[EFAULT] =
		"the box stopped on a fault, trap or SError instead of returning: see s2box_box_last_exit()",
	[ENODEV] =
		"this CPU came online with features s2box does not handle: run on another CPU (dmesg names them)",
	[E2BIG] =
		"a structure newer than the module: update the module",
	[EPROTO] =
		"the module's netlink reply is malformed: the module and libs2box may be of different versions",
	[EUCLEAN] =
		"the box's stage-2 tables are not what they must be: dmesg says why",
};

S2BOX_EXPORT const char *s2box_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (!err)
		return "success";
	if ((unsigned int)err < ARRAY_SIZE(errors) && errors[err])
		return errors[err];
	/* glibc's text for every errno it knows is a constant string. */
	return strerror(err);
}

int s2box_fail(char *buf, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, ERRMSG_LEN, fmt, ap);
	va_end(ap);
	if (n >= 0 && n < ERRMSG_LEN)
		snprintf(buf + n, ERRMSG_LEN - n, ": %s", s2box_strerror(err));
	return err;
}
