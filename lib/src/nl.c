// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A client of the generic netlink family "s2box" on a raw AF_NETLINK
 * socket: the family is small (three requests and three events), so the
 * library needs nothing but libc. Every request asks for an ack with
 * extended ack attributes, so a refusal carries the kernel's own words.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "internal.h"
#include "nl_gen.h"	/* attribute sizes and sets, from the YNL spec */

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* Large enough for any dump skb (the kernel caps them near 32 KiB). */
#define NL_BUF_SIZE	65536
#define NLA_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))
#define NLA_LEN(a)	((int)(a)->nla_len - NLA_HDRLEN)

struct s2box_nl {
	int fd;
	__u16 family;
	__u32 events_grp;	/* 0: the module has no "events" group */
	__u32 seq;
	char extack[ERRMSG_LEN];
	char errmsg[ERRMSG_LEN];
	char buf[NL_BUF_SIZE];
};

struct nl_req {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char attrs[64];
};

/* One request's reply handler and outcome. */
struct nl_call {
	int (*parse)(struct nlattr **tb, void *arg);
	int (*raw)(struct nlmsghdr *n, void *arg);	/* instead of parse */
	void *arg;
	int err;		/* errno the kernel answered, or 0 */
	int miss_type;		/* the missing attribute it named, or -1 */
	bool done, intr, malformed;
};

/* Fills @tb; false if an attribute is cut short or of the wrong size. */
static bool parse_attrs(struct nlattr **tb, int max, const __u8 *sizes,
			void *data, int len)
{
	struct nlattr *a = data;
	int type;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	for (; len >= NLA_HDRLEN; len -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return false;
		type = a->nla_type & NLA_TYPE_MASK;
		if (type > max)
			continue;	/* newer than this library */
		if (sizes && sizes[type] && NLA_LEN(a) < sizes[type])
			return false;
		tb[type] = a;
	}
	return true;
}

static __u32 get_u32(struct nlattr **tb, int type)
{
	__u32 v = 0;

	if (tb[type])
		memcpy(&v, NLA_DATA(tb[type]), sizeof(v));
	return v;
}

static __u64 get_u64(struct nlattr **tb, int type)
{
	__u64 v = 0;

	if (tb[type])
		memcpy(&v, NLA_DATA(tb[type]), sizeof(v));
	return v;
}

static bool get_exits(struct nlattr *nest, __u64 *exits)
{
	struct nlattr *tb[S2BOX_ATTR_EXITS_MAX + 1];
	int i;

	if (!parse_attrs(tb, S2BOX_ATTR_EXITS_MAX, s2box_nl_exits_size,
			 NLA_DATA(nest), NLA_LEN(nest)))
		return false;
	for (i = 0; i < S2BOX_NL_EXIT_KINDS; i++)
		exits[i] = get_u64(tb, S2BOX_ATTR_EXITS_HVC + i);
	return true;
}

/* --- one request -------------------------------------------------------- */

static void req_init(struct nl_req *r, __u16 type, __u8 cmd, __u16 flags,
		     __u8 version)
{
	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->n.nlmsg_type = type;
	r->n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r->g.cmd = cmd;
	r->g.version = version;
}

