// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshot, reset and clone of a box (Documentation/snapshot.md).
 *
 * A snapshot is a private copy of every host page of the box, with the
 * permissions it was mapped with, and the box's registers; it is never
 * written once taken. From then on box->dirty names every MAP unit (the
 * larger of the granule and the host page) that changed, so a reset puts
 * back those units and no others: its cost follows what the box did, not
 * how big it is.
 *
 * What finds the changes:
 *  - the box's own writes: the snapshot takes write permission away from
 *    every stage-2 leaf (blocks stay blocks); the first write to a unit
 *    takes a permission fault, which s2box_snap_write_fault() resolves in
 *    the kernel by marking the unit and giving its leaf write permission
 *    back (splitting a block down to the unit), and the box retries;
 *  - the host's: pwrite() marks what it writes, MAP and UNMAP what they
 *    change (layout);
 *  - mmap(): writes through a process's page tables are invisible to the
 *    module, so a page any process has mapped counts as changed at every
 *    reset, until a reset finds no mapping of it left.
 *
 * A clone maps its template's snapshot pages read-only at stage 2
 * (box->shared); the first write to a unit, by the box, pwrite() or an
 * mmap() fault, copies it into a page of the clone's own (copy-on-write,
 * in the kernel). A clone's reset gives such a unit back to the shared
 * page unless a process maps the copy.
 *
 * A unit's stage-2 leaf lacks write permission while tracking wants the
 * fault, while it is shared, or until the first write after a snapshot
 * was dropped (which then just gives it back): the audit accepts that.
 */

#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "s2box.h"

static unsigned long snap_unit(const struct s2box_box *box, u64 ipa)
{
	return ipa >> s2box_mem_align_shift(box);
}

static u64 snap_unit_size(const struct s2box_box *box)
{
	return 1ULL << s2box_mem_align_shift(box);
}

static unsigned long snap_unit_pages(const struct s2box_box *box)
{
	return snap_unit_size(box) >> PAGE_SHIFT;
}

static unsigned int snap_prot_at(struct xarray *prots, unsigned long index)
{
	return xa_to_value(xa_load(prots, index));
}

void s2box_snap_init(struct s2box_box *box)
{
	box->snap = NULL;
	xa_init(&box->dirty);
	box->nr_dirty = 0;
	xa_init(&box->hot);
	box->nr_hot = 0;
	box->resets = 0;
	atomic64_set(&box->dirty_faults, 0);
}

u64 s2box_snap_bytes(const struct s2box_box *box)
{
	return box->snap ? (u64)box->snap->nr_pages << PAGE_SHIFT : 0;
}

/* --- the snapshot object -------------------------------------------------- */

static void snap_put_page(struct page *page)
{
	put_page(page);
	atomic64_dec(&s2box_stats.guest_pages);
	atomic64_sub(PAGE_SIZE, &s2box_stats.mem_bytes);
}

static void snap_put(struct s2box_snap *snap)
{
	struct page *page;
	unsigned long index;

	if (!snap || !refcount_dec_and_test(&snap->ref))
		return;
	xa_for_each(&snap->pages, index, page) {
		snap_put_page(page);
		if (!(index % 1024))
			cond_resched();
	}
	xa_destroy(&snap->pages);
	xa_destroy(&snap->prots);
	xa_destroy(&snap->chunks);
	if (snap->mm) {
		atomic64_sub(snap->pinned_bytes >> PAGE_SHIFT,
			     &snap->mm->pinned_vm);
		mmdrop(snap->mm);
	}
	kfree(snap);
}

static struct s2box_snap *snap_alloc(struct s2box_box *box)
{
	struct s2box_snap *snap = kzalloc(sizeof(*snap), GFP_KERNEL_ACCOUNT);

	if (!snap)
		return NULL;
	refcount_set(&snap->ref, 1);
	xa_init(&snap->pages);
	xa_init(&snap->prots);
	xa_init(&snap->chunks);
	/* Charged like the box's memory, to the same process. */
	snap->mm = box->mm;
	if (snap->mm)
		mmgrab(snap->mm);
	return snap;
}

/* --- marking changes ----------------------------------------------------- */

