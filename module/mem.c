// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory of a box: module-owned pages charged to the caller's memory
 * cgroup, mapped by the box's stage-2 tables (s2pt.c), and reachable from
 * the host through pread/pwrite and mmap on the box fd, whose offsets are
 * IPAs.
 *
 * Every host page of box memory sits in box->pages at its IPA. Pages come
 * from the buddy allocator in blocks as large as a stage-2 block mapping
 * can use, then split into independent pages (split_page()), so any part
 * of a block can be unmapped and freed later and mmap() can refcount each
 * page on its own.
 *
 * Box memory cannot be swapped or reclaimed and shows in no process's RSS,
 * so besides the memory cgroup it is charged where the kernel charges
 * other memory a user pins through a driver (RDMA, io_uring, iommufd): the
 * creator's mm->pinned_vm ("VmPin" in /proc/PID/status), limited by the
 * caller's RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK. The charge follows
 * box->mem_bytes, detached pages included, and goes back when the pages
 * leave the box's count.
 */

#include <linux/capability.h>
#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <asm/barrier.h>

#include "s2box.h"

static unsigned int max_box_mem_mb = 1024;
module_param(max_box_mem_mb, uint, 0644);
MODULE_PARM_DESC(max_box_mem_mb, "Most guest memory one box may map, in MiB (default 1024)");

u64 s2box_mem_limit_bytes(void)
{
	return (u64)READ_ONCE(max_box_mem_mb) << 20;
}

/* --- the stage-2 tree's environment --------------------------------------- */

static unsigned int mem_table_order(const struct s2box_box *box)
{
	return get_order(1UL << box->geom.granule_shift);
}

static void *mem_alloc_table(void *ctx, u64 *pa)
{
	struct s2box_box *box = ctx;
	struct page *page;

	/* Zeroed: a new table must read as all-invalid to any walker. */
	page = alloc_pages(S2BOX_GFP | __GFP_ZERO, mem_table_order(box));
	if (!page)
		return NULL;
	atomic64_add(1L << mem_table_order(box), &s2box_stats.table_pages);
	*pa = page_to_phys(page);
	return page_address(page);
}

static void mem_free_table(void *ctx, void *va, u64 pa)
{
	struct s2box_box *box = ctx;

	__free_pages(virt_to_page(va), mem_table_order(box));
	atomic64_sub(1L << mem_table_order(box), &s2box_stats.table_pages);
}

static void *mem_phys_to_virt(void *ctx, u64 pa)
{
	return phys_to_virt(pa);
}

static void mem_tlbi_ipa(void *ctx, u64 ipa, int level)
{
	/* Never a level hint: see tlb.c. */
	s2box_tlb_flush_ipa(ctx, ipa);
}

static void mem_sync(void *ctx)
{
	/*
	 * Table walks are cacheable and inner shareable (VTCR_EL2), so a DSB
	 * is all it takes for the walker to see descriptor writes.
	 */
	dsb(ishst);
}

static const struct s2pt_ops mem_pt_ops = {
	.alloc_table = mem_alloc_table,
	.free_table = mem_free_table,
	.phys_to_virt = mem_phys_to_virt,
	.tlbi_ipa = mem_tlbi_ipa,
	.sync = mem_sync,
};

static void mem_reap_detached(struct s2box_box *box, bool all);

static void mem_reap_work(struct work_struct *work)
{
	struct s2box_box *box = container_of(work, struct s2box_box,
					     reap_work);

	mutex_lock(&box->lock);
	mem_reap_detached(box, false);
	s2box_mem_publish_stats(box);
	mutex_unlock(&box->lock);
}

/*
 * A process unmapped part of the box (munmap(), exit): the pages it held
 * are released by now, so the detached ones it kept can go, and the
 * pinned charge with them, without waiting for the next call on the box.
 * Called with the process's mmap_lock held and from munmap() of any
 * process: the work item keeps the reaping, and box->lock, out of that
 * path.
 */
void s2box_mem_mapping_closed(struct s2box_box *box)
{
	if (READ_ONCE(box->detached_bytes))
		schedule_work(&box->reap_work);
}

