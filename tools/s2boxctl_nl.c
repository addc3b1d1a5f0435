// SPDX-License-Identifier: GPL-2.0
/*
 * s2boxctl's client of the generic netlink family "s2box" (uapi header),
 * with libnl-genl-3. Every request asks for extended acks, so a rejected
 * request is reported with the kernel's own explanation.
 */

#define _GNU_SOURCE		/* ppoll() */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "s2boxctl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

struct ctl_nl {
	struct nl_sock *sk;
	int family;
};

/* One request's progress and outcome. */
struct nl_req {
	int (*parse)(struct nlmsghdr *nlh, struct nlattr **tb, void *arg);
	void *arg;
	int err;		/* errno the kernel answered, or 0 */
	char extack[256];	/* its extack message, if any */
	int miss_type;		/* the missing attribute it named, or -1 */
	bool done, intr, malformed;
};

static struct nla_policy attr_policy[S2BOX_ATTR_MAX + 1] = {
	[S2BOX_ATTR_BOX_ID]		= { .type = NLA_U64 },
	[S2BOX_ATTR_BOX_OWNER_PID]	= { .type = NLA_U32 },
	[S2BOX_ATTR_BOX_OWNER_UID]	= { .type = NLA_U32 },
	[S2BOX_ATTR_BOX_IPA_BITS]	= { .type = NLA_U32 },
	[S2BOX_ATTR_BOX_GRANULE]	= { .type = NLA_U32 },
	[S2BOX_ATTR_BOX_VTCR]		= { .type = NLA_U64 },
	[S2BOX_ATTR_BOX_LEVELS]		= { .type = NLA_U32 },
	[S2BOX_ATTR_BOX_START_LEVEL]	= { .type = NLA_S32 },
	[S2BOX_ATTR_BOX_SL0]		= { .type = NLA_U32 },
	[S2BOX_ATTR_BOX_T0SZ]		= { .type = NLA_U32 },
	[S2BOX_ATTR_BOX_PS]		= { .type = NLA_U32 },
	[S2BOX_ATTR_BOX_DS]		= { .type = NLA_U32 },
	[S2BOX_ATTR_BOX_VS]		= { .type = NLA_U32 },
	[S2BOX_ATTR_BOX_ROOT_PAGES]	= { .type = NLA_U32 },
	[S2BOX_ATTR_BOX_MAPPED_BYTES]	= { .type = NLA_U64 },
	[S2BOX_ATTR_BOX_TABLE_PAGES]	= { .type = NLA_U64 },
	[S2BOX_ATTR_BOX_RUNS]		= { .type = NLA_U64 },
	[S2BOX_ATTR_BOX_EXITS]		= { .type = NLA_NESTED },
	[S2BOX_ATTR_BOX_GUEST_NS]	= { .type = NLA_U64 },
	[S2BOX_ATTR_BOX_STATE]		= { .type = NLA_U32 },
	[S2BOX_ATTR_CAP_FLAGS]		= { .type = NLA_U32 },
	[S2BOX_ATTR_CAP_API_VERSION]	= { .type = NLA_U32 },
	[S2BOX_ATTR_CAP_PA_BITS]	= { .type = NLA_U32 },
	[S2BOX_ATTR_CAP_GRANULES]	= { .type = NLA_U32 },
	[S2BOX_ATTR_CAP_IPA_MAX_4K]	= { .type = NLA_U32 },
	[S2BOX_ATTR_CAP_IPA_MAX_16K]	= { .type = NLA_U32 },
	[S2BOX_ATTR_CAP_IPA_MAX_64K]	= { .type = NLA_U32 },
	[S2BOX_ATTR_CAP_VMID_BITS]	= { .type = NLA_U32 },
	[S2BOX_ATTR_CAP_HOST_PAGE_SIZE]	= { .type = NLA_U32 },
	[S2BOX_ATTR_STAT_BOXES_ALIVE]	= { .type = NLA_U64 },
	[S2BOX_ATTR_STAT_BOXES_CREATED]	= { .type = NLA_U64 },
	[S2BOX_ATTR_STAT_MEM_BYTES]	= { .type = NLA_U64 },
	[S2BOX_ATTR_STAT_RUNS]		= { .type = NLA_U64 },
	[S2BOX_ATTR_STAT_EXITS]		= { .type = NLA_NESTED },
	[S2BOX_ATTR_STAT_EVENTS_DROPPED] = { .type = NLA_U64 },
	[S2BOX_ATTR_EXIT_REASON]	= { .type = NLA_U32 },
	[S2BOX_ATTR_EXIT_ESR]		= { .type = NLA_U64 },
	[S2BOX_ATTR_EXIT_IPA]		= { .type = NLA_U64 },
	[S2BOX_ATTR_STAT_TABLE_PAGES]	= { .type = NLA_U64 },
	[S2BOX_ATTR_STAT_GUEST_PAGES]	= { .type = NLA_U64 },
	[S2BOX_ATTR_BOX_MEM_BYTES]	= { .type = NLA_U64 },
	[S2BOX_ATTR_BOX_DETACHED_BYTES]	= { .type = NLA_U64 },
	[S2BOX_ATTR_BOX_PINNED_BYTES]	= { .type = NLA_U64 },
	[S2BOX_ATTR_BOX_OWNER_PINNED_BYTES] = { .type = NLA_U64 },
};