static void req_put(struct nl_req *r, __u16 type, const void *data, __u16 len)
{
	struct nlattr *a = (struct nlattr *)((char *)r +
					     NLMSG_ALIGN(r->n.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(NLA_DATA(a), data, len);
	r->n.nlmsg_len = NLMSG_ALIGN(r->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* The errno and extended ack of an NLMSG_ERROR (linux/netlink.h). */
static void get_error(struct s2box_nl *nl, struct nlmsghdr *n,
		      struct nl_call *c)
{
	struct nlmsgerr *e = NLMSG_DATA(n);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	unsigned int off = sizeof(*e);

	c->err = -e->error;
	c->done = true;
	if (!(n->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(n->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if (NLMSG_HDRLEN + off >= n->nlmsg_len ||
	    !parse_attrs(tb, NLMSGERR_ATTR_MAX, NULL, (char *)e + off,
			 n->nlmsg_len - NLMSG_HDRLEN - off))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->extack, sizeof(nl->extack), "%.*s",
			 NLA_LEN(tb[NLMSGERR_ATTR_MSG]),
			 (char *)NLA_DATA(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    NLA_LEN(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4)
		c->miss_type = get_u32(tb, NLMSGERR_ATTR_MISS_TYPE);
}

/* One message of the answer to request number @seq. */
static void on_message(struct s2box_nl *nl, struct nlmsghdr *n,
		       struct nl_call *c)
{
	struct nlattr *tb[S2BOX_ATTR_MAX + 1];
	int err;

	if (n->nlmsg_flags & NLM_F_DUMP_INTR)
		c->intr = true;
	if (n->nlmsg_type == NLMSG_ERROR) {
		get_error(nl, n, c);
	} else if (n->nlmsg_type == NLMSG_DONE) {
		c->done = true;
		if (n->nlmsg_len >= NLMSG_LENGTH(sizeof(err))) {
			memcpy(&err, NLMSG_DATA(n), sizeof(err));
			if (err < 0)
				c->err = -err;
		}
	} else if (c->raw) {
		if (c->raw(n, c->arg) < 0)
			c->malformed = true;
	} else if (n->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
		   !parse_attrs(tb, S2BOX_ATTR_MAX, s2box_nl_attrs_size,
				(char *)NLMSG_DATA(n) + GENL_HDRLEN,
				n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN)) ||
		   (c->parse && c->parse(tb, c->arg) < 0)) {
		c->malformed = true;
	}
}

/* Sends @r and handles its answer until the ack or the dump's end. */
static int transact(struct s2box_nl *nl, struct nl_req *r, struct nl_call *c)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr *n;
	int len;

	nl->extack[0] = '\0';
	c->miss_type = -1;
	r->n.nlmsg_seq = ++nl->seq;
	if (sendto(nl->fd, r, r->n.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) != (ssize_t)r->n.nlmsg_len)
		return -errno;
	while (!c->done) {
		len = recv(nl->fd, nl->buf, sizeof(nl->buf), 0);
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			return len ? -errno : -EPROTO;
		for (n = (struct nlmsghdr *)nl->buf; NLMSG_OK(n, len);
		     n = NLMSG_NEXT(n, len))
			if (n->nlmsg_seq == nl->seq && !c->done)
				on_message(nl, n, c);
	}
	return 0;
}

/*
 * Sends @cmd (with a box id if @id) and hands every reply to c->parse.
 * Returns 0 or a negative errno, with nl->errmsg saying what failed.
 */
static int request(struct s2box_nl *nl, __u8 cmd, __u16 flags,
		   const __u64 *id, struct nl_call *c, const char *what)
{
	char detail[ERRMSG_LEN + 16] = "";
	struct nl_req r;
	int err;

	req_init(&r, nl->family, cmd, flags, S2BOX_GENL_VERSION);
	if (id)
		req_put(&r, S2BOX_ATTR_BOX_ID, id, sizeof(*id));
	err = transact(nl, &r, c);
	if (err) {
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%s: %s", what,
			 strerror(-err));
		return err;
	}
	if (c->err) {
		if (nl->extack[0])
			snprintf(detail, sizeof(detail), " (kernel: %s)",
				 nl->extack);
		else if (c->miss_type >= 0)
			snprintf(detail, sizeof(detail),
				 " (kernel: attribute %d missing)",
				 c->miss_type);
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%s: %s%s", what,
			 strerror(c->err), detail);
		return -c->err;
	}
	if (c->malformed) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "%s: the module's reply is malformed", what);
		return -EPROTO;
	}
	return 0;
}

/* --- the commands ------------------------------------------------------- */

static int parse_caps(struct nlattr **tb, void *arg)
{
	struct s2box_nl_caps *c = arg;

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

S2BOX_EXPORT int s2box_nl_get_caps(struct s2box_nl *nl,
				   struct s2box_nl_caps *caps)
{
	struct nl_call c = { .parse = parse_caps, .arg = caps };

	memset(caps, 0, sizeof(*caps));
	return request(nl, S2BOX_CMD_GET_CAPS, 0, NULL, &c, "GET_CAPS");
}

static void fill_box_present(struct nlattr **tb, struct s2box_nl_box *b)
{
	int i;

	for (i = 0; i <= S2BOX_ATTR_MAX; i++)
		if (tb[i] && (S2BOX_NL_BOX_ATTRS & (1ULL << i)))
			b->present |= 1ULL << i;
}

static bool fill_box(struct nlattr **tb, struct s2box_nl_box *b)
{
	memset(b, 0, sizeof(*b));
	fill_box_present(tb, b);
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
	b->snapshot_bytes = get_u64(tb, S2BOX_ATTR_BOX_SNAPSHOT_BYTES);
	b->shared_bytes = get_u64(tb, S2BOX_ATTR_BOX_SHARED_BYTES);
	b->clone_of = get_u64(tb, S2BOX_ATTR_BOX_CLONE_OF);
	b->dirty_units = get_u64(tb, S2BOX_ATTR_BOX_DIRTY_UNITS);
	b->resets = get_u64(tb, S2BOX_ATTR_BOX_RESETS);
	b->dirty_faults = get_u64(tb, S2BOX_ATTR_BOX_DIRTY_FAULTS);
	b->dirty_mode = get_u32(tb, S2BOX_ATTR_BOX_DIRTY_MODE);
	if (tb[S2BOX_ATTR_BOX_EXITS])
		b->has_exits = get_exits(tb[S2BOX_ATTR_BOX_EXITS], b->exits);
	return tb[S2BOX_ATTR_BOX_ID];
}

static int parse_box(struct nlattr **tb, void *arg)
{
	return fill_box(tb, arg) ? 0 : -1;
}

/*
 * The 0.2 versions of the two functions that fill struct s2box_nl_box,
 * the default ones (see s2box_nl_get_box_v0() for 0.1's); also what a
 * static link gets.
 */
S2BOX_EXPORT int s2box_nl_get_box_v02(struct s2box_nl *nl, __u64 id,
				      struct s2box_nl_box *box)
{
	struct nl_call c = { .parse = parse_box, .arg = box };
	char what[64];
	int err;

	snprintf(what, sizeof(what), "box %llu", id);
	memset(box, 0, sizeof(*box));
	err = request(nl, S2BOX_CMD_GET_BOX, 0, &id, &c, what);
	if (!err && !S2BOX_NL_HAS(box, S2BOX_ATTR_BOX_ID)) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "%s: the module sent no reply", what);
		err = -EPROTO;
	}
	return err;
}

__asm__(".symver s2box_nl_get_box_v02, s2box_nl_get_box@@LIBS2BOX_0.2");

struct box_list {
	struct s2box_nl_box *boxes;
	int n, cap;
};

static int parse_list(struct nlattr **tb, void *arg)
{
	struct box_list *l = arg;
	struct s2box_nl_box *more;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		more = realloc(l->boxes, l->cap * sizeof(*more));
		if (!more)
			return -1;
		l->boxes = more;
	}
	if (!fill_box(tb, &l->boxes[l->n]))
		return -1;
	l->n++;
	return 0;
}

