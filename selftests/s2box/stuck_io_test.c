// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests of a box whose pwrite() never finishes: the user buffer
 * is a userfaultfd range nobody serves, so the copy sleeps with the box's
 * lock held for as long as its owner likes. Nothing another user needs may
 * wait for it: netlink dumps and GET_BOX, CREATE_BOX, closing other boxes,
 * the statistics, and the stuck box's own GET_BOX_INFO must each finish
 * within a second. A call that does not is reported and left to finish
 * once the test serves the fault, so a regression fails instead of hanging.
 */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/userfaultfd.h>

#include "../kselftest_harness.h"
#include "nl_util.h"

#define STUCK_IPA_BITS	36
#define BOUND_MS	1000	/* what "does not wait for the stuck box" means */
#define FAULT_WAIT_MS	5000	/* for the pwrite to reach the userfaultfd */
#define MAX_CALLS	4

struct stuck_call;
typedef int (*stuck_fn)(struct stuck_call *c);

/* One call made from its own thread while the pwrite is stuck. */
struct stuck_call {
	const char *what;
	stuck_fn fn;
	int ctl, box;		/* /dev/s2box; the box the call is about */
	__u64 id;		/* the stuck box's id */
	struct nl nl;		/* opened before the pwrite got stuck */
	struct nl_reply *rep;
	pthread_t thread;
	bool started, joined;
	int err;		/* 0, or -errno of what failed */
	char why[128];
};

FIXTURE(stuck) {
	int ctl;
	unsigned int granule;
	int box, other;		/* the stuck box; one nobody uses */
	__u64 id;
	int uffd;
	char *buf;		/* registered with uffd, never touched */
	size_t page;
	pthread_t writer;
	bool writer_started;
	ssize_t written;
	int write_errno;
	bool wrote;		/* the pwrite returned */
	struct stuck_call calls[MAX_CALLS];
	int ncalls;
};

static void *writer_main(void *arg)
{
	struct _test_data_stuck *self = arg;

	self->written = pwrite(self->box, self->buf, self->page, CODE_IPA);
	self->write_errno = errno;
	__atomic_store_n(&self->wrote, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Registers self->buf with a new userfaultfd. Returns 0, 1 if this kernel
 * gives the caller no userfaultfd (a SKIP), or -errno; @why says which.
 */
static int stuck_uffd_open(struct _test_data_stuck *self, char *why,
			   size_t len)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	self->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (self->uffd < 0) {
		snprintf(why, len, "userfaultfd(): %s (%s)", strerror(errno),
			 "CONFIG_USERFAULTFD, vm.unprivileged_userfaultfd");
		return 1;
	}
	if (ioctl(self->uffd, UFFDIO_API, &api)) {
		snprintf(why, len, "UFFDIO_API: %s", strerror(errno));
		return -errno;
	}
	self->buf = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (self->buf == MAP_FAILED) {
		self->buf = NULL;
		snprintf(why, len, "mmap: %s", strerror(errno));
		return -errno;
	}
	reg.range.start = (unsigned long)self->buf;
	reg.range.len = self->page;
	if (ioctl(self->uffd, UFFDIO_REGISTER, &reg)) {
		snprintf(why, len, "UFFDIO_REGISTER (missing): %s",
			 strerror(errno));
		return -errno;
	}
	return 0;
}

/* Waits until the pwrite sleeps in the userfaultfd, inside the box. */
static bool stuck_wait_fault(struct _test_data_stuck *self)
{
	struct pollfd p = { .fd = self->uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&p, 1, FAULT_WAIT_MS) != 1 ||
	    read(self->uffd, &msg, sizeof(msg)) != sizeof(msg))
		return false;
	return msg.event == UFFD_EVENT_PAGEFAULT &&
	       msg.arg.pagefault.address - (unsigned long)self->buf <
	       self->page;
}

