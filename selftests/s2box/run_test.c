// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests: S2BOX_RUN basics. HVC exits with their immediate and
 * x0-x7 both ways, and RUN resuming after them; a blob summing memory the
 * host wrote; two boxes at the same IPA seeing their own bytes; the run
 * budget; EINTR and resuming; EBUSY for a second runner and closing the
 * box fd while it runs; exceptions that stay at EL1 going to the box's
 * own VBAR_EL1.
 */

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "run_util.h"

BLOB(hvc_blob);
#define HVC_FIRST	16	/* index of the first HVC */
#define HVC_SECOND	18

BLOB(sum_blob);
BLOB(loop_blob);
BLOB(vec_blob);
#define VEC_UDF		4	/* index of the UDF */
#define VEC_SVC		6

FIXTURE(run) {
	int ctl, box;
	struct s2box_box_info info;
};

FIXTURE_SETUP(run)
{
	self->box = -1;
	self->ctl = s2box_open_ctl();
	ASSERT_LE(0, self->ctl);
	self->box = small_box(_metadata, self->ctl, &self->info);
	ASSERT_LE(0, self->box);
}

FIXTURE_TEARDOWN(run)
{
	if (self->box >= 0)
		close(self->box);
	close(self->ctl);
}

static __u64 ns_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000000000ULL + t.tv_nsec -
	       t0->tv_nsec;
}

/*
 * x0-x7 go in and come back changed, with the HVC's immediate; every
 * other register is the box's own; pc is past the HVC, and RUN again goes
 * on from there with what SET_REGS put in x0.
 */
TEST_F(run, hvc_regs_imm_and_resume)
{
	struct s2box_regs in, out;
	struct s2box_run run;
	int i;

	LOAD(self->box, CODE_IPA, hvc_blob);
	ASSERT_EQ(0, box_get(self->box, &in));
	for (i = 0; i < 31; i++)
		in.x[i] = 0x1111111111111111ULL * (i % 15 + 1) + i;
	in.sp_el0 = 0x5e00;
	in.sp_el1 = 0x5e10;
	ASSERT_EQ(0, box_set(self->box, &in));

	ASSERT_EQ(0, box_run(_metadata, self->box, RUN_BUDGET_NS, &run));
	ASSERT_EQ(S2BOX_EXIT_HVC, run.exit_reason) {
		exit_log(_metadata, &run);
	}
	EXPECT_EQ(0xfeed, run.hvc_imm);
	EXPECT_EQ(EC_HVC64, run.exception_class);
	EXPECT_EQ(EC_HVC64, ESR_EC(run.esr));
	/*
	 * FAR_EL2 is UNKNOWN after an HVC (uapi: @far is for aborts); it
	 * would be the host's last fault address.
	 */
	EXPECT_EQ(0, run.far);
	EXPECT_EQ(0, run.flags);
	ASSERT_EQ(0, box_get(self->box, &out));
	EXPECT_EQ(CODE_IPA + 4 * (HVC_FIRST + 1), out.pc);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(2 * in.x[i] + i + 1, out.x[i]) {
			TH_LOG("x%d", i);
		}
	for (i = 8; i < 31; i++)
		EXPECT_EQ(in.x[i], out.x[i]) {
			TH_LOG("x%d", i);
		}
	EXPECT_EQ(in.sp_el0, out.sp_el0);
	EXPECT_EQ(in.sp_el1, out.sp_el1);
	EXPECT_EQ(PSTATE_RESET, out.pstate);

	out.x[0] = 5;
	ASSERT_EQ(0, box_set(self->box, &out));
	run_to_hvc(_metadata, self->box, 0x1, &out);
	EXPECT_EQ(0x105, out.x[0]);
	EXPECT_EQ(CODE_IPA + 4 * (HVC_SECOND + 1), out.pc);
}

