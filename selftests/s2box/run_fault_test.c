// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests: stage-2 faults from S2BOX_RUN, for every granule and
 * IPA size. Each exit must name the exact IPA (to the byte), the kind of
 * access, the fault status and the lookup level; S2BOX_AUDIT is clean
 * after every run. Also the very top of each IPA space, and a box that
 * turns its own MMU on and faults at stage 2 through its stage 1.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "run_util.h"

BLOB(hvc_blob);
BLOB(store_blob);
BLOB(branch_blob);
BLOB(top_blob);

/* An HVC the host writes into data memory for branch_blob. */
static const __u32 hvc_insn = 0xd4000002 | (0x77 << 5);	/* hvc #0x77 */

FIXTURE(geo) {
	int ctl, box;
	struct s2box_caps caps;
	struct s2box_box_info info;
	__u64 top;		/* 2^ipa_bits */
	__u64 align;		/* map_align */
};

FIXTURE_VARIANT(geo) {
	unsigned int granule, ipa_bits;
};

FIXTURE_VARIANT_ADD(geo, g4k_ipa32) { S2BOX_GRANULE_4K, 32 };
FIXTURE_VARIANT_ADD(geo, g4k_ipa36) { S2BOX_GRANULE_4K, 36 };
FIXTURE_VARIANT_ADD(geo, g4k_ipa40) { S2BOX_GRANULE_4K, 40 };
FIXTURE_VARIANT_ADD(geo, g4k_ipa44) { S2BOX_GRANULE_4K, 44 };
FIXTURE_VARIANT_ADD(geo, g4k_ipa48) { S2BOX_GRANULE_4K, 48 };
FIXTURE_VARIANT_ADD(geo, g4k_ipa52) { S2BOX_GRANULE_4K, 52 };
FIXTURE_VARIANT_ADD(geo, g16k_ipa32) { S2BOX_GRANULE_16K, 32 };
FIXTURE_VARIANT_ADD(geo, g16k_ipa36) { S2BOX_GRANULE_16K, 36 };
FIXTURE_VARIANT_ADD(geo, g16k_ipa40) { S2BOX_GRANULE_16K, 40 };
FIXTURE_VARIANT_ADD(geo, g16k_ipa44) { S2BOX_GRANULE_16K, 44 };
FIXTURE_VARIANT_ADD(geo, g16k_ipa48) { S2BOX_GRANULE_16K, 48 };
FIXTURE_VARIANT_ADD(geo, g16k_ipa52) { S2BOX_GRANULE_16K, 52 };
FIXTURE_VARIANT_ADD(geo, g64k_ipa32) { S2BOX_GRANULE_64K, 32 };
FIXTURE_VARIANT_ADD(geo, g64k_ipa36) { S2BOX_GRANULE_64K, 36 };
FIXTURE_VARIANT_ADD(geo, g64k_ipa40) { S2BOX_GRANULE_64K, 40 };
FIXTURE_VARIANT_ADD(geo, g64k_ipa44) { S2BOX_GRANULE_64K, 44 };
FIXTURE_VARIANT_ADD(geo, g64k_ipa48) { S2BOX_GRANULE_64K, 48 };
FIXTURE_VARIANT_ADD(geo, g64k_ipa52) { S2BOX_GRANULE_64K, 52 };

FIXTURE_SETUP(geo)
{
	struct s2box_run run;
	char why[96];

	self->box = -1;
	self->ctl = s2box_open_ctl();
	ASSERT_LE(0, self->ctl);
	ASSERT_EQ(0, ioctl(self->ctl, S2BOX_GET_CAPS, &self->caps));
	if (s2box_geometry_refused(&self->caps, variant->granule,
				   variant->ipa_bits, why, sizeof(why)))
		SKIP(return, "%s", why);
	self->box = s2box_create(self->ctl, variant->ipa_bits,
				 variant->granule);
	ASSERT_LE(0, self->box);
	ASSERT_EQ(0, ioctl(self->box, S2BOX_GET_BOX_INFO, &self->info));
	self->top = 1ULL << variant->ipa_bits;
	self->align = self->info.map_align;
	ASSERT_EQ(0, box_map(self->box, CODE_IPA, self->align,
			     S2BOX_PROT_READ | S2BOX_PROT_EXEC));

	LOAD(self->box, CODE_IPA, hvc_blob);
	ASSERT_EQ(0, box_run(_metadata, self->box, RUN_BUDGET_NS, &run));
	/*
	 * 16K with LPA2 (DS=1) and a 52-bit IPA must start at level 0
	 * (VTCR_EL2.SL0 0b11), which QEMU 7.2's check_s2_mmu_setup()
	 * rejects as a misconfiguration: a translation fault at level 0
	 * for mapped memory. Hardware must run it.
	 */
	if (run.exit_reason == S2BOX_EXIT_S2_FAULT && !run.fault_level &&
	    run.ipa == CODE_IPA && self->info.ds &&
	    variant->granule == S2BOX_GRANULE_16K &&
	    self->info.start_level == 0)
		SKIP(return, "QEMU 7.2 rejects a 16K walk from level 0 (VTCR_EL2 0x%llx)",
		     self->info.vtcr);
	ASSERT_EQ(S2BOX_EXIT_HVC, run.exit_reason) {
		exit_log(_metadata, &run);
	}
}

