/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libs2box: the user-space library of s2box (stage-2 boxes on arm64 VHE
 * hosts). One header, installed as <s2box/s2box.h>; the ABI itself is
 * <linux/s2box.h> (the module's uapi header), which this one includes.
 *
 * Conventions, for every function below:
 *
 *  - Handles are opaque: struct s2box_dev (/dev/s2box), struct s2box_box
 *    (one box) and struct s2box_nl (the generic netlink family). The
 *    library keeps no global state; a handle may move between threads but
 *    is used by one thread at a time.
 *  - Functions return 0 (or a count) on success and a negative errno on
 *    failure; they do not rely on errno. s2box_strerror() turns the errno
 *    into text that says what to fix, and the handle's *_errmsg() gives
 *    the detail of its last failure (which call, which value, dmesg or
 *    the kernel's extended ack when there is one).
 *  - Nothing prints, and nothing installs signal handlers.
 *
 * Library-specific errno values (on top of those <linux/s2box.h> lists):
 *   ERANGE   s2box_box_create(): ipa_bits outside [S2BOX_IPA_BITS_MIN,
 *            the granule's limit in struct s2box_caps];
 *   EOPNOTSUPP s2box_box_create(): the granule is not usable at stage 2
 *            on this host (its limit is 0);
 *   ENOEXEC  s2box_elf_parse(), s2box_load_elf(): not a static
 *            little-endian AArch64 ELF executable, or a malformed one;
 *            s2box_call(): no image with an entry stub was loaded;
 *   ETIME    s2box_call(): the budget ran out before the function
 *            returned;
 *   EFAULT   s2box_call(): the box exited otherwise (a stage-2 fault, a
 *            trap, an SError, an HVC that is not the return): see
 *            s2box_box_last_exit();
 *   EPROTO   netlink: the module's reply is malformed.
 */
#ifndef S2BOX_S2BOX_H
#define S2BOX_S2BOX_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/s2box.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The HVC immediate the guest entry stub returns with (s2box_guest.h). */
#define S2BOX_HVC_RETURN	0x5b0U
/* s2box_call() passes at most this many arguments, in x0..x7. */
#define S2BOX_CALL_MAX_ARGS	8
/* Default budget of one s2box_call(), in nanoseconds of wall time. */
#define S2BOX_CALL_BUDGET_NS	(10ULL * 1000 * 1000 * 1000)

struct s2box_dev;
struct s2box_box;
struct s2box_nl;

/* --- errors (s2box_strerror.3) ----------------------------------------- */

/* What @err (negative or positive errno) means here and what to do. */
const char *s2box_strerror(int err);

/* --- the device (s2box_open.3) ----------------------------------------- */

/* Opens S2BOX_DEVICE_PATH and reads its capabilities. */
int s2box_open(struct s2box_dev **devp);
/* The same with another path (a test's device node, a container's). */
int s2box_open_path(const char *path, struct s2box_dev **devp);
void s2box_close(struct s2box_dev *dev);
int s2box_dev_fd(const struct s2box_dev *dev);
const struct s2box_caps *s2box_dev_caps(const struct s2box_dev *dev);
/* The largest ipa_bits @granule allows here; 0: the granule is absent. */
unsigned int s2box_caps_ipa_limit(const struct s2box_caps *caps,
				  unsigned int granule);
/* A granule the host supports (4K, else 64K, else 16K). */
unsigned int s2box_caps_any_granule(const struct s2box_caps *caps);
const char *s2box_dev_errmsg(const struct s2box_dev *dev);

/* --- boxes (s2box_box_create.3) ---------------------------------------- */

/*
 * A box of @ipa_bits and @granule (bytes; 0 picks
 * s2box_caps_any_granule()). The geometry is checked against the
 * capabilities first: EINVAL for a granule that is no granule, EOPNOTSUPP
 * for one the host lacks, ERANGE for ipa_bits out of range. The box lives
 * on until s2box_box_destroy(), independent of @dev.
 */
int s2box_box_create(struct s2box_dev *dev, unsigned int ipa_bits,
		     unsigned int granule, struct s2box_box **boxp);
void s2box_box_destroy(struct s2box_box *box);
int s2box_box_fd(const struct s2box_box *box);
/* Reads S2BOX_GET_BOX_INFO afresh (the counters change). */
int s2box_box_info(struct s2box_box *box, struct s2box_box_info *info);
/* The larger of the granule and the host page size. */
__u64 s2box_box_map_align(const struct s2box_box *box);
const char *s2box_box_errmsg(const struct s2box_box *box);

/* --- memory (s2box_box_create.3) --------------------------------------- */

/* @prot: S2BOX_PROT_*; @ipa and @size multiples of map_align. */
int s2box_mem_map(struct s2box_box *box, __u64 ipa, __u64 size,
		  unsigned int prot);
int s2box_mem_unmap(struct s2box_box *box, __u64 ipa, __u64 size);
/* All of @len bytes or an error (ENXIO: a hole in the range). */
int s2box_mem_write(struct s2box_box *box, __u64 ipa, const void *buf,
		    size_t len);
int s2box_mem_read(struct s2box_box *box, __u64 ipa, void *buf, size_t len);
/* A shared view of box memory; undo with munmap(). */
int s2box_mem_mmap(struct s2box_box *box, __u64 ipa, size_t len,
		   void **addrp);

/* --- snapshot and reset (s2box_box_snapshot.3) ------------------------- */

/*
 * Records the box's memory and registers; from then on the module tracks
 * what changes. @pages (may be NULL) gets the host pages the snapshot
 * holds. EBUSY while the box runs; ENOMEM past a memory limit.
 */
int s2box_box_snapshot(struct s2box_box *box, __u64 *pages);
/* Frees the snapshot and stops tracking. ENOENT without one. */
int s2box_box_snapshot_drop(struct s2box_box *box);
/*
 * Puts back the snapshot: registers, and the contents and layout of
 * whatever changed since. @res (may be NULL) says how much that was.
 * ENOENT without a snapshot; EBUSY while the box runs; ENOMEM: partly
 * done, the box consistent, call again.
 */
int s2box_box_reset(struct s2box_box *box, struct s2box_reset *res);
/*
 * A new box whose memory is @tmpl's snapshot, shared copy-on-write, with
 * the snapshot's registers; it knows @tmpl's loaded image, so
 * s2box_call() works on it at once. ENOENT: @tmpl has no snapshot.
 */
int s2box_box_clone(struct s2box_box *tmpl, struct s2box_box **childp);

/* --- registers and runs (s2box_run.3) ---------------------------------- */

int s2box_regs_get(struct s2box_box *box, struct s2box_regs *regs);
int s2box_regs_set(struct s2box_box *box, const struct s2box_regs *regs);
int s2box_set_pc(struct s2box_box *box, __u64 pc);

/* struct s2box_run decoded: what a box did when it stopped. */
struct s2box_exit {
	__u32 reason;		/* S2BOX_EXIT_* */
	__u32 ec;		/* ESR_EL2.EC */
	__u64 esr, far;
	__u64 pc;		/* where the box resumes */
	__u64 guest_ns;		/* time this run spent inside the box */
	__u32 flags;		/* S2BOX_RUN_* as the module set them */
	/* S2BOX_EXIT_HVC */
	__u32 hvc_imm;
	__u64 x[8];		/* x0..x7 at the exit */
	/* S2BOX_EXIT_S2_FAULT */
	__u64 ipa;
	bool ipa_valid;		/* @ipa is the faulting IPA */
	bool write;		/* a write (else a read or a fetch) */
	bool exec;		/* an instruction fetch */
	__u32 access;		/* S2BOX_ACCESS_* as reported */
	__u32 fault_status;	/* S2BOX_FAULT_* */
	__s32 fault_level;
	/* S2BOX_EXIT_TRAP of an MSR/MRS (ec 0x18): s2box_run.sysreg */
	__u32 sysreg;
	bool sysreg_valid, sysreg_read;
	__u8 op0, op1, crn, crm, op2, rt;
	__u64 reserved[4];
};

/*
 * Decodes @run; @regs (may be NULL) supplies pc and x0..x7. Needs no
 * device: this is how the exit of a RUN the caller made itself is read.
 */
void s2box_exit_decode(const struct s2box_run *run,
		       const struct s2box_regs *regs, struct s2box_exit *exit);
/* One line, e.g. "stage-2 translation fault: write to IPA 0x...". */
int s2box_exit_describe(const struct s2box_exit *exit, char *buf,
			size_t len);
/* "hvc", "s2_fault", "trap", "serror", "budget" or "unknown". */
const char *s2box_exit_reason_name(__u32 reason);

/*
 * One S2BOX_RUN of at most @budget_ns (0: no limit), decoded into @exit.
 * EINTR: a signal came first; running again resumes exactly there.
 */
int s2box_run(struct s2box_box *box, __u64 budget_ns,
	      struct s2box_exit *exit);
/* The exit of the box's last s2box_run() or s2box_call(). */
const struct s2box_exit *s2box_box_last_exit(const struct s2box_box *box);

/* --- calls (s2box_call.3) ---------------------------------------------- */

/*
 * Calls the function at @fn_ipa of the image s2box_load_elf() loaded,
 * through its entry stub (lib/guest): x0..x7 = @args (@nargs at most 8,
 * the rest 0), x8 = @fn_ipa, pc = the entry. Runs until the stub's
 * HVC #S2BOX_HVC_RETURN and copies x0..x7 then to @results (8 entries,
 * may be NULL). ETIME, EFAULT or EINTR otherwise (see the top).
 */
int s2box_call(struct s2box_box *box, __u64 fn_ipa, const __u64 *args,
	       unsigned int nargs, __u64 *results);
/* The budget of every later s2box_call() (0: none). */
void s2box_call_set_budget(struct s2box_box *box, __u64 budget_ns);

/* --- ELF images (s2box_load_elf.3) ------------------------------------- */

#define S2BOX_ELF_MAX_SEGMENTS	16

struct s2box_elf_segment {
	__u64 ipa;		/* p_vaddr: the box runs with its MMU off */
	__u64 file_off, file_size, mem_size;
	unsigned int prot;	/* S2BOX_PROT_* from p_flags */
};

struct s2box_elf {
	__u64 entry;
	__u64 stack_top;	/* end of the highest writable segment */
	unsigned int nsegments;
	struct s2box_elf_segment seg[S2BOX_ELF_MAX_SEGMENTS];
};

/* Checks a static AArch64 ELF executable in memory; no device needed. */
int s2box_elf_parse(const void *image, size_t len, struct s2box_elf *elf);
/* The value of symbol @name in .symtab (ENOENT: none such). */
int s2box_elf_symbol(const void *image, size_t len, const char *name,
		     __u64 *value);
/*
 * Maps every PT_LOAD segment (its map_align units; units two segments
 * share get both their permissions), writes its file bytes (the rest is
 * already zero), and sets pc = entry, SP_EL1 = stack_top and FP/SIMD
 * access at EL1. @elf (may be NULL) gets what was parsed.
 */
int s2box_load_elf(struct s2box_box *box, const void *image, size_t len,
		   struct s2box_elf *elf);
/* s2box_load_elf() of a file; s2box_elf_symbol() of its symbols after. */
int s2box_load_elf_file(struct s2box_box *box, const char *path,
			struct s2box_elf *elf);
int s2box_box_symbol(const struct s2box_box *box, const char *name,
		     __u64 *value);

/* --- the netlink family (s2box_nl_open.3) ------------------------------ */

/* GET_CAPS: struct s2box_caps as the family sends it. */
struct s2box_nl_caps {
	__u32 flags, api_version, pa_bits, granules;
	__u32 ipa_max[3];	/* 4K, 16K, 64K */
	__u32 vmid_bits, host_page_size;
	__u32 reserved[4];
};

/* Exit kinds in S2BOX_ATTR_EXITS_* order, from HVC to INTR. */
#define S2BOX_NL_EXIT_KINDS	6

/* Was attribute @attr (S2BOX_ATTR_BOX_*) in the reply? */
#define S2BOX_NL_HAS(b, attr)	((b)->present & (1ULL << (attr)))

struct s2box_nl_box {
	__u64 present;		/* bit S2BOX_ATTR_BOX_* per attribute sent */
	__u64 id, vtcr, mapped_bytes, table_pages, runs, guest_ns;
	__u64 mem_bytes, detached_bytes, pinned_bytes, owner_pinned_bytes;
	__u32 owner_pid, owner_uid, ipa_bits, granule, levels;
	__u32 sl0, t0sz, ps, ds, vs, root_pages, state;
	__s32 start_level;
	bool has_exits;
	__u64 exits[S2BOX_NL_EXIT_KINDS];
	/*
	 * Since 0.2 (snapshot, reset, clone; S2BOX_NL_HAS() says if sent).
	 * Programs built against 0.1 keep the 0.1 layout, which ended in
	 * four reserved words here: the library keeps its 0.1 functions.
	 */
	__u64 snapshot_bytes, shared_bytes, clone_of, dirty_units, resets;
	__u64 dirty_faults;
	__u32 dirty_mode;	/* S2BOX_DIRTY_* */
	__u32 reserved1;
	__u64 reserved[4];
};

struct s2box_nl_stats {
	__u64 boxes_alive, boxes_created, mem_bytes, runs, events_dropped;
	__u64 exits[S2BOX_NL_EXIT_KINDS];
	bool has_pages;		/* the module sent the two below */
	__u64 table_pages, guest_pages;	/* host pages */
	__u64 reserved[4];
};

struct s2box_nl_event {
	__u8 cmd;		/* S2BOX_CMD_EVENT_* */
	struct s2box_nl_box box;	/* id, owner, ipa_bits, granule */
	__u32 reason;		/* S2BOX_CMD_EVENT_EXIT: S2BOX_EXIT_* */
	__u64 esr, ipa;
	bool has_ipa;
};

/*
 * A socket with extended acks, the family resolved. ENOENT: the family
 * is not registered (no module); other errors: the socket itself.
 */
int s2box_nl_open(struct s2box_nl **nlp);
void s2box_nl_close(struct s2box_nl *nl);
/* The last failure: "what: strerror (kernel: extack)". */
const char *s2box_nl_errmsg(const struct s2box_nl *nl);
/* The kernel's extended ack text of the last failure, or "". */
const char *s2box_nl_extack(const struct s2box_nl *nl);
int s2box_nl_get_caps(struct s2box_nl *nl, struct s2box_nl_caps *caps);
/* ENOENT: no box @id, or one of another user's. */
int s2box_nl_get_box(struct s2box_nl *nl, __u64 id, struct s2box_nl_box *box);
/*
 * Every visible box, in id order, into *@boxesp (free it with
 * s2box_nl_free()); returns the count. @changed: the set changed while
 * the dump ran (NLM_F_DUMP_INTR).
 */
int s2box_nl_list_boxes(struct s2box_nl *nl, struct s2box_nl_box **boxesp,
			bool *changed);
void s2box_nl_free(void *p);
int s2box_nl_get_stats(struct s2box_nl *nl, struct s2box_nl_stats *stats);
/* Joins the "events" group (EPERM without CAP_NET_ADMIN). */
int s2box_nl_events_join(struct s2box_nl *nl);
/* The socket, for poll(): readable when events are queued. */
int s2box_nl_fd(const struct s2box_nl *nl);
/*
 * Reads what one recv() brings and calls @fn for each event; stops when
 * @fn returns < 0. Returns the events handled or a negative errno
 * (ENOBUFS: events were lost, the receive buffer overflowed).
 */
int s2box_nl_events_read(struct s2box_nl *nl,
			 int (*fn)(const struct s2box_nl_event *ev, void *arg),
			 void *arg);

#ifdef __cplusplus
}
#endif

#endif /* S2BOX_S2BOX_H */
