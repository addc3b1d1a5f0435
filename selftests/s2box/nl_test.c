// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests of the generic netlink family "s2box": GET_CAPS and
 * GET_BOX against the ioctls, dumps of hundreds of boxes over several
 * messages (also while boxes come and go), strict validation with extack
 * messages, what an unprivileged caller may see and join, the events a
 * monitor receives, and the statistics.
 */

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "nl_util.h"
#include "pinned_util.h"

#define NOBODY		65534
#define DUMP_BOXES	300

FIXTURE(nl) {
	int ctl;
	unsigned int granule;
	struct s2box_caps caps;
	struct nl nl;
	struct nl_reply *rep;
};

FIXTURE_SETUP(nl)
{
	self->nl.fd = -1;
	self->rep = malloc(sizeof(*self->rep));
	ASSERT_NE(NULL, self->rep);
	self->ctl = s2box_open_ctl();
	ASSERT_LE(0, self->ctl) {
		TH_LOG("%s: %s", S2BOX_DEVICE_PATH, strerror(errno));
	}
	ASSERT_EQ(0, ioctl(self->ctl, S2BOX_GET_CAPS, &self->caps));
	self->granule = s2box_any_granule(self->ctl);
	ASSERT_EQ(0, nl_open(&self->nl, self->rep)) {
		TH_LOG("generic netlink family \"%s\": %s", S2BOX_GENL_NAME,
		       strerror(errno));
	}
}

FIXTURE_TEARDOWN(nl)
{
	if (self->nl.fd >= 0)
		close(self->nl.fd);
	if (self->ctl >= 0)
		close(self->ctl);
	free(self->rep);
}

static struct nlattr **do_cmd(struct __test_metadata *_metadata,
			      struct nl *nl, struct nl_reply *rep, __u8 cmd)
{
	struct nl_req r;

	req_init(&r, nl->family, cmd, 0);
	EXPECT_EQ(0, nl_do(nl, &r, rep));
	EXPECT_EQ(0, rep->err) {
		TH_LOG("cmd %u: %s (extack \"%s\")", cmd, strerror(rep->err),
		       rep->extack);
	}
	return rep->tb;
}

static __u64 get64(struct __test_metadata *_metadata, struct nlattr **tb,
		   int attr)
{
	EXPECT_NE(NULL, tb[attr]) {
		TH_LOG("attribute %d missing", attr);
	}
	return tb[attr] ? nla_u64(tb[attr]) : ~0ULL;
}

static __u32 get32(struct __test_metadata *_metadata, struct nlattr **tb,
		   int attr)
{
	EXPECT_NE(NULL, tb[attr]) {
		TH_LOG("attribute %d missing", attr);
	}
	return tb[attr] ? nla_u32(tb[attr]) : ~0U;
}

/* The S2BOX_ATTR_EXITS_* counts nested in @nest. */
static void get_exits(struct nlattr *nest, __u64 *exits)
{
	struct nlattr *tb[S2BOX_ATTR_EXITS_MAX + 1];
	int i;

	nl_parse(tb, S2BOX_ATTR_EXITS_MAX, NLA_DATA(nest),
		 nest->nla_len - NLA_HDRLEN);
	for (i = S2BOX_ATTR_EXITS_HVC; i <= S2BOX_ATTR_EXITS_MAX; i++)
		exits[i] = tb[i] ? nla_u64(tb[i]) : ~0ULL;
}

TEST_F(nl, caps_match_ioctl)
{
	struct nlattr **tb = do_cmd(_metadata, &self->nl, self->rep,
				    S2BOX_CMD_GET_CAPS);
	const struct s2box_caps *c = &self->caps;

	EXPECT_EQ(S2BOX_CMD_GET_CAPS, self->rep->cmd);
	EXPECT_EQ(c->flags, get32(_metadata, tb, S2BOX_ATTR_CAP_FLAGS));
	EXPECT_EQ(c->api_version,
		  get32(_metadata, tb, S2BOX_ATTR_CAP_API_VERSION));
	EXPECT_EQ(c->pa_bits, get32(_metadata, tb, S2BOX_ATTR_CAP_PA_BITS));
	EXPECT_EQ(c->granules, get32(_metadata, tb, S2BOX_ATTR_CAP_GRANULES));
	EXPECT_EQ(c->ipa_bits_max_4k,
		  get32(_metadata, tb, S2BOX_ATTR_CAP_IPA_MAX_4K));
	EXPECT_EQ(c->ipa_bits_max_16k,
		  get32(_metadata, tb, S2BOX_ATTR_CAP_IPA_MAX_16K));
	EXPECT_EQ(c->ipa_bits_max_64k,
		  get32(_metadata, tb, S2BOX_ATTR_CAP_IPA_MAX_64K));
	EXPECT_EQ(c->vmid_bits, get32(_metadata, tb, S2BOX_ATTR_CAP_VMID_BITS));
	EXPECT_EQ(c->host_page_size,
		  get32(_metadata, tb, S2BOX_ATTR_CAP_HOST_PAGE_SIZE));
}