void s2box_mem_init(struct s2box_box *box)
{
	mutex_init(&box->lock);
	seqlock_init(&box->stats_seq);
	xa_init(&box->pages);
	xa_init(&box->prots);
	xa_init(&box->holes);
	INIT_LIST_HEAD(&box->detached);
	INIT_WORK(&box->reap_work, mem_reap_work);
	box->mm = current->mm;
	if (box->mm)
		mmgrab(box->mm);
	s2box_snap_init(box);
	s2pt_init(&box->pt, &box->geom, s2box_host_get()->fwb, &mem_pt_ops,
		  box, box->root, box->root_pa);
}

/* --- ranges ------------------------------------------------------------- */

/* MAP/UNMAP granularity: a granule, but never less than a host page. */
unsigned int s2box_mem_align_shift(const struct s2box_box *box)
{
	return max_t(unsigned int, box->geom.granule_shift, PAGE_SHIFT);
}

static int mem_check_range(const struct s2box_box *box, u64 ipa, u64 size,
			   const char *op)
{
	u64 align = 1ULL << s2box_mem_align_shift(box);
	u64 top = 1ULL << box->geom.ipa_bits;

	if (!size || ((ipa | size) & (align - 1))) {
		pr_info_ratelimited("%s: ipa 0x%llx and size 0x%llx must be non-zero multiples of %llu (granule and host page size)\n",
				    op, ipa, size, align);
		return -EINVAL;
	}
	if (ipa >= top || size > top - ipa) {
		pr_info_ratelimited("%s: [0x%llx, +0x%llx) goes past the box's %u-bit IPA space\n",
				    op, ipa, size, box->geom.ipa_bits);
		return -EINVAL;
	}
	return 0;
}

static bool mem_range_used(struct s2box_box *box, u64 ipa, u64 size)
{
	unsigned long index = ipa >> PAGE_SHIFT;
	struct s2box_pageref ref;

	return s2box_mem_find(box, &index, (ipa + size - 1) >> PAGE_SHIFT,
			      &ref);
}

/*
 * The page at @index, the box's own or, in a clone, one it still shares
 * with its template's snapshot (read-only at stage 2, copied on the first
 * write). Under box->lock.
 */
bool s2box_mem_page(struct s2box_box *box, unsigned long index,
		    struct s2box_pageref *ref)
{
	ref->page = xa_load(&box->pages, index);
	ref->shared = false;
	if (ref->page) {
		ref->prot = xa_to_value(xa_load(&box->prots, index));
		return true;
	}
	if (!box->shared || xa_load(&box->holes, index))
		return false;
	ref->page = xa_load(&box->shared->pages, index);
	if (!ref->page)
		return false;
	ref->shared = true;
	ref->prot = xa_to_value(xa_load(&box->shared->prots, index));
	return true;
}

/* The first page at or after *@index, up to @last, own or shared. */
bool s2box_mem_find(struct s2box_box *box, unsigned long *index,
		    unsigned long last, struct s2box_pageref *ref)
{
	unsigned long own = *index, shared = *index;
	bool have_own = xa_find(&box->pages, &own, last, XA_PRESENT);

	/* A shared page counts only where the box has none of its own. */
	while (box->shared &&
	       xa_find(&box->shared->pages, &shared,
		       have_own ? own : last, XA_PRESENT) &&
	       (!have_own || shared < own)) {
		if (!xa_load(&box->holes, shared)) {
			*index = shared;
			return s2box_mem_page(box, shared, ref);
		}
		if (shared++ == ULONG_MAX)
			break;
	}
	if (!have_own)
		return false;
	*index = own;
	return s2box_mem_page(box, own, ref);
}

/* --- pinned-memory accounting ------------------------------------------ */

/*
 * Charge @bytes more to the creator's pinned_vm, up front for a whole MAP.
 * The limit is the caller's RLIMIT_MEMLOCK: whoever asks for the memory
 * is the one whose limit applies, as for mlock() and io_uring buffers.
 */