FIXTURE_TEARDOWN(geo)
{
	if (self->box >= 0)
		close(self->box);
	close(self->ctl);
}

struct want_fault {
	__u64 ipa;
	__u32 ec, access, status;
	int level;
};

/*
 * Runs the box from CODE_IPA with x1 = @x1 to a stage-2 fault that must
 * be @want exactly; the box must then be at @pc, the faulting instruction.
 */
static void expect_fault(struct __test_metadata *_metadata, int box,
			 __u64 x1, const struct want_fault *want, __u64 pc)
{
	struct s2box_regs r;
	struct s2box_run run;

	ASSERT_EQ(0, box_get(box, &r));
	r.pc = CODE_IPA;
	r.x[1] = x1;
	r.x[2] = 0x5a;
	ASSERT_EQ(0, box_set(box, &r));
	ASSERT_EQ(0, box_run(_metadata, box, RUN_BUDGET_NS, &run));
	ASSERT_EQ(S2BOX_EXIT_S2_FAULT, run.exit_reason) {
		exit_log(_metadata, &run);
	}
	EXPECT_EQ(want->ec, run.exception_class);
	EXPECT_EQ(want->ec, ESR_EC(run.esr));
	EXPECT_TRUE(run.flags & S2BOX_RUN_IPA_VALID);
	EXPECT_EQ(want->ipa, run.ipa);
	EXPECT_EQ(want->access, run.fault_access);
	EXPECT_EQ(want->status, run.fault_status);
	EXPECT_EQ(want->level, run.fault_level);
	/* The MMU is off: FAR is the IPA. */
	EXPECT_EQ(want->ipa, run.far);
	ASSERT_EQ(0, box_get(box, &r));
	EXPECT_EQ(pc, r.pc);
	if (_metadata->exit_code)
		exit_log(_metadata, &run);
}

/*
 * A store right after a mapping: a translation fault at level 3, in the
 * table that maps the code.
 */
TEST_F(geo, store_to_unmapped_neighbour)
{
	struct want_fault w = {
		.ipa = CODE_IPA + self->align + 0x45, .ec = EC_DABT_LOW,
		.access = S2BOX_ACCESS_WRITE,
		.status = S2BOX_FAULT_TRANSLATION, .level = 3,
	};

	LOAD(self->box, CODE_IPA, store_blob);
	expect_fault(_metadata, self->box, w.ipa, &w, CODE_IPA);
}

/*
 * A store into the upper half of the IPA space, where no root entry is
 * valid: a translation fault at the start level.
 */
TEST_F(geo, store_to_unmapped_far)
{
	struct want_fault w = {
		.ipa = self->top / 2 + 0x123, .ec = EC_DABT_LOW,
		.access = S2BOX_ACCESS_WRITE,
		.status = S2BOX_FAULT_TRANSLATION,
		.level = self->info.start_level,
	};

	LOAD(self->box, CODE_IPA, store_blob);
	expect_fault(_metadata, self->box, w.ipa, &w, CODE_IPA);
}

