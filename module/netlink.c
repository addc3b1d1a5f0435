// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "s2box" (ABI in the uapi header): caps, boxes
 * and statistics on request, and a multicast group of events. Its request
 * policies and ops table are generated from the YNL spec
 * (Documentation/netlink/specs/s2box.yaml) into netlink_gen.c; this file
 * has the handlers those ops name, and the family.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/ratelimit.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "netlink_gen.h"
#include "s2box.h"

static struct genl_family s2box_nl_family;

/* --- filling messages --------------------------------------------------- */

static int nl_put_counters(struct sk_buff *skb, int type,
			   const struct s2box_counters *c)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	int kind;

	if (!nest)
		return -EMSGSIZE;
	for (kind = 0; kind < S2BOX_NR_EXIT_KINDS; kind++)
		if (nla_put_u64_64bit(skb, S2BOX_ATTR_EXITS_HVC + kind,
				      atomic64_read(&c->exits[kind]),
				      S2BOX_ATTR_EXITS_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* Owner ids as the reader's namespaces see them. */
static int nl_put_owner(struct sk_buff *skb, const struct s2box_box *box)
{
	return nla_put_u32(skb, S2BOX_ATTR_BOX_OWNER_PID,
			   pid_nr_ns(box->owner_pid,
				     task_active_pid_ns(current))) ||
	       nla_put_u32(skb, S2BOX_ATTR_BOX_OWNER_UID,
			   from_kuid_munged(current_user_ns(), box->owner));
}

static int nl_put_box_id(struct sk_buff *skb, const struct s2box_box *box)
{
	return nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_ID, box->id,
				 S2BOX_ATTR_PAD) ||
	       nla_put_u32(skb, S2BOX_ATTR_BOX_IPA_BITS, box->geom.ipa_bits) ||
	       nla_put_u32(skb, S2BOX_ATTR_BOX_GRANULE,
			   1U << box->geom.granule_shift) ||
	       nl_put_owner(skb, box);
}

/* Memory held and pinned: what an operator looks for after an OOM. */
static int nl_put_box_mem(struct sk_buff *skb, struct s2box_box *box)
{
	struct s2box_mem_usage u;

	s2box_mem_usage(box, &u);
	return nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_MEM_BYTES, u.mem_bytes,
				 S2BOX_ATTR_PAD) ||
	       nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_DETACHED_BYTES,
				 u.detached_bytes, S2BOX_ATTR_PAD) ||
	       nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_PINNED_BYTES,
				 u.pinned_bytes, S2BOX_ATTR_PAD) ||
	       nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_OWNER_PINNED_BYTES,
				 u.mm_pinned_bytes, S2BOX_ATTR_PAD);
}

static u32 nl_dirty_mode(const struct s2box_mem_usage *u)
{
	if (!u->has_snap)
		return S2BOX_DIRTY_NONE;
	if (u->hot_units && s2box_hw_dirty_somewhere())
		return S2BOX_DIRTY_HARDWARE;
	return S2BOX_DIRTY_WRITE_PROTECT;
}

/* Snapshot, reset and clone: how the box is used as a sandbox. */
static int nl_put_box_snap(struct sk_buff *skb, struct s2box_box *box)
{
	struct s2box_mem_usage u;

	s2box_mem_usage(box, &u);
	return nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_SNAPSHOT_BYTES,
				 u.snap_bytes, S2BOX_ATTR_PAD) ||
	       nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_SHARED_BYTES,
				 u.shared_bytes, S2BOX_ATTR_PAD) ||
	       nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_CLONE_OF, box->clone_of,
				 S2BOX_ATTR_PAD) ||
	       nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_DIRTY_UNITS,
				 u.dirty_units, S2BOX_ATTR_PAD) ||
	       nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_RESETS, u.resets,
				 S2BOX_ATTR_PAD) ||
	       nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_DIRTY_FAULTS,
				 atomic64_read(&box->dirty_faults),
				 S2BOX_ATTR_PAD) ||
	       nla_put_u32(skb, S2BOX_ATTR_BOX_DIRTY_MODE, nl_dirty_mode(&u));
}

/*
 * Called under the registry lock: everything here is read without the
 * box's lock (atomics, READ_ONCE, s2box_mem_fill_info()'s snapshot).
 */
