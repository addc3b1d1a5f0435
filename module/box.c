// SPDX-License-Identifier: GPL-2.0
/*
 * A box: one stage-2 context with its own geometry, VTCR_EL2 and root
 * table, reached through its own file descriptor. The box lives exactly as
 * long as that file.
 */

#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "s2box.h"
#include "trace.h"

/* Box ids start at 1; 0 is never a box. */
static atomic64_t s2box_next_id = ATOMIC64_INIT(0);

/*
 * The bytes of root table the walk indexes: the whole concatenated root,
 * or, for an IPA space smaller than the start level's reach, just the
 * entries it covers (a 36-bit box with 4K granules indexes 64 of the 512
 * entries of its level-1 table). VTTBR_EL2.BADDR needs alignment to that
 * size only, never less than 64 bytes.
 */
static size_t box_root_bytes(const struct s2box_geom *geom)
{
	unsigned int gs = geom->granule_shift;
	unsigned int shift = gs + (3 - geom->start_level) * (gs - 3);

	return max_t(size_t, 64, (size_t)8 << (geom->ipa_bits - shift));
}

/* Host pages the root holds, for s2box_stats: a slab root counts as one. */
static long box_root_host_pages(size_t bytes)
{
	return bytes < PAGE_SIZE ? 1 : 1L << get_order(bytes);
}

static void box_root_free(struct s2box_box *box)
{
	if (box->root_bytes < PAGE_SIZE)
		kfree(box->root);
	else
		free_pages((unsigned long)box->root, get_order(box->root_bytes));
	atomic64_sub(box_root_host_pages(box->root_bytes),
		     &s2box_stats.table_pages);
}

/*
 * A root smaller than a page comes from the slab, which aligns
 * power-of-two sizes to themselves, so a minimal box does not hold a
 * whole page for 64 entries; a larger one from the buddy allocator,
 * whose blocks are aligned to their size.
 */
static int box_root_alloc(struct s2box_box *box)
{
	size_t bytes = box_root_bytes(&box->geom);

	if (bytes < PAGE_SIZE)
		box->root = kzalloc(bytes, S2BOX_GFP);
	else
		box->root = (u64 *)__get_free_pages(S2BOX_GFP | __GFP_ZERO,
						    get_order(bytes));
	if (!box->root)
		return -ENOMEM;
	box->root_bytes = bytes;
	box->root_pa = virt_to_phys(box->root);
	atomic64_add(box_root_host_pages(bytes), &s2box_stats.table_pages);
	if (WARN_ON_ONCE(!IS_ALIGNED(box->root_pa, bytes))) {
		box_root_free(box);
		return -ENOMEM;
	}
	/* The root's address must fit the output size the walker uses. */
	if (box->root_pa >> box->geom.ps_bits) {
		pr_info_ratelimited("create: root table above the %u-bit output size\n",
				    box->geom.ps_bits);
		box_root_free(box);
		return -ENOMEM;
	}
	return 0;
}

static void box_free(struct s2box_box *box)
{
	put_pid(box->owner_pid);
	s2box_mem_destroy(box);
	box_root_free(box);
	kfree(box);
}

static int box_release(struct inode *inode, struct file *file)
{
	struct s2box_box *box = file->private_data;

	s2box_registry_del(box);
	trace_s2box_box_destroy(box->id, box->pt.mapped_bytes);
	s2box_nl_event_box(box, false);
	box_free(box);
	return 0;
}

void s2box_box_fill_info(struct s2box_box *box, struct s2box_box_info *info)
{
	const struct s2box_geom *g = &box->geom;

	memset(info, 0, sizeof(*info));
	info->box_id = box->id;
	info->vtcr = g->vtcr;
	info->ipa_bits = g->ipa_bits;
	info->granule = 1U << g->granule_shift;
	info->levels = g->levels;
	info->start_level = g->start_level;
	info->sl0 = g->sl0;
	info->sl2 = g->sl2;
	info->t0sz = g->t0sz;
	info->ps = g->ps;
	info->ps_bits = g->ps_bits;
	info->ds = g->ds;
	info->vs = g->vs;
	info->root_pages = g->root_pages;
	info->root_align = 1U << g->root_align_shift;
	s2box_mem_fill_info(box, info);
}

static long box_ioctl_map(struct s2box_box *box, unsigned int cmd,
			  unsigned long arg)
{
	struct s2box_map args;
	int err = s2box_arg_in(&args, sizeof(args), cmd, arg);

	return err ? err : s2box_mem_map(box, &args);
}