int s2box_pin_charge(struct mm_struct *mm, u64 bytes, const char *op)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	s64 pages = bytes >> PAGE_SHIFT, total;

	if (!mm)
		return 0;
	total = atomic64_add_return(pages, &mm->pinned_vm);
	if ((u64)total > limit && !capable(CAP_IPC_LOCK)) {
		atomic64_sub(pages, &mm->pinned_vm);
		pr_info_ratelimited("%s: 0x%llx bytes would take pinned memory to %lld KiB, past RLIMIT_MEMLOCK (%lu KiB)\n",
				    op, bytes, total << (PAGE_SHIFT - 10),
				    limit << (PAGE_SHIFT - 10));
		return -ENOMEM;
	}
	return 0;
}

int s2box_mem_pin(struct s2box_box *box, u64 bytes)
{
	int err = s2box_pin_charge(box->mm, bytes, "map");

	if (!err && box->mm)
		box->pinned_bytes += bytes;
	return err;
}

/*
 * Give back whatever the box charged beyond the memory it holds. Every
 * change goes through box->pinned_bytes under box->lock (or with the box
 * already unreachable), so each byte is taken back exactly once, from the
 * mm it was charged to.
 */
void s2box_mem_unpin_excess(struct s2box_box *box)
{
	u64 excess;

	if (box->pinned_bytes <= box->mem_bytes)
		return;
	excess = box->pinned_bytes - box->mem_bytes;
	atomic64_sub(excess >> PAGE_SHIFT, &box->mm->pinned_vm);
	box->pinned_bytes = box->mem_bytes;
}

/* --- releasing pages ----------------------------------------------------- */

void s2box_mem_put_page(struct s2box_box *box, struct page *page)
{
	put_page(page);
	atomic64_dec(&s2box_stats.guest_pages);
	box->mem_bytes -= PAGE_SIZE;
	atomic64_sub(PAGE_SIZE, &s2box_stats.mem_bytes);
}

/*
 * Drop the module's reference to every detached page nobody else holds
 * any more (all of them when @all, at teardown). A page the module no
 * longer has in box->pages can gain no new reference through the box
 * (faults find no entry), so once its count reads 1 it stays unused; a
 * transient reference someone takes meanwhile only keeps it another round.
 */
static void mem_reap_detached(struct s2box_box *box, bool all)
{
	struct page *page, *next;
	unsigned long n = 0;

	list_for_each_entry_safe(page, next, &box->detached, lru) {
		if (!all && page_ref_count(page) > 1)
			continue;
		list_del_init(&page->lru);
		/* Read without box->lock by s2box_mem_mapping_closed(). */
		WRITE_ONCE(box->detached_bytes,
			   box->detached_bytes - PAGE_SIZE);
		s2box_mem_put_page(box, page);
		/* Only box->lock holders touch the list: @next stays valid. */
		if (!(++n % 1024))
			cond_resched();
	}
	s2box_mem_unpin_excess(box);
}

/*
 * Take the host pages of [ipa, ipa + size) from the box once stage 2 no
 * longer maps them.
 *
 * A page a process still has mmap()ed stays that process's until it
 * unmaps it (the documented semantics, which tests rely on). The
 * alternative, zapping the user PTEs here, would change that contract and
 * needs an address_space of the box's own: anonymous-inode files share one
 * inode, so unmap_mapping_range() on it would hit every other box and
 * anon-inode file mapped at those offsets. Such a page is therefore kept
 * "detached", still counted in box->mem_bytes (max_box_mem_mb) and
 * charged as pinned, until the module's reference is the last; otherwise
 * MAP, fault it in, UNMAP, repeat would let a box hold any amount of
 * memory while under its limit. The page was never put on an LRU list
 * (it is the module's, mapped through ->fault), so page->lru is free to
 * link it into box->detached.
 */
void s2box_mem_release_range(struct s2box_box *box, u64 ipa, u64 size)
{
	unsigned long index, first = ipa >> PAGE_SHIFT;
	unsigned long last = (ipa + size - 1) >> PAGE_SHIFT;
	struct page *page;

	xa_for_each_range(&box->pages, index, page, first, last) {
		/*
		 * Erased under the xarray lock, which mmap faults take to
		 * reference the page: after this, the count below sees every
		 * reference the process's page tables hold.
		 */
		xa_erase(&box->pages, index);
		xa_erase(&box->prots, index);
		if (page_ref_count(page) > 1) {
			list_add_tail(&page->lru, &box->detached);
			WRITE_ONCE(box->detached_bytes,
				   box->detached_bytes + PAGE_SIZE);
		} else {
			s2box_mem_put_page(box, page);
		}
	}
	s2box_mem_unpin_excess(box);
}