S2BOX_EXPORT int s2box_nl_list_boxes_v02(struct s2box_nl *nl,
					 struct s2box_nl_box **boxesp,
					 bool *changed)
{
	struct box_list l = { 0 };
	struct nl_call c = { .parse = parse_list, .arg = &l };
	int err;

	*boxesp = NULL;
	err = request(nl, S2BOX_CMD_GET_BOX, NLM_F_DUMP, NULL, &c,
		      "listing the boxes");
	if (err) {
		free(l.boxes);
		return err;
	}
	if (changed)
		*changed = c.intr;
	*boxesp = l.boxes;
	return l.n;
}

__asm__(".symver s2box_nl_list_boxes_v02, s2box_nl_list_boxes@@LIBS2BOX_0.2");

/*
 * libs2box 0.1 (LIBS2BOX_0) had struct s2box_nl_box end in four reserved
 * words where 0.2 put the snapshot fields: programs linked against 0.1
 * get these, which fill that layout (the fields they know, reserved
 * zero). The 0.2 functions are the default versions (libs2box.map).
 */
#define NL_BOX_V0_KNOWN	offsetof(struct s2box_nl_box, snapshot_bytes)
#define NL_BOX_V0_SIZE	(NL_BOX_V0_KNOWN + 4 * sizeof(__u64))

static void box_to_v0(void *old, const struct s2box_nl_box *b)
{
	memcpy(old, b, NL_BOX_V0_KNOWN);
	memset((char *)old + NL_BOX_V0_KNOWN, 0,
	       NL_BOX_V0_SIZE - NL_BOX_V0_KNOWN);
}

