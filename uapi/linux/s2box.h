/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * s2box: isolated stage-2 contexts ("boxes") on arm64 VHE hosts.
 *
 * This header is the ABI's documentation. Conventions that hold for every
 * ioctl below:
 *
 *  - Every structure has fixed-width fields only, so 32-bit and 64-bit
 *    callers share one layout (the driver's compat_ioctl is its ioctl).
 *  - The structure size is encoded in the ioctl number. The driver
 *    dispatches on the ioctl's type and number only and treats the encoded
 *    size as the caller's structure size: a smaller (older) structure is
 *    zero-extended, a larger (newer) one is accepted only when every byte
 *    the driver does not know is zero (E2BIG otherwise). Output structures
 *    are truncated to, or zero-filled up to, the caller's size.
 *  - Every input structure has a flags field; unknown flags and non-zero
 *    reserved fields fail with EINVAL, so they can gain a meaning later.
 *  - An unknown ioctl fails with ENOTTY.
 *  - Rejections also print one rate-limited line to the kernel log naming
 *    the reason, so a user can act on it.
 */
#ifndef _UAPI_LINUX_S2BOX_H
#define _UAPI_LINUX_S2BOX_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Bumped when behaviour changes in a way a caller may need to detect.
 * 2: S2BOX_SNAPSHOT, S2BOX_RESET and S2BOX_CLONE.
 */
#define S2BOX_API_VERSION	2

/* Path of the control device. Default mode 0600 (see README: access). */
#define S2BOX_DEVICE_PATH	"/dev/s2box"

/* Stage-2 translation granules, as their size in bytes. */
#define S2BOX_GRANULE_4K	4096U
#define S2BOX_GRANULE_16K	16384U
#define S2BOX_GRANULE_64K	65536U

/* Smallest IPA size a box may have, in bits. */
#define S2BOX_IPA_BITS_MIN	32U

/* s2box_caps.flags */
#define S2BOX_CAP_VHE		0x01U /* always set: the module needs VHE */
#define S2BOX_CAP_LPA2_4K	0x02U /* 52-bit IPA with 4K granule (DS=1) */
#define S2BOX_CAP_LPA2_16K	0x04U /* 52-bit IPA with 16K granule (DS=1) */
#define S2BOX_CAP_LPA_64K	0x08U /* 52-bit IPA with 64K granule */
#define S2BOX_CAP_FWB		0x10U /* stage 2 can force write-back */
#define S2BOX_CAP_VMID16	0x20U /* 16-bit VMIDs (VTCR_EL2.VS) */

/* s2box_caps.granules: bit set when the granule is usable at stage 2. */
#define S2BOX_GRANULE_MASK_4K	0x01U
#define S2BOX_GRANULE_MASK_16K	0x02U
#define S2BOX_GRANULE_MASK_64K	0x04U

/*
 * struct s2box_caps - what this host offers, from the system-wide
 * (sanitised) ID registers, i.e. the values every online CPU agrees on.
 *
 * @flags:          S2BOX_CAP_* bits.
 * @api_version:    S2BOX_API_VERSION of the running module.
 * @pa_bits:        host physical address size (ID_AA64MMFR0_EL1.PARange).
 * @granules:       S2BOX_GRANULE_MASK_* usable at stage 2.
 * @ipa_bits_max_4k, @ipa_bits_max_16k, @ipa_bits_max_64k:
 *                  largest ipa_bits S2BOX_CREATE_BOX accepts per granule;
 *                  0 when the granule is unsupported.
 * @vmid_bits:      8 or 16.
 * @hafdbs:         hardware access flag / dirty state support at stage 2:
 *                  0 none, 1 access flag, 2 access flag and dirty state.
 *                  Reported only; boxes run with HA=HD=0.
 * @host_page_size: the host kernel's PAGE_SIZE in bytes.
 * @reserved:       zero.
 */
struct s2box_caps {
	__u32 flags;
	__u32 api_version;
	__u32 pa_bits;
	__u32 granules;
	__u32 ipa_bits_max_4k;
	__u32 ipa_bits_max_16k;
	__u32 ipa_bits_max_64k;
	__u32 vmid_bits;
	__u32 hafdbs;
	__u32 host_page_size;
	__u32 reserved[6];
};

/*
 * struct s2box_create - arguments of S2BOX_CREATE_BOX.
 *
 * @flags:    S2BOX_CREATE_* bits; none are defined yet, so it must be 0.
 * @ipa_bits: the box's IPA size in bits, S2BOX_IPA_BITS_MIN up to the
 *            granule's limit in struct s2box_caps. 0 is an error, not a
 *            default.
 * @granule:  S2BOX_GRANULE_4K, _16K or _64K.
 * @reserved: zero.
 */
struct s2box_create {
	__u32 flags;
	__u32 ipa_bits;
	__u32 granule;
	__u32 reserved[5];
};

/*
 * struct s2box_box_info - a box's stage-2 geometry and identity.
 *
 * @box_id:      never-reused 64-bit identifier (generation number).
 * @vtcr:        the VTCR_EL2 value the box runs with.
 * @flags:       0 for now.
 * @ipa_bits:    as created.
 * @granule:     as created, in bytes.
 * @levels:      number of lookup levels of the stage-2 walk.
 * @start_level: the initial lookup level (-1 .. 3; s2box never picks -1).
 * @sl0:         VTCR_EL2.SL0 as encoded (its meaning depends on the granule).
 * @sl2:         VTCR_EL2.SL2 (only with 4K and DS=1; always 0 here).
 * @t0sz:        VTCR_EL2.T0SZ = 64 - ipa_bits.
 * @ps:          VTCR_EL2.PS encoding (from the host PARange).
 * @ps_bits:     the output address size PS selects, in bits.
 * @ds:          VTCR_EL2.DS (1 for 52-bit IPA with 4K or 16K: LPA2 layout).
 * @vs:          VTCR_EL2.VS (1 when the host has 16-bit VMIDs).
 * @root_pages:  concatenated translation tables at the start level.
 * @root_align:  required alignment of the root table (VTTBR_EL2.BADDR),
 *               in bytes.
 * @mapped_bytes: guest memory mapped by S2BOX_MAP, in bytes.
 * @table_pages: stage-2 table pages in use, root tables included (in
 *               granules of the box).
 * @block_maps:  valid block descriptors (levels 0-2).
 * @page_maps:   valid page descriptors (level 3).
 * @map_align:   alignment S2BOX_MAP and S2BOX_UNMAP need: the larger of
 *               the granule and the host page size, in bytes; also the
 *               unit in which S2BOX_RESET tracks and copies changes.
 * @clone_of:    the template's box id for a clone (S2BOX_CLONE), else 0.
 * @snapshot_bytes: memory the box's snapshot holds (0: none).
 * @shared_bytes: of @mapped_bytes, those a clone still shares with its
 *               template's snapshot.
 * @reserved:    zero.
 */
struct s2box_box_info {
	__u64 box_id;
	__u64 vtcr;
	__u32 flags;
	__u32 ipa_bits;
	__u32 granule;
	__u32 levels;
	__s32 start_level;
	__u32 sl0;
	__u32 sl2;
	__u32 t0sz;
	__u32 ps;
	__u32 ps_bits;
	__u32 ds;
	__u32 vs;
	__u32 root_pages;
	__u32 root_align;
	__u64 mapped_bytes;
	__u64 table_pages;
	__u64 block_maps;
	__u64 page_maps;
	__u32 map_align;
	__u32 reserved1;
	__u64 clone_of;
	__u64 snapshot_bytes;
	__u64 shared_bytes;
};

/* s2box_map.prot: what the box may do with the memory, any combination. */
#define S2BOX_PROT_READ		0x1U
#define S2BOX_PROT_WRITE	0x2U
#define S2BOX_PROT_EXEC		0x4U

/*
 * struct s2box_map - arguments of S2BOX_MAP.
 *
 * @ipa:      start of the range, aligned to s2box_box_info.map_align.
 * @size:     length in bytes, non-zero, a multiple of map_align.
 * @prot:     S2BOX_PROT_* bits.
 * @flags:    0.
 * @reserved: zero.
 */
struct s2box_map {
	__u64 ipa;
	__u64 size;
	__u32 prot;
	__u32 flags;
	__u64 reserved[2];
};

/*
 * struct s2box_unmap - arguments of S2BOX_UNMAP.
 *
 * @ipa, @size: as for struct s2box_map; holes in the range are fine.
 * @flags:      0.
 * @reserved:   zero.
 */
struct s2box_unmap {
	__u64 ipa;
	__u64 size;
	__u32 flags;
	__u32 reserved[3];
};

/*
 * struct s2box_audit - result of S2BOX_AUDIT, a walk of the box's stage-2
 * tables by the module.
 *
 * @tables:       table pages reachable from the root (root excluded).
 * @blocks:       valid block descriptors.
 * @pages:        valid page descriptors.
 * @bytes:        bytes the valid leaves map.
 * @bad_desc:     descriptors that are not what the module would write.
 * @empty_tables: reachable tables that map nothing (should be freed).
 * @foreign:      leaves whose output address is not the box's own page
 *                for that IPA, or whose permissions differ from those
 *                S2BOX_MAP asked for.
 * @reserved:     zero.
 */
struct s2box_audit {
	__u64 tables;
	__u64 blocks;
	__u64 pages;
	__u64 bytes;
	__u64 bad_desc;
	__u64 empty_tables;
	__u64 foreign;
	__u64 reserved[3];
};

/*
 * struct s2box_regs - a box's EL1 view of the CPU.
 *
 * A new box starts at its reset state: all zero, except pstate (EL1h with
 * D, A, I and F masked: 0x3c5) and sctlr (MMU and caches off, RES1 bits
 * only: 0x30d00800). Two registers a box can write are not kept here and
 * read 0 again after every exit: TPIDR2_EL0 (with SME) and DISR_EL1 (with
 * RAS; a box never has a deferred SError of its own).
 *
 * @x:         general-purpose registers x0..x30.
 * @sp_el1:    SP_EL1 (the stack pointer in EL1h).
 * @sp_el0:    SP_EL0 (the stack pointer in EL1t and EL0t).
 * @pc:        where the box resumes.
 * @pstate:    SPSR-format PSTATE. Only AArch64 EL1h (0x5), EL1t (0x4) and
 *             EL0t (0x0) in M[4:0]; DAIF, NZCV, SSBS, PAN, UAO, DIT, TCO
 *             and BTYPE bits are kept; anything else is EINVAL.
 * @sctlr, @tcr, @ttbr0, @ttbr1, @mair, @amair, @vbar, @contextidr,
 * @cpacr, @cntkctl, @esr, @far, @afsr0, @afsr1, @par, @elr, @spsr,
 * @tpidr_el1, @tpidr_el0, @tpidrro_el0, @csselr:
 *             the EL1 (and EL0 thread) system registers of the same names.
 * @cntv_ctl, @cntv_cval: the box's EL1 virtual timer. A box has no
 *             interrupt controller, so the timer's interrupt never reaches
 *             it: every entry sets CNTV_CTL.IMASK (a polling box still
 *             sees ISTATUS), and cntv_ctl is the value the box last saw.
 *             Between runs the timer is disabled and masked on the CPU,
 *             so its interrupt (KVM's) never fires for a box. With
 *             FEAT_ECV every access of the box to the timer traps and the
 *             kernel keeps it here (IMASK always set, ISTATUS computed
 *             when read), so the hardware timer never runs for a box.
 * @v:         SIMD&FP registers V0..V31, low and high 64 bits each.
 * @fpcr, @fpsr: FP control and status.
 * @flags:     0.
 * @reserved:  zero.
 */
struct s2box_regs {
	__u64 x[31];
	__u64 sp_el1;
	__u64 sp_el0;
	__u64 pc;
	__u64 pstate;
	__u64 sctlr;
	__u64 tcr;
	__u64 ttbr0;
	__u64 ttbr1;
	__u64 mair;
	__u64 amair;
	__u64 vbar;
	__u64 contextidr;
	__u64 cpacr;
	__u64 cntkctl;
	__u64 esr;
	__u64 far;
	__u64 afsr0;
	__u64 afsr1;
	__u64 par;
	__u64 elr;
	__u64 spsr;
	__u64 tpidr_el1;
	__u64 tpidr_el0;
	__u64 tpidrro_el0;
	__u64 csselr;
	__u64 cntv_ctl;
	__u64 cntv_cval;
	__u64 v[64];
	__u32 fpcr;
	__u32 fpsr;
	__u32 flags;
	__u32 reserved1;
	__u64 reserved[8];
};

/* s2box_run.exit_reason */
#define S2BOX_EXIT_HVC		1	/* HVC: @hvc_imm; x0-x7 in the regs */
#define S2BOX_EXIT_S2_FAULT	2	/* stage-2 abort: @ipa, @fault_* */
#define S2BOX_EXIT_TRAP		3	/* trapped instruction: @esr, @sysreg */
#define S2BOX_EXIT_SERROR	4	/* SError from the box: @esr */
#define S2BOX_EXIT_BUDGET	5	/* budget_ns used up */

/* s2box_run.fault_access */
#define S2BOX_ACCESS_READ	1
#define S2BOX_ACCESS_WRITE	2
#define S2BOX_ACCESS_EXEC	3

/* s2box_run.fault_status */
#define S2BOX_FAULT_ADDR_SIZE	0
#define S2BOX_FAULT_TRANSLATION	1
#define S2BOX_FAULT_ACCESS_FLAG	2
#define S2BOX_FAULT_PERMISSION	3
#define S2BOX_FAULT_OTHER	4

/* s2box_run.flags (out) */
#define S2BOX_RUN_IPA_VALID	0x1U	/* @ipa holds the faulting IPA */
#define S2BOX_RUN_IPA_FROM_AT	0x2U	/* ...translated from FAR with AT */

/*
 * struct s2box_run - arguments and result of S2BOX_RUN.
 *
 * @budget_ns:     in: run at most this long (0: no limit). The budget is
 *                 a bound, enforced by an hrtimer: a run ends within it
 *                 plus the time to take the timer interrupt.
 * @flags:         in: 0. out: S2BOX_RUN_* bits.
 * @exit_reason:   out: S2BOX_EXIT_*.
 * @esr:           out: the syndrome (ESR_EL2) of the exit, if any.
 * @far:           out: FAR_EL2 for aborts.
 * @ipa:           out: faulting IPA, exact to the byte; for a fault on
 *                 the box's own stage-1 table walk (ESR S1PTW) the page
 *                 of the descriptor (low 12 bits zero): the CPU reports
 *                 no offset for it.
 * @hvc_imm:       out: the HVC immediate.
 * @exception_class: out: ESR_EL2.EC.
 * @fault_access:  out: S2BOX_ACCESS_*.
 * @fault_status:  out: S2BOX_FAULT_*.
 * @fault_level:   out: lookup level of the fault (-1..3).
 * @sysreg:        out: for a trapped MSR/MRS (EC 0x18): op0 [21:20],
 *                 op2 [19:17], op1 [16:14], CRn [13:10], Rt [9:5],
 *                 CRm [4:1], read (1) / write (0) [0]: ISS as the CPU gave it.
 * @guest_ns:      out: time this call spent inside the box.
 * @reserved:      zero.
 */
struct s2box_run {
	__u64 budget_ns;
	__u32 flags;
	__u32 exit_reason;
	__u64 esr;
	__u64 far;
	__u64 ipa;
	__u32 hvc_imm;
	__u32 exception_class;
	__u32 fault_access;
	__u32 fault_status;
	__s32 fault_level;
	__u32 sysreg;
	__u64 guest_ns;
	__u64 reserved[4];
};

/* s2box_snapshot.flags */
#define S2BOX_SNAPSHOT_DROP	0x1U	/* forget the snapshot instead */

/*
 * struct s2box_snapshot - arguments and result of S2BOX_SNAPSHOT.
 *
 * @flags:     in: 0 to take a snapshot, S2BOX_SNAPSHOT_DROP to drop it.
 * @reserved1: zero.
 * @pages:     out: host pages the snapshot holds (0 after a drop).
 * @bytes:     out: their size in bytes.
 * @reserved:  zero.
 */
struct s2box_snapshot {
	__u32 flags;
	__u32 reserved1;
	__u64 pages;
	__u64 bytes;
	__u64 reserved[4];
};

/*
 * struct s2box_reset - arguments and result of S2BOX_RESET.
 *
 * @flags:          in: 0.
 * @reserved1:      zero.
 * @restored_pages: out: host pages whose contents were copied back from
 *                  the snapshot (the ones changed since, and nothing else).
 * @unmapped_pages: out: host pages mapped since the snapshot, unmapped.
 * @remapped_pages: out: host pages unmapped (or mapped again with other
 *                  permissions) since the snapshot, mapped again as they
 *                  were, with the snapshot's contents.
 * @resets:         out: resets of this box so far, this one included.
 * @reserved:       zero.
 */
struct s2box_reset {
	__u32 flags;
	__u32 reserved1;
	__u64 restored_pages;
	__u64 unmapped_pages;
	__u64 remapped_pages;
	__u64 resets;
	__u64 reserved[3];
};

/*
 * struct s2box_clone - arguments of S2BOX_CLONE.
 *
 * @flags:    0.
 * @reserved: zero.
 */
struct s2box_clone {
	__u32 flags;
	__u32 reserved[7];
};

#define S2BOX_IOC_MAGIC		0xB9

/*
 * The size in an ioctl number is the caller's structure size, so a
 * structure can grow (see each ioctl). For the two whose input has no
 * safe default it may not shrink below the first released layout: a RUN
 * whose budget_ns was cut off would run unbudgeted, and a SET_REGS whose
 * tail was cut off would zero registers the caller never meant to touch.
 * A smaller size fails with EINVAL.
 */
#define S2BOX_RUN_SIZE_VER0	104	/* struct s2box_run as first released */
#define S2BOX_REGS_SIZE_VER0	1056	/* struct s2box_regs as first released */

/*
 * S2BOX_GET_CAPS (on /dev/s2box): fill struct s2box_caps.
 * Errors: EFAULT (bad pointer).
 */
#define S2BOX_GET_CAPS		_IOR(S2BOX_IOC_MAGIC, 0x00, struct s2box_caps)

/*
 * S2BOX_CREATE_BOX (on /dev/s2box): create a box and return a new file
 * descriptor for it (O_CLOEXEC, O_RDWR). The box lives until its last
 * reference is dropped. Its root stage-2 table is allocated zeroed,
 * aligned as VTTBR_EL2.BADDR requires, and charged to the caller's memory
 * cgroup.
 * Errors:
 *   EINVAL      unknown flags, non-zero reserved fields, an unknown granule
 *               value, or ipa_bits outside [32, limit for that granule]
 *               (ipa_bits 0 included);
 *   EOPNOTSUPP  the granule is not supported at stage 2 by this host;
 *   E2BIG       a newer, larger structure with non-zero unknown bytes;
 *   ENOMEM      no memory for the box or its root table;
 *   EDQUOT      the caller's real uid already has max_boxes_per_user
 *               (module parameter, default 1024, 0: no limit) boxes
 *               alive. Counted per kuid, so a user namespace does not
 *               give a user a fresh count, and root is counted too;
 *               a box counts until its last reference (fd or mmap())
 *               is gone;
 *   EMFILE      out of file descriptors; EFAULT bad pointer.
 */
#define S2BOX_CREATE_BOX	_IOW(S2BOX_IOC_MAGIC, 0x01, struct s2box_create)

/*
 * S2BOX_GET_BOX_INFO (on a box fd): fill struct s2box_box_info. The
 * memory counters (mapped_bytes, table_pages, block_maps, page_maps) are
 * those of the last S2BOX_MAP or S2BOX_UNMAP to finish: the call never
 * waits for one in progress. The netlink GET_BOX reports the same
 * snapshot.
 * Errors: EFAULT.
 */
#define S2BOX_GET_BOX_INFO	_IOR(S2BOX_IOC_MAGIC, 0x02, struct s2box_box_info)

/*
 * S2BOX_MAP (on a box fd): allocate zeroed memory owned by the module,
 * charged to the caller's memory cgroup, and map it at [ipa, ipa + size)
 * with @prot. Block descriptors are used wherever the IPA alignment and a
 * physically contiguous allocation allow, page descriptors elsewhere.
 * Either the whole range is mapped or, on error, nothing is.
 * Errors:
 *   EINVAL  ipa or size not aligned to map_align, size 0, the range past
 *           the box's IPA size, unknown prot bits or flags, non-zero
 *           reserved fields;
 *   EEXIST  part of the range is already mapped;
 *   ENOMEM  the per-box memory limit (module parameter max_box_mem_mb),
 *           the memory cgroup limit, or memory itself ran out; the cgroup
 *           gets ENOMEM, never an OOM kill. Or the pinned-memory limit:
 *           box memory cannot be swapped or reclaimed, so it is charged
 *           to the pinned memory (mm->pinned_vm, "VmPin" in
 *           /proc/PID/status) of the process that created the box, for
 *           as long as the box holds it and whichever process has the fd
 *           by then, and a MAP that would take that count past the
 *           caller's RLIMIT_MEMLOCK fails, unless the caller has
 *           CAP_IPC_LOCK (dmesg names RLIMIT_MEMLOCK).
 *
 * max_box_mem_mb and the pinned charge count the memory the box holds
 * (S2BOX_ATTR_BOX_MEM_BYTES): what is mapped, plus pages S2BOX_UNMAP took
 * away while a process still had them mmap()ed ("detached"), until the
 * module's reference to such a page is the last one. A detached page
 * leaves the count shortly after the process's mapping of it goes
 * (munmap(), exit), and otherwise (a reference taken by get_user_pages()
 * or vmsplice() let go of later) at the next MAP, UNMAP, GET_BOX_INFO,
 * netlink GET_BOX or fdinfo read, at the latest when the box is
 * destroyed.
 */
#define S2BOX_MAP		_IOW(S2BOX_IOC_MAGIC, 0x03, struct s2box_map)

/*
 * S2BOX_UNMAP (on a box fd): remove every mapping in [ipa, ipa + size),
 * splitting block mappings the range cuts (break-before-make), and free
 * the memory and emptied tables once the TLBs of every CPU are clean of
 * them. Pages a process still has mmap()ed stay allocated until it
 * unmaps them and no longer belong to the box, but still count against
 * max_box_mem_mb and the pinned charge until then (see S2BOX_MAP).
 * Errors: EINVAL (alignment, size 0, past the IPA size, flags, reserved);
 *         ENOMEM (a block split could not allocate a table: nothing was
 *         unmapped).
 */
#define S2BOX_UNMAP		_IOW(S2BOX_IOC_MAGIC, 0x04, struct s2box_unmap)

/*
 * S2BOX_AUDIT (on a box fd): walk the box's stage-2 tables and check that
 * every valid leaf maps the box's own page for that IPA with the
 * permissions S2BOX_MAP asked for, that every descriptor is well formed,
 * and that no table page is orphaned or kept empty. Fills struct
 * s2box_audit either way.
 * Errors: EUCLEAN (the tables are not what they must be; dmesg says
 *         why); EFAULT.
 */
#define S2BOX_AUDIT		_IOR(S2BOX_IOC_MAGIC, 0x05, struct s2box_audit)

/*
 * S2BOX_GET_REGS / S2BOX_SET_REGS (on a box fd): read or replace the box's
 * registers (struct s2box_regs). Not while the box runs.
 * Errors: EINVAL (a pstate other than AArch64 EL1h/EL1t/EL0t, unknown
 *         pstate bits, flags, reserved; for SET_REGS a structure size in
 *         the ioctl number below S2BOX_REGS_SIZE_VER0); EBUSY (the box is
 *         running);
 *         EFAULT.
 */
#define S2BOX_GET_REGS		_IOR(S2BOX_IOC_MAGIC, 0x06, struct s2box_regs)
#define S2BOX_SET_REGS		_IOW(S2BOX_IOC_MAGIC, 0x07, struct s2box_regs)

/*
 * S2BOX_RUN (on a box fd): run the box on the calling CPU at EL1 under its
 * stage-2 tables until it exits (struct s2box_run says why). Exceptions
 * that stay at EL1 (an undefined instruction, the box's own SVC, a
 * stage-1 fault) go to the box's VBAR_EL1 as on hardware; a box without
 * vectors at VBAR_EL1 then takes a stage-2 fault fetching them (VBAR 0 +
 * 0x200 with the reset state) and exits with that. After a trap exit the
 * box resumes at the trapping instruction (HVC, SMC, WFI and WFE exits
 * resume after it, whatever its length): set pc to skip it. A stage-2
 * translation or access-flag fault is an exit only if the IPA is still
 * unmapped when the module looks under the lock S2BOX_MAP and S2BOX_UNMAP
 * hold; otherwise (the access hit a block split, or raced with a MAP) the
 * box retries it, counted in S2BOX_ATTR_EXITS_FAULT_RETRY. A permission
 * fault exits too (a split keeps a block's permissions), except a write
 * to memory mapped writable that the module write-protected itself, to
 * track changes after S2BOX_SNAPSHOT or to share a clone's pages: the
 * kernel resolves it and the box goes on (S2BOX_ATTR_BOX_DIRTY_FAULTS),
 * unless a clone's copy of the page cannot be had (a memory limit), when
 * it exits as the permission fault it is.
 * Errors: EINTR (a signal arrived; RUN again resumes exactly where the box
 *         stopped); EBUSY (the box is running on another thread);
 *         EINVAL (flags, reserved, or a structure size in the ioctl
 *         number below S2BOX_RUN_SIZE_VER0); ENODEV (the calling CPU
 *         came online after load with features s2box does not handle;
 *         dmesg names them: run the caller on another CPU); EFAULT.
 */
#define S2BOX_RUN		_IOWR(S2BOX_IOC_MAGIC, 0x08, struct s2box_run)

/*
 * S2BOX_SNAPSHOT (on a box fd): record the box as it is now (the layout,
 * permissions and contents of all its memory, and its registers) as its
 * snapshot, replacing any earlier one, so that S2BOX_RESET can put it
 * back. From then on the module tracks which MAP units (map_align bytes)
 * change: a box's first write to a unit takes a stage-2 permission fault
 * that the kernel resolves without an exit (the unit becomes writable
 * and is marked), pwrite() marks what it writes, MAP and UNMAP mark what
 * they change, and a page a process has mmap()ed counts as changed at
 * every reset while any process maps it (the module cannot see writes
 * through a mapping). Cost: one copy of the box's memory, allocated here,
 * charged like guest memory (memory cgroup, max_box_mem_mb, the pinned
 * charge; S2BOX_ATTR_BOX_SNAPSHOT_BYTES). With S2BOX_SNAPSHOT_DROP the
 * snapshot is freed and tracking stops.
 * Errors: EBUSY (the box is running); ENOMEM (as for S2BOX_MAP: no
 *         snapshot was taken and an earlier one is kept); ENOENT (DROP
 *         without a snapshot); EINVAL (flags, reserved); EFAULT.
 */
#define S2BOX_SNAPSHOT		_IOWR(S2BOX_IOC_MAGIC, 0x09, struct s2box_snapshot)

/*
 * S2BOX_RESET (on a box with a snapshot): make the box what it was at
 * S2BOX_SNAPSHOT. The registers are put back; every unit changed since
 * gets the snapshot's contents again, and nothing else is copied, so the
 * time it takes grows with what changed, not with the box's size. Ranges
 * mapped since are unmapped, ranges unmapped (or remapped with other
 * permissions) since are mapped again as they were. The snapshot stays:
 * reset as often as needed. struct s2box_reset says what was done.
 * Errors: ENOENT (no snapshot); EBUSY (the box is running); ENOMEM
 *         (memory to map a range again ran out: the box is consistent,
 *         partly reset, its registers untouched, and RESET again goes on
 *         where this one stopped); EINVAL (flags, reserved); EFAULT.
 */
#define S2BOX_RESET		_IOWR(S2BOX_IOC_MAGIC, 0x0a, struct s2box_reset)

/*
 * S2BOX_CLONE (on a box with a snapshot, the template): create a box and
 * return a new file descriptor for it, as S2BOX_CREATE_BOX does, with
 * the template's geometry, its snapshot's registers, and the snapshot's
 * memory shared copy-on-write at stage 2: the clone maps the snapshot's
 * pages read-only, and the first write to a unit (by the clone, pwrite()
 * or a fault of its mmap()) copies that unit into a page of the clone's
 * own, in the kernel, without an exit. Creating one costs time for the
 * stage-2 tables only, not for the memory.
 *
 * The clone's snapshot is the template's, so S2BOX_RESET works on it at
 * once: units it copied go back to the shared pages (unless a process
 * maps the copy, which then gets the snapshot's contents instead).
 * S2BOX_SNAPSHOT on a clone takes a snapshot of its own, as for any box;
 * MAP and UNMAP work on a clone as on any box (an UNMAP of shared pages
 * drops the clone's view of them only). Clones, their clones and the
 * template are independent: none ever sees another's writes.
 *
 * Memory: the snapshot's pages live while the template keeps that
 * snapshot or any clone of it lives, whichever is last, and stay charged
 * to the memory cgroup and the pinned memory of the process that took
 * the snapshot. A clone is charged (memory cgroup, max_box_mem_mb,
 * pinned memory of its creator) only for the pages it owns: its copies
 * and what it maps itself, not the shared ones (S2BOX_ATTR_BOX_MEM_BYTES
 * and _SHARED_BYTES tell them apart). A clone counts as a box of its
 * creator for max_boxes_per_user.
 * Errors: ENOENT (the template has no snapshot); EINVAL (flags,
 *         reserved); ENOMEM (the clone's tables); EDQUOT, EMFILE, EFAULT
 *         as for S2BOX_CREATE_BOX.
 */
#define S2BOX_CLONE		_IOW(S2BOX_IOC_MAGIC, 0x0b, struct s2box_clone)

/*
 * Guest memory through the box fd: file offsets are IPAs.
 *
 * pread()/pwrite() copy between the caller and the box's memory, across
 * any number of mappings. The transfer stops at the first unmapped byte:
 * a call whose first byte is unmapped, or past the box's IPA size, fails
 * with ENXIO; one that reaches a hole later returns the bytes moved so
 * far. A fault in the caller's buffer ends it the same way: EFAULT when
 * no byte moved, else the count of those that did; pwrite() changes no
 * byte of box memory past that count. The caller's buffer is copied
 * through a bounce page with nothing of the box locked, so a copy that
 * waits for that buffer to fault in (a userfaultfd range, a FUSE file)
 * holds up nothing else of the box or outside it; each page moves
 * whole under the box's lock. Write permission at stage 2 does not matter: the host
 * may write read-only and execute-only memory (that is how code is
 * loaded).
 *
 * mmap(MAP_SHARED, offset = ipa) maps the box's pages into the process;
 * a page not mapped in the box faults with SIGBUS. The process's view is
 * the page it faulted in: S2BOX_UNMAP takes the page from the box, not
 * from the process, which keeps it alive until munmap(); until then the
 * page still counts as the box's memory (see S2BOX_MAP). MAP_PRIVATE
 * fails with EINVAL.
 *
 * /proc/PID/fdinfo/FD of a box fd adds these lines to the usual ones, each
 * "key:\tdecimal value":
 *   s2box_box_id              the box id;
 *   s2box_ipa_bits            as created;
 *   s2box_granule             in bytes;
 *   s2box_owner_pid           the creator's tgid, in the reader's pid
 *                             namespace (0 if it has none there);
 *   s2box_mapped_bytes        guest memory stage 2 maps;
 *   s2box_mem_bytes           host memory the box holds: mapped and
 *                             detached (what max_box_mem_mb limits);
 *   s2box_detached_bytes      of which detached (see S2BOX_MAP);
 *   s2box_pinned_bytes        what the box charges to its creator's
 *                             pinned memory (equal to s2box_mem_bytes,
 *                             or 0 for a creator without an mm);
 *   s2box_owner_pinned_bytes  the creator's whole pinned memory (its
 *                             VmPin: every box of it and anything else
 *                             that pins, e.g. io_uring buffers);
 *   s2box_snapshot_bytes      memory the box's snapshot holds;
 *   s2box_dirty_units         MAP units changed since the snapshot;
 *   s2box_shared_bytes        a clone's memory still shared with its
 *                             template's snapshot;
 *   s2box_clone_of            the template's box id (0: not a clone);
 *   s2box_hot_units           units left to CPUs with stage-2 hardware
 *                             dirty state (Documentation/snapshot.md);
 *   s2box_dirty_faults        first writes resolved in the kernel;
 *   s2box_fp_live             1 once the box has used FP/SIMD: until
 *                             then its first access traps (resolved in
 *                             the kernel) and runs skip FP/SIMD state.
 * Keys may be added; read them by name.
 *
 * Coherency on hosts without FWB (S2BOX_CAP_FWB clear): a box whose MMU is
 * off makes non-cacheable accesses. pwrite() cleans what it wrote to the
 * point of coherency (and invalidates the instruction cache for
 * executable mappings); pread() cleans and invalidates before it reads;
 * new memory is cleaned after it is zeroed. A shared mmap() is the
 * process's cacheable view with no such maintenance: it is coherent with
 * the box only with FWB, or once the box maps the memory cacheable
 * itself. With FWB, stage 2 forces write-back cacheable memory and every
 * view is coherent.
 */

/*
 * Generic netlink family "s2box": what boxes exist and what they do,
 * without holding their fds. Version S2BOX_GENL_VERSION.
 *
 * Visibility: a caller sees only the boxes of its own uid, unless it has
 * CAP_NET_ADMIN in the initial user namespace (a capability in a user
 * namespace of its own is not enough); then it sees all. Pids and uids are
 * reported as the caller's pid and user namespaces see them (the overflow
 * id when they cannot); in events, as the namespaces of the task that
 * caused the event see them. The family lives in the initial network
 * namespace only. Requests are validated strictly: unknown attributes,
 * wrong types and wrong lengths fail with EINVAL, and the extended ack
 * points at the offending attribute (NLMSGERR_ATTR_OFFS) with the
 * kernel's message; module-specific refusals (no such box, a missing
 * BOX_ID) carry a message of their own.
 */
#include <linux/s2box_netlink.h>

/*
 * The family's names, commands and attributes (S2BOX_GENL_*, enum
 * s2box_nl_cmd, enum s2box_nl_attr, enum s2box_nl_exits_attr,
 * S2BOX_STATE_*) are generated from its YNL spec,
 * Documentation/netlink/specs/s2box.yaml, into linux/s2box_netlink.h:
 * the spec documents each of them. In short:
 *
 *  - GET_CAPS: request without attributes; reply with the
 *    S2BOX_ATTR_CAP_* attributes (the same as S2BOX_GET_CAPS).
 *  - GET_BOX: with S2BOX_ATTR_BOX_ID, one box (ENOENT if it does not
 *    exist or is not visible to the caller); as a dump (NLM_F_DUMP),
 *    every visible box in id order. Reply: S2BOX_ATTR_BOX_* attributes.
 *    A dump larger than one message resumes after the last id sent, so
 *    boxes created or destroyed meanwhile never make it repeat or skip
 *    a box that lived throughout.
 *  - GET_STATS: request without attributes; reply: S2BOX_ATTR_STAT_*
 *    (module-wide counters; all boxes, whatever the caller may see).
 *  - Events, multicast to S2BOX_GENL_MCGRP_EVENTS (joining it needs
 *    CAP_NET_ADMIN): a box created or destroyed (S2BOX_ATTR_BOX_ID,
 *    _OWNER_PID, _OWNER_UID, _IPA_BITS, _GRANULE), and a run that ended
 *    in a fault, trap or SError exit (S2BOX_ATTR_BOX_ID,
 *    S2BOX_ATTR_EXIT_*). Exit events are rate-limited
 *    (S2BOX_ATTR_STAT_EVENTS_DROPPED counts what was dropped), so a
 *    hostile blob cannot flood listeners.
 *
 * Attribute ids are those of the first release, one space for every
 * object; the spec's per-object sets (box, caps, stats, exit) are subsets
 * of it, so no id ever changed.
 */

/* The generated enum starts at its first command; 0 stays unused. */
#define S2BOX_CMD_UNSPEC	0

#endif /* _UAPI_LINUX_S2BOX_H */
