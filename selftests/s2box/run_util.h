/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the s2box kselftests that run code in boxes
 * (s2box_run_test, s2box_run_fault_test, s2box_run_trap_test,
 * s2box_run_state_test ...). Blobs are in guest/<test>.S (blob.h); a
 * test loads one with pwrite() at its IPA, points the pc at it with
 * S2BOX_SET_REGS and runs it with S2BOX_RUN; box_run() follows every run
 * with S2BOX_AUDIT. Include after kselftest_harness.h.
 *
 * The helpers that check and log through the harness (they take the
 * test's _metadata) stay inline here: kselftest_harness.h defines the
 * harness itself, with global symbols, so only one object of a program
 * may include it. The rest is in run_util.c.
 */
#ifndef S2BOX_RUN_UTIL_H
#define S2BOX_RUN_UTIL_H

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/s2box.h>

#include "blob.h"
#include "s2box_util.h"

/*
 * Code and data IPAs, multiples of every map_align. Nothing is mapped at
 * IPA 0, so an unexpected exception at EL1 (VBAR_EL1 0 at reset) shows up
 * as an instruction abort at 0x200 instead of running anything.
 */
#define CODE_IPA	0x100000ULL
#define DATA_IPA	0x200000ULL
#define DATA_UNITS	4		/* map_align units mapped at DATA_IPA */

/* A wedged blob ends at this budget instead of at the harness timeout. */
#define RUN_BUDGET_NS	(2 * 1000 * 1000 * 1000ULL)
#define MSEC		(1000 * 1000ULL)

/* ESR_ELx.EC values (Arm ARM, ESR_EL2). */
#define EC_UNKNOWN	0x00
#define EC_WFX		0x01
#define EC_FP		0x07
#define EC_PAC		0x09
#define EC_SVC64	0x15
#define EC_HVC64	0x16
#define EC_SMC64	0x17
#define EC_SYS64	0x18
#define EC_SVE		0x19
#define EC_SME		0x1d
#define EC_IABT_LOW	0x20
#define EC_DABT_LOW	0x24
#define EC_BRK64	0x3c
#define ESR_EC(esr)	((__u32)((esr) >> 26) & 0x3f)

/* ISS of a trapped MSR/MRS (EC 0x18), the layout of s2box_run.sysreg. */
#define SYSREG_ISS(op0, op1, crn, crm, op2, rt, read) \
	(((op0) << 20) | ((op2) << 17) | ((op1) << 14) | ((crn) << 10) | \
	 ((rt) << 5) | ((crm) << 1) | (read))

/* SCTLR_EL1 and PSTATE of a new box (uapi: struct s2box_regs). */
#define SCTLR_RESET	0x30d00800ULL
#define PSTATE_RESET	0x3c5ULL
/* CPACR_EL1.FPEN and ZEN: FP/SIMD and SVE do not trap at EL1. */
#define CPACR_FPEN	(3ULL << 20)
#define CPACR_ZEN	(3ULL << 16)
#define CPACR_SMEN	(3ULL << 24)

int box_get(int box, struct s2box_regs *r);

int box_set(int box, const struct s2box_regs *r);

int box_set_pc(int box, __u64 pc);

#ifdef __KSELFTEST_HARNESS_H	/* the test itself, not a helper object */

/* Copies @len bytes of code to @ipa and starts the box there. */
static inline void load_code(struct __test_metadata *_metadata, int box,
			     __u64 ipa, const void *code, size_t len)
{
	ASSERT_EQ((ssize_t)len, pwrite(box, code, len, ipa)) {
		TH_LOG("pwrite of %zu bytes at 0x%llx: %s", len, ipa,
		       strerror(errno));
	}
	ASSERT_EQ(0, box_set_pc(box, ipa)) {
		TH_LOG("pc 0x%llx: %s", ipa, strerror(errno));
	}
}

/* load_code() of blob @name. */
#define LOAD(box, ipa, name) \
	load_code(_metadata, box, ipa, name##_start, BLOB_LEN(name))

const char *exit_name(__u32 reason);

/* Everything an exit says, for a failed check. */
static inline void exit_log(struct __test_metadata *_metadata,
			    const struct s2box_run *run)
{
	TH_LOG("exit %s (%u): ec 0x%x esr 0x%llx far 0x%llx hvc 0x%x",
	       exit_name(run->exit_reason), run->exit_reason,
	       run->exception_class, run->esr, run->far, run->hvc_imm);
	TH_LOG("  ipa 0x%llx flags 0x%x access %u status %u level %d sysreg 0x%x",
	       run->ipa, run->flags, run->fault_access, run->fault_status,
	       run->fault_level, run->sysreg);
}

/*
 * One S2BOX_RUN with @budget_ns, then S2BOX_AUDIT, which must be clean
 * whatever the run did. Returns what RUN returned, with its errno.
 */
static inline int box_run(struct __test_metadata *_metadata, int box,
			  __u64 budget_ns, struct s2box_run *run)
{
	struct s2box_audit a;
	int ret, err;

	memset(run, 0, sizeof(*run));
	run->budget_ns = budget_ns;
	ret = ioctl(box, S2BOX_RUN, run);
	err = errno;
	memset(&a, 0xa5, sizeof(a));
	EXPECT_EQ(0, ioctl(box, S2BOX_AUDIT, &a)) {
		TH_LOG("audit after run: %s", strerror(errno));
	}
	EXPECT_EQ(0, a.bad_desc | a.empty_tables | a.foreign) {
		TH_LOG("audit: bad %llu empty %llu foreign %llu", a.bad_desc,
		       a.empty_tables, a.foreign);
	}
	errno = err;
	return ret;
}

/* Runs to an exit that must be HVC #@imm; leaves the registers in @r. */
static inline void run_to_hvc(struct __test_metadata *_metadata, int box,
			      __u32 imm, struct s2box_regs *r)
{
	struct s2box_run run;

	ASSERT_EQ(0, box_run(_metadata, box, RUN_BUDGET_NS, &run)) {
		TH_LOG("RUN: %s", strerror(errno));
	}
	ASSERT_EQ(S2BOX_EXIT_HVC, run.exit_reason) {
		exit_log(_metadata, &run);
	}
	ASSERT_EQ(imm, run.hvc_imm) {
		exit_log(_metadata, &run);
	}
	ASSERT_EQ(0, box_get(box, r));
}

/*
 * A small box for tests whose subject is not the geometry: 32-bit IPA,
 * the first granule the host supports, one map_align unit of code at
 * CODE_IPA (RWX) and DATA_UNITS of data at DATA_IPA (RW). Returns the box
 * fd; @info gets its geometry.
 */
static inline int small_box(struct __test_metadata *_metadata, int ctl,
			    struct s2box_box_info *info)
{
	int box = s2box_create(ctl, S2BOX_IPA_BITS_MIN, s2box_any_granule(ctl));

	EXPECT_LE(0, box) {
		TH_LOG("create: %s", strerror(errno));
	}
	if (box < 0)
		return -1;
	EXPECT_EQ(0, ioctl(box, S2BOX_GET_BOX_INFO, info));
	EXPECT_EQ(0, box_map(box, CODE_IPA, info->map_align,
			     S2BOX_PROT_READ | S2BOX_PROT_WRITE |
			     S2BOX_PROT_EXEC));
	EXPECT_EQ(0, box_map(box, DATA_IPA, DATA_UNITS * info->map_align,
			     S2BOX_PROT_READ | S2BOX_PROT_WRITE));
	return box;
}

#endif /* __KSELFTEST_HARNESS_H */

#endif /* S2BOX_RUN_UTIL_H */
