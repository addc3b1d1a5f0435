// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshot and reset of a box (Documentation/snapshot.md).
 *
 * A snapshot is a private copy of every host page of the box, with the
 * permissions it was mapped with, and the box's registers. From then on
 * box->dirty names every MAP unit (the larger of the granule and the host
 * page) that changed, so a reset copies back those units and no others:
 * its cost follows what the box did, not how big it is.
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
 * A unit's stage-2 leaf lacks write permission only while tracking wants
 * the fault (or until the first write after a snapshot was dropped, which
 * then just gives it back): the audit accepts both.
 */

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "s2box.h"

/* Past this many write-protected units a reset flushes the VMID once. */
#define SNAP_FLUSH_UNITS_MAX	16

struct s2box_snap {
	struct xarray pages;	/* copies, by IPA >> PAGE_SHIFT */
	struct xarray prots;	/* S2BOX_PROT_* then, same index */
	unsigned long nr_pages;
	struct s2box_regs regs;
};

void s2box_snap_init(struct s2box_box *box)
{
	box->snap = NULL;
	xa_init(&box->dirty);
	box->nr_dirty = 0;
	box->resets = 0;
	atomic64_set(&box->dirty_faults, 0);
}

u64 s2box_snap_bytes(const struct s2box_box *box)
{
	return box->snap ? (u64)box->snap->nr_pages << PAGE_SHIFT : 0;
}

static unsigned long snap_unit(const struct s2box_box *box, u64 ipa)
{
	return ipa >> s2box_mem_align_shift(box);
}

static u64 snap_unit_size(const struct s2box_box *box)
{
	return 1ULL << s2box_mem_align_shift(box);
}