static int snap_mark_unit(struct s2box_box *box, unsigned long unit,
			  unsigned long what)
{
	void *old = xa_load(&box->dirty, unit);
	unsigned long bits = old ? xa_to_value(old) : 0;
	int err;

	if ((bits | what) == bits)
		return 0;
	err = xa_err(xa_store(&box->dirty, unit, xa_mk_value(bits | what),
			      S2BOX_GFP));
	if (err)
		return err;
	if (!old)
		box->nr_dirty++;
	return 0;
}

/*
 * Under box->lock: [ipa, ipa + size) changed in the way @what says.
 * Nothing to do without a snapshot. -ENOMEM if the change could not be
 * recorded: the caller must then not make it.
 */
int s2box_snap_mark(struct s2box_box *box, u64 ipa, u64 size,
		    unsigned long what)
{
	unsigned long unit, last;
	int err;

	if (!box->snap || !size)
		return 0;
	last = snap_unit(box, ipa + size - 1);
	for (unit = snap_unit(box, ipa); unit <= last; unit++) {
		err = snap_mark_unit(box, unit, what);
		if (err)
			return err;
	}
	return 0;
}

/* Before UNMAP: mark the units of [ipa, ipa + size) the box has mapped. */
int s2box_snap_mark_mapped(struct s2box_box *box, u64 ipa, u64 size)
{
	unsigned long index = ipa >> PAGE_SHIFT;
	unsigned long last = (ipa + size - 1) >> PAGE_SHIFT;
	struct s2box_pageref ref;
	int err;

	if (!box->snap)
		return 0;
	for (; s2box_mem_find(box, &index, last, &ref); index++) {
		err = snap_mark_unit(box, snap_unit(box, (u64)index <<
						    PAGE_SHIFT),
				     S2BOX_DIRTY_LAYOUT);
		if (err || index == last)
			return err;
	}
	return 0;
}

/*
 * UNMAP of [ipa, ipa + size) in a clone, once stage 2 no longer maps it
 * and before the box's own pages there are released: the template's
 * pages there are no longer the box's either. Where the box had a copy
 * of its own, the shared page already left shared_bytes when the copy
 * was made; it needs the hole all the same, or it would show again.
 */
int s2box_snap_unmap_shared(struct s2box_box *box, u64 ipa, u64 size)
{
	unsigned long index, first = ipa >> PAGE_SHIFT;
	unsigned long last = (ipa + size - 1) >> PAGE_SHIFT;
	struct page *page;
	int err;

	if (!box->shared)
		return 0;
	xa_for_each_range(&box->shared->pages, index, page, first, last) {
		if (xa_load(&box->holes, index))
			continue;
		/*
		 * Stage 2 no longer maps the page, so the box's view must not
		 * either: a hole is a few bytes of xarray that may go over
		 * the cgroup's limit rather than leave the two disagreeing.
		 */
		err = xa_err(xa_store(&box->holes, index, xa_mk_value(1),
				      GFP_KERNEL_ACCOUNT | __GFP_NOFAIL));
		if (WARN_ON_ONCE(err))
			return err;
		if (!xa_load(&box->pages, index))
			box->shared_bytes -= PAGE_SIZE;
	}
	return 0;
}

/*
 * Every page a process has mapped may have been written behind the
 * module's back: count it as changed. A page no process maps any more
 * (the module's reference is the only one) cannot be written that way
 * again until it is mapped again, which sets the mark again.
 */
static int snap_mark_user_mapped(struct s2box_box *box)
{
	struct page *page;
	unsigned long index;
	int err;

	xa_for_each_marked(&box->pages, index, page, S2BOX_XA_USER) {
		if (box->snap) {
			err = snap_mark_unit(box, snap_unit(box, (u64)index <<
							    PAGE_SHIFT),
					     S2BOX_DIRTY_CONTENT);
			if (err)
				return err;
		}
		if (page_ref_count(page) == 1)
			xa_clear_mark(&box->pages, index, S2BOX_XA_USER);
	}
	return 0;
}

static void snap_forget_dirty(struct s2box_box *box)
{
	xa_destroy(&box->dirty);
	box->nr_dirty = 0;
}

/* --- copy on write --------------------------------------------------------- */

/*
 * Taking a snapshot: a box with its MMU off wrote behind the cache, so
 * drop the host's lines before reading @from; @to is cleaned to the
 * point of coherency, for a clone that maps it and reads it with its MMU
 * off.
 */