static struct nla_policy exits_policy[S2BOX_ATTR_EXITS_MAX + 1] = {
	[S2BOX_ATTR_EXITS_HVC]		= { .type = NLA_U64 },
	[S2BOX_ATTR_EXITS_S2_FAULT]	= { .type = NLA_U64 },
	[S2BOX_ATTR_EXITS_TRAP]		= { .type = NLA_U64 },
	[S2BOX_ATTR_EXITS_SERROR]	= { .type = NLA_U64 },
	[S2BOX_ATTR_EXITS_BUDGET]	= { .type = NLA_U64 },
	[S2BOX_ATTR_EXITS_INTR]		= { .type = NLA_U64 },
};

static __u32 get_u32(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u32(tb[type]) : 0;
}

static __u64 get_u64(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u64(tb[type]) : 0;
}

/* The S2BOX_ATTR_EXITS_* counts nested in @nest; false if malformed. */
static bool get_exits(struct nlattr *nest, __u64 *exits)
{
	struct nlattr *tb[S2BOX_ATTR_EXITS_MAX + 1];
	int i;

	if (nla_parse_nested(tb, S2BOX_ATTR_EXITS_MAX, nest, exits_policy))
		return false;
	for (i = 0; i < NR_EXIT_KINDS; i++)
		exits[i] = get_u64(tb, S2BOX_ATTR_EXITS_HVC + i);
	return true;
}

/* --- one request -------------------------------------------------------- */

/* The extended ack after the echoed request (linux/netlink.h). */
static void get_extack(const struct nlmsgerr *e, struct nl_req *r)
{
	const struct nlmsghdr *nlh = (const void *)((const char *)e -
						     NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	unsigned int off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if (NLMSG_HDRLEN + off >= nlh->nlmsg_len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      nlh->nlmsg_len - NLMSG_HDRLEN - off, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(r->extack, sizeof(r->extack), "%.*s",
			 nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4)
		r->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nl_req *r = arg;

	r->err = -e->error;
	r->done = true;
	get_extack(e, r);
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[S2BOX_ATTR_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nl_req *r = arg;

	if (genlmsg_parse(nlh, 0, tb, S2BOX_ATTR_MAX, attr_policy) ||
	    (r->parse && r->parse(nlh, tb, r->arg) < 0))
		r->malformed = true;
	return NL_OK;
}

/* The ack, or the end of a dump, which may carry the dump's error. */
static int on_done(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nl_req *r = arg;
	int err;

	r->done = true;
	if (nlh->nlmsg_type == NLMSG_DONE &&
	    nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(err))) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0)
			r->err = -err;
	}
	return NL_STOP;
}

static int on_intr(struct nl_msg *msg, void *arg)
{
	struct nl_req *r = arg;

	r->intr = true;
	return NL_OK;
}

static void report(const char *what, const struct nl_req *r)
{
	char detail[300] = "";

	if (r->extack[0])
		snprintf(detail, sizeof(detail), " (kernel: %s)", r->extack);
	else if (r->miss_type >= 0)
		snprintf(detail, sizeof(detail),
			 " (kernel: attribute %d missing)", r->miss_type);
	err_msg("%s: %s%s", what, strerror(r->err), detail);
	if (r->err == EINVAL)
		err_msg("(s2boxctl and the module may be of different versions)");
}

/*
 * Sends @cmd (with a box id if @id) and calls @parse for every reply
 * message until the kernel's ack or the end of the dump. Returns 0 or a
 * negative errno; @quiet_enoent leaves reporting ENOENT to the caller.
 */
