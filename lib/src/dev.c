// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The device and its boxes: open /dev/s2box, check a geometry against the
 * capabilities before the module sees it, create and destroy boxes, and
 * move memory and registers.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

S2BOX_EXPORT int s2box_open_path(const char *path, struct s2box_dev **devp)
{
	struct s2box_dev *dev;
	int err;

	*devp = NULL;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		err = -errno;
		goto free_dev;
	}
	if (ioctl(dev->fd, S2BOX_GET_CAPS, &dev->caps)) {
		err = -errno;
		goto close_fd;
	}
	*devp = dev;
	return 0;
close_fd:
	close(dev->fd);
free_dev:
	free(dev);
	return err;
}

S2BOX_EXPORT int s2box_open(struct s2box_dev **devp)
{
	return s2box_open_path(S2BOX_DEVICE_PATH, devp);
}

S2BOX_EXPORT void s2box_close(struct s2box_dev *dev)
{
	if (!dev)
		return;
	close(dev->fd);
	free(dev);
}

S2BOX_EXPORT int s2box_dev_fd(const struct s2box_dev *dev)
{
	return dev->fd;
}

S2BOX_EXPORT const struct s2box_caps *s2box_dev_caps(const struct s2box_dev *dev)
{
	return &dev->caps;
}

S2BOX_EXPORT const char *s2box_dev_errmsg(const struct s2box_dev *dev)
{
	return dev->errmsg;
}

S2BOX_EXPORT unsigned int s2box_caps_ipa_limit(const struct s2box_caps *caps,
					       unsigned int granule)
{
	switch (granule) {
	case S2BOX_GRANULE_4K:
		return caps->ipa_bits_max_4k;
	case S2BOX_GRANULE_16K:
		return caps->ipa_bits_max_16k;
	case S2BOX_GRANULE_64K:
		return caps->ipa_bits_max_64k;
	}
	return 0;
}

S2BOX_EXPORT unsigned int s2box_caps_any_granule(const struct s2box_caps *caps)
{
	if (caps->ipa_bits_max_4k)
		return S2BOX_GRANULE_4K;
	if (caps->ipa_bits_max_64k)
		return S2BOX_GRANULE_64K;
	return S2BOX_GRANULE_16K;
}

/* The module would say EINVAL to all three; the caller learns which. */
static int check_geometry(struct s2box_dev *dev, unsigned int ipa_bits,
			  unsigned int granule)
{
	unsigned int limit = s2box_caps_ipa_limit(&dev->caps, granule);

	if (granule != S2BOX_GRANULE_4K && granule != S2BOX_GRANULE_16K &&
	    granule != S2BOX_GRANULE_64K)
		return s2box_fail(dev->errmsg, -EINVAL,
				  "granule %u: not 4096, 16384 or 65536",
				  granule);
	if (!limit)
		return s2box_fail(dev->errmsg, -EOPNOTSUPP, "%uK granule",
				  granule >> 10);
	if (ipa_bits < S2BOX_IPA_BITS_MIN || ipa_bits > limit)
		return s2box_fail(dev->errmsg, -ERANGE,
				  "%u-bit IPA with the %uK granule (this host takes %u to %u)",
				  ipa_bits, granule >> 10, S2BOX_IPA_BITS_MIN,
				  limit);
	return 0;
}

S2BOX_EXPORT int s2box_box_create(struct s2box_dev *dev, unsigned int ipa_bits,
				  unsigned int granule,
				  struct s2box_box **boxp)
{
	struct s2box_create args = { .ipa_bits = ipa_bits };
	struct s2box_box *box;
	int err;