static void snap_copy_page(struct page *to, struct page *from)
{
	bool fwb = s2box_host_get()->fwb;

	if (!fwb)
		s2box_dcache_poc(page_address(from), PAGE_SIZE);
	copy_page(page_address(to), page_address(from));
	if (!fwb)
		s2box_dcache_poc(page_address(to), PAGE_SIZE);
}

/*
 * Give a clone its own copy of the shared unit at @base, mapped with the
 * unit's full permissions: its first write is under way. The copy is in
 * box->pages (where lookups prefer it) before stage 2 moves to it, and
 * the move is one break-before-make per leaf, after which no TLB holds
 * the shared page for it; a box running on another CPU meanwhile takes a
 * translation fault that the run loop retries.
 */
static int snap_unshare_unit(struct s2box_box *box, u64 base)
{
	u64 size = snap_unit_size(box);
	unsigned long index = base >> PAGE_SHIFT, i, n = snap_unit_pages(box);
	struct s2box_pageref ref;
	struct page *page;
	int err;

	if (!s2box_mem_page(box, index, &ref) || !ref.shared)
		return 0;
	err = s2box_mem_pin(box, size);
	if (err)
		return err;
	page = s2box_mem_alloc_chunk(get_order(size));
	err = -ENOMEM;
	if (!page)
		goto unpin;
	/*
	 * The shared pages were cleaned to the point of coherency when the
	 * snapshot was taken and no box can write them, so they need no
	 * maintenance before the read; the copy is made coherent once, as
	 * new memory, by s2box_mem_sync_new().
	 */
	for (i = 0; i < n; i++)
		copy_page(page_address(page + i),
			  page_address(xa_load(&box->shared->pages,
					       index + i)));
	s2box_mem_sync_new(box, page, size, ref.prot);
	err = s2box_mem_store_pages(box, base, page, size, ref.prot);
	if (!err)
		err = s2pt_remap(&box->pt, base, page_to_phys(page), size,
				 s2box_mem_prot_to_s2pt(ref.prot));
	if (err) {
		/* Stage 2 still maps the shared unit: drop the copy. */
		s2box_mem_release_range(box, base, size);
		goto unpin;
	}
	box->shared_bytes -= size;
unpin:
	s2box_mem_unpin_excess(box);
	return err;
}

/* --- the box's first write ----------------------------------------------- */

/*
 * A stage-2 permission fault on a write. Returns 1 when the write is one
 * tracking or sharing made fault (the unit is marked, and copied or
 * writable again: retry it), 0 when the box lacks write permission there
 * (an exit for the caller), -EINTR or -ENOMEM.
 */
int s2box_snap_write_fault(struct s2box_box *box, u64 ipa)
{
	u64 size = snap_unit_size(box), base = ipa & ~(size - 1);
	struct s2box_pageref ref;
	unsigned long changed;
	int ret;

	if (mutex_lock_interruptible(&box->lock))
		return -EINTR;
	ret = 0;
	if (!s2box_mem_page(box, ipa >> PAGE_SHIFT, &ref) ||
	    !(ref.prot & S2BOX_PROT_WRITE))
		goto out_unlock;
	/* Recorded first: a unit must never be writable and unmarked. */
	ret = s2box_snap_mark(box, base, size, S2BOX_DIRTY_CONTENT);
	if (!ret && ref.shared)
		ret = snap_unshare_unit(box, base);
	else if (!ret)
		ret = s2pt_protect(&box->pt, base, size, 0, S2PT_PROT_W,
				   &changed);
	if (ret)
		goto out_unlock;
	/*
	 * The TLB entry that faulted may be cached; without this the retry
	 * could fault on it again. Also when another fault already gave the
	 * permission back (changed is 0): then this CPU's TLB is the stale
	 * one.
	 */
	s2box_tlb_flush_ipa(box, ipa);
	atomic64_inc(&box->dirty_faults);
	ret = 1;
out_unlock:
	mutex_unlock(&box->lock);
	return ret;
}

/*
 * Under box->lock, before the host writes @n bytes at @ipa into *@page
 * (pwrite()): the change is recorded and a shared unit copied first;
 * *@page is then the box's own. -ENOMEM if that could not be done.
 */
int s2box_snap_host_write(struct s2box_box *box, u64 ipa, size_t n,
			  struct page **page)
{
	u64 size = snap_unit_size(box);
	struct s2box_pageref ref;
	int err;