FIXTURE_SETUP(stuck)
{
	struct s2box_box_info info;
	char why[160];
	int err;

	self->box = -1;
	self->other = -1;
	self->uffd = -1;
	self->page = sysconf(_SC_PAGESIZE);
	self->ctl = s2box_open_ctl();
	ASSERT_LE(0, self->ctl) {
		TH_LOG("%s: %s", S2BOX_DEVICE_PATH, strerror(errno));
	}
	self->granule = s2box_any_granule(self->ctl);
	self->box = s2box_create(self->ctl, STUCK_IPA_BITS, self->granule);
	ASSERT_LE(0, self->box);
	self->other = s2box_create(self->ctl, STUCK_IPA_BITS, self->granule);
	ASSERT_LE(0, self->other);
	ASSERT_EQ(0, ioctl(self->box, S2BOX_GET_BOX_INFO, &info));
	self->id = info.box_id;
	ASSERT_EQ(0, box_map(self->box, CODE_IPA, info.map_align,
			     S2BOX_PROT_READ | S2BOX_PROT_WRITE));
	err = stuck_uffd_open(self, why, sizeof(why));
	if (err == 1)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, err) {
		TH_LOG("%s", why);
	}
}

/* Serve the fault, so the pwrite (and whatever waits for it) finishes. */
static void stuck_release(struct __test_metadata *_metadata,
			  struct _test_data_stuck *self)
{
	struct uffdio_zeropage zp = {
		.range = { .start = (unsigned long)self->buf,
			   .len = self->page },
	};
	int i;

	if (self->uffd >= 0 && ioctl(self->uffd, UFFDIO_ZEROPAGE, &zp))
		TH_LOG("UFFDIO_ZEROPAGE: %s; closing the userfaultfd instead",
		       strerror(errno));
	/* Also unregisters the range and wakes any fault still waiting. */
	if (self->uffd >= 0)
		close(self->uffd);
	self->uffd = -1;
	if (self->writer_started) {
		pthread_join(self->writer, NULL);
		self->writer_started = false;
		EXPECT_EQ((ssize_t)self->page, self->written) {
			TH_LOG("the stuck pwrite, once served: %s",
			       strerror(self->write_errno));
		}
	}
	for (i = 0; i < self->ncalls; i++) {
		struct stuck_call *c = &self->calls[i];

		if (c->started && !c->joined)
			pthread_join(c->thread, NULL);
		c->joined = true;
		if (c->nl.fd >= 0)
			close(c->nl.fd);
		c->nl.fd = -1;
		free(c->rep);
		c->rep = NULL;
	}
	self->ncalls = 0;
}

FIXTURE_TEARDOWN(stuck)
{
	stuck_release(_metadata, self);
	if (self->buf)
		munmap(self->buf, self->page);
	if (self->other >= 0)
		close(self->other);
	if (self->box >= 0)
		close(self->box);
	if (self->ctl >= 0)
		close(self->ctl);
}

/* Starts the pwrite and returns once it sleeps in the userfaultfd. */
static void stuck_start(struct __test_metadata *_metadata,
			struct _test_data_stuck *self)
{
	ASSERT_EQ(0, pthread_create(&self->writer, NULL, writer_main, self));
	self->writer_started = true;
	ASSERT_TRUE(stuck_wait_fault(self)) {
		TH_LOG("the pwrite never faulted on the userfaultfd range (returned %zd: %s)",
		       self->written, strerror(self->write_errno));
	}
}

/* Adds a call; netlink ones get their socket now, before anything sticks. */
static struct stuck_call *stuck_add(struct __test_metadata *_metadata,
				    struct _test_data_stuck *self,
				    const char *what, stuck_fn fn, bool nl)
{
	struct stuck_call *c;

	if (self->ncalls >= MAX_CALLS)
		return NULL;
	c = &self->calls[self->ncalls++];
	memset(c, 0, sizeof(*c));
	c->what = what;
	c->fn = fn;
	c->ctl = self->ctl;
	c->box = self->box;
	c->id = self->id;
	c->nl.fd = -1;
	c->rep = malloc(sizeof(*c->rep));
	if (!c->rep)
		return NULL;
	if (nl && nl_open(&c->nl, c->rep)) {
		TH_LOG("%s: generic netlink family: %s", what,
		       strerror(errno));
		return NULL;
	}
	return c;
}

