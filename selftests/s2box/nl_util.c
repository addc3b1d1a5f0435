// SPDX-License-Identifier: GPL-2.0
/* The kselftests' generic netlink client (nl_util.h). */

#include "nl_util.h"

__u32 nla_u32(const struct nlattr *a)
{
	__u32 v;

	memcpy(&v, NLA_DATA(a), sizeof(v));
	return v;
}

__u64 nla_u64(const struct nlattr *a)
{
	__u64 v;

	memcpy(&v, NLA_DATA(a), sizeof(v));
	return v;
}

void nl_parse(struct nlattr **tb, int max, void *data, int len)
{
	struct nlattr *a = data;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= len) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type <= max)
			tb[type] = a;
		len -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	}
}

void nl_parse_genl(struct nlattr **tb, int max, struct nlmsghdr *n)
{
	nl_parse(tb, max, (char *)NLMSG_DATA(n) + GENL_HDRLEN,
		 n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
}

void req_init(struct nl_req *r, __u16 type, __u8 cmd, __u16 flags)
{
	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->n.nlmsg_type = type;
	r->n.nlmsg_flags = NLM_F_REQUEST | flags;
	r->g.cmd = cmd;
	r->g.version = S2BOX_GENL_VERSION;
}

void req_put(struct nl_req *r, __u16 type, const void *data, __u16 len)
{
	struct nlattr *a = (struct nlattr *)((char *)r +
					     NLMSG_ALIGN(r->n.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(NLA_DATA(a), data, len);
	r->n.nlmsg_len = NLMSG_ALIGN(r->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

int nl_send(struct nl *nl, struct nl_req *r)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	r->n.nlmsg_seq = ++nl->seq;
	return sendto(nl->fd, r, r->n.nlmsg_len, 0,
		      (struct sockaddr *)&kernel, sizeof(kernel)) ==
	       (ssize_t)r->n.nlmsg_len ? 0 : -1;
}

void nl_get_error(struct nlmsghdr *n, struct nl_reply *rep)
{
	struct nlmsgerr *e = NLMSG_DATA(n);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	unsigned int off = sizeof(*e);

	rep->err = -e->error;
	if (!(n->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(n->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if (NLMSG_HDRLEN + off >= n->nlmsg_len)
		return;
	nl_parse(tb, NLMSGERR_ATTR_MAX, (char *)e + off,
		 n->nlmsg_len - NLMSG_HDRLEN - off);
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(rep->extack, sizeof(rep->extack), "%.*s",
			 (int)(tb[NLMSGERR_ATTR_MSG]->nla_len - NLA_HDRLEN),
			 (char *)NLA_DATA(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		rep->miss_type = nla_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	rep->has_offs = tb[NLMSGERR_ATTR_OFFS];
}

int nl_do(struct nl *nl, struct nl_req *r, struct nl_reply *rep)
{
	struct nlmsghdr *n;
	int len;

	memset(rep->tb, 0, sizeof(rep->tb));
	rep->err = 0;
	rep->extack[0] = '\0';
	rep->miss_type = -1;
	rep->has_offs = false;
	if (nl_send(nl, r))
		return -1;
	for (;;) {
		len = recv(nl->fd, rep->buf, sizeof(rep->buf), 0);
		if (len < 0)
			return -1;
		for (n = (struct nlmsghdr *)rep->buf; NLMSG_OK(n, len);
		     n = NLMSG_NEXT(n, len)) {
			if (n->nlmsg_seq != nl->seq)
				continue;	/* a stale answer */
			if (n->nlmsg_type == NLMSG_ERROR) {
				nl_get_error(n, rep);
				return 0;
			}
			rep->cmd = ((struct genlmsghdr *)NLMSG_DATA(n))->cmd;
			nl_parse_genl(rep->tb, S2BOX_ATTR_MAX, n);
			return 0;
		}
	}
}

void nl_dump_start(struct nl *nl, struct nl_dump *d, __u8 cmd, char *buf)
{
	struct nl_req r;

	memset(d, 0, sizeof(*d));
	d->nl = nl;
	d->buf = buf;
	req_init(&r, nl->family, cmd, NLM_F_DUMP);
	if (nl_send(nl, &r))
		d->err = errno;
}

int nl_dump_next(struct nl_dump *d, struct nlattr **tb)
{
	struct nlmsghdr *n;

	while (!d->err && !d->done) {
		if (d->off >= d->len) {
			d->len = recv(d->nl->fd, d->buf, NL_BUF_SIZE, 0);
			d->off = 0;
			if (d->len <= 0) {
				d->err = d->len ? errno : EPROTO;
				break;
			}
			d->recvs++;
		}
		n = (struct nlmsghdr *)(d->buf + d->off);
		if (!NLMSG_OK(n, d->len - d->off)) {
			d->err = EPROTO;
			break;
		}
		d->off += NLMSG_ALIGN(n->nlmsg_len);
		if (n->nlmsg_seq != d->nl->seq)
			continue;
		if (n->nlmsg_flags & NLM_F_DUMP_INTR)
			d->intr = true;
		if (n->nlmsg_type == NLMSG_DONE) {
			d->done = true;
			if (*(int *)NLMSG_DATA(n) < 0)
				d->err = -*(int *)NLMSG_DATA(n);
		} else if (n->nlmsg_type == NLMSG_ERROR) {
			d->err = -((struct nlmsgerr *)NLMSG_DATA(n))->error;
		} else {
			nl_parse_genl(tb, S2BOX_ATTR_MAX, n);
			return 1;
		}
	}
	return d->err ? -1 : 0;
}

int nl_resolve(struct nl *nl, struct nl_reply *rep)
{
	struct nlattr *grp[CTRL_ATTR_MCAST_GRP_MAX + 1], *g;
	struct nlattr *ctrl[CTRL_ATTR_MAX + 1];
	struct nlmsghdr *n = (struct nlmsghdr *)rep->buf;
	struct nl_req r;
	int left;

	req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	r.g.version = 1;
	req_put(&r, CTRL_ATTR_FAMILY_NAME, S2BOX_GENL_NAME,
		sizeof(S2BOX_GENL_NAME));
	if (nl_do(nl, &r, rep) || rep->err)
		return -1;
	/* nl_do parsed with s2box's numbering: parse again as the ctrl's. */
	nl_parse_genl(ctrl, CTRL_ATTR_MAX, n);
	if (!ctrl[CTRL_ATTR_FAMILY_ID] || !ctrl[CTRL_ATTR_MCAST_GROUPS])
		return -1;
	memcpy(&nl->family, NLA_DATA(ctrl[CTRL_ATTR_FAMILY_ID]), 2);
	g = NLA_DATA(ctrl[CTRL_ATTR_MCAST_GROUPS]);
	left = ctrl[CTRL_ATTR_MCAST_GROUPS]->nla_len - NLA_HDRLEN;
	for (; left >= NLA_HDRLEN && g->nla_len >= NLA_HDRLEN;
	     left -= NLA_ALIGN(g->nla_len),
	     g = (struct nlattr *)((char *)g + NLA_ALIGN(g->nla_len))) {
		nl_parse(grp, CTRL_ATTR_MCAST_GRP_MAX, NLA_DATA(g),
			 g->nla_len - NLA_HDRLEN);
		if (grp[CTRL_ATTR_MCAST_GRP_NAME] && grp[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(NLA_DATA(grp[CTRL_ATTR_MCAST_GRP_NAME]),
			    S2BOX_GENL_MCGRP_EVENTS))
			nl->events_grp = nla_u32(grp[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return nl->events_grp ? 0 : -1;
}

int nl_open(struct nl *nl, struct nl_reply *rep)
{
	struct timeval tv = { .tv_sec = NL_TIMEOUT_S };
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	rep->err = 0;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -1;
	if (bind(nl->fd, (struct sockaddr *)&me, sizeof(me)) ||
	    setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
		       sizeof(one)) ||
	    setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    nl_resolve(nl, rep)) {
		close(nl->fd);
		nl->fd = -1;
		errno = rep->err ? rep->err : ENOENT;
		return -1;
	}
	return 0;
}

int nl_join_events(struct nl *nl)
{
	return setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			  &nl->events_grp, sizeof(nl->events_grp));
}

int nl_get_box(struct nl *nl, __u64 id, struct nl_reply *rep)
{
	struct nl_req r;

	req_init(&r, nl->family, S2BOX_CMD_GET_BOX, 0);
	req_put(&r, S2BOX_ATTR_BOX_ID, &id, sizeof(id));
	return nl_do(nl, &r, rep);
}

int box_run_blob(int box, const void *code, size_t len, struct s2box_run *run)
{
	struct s2box_box_info info;
	struct s2box_map m = {
		.ipa = CODE_IPA,
		.prot = S2BOX_PROT_READ | S2BOX_PROT_WRITE | S2BOX_PROT_EXEC,
	};
	struct s2box_regs regs;

	if (ioctl(box, S2BOX_GET_BOX_INFO, &info))
		return -1;
	m.size = info.map_align;
	if (ioctl(box, S2BOX_MAP, &m) && errno != EEXIST)
		return -1;
	if (pwrite(box, code, len, CODE_IPA) != (ssize_t)len ||
	    ioctl(box, S2BOX_GET_REGS, &regs))
		return -1;
	regs.pc = CODE_IPA;
	if (ioctl(box, S2BOX_SET_REGS, &regs))
		return -1;
	memset(run, 0, sizeof(*run));
	run->budget_ns = RUN_BUDGET_NS;
	return ioctl(box, S2BOX_RUN, run);
}

__u64 box_id(int box)
{
	struct s2box_box_info info;

	return ioctl(box, S2BOX_GET_BOX_INFO, &info) ? 0 : info.box_id;
}

unsigned int runnable_16k_max(int ctl, const struct s2box_caps *caps)
{
	unsigned int limit = caps->ipa_bits_max_16k;
	struct s2box_box_info info;
	struct s2box_run run;
	int box;

	if (limit < 52)
		return limit;
	box = s2box_create(ctl, limit, S2BOX_GRANULE_16K);
	if (box < 0)
		return limit;
	if (!ioctl(box, S2BOX_GET_BOX_INFO, &info) && info.start_level == 0 &&
	    !box_run_blob(box, nl_hvc_blob_start, HVC_BLOB_LEN, &run) &&
	    run.exit_reason == S2BOX_EXIT_S2_FAULT && !run.fault_level &&
	    run.ipa == CODE_IPA)
		limit--;
	close(box);
	return limit;
}