	err = s2box_snap_mark(box, ipa, n, S2BOX_DIRTY_CONTENT);
	if (err || !box->shared)
		return err;
	err = snap_unshare_unit(box, ipa & ~(size - 1));
	if (err)
		return err;
	if (s2box_mem_page(box, ipa >> PAGE_SHIFT, &ref))
		*page = ref.page;
	return 0;
}

/*
 * Under box->lock, for an mmap() fault at @index: the page a process may
 * map, the box's own (a shared unit is copied first, as it may be
 * written through the mapping), or NULL.
 */
struct page *s2box_snap_user_page(struct s2box_box *box,
				  unsigned long index)
{
	u64 ipa = (u64)index << PAGE_SHIFT, size = snap_unit_size(box);
	struct s2box_pageref ref;

	if (!s2box_mem_page(box, index, &ref))
		return NULL;
	if (!ref.shared)
		return ref.page;
	if (s2box_snap_mark(box, ipa, PAGE_SIZE, S2BOX_DIRTY_CONTENT) ||
	    snap_unshare_unit(box, ipa & ~(size - 1)))
		return ERR_PTR(-ENOMEM);
	return xa_load(&box->pages, index);
}

/* --- taking a snapshot ----------------------------------------------------- */

/* Present pages from @index on with @prot, up to @max of them. */
static unsigned long snap_run_pages(struct s2box_box *box,
				    unsigned long index, unsigned long max,
				    unsigned int prot)
{
	struct s2box_pageref ref;
	unsigned long n;

	for (n = 0; n < max; n++)
		if (!s2box_mem_page(box, index + n, &ref) || ref.prot != prot)
			break;
	return n;
}

/*
 * Pages of the next copy at @index: a level-2 block where the box maps a
 * whole aligned one, so a clone can map it as a block, else one unit (a
 * unit's pages must be contiguous: one leaf may cover them all).
 */
static unsigned long snap_chunk_pages(struct s2box_box *box,
				      unsigned long index, unsigned int prot)
{
	unsigned long unit = snap_unit_pages(box), blk;

	if (!s2pt_block_allowed(&box->pt, 2))
		return unit;
	blk = s2pt_level_size(&box->pt, 2) >> PAGE_SHIFT;
	if (blk > (1UL << S2BOX_MAX_ORDER) || blk <= unit || index % blk ||
	    snap_run_pages(box, index, blk, prot) < blk)
		return unit;
	return blk;
}

static struct page *snap_alloc_chunk(unsigned long pages)
{
	return s2box_mem_alloc_chunk(get_order(pages << PAGE_SHIFT));
}

/* Copy the chunk at @index into @snap; the caller frees @snap on error. */
static int snap_copy_chunk(struct s2box_box *box, struct s2box_snap *snap,
			   unsigned long index, unsigned long n,
			   unsigned int prot, struct page *copy)
{
	struct s2box_pageref ref;
	unsigned long i;
	int err = 0;

	for (i = 0; i < n; i++) {
		atomic64_add(PAGE_SIZE, &s2box_stats.mem_bytes);
		if (!err)
			err = xa_err(xa_store(&snap->pages, index + i,
					      copy + i, S2BOX_GFP));
		if (err) {
			snap_put_page(copy + i);
			continue;
		}
		snap->nr_pages++;
		s2box_mem_page(box, index + i, &ref);
		snap_copy_page(copy + i, ref.page);
		err = xa_err(xa_store(&snap->prots, index + i,
				      xa_mk_value(prot), S2BOX_GFP));
	}
	return err;
}

static int snap_copy_memory(struct s2box_box *box, struct s2box_snap *snap)
{
	struct s2box_pageref ref;
	unsigned long index = 0, n;
	struct page *copy;
	int err;

	while (s2box_mem_find(box, &index, ULONG_MAX, &ref)) {
		n = snap_chunk_pages(box, index, ref.prot);
		copy = snap_alloc_chunk(n);
		if (!copy && n > snap_unit_pages(box)) {
			n = snap_unit_pages(box);
			copy = snap_alloc_chunk(n);
		}
		if (!copy)
			return -ENOMEM;
		err = snap_copy_chunk(box, snap, index, n, ref.prot, copy);
		if (!err)
			err = xa_err(xa_store(&snap->chunks, index, xa_mk_value(n),
					      S2BOX_GFP));
		if (err)
			return err;
		index += n;
		cond_resched();
	}
	return 0;
}

