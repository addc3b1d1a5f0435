/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/s2box.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_S2BOX_GEN_H
#define _LINUX_S2BOX_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/s2box_netlink.h>

extern const struct nla_policy s2box_get_caps_nl_policy[S2BOX_ATTR_PAD + 1];

extern const struct nla_policy s2box_get_box_nl_policy[S2BOX_ATTR_BOX_ID + 1];

extern const struct nla_policy s2box_get_stats_nl_policy[S2BOX_ATTR_PAD + 1];

/* Ops table for s2box */
extern const struct genl_ops s2box_nl_ops[3];

int s2box_nl_get_caps_doit(struct sk_buff *skb, struct genl_info *info);
int s2box_nl_get_box_doit(struct sk_buff *skb, struct genl_info *info);
int s2box_nl_get_box_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int s2box_nl_get_stats_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	S2BOX_NLGRP_EVENTS,
};

#endif /* _LINUX_S2BOX_GEN_H */
