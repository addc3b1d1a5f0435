// SPDX-License-Identifier: GPL-2.0
/*
 * Traps the module finishes itself, without an exit to user space: the
 * box's writes to its EL1 MMU registers, which trap with HCR_EL2.TVM so
 * that no value the CPU must not see reaches it (world.c says which
 * bits). The write lands in the box's saved registers, with PC past the
 * MSR, and the next entry loads it through the same masking as
 * S2BOX_SET_REGS values. A box that sets up its MMU pays one round trip
 * per register written, once.
 */

#include <linux/bits.h>
#include <linux/stddef.h>

#include "s2box.h"
#include "el2_bits.h"

/* ESR_EL2.ISS of a trapped MSR/MRS (EC 0x18), from the Arm ARM. */
#define TRAP_ISS_READ		BIT_ULL(0)	/* Direction: MRS */
#define TRAP_ISS_RT(iss)	(((iss) >> 5) & 0x1f)
#define TRAP_ISS_REG_MASK	0x3ffc1eULL	/* Op0 Op2 Op1 CRn CRm */
#define TRAP_ISS_REG(op0, op1, crn, crm, op2)				\
	(((u64)(op0) << 20) | ((u64)(op2) << 17) | ((u64)(op1) << 14) |	\
	 ((u64)(crn) << 10) | ((u64)(crm) << 1))

struct trap_tvm_reg {
	u32 iss;		/* TRAP_ISS_REG() of the register */
	u16 offset;		/* its slot in struct s2box_regs */
};

/* The registers HCR_EL2.TVM traps writes of, at EL1. */
static const struct trap_tvm_reg trap_tvm_regs[] = {
	{ TRAP_ISS_REG(3, 0, 1, 0, 0), offsetof(struct s2box_regs, sctlr) },
	{ TRAP_ISS_REG(3, 0, 2, 0, 0), offsetof(struct s2box_regs, ttbr0) },
	{ TRAP_ISS_REG(3, 0, 2, 0, 1), offsetof(struct s2box_regs, ttbr1) },
	{ TRAP_ISS_REG(3, 0, 2, 0, 2), offsetof(struct s2box_regs, tcr) },
	{ TRAP_ISS_REG(3, 0, 5, 1, 0), offsetof(struct s2box_regs, afsr0) },
	{ TRAP_ISS_REG(3, 0, 5, 1, 1), offsetof(struct s2box_regs, afsr1) },
	{ TRAP_ISS_REG(3, 0, 5, 2, 0), offsetof(struct s2box_regs, esr) },
	{ TRAP_ISS_REG(3, 0, 6, 0, 0), offsetof(struct s2box_regs, far) },
	{ TRAP_ISS_REG(3, 0, 10, 2, 0), offsetof(struct s2box_regs, mair) },
	{ TRAP_ISS_REG(3, 0, 10, 3, 0), offsetof(struct s2box_regs, amair) },
	{ TRAP_ISS_REG(3, 0, 13, 0, 1),
	  offsetof(struct s2box_regs, contextidr) },
};

/*
 * A trapped MSR to an EL1 MMU register: store it in the box's registers
 * and step past it. Returns false for anything else, which goes to user
 * space as S2BOX_EXIT_TRAP.
 */
bool s2box_trap_finish(struct s2box_box *box, u64 esr)
{
	u64 iss = esr & GENMASK_ULL(24, 0), reg = iss & TRAP_ISS_REG_MASK;
	struct s2box_regs *r = &box->regs;
	unsigned int i, rt = TRAP_ISS_RT(iss);

	if (S2_ESR_EC(esr) != S2_EC_SYS64 || (iss & TRAP_ISS_READ))
		return false;
	for (i = 0; i < ARRAY_SIZE(trap_tvm_regs); i++) {
		if (trap_tvm_regs[i].iss != reg)
			continue;
		/* Rt 31 is XZR for MSR. */
		*(u64 *)((char *)r + trap_tvm_regs[i].offset) =
			rt == 31 ? 0 : r->x[rt];
		r->pc += 4;	/* an MSR is always a 32-bit A64 instruction */
		return true;
	}
	return false;
}
