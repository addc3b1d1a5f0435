// SPDX-License-Identifier: GPL-2.0
/*
 * s2box_run_timer_test: the box's EL1 virtual timer. Its interrupt, a PPI
 * the host's KVM owns ("kvm guest vtimer"), must never fire because of a
 * box. With FEAT_ECV every access of the box to CNTV_CTL/CVAL/TVAL_EL0
 * traps (CNTHCTL_EL2.EL1TVT) and the kernel keeps the box's timer in its
 * saved registers, so the hardware timer never runs for a box. Either
 * way the box reads its deadline, its enable bit, IMASK set (a box has
 * no interrupt controller: uapi cntv_ctl) and ISTATUS from the counter.
 * Without FEAT_ECV the accesses cannot be trapped (Documentation/state.md).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kselftest_harness.h"
#include "run_util.h"

#define CNTV_ENABLE	1ULL
#define CNTV_IMASK	2ULL
#define CNTV_ISTATUS	4ULL
#define TVAL_AHEAD	0x7fffffffULL

BLOB(timer_blob);

static bool cpu_has_ecv(void)
{
	char line[4096];
	bool ecv = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (!ecv && fgets(line, sizeof(line), f))
		ecv = !strncmp(line, "Features", 8) && strstr(line, " ecv");
	fclose(f);
	return ecv;
}

/* This CPU's count of KVM's virtual timer interrupt, -1 if none is listed. */
static long long vtimer_irqs(int cpu)
{
	char line[4096], *p, *end;
	long long n = -1;
	FILE *f = fopen("/proc/interrupts", "r");
	int i;

	if (!f)
		return -1;
	while (n < 0 && fgets(line, sizeof(line), f)) {
		if (!strstr(line, "kvm guest vtimer"))
			continue;
		p = strchr(line, ':');
		for (i = 0; p && i <= cpu; i++, p = end) {
			n = strtoll(p + 1, &end, 10);
			if (end == p + 1)
				n = -1, p = NULL;
		}
	}
	fclose(f);
	return n;
}

FIXTURE(timer) {
	int ctl, box, cpu;
	struct s2box_box_info info;
};

FIXTURE_SETUP(timer)
{
	cpu_set_t one;

	/* The interrupt count is per CPU: the box runs on this one. */
	self->cpu = sched_getcpu();
	CPU_ZERO(&one);
	CPU_SET(self->cpu, &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	self->ctl = s2box_open_ctl();
	ASSERT_LE(0, self->ctl);
	self->box = small_box(_metadata, self->ctl, &self->info);
	ASSERT_LE(0, self->box);
}

FIXTURE_TEARDOWN(timer)
{
	if (self->box >= 0)
		close(self->box);
	close(self->ctl);
}

TEST_F(timer, fired_box_timer_never_reaches_kvm_ppi)
{
	long long before, after;
	struct s2box_regs r;
	bool ecv = cpu_has_ecv();

	LOAD(self->box, CODE_IPA, timer_blob);
	before = vtimer_irqs(self->cpu);
	run_to_hvc(_metadata, self->box, 0x30, &r);
	after = vtimer_irqs(self->cpu);

	/*
	 * Without ECV the box writes the hardware timer itself, and sees
	 * IMASK only after an entry masked it: compare the rest.
	 */
	EXPECT_EQ(CNTV_ENABLE | CNTV_ISTATUS, r.x[0] & ~CNTV_IMASK) {
		TH_LOG("CNTV_CTL_EL0 after a past deadline: 0x%llx", r.x[0]);
	}
	EXPECT_EQ(0, r.x[2]);
	EXPECT_EQ(CNTV_ENABLE, r.x[5] & ~CNTV_IMASK) {
		TH_LOG("CNTV_CTL_EL0 with a deadline ahead: 0x%llx", r.x[5]);
	}
	EXPECT_TRUE(r.x[6] > r.x[7] && r.x[6] - r.x[7] <= TVAL_AHEAD) {
		TH_LOG("TVAL write: CVAL 0x%llx, counter 0x%llx", r.x[6], r.x[7]);
	}
	EXPECT_EQ(r.x[6], r.cntv_cval);
	if (!ecv) {
		TH_LOG("no FEAT_ECV: timer accesses do not trap; KVM vtimer PPI fired %lld times",
		       before >= 0 ? after - before : -1);
		return;
	}
	/* With ECV the timer is the kernel's copy, masked as the uapi says. */
	EXPECT_EQ(CNTV_ENABLE | CNTV_IMASK | CNTV_ISTATUS, r.x[0]);
	EXPECT_EQ(CNTV_ENABLE | CNTV_IMASK, r.x[5]);
	EXPECT_EQ(CNTV_ENABLE | CNTV_IMASK, r.cntv_ctl);
	if (before < 0)
		SKIP(return, "no \"kvm guest vtimer\" line in /proc/interrupts");
	EXPECT_EQ(before, after) {
		TH_LOG("KVM's vtimer PPI fired %lld times on CPU %d during the run",
		       after - before, self->cpu);
	}
}

TEST_HARNESS_MAIN
