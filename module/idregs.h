/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding of the arm64 ID registers s2box depends on: pure architecture
 * rules, compiled into the module and into the host unit tests.
 */
#ifndef S2BOX_IDREGS_H
#define S2BOX_IDREGS_H

#include "arch_types.h"
#include "vtcr.h"

/* The ID registers s2box reads, as raw 64-bit values. */
struct s2box_idregs {
	u64 pfr0;	/* ID_AA64PFR0_EL1 */
	u64 pfr1;	/* ID_AA64PFR1_EL1 */
	u64 pfr2;	/* ID_AA64PFR2_EL1 */
	u64 mmfr0;	/* ID_AA64MMFR0_EL1 */
	u64 mmfr1;	/* ID_AA64MMFR1_EL1 */
	u64 mmfr2;	/* ID_AA64MMFR2_EL1 */
	u64 mmfr3;	/* ID_AA64MMFR3_EL1 */
	u64 dfr0;	/* ID_AA64DFR0_EL1 (allow-list only) */
};

/* Decode stage-2 capabilities from (sanitised) ID registers. */
void s2box_host_decode(const struct s2box_idregs *regs, struct s2box_host *host);

/*
 * Allow-list: name of the first EL1-visible feature present in @regs that
 * s2box neither switches nor traps, or NULL when there is none.
 */
const char *s2box_unhandled_feature(const struct s2box_idregs *regs);

#endif /* S2BOX_IDREGS_H */
