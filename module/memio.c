// SPDX-License-Identifier: GPL-2.0
/*
 * The host's view of box memory: pread/pwrite and mmap on the box fd,
 * whose file offsets are IPAs. The coherency contract for hosts without
 * FWB is written in the uapi header; the maintenance that keeps it is
 * here.
 */

#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "s2box.h"

static unsigned int mem_prot_at(struct s2box_box *box, unsigned long index)
{
	return xa_to_value(xa_load(&box->prots, index));
}

/*
 * A box with its MMU off wrote behind the cache: drop any stale lines the
 * host holds before reading through its cacheable map.
 */
static void memio_before_read(struct s2box_box *box, void *kaddr, size_t n)
{
	if (!s2box_host_get()->fwb)
		s2box_dcache_poc(kaddr, n);
}

/*
 * Push what the host wrote to where a non-cacheable box reads it, and to
 * instruction fetch for executable memory (code loaded by pwrite).
 */
static void memio_after_write(struct s2box_box *box, unsigned long index,
			      void *kaddr, size_t n)
{
	if (!s2box_host_get()->fwb)
		s2box_dcache_poc(kaddr, n);
	if (mem_prot_at(box, index) & S2BOX_PROT_EXEC)
		s2box_icache_sync(kaddr, n);
}

/*
 * Copy one piece within one host page. Returns the bytes moved: fewer
 * than @n when the user buffer faults part-way, and those bytes count.
 */
static size_t memio_copy(struct s2box_box *box, struct page *page, u64 ipa,
			 char __user *buf, size_t n, bool write)
{
	void *kaddr = page_address(page) + (ipa & ~PAGE_MASK);
	size_t left;

	if (write) {
		/*
		 * Not copy_from_user(): on a fault it zero-fills the rest of
		 * the destination, i.e. box memory the caller never asked
		 * to change, and the bytes it did copy would then skip the
		 * maintenance below. s2box_mem_rw() checked access_ok().
		 */
		left = __copy_from_user(kaddr, buf, n);
		memio_after_write(box, ipa >> PAGE_SHIFT, kaddr, n - left);
		return n - left;
	}
	memio_before_read(box, kaddr, n);
	return n - copy_to_user(buf, kaddr, n);
}

ssize_t s2box_mem_rw(struct s2box_box *box, char __user *buf, size_t len,
		     loff_t *pos, bool write)
{
	u64 top = 1ULL << box->geom.ipa_bits;
	size_t done = 0, n, moved;
	struct page *page;
	int err = -ENXIO;
	u64 ipa;

	if (!len)
		return 0;
	if (!access_ok(buf, len))
		return -EFAULT;
	if (*pos < 0 || (u64)*pos >= top)
		return -ENXIO;
	mutex_lock(&box->lock);
	while (done < len && (u64)*pos + done < top) {
		ipa = (u64)*pos + done;
		page = xa_load(&box->pages, ipa >> PAGE_SHIFT);
		if (!page)
			break;		/* a hole ends the transfer */
		n = min_t(size_t, len - done, PAGE_SIZE - (ipa & ~PAGE_MASK));
		/* Recorded before the bytes change, so a reset sees them. */
		if (write && s2box_snap_mark(box, ipa, n,
					     S2BOX_DIRTY_CONTENT)) {
			err = -ENOMEM;
			break;
		}
		moved = memio_copy(box, page, ipa, buf + done, n, write);
		done += moved;
		/* A fault in the user buffer ends the transfer, like a hole. */
		if (moved < n) {
			err = -EFAULT;
			break;
		}
		cond_resched();
	}
	mutex_unlock(&box->lock);
	if (!done)
		return err;
	*pos += done;
	return done;
}

/*
 * The page mapped at the faulting IPA, referenced for the process's page
 * table. The lookup and the reference happen under the xarray lock, under
 * which UNMAP erases entries before dropping the box's reference, so the
 * page cannot be freed in between. box->lock is not taken: pread/pwrite
 * hold it across user copies that may fault on this very mapping.
 */
static vm_fault_t memio_fault(struct vm_fault *vmf)
{
	struct s2box_box *box = vmf->vma->vm_private_data;
	struct page *page;

	xa_lock(&box->pages);
	page = xa_load(&box->pages, vmf->pgoff);
	if (page) {
		get_page(page);
		/*
		 * Writes through the process's page table are invisible to
		 * the module: resets must assume them (snap.c).
		 */
		__xa_set_mark(&box->pages, vmf->pgoff, S2BOX_XA_USER);
	}
	xa_unlock(&box->pages);
	if (!page)
		return VM_FAULT_SIGBUS;
	vmf->page = page;
	return 0;
}

static void memio_close(struct vm_area_struct *vma)
{
	s2box_mem_mapping_closed(vma->vm_private_data);
}

static const struct vm_operations_struct memio_vm_ops = {
	.fault = memio_fault,
	.close = memio_close,
};

int s2box_mem_mmap(struct s2box_box *box, struct vm_area_struct *vma)
{
	/* A private copy of guest memory would silently stop being it. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	/* The VMA's file reference keeps the box alive as long as it. */
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_private_data = box;
	vma->vm_ops = &memio_vm_ops;
	return 0;
}
