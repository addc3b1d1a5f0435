// SPDX-License-Identifier: GPL-2.0
/*
 * A box's registers as user space sees them (S2BOX_GET_REGS/SET_REGS).
 */

#include <linux/bitops.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "s2box.h"
#include "el2_bits.h"

/* SCTLR_EL1 with only its RES1 bits: MMU, caches and alignment checks off. */
#define S2_SCTLR_EL1_RESET	0x30d00800ULL
/* EL1h, D, A, I and F masked. */
#define S2_PSTATE_RESET		(S2_PSR_DAIF | S2_PSR_MODE_EL1H)

/*
 * PSTATE bits a box may set: NZCV, TCO, DIT, UAO, PAN, SSBS, BTYPE, DAIF
 * and M[4:0]. Not SS or IL (debug state the host does not emulate), not
 * nRW (AArch32 is entered by the box itself, from EL1, if at all).
 */
#define S2_PSTATE_ALLOWED	(GENMASK_ULL(31, 28) | BIT_ULL(25) | \
				 BIT_ULL(24) | BIT_ULL(23) | BIT_ULL(22) | \
				 BIT_ULL(12) | GENMASK_ULL(11, 10) | \
				 S2_PSR_DAIF | S2_PSR_MODE_MASK)

void s2box_regs_reset(struct s2box_regs *regs)
{
	memset(regs, 0, sizeof(*regs));
	regs->pstate = S2_PSTATE_RESET;
	regs->sctlr = S2_SCTLR_EL1_RESET;
}

static bool regs_pstate_ok(u64 pstate)
{
	u64 mode = pstate & S2_PSR_MODE_MASK;

	if (pstate & ~S2_PSTATE_ALLOWED)
		return false;
	return mode == S2_PSR_MODE_EL1H || mode == S2_PSR_MODE_EL1T ||
	       mode == S2_PSR_MODE_EL0T;
}

/* Copy to or from the box's registers, unless a RUN owns them. */
static int regs_copy(struct s2box_box *box, struct s2box_regs *to,
		     const struct s2box_regs *from)
{
	int err = 0;

	mutex_lock(&box->regs_lock);
	if (box->running)
		err = -EBUSY;
	else
		*to = *from;
	mutex_unlock(&box->regs_lock);
	return err;
}

int s2box_regs_set(struct s2box_box *box, const struct s2box_regs *regs)
{
	if (regs->flags || regs->reserved1 ||
	    !s2box_reserved_zero(regs->reserved, sizeof(regs->reserved))) {
		pr_info_ratelimited("set_regs: flags and reserved fields must be zero\n");
		return -EINVAL;
	}
	if (!regs_pstate_ok(regs->pstate)) {
		pr_info_ratelimited("set_regs: pstate 0x%llx is not AArch64 EL1h, EL1t or EL0t with known bits\n",
				    regs->pstate);
		return -EINVAL;
	}
	return regs_copy(box, &box->regs, regs);
}

int s2box_regs_get(struct s2box_box *box, struct s2box_regs *regs)
{
	return regs_copy(box, regs, &box->regs);
}