/* GET_BOX of @box must say what GET_BOX_INFO says. */
static void check_box(struct __test_metadata *_metadata, struct nl *nl,
		      struct nl_reply *rep, int box)
{
	struct s2box_box_info i;
	struct nlattr **tb = rep->tb;
	__u64 exits[S2BOX_ATTR_EXITS_MAX + 1];
	int k;

	ASSERT_EQ(0, ioctl(box, S2BOX_GET_BOX_INFO, &i));
	ASSERT_EQ(0, nl_get_box(nl, i.box_id, rep));
	ASSERT_EQ(0, rep->err) {
		TH_LOG("GET_BOX %llu: %s (%s)", i.box_id, strerror(rep->err),
		       rep->extack);
	}
	EXPECT_EQ(S2BOX_CMD_GET_BOX, rep->cmd);
	EXPECT_EQ(i.box_id, get64(_metadata, tb, S2BOX_ATTR_BOX_ID));
	EXPECT_EQ(getpid(), get32(_metadata, tb, S2BOX_ATTR_BOX_OWNER_PID));
	EXPECT_EQ(getuid(), get32(_metadata, tb, S2BOX_ATTR_BOX_OWNER_UID));
	EXPECT_EQ(i.ipa_bits, get32(_metadata, tb, S2BOX_ATTR_BOX_IPA_BITS));
	EXPECT_EQ(i.granule, get32(_metadata, tb, S2BOX_ATTR_BOX_GRANULE));
	EXPECT_EQ(i.vtcr, get64(_metadata, tb, S2BOX_ATTR_BOX_VTCR));
	EXPECT_EQ(i.levels, get32(_metadata, tb, S2BOX_ATTR_BOX_LEVELS));
	EXPECT_EQ(i.start_level,
		  (__s32)get32(_metadata, tb, S2BOX_ATTR_BOX_START_LEVEL));
	EXPECT_EQ(i.sl0, get32(_metadata, tb, S2BOX_ATTR_BOX_SL0));
	EXPECT_EQ(i.t0sz, get32(_metadata, tb, S2BOX_ATTR_BOX_T0SZ));
	EXPECT_EQ(i.ps, get32(_metadata, tb, S2BOX_ATTR_BOX_PS));
	EXPECT_EQ(i.ds, get32(_metadata, tb, S2BOX_ATTR_BOX_DS));
	EXPECT_EQ(i.vs, get32(_metadata, tb, S2BOX_ATTR_BOX_VS));
	EXPECT_EQ(i.root_pages,
		  get32(_metadata, tb, S2BOX_ATTR_BOX_ROOT_PAGES));
	EXPECT_EQ(i.mapped_bytes,
		  get64(_metadata, tb, S2BOX_ATTR_BOX_MAPPED_BYTES));
	EXPECT_EQ(i.table_pages,
		  get64(_metadata, tb, S2BOX_ATTR_BOX_TABLE_PAGES));
	EXPECT_EQ(S2BOX_STATE_IDLE,
		  get32(_metadata, tb, S2BOX_ATTR_BOX_STATE));
	ASSERT_NE(NULL, tb[S2BOX_ATTR_BOX_EXITS]);
	get_exits(tb[S2BOX_ATTR_BOX_EXITS], exits);
	for (k = S2BOX_ATTR_EXITS_HVC; k <= S2BOX_ATTR_EXITS_MAX; k++) {
		EXPECT_NE(~0ULL, exits[k]) {
			TH_LOG("exit count %d missing", k);
		}
	}
}