S2BOX_EXPORT int s2box_nl_get_box_v0(struct s2box_nl *nl, __u64 id,
				     void *old)
{
	struct s2box_nl_box b;
	int err = s2box_nl_get_box_v02(nl, id, &b);

	box_to_v0(old, &b);
	return err;
}

__asm__(".symver s2box_nl_get_box_v0, s2box_nl_get_box@LIBS2BOX_0");

S2BOX_EXPORT int s2box_nl_list_boxes_v0(struct s2box_nl *nl, void **oldp,
					bool *changed)
{
	struct s2box_nl_box *boxes;
	char *old;
	int i, n;

	*oldp = NULL;
	n = s2box_nl_list_boxes_v02(nl, &boxes, changed);
	if (n < 0)
		return n;
	old = calloc(n ? n : 1, NL_BOX_V0_SIZE);
	if (!old) {
		free(boxes);
		snprintf(nl->errmsg, sizeof(nl->errmsg), "listing the boxes: %s",
			 s2box_strerror(-ENOMEM));
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		box_to_v0(old + i * NL_BOX_V0_SIZE, &boxes[i]);
	free(boxes);
	*oldp = old;
	return n;
}

__asm__(".symver s2box_nl_list_boxes_v0, s2box_nl_list_boxes@LIBS2BOX_0");

S2BOX_EXPORT void s2box_nl_free(void *p)
{
	free(p);
}

static int parse_stats(struct nlattr **tb, void *arg)
{
	struct s2box_nl_stats *s = arg;

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

S2BOX_EXPORT int s2box_nl_get_stats(struct s2box_nl *nl,
				    struct s2box_nl_stats *stats)
{
	struct nl_call c = { .parse = parse_stats, .arg = stats };

	memset(stats, 0, sizeof(*stats));
	return request(nl, S2BOX_CMD_GET_STATS, 0, NULL, &c, "GET_STATS");
}

/* --- events ------------------------------------------------------------- */

S2BOX_EXPORT int s2box_nl_events_join(struct s2box_nl *nl)
{
	if (!nl->events_grp) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "the module has no \"%s\" group: it is older than libs2box",
			 S2BOX_GENL_MCGRP_EVENTS);
		return -ENOENT;
	}
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &nl->events_grp, sizeof(nl->events_grp))) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "joining the \"%s\" group: %s",
			 S2BOX_GENL_MCGRP_EVENTS, strerror(errno));
		return -errno;
	}
	return 0;
}

S2BOX_EXPORT int s2box_nl_fd(const struct s2box_nl *nl)
{
	return nl->fd;
}

static bool parse_event(struct nlmsghdr *n, struct s2box_nl_event *ev)
{
	struct nlattr *tb[S2BOX_ATTR_MAX + 1];

	if (n->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
	    !parse_attrs(tb, S2BOX_ATTR_MAX, s2box_nl_attrs_size,
			 (char *)NLMSG_DATA(n) + GENL_HDRLEN,
			 n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN)))
		return false;
	memset(ev, 0, sizeof(*ev));
	ev->cmd = ((struct genlmsghdr *)NLMSG_DATA(n))->cmd;
	if (!fill_box(tb, &ev->box))
		return false;
	ev->reason = get_u32(tb, S2BOX_ATTR_EXIT_REASON);
	ev->esr = get_u64(tb, S2BOX_ATTR_EXIT_ESR);
	ev->has_ipa = tb[S2BOX_ATTR_EXIT_IPA];
	ev->ipa = get_u64(tb, S2BOX_ATTR_EXIT_IPA);
	return true;
}

S2BOX_EXPORT int s2box_nl_events_read(struct s2box_nl *nl,
				      int (*fn)(const struct s2box_nl_event *ev,
						void *arg),
				      void *arg)
{
	struct s2box_nl_event ev;
	struct nlmsghdr *n;
	int len, count = 0;

	len = recv(nl->fd, nl->buf, sizeof(nl->buf), 0);
	if (len < 0) {
		snprintf(nl->errmsg, sizeof(nl->errmsg), "receiving events: %s",
			 strerror(errno));
		return -errno;
	}
	/* Events carry sequence number 0; stale acks are not events. */
	for (n = (struct nlmsghdr *)nl->buf; NLMSG_OK(n, len);
	     n = NLMSG_NEXT(n, len)) {
		if (n->nlmsg_type != nl->family || !parse_event(n, &ev))
			continue;
		count++;
		if (fn(&ev, arg) < 0)
			break;
	}
	return count;
}

