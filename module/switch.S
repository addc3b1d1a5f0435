/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The world switch: from the VHE host (EL2) into a box at EL1 with ERET,
 * and back through s2box_vectors, the EL2 vector table that is live only
 * for the instructions between entry and exit.
 *
 * The host stack (SP_EL2) stays valid while the box runs, since the box
 * only ever uses SP_EL1/SP_EL0: the entry pushes the world pointer there
 * and the exit vectors find it again. Only general-purpose registers,
 * SP_EL0, VBAR_EL2 and PSTATE.PAN change here; C code does the rest with
 * interrupts masked.
 */

#include <linux/linkage.h>
#include <asm/alternative.h>
#include <asm/assembler.h>
#include <asm/cpucaps.h>
#include <asm/kvm_arm.h>
#include <asm/sysreg.h>

#include "world.h"

/* Not named by every supported kernel's headers. */
#define S2_SYS_DISR_EL1		sys_reg(3, 0, 12, 1, 1)

/*
 * PAR_EL1 as erratum 1508412 requires it read: a DMB on each side on the
 * CPUs the kernel patches the workaround in for.
 */
	.macro	read_par, reg
alternative_if ARM64_WORKAROUND_1508412
	dmb	sy
alternative_else_nop_endif
	mrs	\reg, par_el1
alternative_if ARM64_WORKAROUND_1508412
	dmb	sy
alternative_else_nop_endif
	.endm

	.text