TEST_F(nl, get_box_matches_box_info)
{
	static const unsigned int granules[] = {
		S2BOX_GRANULE_4K, S2BOX_GRANULE_16K, S2BOX_GRANULE_64K
	};
	struct s2box_box_info info;
	struct s2box_map m = { .ipa = 0, .prot = S2BOX_PROT_READ };
	unsigned int g, limit, bits[2];
	int b, box;

	for (g = 0; g < 3; g++) {
		limit = s2box_ipa_limit(&self->caps, granules[g]);
		if (!limit)
			continue;
		bits[0] = S2BOX_IPA_BITS_MIN;
		bits[1] = limit;
		for (b = 0; b < 2; b++) {
			box = s2box_create(self->ctl, bits[b], granules[g]);
			ASSERT_LE(0, box);
			check_box(_metadata, &self->nl, self->rep, box);
			/* Mapping moves mapped_bytes and table_pages. */
			ASSERT_EQ(0, ioctl(box, S2BOX_GET_BOX_INFO, &info));
			m.size = info.map_align;
			ASSERT_EQ(0, ioctl(box, S2BOX_MAP, &m));
			check_box(_metadata, &self->nl, self->rep, box);
			EXPECT_EQ(info.map_align,
				  nla_u64(self->rep->tb[S2BOX_ATTR_BOX_MAPPED_BYTES]));
			close(box);
		}
	}
}

/* Every visible box by a dump; counts how often each of @ids was seen. */
struct seen {
	const __u64 *ids;
	int n;
	int *count;
	int others, out_of_order;
	__u64 last;
};

static void seen_one(struct seen *s, __u64 id)
{
	int i;

	if (id <= s->last)
		s->out_of_order++;
	s->last = id;
	for (i = 0; i < s->n; i++) {
		if (s->ids[i] == id) {
			s->count[i]++;
			return;
		}
	}
	s->others++;
}

static void raise_nofile(struct __test_metadata *_metadata, rlim_t want)
{
	struct rlimit rl;

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want;
	if (rl.rlim_max < want)
		rl.rlim_max = want;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl)) {
		TH_LOG("RLIMIT_NOFILE %lu: %s", (unsigned long)want,
		       strerror(errno));
	}
}

/* @n boxes, fds in @fds, ids in @ids. */
static void make_boxes(struct __test_metadata *_metadata, int ctl,
		       unsigned int granule, int *fds, __u64 *ids, int n)
{
	int i;

	raise_nofile(_metadata, n + 64);
	for (i = 0; i < n; i++) {
		fds[i] = s2box_create(ctl, S2BOX_IPA_BITS_MIN, granule);
		ASSERT_LE(0, fds[i]) {
			TH_LOG("box %d: %s", i, strerror(errno));
		}
		ids[i] = box_id(fds[i]);
		ASSERT_NE(0, ids[i]);
	}
}

TEST_F_TIMEOUT(nl, dump_hundreds_once_each, 120)
{
	int fds[DUMP_BOXES], count[DUMP_BOXES] = { 0 }, i, ret;
	__u64 ids[DUMP_BOXES];
	struct seen s = { .ids = ids, .n = DUMP_BOXES, .count = count };
	struct nlattr *tb[S2BOX_ATTR_MAX + 1];
	struct nl_dump d;

	make_boxes(_metadata, self->ctl, self->granule, fds, ids, DUMP_BOXES);
	nl_dump_start(&self->nl, &d, S2BOX_CMD_GET_BOX, self->rep->buf);
	while ((ret = nl_dump_next(&d, tb)) > 0) {
		ASSERT_NE(NULL, tb[S2BOX_ATTR_BOX_ID]);
		seen_one(&s, nla_u64(tb[S2BOX_ATTR_BOX_ID]));
	}
	ASSERT_EQ(0, ret) {
		TH_LOG("dump: %s", strerror(d.err));
	}
	EXPECT_LE(2, d.recvs) {
		TH_LOG("%d boxes came in one message", DUMP_BOXES);
	}
	TH_LOG("%d boxes in %d messages", DUMP_BOXES, d.recvs);
	EXPECT_EQ(0, s.out_of_order);
	for (i = 0; i < DUMP_BOXES; i++) {
		EXPECT_EQ(1, count[i]) {
			TH_LOG("box %llu seen %d times", ids[i], count[i]);
		}
	}
	for (i = 0; i < DUMP_BOXES; i++)
		close(fds[i]);
}

/*
 * After the first message, one box already sent and one not yet sent
 * are destroyed and a new one created: every box that lived throughout
 * still comes exactly once, and no id twice.
 */