static int nl_put_box(struct sk_buff *skb, struct s2box_box *box)
{
	struct s2box_box_info info;

	s2box_box_fill_info(box, &info);
	if (nl_put_box_id(skb, box) || nl_put_box_mem(skb, box) ||
	    nl_put_box_snap(skb, box) ||
	    nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_VTCR, info.vtcr,
			      S2BOX_ATTR_PAD) ||
	    nla_put_u32(skb, S2BOX_ATTR_BOX_LEVELS, info.levels) ||
	    nla_put_s32(skb, S2BOX_ATTR_BOX_START_LEVEL, info.start_level) ||
	    nla_put_u32(skb, S2BOX_ATTR_BOX_SL0, info.sl0) ||
	    nla_put_u32(skb, S2BOX_ATTR_BOX_T0SZ, info.t0sz) ||
	    nla_put_u32(skb, S2BOX_ATTR_BOX_PS, info.ps) ||
	    nla_put_u32(skb, S2BOX_ATTR_BOX_DS, info.ds) ||
	    nla_put_u32(skb, S2BOX_ATTR_BOX_VS, info.vs) ||
	    nla_put_u32(skb, S2BOX_ATTR_BOX_ROOT_PAGES, info.root_pages) ||
	    nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_MAPPED_BYTES,
			      info.mapped_bytes, S2BOX_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_TABLE_PAGES,
			      info.table_pages, S2BOX_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_RUNS,
			      atomic64_read(&box->counters.runs),
			      S2BOX_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_GUEST_NS,
			      atomic64_read(&box->counters.guest_ns),
			      S2BOX_ATTR_PAD) ||
	    nla_put_u32(skb, S2BOX_ATTR_BOX_STATE,
			READ_ONCE(box->running) ? S2BOX_STATE_RUNNING :
						  S2BOX_STATE_IDLE))
		return -EMSGSIZE;
	return nl_put_counters(skb, S2BOX_ATTR_BOX_EXITS, &box->counters);
}

/*
 * Only CAP_NET_ADMIN in the initial user namespace sees every box; other
 * callers see the boxes of their own uid.
 */
static bool nl_box_visible(const struct sk_buff *skb,
			   const struct s2box_box *box)
{
	return netlink_capable(skb, CAP_NET_ADMIN) ||
	       uid_eq(box->owner, current_uid());
}

/* --- GET_CAPS, GET_STATS ---------------------------------------------------- */

static int nl_put_caps(struct sk_buff *skb)
{
	struct s2box_caps c;

	s2box_host_fill_caps(&c);
	return nla_put_u32(skb, S2BOX_ATTR_CAP_FLAGS, c.flags) ||
	       nla_put_u32(skb, S2BOX_ATTR_CAP_API_VERSION, c.api_version) ||
	       nla_put_u32(skb, S2BOX_ATTR_CAP_PA_BITS, c.pa_bits) ||
	       nla_put_u32(skb, S2BOX_ATTR_CAP_GRANULES, c.granules) ||
	       nla_put_u32(skb, S2BOX_ATTR_CAP_IPA_MAX_4K, c.ipa_bits_max_4k) ||
	       nla_put_u32(skb, S2BOX_ATTR_CAP_IPA_MAX_16K,
			   c.ipa_bits_max_16k) ||
	       nla_put_u32(skb, S2BOX_ATTR_CAP_IPA_MAX_64K,
			   c.ipa_bits_max_64k) ||
	       nla_put_u32(skb, S2BOX_ATTR_CAP_VMID_BITS, c.vmid_bits) ||
	       nla_put_u32(skb, S2BOX_ATTR_CAP_HOST_PAGE_SIZE,
			   c.host_page_size) ? -EMSGSIZE : 0;
}

static int nl_put_stats(struct sk_buff *skb)
{
	struct s2box_stats *s = &s2box_stats;

	if (nla_put_u64_64bit(skb, S2BOX_ATTR_STAT_BOXES_ALIVE,
			      atomic64_read(&s->boxes_alive), S2BOX_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, S2BOX_ATTR_STAT_BOXES_CREATED,
			      atomic64_read(&s->boxes_created),
			      S2BOX_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, S2BOX_ATTR_STAT_MEM_BYTES,
			      atomic64_read(&s->mem_bytes), S2BOX_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, S2BOX_ATTR_STAT_RUNS,
			      atomic64_read(&s->all.runs), S2BOX_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, S2BOX_ATTR_STAT_EVENTS_DROPPED,
			      atomic64_read(&s->events_dropped),
			      S2BOX_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, S2BOX_ATTR_STAT_TABLE_PAGES,
			      atomic64_read(&s->table_pages), S2BOX_ATTR_PAD) ||
	    nla_put_u64_64bit(skb, S2BOX_ATTR_STAT_GUEST_PAGES,
			      atomic64_read(&s->guest_pages), S2BOX_ATTR_PAD))
		return -EMSGSIZE;
	return nl_put_counters(skb, S2BOX_ATTR_STAT_EXITS, &s->all);
}

