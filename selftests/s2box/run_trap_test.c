// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests: what a box may not do traps to the host. Every case
 * is one instruction; the exit must be S2BOX_EXIT_TRAP with the exact
 * exception class (and, for MSR/MRS, the exact system register, Rt and
 * direction), the pc where the uapi says (past SMC and WFx, at the
 * instruction otherwise), and the box must go on to its HVC after it.
 */

#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "run_util.h"

/* One blob per case (guest/run_trap.S). */
BLOB(smc_blob);
BLOB(wfi_blob);
BLOB(wfe_blob);
BLOB(pmcr_blob);
BLOB(pmccntr_blob);
BLOB(cntpct_blob);
BLOB(cntp_ctl_blob);
BLOB(mdscr_blob);
BLOB(sgi1r_blob);
BLOB(dc_cisw_blob);
BLOB(brk_blob);
BLOB(pacia_blob);
BLOB(sve_blob);
BLOB(erridr_blob);
BLOB(gcr_blob);
BLOB(scxtnum_blob);
BLOB(lorc_blob);
BLOB(apkey_blob);
BLOB(allint_blob);
BLOB(smcr_blob);
BLOB(pir_blob);
BLOB(pire0_blob);
BLOB(por_el1_blob);
BLOB(por_el0_blob);
BLOB(tcr2_blob);
BLOB(gcspr_blob);
BLOB(fpmr_blob);

FIXTURE(trap) {
	int ctl, box;
	struct s2box_box_info info;
};

FIXTURE_VARIANT(trap) {
	const __u32 *start, *end;
	unsigned int at;	/* index of the trapping instruction */
	__u32 ec;
	int past;		/* the exit resumes past it (SMC, WFx) */
	__u32 iss, iss_mask;	/* ESR.ISS & iss_mask must be iss */
	unsigned long hwcap;	/* AT_HWCAP bits the case needs */
	__u64 cpacr;		/* the box's CPACR_EL1 */
	int may_complete;	/* may run to the HVC without a trap */
};

#define CASE(blob) .start = blob##_start, .end = blob##_end
#define ISS_ALL		0x1ffffff
#define ISS_SYSREG	0x3fffff

FIXTURE_VARIANT_ADD(trap, smc) {
	CASE(smc_blob), .ec = EC_SMC64, .past = 1,
	.iss = 0x33, .iss_mask = 0xffff,
};

/* ISS.TI: 0 WFI, 1 WFE */
FIXTURE_VARIANT_ADD(trap, wfi) {
	CASE(wfi_blob), .ec = EC_WFX, .past = 1, .iss = 0, .iss_mask = 3,
};

/*
 * HCR_EL2.TWE traps a WFE only when it would wait: one that finds the
 * event register set completes (and QEMU 7.2 never traps WFE).
 */
FIXTURE_VARIANT_ADD(trap, wfe) {
	CASE(wfe_blob), .ec = EC_WFX, .past = 1, .iss = 1, .iss_mask = 3,
	.may_complete = 1,
};

FIXTURE_VARIANT_ADD(trap, pmcr_el0_read) {
	CASE(pmcr_blob), .ec = EC_SYS64,
	.iss = SYSREG_ISS(3, 3, 9, 12, 0, 3, 1), .iss_mask = ISS_SYSREG,
};

FIXTURE_VARIANT_ADD(trap, pmccntr_el0_read) {
	CASE(pmccntr_blob), .ec = EC_SYS64,
	.iss = SYSREG_ISS(3, 3, 9, 13, 0, 4, 1), .iss_mask = ISS_SYSREG,
};

FIXTURE_VARIANT_ADD(trap, cntpct_el0_read) {
	CASE(cntpct_blob), .ec = EC_SYS64,
	.iss = SYSREG_ISS(3, 3, 14, 0, 1, 5, 1), .iss_mask = ISS_SYSREG,
};

FIXTURE_VARIANT_ADD(trap, cntp_ctl_el0_write) {
	CASE(cntp_ctl_blob), .ec = EC_SYS64,
	.iss = SYSREG_ISS(3, 3, 14, 2, 1, 6, 0), .iss_mask = ISS_SYSREG,
};

FIXTURE_VARIANT_ADD(trap, mdscr_el1_write) {
	CASE(mdscr_blob), .ec = EC_SYS64,
	.iss = SYSREG_ISS(2, 0, 0, 2, 2, 7, 0), .iss_mask = ISS_SYSREG,
};