static int snap_charge(struct s2box_box *box, struct s2box_snap *snap)
{
	u64 want = box->pt.mapped_bytes, limit = s2box_mem_limit_bytes();
	int err;

	if (want > limit || box->mem_bytes > limit - want) {
		pr_info_ratelimited("snapshot: a copy of the box's %llu bytes would take it over the per-box limit of %llu MiB (max_box_mem_mb)\n",
				    want, limit >> 20);
		return -ENOMEM;
	}
	err = s2box_pin_charge(snap->mm, want, "snapshot");
	if (!err)
		snap->pinned_bytes = want;
	return err;
}

/* Write-protect everything: the first write to any unit faults. */
static void snap_start_tracking(struct s2box_box *box)
{
	unsigned long changed;

	/* The whole IPA space cuts no block, so this cannot fail. */
	WARN_ON_ONCE(s2pt_protect(&box->pt, 0, 1ULL << box->geom.ipa_bits,
				  S2PT_PROT_W, 0, &changed));
	/* No TLB anywhere may still let the box write without a fault. */
	if (changed)
		s2box_tlb_flush_vmid(box);
}

static int snap_take_locked(struct s2box_box *box)
{
	struct s2box_snap *snap = snap_alloc(box);
	int err;

	if (!snap)
		return -ENOMEM;
	err = snap_charge(box, snap);
	if (!err)
		err = snap_copy_memory(box, snap);
	if (!err)
		err = snap_mark_user_mapped(box);
	if (err) {
		snap_put(snap);
		return err;
	}
	/* The RUN claim makes the registers ours, as a RUN's. */
	snap->regs = box->regs;
	snap_put(box->snap);
	box->snap = snap;
	snap_forget_dirty(box);
	snap_start_tracking(box);
	return 0;
}

static int snap_drop_locked(struct s2box_box *box)
{
	if (!box->snap) {
		pr_info_ratelimited("snapshot: box %llu has no snapshot to drop\n",
				    box->id);
		return -ENOENT;
	}
	snap_put(box->snap);
	box->snap = NULL;
	snap_forget_dirty(box);
	return 0;
}

int s2box_snap_take(struct s2box_box *box, struct s2box_snapshot *args)
{
	int err;

	if ((args->flags & ~S2BOX_SNAPSHOT_DROP) || args->reserved1 ||
	    !s2box_reserved_zero(args->reserved, sizeof(args->reserved))) {
		pr_info_ratelimited("snapshot: unknown flags or non-zero reserved fields\n");
		return -EINVAL;
	}
	if (!s2box_run_claim(box))
		return -EBUSY;
	mutex_lock(&box->lock);
	if (args->flags & S2BOX_SNAPSHOT_DROP)
		err = snap_drop_locked(box);
	else
		err = snap_take_locked(box);
	args->bytes = s2box_snap_bytes(box);
	args->pages = args->bytes >> PAGE_SHIFT;
	s2box_mem_publish_stats(box);
	mutex_unlock(&box->lock);
	s2box_run_release(box);
	return err;
}

/* --- hardware dirty state ------------------------------------------------- */

/*
 * The DBM bit for a unit of the box's own mapped with @prot, recorded in
 * box->hot first (a DBM leaf outside it could be dirtied unseen); 0 when
 * the box may not write the unit (DBM would let a CPU make it writable),
 * no CPU has hardware dirty state, or it cannot be recorded.
 */
static unsigned int snap_make_hot(struct s2box_box *box, u64 ipa,
				  unsigned int prot)
{
	unsigned long unit = snap_unit(box, ipa);

	if (!(prot & S2BOX_PROT_WRITE) || !s2box_hw_dirty_somewhere())
		return 0;
	if (!xa_load(&box->hot, unit)) {
		if (xa_err(xa_store(&box->hot, unit, xa_mk_value(1),
				    S2BOX_GFP)))
			return 0;
		box->nr_hot++;
	}
	return S2PT_PROT_DBM;
}

static void snap_forget_hot(struct s2box_box *box, unsigned long unit)
{
	if (xa_erase(&box->hot, unit))
		box->nr_hot--;
}

/*
 * Did a CPU set the write permission of a leaf of the unit itself (a DBM
 * leaf made writable by a write)? Also drops a unit whose leaves no
 * longer carry DBM (unmapped or mapped anew since).
 */
