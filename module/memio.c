// SPDX-License-Identifier: GPL-2.0
/*
 * The host's view of box memory: pread/pwrite and mmap on the box fd,
 * whose file offsets are IPAs. The coherency contract for hosts without
 * FWB is written in the uapi header; the maintenance that keeps it is
 * here.
 */

#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
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
 * One piece within one host page, between box memory and @bounce, under
 * box->lock. Returns false at a hole (or past the IPA space). Box memory
 * is never touched with the user's buffer: that copy can fault and wait
 * for ever (a userfaultfd range nobody serves, a hung FUSE file), and
 * nothing else of the box must wait with it.
 */
static bool memio_copy_locked(struct s2box_box *box, u64 ipa, void *bounce,
			      size_t n, bool write, int *err)
{
	unsigned long index = ipa >> PAGE_SHIFT;
	struct s2box_pageref ref;
	struct page *page;
	void *kaddr;

	if (!s2box_mem_page(box, index, &ref))
		return false;
	page = ref.page;
	if (write) {
		/* Recorded before the bytes change, so a reset sees them. */
		*err = s2box_snap_host_write(box, ipa, n, &page);
		if (*err)
			return false;
	}
	kaddr = page_address(page) + (ipa & ~PAGE_MASK);
	if (write) {
		memcpy(kaddr, bounce, n);
		memio_after_write(box, index, kaddr, n);
	} else {
		memio_before_read(box, kaddr, n);
		memcpy(bounce, kaddr, n);
	}
	return true;
}

/*
 * Moves up to @n bytes of one page; returns the count, which is short
 * when the user buffer faults part-way (those bytes count) or 0 with
 * *err set. A pwrite() changes no byte past what it returns.
 */
static size_t memio_piece(struct s2box_box *box, u64 ipa, char __user *buf,
			  void *bounce, size_t n, bool write, int *err)
{
	size_t user = n;
	bool mapped;

	if (write) {
		user = n - copy_from_user(bounce, buf, n);
		if (!user) {
			*err = -EFAULT;
			return 0;
		}
	}
	mutex_lock(&box->lock);
	mapped = memio_copy_locked(box, ipa, bounce, user, write, err);
	mutex_unlock(&box->lock);
	if (!mapped)
		return 0;
	if (!write) {
		user = n - copy_to_user(buf, bounce, n);
		if (!user)
			*err = -EFAULT;
	}
	if (user < n)
		*err = -EFAULT;
	return user;
}

ssize_t s2box_mem_rw(struct s2box_box *box, char __user *buf, size_t len,
		     loff_t *pos, bool write)
{
	u64 top = 1ULL << box->geom.ipa_bits;
	size_t done = 0, n, moved;
	int err = -ENXIO;
	void *bounce;
	u64 ipa;

	if (!len)
		return 0;
	if (*pos < 0 || (u64)*pos >= top)
		return -ENXIO;
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (done < len && (u64)*pos + done < top) {
		ipa = (u64)*pos + done;
		n = min_t(size_t, len - done, PAGE_SIZE - (ipa & ~PAGE_MASK));
		moved = memio_piece(box, ipa, buf + done, bounce, n, write,
				    &err);
		done += moved;
		/* A hole or a fault in the user buffer ends the transfer. */
		if (moved < n)
			break;
		cond_resched();
	}
	kfree(bounce);
	if (!done)
		return err;
	*pos += done;
	return done;
}

/*
 * The page mapped at the faulting IPA, referenced for the process's page
 * table. Under box->lock, which UNMAP holds from erasing the entry to
 * dropping the box's reference, so the page cannot be freed in between;
 * no holder of box->lock ever waits for user memory (memio_piece()), so
 * taking it under the mmap lock cannot deadlock. A clone's shared page
 * is copied first: the process may write it.
 */
static vm_fault_t memio_fault(struct vm_fault *vmf)
{
	struct s2box_box *box = vmf->vma->vm_private_data;
	struct page *page;

	mutex_lock(&box->lock);
	page = s2box_snap_user_page(box, vmf->pgoff);
	if (!IS_ERR_OR_NULL(page)) {
		get_page(page);
		/*
		 * Writes through the process's page table are invisible to
		 * the module: resets must assume them (snap.c).
		 */
		xa_set_mark(&box->pages, vmf->pgoff, S2BOX_XA_USER);
	}
	mutex_unlock(&box->lock);
	if (IS_ERR(page))
		return VM_FAULT_OOM;
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
