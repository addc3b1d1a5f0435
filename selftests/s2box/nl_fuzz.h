/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2box_nl_fuzz_test's state (what each message must get back: struct
 * want), the boxes it holds, and the checking of every answer the
 * kernel sends: NLMSG_ERROR with its echoed header and extended ack,
 * replies and dumps of the s2box family, NLMSG_DONE. The messages and
 * the model that predicts their answers are in nl_fuzz_test.c. Include
 * after kselftest_harness.h.
 */
#ifndef S2BOX_NL_FUZZ_H
#define S2BOX_NL_FUZZ_H

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "nl_util.h"

#define MSGS_HEAVY	20000
#define MSGS_LIGHT	2000
#define TIME_HEAVY_S	240
#define TIME_LIGHT_S	60
#define MAX_BOXES	8
#define MAX_DEAD	32
#define MAX_BATCH	4
#define DGRAM_MAX	4096
#define MIN_OK_PCT	2
/* genetlink allocates family ids below this; none is ever above. */
#define GENL_ID_LIMIT	1024

/* What a message must get back. */
enum {
	W_NONE,		/* nothing at all */
	W_ACK,		/* an ACK (NLMSG_ERROR with 0) */
	W_ERR,		/* NLMSG_ERROR with one of err[] */
	W_DO,		/* one reply of cmd, then an ACK with NLM_F_ACK */
	W_DUMP,		/* NLM_F_MULTI replies and NLMSG_DONE (or EBUSY) */
};

/* Statistics slots: what a message was meant to be. */
enum {
	S_CAPS, S_BOX, S_BOX_DUMP, S_STATS, S_OTHER_CMD, S_CONTROL,
	S_NO_FAMILY, S_DROPPED, NR_S
};

static const char * const s_names[NR_S] = {
	"GET_CAPS", "GET_BOX", "GET_BOX dump", "GET_STATS", "other cmd",
	"control/no req", "no family", "cut nlmsg_len",
};

struct want {
	int kind;
	int slot;
	__u32 seq;
	__u16 type, flags;
	__u32 len;		/* nlmsg_len as sent */
	__u8 cmd;
	int err[3];		/* W_ERR: the errnos allowed */
	bool need_msg;		/* an extack message must come */
	const char *msg;	/* ...containing this text */
	int bad_off;		/* NLMSGERR_ATTR_OFFS expected, or -1 */
	bool miss_ok;		/* NLMSGERR_ATTR_MISS_TYPE may stand in */
	__u64 box_id;		/* GET_BOX */
	int box;		/* its slot in boxes[], or -1 */
	bool ebusy_ok;		/* a dump while another runs: EBUSY */
	/* Progress. */
	int got_err;		/* the errno it got, 0 */
	bool replied, acked, done;
	int multi;
	__u64 last_id;
	bool seen[MAX_BOXES];
};

struct nlbox {
	int fd;
	__u64 id;
	__u32 ipa_bits, granule;
};

struct nlf {
	struct fz_rng rng;
	__u64 seed;
	bool heavy, failed;
	struct nl nl;
	int ctl;
	struct s2box_caps caps;
	struct nlbox box[MAX_BOXES];
	__u64 dead[MAX_DEAD];
	int n_dead;
	struct want want[MAX_BATCH + 1];
	int n_want;
	char dgram[DGRAM_MAX];
	char rbuf[NL_BUF_SIZE];
	struct fz_ring ring;
	struct fz_stat st[NR_S];
	unsigned long msgs, replies, dump_msgs, extacks;
};

static void __printf(2, 3) nf_fail(struct nlf *f, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (f->failed)
		return;
	f->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fz_info("FAILED after %lu messages: %s\n", f->msgs, msg);
	fz_dump(&f->ring);
	fz_info("reproduce with %s=0x%llx S2BOX_HEAVY=%d (S2BOX_FUZZ_TRACE=1 prints every operation)\n",
		FZ_SEED_ENV, (unsigned long long)f->seed, f->heavy);
}

/* --- boxes ---------------------------------------------------------------- */

static void box_new(struct nlf *f, struct nlbox *b)
{
	static const __u32 gran[] = {
		S2BOX_GRANULE_4K, S2BOX_GRANULE_16K, S2BOX_GRANULE_64K
	};
	struct s2box_create c = { 0 };
	struct s2box_box_info info;
	unsigned int lim;

	do {
		c.granule = gran[fz_below(&f->rng, ARRAY_SIZE(gran))];
		lim = s2box_ipa_limit(&f->caps, c.granule);
	} while (!lim);
	c.ipa_bits = 32 + fz_below(&f->rng, lim - 31);
	b->fd = ioctl(f->ctl, S2BOX_CREATE_BOX, &c);
	if (b->fd < 0 || ioctl(b->fd, S2BOX_GET_BOX_INFO, &info)) {
		nf_fail(f, "CREATE_BOX %u bits %u granule: %s", c.ipa_bits,
			c.granule, strerror(errno));
		return;
	}
	b->id = info.box_id;
	b->ipa_bits = c.ipa_bits;
	b->granule = c.granule;
}