TEST_F_TIMEOUT(nl, dump_while_boxes_change, 120)
{
	int fds[DUMP_BOXES + 1], count[DUMP_BOXES + 1] = { 0 }, i, ret;
	__u64 ids[DUMP_BOXES + 1];
	struct seen s = { .ids = ids, .n = DUMP_BOXES + 1, .count = count };
	struct nlattr *tb[S2BOX_ATTR_MAX + 1];
	int early = 0, late = DUMP_BOXES - 1, fresh = DUMP_BOXES;
	struct nl_dump d;
	bool changed = false;

	make_boxes(_metadata, self->ctl, self->granule, fds, ids, DUMP_BOXES);
	ids[fresh] = 0;
	fds[fresh] = -1;
	nl_dump_start(&self->nl, &d, S2BOX_CMD_GET_BOX, self->rep->buf);
	while ((ret = nl_dump_next(&d, tb)) > 0) {
		ASSERT_NE(NULL, tb[S2BOX_ATTR_BOX_ID]);
		seen_one(&s, nla_u64(tb[S2BOX_ATTR_BOX_ID]));
		if (changed || d.off < d.len)
			continue;
		/* The first message is read; the rest is still to come. */
		EXPECT_EQ(1, count[early]);
		EXPECT_EQ(0, count[late]);
		close(fds[early]);
		close(fds[late]);
		fds[early] = -1;
		fds[late] = -1;
		fds[fresh] = s2box_create(self->ctl, S2BOX_IPA_BITS_MIN,
					  self->granule);
		ASSERT_LE(0, fds[fresh]);
		ids[fresh] = box_id(fds[fresh]);
		changed = true;
	}
	ASSERT_EQ(0, ret) {
		TH_LOG("dump: %s", strerror(d.err));
	}
	ASSERT_TRUE(changed);
	TH_LOG("%d messages; NLM_F_DUMP_INTR %sseen; new box seen %d time(s)",
	       d.recvs, d.intr ? "" : "not ", count[fresh]);
	EXPECT_EQ(0, s.out_of_order);
	for (i = 0; i <= DUMP_BOXES; i++) {
		if (i == early || i == late || i == fresh) {
			EXPECT_GE(1, count[i]);
		} else {
			EXPECT_EQ(1, count[i]) {
				TH_LOG("box %llu seen %d times", ids[i],
				       count[i]);
			}
		}
		if (fds[i] >= 0)
			close(fds[i]);
	}
}

/* @r must fail with EINVAL and an extack message or missing-attr type. */
static void expect_einval(struct __test_metadata *_metadata, struct nl *nl,
			  struct nl_req *r, struct nl_reply *rep,
			  const char *what, bool text)
{
	ASSERT_EQ(0, nl_do(nl, r, rep)) {
		TH_LOG("%s: no answer", what);
	}
	EXPECT_EQ(EINVAL, rep->err) {
		TH_LOG("%s: %s", what, strerror(rep->err));
	}
	if (text)
		EXPECT_NE(0, strlen(rep->extack)) {
			TH_LOG("%s: no extack message", what);
		}
	TH_LOG("%s: extack \"%s\"%s", what, rep->extack,
	       rep->has_offs ? " (with the attribute's offset)" : "");
}

TEST_F(nl, bad_attributes_einval_with_extack)
{
	struct nl *nl = &self->nl;
	int box = s2box_create(self->ctl, S2BOX_IPA_BITS_MIN, self->granule);
	__u64 id = box_id(box);
	__u32 id32 = id, zero = 0;
	struct nl_req r;

	ASSERT_LE(0, box);
	req_init(&r, nl->family, S2BOX_CMD_GET_BOX, 0);
	req_put(&r, S2BOX_ATTR_BOX_ID, &id, sizeof(id));
	req_put(&r, S2BOX_ATTR_MAX + 1, &zero, sizeof(zero));
	expect_einval(_metadata, nl, &r, self->rep, "unknown attribute", true);

	req_init(&r, nl->family, S2BOX_CMD_GET_BOX, 0);
	req_put(&r, S2BOX_ATTR_BOX_ID, &id32, sizeof(id32));
	expect_einval(_metadata, nl, &r, self->rep, "4-byte BOX_ID", true);
	EXPECT_TRUE(self->rep->has_offs);

	req_init(&r, nl->family, S2BOX_CMD_GET_BOX, 0);
	req_put(&r, S2BOX_ATTR_BOX_OWNER_UID, &zero, sizeof(zero));
	req_put(&r, S2BOX_ATTR_BOX_ID, &id, sizeof(id));
	expect_einval(_metadata, nl, &r, self->rep, "reply-only attribute",
		      true);

	req_init(&r, nl->family, S2BOX_CMD_GET_CAPS, 0);
	req_put(&r, S2BOX_ATTR_BOX_ID, &id, sizeof(id));
	expect_einval(_metadata, nl, &r, self->rep, "attribute on GET_CAPS",
		      true);

	req_init(&r, nl->family, S2BOX_CMD_GET_STATS, 0);
	req_put(&r, S2BOX_ATTR_CAP_FLAGS, &zero, sizeof(zero));
	expect_einval(_metadata, nl, &r, self->rep, "attribute on GET_STATS",
		      true);

	req_init(&r, nl->family, S2BOX_CMD_GET_BOX, NLM_F_DUMP);
	req_put(&r, S2BOX_ATTR_MAX + 1, &zero, sizeof(zero));
	expect_einval(_metadata, nl, &r, self->rep, "unknown attribute (dump)",
		      true);

	req_init(&r, nl->family, S2BOX_CMD_GET_CAPS, 0);
	r.g.reserved = 1;
	expect_einval(_metadata, nl, &r, self->rep, "reserved header field",
		      false);

	/* No text here: the kernel names the missing attribute by type. */
	req_init(&r, nl->family, S2BOX_CMD_GET_BOX, 0);
	expect_einval(_metadata, nl, &r, self->rep, "GET_BOX without BOX_ID",
		      false);
	EXPECT_TRUE(self->rep->extack[0] ||
		    self->rep->miss_type == S2BOX_ATTR_BOX_ID) {
		TH_LOG("neither a message nor the missing attribute's type");
	}

	req_init(&r, nl->family, S2BOX_CMD_MAX + 1, 0);
	ASSERT_EQ(0, nl_do(nl, &r, self->rep));
	EXPECT_EQ(EOPNOTSUPP, self->rep->err);
	close(box);
}

