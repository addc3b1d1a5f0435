/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2box internal interfaces shared between the module's files.
 */
#ifndef S2BOX_H
#define S2BOX_H

#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/refcount.h>
#include <linux/seqlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/s2box.h>

#include "s2pt.h"
#include "vtcr.h"

/*
 * Box memory is charged to the caller's memory cgroup, and at its limit
 * the allocation fails with ENOMEM instead of OOM-killing (RETRY_MAYFAIL);
 * NOWARN because user input can legitimately ask for more than exists.
 */
#define S2BOX_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* Exit counters, in the order of enum s2box_nl_exits_attr. */
enum s2box_exit_kind {
	S2BOX_KIND_HVC,
	S2BOX_KIND_S2_FAULT,
	S2BOX_KIND_TRAP,
	S2BOX_KIND_SERROR,
	S2BOX_KIND_BUDGET,
	S2BOX_KIND_INTR,
	S2BOX_KIND_FAULT_RETRY,	/* not an exit: a stale fault, retried */
	S2BOX_NR_EXIT_KINDS
};

struct s2box_counters {
	atomic64_t runs;
	atomic64_t exits[S2BOX_NR_EXIT_KINDS];
	atomic64_t guest_ns;
};

/* Module-wide statistics (registry.c). */
struct s2box_stats {
	atomic64_t boxes_alive;
	atomic64_t boxes_created;
	atomic64_t mem_bytes;
	/*
	 * Host pages the module holds, counted where they are allocated
	 * and freed (not derived from the boxes), so a leak shows: stage-2
	 * tables, root tables included; guest memory.
	 */
	atomic64_t table_pages;
	atomic64_t guest_pages;
	atomic64_t events_dropped;
	struct s2box_counters all;
};

extern struct s2box_stats s2box_stats;

/* What GET_BOX_INFO and netlink report of a box's stage-2 tables. */
struct s2box_mem_stats {
	u64 mapped_bytes;
	unsigned long tables;	/* root excluded, as s2pt counts them */
	unsigned long blocks;
	unsigned long pages;
	u64 mem_bytes, detached_bytes, pinned_bytes;	/* see the box */
	u64 snap_bytes;		/* held by the box's snapshot */
	bool has_snap;
	u64 shared_bytes;	/* a clone's, mapped from its template */
	unsigned long dirty_units;
	u64 resets;
	unsigned long hot_units;
};

struct s2box_box {
	u64 id;			/* generation number, never reused */
	struct s2box_geom geom;
	u64 vttbr;		/* root table and VMID, as the CPU wants it */
	u64 *root;		/* concatenated root tables, zeroed */
	u64 root_pa;
	size_t root_bytes;	/* what the walk indexes (box_root_alloc()) */
	kuid_t owner;
	struct pid *owner_pid;	/* creator's thread group */
	struct s2box_counters counters;

	/* Guest memory; lock serialises MAP, UNMAP, the tables and I/O. */
	struct mutex lock;
	struct s2pt pt;
	/*
	 * Host pages by IPA >> PAGE_SHIFT: the box's own memory. Entries are
	 * removed under the xarray lock so mmap faults, which take that lock
	 * and not @lock, never see a page being freed.
	 */
	struct xarray pages;
	struct xarray prots;	/* S2BOX_PROT_* asked for, same index */
	/*
	 * A clone's template snapshot, whose pages back every IPA where the
	 * box has no page of its own and @holes (value entries, same index)
	 * has no entry: those it unmapped or copied (snap.c). NULL for a
	 * box that is no clone.
	 */
	struct s2box_snap *shared;
	struct xarray holes;
	u64 shared_bytes;	/* mapped from @shared */
	u64 clone_of;		/* the template's id, 0 if none */
	/*
	 * Host memory held for guest memory: the pages in @pages and the
	 * detached ones. max_box_mem_mb limits it, and it is what the box
	 * charges to @mm's pinned_vm (mem.c says why).
	 */
	u64 mem_bytes;
	/*
	 * Pages UNMAP took from the box while a process still mapped them,
	 * on page->lru with the module's reference kept, until that
	 * reference is the last one.
	 */
	struct list_head detached;
	u64 detached_bytes;
	struct work_struct reap_work;	/* after a mapping of the box closed */
	/*
	 * The creator's mm, mmgrab()bed so the charge can be taken back
	 * however long it outlives its process and wherever the fd went;
	 * NULL for a creator without one (nothing is charged then).
	 */
	struct mm_struct *mm;
	u64 pinned_bytes;	/* what this box added to mm->pinned_vm */
	/*
	 * @pt's counters as of the end of the last MAP or UNMAP, for readers
	 * that must not take @lock: a MAP or RESET of any size holds it, and
	 * the netlink handlers that report these run under the registry
	 * lock and genetlink's mutex, both global.
	 */
	seqlock_t stats_seq;
	struct s2box_mem_stats stats;