/* u64 s2box_world_enter(struct s2box_world *world) */
SYM_FUNC_START(s2box_world_enter)
	/* x18 too: it is the shadow call stack pointer where that is on. */
	stp	x18, x19, [x0, #W_HOST_REGS + 0]
	stp	x20, x21, [x0, #W_HOST_REGS + 16]
	stp	x22, x23, [x0, #W_HOST_REGS + 32]
	stp	x24, x25, [x0, #W_HOST_REGS + 48]
	stp	x26, x27, [x0, #W_HOST_REGS + 64]
	stp	x28, x29, [x0, #W_HOST_REGS + 80]
	str	x30, [x0, #W_HOST_REGS + 96]
	mov	x1, sp
	str	x1, [x0, #W_HOST_SP]
	mrs	x1, sp_el0
	str	x1, [x0, #W_HOST_SP_EL0]
	mrs	x1, vbar_el2
	str	x1, [x0, #W_HOST_VBAR]

	/* The exit vectors find the world here, on the host stack. */
	str	x0, [sp, #-16]!

	ldr	x1, [x0, #W_BOX_VBAR]
	msr	vbar_el2, x1
	ldr	x1, [x0, #W_GUEST_SP_EL0]
	msr	sp_el0, x1
	/* The new VBAR must be in effect before anything can trap. */
	isb

	/*
	 * An interrupt or SError already pending would be taken right after
	 * the ERET: leave now instead, the host handles it and retries.
	 */
	mrs	x1, isr_el1
	cbz	x1, 1f
	mov	x1, x0
	mov	x0, #S2BOX_VEC_PENDING
	b	.Lworld_return
1:
	ldp	x2, x3, [x0, #W_GUEST_X + 16]
	ldp	x4, x5, [x0, #W_GUEST_X + 32]
	ldp	x6, x7, [x0, #W_GUEST_X + 48]
	ldp	x8, x9, [x0, #W_GUEST_X + 64]
	ldp	x10, x11, [x0, #W_GUEST_X + 80]
	ldp	x12, x13, [x0, #W_GUEST_X + 96]
	ldp	x14, x15, [x0, #W_GUEST_X + 112]
	ldp	x16, x17, [x0, #W_GUEST_X + 128]
	ldp	x18, x19, [x0, #W_GUEST_X + 144]
	ldp	x20, x21, [x0, #W_GUEST_X + 160]
	ldp	x22, x23, [x0, #W_GUEST_X + 176]
	ldp	x24, x25, [x0, #W_GUEST_X + 192]
	ldp	x26, x27, [x0, #W_GUEST_X + 208]
	ldp	x28, x29, [x0, #W_GUEST_X + 224]
	ldr	x30, [x0, #W_GUEST_X + 240]
	ldp	x0, x1, [x0, #W_GUEST_X + 0]
	eret
	/* No speculation past the ERET into host code. */
	dsb	nsh
	isb
SYM_FUNC_END(s2box_world_enter)

/*
 * Common exit: x0 = S2BOX_VEC_*, [sp] = the box's x0/x1, [sp + 16] = the
 * world. Saves the box's registers and returns from s2box_world_enter().
 */
SYM_CODE_START_LOCAL(s2box_world_exit)
	ldr	x1, [sp, #16]
	stp	x2, x3, [x1, #W_GUEST_X + 16]
	stp	x4, x5, [x1, #W_GUEST_X + 32]
	stp	x6, x7, [x1, #W_GUEST_X + 48]
	stp	x8, x9, [x1, #W_GUEST_X + 64]
	stp	x10, x11, [x1, #W_GUEST_X + 80]
	stp	x12, x13, [x1, #W_GUEST_X + 96]
	stp	x14, x15, [x1, #W_GUEST_X + 112]
	stp	x16, x17, [x1, #W_GUEST_X + 128]
	stp	x18, x19, [x1, #W_GUEST_X + 144]
	stp	x20, x21, [x1, #W_GUEST_X + 160]
	stp	x22, x23, [x1, #W_GUEST_X + 176]
	stp	x24, x25, [x1, #W_GUEST_X + 192]
	stp	x26, x27, [x1, #W_GUEST_X + 208]
	stp	x28, x29, [x1, #W_GUEST_X + 224]
	str	x30, [x1, #W_GUEST_X + 240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x1, #W_GUEST_X + 0]
	mrs	x2, sp_el0
	str	x2, [x1, #W_GUEST_SP_EL0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x1, #W_GUEST_ELR]
	mrs	x2, esr_el2
	mrs	x3, far_el2
	stp	x2, x3, [x1, #W_EXIT_ESR]
	mrs	x2, hpfar_el2
	str	x2, [x1, #W_EXIT_HPFAR]

	/* The box's PAR_EL1, before the AT below replaces it. */
	read_par x2
	str	x2, [x1, #W_GUEST_PAR]

	/*
	 * HPFAR_EL2 need not be valid for a stage-2 permission fault that is
	 * not on a stage-1 walk (ESR.S1PTW clear): translate FAR with the
	 * box's stage 1, still current, as KVM does. Here, not in C: the
	 * walk may take a synchronous external abort at EL2, which the
	 * current-EL vector below turns into WORLD_AT_ABORT instead of a
	 * host oops.
	 */
	mov	x3, #WORLD_AT_NONE
	ldr	x2, [x1, #W_EXIT_ESR]
	ubfx	x4, x2, #26, #6			/* EC */
	orr	x4, x4, #0x04			/* 0x20 (IABT) or 0x24 (DABT) */
	cmp	x4, #0x24			/* from a lower EL */
	b.ne	8f
	tbnz	x2, #7, 8f			/* S1PTW: HPFAR is valid */
	and	x4, x2, #0x3c
	cmp	x4, #0x0c			/* permission fault, any level */
	b.ne	8f
	ldr	x2, [x1, #W_EXIT_FAR]
	mov	x3, #WORLD_AT_DONE
.Lat_insn:
	at	s1e1r, x2
	/* The result is in PAR_EL1 only after an ISB. */
	isb
	cmp	x3, #WORLD_AT_DONE
	b.ne	8f
	read_par x2
	str	x2, [x1, #W_AT_PAR]
8:
	str	x3, [x1, #W_AT_STATUS]

	/*
	 * An SError the box caused may still be pending (AMO=1 routes it
	 * here, DAIF.A holds it back). Consume it now, while the box's
	 * regime is current, so it is reported as the box's and never
	 * reaches the host, which would panic on it.
	 */
	ldr	x2, [x1, #W_HOST_RAS]
	cbz	x2, 3f
	/* RAS: ESB defers a pending SError into DISR_EL1. */
	hint	#16			/* esb */
	mrs_s	x2, S2_SYS_DISR_EL1
	/* Only a deferred SError makes it non-zero: clear it only then. */
	cbz	x2, 10f
	msr_s	S2_SYS_DISR_EL1, xzr
10:
	str	x2, [x1, #W_SERROR_ESR]
	ubfx	x2, x2, #31, #1		/* DISR_EL1.A: one was deferred */
	str	x2, [x1, #W_SERROR_SEEN]
	b	4f
3:
	/*
	 * No RAS: unmask SError for one instruction; a pending one is taken
	 * to s2box_world_serror (current-EL vector), which records it and
	 * comes back here.
	 */
	msr	daifclr, #4
.Lserror_window:
	isb
	msr	daifset, #4
4:
	/*
	 * Spectre-v2/BHB on a CPU only firmware mitigates (spectre.c): make
	 * its SMCCC call, which may clobber x0-x3, before any host branch.
	 */
	ldr	x2, [x1, #W_FW_MITIGATION]
	cbz	x2, 10f
	stp	x0, x1, [sp, #-16]!
	mov	x0, x2
	smc	#0
	ldp	x0, x1, [sp], #16
10:
	/*
	 * Spectre-BHB: the box may have trained the branch history; scrub
	 * it, as the kernel's own vectors do on affected CPUs, before any
	 * indirect branch of the host runs.
	 */
	ldr	x2, [x1, #W_BHB_CLRBHB]
	cbz	x2, 5f
	hint	#22			/* clrbhb */
	isb
5:
	ldr	x2, [x1, #W_BHB_LOOP]
	cbz	x2, .Lworld_return
6:	b	. + 4
	subs	x2, x2, #1
	b.ne	6b
	dsb	nsh
	isb
.Lworld_return:
	/* x0 = exit code, x1 = world, [sp] = the world slot. */
	add	sp, sp, #16
	/* `current` lives in SP_EL0: back before any C code runs. */
	ldr	x2, [x1, #W_HOST_SP_EL0]
	msr	sp_el0, x2
	/*
	 * An exception taken to EL2 from EL1 with TGE=0 leaves PSTATE.PAN
	 * clear: set it again if the host had it, before any C code could
	 * touch user memory.
	 */
	ldr	x2, [x1, #W_HOST_PAN]
	cbz	x2, 2f
	.inst	0xd500419f		/* msr pan, #1 */
2:
	ldr	x2, [x1, #W_HOST_VBAR]
	msr	vbar_el2, x2
	/* The host's vectors must be live before we leave this code. */
	isb
	ldp	x18, x19, [x1, #W_HOST_REGS + 0]
	ldp	x20, x21, [x1, #W_HOST_REGS + 16]
	ldp	x22, x23, [x1, #W_HOST_REGS + 32]
	ldp	x24, x25, [x1, #W_HOST_REGS + 48]
	ldp	x26, x27, [x1, #W_HOST_REGS + 64]
	ldp	x28, x29, [x1, #W_HOST_REGS + 80]
	ldr	x30, [x1, #W_HOST_REGS + 96]
	ret
SYM_CODE_END(s2box_world_exit)

/*
 * An exception at EL2 while the box's vectors are live is a bug in this
 * module: put the host's vectors and regime back and panic with what the
 * CPU reported.
 */
SYM_CODE_START_LOCAL(s2box_world_bad)
	adr_this_cpu x1, s2box_host_vbar, x2
	ldr	x1, [x1]
	msr	vbar_el2, x1
	/* panic() runs C, which finds `current` in SP_EL0: the host's. */
	adr_this_cpu x1, s2box_host_sp_el0, x2
	ldr	x1, [x1]
	msr	sp_el0, x1
	mov_q	x1, HCR_HOST_VHE_FLAGS
	msr	hcr_el2, x1
	isb
	mrs	x1, elr_el2
	mrs	x2, far_el2
	b	s2box_world_panic
SYM_CODE_END(s2box_world_bad)

/*
 * Synchronous exception at EL2 (SP_EL2). Expected only from the AT of the
 * exit path, with x1 = world and x3 = WORLD_AT_DONE: an external abort on
 * the box's stage-1 walk. ESR/FAR/ELR of the box's exit are saved
 * already; record the abort and resume after the AT.
 */
SYM_CODE_START_LOCAL(s2box_world_cur_sync)
	mrs	x2, elr_el2
	adr	x4, .Lat_insn
	cmp	x2, x4
	b.ne	9f
	add	x2, x2, #4
	msr	elr_el2, x2
	mov	x3, #WORLD_AT_ABORT
	eret
	/* No speculation past the ERET. */
	dsb	nsh
	isb
9:	mov	x0, #4
	b	s2box_world_bad
SYM_CODE_END(s2box_world_cur_sync)

/*
 * SError taken at EL2 (SP_EL2). Expected only inside the window above,
 * with x1 = world: record its syndrome and return into the window.
 */
SYM_CODE_START_LOCAL(s2box_world_serror)
	mrs	x2, elr_el2
	adr	x3, .Lserror_window
	cmp	x2, x3
	b.eq	7f
	add	x3, x3, #4
	cmp	x2, x3
	b.ne	s2box_world_bad
7:	mrs	x2, esr_el2
	str	x2, [x1, #W_SERROR_ESR]
	mov	x2, #1
	str	x2, [x1, #W_SERROR_SEEN]
	eret
SYM_CODE_END(s2box_world_serror)

	.macro	exit_vector code
	.align	7
	stp	x0, x1, [sp, #-16]!
	mov	x0, #\code
	b	s2box_world_exit
	.endm

	.macro	bad_vector code
	.align	7
	mov	x0, #\code
	b	s2box_world_bad
	.endm

	.align	11
SYM_CODE_START(s2box_vectors)
	bad_vector	0	/* current EL, SP_EL0 */
	bad_vector	1
	bad_vector	2
	bad_vector	3
	.align	7			/* current EL, SP_ELx */
	b	s2box_world_cur_sync
	bad_vector	5
	bad_vector	6
	.align	7
	b	s2box_world_serror
	exit_vector	S2BOX_VEC_SYNC		/* lower EL, AArch64 */
	exit_vector	S2BOX_VEC_IRQ
	exit_vector	S2BOX_VEC_FIQ
	exit_vector	S2BOX_VEC_SERROR
	exit_vector	S2BOX_VEC_SYNC32	/* lower EL, AArch32 */
	exit_vector	S2BOX_VEC_IRQ32
	exit_vector	S2BOX_VEC_FIQ32
	exit_vector	S2BOX_VEC_SERROR32
SYM_CODE_END(s2box_vectors)

/* void s2box_fpsimd_load(const u64 *v, u64 fpsr, u64 fpcr) */
SYM_FUNC_START(s2box_fpsimd_load)
	ldp	q0, q1, [x0, #0]
	ldp	q2, q3, [x0, #32]
	ldp	q4, q5, [x0, #64]
	ldp	q6, q7, [x0, #96]
	ldp	q8, q9, [x0, #128]
	ldp	q10, q11, [x0, #160]
	ldp	q12, q13, [x0, #192]
	ldp	q14, q15, [x0, #224]
	ldp	q16, q17, [x0, #256]
	ldp	q18, q19, [x0, #288]
	ldp	q20, q21, [x0, #320]
	ldp	q22, q23, [x0, #352]
	ldp	q24, q25, [x0, #384]
	ldp	q26, q27, [x0, #416]
	ldp	q28, q29, [x0, #448]
	ldp	q30, q31, [x0, #480]
	msr	fpsr, x1
	msr	fpcr, x2
	ret
SYM_FUNC_END(s2box_fpsimd_load)

/* void s2box_fpsimd_save(u64 *v, u32 *fpsr, u32 *fpcr) */
SYM_FUNC_START(s2box_fpsimd_save)
	stp	q0, q1, [x0, #0]
	stp	q2, q3, [x0, #32]
	stp	q4, q5, [x0, #64]
	stp	q6, q7, [x0, #96]
	stp	q8, q9, [x0, #128]
	stp	q10, q11, [x0, #160]
	stp	q12, q13, [x0, #192]
	stp	q14, q15, [x0, #224]
	stp	q16, q17, [x0, #256]
	stp	q18, q19, [x0, #288]
	stp	q20, q21, [x0, #320]
	stp	q22, q23, [x0, #352]
	stp	q24, q25, [x0, #384]
	stp	q26, q27, [x0, #416]
	stp	q28, q29, [x0, #448]
	stp	q30, q31, [x0, #480]
	mrs	x3, fpsr
	str	w3, [x1]
	mrs	x3, fpcr
	str	w3, [x2]
	ret
SYM_FUNC_END(s2box_fpsimd_save)