static bool snap_hw_dirtied(struct s2box_box *box, unsigned long unit)
{
	u64 ipa = (u64)unit << s2box_mem_align_shift(box), off, step;
	struct s2pt_leaf leaf;
	bool dbm = false;

	step = 1ULL << box->geom.granule_shift;
	for (off = 0; off < snap_unit_size(box); off += step) {
		if (s2pt_walk(&box->pt, ipa + off, &leaf) ||
		    !(leaf.prot & S2PT_PROT_DBM))
			continue;
		dbm = true;
		if (leaf.prot & S2PT_PROT_W)
			return true;
	}
	if (!dbm)
		snap_forget_hot(box, unit);
	return false;
}

/* The hardware's dirty state joins box->dirty: one list to reset. */
static int snap_collect_hw_dirty(struct s2box_box *box)
{
	unsigned long unit;
	void *entry;
	int err;

	xa_for_each(&box->hot, unit, entry) {
		if (!snap_hw_dirtied(box, unit))
			continue;
		err = snap_mark_unit(box, unit, S2BOX_DIRTY_CONTENT);
		if (err)
			return err;
	}
	return 0;
}

/* --- reset ------------------------------------------------------------------ */

struct snap_reset_ctx {
	struct s2box_reset *out;
	unsigned long protected;	/* units write-protected again */
	u64 last_ipa;
};

/* The unit is the box's own and mapped as it was: copy it back. */
static void snap_restore_unit(struct s2box_box *box, u64 ipa,
			      struct snap_reset_ctx *ctx)
{
	unsigned long index = ipa >> PAGE_SHIFT, changed, i;
	unsigned long n = snap_unit_pages(box);
	struct s2box_pageref ref;

	for (i = 0; i < n; i++) {
		s2box_mem_page(box, index + i, &ref);
		copy_page(page_address(ref.page),
			  page_address(xa_load(&box->snap->pages, index + i)));
		/* Where a box with its MMU off reads, and for its fetches. */
		s2box_mem_sync_new(box, ref.page, PAGE_SIZE, ref.prot);
	}
	ctx->out->restored_pages += n;
	/*
	 * A unit mapped since, or written, may be writable again. Written
	 * once, it is likely written again: let CPUs with hardware dirty
	 * state see that without a fault.
	 */
	if (!s2pt_protect(&box->pt, ipa, snap_unit_size(box), S2PT_PROT_W,
			  snap_make_hot(box, ipa, ref.prot), &changed) &&
	    changed) {
		ctx->protected++;
		ctx->last_ipa = ipa;
	}
}

static void snap_unhole_unit(struct s2box_box *box, u64 ipa)
{
	unsigned long index = ipa >> PAGE_SHIFT, i;

	for (i = 0; i < snap_unit_pages(box); i++)
		xa_erase(&box->holes, index + i);
	box->shared_bytes += snap_unit_size(box);
}

static u64 snap_shared_pa(struct s2box_box *box, u64 ipa,
			  unsigned int *s2prot)
{
	unsigned long index = ipa >> PAGE_SHIFT;
	struct page *page = xa_load(&box->shared->pages, index);

	*s2prot = s2box_mem_prot_to_s2pt(snap_prot_at(&box->shared->prots,
						      index)) & ~S2PT_PROT_W;
	return page_to_phys(page);
}

/*
 * A clone's copy of a unit nobody maps: give the unit back to the shared
 * page (it holds the snapshot's contents), which frees the copy.
 */
static int snap_reshare_unit(struct s2box_box *box, u64 ipa,
			     struct snap_reset_ctx *ctx)
{
	unsigned int s2prot;
	u64 pa = snap_shared_pa(box, ipa, &s2prot);
	int err;

	/* Returns once no TLB maps the copy any more. */
	err = s2pt_remap(&box->pt, ipa, pa, snap_unit_size(box), s2prot);
	if (err)
		return err;
	s2box_mem_release_range(box, ipa, snap_unit_size(box));
	snap_unhole_unit(box, ipa);
	snap_forget_hot(box, snap_unit(box, ipa));
	ctx->out->restored_pages += snap_unit_pages(box);
	return 0;
}

/* Map the unit again as the snapshot has it, shared with it in a clone. */
static int snap_map_shared_unit(struct s2box_box *box, u64 ipa)
{
	unsigned int s2prot;
	u64 pa = snap_shared_pa(box, ipa, &s2prot);
	int err;

	err = s2pt_map(&box->pt, ipa, pa, snap_unit_size(box), s2prot,
		       S2PT_MAP_NO_BLOCKS);
	if (!err)
		snap_unhole_unit(box, ipa);
	return err;
}