/* A store to read-only memory: a permission fault, write, level 3. */
TEST_F(geo, store_to_read_only)
{
	struct want_fault w = {
		.ipa = DATA_IPA + self->align - 7, .ec = EC_DABT_LOW,
		.access = S2BOX_ACCESS_WRITE,
		.status = S2BOX_FAULT_PERMISSION, .level = 3,
	};
	__u8 byte = 0;

	ASSERT_EQ(0, box_map(self->box, DATA_IPA, self->align,
			     S2BOX_PROT_READ));
	LOAD(self->box, CODE_IPA, store_blob);
	expect_fault(_metadata, self->box, w.ipa, &w, CODE_IPA);
	ASSERT_EQ(1, pread(self->box, &byte, 1, w.ipa));
	EXPECT_EQ(0, byte);
}

/*
 * A branch into memory mapped without execute permission: an instruction
 * abort, permission, at the branch target.
 */
TEST_F(geo, exec_from_execute_never)
{
	struct want_fault w = {
		.ipa = DATA_IPA + self->align - 4, .ec = EC_IABT_LOW,
		.access = S2BOX_ACCESS_EXEC,
		.status = S2BOX_FAULT_PERMISSION, .level = 3,
	};

	ASSERT_EQ(0, box_map(self->box, DATA_IPA, self->align,
			     S2BOX_PROT_READ | S2BOX_PROT_WRITE));
	ASSERT_EQ(sizeof(hvc_insn), pwrite(self->box, &hvc_insn,
					   sizeof(hvc_insn), w.ipa));
	LOAD(self->box, CODE_IPA, branch_blob);
	expect_fault(_metadata, self->box, w.ipa, &w, w.ipa);
}

/*
 * A store one byte past the IPA size: stage 2 rejects the IPA before any
 * walk, with a translation fault reported at level 0 (Arm ARM,
 * AArch64.S2Translate: AArch64.IPAIsOutOfRange() gives Fault_Translation
 * with level 0, whatever the start level). With the MMU off, an address
 * at or above the PA size already fails at stage 1 and stays at EL1: not
 * a case for this test.
 */
TEST_F(geo, store_past_ipa_size)
{
	struct want_fault w = {
		.ipa = self->top, .ec = EC_DABT_LOW,
		.access = S2BOX_ACCESS_WRITE,
		.status = S2BOX_FAULT_TRANSLATION, .level = 0,
	};

	if (variant->ipa_bits >= self->caps.pa_bits)
		SKIP(return, "a %u-bit IPA is the PA size: the MMU-off stage 1 faults first",
		     variant->ipa_bits);
	LOAD(self->box, CODE_IPA, store_blob);
	expect_fault(_metadata, self->box, w.ipa, &w, CODE_IPA);
}

/*
 * The last map_align unit below 2^ipa_bits holds both the code and the
 * data: the blob loads the host's last word and stores the one before.
 */
TEST_F(geo, top_of_ipa_space)
{
	__u64 base = self->top - self->align, word = 0x70b0f1ba5e0f1ba5ULL;
	__u64 back = 0;
	struct s2box_regs r;

	ASSERT_EQ(0, box_map(self->box, base, self->align,
			     S2BOX_PROT_READ | S2BOX_PROT_WRITE |
			     S2BOX_PROT_EXEC));
	ASSERT_EQ(8, pwrite(self->box, &word, 8, self->top - 8));
	LOAD(self->box, base, top_blob);
	ASSERT_EQ(0, box_get(self->box, &r));
	r.x[1] = self->top - 8;
	r.x[2] = ~word;
	ASSERT_EQ(0, box_set(self->box, &r));
	run_to_hvc(_metadata, self->box, 0x4, &r);
	EXPECT_EQ(word, r.x[0]);
	EXPECT_EQ(base + 12, r.pc);
	ASSERT_EQ(8, pread(self->box, &back, 8, self->top - 16));
	EXPECT_EQ(~word, back);
	/* The byte past it is not the box's, for the host either. */
	EXPECT_EQ(-1, pread(self->box, &back, 8, self->top));
	EXPECT_EQ(ENXIO, errno);
}

BLOB(mmu_blob);
#define MMU_STORE	12	/* index of the store to x7 */

#define TABLE_IPA	0x300000ULL	/* the stage-1 level-1 table */
#define HOLE_IPA	0x400000ULL	/* not mapped at stage 2 */
#define SCTLR_MCI	0x1005ULL
/* 4K granule, T0SZ 25 (39-bit VA, walks start at level 1), TTBR1 off. */
#define S1_TCR		(25 | (1ULL << 8) | (1ULL << 10) | (3ULL << 12) | \
			 (1ULL << 23) | (2ULL << 30))