	/*
	 * The box's CPU state. regs_lock guards @running and, while no RUN
	 * owns the box, @regs; a RUN owns @regs until it clears @running.
	 * GET/SET_REGS hold regs_lock only to copy, so they never make a
	 * RUN fail, and a second RUN sees @running: EBUSY.
	 */
	struct mutex regs_lock;
	struct s2box_regs regs;
	bool running;
	/*
	 * The box has used FP/SIMD: its first access trapped (CPTR_EL2.FPEN)
	 * and from then on every trip loads and saves V0-V31, FPSR and FPCR
	 * inside a kernel-mode NEON section. Until then they stay in @regs,
	 * and a trip neither touches the host's FP/SIMD registers nor saves
	 * the caller's (Documentation/world-switch.md). Owned like @regs.
	 */
	bool fp_live;
	struct hrtimer budget;
	bool budget_over;
	/*
	 * The last stage-2 fault the run loop found stale and retried, and
	 * the tree's break count then; only the RUN owning @running uses
	 * them (run.c).
	 */
	bool stale_valid;
	u64 stale_ipa;
	unsigned long stale_breaks;

	/*
	 * Snapshot and dirty tracking (snap.c), under @lock. @dirty holds,
	 * by IPA >> s2box_mem_align_shift(), the S2BOX_DIRTY_* bits of
	 * every MAP unit changed since the snapshot; @nr_dirty counts its
	 * entries.
	 */
	struct s2box_snap *snap;
	struct xarray dirty;
	unsigned long nr_dirty;
	/*
	 * Units whose leaves carry DBM (value entries, same index): found
	 * dirty once, then left to the CPUs with hardware dirty state, so
	 * a reset reads their leaves instead of waiting for a fault. Every
	 * DBM leaf's unit is in here (the reverse may go stale).
	 */
	struct xarray hot;
	unsigned long nr_hot;
	u64 resets;
	atomic64_t dirty_faults;	/* first writes that made a unit dirty */
};

/*
 * Marks on box->pages. S2BOX_XA_USER: a process has mmap()ed the page
 * since it was last found unmapped, so it may write it without the module
 * seeing (snap.c treats it as changed at every reset).
 */
#define S2BOX_XA_USER		XA_MARK_0

/* box->dirty values: what changed in a unit since the snapshot. */
#define S2BOX_DIRTY_CONTENT	0x1UL	/* written by the box or the host */
#define S2BOX_DIRTY_LAYOUT	0x2UL	/* mapped, unmapped or remapped */

/*
 * A snapshot (snap.c): copies of a box's pages, by IPA >> PAGE_SHIFT, with
 * the permissions they were mapped with, and the box's registers. Never
 * written once taken, so clones can map its pages. Lives while the box
 * that took it keeps it or any clone of it lives (@ref), and charges its
 * pages to the pinned memory of the process that took it (@mm).
 */
struct s2box_snap {
	refcount_t ref;
	struct xarray pages;
	struct xarray prots;
	struct xarray chunks;	/* first index of each allocation: pages */
	unsigned long nr_pages;
	struct s2box_regs regs;
	struct mm_struct *mm;
	u64 pinned_bytes;
};

/* One page of box memory, as s2box_mem_page() finds it. */
struct s2box_pageref {
	struct page *page;
	unsigned int prot;	/* S2BOX_PROT_* */
	bool shared;		/* the template's, not the box's own */
};