static int ctl_request(struct ctl_nl *nl, __u8 cmd, int flags,
		       const __u64 *id, struct nl_req *r, const char *what,
		       bool quiet_enoent)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret = -NLE_NOMEM;

	r->miss_type = -1;
	if (!msg || !cb)
		goto out;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, S2BOX_GENL_VERSION) ||
	    (id && nla_put_u64(msg, S2BOX_ATTR_BOX_ID, *id) < 0))
		goto out;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_intr, r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);
	ret = nl_send_auto(nl->sk, msg);
	while (ret >= 0 && !r->done)
		ret = nl_recvmsgs(nl->sk, cb);
out:
	nlmsg_free(msg);
	nl_cb_put(cb);
	if (r->err) {
		if (r->err != ENOENT || !quiet_enoent)
			report(what, r);
		return -r->err;
	}
	if (ret < 0) {
		err_msg("%s: %s", what, nl_geterror(ret));
		return -EIO;
	}
	if (r->malformed) {
		err_msg("%s: the module's reply is malformed", what);
		return -EPROTO;
	}
	return 0;
}

/* --- the commands ------------------------------------------------------- */

static int parse_caps(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct ctl_caps *c = arg;

	c->flags = get_u32(tb, S2BOX_ATTR_CAP_FLAGS);
	c->api_version = get_u32(tb, S2BOX_ATTR_CAP_API_VERSION);
	c->pa_bits = get_u32(tb, S2BOX_ATTR_CAP_PA_BITS);
	c->granules = get_u32(tb, S2BOX_ATTR_CAP_GRANULES);
	c->ipa_max[0] = get_u32(tb, S2BOX_ATTR_CAP_IPA_MAX_4K);
	c->ipa_max[1] = get_u32(tb, S2BOX_ATTR_CAP_IPA_MAX_16K);
	c->ipa_max[2] = get_u32(tb, S2BOX_ATTR_CAP_IPA_MAX_64K);
	c->vmid_bits = get_u32(tb, S2BOX_ATTR_CAP_VMID_BITS);
	c->host_page_size = get_u32(tb, S2BOX_ATTR_CAP_HOST_PAGE_SIZE);
	return 0;
}

int ctl_get_caps(struct ctl_nl *nl, struct ctl_caps *caps)
{
	struct nl_req r = { .parse = parse_caps, .arg = caps };

	memset(caps, 0, sizeof(*caps));
	return ctl_request(nl, S2BOX_CMD_GET_CAPS, 0, NULL, &r, "GET_CAPS",
			  false);
}

static void fill_box(struct nlattr **tb, struct ctl_box *b)
{
	int i;

	memset(b, 0, sizeof(*b));
	for (i = S2BOX_ATTR_BOX_ID; i <= S2BOX_ATTR_BOX_STATE; i++)
		if (tb[i])
			b->present |= 1ULL << i;
	for (i = S2BOX_ATTR_BOX_MEM_BYTES;
	     i <= S2BOX_ATTR_BOX_OWNER_PINNED_BYTES; i++)
		if (tb[i])
			b->present |= 1ULL << i;
	b->id = get_u64(tb, S2BOX_ATTR_BOX_ID);
	b->owner_pid = get_u32(tb, S2BOX_ATTR_BOX_OWNER_PID);
	b->owner_uid = get_u32(tb, S2BOX_ATTR_BOX_OWNER_UID);
	b->ipa_bits = get_u32(tb, S2BOX_ATTR_BOX_IPA_BITS);
	b->granule = get_u32(tb, S2BOX_ATTR_BOX_GRANULE);
	b->vtcr = get_u64(tb, S2BOX_ATTR_BOX_VTCR);
	b->levels = get_u32(tb, S2BOX_ATTR_BOX_LEVELS);
	b->start_level = (__s32)get_u32(tb, S2BOX_ATTR_BOX_START_LEVEL);
	b->sl0 = get_u32(tb, S2BOX_ATTR_BOX_SL0);
	b->t0sz = get_u32(tb, S2BOX_ATTR_BOX_T0SZ);
	b->ps = get_u32(tb, S2BOX_ATTR_BOX_PS);
	b->ds = get_u32(tb, S2BOX_ATTR_BOX_DS);
	b->vs = get_u32(tb, S2BOX_ATTR_BOX_VS);
	b->root_pages = get_u32(tb, S2BOX_ATTR_BOX_ROOT_PAGES);
	b->mapped_bytes = get_u64(tb, S2BOX_ATTR_BOX_MAPPED_BYTES);
	b->table_pages = get_u64(tb, S2BOX_ATTR_BOX_TABLE_PAGES);
	b->runs = get_u64(tb, S2BOX_ATTR_BOX_RUNS);
	b->guest_ns = get_u64(tb, S2BOX_ATTR_BOX_GUEST_NS);
	b->state = get_u32(tb, S2BOX_ATTR_BOX_STATE);
	b->mem_bytes = get_u64(tb, S2BOX_ATTR_BOX_MEM_BYTES);
	b->detached_bytes = get_u64(tb, S2BOX_ATTR_BOX_DETACHED_BYTES);
	b->pinned_bytes = get_u64(tb, S2BOX_ATTR_BOX_PINNED_BYTES);
	b->owner_pinned_bytes = get_u64(tb, S2BOX_ATTR_BOX_OWNER_PINNED_BYTES);
	if (tb[S2BOX_ATTR_BOX_EXITS])
		b->has_exits = get_exits(tb[S2BOX_ATTR_BOX_EXITS], b->exits);
}

