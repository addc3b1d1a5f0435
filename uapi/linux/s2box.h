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
	__u64 reserved[8];
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

#endif /* _UAPI_LINUX_S2BOX_H */