/* --- the socket --------------------------------------------------------- */

/* The "events" group's id in a CTRL_ATTR_MCAST_GROUPS nest. */
static __u32 find_group(struct nlattr *groups)
{
	struct nlattr *grp[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct nlattr *g = NLA_DATA(groups);
	int left = NLA_LEN(groups);

	for (; left >= NLA_HDRLEN && g->nla_len >= NLA_HDRLEN &&
	     g->nla_len <= left; left -= NLA_ALIGN(g->nla_len),
	     g = (struct nlattr *)((char *)g + NLA_ALIGN(g->nla_len))) {
		if (!parse_attrs(grp, CTRL_ATTR_MCAST_GRP_MAX, NULL,
				 NLA_DATA(g), NLA_LEN(g)) ||
		    !grp[CTRL_ATTR_MCAST_GRP_NAME] ||
		    !grp[CTRL_ATTR_MCAST_GRP_ID] ||
		    NLA_LEN(grp[CTRL_ATTR_MCAST_GRP_ID]) < 4)
			continue;
		if (!strncmp(NLA_DATA(grp[CTRL_ATTR_MCAST_GRP_NAME]),
			     S2BOX_GENL_MCGRP_EVENTS,
			     NLA_LEN(grp[CTRL_ATTR_MCAST_GRP_NAME])))
			return get_u32(grp, CTRL_ATTR_MCAST_GRP_ID);
	}
	return 0;
}

static int parse_family(struct nlmsghdr *n, void *arg)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct s2box_nl *nl = arg;

	if (n->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
	    !parse_attrs(tb, CTRL_ATTR_MAX, NULL,
			 (char *)NLMSG_DATA(n) + GENL_HDRLEN,
			 n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN)) ||
	    !tb[CTRL_ATTR_FAMILY_ID] || NLA_LEN(tb[CTRL_ATTR_FAMILY_ID]) < 2)
		return -1;
	memcpy(&nl->family, NLA_DATA(tb[CTRL_ATTR_FAMILY_ID]), 2);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		nl->events_grp = find_group(tb[CTRL_ATTR_MCAST_GROUPS]);
	return 0;
}

/* The family's id and its "events" group from the genl controller. */
static int resolve(struct s2box_nl *nl)
{
	struct nl_call c = { .raw = parse_family, .arg = nl };
	struct nl_req r;
	int err;

	req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, 1);
	req_put(&r, CTRL_ATTR_FAMILY_NAME, S2BOX_GENL_NAME,
		sizeof(S2BOX_GENL_NAME));
	err = transact(nl, &r, &c);
	if (!err && c.err == ENOENT) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "the \"%s\" generic netlink family is not registered: %s",
			 S2BOX_GENL_NAME,
			 "module not loaded? (load it with \"modprobe s2box\")");
		return -ENOENT;
	}
	if (!err && (c.err || c.malformed || !nl->family))
		err = c.err ? -c.err : -EPROTO;
	if (err)
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "looking up the \"%s\" generic netlink family: %s",
			 S2BOX_GENL_NAME, strerror(-err));
	return err;
}

S2BOX_EXPORT int s2box_nl_open(struct s2box_nl **nlp)
{
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	struct s2box_nl *nl;
	int one = 1, err;

	*nlp = NULL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0 || bind(nl->fd, (struct sockaddr *)&me, sizeof(me))) {
		err = -errno;
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "cannot open a generic netlink socket: %s",
			 strerror(errno));
		goto fail;
	}
	/* Kernels before 4.12 have no extended acks: errors lose the text. */
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	err = resolve(nl);
	if (err)
		goto fail;
	*nlp = nl;
	return 0;
fail:
	s2box_nl_close(nl);
	return err;
}

S2BOX_EXPORT void s2box_nl_close(struct s2box_nl *nl)
{
	if (!nl)
		return;
	if (nl->fd >= 0)
		close(nl->fd);
	free(nl);
}

S2BOX_EXPORT const char *s2box_nl_errmsg(const struct s2box_nl *nl)
{
	return nl->errmsg;
}

S2BOX_EXPORT const char *s2box_nl_extack(const struct s2box_nl *nl)
{
	return nl->extack;
}