/* Memory figures of a box (fdinfo, netlink). */
struct s2box_mem_usage {
	u64 mapped_bytes;	/* stage-2 mapped */
	u64 mem_bytes;		/* held: mapped and detached */
	u64 detached_bytes;
	u64 pinned_bytes;	/* charged to the creator's pinned_vm */
	u64 mm_pinned_bytes;	/* the creator's whole pinned_vm (VmPin) */
	u64 snap_bytes;		/* held by the box's snapshot */
	bool has_snap;
	u64 shared_bytes;	/* mapped from the template (a clone) */
	unsigned long dirty_units;	/* changed since the snapshot */
	u64 resets;
	unsigned long hot_units;	/* left to hardware dirty state */
};

/* How one trip into the box ended (world.c fills it, run.c decodes it). */
struct s2box_exit {
	u64 code;		/* S2BOX_VEC_* */
	u64 esr, far, hpfar;
	u64 par;		/* AT S1E1R of FAR, when par_valid */
	bool par_valid;
	bool at_aborted;	/* that AT's walk took an external abort */
	bool serror;		/* an SError of the box was consumed */
	u64 serror_esr;
};

/* host.c: what this host offers, probed once at load. */
int s2box_host_probe(void);
const struct s2box_host *s2box_host_get(void);
void s2box_host_fill_caps(struct s2box_caps *caps);
void s2box_host_cpu_errata(void);
void s2box_host_cpu_check(unsigned int cpu);
DECLARE_PER_CPU(bool, s2box_cpu_unfit);
DECLARE_PER_CPU(bool, s2box_cpu_hw_dirty);
extern unsigned long s2box_no_hw_dirty_cpus;
bool s2box_hw_dirty_somewhere(void);

/* spectre.c: the firmware mitigation box exits need on this CPU. */
DECLARE_PER_CPU(u64, s2box_fw_mitigation);
void s2box_spectre_cpu_probe(void);

/* box.c: a box and its file descriptor. */
int s2box_box_create(const struct s2box_create *args);

/* mem.c: guest memory. */
void s2box_mem_init(struct s2box_box *box);
void s2box_mem_usage(struct s2box_box *box, struct s2box_mem_usage *u);
void s2box_mem_mapping_closed(struct s2box_box *box);
void s2box_mem_destroy(struct s2box_box *box);
int s2box_mem_map(struct s2box_box *box, const struct s2box_map *args);
int s2box_mem_unmap(struct s2box_box *box, const struct s2box_unmap *args);
int s2box_mem_audit(struct s2box_box *box, struct s2box_audit *res);
int s2box_mem_ipa_mapped(struct s2box_box *box, u64 ipa,
			 unsigned long *breaks);
unsigned int s2box_mem_prot_to_s2pt(unsigned int prot);
void s2box_mem_fill_info(struct s2box_box *box, struct s2box_box_info *info);
ssize_t s2box_mem_rw(struct s2box_box *box, char __user *buf, size_t len,
		     loff_t *pos, bool write);
int s2box_mem_mmap(struct s2box_box *box, struct vm_area_struct *vma);

/* mem.c, for snap.c: the building blocks of MAP and UNMAP, under @lock. */
unsigned int s2box_mem_align_shift(const struct s2box_box *box);
int s2box_pin_charge(struct mm_struct *mm, u64 bytes, const char *op);
bool s2box_mem_page(struct s2box_box *box, unsigned long index,
		    struct s2box_pageref *ref);
bool s2box_mem_find(struct s2box_box *box, unsigned long *index,
		    unsigned long last, struct s2box_pageref *ref);
u64 s2box_mem_limit_bytes(void);
int s2box_mem_pin(struct s2box_box *box, u64 bytes);
void s2box_mem_unpin_excess(struct s2box_box *box);
void s2box_mem_put_page(struct s2box_box *box, struct page *page);
struct page *s2box_mem_alloc_chunk(unsigned int order);
int s2box_mem_store_pages(struct s2box_box *box, u64 ipa, struct page *page,
			  u64 size, unsigned int prot);