TEST_F(nl, missing_box_enoent)
{
	int box = s2box_create(self->ctl, S2BOX_IPA_BITS_MIN, self->granule);
	__u64 ids[2] = { box_id(box), ~0ULL };
	int i;

	ASSERT_LE(0, box);
	close(box);	/* its id now names no box, and never will again */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, nl_get_box(&self->nl, ids[i], self->rep));
		EXPECT_EQ(ENOENT, self->rep->err) {
			TH_LOG("box %llu: %s", ids[i],
			       strerror(self->rep->err));
		}
		EXPECT_NE(NULL, strstr(self->rep->extack, "no such box")) {
			TH_LOG("extack \"%s\"", self->rep->extack);
		}
	}
}

/* The unprivileged half of unprivileged_sees_only_own, in a child. */
static void as_nobody(struct __test_metadata *_metadata, int ctl,
		      unsigned int granule, __u64 root_id, struct nl_reply *rep)
{
	struct nlattr *tb[S2BOX_ATTR_MAX + 1];
	int own, ret, mine = 0, roots = 0, foreign = 0;
	struct nl_dump d;
	struct nl nl;
	__u64 own_id, id;

	ASSERT_EQ(0, setgroups(0, NULL));
	ASSERT_EQ(0, setgid(NOBODY));
	ASSERT_EQ(0, setuid(NOBODY));
	/* The device was opened as root; the box is nobody's. */
	own = s2box_create(ctl, S2BOX_IPA_BITS_MIN, granule);
	ASSERT_LE(0, own);
	own_id = box_id(own);
	ASSERT_EQ(0, nl_open(&nl, rep)) {
		TH_LOG("netlink as uid %d: %s", NOBODY, strerror(errno));
	}
	nl_dump_start(&nl, &d, S2BOX_CMD_GET_BOX, rep->buf);
	while ((ret = nl_dump_next(&d, tb)) > 0) {
		id = nla_u64(tb[S2BOX_ATTR_BOX_ID]);
		mine += id == own_id;
		roots += id == root_id;
		foreign += nla_u32(tb[S2BOX_ATTR_BOX_OWNER_UID]) != NOBODY;
	}
	EXPECT_EQ(0, ret);
	EXPECT_EQ(1, mine);
	EXPECT_EQ(0, roots);
	EXPECT_EQ(0, foreign);

	ASSERT_EQ(0, nl_get_box(&nl, root_id, rep));
	EXPECT_EQ(ENOENT, rep->err);
	EXPECT_NE(NULL, strstr(rep->extack, "no such box"));
	ASSERT_EQ(0, nl_get_box(&nl, own_id, rep));
	EXPECT_EQ(0, rep->err);
	EXPECT_EQ(NOBODY, nla_u32(rep->tb[S2BOX_ATTR_BOX_OWNER_UID]));

	EXPECT_EQ(-1, nl_join_events(&nl));
	EXPECT_EQ(EPERM, errno);
	/* Caps and module-wide statistics are for everyone. */
	do_cmd(_metadata, &nl, rep, S2BOX_CMD_GET_CAPS);
	do_cmd(_metadata, &nl, rep, S2BOX_CMD_GET_STATS);
	close(nl.fd);
	close(own);
}