/* The blob sums what the host wrote, across map_align units. */
TEST_F(run, sum_of_host_data)
{
	size_t n = DATA_UNITS * self->info.map_align / 8, i;
	__u64 *v = malloc(n * 8), want = 0;
	struct s2box_regs r;

	ASSERT_NE(NULL, v);
	for (i = 0; i < n; i++) {
		v[i] = (i + 1) * 0x9e3779b97f4a7c15ULL;
		want += v[i];
	}
	ASSERT_EQ((ssize_t)(n * 8), pwrite(self->box, v, n * 8, DATA_IPA));
	LOAD(self->box, CODE_IPA, sum_blob);
	ASSERT_EQ(0, box_get(self->box, &r));
	r.x[0] = DATA_IPA;
	r.x[1] = n;
	ASSERT_EQ(0, box_set(self->box, &r));
	run_to_hvc(_metadata, self->box, 0x5, &r);
	EXPECT_EQ(want, r.x[0]);
	EXPECT_EQ(0, r.x[1]);
	EXPECT_EQ(v[n - 1], r.x[3]);
	free(v);
}

/* Two boxes, the same IPA, different bytes: each sums its own. */
TEST_F(run, boxes_see_their_own_memory)
{
	__u64 a[64], b[64], sum_a = 0, sum_b = 0;
	struct s2box_box_info info;
	struct s2box_regs r;
	int other, i;

	other = small_box(_metadata, self->ctl, &info);
	ASSERT_LE(0, other);
	for (i = 0; i < 64; i++) {
		a[i] = 0xa000000000000000ULL + i;
		b[i] = 0xb000000000000000ULL + 3 * i;
		sum_a += a[i];
		sum_b += b[i];
	}
	ASSERT_EQ(sizeof(a), pwrite(self->box, a, sizeof(a), DATA_IPA));
	ASSERT_EQ(sizeof(b), pwrite(other, b, sizeof(b), DATA_IPA));
	LOAD(self->box, CODE_IPA, sum_blob);
	LOAD(other, CODE_IPA, sum_blob);
	for (i = 0; i < 2; i++) {
		int box = i ? other : self->box;

		ASSERT_EQ(0, box_get(box, &r));
		r.x[0] = DATA_IPA;
		r.x[1] = 64;
		ASSERT_EQ(0, box_set(box, &r));
		run_to_hvc(_metadata, box, 0x5, &r);
		EXPECT_EQ(i ? sum_b : sum_a, r.x[0]) {
			TH_LOG("box %d summed 0x%llx", i, r.x[0]);
		}
	}
	/* Neither run changed the other box's bytes. */
	memset(a, 0, sizeof(a));
	ASSERT_EQ(sizeof(a), pread(other, a, sizeof(a), DATA_IPA));
	EXPECT_EQ(0, memcmp(a, b, sizeof(b)));
	close(other);
}

/* An endless loop with a 10 ms budget ends with a budget exit, in time. */
TEST_F(run, budget_ends_endless_loop)
{
	const __u64 budget = 10 * MSEC, margin = 200 * MSEC;
	struct s2box_regs r;
	struct s2box_run run;
	struct timespec t0;
	__u64 took;

	LOAD(self->box, CODE_IPA, loop_blob);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, box_run(_metadata, self->box, budget, &run));
	took = ns_since(&t0);
	TH_LOG("budget %llu us: RUN took %llu us, %llu us in the box",
	       budget / 1000, took / 1000, run.guest_ns / 1000);
	EXPECT_EQ(S2BOX_EXIT_BUDGET, run.exit_reason) {
		exit_log(_metadata, &run);
	}
	EXPECT_LE(budget, took);
	EXPECT_GT(budget + margin, took);
	EXPECT_LT(0, run.guest_ns);
	EXPECT_GE(took, run.guest_ns);
	ASSERT_EQ(0, box_get(self->box, &r));
	EXPECT_LT(0, r.x[0]);
	EXPECT_TRUE(r.pc == CODE_IPA || r.pc == CODE_IPA + 4);
}

static int signals_seen;

static void count_signal(int sig)
{
	__atomic_fetch_add(&signals_seen, 1, __ATOMIC_RELAXED);
}