/* Map the unit again as the snapshot has it: a copy of its contents. */
static int snap_map_copy_unit(struct s2box_box *box, u64 ipa)
{
	u64 size = snap_unit_size(box);
	unsigned long index = ipa >> PAGE_SHIFT, i, n = snap_unit_pages(box);
	unsigned int prot = snap_prot_at(&box->snap->prots, index);
	struct page *page;
	int err;

	err = s2box_mem_pin(box, size);
	if (err)
		return err;
	page = s2box_mem_alloc_chunk(get_order(size));
	err = -ENOMEM;
	if (page)
		err = s2box_mem_store_pages(box, ipa, page, size, prot);
	if (!err) {
		for (i = 0; i < n; i++)
			copy_page(page_address(page + i),
				  page_address(xa_load(&box->snap->pages,
						       index + i)));
		s2box_mem_sync_new(box, page, size, prot);
		/* Tracked from the start, as everything after a snapshot. */
		err = s2pt_map(&box->pt, ipa, page_to_phys(page), size,
			       s2box_mem_prot_to_s2pt(prot) & ~S2PT_PROT_W,
			       S2PT_MAP_NO_BLOCKS);
	}
	if (err && page)
		s2box_mem_release_range(box, ipa, size);
	s2box_mem_unpin_excess(box);
	return err;
}

static int snap_unmap_unit(struct s2box_box *box, u64 ipa, bool shared)
{
	u64 size = snap_unit_size(box);
	int err;

	if (!shared)
		return s2box_mem_unmap_locked(box, ipa, size);
	err = s2pt_unmap(&box->pt, ipa, size, NULL, NULL);
	return err ? err : s2box_snap_unmap_shared(box, ipa, size);
}

static int snap_reset_unit(struct s2box_box *box, unsigned long unit,
			   struct snap_reset_ctx *ctx)
{
	u64 ipa = (u64)unit << s2box_mem_align_shift(box);
	unsigned long index = ipa >> PAGE_SHIFT, n = snap_unit_pages(box);
	bool in_snap = xa_load(&box->snap->pages, index);
	bool sharing = box->shared && box->shared == box->snap;
	struct s2box_pageref ref;
	bool in_box = s2box_mem_page(box, index, &ref);
	int err;

	if (in_box && in_snap &&
	    ref.prot == snap_prot_at(&box->snap->prots, index)) {
		/* A shared page never changes. */
		if (ref.shared)
			return 0;
		if (sharing && page_ref_count(ref.page) == 1)
			return snap_reshare_unit(box, ipa, ctx);
		snap_restore_unit(box, ipa, ctx);
		return 0;
	}
	if (in_box) {
		/* Returns once no TLB maps the unit any more. */
		err = snap_unmap_unit(box, ipa, ref.shared);
		if (err)
			return err;
		snap_forget_hot(box, unit);
		ctx->out->unmapped_pages += n;
	}
	if (!in_snap)
		return 0;
	err = sharing ? snap_map_shared_unit(box, ipa) :
			snap_map_copy_unit(box, ipa);
	if (!err)
		ctx->out->remapped_pages += n;
	return err;
}

/* No TLB may still let the box write a unit reset made read-only. */
static void snap_reset_flush(struct s2box_box *box,
			     const struct snap_reset_ctx *ctx)
{
	if (ctx->protected == 1)
		s2box_tlb_flush_ipa(box, ctx->last_ipa);
	else if (ctx->protected)
		s2box_tlb_flush_vmid(box);
}

static int snap_reset_memory(struct s2box_box *box,
			     struct snap_reset_ctx *ctx)
{
	unsigned long unit;
	void *entry;
	int err = snap_mark_user_mapped(box);

	if (!err)
		err = snap_collect_hw_dirty(box);
	if (err)
		return err;
	xa_for_each(&box->dirty, unit, entry) {
		err = snap_reset_unit(box, unit, ctx);
		if (err)
			break;
		xa_erase(&box->dirty, unit);
		box->nr_dirty--;
		cond_resched();
	}
	snap_reset_flush(box, ctx);
	return err;
}