TEST_F(nl, unprivileged_sees_only_own)
{
	int box = s2box_create(self->ctl, S2BOX_IPA_BITS_MIN, self->granule);
	int status;
	pid_t pid;

	ASSERT_LE(0, box);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		as_nobody(_metadata, self->ctl, self->granule, box_id(box),
			  self->rep);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	/* Root (CAP_NET_ADMIN) still sees its own box. */
	check_box(_metadata, &self->nl, self->rep, box);
	close(box);
}

/* Reads events until @cmd about box @id; its attributes in rep->tb. */
static int wait_event(struct nl *mon, __u8 cmd, __u64 id,
		      struct nl_reply *rep)
{
	struct genlmsghdr *g;
	struct nlmsghdr *n;
	int len;

	for (;;) {
		len = recv(mon->fd, rep->buf, sizeof(rep->buf), 0);
		if (len < 0)
			return -1;
		for (n = (struct nlmsghdr *)rep->buf; NLMSG_OK(n, len);
		     n = NLMSG_NEXT(n, len)) {
			if (n->nlmsg_type != mon->family)
				continue;
			g = NLMSG_DATA(n);
			nl_parse_genl(rep->tb, S2BOX_ATTR_MAX, n);
			if (g->cmd == cmd && rep->tb[S2BOX_ATTR_BOX_ID] &&
			    nla_u64(rep->tb[S2BOX_ATTR_BOX_ID]) == id)
				return 0;
		}
	}
}

static void open_monitor(struct __test_metadata *_metadata, struct nl *mon,
			 struct nl_reply *rep)
{
	ASSERT_EQ(0, nl_open(mon, rep));
	ASSERT_EQ(0, nl_join_events(mon)) {
		TH_LOG("joining \"%s\": %s", S2BOX_GENL_MCGRP_EVENTS,
		       strerror(errno));
	}
}

TEST_F(nl, events_created_destroyed)
{
	unsigned int bits = S2BOX_IPA_BITS_MIN + 4;
	struct nlattr **tb = self->rep->tb;
	struct nl mon;
	__u64 id;
	int box;

	open_monitor(_metadata, &mon, self->rep);
	box = s2box_create(self->ctl, bits, self->granule);
	ASSERT_LE(0, box);
	id = box_id(box);
	ASSERT_EQ(0, wait_event(&mon, S2BOX_CMD_EVENT_CREATED, id, self->rep)) {
		TH_LOG("no EVENT_CREATED for box %llu", id);
	}
	EXPECT_EQ(getpid(), get32(_metadata, tb, S2BOX_ATTR_BOX_OWNER_PID));
	EXPECT_EQ(getuid(), get32(_metadata, tb, S2BOX_ATTR_BOX_OWNER_UID));
	EXPECT_EQ(bits, get32(_metadata, tb, S2BOX_ATTR_BOX_IPA_BITS));
	EXPECT_EQ(self->granule, get32(_metadata, tb, S2BOX_ATTR_BOX_GRANULE));
	close(box);
	ASSERT_EQ(0, wait_event(&mon, S2BOX_CMD_EVENT_DESTROYED, id,
				self->rep)) {
		TH_LOG("no EVENT_DESTROYED for box %llu", id);
	}
	EXPECT_EQ(bits, get32(_metadata, tb, S2BOX_ATTR_BOX_IPA_BITS));
	close(mon.fd);
}

TEST_F(nl, event_exit_on_stage2_fault)
{
	struct nlattr **tb = self->rep->tb;
	struct s2box_run run;
	struct nl mon;
	__u64 id;
	int box;

	open_monitor(_metadata, &mon, self->rep);
	box = s2box_create(self->ctl, S2BOX_IPA_BITS_MIN, self->granule);
	ASSERT_LE(0, box);
	id = box_id(box);
	ASSERT_EQ(0, box_run_blob(box, nl_fault_blob_start, FAULT_BLOB_LEN,
				  &run)) {
		TH_LOG("run: %s", strerror(errno));
	}
	ASSERT_EQ(S2BOX_EXIT_S2_FAULT, run.exit_reason);
	ASSERT_EQ(0, wait_event(&mon, S2BOX_CMD_EVENT_EXIT, id, self->rep)) {
		TH_LOG("no EVENT_EXIT for box %llu", id);
	}
	EXPECT_EQ(S2BOX_EXIT_S2_FAULT,
		  get32(_metadata, tb, S2BOX_ATTR_EXIT_REASON));
	EXPECT_EQ(run.esr, get64(_metadata, tb, S2BOX_ATTR_EXIT_ESR));
	EXPECT_EQ(FAULT_IPA, get64(_metadata, tb, S2BOX_ATTR_EXIT_IPA));
	/* An HVC exit is no event: the next one must be the close. */
	ASSERT_EQ(0, box_run_blob(box, nl_hvc_blob_start, HVC_BLOB_LEN, &run));
	ASSERT_EQ(S2BOX_EXIT_HVC, run.exit_reason);
	close(box);
	ASSERT_EQ(0, wait_event(&mon, S2BOX_CMD_EVENT_DESTROYED, id,
				self->rep));
	close(mon.fd);
}