/* A handler without SA_RESTART, so that RUN returns EINTR. */
static int catch_signal(int sig)
{
	struct sigaction sa = { .sa_handler = count_signal };

	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/*
 * SIGALRM every 20 ms interrupts a RUN without budget with EINTR; each
 * RUN again resumes the same loop (x0 keeps counting), and a budget ends
 * it at last.
 */
TEST_F(run, eintr_resumes_the_loop)
{
	struct itimerval every = {
		.it_interval = { .tv_usec = 20000 },
		.it_value = { .tv_usec = 20000 },
	}, off = {};
	struct s2box_regs r;
	struct s2box_run run;
	__u64 last = 0;
	int i, ret;

	LOAD(self->box, CODE_IPA, loop_blob);
	ASSERT_EQ(0, catch_signal(SIGALRM));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &every, NULL));
	for (i = 0; i < 4; i++) {
		ret = box_run(_metadata, self->box, 0, &run);
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EINTR, errno) {
			TH_LOG("resume %d: RUN returned %d, exit %s", i, ret,
			       exit_name(run.exit_reason));
		}
		ASSERT_EQ(0, box_get(self->box, &r));
		EXPECT_LT(last, r.x[0]) {
			TH_LOG("resume %d: x0 0x%llx after 0x%llx", i, r.x[0],
			       last);
		}
		EXPECT_TRUE(r.pc == CODE_IPA || r.pc == CODE_IPA + 4) {
			TH_LOG("pc 0x%llx", r.pc);
		}
		last = r.x[0];
	}
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &off, NULL));
	TH_LOG("%d signals, x0 %llu after %d interrupted runs",
	       __atomic_load_n(&signals_seen, __ATOMIC_RELAXED), last, i);
	ASSERT_EQ(0, box_run(_metadata, self->box, 10 * MSEC, &run));
	EXPECT_EQ(S2BOX_EXIT_BUDGET, run.exit_reason);
	ASSERT_EQ(0, box_get(self->box, &r));
	EXPECT_LT(last, r.x[0]);
}

struct runner {
	pthread_t thread;
	int box, ret, err, done;
	__u64 budget_ns;
	struct s2box_run run;
};

static void *runner_main(void *arg)
{
	struct runner *t = arg;

	t->run.budget_ns = t->budget_ns;
	t->ret = ioctl(t->box, S2BOX_RUN, &t->run);
	t->err = errno;
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int runner_done(struct runner *t)
{
	return __atomic_load_n(&t->done, __ATOMIC_ACQUIRE);
}

/*
 * GET_REGS fails with EBUSY exactly while the box runs: wait for that,
 * for up to 10 s, unless the runner's RUN has already returned.
 */
static void wait_running(struct __test_metadata *_metadata,
			 struct runner *t)
{
	struct s2box_regs r;
	int i;

	for (i = 0; i < 10000 && !runner_done(t); i++) {
		if (box_get(t->box, &r) && errno == EBUSY)
			return;
		usleep(1000);
	}
	ASSERT_TRUE(0) {
		TH_LOG("the box never ran: %d polls; RUN %s: %d (%s), exit %s",
		       i, runner_done(t) ? "returned" : "still in",
		       t->ret, strerror(t->err),
		       exit_name(t->run.exit_reason));
	}
}

/*
 * While one thread runs the box (no budget), RUN and SET_REGS from
 * another fail with EBUSY; a signal then stops the first, and the box
 * runs again afterwards.
 */
TEST_F(run, concurrent_run_is_ebusy)
{
	struct runner t = { .box = self->box };
	struct s2box_regs r;
	struct s2box_run run;
	int i;

	LOAD(self->box, CODE_IPA, loop_blob);
	ASSERT_EQ(0, catch_signal(SIGUSR1));
	ASSERT_EQ(0, pthread_create(&t.thread, NULL, runner_main, &t));
	wait_running(_metadata, &t);

	memset(&run, 0, sizeof(run));
	run.budget_ns = 10 * MSEC;
	EXPECT_EQ(-1, ioctl(self->box, S2BOX_RUN, &run));
	EXPECT_EQ(EBUSY, errno);
	memset(&r, 0, sizeof(r));
	r.pstate = PSTATE_RESET;
	EXPECT_EQ(-1, box_set(self->box, &r));
	EXPECT_EQ(EBUSY, errno);

	/* Until the runner is out (a signal could land before its RUN). */
	for (i = 0; i < 500 && !runner_done(&t); i++) {
		pthread_kill(t.thread, SIGUSR1);
		usleep(10000);
	}
	ASSERT_EQ(0, pthread_join(t.thread, NULL));
	EXPECT_EQ(-1, t.ret);
	EXPECT_EQ(EINTR, t.err);

	/*
	 * It runs again: the loop counts in x0. A busy host may spend a
	 * whole budget before the first instruction, so allow a few.
	 */
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, box_run(_metadata, self->box, 10 * MSEC, &run));
		EXPECT_EQ(S2BOX_EXIT_BUDGET, run.exit_reason);
		ASSERT_EQ(0, box_get(self->box, &r));
		if (r.x[0])
			break;
	}
	EXPECT_LT(0, r.x[0]);
}