/* One reply message filled by @fill. */
static int nl_reply(struct genl_info *info, u8 cmd,
		    int (*fill)(struct sk_buff *skb, void *arg), void *arg)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	void *hdr;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &s2box_nl_family, 0, cmd);
	if (!hdr || fill(msg, arg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int nl_fill_caps(struct sk_buff *skb, void *arg)
{
	return nl_put_caps(skb);
}

static int nl_fill_stats(struct sk_buff *skb, void *arg)
{
	return nl_put_stats(skb);
}

int s2box_nl_get_caps_doit(struct sk_buff *skb, struct genl_info *info)
{
	return nl_reply(info, S2BOX_CMD_GET_CAPS, nl_fill_caps, NULL);
}

int s2box_nl_get_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	return nl_reply(info, S2BOX_CMD_GET_STATS, nl_fill_stats, NULL);
}

/* --- GET_BOX -------------------------------------------------------------------- */

struct nl_find {
	const struct sk_buff *skb;
	u64 id;
	struct genl_info *info;
	struct sk_buff *msg;
	int err;
};

/*
 * Runs with the registry locked, so the box cannot go away meanwhile;
 * the reply is allocated before and sent after, outside the lock.
 */
static int nl_fill_found(struct s2box_box *box, void *arg)
{
	struct nl_find *find = arg;
	void *hdr;

	if (box->id != find->id || !nl_box_visible(find->skb, box))
		return 1;	/* not it: stop, the caller reports ENOENT */
	find->err = -EMSGSIZE;
	hdr = genlmsg_put_reply(find->msg, find->info, &s2box_nl_family, 0,
				S2BOX_CMD_GET_BOX);
	if (hdr && !nl_put_box(find->msg, box)) {
		genlmsg_end(find->msg, hdr);
		find->err = 0;
	}
	return 1;
}

int s2box_nl_get_box_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nl_find find = { .skb = skb, .info = info, .err = -ENOENT };
	unsigned int gen;
	u64 next;

	if (GENL_REQ_ATTR_CHECK(info, S2BOX_ATTR_BOX_ID)) {
		NL_SET_ERR_MSG(info->extack, "GET_BOX needs S2BOX_ATTR_BOX_ID (or a dump)");
		return -EINVAL;
	}
	find.id = nla_get_u64(info->attrs[S2BOX_ATTR_BOX_ID]);
	find.msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!find.msg)
		return -ENOMEM;
	next = find.id;
	s2box_registry_walk(&next, &gen, nl_fill_found, &find);
	if (find.err) {
		nlmsg_free(find.msg);
		if (find.err == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[S2BOX_ATTR_BOX_ID],
					    "no such box (or not yours to see)");
		return find.err;
	}
	return genlmsg_reply(find.msg, info);
}

struct nl_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int nl_dump_one(struct s2box_box *box, void *arg)
{
	struct nl_dump *d = arg;
	void *hdr;

	if (!nl_box_visible(d->cb->skb, box))
		return 0;
	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, &s2box_nl_family, NLM_F_MULTI,
			  S2BOX_CMD_GET_BOX);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(d->cb, hdr);
	if (nl_put_box(d->skb, box)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

/*
 * Resumes after the last box id sent (cb->args[0]): ids only grow, so no
 * box that lives throughout the dump is repeated or skipped; cb->seq lets
 * the reader know boxes came or went meanwhile (NLM_F_DUMP_INTERRUPTED).
 */
int s2box_nl_get_box_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nl_dump d = { .skb = skb, .cb = cb };
	u64 next = cb->args[0];
	int err;

	/* The walk sets cb->seq before the first message is checked. */
	err = s2box_registry_walk(&next, &cb->seq, nl_dump_one, &d);
	cb->args[0] = next;
	if (err && !skb->len)
		return err;
	return skb->len;
}