struct stats {
	__u64 alive, created, mem, runs, exits[S2BOX_ATTR_EXITS_MAX + 1];
	__u64 table_pages, guest_pages;		/* host pages */
};

static void get_stats(struct __test_metadata *_metadata, struct nl *nl,
		      struct nl_reply *rep, struct stats *s)
{
	struct nlattr **tb = do_cmd(_metadata, nl, rep, S2BOX_CMD_GET_STATS);

	s->alive = get64(_metadata, tb, S2BOX_ATTR_STAT_BOXES_ALIVE);
	s->created = get64(_metadata, tb, S2BOX_ATTR_STAT_BOXES_CREATED);
	s->mem = get64(_metadata, tb, S2BOX_ATTR_STAT_MEM_BYTES);
	s->runs = get64(_metadata, tb, S2BOX_ATTR_STAT_RUNS);
	get64(_metadata, tb, S2BOX_ATTR_STAT_EVENTS_DROPPED);
	s->table_pages = get64(_metadata, tb, S2BOX_ATTR_STAT_TABLE_PAGES);
	s->guest_pages = get64(_metadata, tb, S2BOX_ATTR_STAT_GUEST_PAGES);
	ASSERT_NE(NULL, tb[S2BOX_ATTR_STAT_EXITS]);
	get_exits(tb[S2BOX_ATTR_STAT_EXITS], s->exits);
}

/*
 * Host pages a box's stage-2 tables take, from its GET_BOX_INFO: every
 * table is allocated as a whole number of host pages (at least one), the
 * concatenated root as one power-of-two block.
 */
static __u64 table_host_pages(const struct s2box_box_info *info)
{
	__u64 page = getpagesize();
	unsigned int gs = __builtin_ctz(info->granule);
	unsigned int shift = gs + (3 - info->start_level) * (gs - 3);
	/* The module holds only the part of the root the walk indexes. */
	__u64 root = 8ULL << (info->ipa_bits - shift);
	__u64 per_table = info->granule > page ? info->granule / page : 1;

	return (root > page ? root / page : 1) +
	       (info->table_pages - info->root_pages) * per_table;
}

/* Nothing else runs boxes while the kselftests run: deltas are exact. */
TEST_F(nl, stats_and_box_counters_move)
{
	struct s2box_box_info info;
	struct stats a, b, c;
	struct s2box_run run;
	__u64 exits[S2BOX_ATTR_EXITS_MAX + 1];
	int box;

	get_stats(_metadata, &self->nl, self->rep, &a);
	box = s2box_create(self->ctl, S2BOX_IPA_BITS_MIN, self->granule);
	ASSERT_LE(0, box);
	ASSERT_EQ(0, ioctl(box, S2BOX_GET_BOX_INFO, &info));
	ASSERT_EQ(0, box_run_blob(box, nl_hvc_blob_start, HVC_BLOB_LEN, &run));
	ASSERT_EQ(S2BOX_EXIT_HVC, run.exit_reason);
	ASSERT_EQ(0, box_run_blob(box, nl_fault_blob_start, FAULT_BLOB_LEN,
				  &run));
	ASSERT_EQ(S2BOX_EXIT_S2_FAULT, run.exit_reason);
	get_stats(_metadata, &self->nl, self->rep, &b);
	EXPECT_EQ(a.alive + 1, b.alive);
	EXPECT_EQ(a.created + 1, b.created);
	EXPECT_EQ(a.mem + info.map_align, b.mem);
	EXPECT_EQ(a.runs + 2, b.runs);
	EXPECT_EQ(a.exits[S2BOX_ATTR_EXITS_HVC] + 1,
		  b.exits[S2BOX_ATTR_EXITS_HVC]);
	EXPECT_EQ(a.exits[S2BOX_ATTR_EXITS_S2_FAULT] + 1,
		  b.exits[S2BOX_ATTR_EXITS_S2_FAULT]);
	EXPECT_EQ(a.exits[S2BOX_ATTR_EXITS_TRAP],
		  b.exits[S2BOX_ATTR_EXITS_TRAP]);
	/* Live pages: the box's tables and its one map_align unit. */
	ASSERT_EQ(0, ioctl(box, S2BOX_GET_BOX_INFO, &info));
	EXPECT_EQ(a.table_pages + table_host_pages(&info), b.table_pages) {
		TH_LOG("%llu tables of %u bytes, %u root", info.table_pages,
		       info.granule, info.root_pages);
	}
	EXPECT_EQ(a.guest_pages + info.map_align / getpagesize(),
		  b.guest_pages);

	/* The box's own counters. */
	ASSERT_EQ(0, nl_get_box(&self->nl, info.box_id, self->rep));
	ASSERT_EQ(0, self->rep->err);
	EXPECT_EQ(2, get64(_metadata, self->rep->tb, S2BOX_ATTR_BOX_RUNS));
	EXPECT_LT(0, get64(_metadata, self->rep->tb, S2BOX_ATTR_BOX_GUEST_NS));
	ASSERT_NE(NULL, self->rep->tb[S2BOX_ATTR_BOX_EXITS]);
	get_exits(self->rep->tb[S2BOX_ATTR_BOX_EXITS], exits);
	EXPECT_EQ(1, exits[S2BOX_ATTR_EXITS_HVC]);
	EXPECT_EQ(1, exits[S2BOX_ATTR_EXITS_S2_FAULT]);
	EXPECT_EQ(0, exits[S2BOX_ATTR_EXITS_TRAP]);
	EXPECT_EQ(0, exits[S2BOX_ATTR_EXITS_BUDGET]);

	close(box);
	get_stats(_metadata, &self->nl, self->rep, &c);
	EXPECT_EQ(a.alive, c.alive);
	EXPECT_EQ(a.mem, c.mem);
	EXPECT_EQ(b.created, c.created);
	EXPECT_EQ(a.table_pages, c.table_pages);
	EXPECT_EQ(a.guest_pages, c.guest_pages);
}

