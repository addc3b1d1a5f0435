// SPDX-License-Identifier: GPL-2.0
/*
 * Traps the module finishes itself, without an exit to user space:
 *
 * - the box's writes to its EL1 MMU registers, which trap with
 *   HCR_EL2.TVM so that no value the CPU must not see reaches it (world.c
 *   says which bits). The write lands in the box's saved registers, with
 *   PC past the MSR, and the next entry loads it through the same masking
 *   as S2BOX_SET_REGS values. A box that sets up its MMU pays one round
 *   trip per register written, once.
 * - with FEAT_ECV, every access to its EL1 virtual timer (CNTHCTL_EL2.
 *   EL1TVT): the timer lives in the box's saved registers only, and the
 *   status bit is computed from the counter, so the hardware timer, whose
 *   interrupt KVM owns, never runs for a box. A box polling its timer
 *   pays a round trip per poll.
 */

#include <linux/bits.h>
#include <linux/stddef.h>
#include <asm/barrier.h>
#include <asm/sysreg.h>

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

/* Rt 31 is XZR for MSR and MRS alike. */
static u64 trap_rt_value(const struct s2box_regs *r, unsigned int rt)
{
	return rt == 31 ? 0 : r->x[rt];
}

static void trap_rt_set(struct s2box_regs *r, unsigned int rt, u64 val)
{
	if (rt != 31)
		r->x[rt] = val;
}

static bool trap_tvm_write(struct s2box_regs *r, u64 reg, unsigned int rt)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(trap_tvm_regs); i++) {
		if (trap_tvm_regs[i].iss != reg)
			continue;
		*(u64 *)((char *)r + trap_tvm_regs[i].offset) =
			trap_rt_value(r, rt);
		return true;
	}
	return false;
}

/* The EL1 virtual timer registers (EL0 encodings, op1 3, CRn 14, CRm 3). */
#define TRAP_CNTV_TVAL		TRAP_ISS_REG(3, 3, 14, 3, 0)
#define TRAP_CNTV_CTL		TRAP_ISS_REG(3, 3, 14, 3, 1)
#define TRAP_CNTV_CVAL		TRAP_ISS_REG(3, 3, 14, 3, 2)
#define TRAP_CNTV_CTL_ENABLE	BIT_ULL(0)

/*
 * The box's virtual count: the physical count, since boxes run with
 * CNTVOFF_EL2 0. The ISB keeps the read from being taken early.
 */
static u64 trap_box_count(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

/*
 * CNTV_CTL_EL0 as the box reads it: ISTATUS from its deadline, and IMASK
 * always set, as on CPUs without ECV, where every entry masks the
 * hardware timer (uapi: cntv_ctl). A box has no interrupt controller, so
 * a timer interrupt could never reach it either way.
 */
static u64 trap_cntv_ctl(const struct s2box_regs *r)
{
	u64 ctl = (r->cntv_ctl & TRAP_CNTV_CTL_ENABLE) | S2_CNTV_CTL_IMASK;

	if ((ctl & TRAP_CNTV_CTL_ENABLE) && trap_box_count() >= r->cntv_cval)
		ctl |= S2_CNTV_CTL_ISTATUS;
	return ctl;
}

static bool trap_timer(struct s2box_regs *r, u64 reg, unsigned int rt,
		       bool read)
{
	u64 val = trap_rt_value(r, rt);

	switch (reg) {
	case TRAP_CNTV_CTL:
		if (read)
			trap_rt_set(r, rt, trap_cntv_ctl(r));
		else
			r->cntv_ctl = (val & TRAP_CNTV_CTL_ENABLE) |
				      S2_CNTV_CTL_IMASK;
		return true;
	case TRAP_CNTV_CVAL:
		if (read)
			trap_rt_set(r, rt, r->cntv_cval);
		else
			r->cntv_cval = val;
		return true;
	case TRAP_CNTV_TVAL:
		/* TVAL is CVAL minus the count, as a signed 32-bit value. */
		if (read)
			trap_rt_set(r, rt, (u32)(r->cntv_cval - trap_box_count()));
		else
			r->cntv_cval = trap_box_count() + (u64)(s64)(s32)val;
		return true;
	}
	return false;
}

/*
 * A trapped MSR to an EL1 MMU register, or (with ECV) an MRS or MSR of the
 * virtual timer: finish it on the box's registers and step past it.
 * Returns false for anything else, which goes to user space as
 * S2BOX_EXIT_TRAP.
 */
bool s2box_trap_finish(struct s2box_box *box, u64 esr)
{
	u64 iss = esr & GENMASK_ULL(24, 0), reg = iss & TRAP_ISS_REG_MASK;
	struct s2box_regs *r = &box->regs;
	unsigned int rt = TRAP_ISS_RT(iss);
	bool read = iss & TRAP_ISS_READ, done;

	if (S2_ESR_EC(esr) != S2_EC_SYS64)
		return false;
	done = read ? false : trap_tvm_write(r, reg, rt);
	if (!done && s2box_host_get()->ecv)
		done = trap_timer(r, reg, rt, read);
	if (done)
		r->pc += 4;	/* MSR and MRS are always 32-bit A64 instructions */
	return done;
}