/*
 * Closing the box fd while another thread runs it is safe: that run
 * ends at its budget as usual, and the box goes away after it.
 */
TEST_F(run, close_while_running)
{
	struct runner t = { .box = self->box, .budget_ns = 500 * MSEC };
	struct s2box_box_info info;
	struct s2box_run run;
	int box;

	LOAD(self->box, CODE_IPA, loop_blob);
	ASSERT_EQ(0, pthread_create(&t.thread, NULL, runner_main, &t));
	wait_running(_metadata, &t);
	EXPECT_EQ(0, close(self->box));
	self->box = -1;
	ASSERT_EQ(0, pthread_join(t.thread, NULL));
	EXPECT_EQ(0, t.ret) {
		TH_LOG("RUN: %s", strerror(t.err));
	}
	EXPECT_EQ(S2BOX_EXIT_BUDGET, t.run.exit_reason) {
		exit_log(_metadata, &t.run);
	}

	/* The module is fine afterwards. */
	box = small_box(_metadata, self->ctl, &info);
	ASSERT_LE(0, box);
	LOAD(box, CODE_IPA, loop_blob);
	ASSERT_EQ(0, box_run(_metadata, box, 5 * MSEC, &run));
	EXPECT_EQ(S2BOX_EXIT_BUDGET, run.exit_reason);
	close(box);
}

/* Runs vec_blob to its vector's HVC with x2 = @svc; leaves regs in @r. */
static void run_vec_blob(struct __test_metadata *_metadata, int box,
			 int svc, struct s2box_regs *r)
{
	LOAD(box, CODE_IPA, vec_blob);
	ASSERT_EQ(0, box_get(box, r));
	r->x[2] = svc;
	ASSERT_EQ(0, box_set(box, r));
	run_to_hvc(_metadata, box, 0xe1, r);
}

/* UDF at EL1 goes to the box's own vector: EC 0x00, ELR at the UDF. */
TEST_F(run, udf_goes_to_box_vbar)
{
	struct s2box_regs r;

	run_vec_blob(_metadata, self->box, 0, &r);
	EXPECT_EQ(EC_UNKNOWN, r.x[0]);
	EXPECT_EQ(CODE_IPA + 4 * VEC_UDF, r.x[1]);
	EXPECT_EQ(r.x[2], r.esr);
	EXPECT_EQ(CODE_IPA + 4 * VEC_UDF, r.elr);
	EXPECT_EQ(CODE_IPA + 0x800, r.vbar);
}

/* SVC at EL1 too: EC 0x15 with its immediate, ELR past the SVC. */
TEST_F(run, svc_goes_to_box_vbar)
{
	struct s2box_regs r;

	run_vec_blob(_metadata, self->box, 1, &r);
	EXPECT_EQ(EC_SVC64, r.x[0]);
	EXPECT_EQ(0x1357, r.x[2] & 0xffff);
	EXPECT_EQ(CODE_IPA + 4 * (VEC_SVC + 1), r.x[1]);
	EXPECT_EQ(CODE_IPA + 4 * (VEC_SVC + 1), r.elr);
}

TEST_HARNESS_MAIN