/*
 * Memory a box holds and what it pins, per box and for its creator: a
 * page UNMAPped while mmap()ed stays held (detached) until munmap().
 */
TEST_F(nl, box_memory_and_pinned)
{
	struct s2box_box_info info;
	struct nlattr **tb = self->rep->tb;
	__u64 a, pin0 = vm_pinned(0);
	char *p;
	int box;

	box = s2box_create(self->ctl, S2BOX_IPA_BITS_MIN, self->granule);
	ASSERT_LE(0, box);
	ASSERT_EQ(0, ioctl(box, S2BOX_GET_BOX_INFO, &info));
	a = info.map_align;
	ASSERT_EQ(0, box_map(box, 0, 4 * a, S2BOX_PROT_READ |
			     S2BOX_PROT_WRITE));
	p = mmap(NULL, a, PROT_READ | PROT_WRITE, MAP_SHARED, box, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	p[a - 1] = 2;
	ASSERT_EQ(0, box_unmap(box, 0, a));
	ASSERT_EQ(0, nl_get_box(&self->nl, info.box_id, self->rep));
	ASSERT_EQ(0, self->rep->err);
	EXPECT_EQ(3 * a, get64(_metadata, tb, S2BOX_ATTR_BOX_MAPPED_BYTES));
	EXPECT_EQ(4 * a, get64(_metadata, tb, S2BOX_ATTR_BOX_MEM_BYTES));
	EXPECT_EQ(a, get64(_metadata, tb, S2BOX_ATTR_BOX_DETACHED_BYTES));
	EXPECT_EQ(4 * a, get64(_metadata, tb, S2BOX_ATTR_BOX_PINNED_BYTES));
	EXPECT_EQ(pin0 + 4 * a,
		  get64(_metadata, tb, S2BOX_ATTR_BOX_OWNER_PINNED_BYTES));
	EXPECT_EQ(pin0 + 4 * a, vm_pinned(0));
	ASSERT_EQ(0, munmap(p, a));
	ASSERT_EQ(0, nl_get_box(&self->nl, info.box_id, self->rep));
	ASSERT_EQ(0, self->rep->err);
	EXPECT_EQ(3 * a, get64(_metadata, tb, S2BOX_ATTR_BOX_MEM_BYTES));
	EXPECT_EQ(0, get64(_metadata, tb, S2BOX_ATTR_BOX_DETACHED_BYTES));
	EXPECT_EQ(3 * a, get64(_metadata, tb, S2BOX_ATTR_BOX_PINNED_BYTES));
	EXPECT_EQ(pin0 + 3 * a,
		  get64(_metadata, tb, S2BOX_ATTR_BOX_OWNER_PINNED_BYTES));
	close(box);
	EXPECT_EQ(pin0, vm_pinned(0));
}

TEST_HARNESS_MAIN
