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

/* Bumped when behaviour changes in a way a caller may need to detect. */
#define S2BOX_API_VERSION	1

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
 *               the granule and the host page size, in bytes.
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
	__u64 reserved[3];
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

#define S2BOX_IOC_MAGIC		0xB9

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
 *   EMFILE      out of file descriptors; EFAULT bad pointer.
 */
#define S2BOX_CREATE_BOX	_IOW(S2BOX_IOC_MAGIC, 0x01, struct s2box_create)

/*
 * S2BOX_GET_BOX_INFO (on a box fd): fill struct s2box_box_info.
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
 *           gets ENOMEM, never an OOM kill.
 */
#define S2BOX_MAP		_IOW(S2BOX_IOC_MAGIC, 0x03, struct s2box_map)

/*
 * S2BOX_UNMAP (on a box fd): remove every mapping in [ipa, ipa + size),
 * splitting block mappings the range cuts (break-before-make), and free
 * the memory and emptied tables once the TLBs of every CPU are clean of
 * them. Pages a process still has mmap()ed stay allocated until it
 * unmaps them, but no longer belong to the box.
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
 * Guest memory through the box fd: file offsets are IPAs.
 *
 * pread()/pwrite() copy between the caller and the box's memory, across
 * any number of mappings. The transfer stops at the first unmapped byte:
 * a call whose first byte is unmapped, or past the box's IPA size, fails
 * with ENXIO; one that reaches a hole later returns the bytes moved so
 * far. Write permission at stage 2 does not matter: the host may write
 * read-only and execute-only memory (that is how code is loaded).
 *
 * mmap(MAP_SHARED, offset = ipa) maps the box's pages into the process;
 * a page not mapped in the box faults with SIGBUS. The process's view is
 * the page it faulted in: S2BOX_UNMAP takes the page from the box, not
 * from the process, which keeps it alive until munmap(). MAP_PRIVATE
 * fails with EINVAL.
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

#endif /* _UAPI_LINUX_S2BOX_H */