/* --- events --------------------------------------------------------------- */

/*
 * The spec's group, with its admin-perm flag: the generator (as of Linux
 * 6.12) writes a group table without flags, so the family uses this one.
 */
static const struct genl_multicast_group s2box_nl_groups[] = {
	[S2BOX_NLGRP_EVENTS] = {
		.name = S2BOX_GENL_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static void nl_send_event(u8 cmd, int (*fill)(struct sk_buff *skb, void *arg),
			  void *arg)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&s2box_nl_family, &init_net, 0))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &s2box_nl_family, 0, cmd);
	if (!hdr || fill(msg, arg)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&s2box_nl_family, msg, 0, 0, GFP_KERNEL);
}

static int nl_fill_box_event(struct sk_buff *skb, void *arg)
{
	return nl_put_box_id(skb, arg) ? -EMSGSIZE : 0;
}

void s2box_nl_event_box(struct s2box_box *box, bool created)
{
	nl_send_event(created ? S2BOX_CMD_EVENT_CREATED :
		      S2BOX_CMD_EVENT_DESTROYED, nl_fill_box_event, box);
}

struct nl_exit {
	struct s2box_box *box;
	const struct s2box_run *run;
};

static int nl_fill_exit(struct sk_buff *skb, void *arg)
{
	const struct nl_exit *e = arg;

	if (nla_put_u64_64bit(skb, S2BOX_ATTR_BOX_ID, e->box->id,
			      S2BOX_ATTR_PAD) ||
	    nla_put_u32(skb, S2BOX_ATTR_EXIT_REASON, e->run->exit_reason) ||
	    nla_put_u64_64bit(skb, S2BOX_ATTR_EXIT_ESR, e->run->esr,
			      S2BOX_ATTR_PAD))
		return -EMSGSIZE;
	if ((e->run->flags & S2BOX_RUN_IPA_VALID) &&
	    nla_put_u64_64bit(skb, S2BOX_ATTR_EXIT_IPA, e->run->ipa,
			      S2BOX_ATTR_PAD))
		return -EMSGSIZE;
	return 0;
}

/* A hostile blob can fault in a tight loop: cap what listeners get. */
static DEFINE_RATELIMIT_STATE(nl_exit_events, HZ, 100);

void s2box_nl_event_exit(struct s2box_box *box, const struct s2box_run *run)
{
	struct nl_exit e = { .box = box, .run = run };

	if (run->exit_reason != S2BOX_EXIT_S2_FAULT &&
	    run->exit_reason != S2BOX_EXIT_TRAP &&
	    run->exit_reason != S2BOX_EXIT_SERROR)
		return;
	if (!genl_has_listeners(&s2box_nl_family, &init_net, 0))
		return;
	if (!__ratelimit(&nl_exit_events)) {
		atomic64_inc(&s2box_stats.events_dropped);
		return;
	}
	nl_send_event(S2BOX_CMD_EVENT_EXIT, nl_fill_exit, &e);
}

/* --- the family ----------------------------------------------------------- */

/*
 * Written here: the generator makes no family for a genetlink-legacy spec
 * (which the per-command policies 6.1 needs take), and the one it makes
 * for other specs would be visible in every network namespace and run
 * requests in parallel, neither of which this family does.
 */
static struct genl_family s2box_nl_family __ro_after_init = {
	.name = S2BOX_GENL_NAME,
	.version = S2BOX_GENL_VERSION,
	.module = THIS_MODULE,
	.ops = s2box_nl_ops,
	.n_ops = ARRAY_SIZE(s2box_nl_ops),
	/* Every command validates strictly, reserved header fields too. */
	.resv_start_op = S2BOX_CMD_GET_CAPS,
	.mcgrps = s2box_nl_groups,
	.n_mcgrps = ARRAY_SIZE(s2box_nl_groups),
};

/* "modprobe net-pf-16-proto-16-family-s2box": what genetlink asks for. */
MODULE_ALIAS_GENL_FAMILY(S2BOX_GENL_NAME);

int s2box_nl_init(void)
{
	return genl_register_family(&s2box_nl_family);
}

void s2box_nl_exit(void)
{
	genl_unregister_family(&s2box_nl_family);
}