static long box_ioctl_unmap(struct s2box_box *box, unsigned int cmd,
			    unsigned long arg)
{
	struct s2box_unmap args;
	int err = s2box_arg_in(&args, sizeof(args), cmd, arg);

	return err ? err : s2box_mem_unmap(box, &args);
}

static long box_ioctl_audit(struct s2box_box *box, unsigned int cmd,
			    unsigned long arg)
{
	struct s2box_audit res;
	int err = s2box_mem_audit(box, &res);
	int copy_err = s2box_arg_out(arg, cmd, &res, sizeof(res));

	return err ? err : copy_err;
}

/* struct s2box_regs is large: keep it off the kernel stack. */
static long box_ioctl_get_regs(struct s2box_box *box, unsigned int cmd,
			       unsigned long arg)
{
	struct s2box_regs *regs = kmalloc(sizeof(*regs), GFP_KERNEL);
	int err;

	if (!regs)
		return -ENOMEM;
	err = s2box_regs_get(box, regs);
	if (!err)
		err = s2box_arg_out(arg, cmd, regs, sizeof(*regs));
	kfree(regs);
	return err;
}

static long box_ioctl_set_regs(struct s2box_box *box, unsigned int cmd,
			       unsigned long arg)
{
	struct s2box_regs *regs;
	int err;

	BUILD_BUG_ON(sizeof(*regs) < S2BOX_REGS_SIZE_VER0);
	err = s2box_arg_min(cmd, S2BOX_REGS_SIZE_VER0);
	if (err)
		return err;
	regs = kmalloc(sizeof(*regs), GFP_KERNEL);
	if (!regs)
		return -ENOMEM;
	err = s2box_arg_in(regs, sizeof(*regs), cmd, arg);
	if (!err)
		err = s2box_regs_set(box, regs);
	kfree(regs);
	return err;
}

static long box_ioctl_run(struct s2box_box *box, unsigned int cmd,
			  unsigned long arg)
{
	struct s2box_run run;
	int err;

	BUILD_BUG_ON(sizeof(run) < S2BOX_RUN_SIZE_VER0);
	err = s2box_arg_min(cmd, S2BOX_RUN_SIZE_VER0);
	if (!err)
		err = s2box_arg_in(&run, sizeof(run), cmd, arg);
	if (err)
		return err;
	err = s2box_run(box, &run);
	/* A signal still reports how far the run got. */
	if (!err || err == -EINTR) {
		int copy_err = s2box_arg_out(arg, cmd, &run, sizeof(run));

		if (copy_err)
			return copy_err;
	}
	return err;
}

static long box_ioctl_snapshot(struct s2box_box *box, unsigned int cmd,
			       unsigned long arg)
{
	struct s2box_snapshot args;
	int err = s2box_arg_in(&args, sizeof(args), cmd, arg);

	if (!err)
		err = s2box_snap_take(box, &args);
	return err ? err : s2box_arg_out(arg, cmd, &args, sizeof(args));
}

static long box_ioctl_reset(struct s2box_box *box, unsigned int cmd,
			    unsigned long arg)
{
	struct s2box_reset args;
	int err = s2box_arg_in(&args, sizeof(args), cmd, arg);

	if (!err)
		err = s2box_snap_reset(box, &args);
	return err ? err : s2box_arg_out(arg, cmd, &args, sizeof(args));
}

static long box_ioctl_clone(struct s2box_box *tmpl, unsigned int cmd,
			    unsigned long arg);

static long box_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct s2box_box *box = file->private_data;

	if (s2box_cmd_is(cmd, S2BOX_GET_BOX_INFO)) {
		struct s2box_box_info info;

		s2box_box_fill_info(box, &info);
		return s2box_arg_out(arg, cmd, &info, sizeof(info));
	}
	if (s2box_cmd_is(cmd, S2BOX_MAP))
		return box_ioctl_map(box, cmd, arg);
	if (s2box_cmd_is(cmd, S2BOX_UNMAP))
		return box_ioctl_unmap(box, cmd, arg);
	if (s2box_cmd_is(cmd, S2BOX_AUDIT))
		return box_ioctl_audit(box, cmd, arg);
	if (s2box_cmd_is(cmd, S2BOX_GET_REGS))
		return box_ioctl_get_regs(box, cmd, arg);
	if (s2box_cmd_is(cmd, S2BOX_SET_REGS))
		return box_ioctl_set_regs(box, cmd, arg);
	if (s2box_cmd_is(cmd, S2BOX_RUN))
		return box_ioctl_run(box, cmd, arg);
	if (s2box_cmd_is(cmd, S2BOX_SNAPSHOT))
		return box_ioctl_snapshot(box, cmd, arg);
	if (s2box_cmd_is(cmd, S2BOX_RESET))
		return box_ioctl_reset(box, cmd, arg);
	if (s2box_cmd_is(cmd, S2BOX_CLONE))
		return box_ioctl_clone(box, cmd, arg);
	return -ENOTTY;
}