static unsigned int snap_prot_at(struct xarray *prots, unsigned long index)
{
	return xa_to_value(xa_load(prots, index));
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
	unsigned long index, first = ipa >> PAGE_SHIFT;
	unsigned long last = (ipa + size - 1) >> PAGE_SHIFT;
	struct page *page;
	int err;

	if (!box->snap)
		return 0;
	xa_for_each_range(&box->pages, index, page, first, last) {
		err = snap_mark_unit(box, snap_unit(box, (u64)index <<
						    PAGE_SHIFT),
				     S2BOX_DIRTY_LAYOUT);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Under box->lock, before the host writes @n bytes at @ipa into *@page
 * (pwrite()). -ENOMEM if the change could not be recorded.
 */
int s2box_snap_host_write(struct s2box_box *box, u64 ipa, size_t n,
			  struct page **page)
{
	return s2box_snap_mark(box, ipa, n, S2BOX_DIRTY_CONTENT);
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

/* --- the box's first write ----------------------------------------------- */

/*
 * A stage-2 permission fault on a write. Returns 1 when the write is one
 * tracking made fault (the unit is marked and writable again: retry it),
 * 0 when the box lacks write permission there (an exit for the caller),
 * -EINTR or -ENOMEM.
 */
int s2box_snap_write_fault(struct s2box_box *box, u64 ipa)
{
	u64 size = snap_unit_size(box), base = ipa & ~(size - 1);
	unsigned long changed;
	int ret;

	if (mutex_lock_interruptible(&box->lock))
		return -EINTR;
	ret = 0;
	if (!(snap_prot_at(&box->prots, ipa >> PAGE_SHIFT) & S2BOX_PROT_WRITE))
		goto out_unlock;
	/* Recorded first: a unit must never be writable and unmarked. */
	ret = s2box_snap_mark(box, base, size, S2BOX_DIRTY_CONTENT);
	if (!ret)
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

/* --- taking a snapshot ----------------------------------------------------- */

static void snap_free(struct s2box_box *box, struct s2box_snap *snap)
{
	struct page *page;
	unsigned long index;

	if (!snap)
		return;
	xa_for_each(&snap->pages, index, page) {
		s2box_mem_put_page(box, page);
		if (!(index % 1024))
			cond_resched();
	}
	xa_destroy(&snap->pages);
	xa_destroy(&snap->prots);
	kfree(snap);
	s2box_mem_unpin_excess(box);
}

/*
 * A box with its MMU off wrote behind the cache, so drop the host's
 * lines before reading; the copy is cleaned to the point of coherency so
 * it can later be mapped into a box as it is.
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

static int snap_add_page(struct s2box_box *box, struct s2box_snap *snap,
			 unsigned long index, struct page *from)
{
	struct page *copy = s2box_mem_alloc_chunk(0);
	int err;

	if (!copy)
		return -ENOMEM;
	/* Counted first, so snap_free() can take it back either way. */
	box->mem_bytes += PAGE_SIZE;
	atomic64_add(PAGE_SIZE, &s2box_stats.mem_bytes);
	err = xa_err(xa_store(&snap->pages, index, copy, S2BOX_GFP));
	if (err) {
		s2box_mem_put_page(box, copy);
		return err;
	}
	snap->nr_pages++;
	snap_copy_page(copy, from);
	return xa_err(xa_store(&snap->prots, index,
			       xa_load(&box->prots, index), S2BOX_GFP));
}

static int snap_copy_memory(struct s2box_box *box, struct s2box_snap *snap)
{
	struct page *page;
	unsigned long index;
	int err;

	xa_for_each(&box->pages, index, page) {
		err = snap_add_page(box, snap, index, page);
		if (err)
			return err;
		cond_resched();
	}
	return 0;
}

static int snap_check_limit(struct s2box_box *box)
{
	u64 held = box->mem_bytes - s2box_snap_bytes(box);
	u64 want = box->pt.mapped_bytes, limit = s2box_mem_limit_bytes();

	if (want > limit || held > limit - want) {
		pr_info_ratelimited("snapshot: a copy of the box's %llu bytes would take it over the per-box limit of %llu MiB (max_box_mem_mb)\n",
				    want, limit >> 20);
		return -ENOMEM;
	}
	return s2box_mem_pin(box, want);
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
	struct s2box_snap *snap;
	int err;

	err = snap_check_limit(box);
	if (err)
		return err;
	snap = kzalloc(sizeof(*snap), GFP_KERNEL_ACCOUNT);
	if (!snap) {
		s2box_mem_unpin_excess(box);
		return -ENOMEM;
	}
	xa_init(&snap->pages);
	xa_init(&snap->prots);
	err = snap_copy_memory(box, snap);
	if (!err)
		err = snap_mark_user_mapped(box);
	if (err) {
		snap_free(box, snap);
		return err;
	}
	/* The RUN claim makes the registers ours, as a RUN's. */
	snap->regs = box->regs;
	snap_free(box, box->snap);
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
	snap_free(box, box->snap);
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

void s2box_snap_destroy(struct s2box_box *box)
{
	snap_free(box, box->snap);
	box->snap = NULL;
	snap_forget_dirty(box);
}

/* --- reset ------------------------------------------------------------------ */

struct snap_reset_ctx {
	struct s2box_reset *out;
	unsigned long protected;	/* units write-protected again */
	u64 last_ipa;
};

/* The unit is mapped as it was: copy its contents back, protect it. */
static void snap_restore_unit(struct s2box_box *box, u64 ipa,
			      struct snap_reset_ctx *ctx)
{
	unsigned long index = ipa >> PAGE_SHIFT, changed, i;
	unsigned long n = snap_unit_size(box) >> PAGE_SHIFT;
	unsigned int prot = snap_prot_at(&box->prots, index);
	struct page *page;

	for (i = 0; i < n; i++) {
		page = xa_load(&box->pages, index + i);
		copy_page(page_address(page),
			  page_address(xa_load(&box->snap->pages, index + i)));
		/* Where a box with its MMU off reads, and for its fetches. */
		s2box_mem_sync_new(box, page, PAGE_SIZE, prot);
	}
	ctx->out->restored_pages += n;
	/* A unit mapped since, or written, may be writable again. */
	if (!s2pt_protect(&box->pt, ipa, snap_unit_size(box), S2PT_PROT_W, 0,
			  &changed) && changed) {
		ctx->protected++;
		ctx->last_ipa = ipa;
	}
}

/* Map the unit again as the snapshot has it, with its contents. */
static int snap_remap_unit(struct s2box_box *box, u64 ipa,
			   struct snap_reset_ctx *ctx)
{
	u64 size = snap_unit_size(box);
	unsigned long index = ipa >> PAGE_SHIFT, i, n = size >> PAGE_SHIFT;
	unsigned int prot = snap_prot_at(&box->snap->prots, index);
	struct page *page;
	int err;

	err = s2box_mem_pin(box, size);
	if (err)
		return err;
	page = s2box_mem_alloc_chunk(get_order(size));
	if (!page) {
		s2box_mem_unpin_excess(box);
		return -ENOMEM;
	}
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
	if (err)
		s2box_mem_unmap_locked(box, ipa, size);
	else
		ctx->out->remapped_pages += n;
	s2box_mem_unpin_excess(box);
	return err;
}

static int snap_reset_unit(struct s2box_box *box, unsigned long unit,
			   struct snap_reset_ctx *ctx)
{
	u64 ipa = (u64)unit << s2box_mem_align_shift(box);
	unsigned long index = ipa >> PAGE_SHIFT;
	bool in_box = xa_load(&box->pages, index);
	bool in_snap = xa_load(&box->snap->pages, index);
	int err;

	if (in_box && in_snap && snap_prot_at(&box->prots, index) ==
	    snap_prot_at(&box->snap->prots, index)) {
		snap_restore_unit(box, ipa, ctx);
		return 0;
	}
	if (in_box) {
		/* Returns once no TLB maps the unit any more. */
		err = s2box_mem_unmap_locked(box, ipa, snap_unit_size(box));
		if (err)
			return err;
		ctx->out->unmapped_pages += snap_unit_size(box) >> PAGE_SHIFT;
	}
	return in_snap ? snap_remap_unit(box, ipa, ctx) : 0;
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