static int parse_box(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	if (!tb[S2BOX_ATTR_BOX_ID])
		return -1;
	fill_box(tb, arg);
	return 0;
}

int ctl_get_box(struct ctl_nl *nl, __u64 id, struct ctl_box *box)
{
	struct nl_req r = { .parse = parse_box, .arg = box };
	char what[64];
	int err;

	snprintf(what, sizeof(what), "box %llu", id);
	memset(box, 0, sizeof(*box));
	err = ctl_request(nl, S2BOX_CMD_GET_BOX, 0, &id, &r, what, true);
	if (err == -ENOENT) {
		err_msg("box %llu not found: %s%s%s%s", id,
			"no box has that id, or it is another user's (only CAP_NET_ADMIN sees every box)",
			r.extack[0] ? " (kernel: " : "", r.extack,
			r.extack[0] ? ")" : "");
	} else if (!err && !BOX_HAS(box, S2BOX_ATTR_BOX_ID)) {
		err_msg("%s: the module sent no reply", what);
		err = -EPROTO;
	}
	return err;
}

struct box_list {
	struct ctl_box *boxes;
	int n, cap;
};

static int parse_list(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct box_list *l = arg;
	struct ctl_box *more;

	if (!tb[S2BOX_ATTR_BOX_ID])
		return -1;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		more = realloc(l->boxes, l->cap * sizeof(*more));
		if (!more)
			return -1;
		l->boxes = more;
	}
	fill_box(tb, &l->boxes[l->n++]);
	return 0;
}

int ctl_list_boxes(struct ctl_nl *nl, struct ctl_box **boxes, bool *intr)
{
	struct box_list l = { 0 };
	struct nl_req r = { .parse = parse_list, .arg = &l };

	if (ctl_request(nl, S2BOX_CMD_GET_BOX, NLM_F_DUMP, NULL, &r,
			"listing the boxes", false)) {
		free(l.boxes);
		return -1;
	}
	*intr = r.intr;
	*boxes = l.boxes;
	return l.n;
}

static int parse_stats(struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct ctl_stats *s = arg;

	s->boxes_alive = get_u64(tb, S2BOX_ATTR_STAT_BOXES_ALIVE);
	s->boxes_created = get_u64(tb, S2BOX_ATTR_STAT_BOXES_CREATED);
	s->mem_bytes = get_u64(tb, S2BOX_ATTR_STAT_MEM_BYTES);
	s->runs = get_u64(tb, S2BOX_ATTR_STAT_RUNS);
	s->events_dropped = get_u64(tb, S2BOX_ATTR_STAT_EVENTS_DROPPED);
	/* Modules older than these attributes do not send them. */
	s->has_pages = tb[S2BOX_ATTR_STAT_TABLE_PAGES] &&
		       tb[S2BOX_ATTR_STAT_GUEST_PAGES];
	s->table_pages = get_u64(tb, S2BOX_ATTR_STAT_TABLE_PAGES);
	s->guest_pages = get_u64(tb, S2BOX_ATTR_STAT_GUEST_PAGES);
	if (tb[S2BOX_ATTR_STAT_EXITS] &&
	    !get_exits(tb[S2BOX_ATTR_STAT_EXITS], s->exits))
		return -1;
	return 0;
}

int ctl_get_stats(struct ctl_nl *nl, struct ctl_stats *stats)
{
	struct nl_req r = { .parse = parse_stats, .arg = stats };

	memset(stats, 0, sizeof(*stats));
	return ctl_request(nl, S2BOX_CMD_GET_STATS, 0, NULL, &r, "GET_STATS",
			  false);
}