int s2box_snap_reset(struct s2box_box *box, struct s2box_reset *args)
{
	struct snap_reset_ctx ctx = { .out = args };
	int err;

	if (args->flags || args->reserved1 ||
	    !s2box_reserved_zero(args->reserved, sizeof(args->reserved))) {
		pr_info_ratelimited("reset: flags and reserved fields must be zero\n");
		return -EINVAL;
	}
	memset(args, 0, sizeof(*args));
	if (!s2box_run_claim(box))
		return -EBUSY;
	mutex_lock(&box->lock);
	err = -ENOENT;
	if (!box->snap) {
		pr_info_ratelimited("reset: box %llu has no snapshot (take one with S2BOX_SNAPSHOT)\n",
				    box->id);
		goto out_unlock;
	}
	err = snap_reset_memory(box, &ctx);
	if (err) {
		pr_info_ratelimited("reset: box %llu: error %d with %lu units left to reset; the box is consistent, reset again\n",
				    box->id, err, box->nr_dirty);
		goto out_unlock;
	}
	box->regs = box->snap->regs;
	box->stale_valid = false;
	args->resets = ++box->resets;
out_unlock:
	s2box_mem_publish_stats(box);
	mutex_unlock(&box->lock);
	s2box_run_release(box);
	return err;
}

/* --- clones ------------------------------------------------------------------ */

/* The template's snapshot, referenced for a clone; ERR_PTR if none. */
struct s2box_snap *s2box_snap_get_template(struct s2box_box *tmpl)
{
	struct s2box_snap *snap;

	mutex_lock(&tmpl->lock);
	snap = tmpl->snap;
	if (snap)
		refcount_inc(&snap->ref);
	mutex_unlock(&tmpl->lock);
	if (!snap) {
		pr_info_ratelimited("clone: box %llu has no snapshot to clone (take one with S2BOX_SNAPSHOT)\n",
				    tmpl->id);
		return ERR_PTR(-ENOENT);
	}
	return snap;
}

void s2box_snap_put(struct s2box_snap *snap)
{
	snap_put(snap);
}

/*
 * Map one chunk of the snapshot (@n pages from @index, one allocation,
 * so physically contiguous) read-only: a block wherever the copy came as
 * one (snap_chunk_pages()).
 */
static int snap_map_chunk(struct s2box_box *box, struct s2box_snap *snap,
			  unsigned long index, unsigned long n)
{
	struct page *first = xa_load(&snap->pages, index);
	unsigned int prot = snap_prot_at(&snap->prots, index);

	return s2pt_map(&box->pt, (u64)index << PAGE_SHIFT,
			page_to_phys(first), (u64)n << PAGE_SHIFT,
			s2box_mem_prot_to_s2pt(prot) & ~S2PT_PROT_W, 0);
}

/*
 * A new box @child, not yet reachable, becomes a clone of @snap (one
 * reference, which it takes over), the snapshot of box @tmpl_id: the
 * snapshot's registers, and every page of it mapped read-only at stage
 * 2, shared until written. @tmpl_id is the box S2BOX_CLONE was called
 * on, which need not be the one that took the snapshot (a clone of a
 * clone that took none of its own).
 */
int s2box_snap_clone(struct s2box_snap *snap, struct s2box_box *child,
		     u64 tmpl_id)
{
	unsigned long index;
	void *entry;
	int err = 0;

	mutex_lock(&child->lock);
	child->shared = snap;
	refcount_inc(&snap->ref);
	child->snap = snap;
	child->clone_of = tmpl_id;
	child->regs = snap->regs;
	/* A chunk at a time: a clone costs its tables, not its pages. */
	xa_for_each(&snap->chunks, index, entry) {
		err = snap_map_chunk(child, snap, index, xa_to_value(entry));
		if (err)
			break;
		cond_resched();
	}
	if (!err)
		child->shared_bytes = (u64)snap->nr_pages << PAGE_SHIFT;
	s2box_mem_publish_stats(child);
	mutex_unlock(&child->lock);
	return err;
}

/* --- teardown ------------------------------------------------------------- */

void s2box_snap_destroy(struct s2box_box *box)
{
	snap_put(box->snap);
	box->snap = NULL;
	snap_forget_dirty(box);
	xa_destroy(&box->hot);
	box->nr_hot = 0;
}

/* Once stage 2 maps none of its pages and no TLB holds them. */
void s2box_snap_destroy_shared(struct s2box_box *box)
{
	snap_put(box->shared);
	box->shared = NULL;
}