/* Level-1 block for VA 0..1G, identity: AttrIndx 0, inner shareable, AF. */
#define S1_BLOCK0	(0x1ULL | (3ULL << 8) | (1ULL << 10))

FIXTURE(mmu) {
	int ctl, box;
	struct s2box_box_info info;
	__u64 word;
};

FIXTURE_SETUP(mmu)
{
	__u64 *l1 = calloc(512, 8);
	struct s2box_regs r;

	self->box = -1;
	self->ctl = s2box_open_ctl();
	ASSERT_LE(0, self->ctl);
	self->box = small_box(_metadata, self->ctl, &self->info);
	ASSERT_LE(0, self->box);
	ASSERT_EQ(0, box_map(self->box, TABLE_IPA, self->info.map_align,
			     S2BOX_PROT_READ | S2BOX_PROT_WRITE));
	ASSERT_NE(NULL, l1);
	l1[0] = S1_BLOCK0;
	ASSERT_EQ(4096, pwrite(self->box, l1, 4096, TABLE_IPA));
	free(l1);
	self->word = 0xcafef00d12345678ULL;
	ASSERT_EQ(8, pwrite(self->box, &self->word, 8, DATA_IPA + 0x18));
	LOAD(self->box, CODE_IPA, mmu_blob);
	ASSERT_EQ(0, box_get(self->box, &r));
	r.x[1] = DATA_IPA + 0x18;
	r.x[2] = 0x600dda7a;
	r.x[3] = 0xff;		/* attribute 0: Normal, write-back */
	r.x[4] = S1_TCR;
	r.x[5] = TABLE_IPA;
	r.x[7] = HOLE_IPA + 0x238;
	ASSERT_EQ(0, box_set(self->box, &r));
}

FIXTURE_TEARDOWN(mmu)
{
	if (self->box >= 0)
		close(self->box);
	close(self->ctl);
}

/* Through its own stage 1, the blob reads what the host wrote. */
TEST_F(mmu, stage1_on_reads_host_data)
{
	struct s2box_regs r;

	run_to_hvc(_metadata, self->box, 0x11, &r);
	EXPECT_EQ(self->word, r.x[0]);
	EXPECT_EQ(SCTLR_RESET | SCTLR_MCI, r.sctlr);
	EXPECT_EQ(S1_TCR, r.tcr);
	EXPECT_EQ(TABLE_IPA, r.ttbr0);
	EXPECT_EQ(0xff, r.mair);
}

/*
 * A store through stage 1 to an IPA stage 2 does not map: a stage-2
 * translation fault at that IPA, not on the stage-1 walk; mapped, the
 * store completes on the next RUN.
 */
TEST_F(mmu, stage1_on_stage2_fault)
{
	__u64 ipa = HOLE_IPA + 0x238, back = 0;
	struct s2box_regs r;
	struct s2box_run run;

	run_to_hvc(_metadata, self->box, 0x11, &r);
	ASSERT_EQ(0, box_run(_metadata, self->box, RUN_BUDGET_NS, &run));
	ASSERT_EQ(S2BOX_EXIT_S2_FAULT, run.exit_reason) {
		exit_log(_metadata, &run);
	}
	EXPECT_EQ(EC_DABT_LOW, run.exception_class);
	EXPECT_TRUE(run.flags & S2BOX_RUN_IPA_VALID);
	EXPECT_EQ(ipa, run.ipa);
	EXPECT_EQ(ipa, run.far);
	EXPECT_EQ(S2BOX_ACCESS_WRITE, run.fault_access);
	EXPECT_EQ(S2BOX_FAULT_TRANSLATION, run.fault_status);
	EXPECT_EQ(0, run.esr & (1ULL << 7));	/* S1PTW */
	ASSERT_EQ(0, box_get(self->box, &r));
	EXPECT_EQ(CODE_IPA + 4 * MMU_STORE, r.pc);

	ASSERT_EQ(0, box_map(self->box, HOLE_IPA, self->info.map_align,
			     S2BOX_PROT_READ | S2BOX_PROT_WRITE));
	run_to_hvc(_metadata, self->box, 0x12, &r);
	ASSERT_EQ(8, pread(self->box, &back, 8, ipa));
	EXPECT_EQ(0x600dda7a, back);
}

TEST_HARNESS_MAIN
