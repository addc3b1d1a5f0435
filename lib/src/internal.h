/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libs2box's private declarations: the handles and the error helpers. */
#ifndef S2BOX_INTERNAL_H
#define S2BOX_INTERNAL_H

#include <s2box/s2box.h>

#define S2BOX_EXPORT	__attribute__((visibility("default")))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define ERRMSG_LEN	256

struct s2box_dev {
	int fd;
	struct s2box_caps caps;
	char errmsg[ERRMSG_LEN];
};

struct s2box_box {
	int fd;
	struct s2box_box_info info;	/* as created; counters not kept */
	struct s2box_exit last_exit;
	__u64 call_budget_ns;
	__u64 entry;		/* e_entry of the loaded image */
	bool has_entry;
	void *image;		/* a copy of it, for s2box_box_symbol() */
	size_t image_len;
	char errmsg[ERRMSG_LEN];
};

/*
 * Records why a call failed in @buf and returns @err (negative). The
 * message is "<what>: <s2box_strerror(err)>" unless @fmt says more.
 */
__printf(3, 4) int s2box_fail(char *buf, int err, const char *fmt, ...);

#define box_fail(box, err, ...) s2box_fail((box)->errmsg, err, __VA_ARGS__)

/*
 * nl.c: the 0.2 and 0.1 versions of the functions that fill struct
 * s2box_nl_box, bound to their public names with .symver.
 */
int s2box_nl_get_box_v02(struct s2box_nl *nl, __u64 id,
			 struct s2box_nl_box *box);
int s2box_nl_list_boxes_v02(struct s2box_nl *nl, struct s2box_nl_box **boxesp,
			    bool *changed);
int s2box_nl_get_box_v0(struct s2box_nl *nl, __u64 id, void *old);
int s2box_nl_list_boxes_v0(struct s2box_nl *nl, void **oldp, bool *changed);

#endif /* S2BOX_INTERNAL_H */