static ssize_t box_read(struct file *file, char __user *buf, size_t len,
			loff_t *pos)
{
	return s2box_mem_rw(file->private_data, buf, len, pos, false);
}

static ssize_t box_write(struct file *file, const char __user *buf,
			 size_t len, loff_t *pos)
{
	return s2box_mem_rw(file->private_data, (char __user *)buf, len, pos,
			    true);
}

static int box_mmap(struct file *file, struct vm_area_struct *vma)
{
	return s2box_mem_mmap(file->private_data, vma);
}

/* Offsets are IPAs: the file is as large as the box's IPA space. */
static loff_t box_llseek(struct file *file, loff_t offset, int whence)
{
	struct s2box_box *box = file->private_data;

	return fixed_size_llseek(file, offset, whence,
				 1LL << box->geom.ipa_bits);
}

/*
 * /proc/PID/fdinfo/FD of a box fd: who is behind a process's pinned
 * memory, without netlink. The keys are ABI (see the uapi header).
 */
static void box_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct s2box_box *box = file->private_data;
	struct s2box_mem_usage u;

	s2box_mem_usage(box, &u);
	seq_printf(m, "s2box_box_id:\t%llu\n", box->id);
	seq_printf(m, "s2box_ipa_bits:\t%u\n", box->geom.ipa_bits);
	seq_printf(m, "s2box_granule:\t%u\n", 1U << box->geom.granule_shift);
	seq_printf(m, "s2box_owner_pid:\t%d\n", pid_vnr(box->owner_pid));
	seq_printf(m, "s2box_mapped_bytes:\t%llu\n", u.mapped_bytes);
	seq_printf(m, "s2box_mem_bytes:\t%llu\n", u.mem_bytes);
	seq_printf(m, "s2box_detached_bytes:\t%llu\n", u.detached_bytes);
	seq_printf(m, "s2box_pinned_bytes:\t%llu\n", u.pinned_bytes);
	seq_printf(m, "s2box_owner_pinned_bytes:\t%llu\n", u.mm_pinned_bytes);
	seq_printf(m, "s2box_snapshot_bytes:\t%llu\n", u.snap_bytes);
	seq_printf(m, "s2box_shared_bytes:\t%llu\n", u.shared_bytes);
	seq_printf(m, "s2box_clone_of:\t%llu\n", box->clone_of);
	seq_printf(m, "s2box_dirty_units:\t%lu\n", u.dirty_units);
	seq_printf(m, "s2box_hot_units:\t%lu\n", u.hot_units);
	seq_printf(m, "s2box_dirty_faults:\t%lld\n",
		   (long long)atomic64_read(&box->dirty_faults));
	/* 1 once the box has used FP/SIMD (lazy FP, run.c). */
	seq_printf(m, "s2box_fp_live:\t%d\n", READ_ONCE(box->fp_live));
}

static const struct file_operations box_fops = {
	.owner = THIS_MODULE,
	.release = box_release,
	.unlocked_ioctl = box_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.read = box_read,
	.write = box_write,
	.mmap = box_mmap,
	.llseek = box_llseek,
	.show_fdinfo = box_show_fdinfo,
};

static const char *granule_name(unsigned int granule)
{
	switch (granule) {
	case S2BOX_GRANULE_4K:
		return "4K";
	case S2BOX_GRANULE_16K:
		return "16K";
	default:
		return "64K";
	}
}

static int box_check_flags(const struct s2box_create *args)
{
	if (args->flags) {
		pr_info_ratelimited("create: unknown flags 0x%x\n", args->flags);
		return -EINVAL;
	}
	if (!s2box_reserved_zero(args->reserved, sizeof(args->reserved))) {
		pr_info_ratelimited("create: reserved fields must be zero\n");
		return -EINVAL;
	}
	return 0;
}

/*
 * s2box_geom_compute() is the one place that decides what is valid; this
 * only turns its refusal into a line a user can act on.
 */
