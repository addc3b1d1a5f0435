/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny generic netlink client for the s2box kselftests (s2box_nl_test,
 * s2box_ctl_test): raw AF_NETLINK sockets and no library, so the tests
 * build wherever the kselftests do. Also the blobs those tests run and a
 * box helper. Include after kselftest_harness.h.
 */
#ifndef S2BOX_NL_UTIL_H
#define S2BOX_NL_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/s2box.h>

#include "blob.h"
#include "s2box_util.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* Large enough for any dump skb (the kernel caps them near 32 KiB). */
#define NL_BUF_SIZE	65536
#define NL_TIMEOUT_S	5

struct nl {
	int fd;
	__u16 family;
	__u32 events_grp;	/* multicast group id of "events" */
	__u32 seq;
};

struct nl_req {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char attrs[256];
};

/* What one request got back. */
struct nl_reply {
	int err;			/* 0, or the errno the kernel answered */
	char extack[256];		/* NLMSGERR_ATTR_MSG, or "" */
	int miss_type;			/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
	bool has_offs;			/* NLMSGERR_ATTR_OFFS was given */
	__u8 cmd;
	struct nlattr *tb[S2BOX_ATTR_MAX + 1];
	char buf[NL_BUF_SIZE];
};

/* A dump being read, message by message. */
struct nl_dump {
	struct nl *nl;
	char *buf;
	int len, off;
	int recvs;		/* recv() calls that returned data */
	bool done, intr;	/* NLMSG_DONE seen; NLM_F_DUMP_INTR seen */
	int err;
};

#define NLA_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))

__u32 nla_u32(const struct nlattr *a);

__u64 nla_u64(const struct nlattr *a);

void nl_parse(struct nlattr **tb, int max, void *data, int len);

void nl_parse_genl(struct nlattr **tb, int max, struct nlmsghdr *n);

void req_init(struct nl_req *r, __u16 type, __u8 cmd, __u16 flags);

void req_put(struct nl_req *r, __u16 type, const void *data, __u16 len);

int nl_send(struct nl *nl, struct nl_req *r);

/* The errno and extended ack of an NLMSG_ERROR. */
void nl_get_error(struct nlmsghdr *n, struct nl_reply *rep);

/*
 * Sends @r (no NLM_F_ACK: the answer is one reply or one error) and
 * reads the answer into @rep. Returns 0 when an answer came (rep->err
 * says which), -1 if none did.
 */
int nl_do(struct nl *nl, struct nl_req *r, struct nl_reply *rep);

void nl_dump_start(struct nl *nl, struct nl_dump *d, __u8 cmd, char *buf);

/*
 * The next message of the dump into @tb: 1, or 0 at its end, or -1 on
 * an error (d->err).
 */
int nl_dump_next(struct nl_dump *d, struct nlattr **tb);

/* Family and "events" group ids from the generic netlink controller. */
int nl_resolve(struct nl *nl, struct nl_reply *rep);

/*
 * A socket with extended acks and a receive timeout, the family resolved.
 * Returns 0, or -1 with errno.
 */
int nl_open(struct nl *nl, struct nl_reply *rep);

int nl_join_events(struct nl *nl);

/* GET_BOX of one id into @rep. */
int nl_get_box(struct nl *nl, __u64 id, struct nl_reply *rep);

/* --- blobs and boxes ----------------------------------------------------- */

/* guest/nl_blobs.S: x0 = 0x2a, HVC #0; a store to FAULT_IPA, HVC #0. */
BLOB(nl_hvc_blob);
BLOB(nl_fault_blob);
#define HVC_BLOB_LEN	BLOB_LEN(nl_hvc_blob)
#define FAULT_BLOB_LEN	BLOB_LEN(nl_fault_blob)
#define FAULT_IPA	0x80000000ULL

/* Code at CODE_IPA: a multiple of every map_align, nothing at IPA 0. */
#define CODE_IPA	0x100000ULL
#define RUN_BUDGET_NS	(2 * 1000 * 1000 * 1000ULL)

/* Maps a code unit in @box, loads @code there and runs it once. */
int box_run_blob(int box, const void *code, size_t len, struct s2box_run *run);

__u64 box_id(int box);

/*
 * QEMU 7.2 rejects a 16K stage-2 walk that starts at level 0 (a 52-bit
 * IPA with LPA2, VTCR_EL2.SL0 0b11) as a misconfiguration, so boxes of
 * that one geometry fault at level 0 on mapped memory there (see
 * run_fault_test.c; hardware must run them). Returns the largest 16K
 * ipa_bits whose boxes run: the caps limit, or one less under QEMU.
 */
unsigned int runnable_16k_max(int ctl, const struct s2box_caps *caps);

#endif /* S2BOX_NL_UTIL_H */