int s2box_mem_unmap_locked(struct s2box_box *box, u64 ipa, u64 size)
{
	int err = s2pt_unmap(&box->pt, ipa, size, NULL, NULL);

	/* s2pt_unmap() returns once every TLB is clean of the range. */
	if (!err)
		s2box_mem_release_range(box, ipa, size);
	return err;
}

/* --- statistics ---------------------------------------------------------- */

/* Under box->lock, once a MAP or UNMAP is done with the tables. */
void s2box_mem_publish_stats(struct s2box_box *box)
{
	write_seqlock(&box->stats_seq);
	box->stats.mapped_bytes = box->pt.mapped_bytes;
	box->stats.tables = box->pt.nr_tables;
	box->stats.blocks = box->pt.nr_blocks;
	box->stats.pages = box->pt.nr_pages;
	box->stats.mem_bytes = box->mem_bytes;
	box->stats.detached_bytes = box->detached_bytes;
	box->stats.pinned_bytes = box->pinned_bytes;
	box->stats.snap_bytes = s2box_snap_bytes(box);
	box->stats.has_snap = box->snap;
	box->stats.shared_bytes = box->shared_bytes;
	box->stats.dirty_units = box->nr_dirty;
	box->stats.resets = box->resets;
	box->stats.hot_units = box->nr_hot;
	write_sequnlock(&box->stats_seq);
}

/* Never takes box->lock, so it never waits for a long MAP or RESET. */
static void mem_read_stats(struct s2box_box *box, struct s2box_mem_stats *st)
{
	unsigned int seq;

	do {
		seq = read_seqbegin(&box->stats_seq);
		*st = box->stats;
	} while (read_seqretry(&box->stats_seq, seq));
}

void s2box_mem_fill_info(struct s2box_box *box, struct s2box_box_info *info)
{
	struct s2box_mem_stats st;

	mem_read_stats(box, &st);
	info->mapped_bytes = st.mapped_bytes;
	info->table_pages = st.tables + box->geom.root_pages;
	info->block_maps = st.blocks;
	info->page_maps = st.pages;
	info->map_align = 1U << max_t(unsigned int, box->geom.granule_shift,
				      PAGE_SHIFT);
	info->clone_of = box->clone_of;
	info->snapshot_bytes = st.snap_bytes;
	info->shared_bytes = st.shared_bytes;
}

/* --- MAP ------------------------------------------------------------------ */

/*
 * Size of the next allocation: the largest stage-2 block that fits the IPA
 * alignment, the rest of the range and the buddy allocator, so it can be
 * mapped as one block; otherwise one granule (or host page).
 */
static unsigned int mem_chunk_shift(const struct s2box_box *box, u64 ipa,
				    u64 left)
{
	unsigned int max_shift = PAGE_SHIFT + S2BOX_MAX_ORDER;
	int level;

	for (level = 0; level < 3; level++) {
		u64 bsize = s2pt_level_size(&box->pt, level);

		if (!s2pt_block_allowed(&box->pt, level) ||
		    ilog2(bsize) > max_shift)
			continue;
		if (!(ipa & (bsize - 1)) && left >= bsize)
			return ilog2(bsize);
	}
	return s2box_mem_align_shift(box);
}

struct page *s2box_mem_alloc_chunk(unsigned int order)
{
	struct page *page;

	/* Block-sized requests may fail on fragmentation: fall back quietly. */
	page = alloc_pages(S2BOX_GFP | __GFP_ZERO, order);
	if (!page)
		return NULL;
	if (order)
		split_page(page, order);
	atomic64_add(1L << order, &s2box_stats.guest_pages);
	return page;
}

