/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state the world-switch assembly (switch.S) moves, shared with C.
 * The offsets are checked against the structure at build time (world.c),
 * since an out-of-tree module has no asm-offsets.
 */
#ifndef S2BOX_WORLD_H
#define S2BOX_WORLD_H

#define W_GUEST_X		0	/* x0..x30 of the box */
#define W_GUEST_SP_EL0		248
#define W_HOST_SP_EL0		256	/* the kernel's `current` */
#define W_HOST_REGS		264	/* x18..x30 of the host */
#define W_HOST_SP		368
#define W_HOST_VBAR		376
#define W_BOX_VBAR		384	/* s2box_vectors */
#define W_HOST_PAN		392
#define W_SIZE			400

/* What s2box_world_enter() returns: how the box left. */
#define S2BOX_VEC_SYNC		0	/* lower EL, AArch64 */
#define S2BOX_VEC_IRQ		1
#define S2BOX_VEC_FIQ		2
#define S2BOX_VEC_SERROR	3
#define S2BOX_VEC_SYNC32	4	/* lower EL, AArch32 */
#define S2BOX_VEC_IRQ32		5
#define S2BOX_VEC_FIQ32		6
#define S2BOX_VEC_SERROR32	7
#define S2BOX_VEC_PENDING	8	/* never entered: IRQ/SError pending */

#ifndef __ASSEMBLY__
#include <linux/percpu.h>
#include <linux/types.h>

/* The host's VBAR_EL2 on this CPU, for the panic path of switch.S. */
DECLARE_PER_CPU(u64, s2box_host_vbar);

struct s2box_world {
	u64 guest_x[31];
	u64 guest_sp_el0;
	u64 host_sp_el0;
	u64 host_regs[13];
	u64 host_sp;
	u64 host_vbar;
	u64 box_vbar;
	u64 host_pan;
};

/* switch.S */
u64 s2box_world_enter(struct s2box_world *world);
void s2box_fpsimd_load(const u64 *v, u64 fpsr, u64 fpcr);
void s2box_fpsimd_save(u64 *v, u32 *fpsr, u32 *fpcr);
extern char s2box_vectors[];
/* Called by switch.S on an exception at EL2 inside the switch. */
void __noreturn s2box_world_panic(u64 vector, u64 elr, u64 far);
#endif

#endif /* S2BOX_WORLD_H */
