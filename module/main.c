// SPDX-License-Identifier: GPL-2.0
/*
 * s2box: isolated stage-2 contexts ("boxes") for arm64 VHE hosts.
 * Module entry points and the /dev/s2box control device.
 */

#include <linux/cpuhotplug.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <net/genetlink.h>

#include "s2box.h"

/*
 * Access to /dev/s2box is a security decision, so the default is root
 * only. Sandboxing tools get access either through the udev rule shipped
 * in scripts/ (group s2box, 0660) or by loading with dev_mode=0660.
 */
static ushort dev_mode = 0600;
module_param(dev_mode, ushort, 0444);
MODULE_PARM_DESC(dev_mode, "Mode of /dev/s2box (default 0600; see README for group access)");

static long ctl_get_caps(unsigned int cmd, unsigned long arg)
{
	struct s2box_caps caps;

	s2box_host_fill_caps(&caps);
	return s2box_arg_out(arg, cmd, &caps, sizeof(caps));
}

static long ctl_create_box(unsigned int cmd, unsigned long arg)
{
	struct s2box_create args;
	int err;

	err = s2box_arg_in(&args, sizeof(args), cmd, arg);
	if (err)
		return err;
	return s2box_box_create(&args);
}

static long ctl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (s2box_cmd_is(cmd, S2BOX_GET_CAPS))
		return ctl_get_caps(cmd, arg);
	if (s2box_cmd_is(cmd, S2BOX_CREATE_BOX))
		return ctl_create_box(cmd, arg);
	return -ENOTTY;
}

static const struct file_operations ctl_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = ctl_ioctl,
	/* Every structure is fixed-width and pointer-free: no translation. */
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice ctl_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "s2box",
	.fops = &ctl_fops,
};

static enum cpuhp_state s2box_cpuhp;

static int __init s2box_init(void)
{
	int err;

	if (dev_mode & ~0777) {
		pr_err("dev_mode 0%o is not a permission mode\n", dev_mode);
		return -EINVAL;
	}
	err = s2box_host_probe();
	if (err)
		return err;
	err = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "s2box:online",
					s2box_world_cpu_online, NULL);
	if (err < 0)
		return err;
	s2box_cpuhp = err;
	err = s2box_nl_init();
	if (err) {
		pr_err("cannot register the generic netlink family: %d\n", err);
		goto remove_cpuhp;
	}
	ctl_dev.mode = dev_mode;
	err = misc_register(&ctl_dev);
	if (err) {
		pr_err("cannot register /dev/s2box: %d\n", err);
		goto unregister_nl;
	}
	return 0;

unregister_nl:
	s2box_nl_exit();
remove_cpuhp:
	cpuhp_remove_state_nocalls(s2box_cpuhp);
	return err;
}

static void __exit s2box_exit(void)
{
	misc_deregister(&ctl_dev);
	s2box_nl_exit();
	cpuhp_remove_state_nocalls(s2box_cpuhp);
}

module_init(s2box_init);
module_exit(s2box_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Isolated stage-2 contexts for arm64 VHE hosts");
MODULE_AUTHOR("s2box developers");
/* From the top-level VERSION file (Kbuild), as dkms.conf's and the packages'. */
MODULE_VERSION(S2BOX_VERSION);

/*
 * Loaded on first use: s2boxctl's netlink commands (caps, list, show,
 * stats, monitor) look the "s2box" generic netlink family up by name, and
 * the genetlink controller asks modprobe for this alias when no family of
 * that name is registered.
 *
 * There is deliberately no devname alias (MODULE_ALIAS_MISCDEV plus
 * "devname:s2box"), which would let the first open of /dev/s2box load the
 * module: that needs a node made before the module is loaded, so a fixed
 * misc minor. The fixed minors are a registry in which s2box has no
 * entry; a minor picked from the unassigned range may be another driver's
 * on some host, and there misc_register() fails with -EBUSY and the
 * module cannot load at all. /dev/s2box keeps a dynamic minor, so a
 * program that opens it directly needs the module loaded first (any
 * s2boxctl netlink command, or modprobe s2box).
 */
MODULE_ALIAS_GENL_FAMILY(S2BOX_GENL_NAME);