/*
 * Store @n consecutive entries from @index, pages from @page on or
 * @value in each, in batches that each take the xarray lock and walk
 * the tree once (a 1 GiB block is 262144 entries: one xa_store() each was
 * most of MAP's own time). Returns how many were stored; *@err says why
 * it stopped short.
 */
static unsigned long mem_xa_store_run(struct xarray *xa, unsigned long index,
				      unsigned long n, struct page *page,
				      void *value, int *err)
{
	XA_STATE(xas, xa, index);
	unsigned long i = 0, batch_end;

	*err = 0;
	while (i < n && !*err) {
		batch_end = min(n, i + 1024);
		do {
			/* A fresh walk: the tree may have changed unlocked. */
			xas_set(&xas, index + i);
			xas_lock(&xas);
			for (; i < batch_end; i++) {
				xas_store(&xas, page ? page + i : value);
				if (xas_error(&xas))
					break;
				xas_next(&xas);
			}
			xas_unlock(&xas);
		} while (xas_nomem(&xas, S2BOX_GFP));
		*err = xas_error(&xas);
		/* The lock is dropped between batches: let others in. */
		cond_resched();
	}
	return i;
}

/*
 * Record the chunk's pages in the box. On failure the pages already in
 * box->pages are the caller's to release (s2box_mem_release_range(),
 * which also erases their box->prots entries); the rest are freed here.
 * Pages go in first so that no prots entry can outlive a failed store.
 */
int s2box_mem_store_pages(struct s2box_box *box, u64 ipa, struct page *page,
			  u64 size, unsigned int prot)
{
	unsigned long i, n = size >> PAGE_SHIFT, index = ipa >> PAGE_SHIFT;
	unsigned long stored;
	int err;

	stored = mem_xa_store_run(&box->pages, index, n, page, NULL, &err);
	box->mem_bytes += stored * PAGE_SIZE;
	atomic64_add(stored * PAGE_SIZE, &s2box_stats.mem_bytes);
	for (i = stored; i < n; i++) {
		__free_page(page + i);
		atomic64_dec(&s2box_stats.guest_pages);
	}
	if (!err)
		mem_xa_store_run(&box->prots, index, n, NULL,
				 xa_mk_value(prot), &err);
	return err;
}

/* New memory, zeroed through the cacheable map, as the box will see it. */
void s2box_mem_sync_new(struct s2box_box *box, struct page *page, u64 size,
			unsigned int prot)
{
	if (!s2box_host_get()->fwb)
		s2box_dcache_poc(page_address(page), size);
	if (prot & S2BOX_PROT_EXEC)
		s2box_icache_sync(page_address(page), size);
}

unsigned int s2box_mem_prot_to_s2pt(unsigned int prot)
{
	return (prot & S2BOX_PROT_READ ? S2PT_PROT_R : 0) |
	       (prot & S2BOX_PROT_WRITE ? S2PT_PROT_W : 0) |
	       (prot & S2BOX_PROT_EXEC ? S2PT_PROT_X : 0);
}

static int mem_map_chunk(struct s2box_box *box, u64 ipa, u64 left,
			 unsigned int prot, u64 *mapped)
{
	unsigned int shift = mem_chunk_shift(box, ipa, left);
	struct page *page = s2box_mem_alloc_chunk(shift - PAGE_SHIFT);
	int err;

	if (!page && shift > s2box_mem_align_shift(box)) {
		shift = s2box_mem_align_shift(box);
		page = s2box_mem_alloc_chunk(shift - PAGE_SHIFT);
	}
	if (!page)
		return -ENOMEM;
	*mapped = 1ULL << shift;
	err = s2box_mem_store_pages(box, ipa, page, *mapped, prot);
	if (!err) {
		s2box_mem_sync_new(box, page, *mapped, prot);
		err = s2pt_map(&box->pt, ipa, page_to_phys(page), *mapped,
			       s2box_mem_prot_to_s2pt(prot), 0);
	}
	if (err)
		s2box_mem_release_range(box, ipa, *mapped);
	return err;
}

