// SPDX-License-Identifier: GPL-2.0
/*
 * Spectre-v2 and Spectre-BHB where only firmware mitigates them. A box is
 * untrusted code at a lower EL, so the way out of it must leave the branch
 * predictor as the kernel's own exception entries do. switch.S applies the
 * branch loop or CLRBHB (host.c picks them); a CPU with neither ECBHB nor
 * CLRBHB whose firmware implements SMCCC_ARCH_WORKAROUND_3, or one without
 * CSV2 whose firmware implements SMCCC_ARCH_WORKAROUND_1, also gets that
 * firmware call on every box exit. WORKAROUND_3 is the one to use where
 * both exist: SMCCC defines it to cover what WORKAROUND_1 does. Where the
 * kernel uses the branch loop the call is more than needed, never less;
 * firmware answers "not required" on CPUs it knows are unaffected.
 */

#include <linux/arm-smccc.h>
#include <linux/percpu.h>
#include <asm/sysreg.h>

#include "s2box.h"

/* SMCCC function id switch.S calls on a box exit on this CPU, or 0. */
DEFINE_PER_CPU(u64, s2box_fw_mitigation);

#define SPECTRE_FIELD(reg, shift)	(((reg) >> (shift)) & 0xf)

/* Does firmware implement @wa and say this CPU needs it? */
static bool spectre_fw_required(u32 wa)
{
	struct arm_smccc_res res;

	/* At EL2 only SMC reaches firmware; HVC would trap to the kernel. */
	if (arm_smccc_1_1_get_conduit() != SMCCC_CONDUIT_SMC)
		return false;
	arm_smccc_1_1_invoke(ARM_SMCCC_ARCH_FEATURES_FUNC_ID, wa, &res);
	return (int)res.a0 == SMCCC_RET_SUCCESS;
}

/* Runs on each CPU, at load and when one comes online. */
void s2box_spectre_cpu_probe(void)
{
	u64 pfr0 = read_sysreg_s(SYS_ID_AA64PFR0_EL1);
	u64 mmfr1 = read_sysreg_s(SYS_ID_AA64MMFR1_EL1);
	u64 isar2 = read_sysreg_s(SYS_ID_AA64ISAR2_EL1);
	bool csv2 = SPECTRE_FIELD(pfr0, 56);
	bool ecbhb = SPECTRE_FIELD(mmfr1, 60);
	bool clrbhb = SPECTRE_FIELD(isar2, 28);
	u64 wa = 0;

	if (!ecbhb && !clrbhb && spectre_fw_required(ARM_SMCCC_ARCH_WORKAROUND_3))
		wa = ARM_SMCCC_ARCH_WORKAROUND_3;
	else if (!csv2 && spectre_fw_required(ARM_SMCCC_ARCH_WORKAROUND_1))
		wa = ARM_SMCCC_ARCH_WORKAROUND_1;
	this_cpu_write(s2box_fw_mitigation, wa);
	if (wa)
		pr_info_once("Spectre: firmware call 0x%llx on box exit\n", wa);
}