/* Close one box (its id joins the dead) and make another. */
static void box_cycle(struct nlf *f)
{
	struct nlbox *b = &f->box[fz_below(&f->rng, MAX_BOXES)];

	fz_log(&f->ring, "close box %llu, create another",
	       (unsigned long long)b->id);
	close(b->fd);
	f->dead[f->n_dead++ % MAX_DEAD] = b->id;
	box_new(f, b);
}

static int box_slot(struct nlf *f, __u64 id)
{
	int i;

	for (i = 0; i < MAX_BOXES; i++)
		if (f->box[i].fd >= 0 && f->box[i].id == id)
			return i;
	return -1;
}

/* --- checking answers ------------------------------------------------------ */

static struct want *want_of(struct nlf *f, __u32 seq)
{
	int i;

	for (i = 0; i < f->n_want; i++)
		if (f->want[i].seq == seq)
			return &f->want[i];
	return NULL;
}

/* Every attribute inside [p, p + len) well formed, to the last byte. */
static bool attrs_sound(const char *p, int len, int depth)
{
	struct nlattr a;
	int off = 0;

	while (off < len) {
		if (len - off < NLA_HDRLEN)
			return false;
		memcpy(&a, p + off, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > len - off)
			return false;
		if ((a.nla_type & NLA_F_NESTED) && depth < 2 &&
		    !attrs_sound(p + off + NLA_HDRLEN, a.nla_len - NLA_HDRLEN,
				 depth + 1))
			return false;
		off += NLA_ALIGN(a.nla_len);
	}
	return off == len || off == NLA_ALIGN(len);
}