static int mem_check_map_args(const struct s2box_map *args)
{
	if (args->flags || !s2box_reserved_zero(args->reserved,
						sizeof(args->reserved))) {
		pr_info_ratelimited("map: flags and reserved fields must be zero\n");
		return -EINVAL;
	}
	if (args->prot & ~(S2BOX_PROT_READ | S2BOX_PROT_WRITE |
			   S2BOX_PROT_EXEC)) {
		pr_info_ratelimited("map: unknown prot bits 0x%x\n", args->prot);
		return -EINVAL;
	}
	return 0;
}

static int mem_map_locked(struct s2box_box *box, const struct s2box_map *args)
{
	u64 limit = s2box_mem_limit_bytes();
	u64 done = 0, mapped = 0;
	int err = 0;

	if (mem_range_used(box, args->ipa, args->size)) {
		pr_info_ratelimited("map: [0x%llx, +0x%llx) overlaps an existing mapping\n",
				    args->ipa, args->size);
		return -EEXIST;
	}
	/* Pages the processes let go of since the last call are free again. */
	mem_reap_detached(box, false);
	if (args->size > limit || box->mem_bytes > limit - args->size) {
		pr_info_ratelimited("map: over the per-box limit of %u MiB (max_box_mem_mb; %llu bytes detached, still mmap()ed)\n",
				    max_box_mem_mb, box->detached_bytes);
		return -ENOMEM;
	}
	err = s2box_mem_pin(box, args->size);
	if (err)
		return err;
	while (done < args->size) {
		err = mem_map_chunk(box, args->ipa + done, args->size - done,
				    args->prot, &mapped);
		if (err)
			break;
		done += mapped;
		cond_resched();
	}
	/* After a snapshot, a reset must take the new range away again. */
	if (!err)
		err = s2box_snap_mark(box, args->ipa, args->size,
				      S2BOX_DIRTY_LAYOUT);
	/* All or nothing: take back what this call mapped. */
	if (err && done)
		WARN_ON_ONCE(s2box_mem_unmap_locked(box, args->ipa, done));
	/* What was charged for memory that did not come. */
	s2box_mem_unpin_excess(box);
	return err;
}

int s2box_mem_map(struct s2box_box *box, const struct s2box_map *args)
{
	int err;

	err = mem_check_map_args(args);
	if (!err)
		err = mem_check_range(box, args->ipa, args->size, "map");
	if (err)
		return err;
	mutex_lock(&box->lock);
	err = mem_map_locked(box, args);
	s2box_mem_publish_stats(box);
	mutex_unlock(&box->lock);
	return err;
}

/* --- faults ------------------------------------------------------------- */

/*
 * Does a leaf map @ipa now? Taken under @lock, which MAP and UNMAP hold
 * from their first descriptor write to their last, so a split or removal
 * that was in progress when the box faulted is over here. @breaks gets
 * the tree's break count at that point (see struct s2pt). Returns 1, 0,
 * or -EINTR when a signal came while waiting for the lock.
 */
int s2box_mem_ipa_mapped(struct s2box_box *box, u64 ipa,
			 unsigned long *breaks)
{
	struct s2pt_leaf leaf;
	int mapped;

	if (mutex_lock_interruptible(&box->lock))
		return -EINTR;
	mapped = !s2pt_walk(&box->pt, ipa, &leaf);
	*breaks = box->pt.breaks;
	mutex_unlock(&box->lock);
	return mapped;
}

/*
 * Never waits for box->lock (netlink calls this under global locks, see
 * struct s2box_box): pages let go since the last call are reaped only if
 * the lock is free, and the figures come from the published snapshot.
 */
void s2box_mem_usage(struct s2box_box *box, struct s2box_mem_usage *u)
{
	struct s2box_mem_stats st;

	if (mutex_trylock(&box->lock)) {
		mem_reap_detached(box, false);
		s2box_mem_publish_stats(box);
		mutex_unlock(&box->lock);
	}
	mem_read_stats(box, &st);
	u->mapped_bytes = st.mapped_bytes;
	u->mem_bytes = st.mem_bytes;
	u->detached_bytes = st.detached_bytes;
	u->pinned_bytes = st.pinned_bytes;
	u->snap_bytes = st.snap_bytes;
	u->has_snap = st.has_snap;
	u->shared_bytes = st.shared_bytes;
	u->resets = st.resets;
	u->hot_units = st.hot_units;
	u->dirty_units = st.dirty_units;
	u->mm_pinned_bytes = box->mm ? (u64)atomic64_read(&box->mm->pinned_vm)
				       << PAGE_SHIFT : 0;
}

