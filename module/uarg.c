// SPDX-License-Identifier: GPL-2.0
/*
 * Extensible ioctl arguments: the caller's structure size is the size
 * encoded in the ioctl number, so old binaries keep working when a
 * structure grows and new binaries fail cleanly on an old module.
 */

#include <linux/ioctl.h>
#include <linux/uaccess.h>

#include "s2box.h"

/*
 * Copy an input structure of the caller's size into @karg: missing tail
 * bytes read as zero, extra tail bytes must be zero (E2BIG otherwise).
 */
int s2box_arg_in(void *karg, size_t ksize, unsigned int cmd,
		 unsigned long arg)
{
	return copy_struct_from_user(karg, ksize, (void __user *)arg,
				     _IOC_SIZE(cmd));
}

/*
 * Refuse a caller's structure smaller than the first released layout
 * (@ver0) for ioctls where a cut-off tail would change the meaning (see
 * S2BOX_RUN_SIZE_VER0 in the uapi header).
 */
int s2box_arg_min(unsigned int cmd, size_t ver0)
{
	if (_IOC_SIZE(cmd) >= ver0)
		return 0;
	pr_info_ratelimited("ioctl 0x%x: argument size %u is below the structure's first version (%zu bytes); rebuild against the uapi header\n",
			    cmd, _IOC_SIZE(cmd), ver0);
	return -EINVAL;
}

/* Copy an output structure, truncated or zero-filled to the caller's size. */
int s2box_arg_out(unsigned long arg, unsigned int cmd, const void *karg,
		  size_t ksize)
{
	void __user *uarg = (void __user *)arg;
	size_t usize = _IOC_SIZE(cmd);

	if (copy_to_user(uarg, karg, min(usize, ksize)))
		return -EFAULT;
	if (usize > ksize && clear_user(uarg + ksize, usize - ksize))
		return -EFAULT;
	return 0;
}

bool s2box_reserved_zero(const void *field, size_t size)
{
	return !memchr_inv(field, 0, size);
}

/*
 * Does @cmd name the same ioctl as @ref? Type, number and direction must
 * match; the size may differ (it is the caller's structure size).
 */
bool s2box_cmd_is(unsigned int cmd, unsigned int ref)
{
	return _IOC_TYPE(cmd) == _IOC_TYPE(ref) &&
	       _IOC_NR(cmd) == _IOC_NR(ref) &&
	       _IOC_DIR(cmd) == _IOC_DIR(ref);
}
