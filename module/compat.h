/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compatibility shims between the kernels s2box supports (Debian 6.1, 6.12
 * and 7.3, 4K and 16K pages). Force-included into every module file by Kbuild
 * so the sources read as if written for one kernel. Each shim is gated on a
 * feature test where one exists, otherwise on a version, and says why.
 */
#ifndef S2BOX_COMPAT_H
#define S2BOX_COMPAT_H

#include <linux/mm.h>
#include <linux/mmzone.h>

/*
 * Largest order the buddy allocator hands out. 6.8 named the inclusive
 * bound MAX_PAGE_ORDER ("mm, treewide: introduce NR_PAGE_ORDERS"). Before
 * 6.4 MAX_ORDER was exclusive, which MAX_ORDER - 1 matches; on 6.4-6.7,
 * where it was inclusive, MAX_ORDER - 1 is one order short: still safe.
 */
#ifdef MAX_PAGE_ORDER
#define S2BOX_MAX_ORDER		MAX_PAGE_ORDER
#else
#define S2BOX_MAX_ORDER		(MAX_ORDER - 1)
#endif

/*
 * 6.3 made vma->vm_flags read-only behind vm_flags_set() ("mm: introduce
 * vma->vm_flags wrapper functions"); before it the field was written
 * directly under mmap_lock, which ->mmap() holds. Kbuild probes the
 * kernel's mm.h for the helper.
 */
#ifndef S2BOX_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma,
				vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

/*
 * Erratum 4118414 (broadcast TLBI may complete before accesses still in
 * flight) and the older REPEAT_TLBI errata: since the fix that moved the
 * repeat out of __tlbi() (in Debian's 6.1.0-57 and 6.12.117), a broadcast
 * sequence is complete only after __tlbi_sync_s1ish_hyp(), which repeats
 * a TLBI and a DSB on affected CPUs. Headers from before that fix repeat
 * inside __tlbi() itself, so there a plain DSB ISH completes the sequence.
 * Kbuild probes tlbflush.h for the helper.
 */
#ifndef S2BOX_HAVE_TLBI_SYNC_HYP
#include <asm/barrier.h>
#define __tlbi_sync_s1ish_hyp()	dsb(ish)
#endif

/*
 * 6.13 added hrtimer_setup(), which sets the callback with the rest, and
 * 6.15 removed hrtimer_init() (the callback field is __private since, so
 * sparse flags a direct store). Before 6.13 the callback was a plain field
 * written after hrtimer_init(). Kbuild probes hrtimer.h for the new call.
 */
#ifndef S2BOX_HAVE_HRTIMER_SETUP
#include <linux/hrtimer.h>
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

/*
 * 6.19 ("arm64/fpsimd: Allocate kernel mode FP/SIMD buffers on the stack")
 * made kernel_neon_begin() and kernel_neon_end() take a buffer from their
 * caller: while the task is scheduled out inside the section, its
 * kernel-mode FP/SIMD state is saved there, so the buffer must live until
 * kernel_neon_end(). Before that the state had a place in thread_struct and
 * both calls took no argument: the shim drops it. asm/neon.h is included
 * first so its own declarations are not rewritten. Kbuild probes neon.h
 * for the argument.
 */
#ifndef S2BOX_HAVE_NEON_STATE_ARG
#include <asm/neon.h>
#define kernel_neon_begin(st)	((void)(st), kernel_neon_begin())
#define kernel_neon_end(st)	((void)(st), kernel_neon_end())
#endif

#endif /* S2BOX_COMPAT_H */