/* --- UNMAP, teardown ----------------------------------------------------- */

int s2box_mem_unmap(struct s2box_box *box, const struct s2box_unmap *args)
{
	int err;

	if (args->flags || !s2box_reserved_zero(args->reserved,
						sizeof(args->reserved))) {
		pr_info_ratelimited("unmap: flags and reserved fields must be zero\n");
		return -EINVAL;
	}
	err = mem_check_range(box, args->ipa, args->size, "unmap");
	if (err)
		return err;
	mutex_lock(&box->lock);
	/* After a snapshot, a reset must map the range again. */
	err = s2box_snap_mark_mapped(box, args->ipa, args->size);
	/* Returns once every TLB is clean of the range. */
	if (!err)
		err = s2pt_unmap(&box->pt, args->ipa, args->size, NULL, NULL);
	/*
	 * A clone's template pages there are gone from its view too; that
	 * is decided while box->pages still tells its own copies apart.
	 */
	if (!err) {
		err = s2box_snap_unmap_shared(box, args->ipa, args->size);
		s2box_mem_release_range(box, args->ipa, args->size);
	}
	mem_reap_detached(box, false);
	s2box_mem_publish_stats(box);
	mutex_unlock(&box->lock);
	return err;
}

/* s2pt_clear()'s tables wait on a list until the VMID is invalidated. */
static void mem_defer_table(void *arg, void *va, u64 pa)
{
	/* Tables come from alloc_pages(), never an LRU: ->lru is free. */
	list_add(&virt_to_page(va)->lru, arg);
}

static void mem_free_deferred_tables(struct s2box_box *box,
				     struct list_head *tables)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, tables, lru) {
		list_del(&page->lru);
		mem_free_table(box, page_address(page), page_to_phys(page));
	}
}

/*
 * Every page of a box that is going away, in one pass: no per-page
 * erase (s2box_mem_destroy() destroys the xarrays whole) and the
 * counters moved once.
 */
static void mem_release_all(struct s2box_box *box)
{
	unsigned long index, n = 0;
	struct page *page;

	xa_for_each(&box->pages, index, page) {
		put_page(page);
		if (!(++n % 4096))
			cond_resched();
	}
	atomic64_sub(n, &s2box_stats.guest_pages);
	atomic64_sub(n * PAGE_SIZE, &s2box_stats.mem_bytes);
	box->mem_bytes -= n * PAGE_SIZE;
}

void s2box_mem_destroy(struct s2box_box *box)
{
	LIST_HEAD(tables);

	/* The last mapping may have queued it just before the file went. */
	cancel_work_sync(&box->reap_work);
	s2box_snap_destroy(box);
	/*
	 * Nothing can enter the box any more, so one VMID-wide invalidation
	 * replaces one per leaf and table (Documentation/memory.md): unlink
	 * the whole tree, invalidate, and only then free tables and pages.
	 * No stale entry of this box may survive into the next user of its
	 * memory, its root table or VMID 0; it completes everywhere
	 * (erratum 4118414) before anything below is freed.
	 */
	s2pt_clear(&box->pt, mem_defer_table, &tables);
	s2box_tlb_flush_vmid(box);
	mem_free_deferred_tables(box, &tables);
	/*
	 * No mapping of the box is left (each holds the file), but a page
	 * may still be referenced from elsewhere (get_user_pages(), a pipe
	 * after vmsplice()): it lives on with that reference alone, as any
	 * page does, and leaves the box's count and charge here.
	 */
	mem_release_all(box);
	mem_reap_detached(box, true);
	WARN_ON_ONCE(box->mem_bytes || box->pinned_bytes);
	if (box->mm)
		mmdrop(box->mm);
	s2box_snap_destroy_shared(box);
	xa_destroy(&box->pages);
	xa_destroy(&box->prots);
	xa_destroy(&box->holes);
	mutex_destroy(&box->lock);
}
