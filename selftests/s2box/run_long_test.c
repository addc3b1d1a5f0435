// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftest: a long run without a budget. The run loop must let RCU
 * and the scheduler in (cond_resched() between trips into the box), or a
 * run longer than the RCU stall timeout (21 s on Debian) prints an RCU
 * stall or soft-lockup report, which the test harness treats as a
 * failure. The length comes from S2BOX_LONG_RUN_S (default 3 s; one
 * matrix cell runs it for 30 s).
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "s2box_util.h"
#include "run_util.h"

BLOB(spin_blob);

static void on_alarm(int sig)
{
}

FIXTURE(long_run) {
	int unused;
};

FIXTURE_SETUP(long_run)
{
}

FIXTURE_TEARDOWN(long_run)
{
}

/* The harness's default 30 s timeout would end the 30 s run. */
TEST_F_TIMEOUT(long_run, unbudgeted_run_is_interruptible, 120)
{
	const char *env = getenv("S2BOX_LONG_RUN_S");
	unsigned int secs = env ? (unsigned int)atoi(env) : 3;
	struct sigaction sa = { .sa_handler = on_alarm };
	struct s2box_box_info info;
	struct timespec t0, t1;
	struct s2box_run run = { 0 };
	struct s2box_regs r;
	int ctl, box, ret;

	ctl = s2box_open_ctl();
	ASSERT_LE(0, ctl);
	box = small_box(_metadata, ctl, &info);
	ASSERT_LE(0, box);
	LOAD(box, CODE_IPA, spin_blob);
	/* No SA_RESTART: the alarm ends RUN with EINTR. */
	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	alarm(secs);
	ret = ioctl(box, S2BOX_RUN, &run);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EINTR, errno);
	EXPECT_LE((long)secs, t1.tv_sec - t0.tv_sec);
	ASSERT_EQ(0, box_get(box, &r));
	TH_LOG("%u s without a budget: x0 reached %llu, %llu ms in the box",
	       secs, r.x[0], run.guest_ns / 1000000);
	EXPECT_LT(0, r.x[0]);
	close(box);
	close(ctl);
}

TEST_HARNESS_MAIN