static void check_error(struct nlf *f, struct want *w, struct nlmsghdr *n)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct nlmsgerr *e = NLMSG_DATA(n);
	int err, i, miss = -1, offs = -1;
	char ext[256] = "";
	unsigned int off;

	if (n->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
		nf_fail(f, "seq %u: NLMSG_ERROR of %u bytes", w->seq,
			n->nlmsg_len);
		return;
	}
	err = -e->error;
	if (err < 0 || e->msg.nlmsg_seq != w->seq ||
	    e->msg.nlmsg_type != w->type) {
		nf_fail(f, "seq %u: error %d echoing seq %u type 0x%x", w->seq,
			e->error, e->msg.nlmsg_seq, e->msg.nlmsg_type);
		return;
	}
	/* The extended ack, after the echoed request (or its header). */
	off = sizeof(*e);
	if (!(n->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if ((n->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    NLMSG_HDRLEN + off < n->nlmsg_len) {
		if (!attrs_sound((char *)e + off, n->nlmsg_len - NLMSG_HDRLEN - off,
				 0)) {
			nf_fail(f, "seq %u: malformed extended ack", w->seq);
			return;
		}
		nl_parse(tb, NLMSGERR_ATTR_MAX, (char *)e + off,
			 n->nlmsg_len - NLMSG_HDRLEN - off);
		if (tb[NLMSGERR_ATTR_MSG]) {
			int l = tb[NLMSGERR_ATTR_MSG]->nla_len - NLA_HDRLEN;

			if (!l || ((char *)NLA_DATA(tb[NLMSGERR_ATTR_MSG]))[l - 1]) {
				nf_fail(f, "seq %u: extack message not a string",
					w->seq);
				return;
			}
			snprintf(ext, sizeof(ext), "%s",
				 (char *)NLA_DATA(tb[NLMSGERR_ATTR_MSG]));
			f->extacks++;
		}
		if (tb[NLMSGERR_ATTR_MISS_TYPE])
			miss = nla_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
		if (tb[NLMSGERR_ATTR_OFFS])
			offs = nla_u32(tb[NLMSGERR_ATTR_OFFS]);
	}
	if (!err) {
		/* An ACK: for W_ACK, or after a W_DO reply with NLM_F_ACK. */
		if (w->acked || !(w->kind == W_ACK ||
				  (w->kind == W_DO && w->replied &&
				   (w->flags & NLM_F_ACK))))
			nf_fail(f, "seq %u: unexpected ACK (kind %d)", w->seq,
				w->kind);
		w->acked = true;
		return;
	}
	w->got_err = err;
	if (err == EBUSY && w->ebusy_ok && !w->multi && !w->acked) {
		w->done = true;
		w->acked = true;
		return;
	}
	for (i = 0; i < 3 && w->kind == W_ERR && w->err[i] != err; i++)
		;
	if (w->kind != W_ERR || i == 3 || w->acked) {
		nf_fail(f, "seq %u: error %s (extack \"%s\"), expected kind %d err %s/%s",
			w->seq, fz_errname(err), ext, w->kind,
			fz_errname(w->err[0]), fz_errname(w->err[1]));
		return;
	}
	w->acked = true;
	if (w->need_msg && !ext[0] && !(w->miss_ok && miss >= 0))
		nf_fail(f, "seq %u: %s without an extack message", w->seq,
			fz_errname(err));
	else if (w->msg && !strstr(ext, w->msg) &&
		 !(w->miss_ok && miss == S2BOX_ATTR_BOX_ID))
		nf_fail(f, "seq %u: extack \"%s\" (missing type %d), expected \"%s\"",
			w->seq, ext, miss, w->msg);
	else if (w->bad_off >= 0 && err == EINVAL && offs != w->bad_off &&
		 w->need_msg)
		nf_fail(f,
			"seq %u: extack points at offset %d, the bad attribute is at %d (\"%s\")",
			w->seq, offs, w->bad_off, ext);
	else if (w->msg && w->bad_off >= 0 && offs != w->bad_off)
		nf_fail(f, "seq %u: extack points at offset %d, BOX_ID is at %d",
			w->seq, offs, w->bad_off);
}

/* A GET_CAPS, GET_STATS or GET_BOX reply must say what the ioctls say. */
static void check_reply_attrs(struct nlf *f, struct want *w,
			      struct nlattr **tb)
{
	struct nlbox *b;
	int live = 0, i;

	switch (w->cmd) {
	case S2BOX_CMD_GET_CAPS:
		if (!tb[S2BOX_ATTR_CAP_FLAGS] || !tb[S2BOX_ATTR_CAP_PA_BITS] ||
		    nla_u32(tb[S2BOX_ATTR_CAP_FLAGS]) != f->caps.flags ||
		    nla_u32(tb[S2BOX_ATTR_CAP_PA_BITS]) != f->caps.pa_bits)
			nf_fail(f, "seq %u: GET_CAPS differs from S2BOX_GET_CAPS",
				w->seq);
		break;
	case S2BOX_CMD_GET_STATS:
		for (i = 0; i < MAX_BOXES; i++)
			live += f->box[i].fd >= 0;
		if (!tb[S2BOX_ATTR_STAT_BOXES_ALIVE] ||
		    nla_u64(tb[S2BOX_ATTR_STAT_BOXES_ALIVE]) < (__u64)live)
			nf_fail(f, "seq %u: GET_STATS BOXES_ALIVE under the %d boxes held",
				w->seq, live);
		break;
	case S2BOX_CMD_GET_BOX:
		b = &f->box[w->box];
		if (!tb[S2BOX_ATTR_BOX_ID] || !tb[S2BOX_ATTR_BOX_IPA_BITS] ||
		    !tb[S2BOX_ATTR_BOX_GRANULE] ||
		    !tb[S2BOX_ATTR_BOX_OWNER_PID] ||
		    nla_u64(tb[S2BOX_ATTR_BOX_ID]) != b->id ||
		    nla_u32(tb[S2BOX_ATTR_BOX_IPA_BITS]) != b->ipa_bits ||
		    nla_u32(tb[S2BOX_ATTR_BOX_GRANULE]) != b->granule ||
		    nla_u32(tb[S2BOX_ATTR_BOX_OWNER_PID]) != (__u32)getpid())
			nf_fail(f, "seq %u: GET_BOX %llu does not describe box %llu",
				w->seq, (unsigned long long)w->box_id,
				(unsigned long long)b->id);
		break;
	}
}

static void check_genl(struct nlf *f, struct want *w, struct nlmsghdr *n)
{
	struct genlmsghdr *g = NLMSG_DATA(n);
	struct nlattr *tb[S2BOX_ATTR_MAX + 1];
	int i;
	__u64 id;

	if (n->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
	    !attrs_sound((char *)g + GENL_HDRLEN,
			 n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), 0)) {
		nf_fail(f, "seq %u: malformed reply of %u bytes", w->seq,
			n->nlmsg_len);
		return;
	}
	nl_parse_genl(tb, S2BOX_ATTR_MAX, n);
	f->replies++;
	if (w->kind == W_DO && !w->replied && !w->acked && g->cmd == w->cmd &&
	    !(n->nlmsg_flags & NLM_F_MULTI)) {
		w->replied = true;
		check_reply_attrs(f, w, tb);
		return;
	}
	if (w->kind != W_DUMP || w->done || g->cmd != S2BOX_CMD_GET_BOX ||
	    !(n->nlmsg_flags & NLM_F_MULTI) || !tb[S2BOX_ATTR_BOX_ID]) {
		nf_fail(f, "seq %u: unexpected reply cmd %u flags 0x%x (kind %d)",
			w->seq, g->cmd, n->nlmsg_flags, w->kind);
		return;
	}
	id = nla_u64(tb[S2BOX_ATTR_BOX_ID]);
	if (w->multi && id <= w->last_id)
		nf_fail(f, "seq %u: dump gave box %llu after %llu", w->seq,
			(unsigned long long)id, (unsigned long long)w->last_id);
	for (i = 0; i < f->n_dead && i < MAX_DEAD; i++)
		if (f->dead[i] == id)
			nf_fail(f, "seq %u: dump gave closed box %llu", w->seq,
				(unsigned long long)id);
	i = box_slot(f, id);
	if (i >= 0)
		w->seen[i] = true;
	w->multi++;
	w->last_id = id;
	f->dump_msgs++;
}

static void check_done(struct nlf *f, struct want *w, struct nlmsghdr *n)
{
	int i;

	if (w->kind != W_DUMP || w->done ||
	    n->nlmsg_len < NLMSG_LENGTH(sizeof(int)) ||
	    *(int *)NLMSG_DATA(n)) {
		nf_fail(f, "seq %u: unexpected NLMSG_DONE (kind %d)", w->seq,
			w->kind);
		return;
	}
	w->done = true;
	/* No box came or went during the dump: all of ours are in it. */
	for (i = 0; i < MAX_BOXES; i++)
		if (f->box[i].fd >= 0 && !w->seen[i])
			nf_fail(f, "seq %u: dump without box %llu", w->seq,
				(unsigned long long)f->box[i].id);
}

/* Everything the socket holds now; false when recv() failed. */
static bool read_answers(struct nlf *f, __u32 probe_seq, bool *probe_acked)
{
	struct nlmsghdr *n;
	struct want *w;
	int len;

	len = recv(f->nl.fd, f->rbuf, sizeof(f->rbuf), MSG_TRUNC);
	if (len < 0) {
		nf_fail(f, "recv: %s (the socket stopped answering)",
			strerror(errno));
		return false;
	}
	if (len > (int)sizeof(f->rbuf)) {
		nf_fail(f, "a datagram of %d bytes", len);
		return false;
	}
	for (n = (struct nlmsghdr *)f->rbuf; NLMSG_OK(n, len);
	     n = NLMSG_NEXT(n, len)) {
		if (n->nlmsg_seq == probe_seq) {
			if (n->nlmsg_type != NLMSG_ERROR ||
			    ((struct nlmsgerr *)NLMSG_DATA(n))->error)
				nf_fail(f, "probe: type %u", n->nlmsg_type);
			*probe_acked = true;
			continue;
		}
		w = want_of(f, n->nlmsg_seq);
		if (!w) {
			nf_fail(f, "an answer (type %u) to seq %u, never sent",
				n->nlmsg_type, n->nlmsg_seq);
			return false;
		}
		if (w->kind == W_NONE) {
			nf_fail(f, "seq %u: an answer (type %u) where none is due",
				w->seq, n->nlmsg_type);
			return false;
		}
		if (n->nlmsg_type == NLMSG_ERROR)
			check_error(f, w, n);
		else if (n->nlmsg_type == NLMSG_DONE)
			check_done(f, w, n);
		else if (n->nlmsg_type == f->nl.family)
			check_genl(f, w, n);
		else
			nf_fail(f, "seq %u: answer of type %u", w->seq,
				n->nlmsg_type);
		if (f->failed)
			return false;
	}
	if (len) {
		nf_fail(f, "%d bytes after the last whole message", len);
		return false;
	}
	return true;
}

static bool want_complete(const struct want *w)
{
	switch (w->kind) {
	case W_ACK:
	case W_ERR:
		return w->acked;
	case W_DO:
		return w->replied && (w->acked || !(w->flags & NLM_F_ACK));
	case W_DUMP:
		return w->done;
	}
	return true;
}

#endif /* S2BOX_NL_FUZZ_H */