	*boxp = NULL;
	if (!granule)
		granule = s2box_caps_any_granule(&dev->caps);
	err = check_geometry(dev, ipa_bits, granule);
	if (err)
		return err;
	args.granule = granule;
	box = calloc(1, sizeof(*box));
	if (!box)
		return s2box_fail(dev->errmsg, -ENOMEM, "allocating a box");
	box->call_budget_ns = S2BOX_CALL_BUDGET_NS;
	box->fd = ioctl(dev->fd, S2BOX_CREATE_BOX, &args);
	if (box->fd < 0) {
		err = s2box_fail(dev->errmsg, -errno,
				 "S2BOX_CREATE_BOX (%u-bit IPA, %uK granule)",
				 ipa_bits, granule >> 10);
		goto free_box;
	}
	if (ioctl(box->fd, S2BOX_GET_BOX_INFO, &box->info)) {
		err = s2box_fail(dev->errmsg, -errno, "S2BOX_GET_BOX_INFO");
		goto close_fd;
	}
	*boxp = box;
	return 0;
close_fd:
	close(box->fd);
free_box:
	free(box);
	return err;
}

/*
 * The clone inherits what the library knows of the template: its image
 * (so s2box_box_symbol() and s2box_call() work on the clone) and its
 * call budget.
 */
static int clone_inherit(struct s2box_box *child, const struct s2box_box *tmpl)
{
	child->call_budget_ns = tmpl->call_budget_ns;
	child->entry = tmpl->entry;
	child->has_entry = tmpl->has_entry;
	if (!tmpl->image)
		return 0;
	child->image = malloc(tmpl->image_len);
	if (!child->image)
		return -ENOMEM;
	memcpy(child->image, tmpl->image, tmpl->image_len);
	child->image_len = tmpl->image_len;
	return 0;
}

S2BOX_EXPORT int s2box_box_clone(struct s2box_box *tmpl,
				 struct s2box_box **childp)
{
	struct s2box_clone args = { 0 };
	struct s2box_box *child;
	int err;

	*childp = NULL;
	child = calloc(1, sizeof(*child));
	if (!child)
		return box_fail(tmpl, -ENOMEM, "allocating a clone");
	err = clone_inherit(child, tmpl);
	if (err) {
		box_fail(tmpl, err, "copying the template's image");
		goto free_child;
	}
	child->fd = ioctl(tmpl->fd, S2BOX_CLONE, &args);
	if (child->fd < 0) {
		err = box_fail(tmpl, -errno, "S2BOX_CLONE");
		goto free_child;
	}
	if (ioctl(child->fd, S2BOX_GET_BOX_INFO, &child->info)) {
		err = box_fail(tmpl, -errno, "S2BOX_GET_BOX_INFO of the clone");
		close(child->fd);
		goto free_child;
	}
	*childp = child;
	return 0;
free_child:
	free(child->image);
	free(child);
	return err;
}

S2BOX_EXPORT void s2box_box_destroy(struct s2box_box *box)
{
	if (!box)
		return;
	close(box->fd);
	free(box->image);
	free(box);
}

S2BOX_EXPORT int s2box_box_fd(const struct s2box_box *box)
{
	return box->fd;
}

S2BOX_EXPORT int s2box_box_info(struct s2box_box *box,
				struct s2box_box_info *info)
{
	if (ioctl(box->fd, S2BOX_GET_BOX_INFO, info))
		return box_fail(box, -errno, "S2BOX_GET_BOX_INFO");
	return 0;
}

S2BOX_EXPORT __u64 s2box_box_map_align(const struct s2box_box *box)
{
	return box->info.map_align;
}

S2BOX_EXPORT const char *s2box_box_errmsg(const struct s2box_box *box)
{
	return box->errmsg;
}

/* --- memory ------------------------------------------------------------- */

S2BOX_EXPORT int s2box_mem_map(struct s2box_box *box, __u64 ipa, __u64 size,
			       unsigned int prot)
{
	struct s2box_map m = { .ipa = ipa, .size = size, .prot = prot };

	if (ioctl(box->fd, S2BOX_MAP, &m))
		return box_fail(box, -errno,
				"S2BOX_MAP of 0x%llx bytes at IPA 0x%llx (map_align 0x%x)",
				size, ipa, box->info.map_align);
	return 0;
}