static void box_explain_geom_error(const struct s2box_create *args)
{
	unsigned int gs = s2box_granule_shift(args->granule);
	unsigned int limit = s2box_ipa_limit(s2box_host_get(), gs);

	if (!gs)
		pr_info_ratelimited("create: granule %u is not 4096, 16384 or 65536\n",
				    args->granule);
	else if (!limit)
		pr_info_ratelimited("create: this host has no %s granule at stage 2\n",
				    granule_name(args->granule));
	else
		pr_info_ratelimited("create: ipa_bits %u outside [%u, %u] for the %s granule on this host\n",
				    args->ipa_bits, S2BOX_IPA_BITS_MIN, limit,
				    granule_name(args->granule));
}

static struct s2box_box *box_alloc(const struct s2box_geom *geom)
{
	struct s2box_box *box;

	box = kzalloc(sizeof(*box), S2BOX_GFP);
	if (!box)
		return ERR_PTR(-ENOMEM);
	box->geom = *geom;
	if (box_root_alloc(box)) {
		kfree(box);
		return ERR_PTR(-ENOMEM);
	}
	box->vttbr = s2box_vttbr(geom, box->root_pa, 0);
	box->id = atomic64_inc_return(&s2box_next_id);
	box->owner = current_uid();
	box->owner_pid = get_pid(task_tgid(current));
	s2box_mem_init(box);
	s2box_run_init(box);
	return box;
}

/*
 * The file and dentry behind the box fd are charged to the memory cgroup
 * with plain GFP_KERNEL, which OOM-kills at the limit instead of failing.
 * Check, with allocations that fail instead, that the cgroup still has
 * room for them (at most a page of slab each), so a cgroup at its limit
 * gets ENOMEM from S2BOX_CREATE_BOX, not an OOM kill.
 */
static bool box_memcg_has_room(void)
{
	struct page *room = alloc_pages(S2BOX_GFP, 1);

	if (!room)
		return false;
	__free_pages(room, 1);
	return true;
}

/* Make a new box reachable: registry, file, fd. Frees it on failure. */
static int box_install(struct s2box_box *box)
{
	struct file *file;
	int fd;

	fd = s2box_registry_add(box);
	if (fd)
		goto free_box;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		goto unregister;
	if (!box_memcg_has_room()) {
		put_unused_fd(fd);
		fd = -ENOMEM;
		goto unregister;
	}
	file = anon_inode_getfile("s2box-box", &box_fops, box, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto unregister;
	}
	/*
	 * Offsets are IPAs: pread/pwrite must work, and anonymous files are
	 * not born with the modes that allow them.
	 */
	file->f_mode |= FMODE_PREAD | FMODE_PWRITE;
	fd_install(fd, file);
	trace_s2box_box_create(box->id, box->geom.ipa_bits,
			       1U << box->geom.granule_shift, box->geom.vtcr);
	s2box_nl_event_box(box, true);
	return fd;

unregister:
	s2box_registry_del(box);
free_box:
	box_free(box);
	return fd;
}

int s2box_box_create(const struct s2box_create *args)
{
	struct s2box_geom geom;
	struct s2box_box *box;
	int err;

	err = box_check_flags(args);
	if (err)
		return err;
	err = s2box_geom_compute(s2box_host_get(), args->ipa_bits,
				 args->granule, &geom);
	if (err) {
		box_explain_geom_error(args);
		return err;
	}
	box = box_alloc(&geom);
	if (IS_ERR(box))
		return PTR_ERR(box);
	return box_install(box);
}

/*
 * S2BOX_CLONE: a new box of the caller's with the template's geometry,
 * whose memory is the template's snapshot, shared copy-on-write.
 */
static long box_ioctl_clone(struct s2box_box *tmpl, unsigned int cmd,
			    unsigned long arg)
{
	struct s2box_clone args;
	struct s2box_snap *snap;
	struct s2box_box *child;
	int err = s2box_arg_in(&args, sizeof(args), cmd, arg);

	if (err)
		return err;
	if (args.flags || !s2box_reserved_zero(args.reserved,
					       sizeof(args.reserved))) {
		pr_info_ratelimited("clone: flags and reserved fields must be zero\n");
		return -EINVAL;
	}
	snap = s2box_snap_get_template(tmpl);
	if (IS_ERR(snap))
		return PTR_ERR(snap);
	child = box_alloc(&tmpl->geom);
	if (IS_ERR(child)) {
		s2box_snap_put(snap);
		return PTR_ERR(child);
	}
	err = s2box_snap_clone(snap, child, tmpl->id);
	if (err) {
		box_free(child);
		return err;
	}
	return box_install(child);
}