/* --- events ------------------------------------------------------------- */

struct monitor {
	int (*fn)(const struct ctl_event *ev, void *arg);
	void *arg;
	int ret;
};

static sig_atomic_t stop_monitor;

static void on_signal(int sig)
{
	__atomic_store_n(&stop_monitor, 1, __ATOMIC_RELAXED);
}

/* Events carry sequence number 0: accept them all. */
static int any_seq(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[S2BOX_ATTR_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct monitor *m = arg;
	struct ctl_event ev;

	if (genlmsg_parse(nlh, 0, tb, S2BOX_ATTR_MAX, attr_policy) ||
	    !tb[S2BOX_ATTR_BOX_ID])
		return NL_SKIP;
	memset(&ev, 0, sizeof(ev));
	ev.cmd = genlmsg_hdr(nlh)->cmd;
	fill_box(tb, &ev.box);
	ev.reason = get_u32(tb, S2BOX_ATTR_EXIT_REASON);
	ev.esr = get_u64(tb, S2BOX_ATTR_EXIT_ESR);
	ev.has_ipa = tb[S2BOX_ATTR_EXIT_IPA];
	ev.ipa = get_u64(tb, S2BOX_ATTR_EXIT_IPA);
	if (m->fn(&ev, m->arg) < 0) {
		m->ret = -1;
		return NL_STOP;
	}
	return NL_OK;
}

int ctl_monitor(struct ctl_nl *nl,
		int (*fn)(const struct ctl_event *ev, void *arg), void *arg)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct monitor m = { .fn = fn, .arg = arg };
	sigset_t stop, waiting;
	struct pollfd pfd;
	struct nl_cb *cb;
	int grp, err;

	grp = genl_ctrl_resolve_grp(nl->sk, S2BOX_GENL_NAME,
				    S2BOX_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		err_msg("the module has no \"%s\" group: it is older than this s2boxctl (%s)",
			S2BOX_GENL_MCGRP_EVENTS, nl_geterror(grp));
		return -1;
	}
	err = nl_socket_add_membership(nl->sk, grp);
	if (err == -NLE_PERM) {
		err_msg("joining the \"%s\" group needs CAP_NET_ADMIN: run \"%s monitor\" as root",
			S2BOX_GENL_MCGRP_EVENTS, prog);
		return -1;
	} else if (err) {
		err_msg("joining the \"%s\" group: %s", S2BOX_GENL_MCGRP_EVENTS,
			nl_geterror(err));
		return -1;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -1;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_seq, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, &m);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* They arrive only inside ppoll(), so none is missed. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, &waiting);
	pfd.fd = nl_socket_get_fd(nl->sk);
	pfd.events = POLLIN;
	while (!__atomic_load_n(&stop_monitor, __ATOMIC_RELAXED) && !m.ret) {
		if (ppoll(&pfd, 1, NULL, &waiting) < 0)
			continue;	/* EINTR: the loop checks the flag */
		err = nl_recvmsgs(nl->sk, cb);
		if (err == -NLE_NOMEM)
			err_msg("events were lost: the socket's receive buffer overflowed");
		else if (err < 0 && !m.ret)
			err_msg("receiving events: %s", nl_geterror(err));
	}
	nl_cb_put(cb);
	return m.ret;
}

/* --- the socket --------------------------------------------------------- */

struct ctl_nl *ctl_nl_open(void)
{
	struct ctl_nl *nl = calloc(1, sizeof(*nl));
	int one = 1, err;

	if (!nl)
		return NULL;
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		goto fail;
	err = genl_connect(nl->sk);
	if (err) {
		err_msg("cannot open a generic netlink socket: %s",
			nl_geterror(err));
		goto fail;
	}
	/* Kernels before 4.12 have no extended acks: errors lose the text. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, S2BOX_GENL_NAME);
	if (nl->family == -NLE_OBJ_NOTFOUND) {
		err_msg("the \"%s\" generic netlink family is not registered: %s",
			S2BOX_GENL_NAME,
			"module not loaded? (load it with \"modprobe s2box\")");
		goto fail;
	} else if (nl->family < 0) {
		err_msg("looking up the \"%s\" generic netlink family: %s",
			S2BOX_GENL_NAME, nl_geterror(nl->family));
		goto fail;
	}
	return nl;
fail:
	ctl_nl_close(nl);
	return NULL;
}

void ctl_nl_close(struct ctl_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}