S2BOX_EXPORT int s2box_mem_unmap(struct s2box_box *box, __u64 ipa, __u64 size)
{
	struct s2box_unmap u = { .ipa = ipa, .size = size };

	if (ioctl(box->fd, S2BOX_UNMAP, &u))
		return box_fail(box, -errno,
				"S2BOX_UNMAP of 0x%llx bytes at IPA 0x%llx",
				size, ipa);
	return 0;
}

S2BOX_EXPORT int s2box_box_snapshot(struct s2box_box *box, __u64 *pages)
{
	struct s2box_snapshot snap = { 0 };

	if (ioctl(box->fd, S2BOX_SNAPSHOT, &snap))
		return box_fail(box, -errno, "S2BOX_SNAPSHOT");
	if (pages)
		*pages = snap.pages;
	return 0;
}

S2BOX_EXPORT int s2box_box_snapshot_drop(struct s2box_box *box)
{
	struct s2box_snapshot snap = { .flags = S2BOX_SNAPSHOT_DROP };

	if (ioctl(box->fd, S2BOX_SNAPSHOT, &snap))
		return box_fail(box, -errno, "S2BOX_SNAPSHOT (drop)");
	return 0;
}

S2BOX_EXPORT int s2box_box_reset(struct s2box_box *box,
				 struct s2box_reset *res)
{
	struct s2box_reset r = { 0 };

	if (ioctl(box->fd, S2BOX_RESET, &r))
		return box_fail(box, -errno, "S2BOX_RESET");
	if (res)
		*res = r;
	return 0;
}

/*
 * pread()/pwrite() stop at the first hole: a short count means the byte
 * after it is unmapped, which is ENXIO for the caller who wanted it all.
 */
static int mem_io(struct s2box_box *box, __u64 ipa, void *buf, size_t len,
		  bool write)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (write)
			n = pwrite(box->fd, (char *)buf + done, len - done,
				   ipa + done);
		else
			n = pread(box->fd, (char *)buf + done, len - done,
				  ipa + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return box_fail(box, -errno, "%s of %zu bytes at IPA 0x%llx",
					write ? "writing" : "reading", len - done,
					ipa + done);
		if (!n)
			return box_fail(box, -ENXIO, "IPA 0x%llx", ipa + done);
		done += n;
	}
	return 0;
}

S2BOX_EXPORT int s2box_mem_write(struct s2box_box *box, __u64 ipa,
				 const void *buf, size_t len)
{
	return mem_io(box, ipa, (void *)buf, len, true);
}

S2BOX_EXPORT int s2box_mem_read(struct s2box_box *box, __u64 ipa, void *buf,
				size_t len)
{
	return mem_io(box, ipa, buf, len, false);
}

S2BOX_EXPORT int s2box_mem_mmap(struct s2box_box *box, __u64 ipa, size_t len,
				void **addrp)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, box->fd,
		       ipa);

	if (p == MAP_FAILED)
		return box_fail(box, -errno, "mmap of %zu bytes at IPA 0x%llx",
				len, ipa);
	*addrp = p;
	return 0;
}

/* --- registers ---------------------------------------------------------- */

S2BOX_EXPORT int s2box_regs_get(struct s2box_box *box, struct s2box_regs *regs)
{
	if (ioctl(box->fd, S2BOX_GET_REGS, regs))
		return box_fail(box, -errno, "S2BOX_GET_REGS");
	return 0;
}

S2BOX_EXPORT int s2box_regs_set(struct s2box_box *box,
				const struct s2box_regs *regs)
{
	if (ioctl(box->fd, S2BOX_SET_REGS, regs))
		return box_fail(box, -errno, "S2BOX_SET_REGS (pc 0x%llx, pstate 0x%llx)",
				regs->pc, regs->pstate);
	return 0;
}

S2BOX_EXPORT int s2box_set_pc(struct s2box_box *box, __u64 pc)
{
	struct s2box_regs regs;
	int err;

	err = s2box_regs_get(box, &regs);
	if (err)
		return err;
	regs.pc = pc;
	return s2box_regs_set(box, &regs);
}
