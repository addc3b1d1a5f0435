// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/s2box.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink_gen.h"

#include <uapi/linux/s2box_netlink.h>

/* S2BOX_CMD_GET_CAPS - do */
const struct nla_policy s2box_get_caps_nl_policy[S2BOX_ATTR_PAD + 1] = {
};

/* S2BOX_CMD_GET_BOX - do */
const struct nla_policy s2box_get_box_nl_policy[S2BOX_ATTR_BOX_ID + 1] = {
	[S2BOX_ATTR_BOX_ID] = { .type = NLA_U64, },
};

/* S2BOX_CMD_GET_STATS - do */
const struct nla_policy s2box_get_stats_nl_policy[S2BOX_ATTR_PAD + 1] = {
};

/* Ops table for s2box */
const struct genl_ops s2box_nl_ops[3] = {
	{
		.cmd		= S2BOX_CMD_GET_CAPS,
		.doit		= s2box_nl_get_caps_doit,
		.policy		= s2box_get_caps_nl_policy,
		.maxattr	= S2BOX_ATTR_PAD,
	},
	{
		.cmd		= S2BOX_CMD_GET_BOX,
		.doit		= s2box_nl_get_box_doit,
		.dumpit		= s2box_nl_get_box_dumpit,
		.policy		= s2box_get_box_nl_policy,
		.maxattr	= S2BOX_ATTR_BOX_ID,
	},
	{
		.cmd		= S2BOX_CMD_GET_STATS,
		.doit		= s2box_nl_get_stats_doit,
		.policy		= s2box_get_stats_nl_policy,
		.maxattr	= S2BOX_ATTR_PAD,
	},
};

static const struct genl_multicast_group s2box_nl_mcgrps[] = {
	[S2BOX_NLGRP_EVENTS] = { "events", },
};