FIXTURE_VARIANT_ADD(trap, icc_sgi1r_el1_write) {
	CASE(sgi1r_blob), .ec = EC_SYS64,
	.iss = SYSREG_ISS(3, 0, 12, 11, 5, 8, 0), .iss_mask = ISS_SYSREG,
};

FIXTURE_VARIANT_ADD(trap, dc_cisw) {
	CASE(dc_cisw_blob), .ec = EC_SYS64,
	.iss = SYSREG_ISS(1, 0, 7, 14, 2, 9, 0), .iss_mask = ISS_SYSREG,
};

/* Debug exceptions route to EL2 (MDCR_EL2.TDE); ISS is the comment. */
FIXTURE_VARIANT_ADD(trap, brk) {
	CASE(brk_blob), .ec = EC_BRK64, .iss = 0x42, .iss_mask = 0xffff,
};

/* HCR_EL2.API = 0; ISS is 0 for a trapped PAC instruction. */
FIXTURE_VARIANT_ADD(trap, pacia) {
	CASE(pacia_blob), .at = 4, .ec = EC_PAC, .iss = 0,
	.iss_mask = ISS_ALL, .hwcap = HWCAP_PACA,
};

/* CPTR_EL2.ZEN traps SVE once the box's own CPACR_EL1 lets it through. */
FIXTURE_VARIANT_ADD(trap, sve) {
	CASE(sve_blob), .ec = EC_SVE, .iss = 0, .iss_mask = ISS_ALL,
	.hwcap = HWCAP_SVE, .cpacr = CPACR_FPEN | CPACR_ZEN,
};

/*
 * Registers of later features (issue: every trapped register exits as
 * the allow-list says). The blob HVCs #0x7d where the CPU lacks the
 * feature; the register access is its sixth instruction (need_id).
 */
#define NEED_ID_AT	5
#define SYSREG_CASE(blob, op0, op1, crn, crm, op2, rt, read)		\
	CASE(blob), .at = NEED_ID_AT, .ec = EC_SYS64,			\
	.iss = SYSREG_ISS(op0, op1, crn, crm, op2, rt, read),		\
	.iss_mask = ISS_SYSREG

FIXTURE_VARIANT_ADD(trap, erridr_el1_read) {
	SYSREG_CASE(erridr_blob, 3, 0, 5, 3, 0, 10, 1),
};

FIXTURE_VARIANT_ADD(trap, gcr_el1_read) {
	SYSREG_CASE(gcr_blob, 3, 0, 1, 0, 6, 11, 1),
};

FIXTURE_VARIANT_ADD(trap, scxtnum_el1_read) {
	SYSREG_CASE(scxtnum_blob, 3, 0, 13, 0, 7, 12, 1),
};

FIXTURE_VARIANT_ADD(trap, lorc_el1_read) {
	SYSREG_CASE(lorc_blob, 3, 0, 10, 4, 3, 13, 1),
};

FIXTURE_VARIANT_ADD(trap, apiakeylo_el1_read) {
	SYSREG_CASE(apkey_blob, 3, 0, 2, 1, 0, 14, 1),
};

FIXTURE_VARIANT_ADD(trap, allint_write) {
	SYSREG_CASE(allint_blob, 3, 0, 4, 3, 0, 15, 0),
};

/*
 * SMCR_EL1 with the box's own CPACR_EL1.SMEN open: CPTR_EL2.SMEN traps
 * it (EC 0x1d); ISS.SMTC is not checked.
 */
FIXTURE_VARIANT_ADD(trap, smcr_el1_read) {
	CASE(smcr_blob), .at = NEED_ID_AT, .ec = EC_SME, .iss = 0,
	.iss_mask = 0, .cpacr = CPACR_SMEN,
};

/* Features QEMU 11's max has and QEMU 10's does not (ID_AA64MMFR3_EL1 0). */
FIXTURE_VARIANT_ADD(trap, pir_el1_read) {
	SYSREG_CASE(pir_blob, 3, 0, 10, 2, 3, 17, 1),
};

FIXTURE_VARIANT_ADD(trap, pire0_el1_read) {
	SYSREG_CASE(pire0_blob, 3, 0, 10, 2, 2, 18, 1),
};

FIXTURE_VARIANT_ADD(trap, por_el1_read) {
	SYSREG_CASE(por_el1_blob, 3, 0, 10, 2, 4, 19, 1),
};

/* POR_EL0 read at EL1: HFGRTR_EL2.nPOR_EL0 traps EL1 accesses too. */
FIXTURE_VARIANT_ADD(trap, por_el0_read) {
	SYSREG_CASE(por_el0_blob, 3, 3, 10, 2, 4, 20, 1),
};

