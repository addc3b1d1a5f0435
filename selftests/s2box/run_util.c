// SPDX-License-Identifier: GPL-2.0
/* Helpers of the kselftests that run blobs in boxes (run_util.h). */

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "run_util.h"

int box_get(int box, struct s2box_regs *r)
{
	return ioctl(box, S2BOX_GET_REGS, r);
}

int box_set(int box, const struct s2box_regs *r)
{
	return ioctl(box, S2BOX_SET_REGS, r);
}

int box_set_pc(int box, __u64 pc)
{
	struct s2box_regs r;

	if (box_get(box, &r))
		return -1;
	r.pc = pc;
	return box_set(box, &r);
}

const char *exit_name(__u32 reason)
{
	static const char * const names[] = {
		"none", "hvc", "s2_fault", "trap", "serror", "budget",
	};

	return reason < 6 ? names[reason] : "unknown";
}
