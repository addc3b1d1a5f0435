/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest code of s2box_bench, at EL1 with the MMU off. Box blobs leave with
 * HVC (an S2BOX_RUN exit); KVM guest blobs with a store to the MMIO page
 * at 0x20000000 (BENCH_MMIO_IPA), which KVM hands to user space. The
 * labels are global: C refers to them (see BLOB() in kvm_vmm.h).
 */
	.section .rodata
	.balign	16

/* Round trip: every S2BOX_RUN resumes after the HVC and meets it again. */
	.global	bench_box_hvc_loop_start, bench_box_hvc_loop_end
bench_box_hvc_loop_start:
1:	hvc	#0
	b	1b
bench_box_hvc_loop_end:

/* Round trip: every KVM_RUN completes the store and meets it again. */
	.balign	16
	.global	bench_kvm_mmio_loop_start, bench_kvm_mmio_loop_end
bench_kvm_mmio_loop_start:
	movz	x2, #0x2000, lsl #16
1:	str	x1, [x2]
	b	1b
bench_kvm_mmio_loop_end:

/* Create to first exit: 64 bytes each, run once from the reset pc 0. */
	.balign	16
	.global	bench_box_first_start, bench_box_first_end
bench_box_first_start:
	mov	x0, #1
	.rept	14
	add	x0, x0, #1
	.endr
	hvc	#0
bench_box_first_end:

	.balign	16
	.global	bench_kvm_first_start, bench_kvm_first_end
bench_kvm_first_start:
	mov	x0, #1
	.rept	12
	add	x0, x0, #1
	.endr
	movz	x2, #0x2000, lsl #16
	str	x0, [x2]
	b	.
bench_kvm_first_end:

/* Touch: x0 = start, x1 = bytes, x2 = stride: one store per stride. */
	.balign	16
	.global	bench_box_touch_start, bench_box_touch_end
bench_box_touch_start:
1:	str	x2, [x0]
	add	x0, x0, x2
	subs	x1, x1, x2
	b.ne	1b
	hvc	#1
	b	.
bench_box_touch_end:

	.balign	16
	.global	bench_kvm_touch_start, bench_kvm_touch_end
bench_kvm_touch_start:
1:	str	x2, [x0]
	add	x0, x0, x2
	subs	x1, x1, x2
	b.ne	1b
	movz	x3, #0x2000, lsl #16
	str	x1, [x3]
	b	.
bench_kvm_touch_end:

/*
 * Dirty pages for reset and clone: x0 = first address, x1 = count (0:
 * none), x2 = stride, x3 = the value stored once at each address. The
 * KVM blob starts with a NOP: a KVM_RUN after an MMIO exit completes the
 * store by stepping over one instruction, after the reset's
 * KVM_SET_ONE_REG of pc; the NOP makes either entry point the same.
 */
	.balign	16
	.global	bench_box_dirty_start, bench_box_dirty_end
bench_box_dirty_start:
	cbz	x1, 2f
1:	str	x3, [x0]
	add	x0, x0, x2
	subs	x1, x1, #1
	b.ne	1b
2:	hvc	#2
	b	.
bench_box_dirty_end:

	.balign	16
	.global	bench_kvm_dirty_start, bench_kvm_dirty_end
bench_kvm_dirty_start:
	nop
	cbz	x1, 2f
1:	str	x3, [x0]
	add	x0, x0, x2
	subs	x1, x1, #1
	b.ne	1b
2:	movz	x4, #0x2000, lsl #16
	str	x1, [x4]
	b	.
bench_kvm_dirty_end:
