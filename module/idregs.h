/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding of the arm64 ID registers s2box depends on: pure architecture
 * rules, compiled into the module and into the host unit tests.
 */
#ifndef S2BOX_IDREGS_H
#define S2BOX_IDREGS_H

#include "arch_types.h"
#include "vtcr.h"

/*
 * The AArch64 feature ID registers, as raw 64-bit values. The allow-list
 * reads every one of them; s2box_host_decode() only the MMFR/PFR ones.
 */
struct s2box_idregs {
	u64 pfr0;	/* ID_AA64PFR0_EL1 */
	u64 pfr1;	/* ID_AA64PFR1_EL1 */
	u64 pfr2;	/* ID_AA64PFR2_EL1 */
	u64 zfr0;	/* ID_AA64ZFR0_EL1 */
	u64 smfr0;	/* ID_AA64SMFR0_EL1 */
	u64 fpfr0;	/* ID_AA64FPFR0_EL1 */
	u64 dfr0;	/* ID_AA64DFR0_EL1 */
	u64 dfr1;	/* ID_AA64DFR1_EL1 */
	u64 dfr2;	/* ID_AA64DFR2_EL1 */
	u64 afr0;	/* ID_AA64AFR0_EL1 */
	u64 afr1;	/* ID_AA64AFR1_EL1 */
	u64 isar0;	/* ID_AA64ISAR0_EL1 */
	u64 isar1;	/* ID_AA64ISAR1_EL1 */
	u64 isar2;	/* ID_AA64ISAR2_EL1 */
	u64 isar3;	/* ID_AA64ISAR3_EL1 */
	u64 mmfr0;	/* ID_AA64MMFR0_EL1 */
	u64 mmfr1;	/* ID_AA64MMFR1_EL1 */
	u64 mmfr2;	/* ID_AA64MMFR2_EL1 */
	u64 mmfr3;	/* ID_AA64MMFR3_EL1 */
	u64 mmfr4;	/* ID_AA64MMFR4_EL1 */
};

/* Index of a register in struct s2box_idregs, in its order. */
enum s2box_idreg {
	S2BOX_ID_PFR0, S2BOX_ID_PFR1, S2BOX_ID_PFR2, S2BOX_ID_ZFR0,
	S2BOX_ID_SMFR0, S2BOX_ID_FPFR0, S2BOX_ID_DFR0, S2BOX_ID_DFR1,
	S2BOX_ID_DFR2, S2BOX_ID_AFR0, S2BOX_ID_AFR1, S2BOX_ID_ISAR0,
	S2BOX_ID_ISAR1, S2BOX_ID_ISAR2, S2BOX_ID_ISAR3, S2BOX_ID_MMFR0,
	S2BOX_ID_MMFR1, S2BOX_ID_MMFR2, S2BOX_ID_MMFR3, S2BOX_ID_MMFR4,
	S2BOX_ID_COUNT
};

/* The register's architectural name, e.g. "ID_AA64PFR0_EL1". */
const char *s2box_idreg_name(unsigned int reg);
/* Its value in @regs, or 0 for an index out of range. */
u64 s2box_idreg_value(const struct s2box_idregs *regs, unsigned int reg);
void s2box_idreg_set(struct s2box_idregs *regs, unsigned int reg, u64 value);
/* The unsigned 4-bit field of register @reg at bit @shift. */
unsigned int s2box_idreg_field(const struct s2box_idregs *regs,
			       unsigned int reg, unsigned int shift);
/* Its system register encoding (op0, op1, CRn, CRm, op2): 3, 0, 0, crm, op2. */
void s2box_idreg_encoding(unsigned int reg, unsigned int *crm,
			  unsigned int *op2);

/* What the world switch does about a feature an ID register field names. */
enum s2box_treatment {
	/* No EL1-visible state: instructions whose effects stay in the box. */
	S2BOX_NO_STATE,
	/* The world switch loads and saves the box's own value. */
	S2BOX_SWITCHED,
	/* A trap the world switch sets makes every access exit. */
	S2BOX_TRAPPED,
	/* Only EL2/EL3 or stage 2 see it. */
	S2BOX_HOST_ONLY,
	/* EL1-visible state s2box does not handle yet: the load is refused. */
	S2BOX_REFUSED,
};

/*
 * MPAM is refused until the world switch traps MPAM0_EL1/MPAM1_EL1
 * (MPAM2_EL2.TRAPMPAM0EL1/TRAPMPAM1EL1, MPAMHCR_EL2). Set to 1 then: the
 * table in idregs.c and the unit tests' expectations follow.
 */
#define S2BOX_MPAM_TRAPPED	1

/*
 * One row of the allow-list: a field of an ID register, from the value
 * @min up (or, for a signed field, whenever it is not 0xF). A field may
 * have several rows when a higher value adds state.
 */
struct s2box_idfield {
	unsigned char reg;	/* enum s2box_idreg */
	unsigned char shift;
	unsigned char width;	/* 1, 4 or 8 bits */
	unsigned char min;	/* the row applies from this value up */
	bool is_signed;		/* 0xF is "not implemented" */
	unsigned short known;	/* values s2box knows (bit n: n); 0: all */
	unsigned char treatment;	/* enum s2box_treatment */
	const char *field;	/* field name as the Arm ARM spells it */
	const char *feat;	/* FEAT_xxx */
	const char *how;	/* which switch or trap covers it, or why not */
};

/* The whole allow-list, rows of one field adjacent. */
const struct s2box_idfield *s2box_idfields(unsigned int *count);
/* Its field value in @regs. */
unsigned int s2box_idfield_get(const struct s2box_idfield *f,
			       const struct s2box_idregs *regs);
/* True when the row's feature is present at @value. */
bool s2box_idfield_applies(const struct s2box_idfield *f, unsigned int value);
/* The row that decides @reg's field at @shift reading @value, or NULL. */
const struct s2box_idfield *s2box_idfield_lookup(unsigned int reg,
						 unsigned int shift,
						 unsigned int value);
const char *s2box_treatment_name(unsigned int treatment);

/* Decode stage-2 capabilities from (sanitised) ID registers. */
void s2box_host_decode(const struct s2box_idregs *regs, struct s2box_host *host);

/*
 * Allow-list: NULL when s2box handles every feature @regs shows, else a
 * one-line reason naming the register and field (refused feature, value
 * above the highest known, or a non-zero reserved field), written to
 * @buf (@len bytes, 128 are enough) and returned.
 */
const char *s2box_unhandled_feature(const struct s2box_idregs *regs,
				    char *buf, size_t len);

#endif /* S2BOX_IDREGS_H */