static void *call_main(void *arg)
{
	struct stuck_call *c = arg;

	c->err = c->fn(c);
	return NULL;
}

static double elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 +
	       (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * Runs the calls, each from its own thread, started one after another
 * (so a call that holds something up is already in the kernel when the
 * next starts), and checks that each ends within BOUND_MS of its start.
 * A late call is left running: stuck_release() lets it finish.
 */
static void stuck_run(struct __test_metadata *_metadata,
		      struct _test_data_stuck *self)
{
	struct timespec t0[MAX_CALLS], deadline;
	int i, err;

	for (i = 0; i < self->ncalls; i++) {
		struct stuck_call *c = &self->calls[i];

		clock_gettime(CLOCK_MONOTONIC, &t0[i]);
		ASSERT_EQ(0, pthread_create(&c->thread, NULL, call_main, c));
		c->started = true;
		usleep(50 * 1000);
	}
	for (i = 0; i < self->ncalls; i++) {
		struct stuck_call *c = &self->calls[i];

		/* pthread_timedjoin_np() measures against CLOCK_REALTIME. */
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_nsec += (long)((BOUND_MS - elapsed_ms(&t0[i])) *
					   1e6);
		if (deadline.tv_nsec < 0)
			deadline.tv_nsec = 0;
		deadline.tv_sec += deadline.tv_nsec / 1000000000L;
		deadline.tv_nsec %= 1000000000L;
		err = pthread_timedjoin_np(c->thread, NULL, &deadline);
		if (!err)
			c->joined = true;
		EXPECT_EQ(0, err) {
			TH_LOG("%s: still waiting after %.0f ms %s", c->what,
			       elapsed_ms(&t0[i]),
			       "behind a pwrite stuck on a userfaultfd");
		}
		if (!err)
			EXPECT_EQ(0, c->err) {
				TH_LOG("%s: %s (%s)", c->what, strerror(-c->err),
				       c->why);
			}
	}
	/* Nothing may have let the pwrite itself go. */
	EXPECT_FALSE(__atomic_load_n(&self->wrote, __ATOMIC_ACQUIRE));
	stuck_release(_metadata, self);
}

/* --- the calls ------------------------------------------------------------ */

/* A dump of every box, which must include the stuck one. */
static int call_dump(struct stuck_call *c)
{
	struct nlattr *tb[S2BOX_ATTR_MAX + 1];
	struct nl_dump d;
	bool seen = false;
	int n;

	nl_dump_start(&c->nl, &d, S2BOX_CMD_GET_BOX, c->rep->buf);
	while ((n = nl_dump_next(&d, tb)) > 0)
		if (tb[S2BOX_ATTR_BOX_ID] &&
		    nla_u64(tb[S2BOX_ATTR_BOX_ID]) == c->id)
			seen = tb[S2BOX_ATTR_BOX_MAPPED_BYTES];
	if (n < 0) {
		snprintf(c->why, sizeof(c->why), "dump ended with an error");
		return -d.err;
	}
	if (!seen) {
		snprintf(c->why, sizeof(c->why),
			 "the stuck box is missing from the dump");
		return -ENOENT;
	}
	return 0;
}

static int call_get_box(struct stuck_call *c)
{
	if (nl_get_box(&c->nl, c->id, c->rep)) {
		snprintf(c->why, sizeof(c->why), "no answer");
		return errno ? -errno : -EIO;
	}
	if (c->rep->err) {
		snprintf(c->why, sizeof(c->why), "extack \"%.100s\"",
			 c->rep->extack);
		return -c->rep->err;
	}
	if (!c->rep->tb[S2BOX_ATTR_BOX_ID] ||
	    nla_u64(c->rep->tb[S2BOX_ATTR_BOX_ID]) != c->id) {
		snprintf(c->why, sizeof(c->why), "a reply about another box");
		return -EPROTO;
	}
	return 0;
}

static int call_get_stats(struct stuck_call *c)
{
	struct nl_req r;

	req_init(&r, c->nl.family, S2BOX_CMD_GET_STATS, 0);
	if (nl_do(&c->nl, &r, c->rep)) {
		snprintf(c->why, sizeof(c->why), "no answer");
		return errno ? -errno : -EIO;
	}
	if (!c->rep->err && !c->rep->tb[S2BOX_ATTR_STAT_BOXES_ALIVE]) {
		snprintf(c->why, sizeof(c->why), "no boxes-alive count");
		return -EPROTO;
	}
	return -c->rep->err;
}

static int call_create_close(struct stuck_call *c)
{
	int box = s2box_create(c->ctl, STUCK_IPA_BITS,
			       s2box_any_granule(c->ctl));

	if (box < 0) {
		snprintf(c->why, sizeof(c->why), "S2BOX_CREATE_BOX");
		return -errno;
	}
	if (close(box)) {
		snprintf(c->why, sizeof(c->why), "close");
		return -errno;
	}
	return 0;
}

/* c->box here is the other, idle box: its close is its last reference. */
static int call_close(struct stuck_call *c)
{
	if (close(c->box)) {
		snprintf(c->why, sizeof(c->why), "close");
		return -errno;
	}
	return 0;
}

/*
 * Another generic netlink family's request (the controller's family
 * lookup): genetlink runs the handlers of families without parallel_ops
 * under one mutex for the whole host, so s2box's must never sleep.
 */
static int call_nlctrl(struct stuck_call *c)
{
	struct nl nl;

	if (nl_open(&nl, c->rep)) {
		snprintf(c->why, sizeof(c->why), "CTRL_CMD_GETFAMILY");
		return -errno;
	}
	close(nl.fd);
	return 0;
}

/* The stuck box's own counters: reading them needs none of its locks. */
static int call_box_info(struct stuck_call *c)
{
	struct s2box_box_info info;

	if (ioctl(c->box, S2BOX_GET_BOX_INFO, &info)) {
		snprintf(c->why, sizeof(c->why), "S2BOX_GET_BOX_INFO");
		return -errno;
	}
	if (info.box_id != c->id || !info.mapped_bytes) {
		snprintf(c->why, sizeof(c->why),
			 "box %llu with %llu bytes mapped",
			 (unsigned long long)info.box_id,
			 (unsigned long long)info.mapped_bytes);
		return -EPROTO;
	}
	return 0;
}

/* --- the tests ------------------------------------------------------------ */

/* The case: an operator's dump, then someone creating a box. */
TEST_F(stuck, dump_and_create_box)
{
	ASSERT_NE(NULL, stuck_add(_metadata, self, "GET_BOX dump", call_dump,
				  true));
	ASSERT_NE(NULL, stuck_add(_metadata, self, "CREATE_BOX and close",
				  call_create_close, false));
	ASSERT_NE(NULL, stuck_add(_metadata, self, "nlctrl family lookup",
				  call_nlctrl, false));
	stuck_start(_metadata, self);
	stuck_run(_metadata, self);
}

/* GET_BOX of the stuck box itself, then closing another box. */
TEST_F(stuck, get_box_and_close_other_box)
{
	struct stuck_call *c;

	ASSERT_NE(NULL, stuck_add(_metadata, self, "GET_BOX of the stuck box",
				  call_get_box, true));
	c = stuck_add(_metadata, self, "closing another box", call_close,
		      false);
	ASSERT_NE(NULL, c);
	c->box = self->other;
	self->other = -1;	/* the call closes it */
	stuck_start(_metadata, self);
	stuck_run(_metadata, self);
}

TEST_F(stuck, stats_and_own_box_info)
{
	ASSERT_NE(NULL, stuck_add(_metadata, self, "GET_STATS", call_get_stats,
				  true));
	ASSERT_NE(NULL, stuck_add(_metadata, self,
				  "GET_BOX_INFO of the stuck box",
				  call_box_info, false));
	ASSERT_NE(NULL, stuck_add(_metadata, self, "GET_BOX dump",
				  call_dump, true));
	stuck_start(_metadata, self);
	stuck_run(_metadata, self);
}

TEST_HARNESS_MAIN