FIXTURE_VARIANT_ADD(trap, tcr2_el1_read) {
	SYSREG_CASE(tcr2_blob, 3, 0, 2, 0, 3, 21, 1),
};

FIXTURE_VARIANT_ADD(trap, gcspr_el1_read) {
	SYSREG_CASE(gcspr_blob, 3, 0, 2, 5, 1, 22, 1),
};

/*
 * FPMR with HCRX_EL2.EnFPM 0: its MRS traps to EL2 as a system register
 * access (KVM forwards it the same way). The box's CPACR_EL1.FPEN is
 * open so no FP trap at EL1 can come first.
 */
FIXTURE_VARIANT_ADD(trap, fpmr_read) {
	SYSREG_CASE(fpmr_blob, 3, 3, 4, 4, 2, 23, 1), .cpacr = CPACR_FPEN,
};

FIXTURE_SETUP(trap)
{
	self->box = -1;
	self->ctl = s2box_open_ctl();
	ASSERT_LE(0, self->ctl);
	self->box = small_box(_metadata, self->ctl, &self->info);
	ASSERT_LE(0, self->box);
}

FIXTURE_TEARDOWN(trap)
{
	if (self->box >= 0)
		close(self->box);
	close(self->ctl);
}

/* op0/op1/CRn/CRm/op2, Rt and direction of a trapped MSR/MRS. */
static void log_sysreg(struct __test_metadata *_metadata, const char *what,
		       __u32 iss)
{
	TH_LOG("%s: op0 %u op1 %u CRn %u CRm %u op2 %u Rt %u %s", what,
	       (iss >> 20) & 3, (iss >> 14) & 7, (iss >> 10) & 15,
	       (iss >> 1) & 15, (iss >> 17) & 7, (iss >> 5) & 31,
	       iss & 1 ? "read" : "write");
}

TEST_F(trap, exits_with_class)
{
	__u64 insn = CODE_IPA + 4 * variant->at;
	size_t len = (variant->end - variant->start) * 4;
	struct s2box_regs r;
	struct s2box_run run;

	if (variant->hwcap && (getauxval(AT_HWCAP) & variant->hwcap) !=
	    variant->hwcap)
		SKIP(return, "the CPU lacks the feature (AT_HWCAP 0x%lx)",
		     variant->hwcap);
	load_code(_metadata, self->box, CODE_IPA, variant->start, len);
	ASSERT_EQ(0, box_get(self->box, &r));
	r.cpacr = variant->cpacr;
	ASSERT_EQ(0, box_set(self->box, &r));

	ASSERT_EQ(0, box_run(_metadata, self->box, RUN_BUDGET_NS, &run));
	if (run.exit_reason == S2BOX_EXIT_HVC && run.hvc_imm == 0x7d)
		SKIP(return, "the CPU lacks the feature (its ID register field is 0)");
	if (variant->may_complete && run.exit_reason == S2BOX_EXIT_HVC &&
	    run.hvc_imm == 0x7e)
		SKIP(return, "the instruction completed without a trap");
	ASSERT_EQ(S2BOX_EXIT_TRAP, run.exit_reason) {
		exit_log(_metadata, &run);
	}
	EXPECT_EQ(variant->ec, run.exception_class) {
		exit_log(_metadata, &run);
	}
	EXPECT_EQ(variant->ec, ESR_EC(run.esr));
	EXPECT_EQ(variant->iss, run.esr & variant->iss_mask) {
		TH_LOG("ESR 0x%llx: ISS 0x%llx & 0x%x, want 0x%x", run.esr,
		       run.esr & ISS_ALL, variant->iss_mask, variant->iss);
	}
	/* Not an abort: no FAR (it would be the host's last fault address). */
	EXPECT_EQ(0, run.far);
	EXPECT_EQ(0, run.flags);
	if (variant->ec == EC_SYS64) {
		EXPECT_EQ(variant->iss, run.sysreg) {
			log_sysreg(_metadata, "want", variant->iss);
			log_sysreg(_metadata, "got", run.sysreg);
		}
	} else {
		EXPECT_EQ(0, run.sysreg);
	}

	ASSERT_EQ(0, box_get(self->box, &r));
	EXPECT_EQ(insn + 4 * variant->past, r.pc);
	if (!variant->past) {
		r.pc += 4;
		ASSERT_EQ(0, box_set(self->box, &r));
	}
	run_to_hvc(_metadata, self->box, 0x7e, &r);
	EXPECT_EQ(insn + 8, r.pc);
}

TEST_HARNESS_MAIN