void s2box_mem_sync_new(struct s2box_box *box, struct page *page, u64 size,
			unsigned int prot);
int s2box_mem_unmap_locked(struct s2box_box *box, u64 ipa, u64 size);
void s2box_mem_release_range(struct s2box_box *box, u64 ipa, u64 size);
void s2box_mem_publish_stats(struct s2box_box *box);

/* snap.c: snapshot, reset and dirty tracking. */
void s2box_snap_init(struct s2box_box *box);
void s2box_snap_destroy(struct s2box_box *box);
int s2box_snap_take(struct s2box_box *box, struct s2box_snapshot *args);
int s2box_snap_reset(struct s2box_box *box, struct s2box_reset *args);
int s2box_snap_mark(struct s2box_box *box, u64 ipa, u64 size,
		    unsigned long what);
int s2box_snap_mark_mapped(struct s2box_box *box, u64 ipa, u64 size);
int s2box_snap_host_write(struct s2box_box *box, u64 ipa, size_t n,
			  struct page **page);
struct page *s2box_snap_user_page(struct s2box_box *box, unsigned long index);
int s2box_snap_unmap_shared(struct s2box_box *box, u64 ipa, u64 size);
int s2box_snap_clone(struct s2box_snap *snap, struct s2box_box *child,
		     u64 tmpl_id);
void s2box_snap_destroy_shared(struct s2box_box *box);
struct s2box_snap *s2box_snap_get_template(struct s2box_box *tmpl);
void s2box_snap_put(struct s2box_snap *snap);
int s2box_snap_write_fault(struct s2box_box *box, u64 ipa);
u64 s2box_snap_bytes(const struct s2box_box *box);

/* registry.c: live boxes by id. */
int s2box_registry_add(struct s2box_box *box);
void s2box_registry_del(struct s2box_box *box);
int s2box_registry_walk(u64 *next, unsigned int *gen,
			int (*fn)(struct s2box_box *box, void *arg), void *arg);

/* netlink.c: the generic netlink family and its events. */
int s2box_nl_init(void);
void s2box_nl_exit(void);
void s2box_nl_event_box(struct s2box_box *box, bool created);
void s2box_nl_event_exit(struct s2box_box *box, const struct s2box_run *run);
void s2box_box_fill_info(struct s2box_box *box, struct s2box_box_info *info);

/* cache.c: maintenance for hosts without FWB. */
void s2box_dcache_poc(void *start, size_t len);
void s2box_icache_sync(void *start, size_t len);

/* regs.c: the box's registers. */
void s2box_regs_reset(struct s2box_regs *regs);
int s2box_regs_set(struct s2box_box *box, const struct s2box_regs *regs);
int s2box_regs_get(struct s2box_box *box, struct s2box_regs *regs);

/* run.c and world.c: running a box. */
int s2box_run(struct s2box_box *box, struct s2box_run *run);
bool s2box_run_claim(struct s2box_box *box);
void s2box_run_release(struct s2box_box *box);
void s2box_run_init(struct s2box_box *box);
void s2box_world_run(struct s2box_box *box, struct s2box_exit *ex);
bool s2box_need_spec_at_wa(void);
int s2box_world_cpu_online(unsigned int cpu);
DECLARE_PER_CPU(u64, s2box_last_box);

/* trap.c: traps finished in the kernel. */
bool s2box_trap_finish(struct s2box_box *box, u64 esr);

/* tlb.c: stage-2 TLB maintenance. */
void s2box_tlb_flush_ipa(const struct s2box_box *box, u64 ipa);
void s2box_tlb_flush_vmid(const struct s2box_box *box);

/* uarg.c: extensible ioctl arguments (see the uapi header). */
int s2box_arg_in(void *karg, size_t ksize, unsigned int cmd,
		 unsigned long arg);
int s2box_arg_out(unsigned long arg, unsigned int cmd, const void *karg,
		  size_t ksize);
int s2box_arg_min(unsigned int cmd, size_t ver0);
bool s2box_reserved_zero(const void *field, size_t size);
bool s2box_cmd_is(unsigned int cmd, unsigned int ref);

#endif /* S2BOX_H */
