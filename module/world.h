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
#define W_GUEST_ELR		400	/* the exit's syndrome registers, */
#define W_GUEST_SPSR		408	/* saved before the SError window */
#define W_EXIT_ESR		416	/* can overwrite them */
#define W_EXIT_FAR		424
#define W_EXIT_HPFAR		432
#define W_SERROR_ESR		440	/* a consumed SError: its syndrome */
#define W_SERROR_SEEN		448
#define W_HOST_RAS		456	/* ESB/DISR_EL1 instead of a window */
#define W_BHB_LOOP		464	/* Spectre-BHB: loop iterations, or */
#define W_BHB_CLRBHB		472	/* CLRBHB */
#define W_GUEST_PAR		480	/* the box's PAR_EL1, before the AT */
#define W_AT_PAR		488	/* PAR_EL1 after AT S1E1R of FAR */
#define W_AT_STATUS		496	/* WORLD_AT_* */
#define W_FW_MITIGATION		504	/* SMCCC call on the way out, or 0 */
#define W_SIZE			512

/* What the exit path's AT S1E1R of FAR did (see switch.S). */
#define WORLD_AT_NONE		0	/* not a fault that needs it */
#define WORLD_AT_DONE		1	/* W_AT_PAR holds its result */
#define WORLD_AT_ABORT		2	/* the walk took an exception at EL2 */

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

/*
 * The host's VBAR_EL2 and SP_EL0 (`current`) on this CPU, for the panic
 * path of switch.S, which cannot trust anything the box left in registers.
 */
DECLARE_PER_CPU(u64, s2box_host_vbar);
DECLARE_PER_CPU(u64, s2box_host_sp_el0);

struct s2box_world {
	u64 guest_x[31];
	u64 guest_sp_el0;
	u64 host_sp_el0;
	u64 host_regs[13];
	u64 host_sp;
	u64 host_vbar;
	u64 box_vbar;
	u64 host_pan;
	u64 guest_elr, guest_spsr;
	u64 exit_esr, exit_far, exit_hpfar;
	u64 serror_esr, serror_seen;
	u64 host_ras;
	u64 bhb_loop, bhb_clrbhb;
	u64 guest_par, at_par, at_status;
	u64 fw_mitigation;
};

struct s2box_box;
struct s2box_exit;
struct world_cfg;
/* world.c: the part of s2box_world_run() between its EL2 writes. */
void s2box_world_switch(struct s2box_box *box, struct s2box_world *w,
			const struct world_cfg *cfg, struct s2box_exit *ex);

/* switch.S */
u64 s2box_world_enter(struct s2box_world *world);
void s2box_fpsimd_load(const u64 *v, u64 fpsr, u64 fpcr);
void s2box_fpsimd_save(u64 *v, u32 *fpsr, u32 *fpcr);
extern char s2box_vectors[];

/* host.c: the host's Spectre-BHB mitigation for the exit path. */
void s2box_bhb_mitigation(u64 *loop, u64 *clrbhb);

/* Called by switch.S on an exception at EL2 inside the switch. */
void __noreturn s2box_world_panic(u64 vector, u64 elr, u64 far);
#endif

#endif /* S2BOX_WORLD_H */
