// SPDX-License-Identifier: GPL-2.0
/*
 * s2box_nl_fuzz_test: a seeded fuzzer of the generic netlink family
 * "s2box", over a raw AF_NETLINK socket as nl_util.h talks to it.
 *
 * Each datagram carries one to MAX_BATCH messages: valid and invalid
 * command numbers, random nlmsg flags (NLM_F_DUMP, NLM_F_ACK, NLM_F_ECHO
 * and bits no request may carry), random genl versions and reserved
 * bytes, control message types, family ids nobody has, and attribute
 * sets of every shape: wrong types and lengths, unknown types, the
 * NLA_F_NESTED and byte-order flags, nested garbage, attribute headers
 * cut short, lengths past the message, duplicates, trailing bytes; and
 * nlmsg_len values shorter or longer than what was sent. BOX_ID values
 * include the ids of boxes the test holds, of boxes it closed, 0 and
 * ~0. Boxes come and go between datagrams.
 *
 * A model of netlink_rcv_skb(), genetlink's header checks and strict
 * policy validation predicts, for every message, what must come back:
 * nothing, an ACK, an error from a set (with an extended-ack message for
 * attribute errors, pointing at the first bad attribute; the module's own
 * text for a missing or unknown BOX_ID), one reply of the command, or a
 * dump ending in NLMSG_DONE. After every datagram a NOOP with NLM_F_ACK
 * goes out; by its ACK every answer but the rest of a dump must be in,
 * and every dump must end. Replies must be well formed: lengths, echoed
 * headers, attributes that parse to the byte, reply contents that match
 * the boxes and the ioctls. A socket that stops answering fails within
 * NL_TIMEOUT_S.
 *
 * Errors a request may get: EINVAL (header, flags, attributes, missing
 * BOX_ID), EOPNOTSUPP (no such command, or no dump of it), ENOENT (no
 * such box; no such family id), EBUSY (a dump already runs on the
 * socket), ENOMEM and EMSGSIZE (the kernel's allocations, never expected
 * here).
 *
 * The seed comes from S2BOX_FUZZ_SEED or the clock and is printed first;
 * S2BOX_HEAVY=1 sends MSGS_HEAVY messages, otherwise MSGS_LIGHT. It fails
 * when GET_CAPS, GET_BOX or GET_STATS succeeded in fewer than MIN_OK_PCT
 * percent of the messages meant for them.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "nl_fuzz.h"

/* --- building messages ------------------------------------------------------ */

static __u64 pick_box_id(struct nlf *f)
{
	struct fz_rng *r = &f->rng;
	__u64 live = f->box[fz_below(r, MAX_BOXES)].id;
	__u64 dead = f->n_dead ? f->dead[fz_below(r, f->n_dead < MAX_DEAD ?
						      f->n_dead : MAX_DEAD)] : 0;
	const __u64 v[] = {
		live, live, live, live, dead, 0, ~0ULL, live + 1, live - 1,
		fz_next(r), 1ULL << 63,
	};

	return v[fz_below(r, ARRAY_SIZE(v))];
}

static int put_attr(char *p, int room, __u16 type, const void *data,
		    int len, int claimed)
{
	struct nlattr *a = (struct nlattr *)p;

	if (NLA_HDRLEN + len > room)
		return 0;
	a->nla_type = type;
	a->nla_len = claimed;
	if (len)
		memcpy(p + NLA_HDRLEN, data, len);
	memset(p + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	return NLA_ALIGN(NLA_HDRLEN + len) <= room ? NLA_ALIGN(NLA_HDRLEN + len) :
	       NLA_HDRLEN + len;
}

/*
 * Attributes for a message of @cmd at @p (up to @room bytes): a valid set
 * half of the time, else anything. Returns the bytes written.
 */
static int build_attrs(struct nlf *f, char *p, int room, __u8 cmd)
{
	struct fz_rng *r = &f->rng;
	char payload[64];
	int n = 0, i, count, len, claimed;
	__u16 type;
	__u64 id;

	if (fz_pct(r, 50)) {
		if (cmd != S2BOX_CMD_GET_BOX || fz_pct(r, 10))
			return 0;
		id = pick_box_id(f);
		n = put_attr(p, room, S2BOX_ATTR_BOX_ID, &id, 8, NLA_HDRLEN + 8);
		/* A duplicate: the last one counts. */
		if (fz_pct(r, 10)) {
			id = pick_box_id(f);
			n += put_attr(p + n, room - n, S2BOX_ATTR_BOX_ID, &id, 8,
				      NLA_HDRLEN + 8);
		}
		return n;
	}
	count = 1 + fz_below(r, 4);
	for (i = 0; i < count && n < room; i++) {
		const __u16 types[] = {
			S2BOX_ATTR_BOX_ID, S2BOX_ATTR_BOX_ID, S2BOX_ATTR_PAD, 0,
			S2BOX_ATTR_MAX, S2BOX_ATTR_MAX + 1,
			1 + fz_below(r, S2BOX_ATTR_MAX), fz_next(r),
			S2BOX_ATTR_BOX_ID | NLA_F_NESTED,
			S2BOX_ATTR_BOX_ID | NLA_F_NET_BYTEORDER,
			S2BOX_ATTR_BOX_EXITS | NLA_F_NESTED,
		};
		const int lens[] = { 0, 1, 4, 7, 8, 8, 8, 9, 12, 16,
				     fz_below(r, 64) };

		type = types[fz_below(r, ARRAY_SIZE(types))];
		len = lens[fz_below(r, ARRAY_SIZE(lens))];
		if (len == 8 && fz_pct(r, 50)) {
			id = pick_box_id(f);
			memcpy(payload, &id, 8);
		} else if ((type & NLA_F_NESTED) && len >= 8) {
			/* Nested garbage: an attribute header, then noise. */
			fz_fill(r, payload, len);
			put_attr(payload, len, 1 + fz_below(r, 8), NULL, 0,
				 fz_below(r, 2 * len));
		} else {
			fz_fill(r, payload, len);
		}
		claimed = NLA_HDRLEN + len;
		/* A length past the end, or one that cannot hold a header. */
		if (fz_pct(r, 8))
			claimed = fz_pct(r, 50) ? claimed + 1 + fz_below(r, 512) :
				  fz_below(r, NLA_HDRLEN);
		n += put_attr(p + n, room - n, type, payload, len, claimed);
	}
	/* Trailing bytes too short for an attribute header. */
	if (fz_pct(r, 10) && n + 3 < room) {
		len = 1 + fz_below(r, 3);
		fz_fill(r, p + n, len);
		n += len;
	}
	return n;
}

/* --- the model ------------------------------------------------------------ */

/*
 * Strict validation of the attributes at @a (@len bytes, at offset @base
 * in the message) under the policy of @cmd, as lib/nlattr.c does it.
 * Returns 0 or EINVAL with the first bad attribute's offset in @w.
 */
static int check_attrs(struct want *w, const char *a, int len, int base,
		       __u8 cmd, __u64 *id, bool *has_id)
{
	int off = 0, rem = len, alen;
	struct nlattr nla;
	__u16 type;

	*has_id = false;
	w->bad_off = -1;
	while (rem >= NLA_HDRLEN) {
		memcpy(&nla, a + off, sizeof(nla));
		if (nla.nla_len < NLA_HDRLEN || nla.nla_len > rem)
			break;
		type = nla.nla_type & NLA_TYPE_MASK;
		alen = nla.nla_len - NLA_HDRLEN;
		w->bad_off = base + off;
		/*
		 * Unknown types, types outside the command's policy
		 * ("unsupported" when strict), and a BOX_ID that is no u64
		 * or says it is nested: all EINVAL.
		 */
		if (type == 0 || type > S2BOX_ATTR_MAX ||
		    cmd != S2BOX_CMD_GET_BOX || type != S2BOX_ATTR_BOX_ID ||
		    alen != 8 || (nla.nla_type & NLA_F_NESTED))
			break;
		memcpy(id, a + off + NLA_HDRLEN, 8);
		*has_id = true;
		off += NLA_ALIGN(nla.nla_len);
		rem -= NLA_ALIGN(nla.nla_len);
		w->bad_off = -1;
	}
	/*
	 * Stopped at a bad attribute (its offset in bad_off), or at bytes
	 * that are no attribute at all (no offset for those).
	 */
	return rem > 0 ? EINVAL : 0;
}

static void want_err(struct want *w, int e1, int e2)
{
	w->kind = W_ERR;
	w->err[0] = e1;
	w->err[1] = e2;
}

/* The offset of the last BOX_ID of a message (the one GET_BOX uses). */
static int last_box_id_off(const char *m)
{
	const struct nlmsghdr *n = (const struct nlmsghdr *)m;
	int off = NLMSG_LENGTH(GENL_HDRLEN), last = -1;
	struct nlattr a;

	while (off + NLA_HDRLEN <= (int)n->nlmsg_len) {
		memcpy(&a, m + off, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || off + a.nla_len > n->nlmsg_len)
			break;
		if ((a.nla_type & NLA_TYPE_MASK) == S2BOX_ATTR_BOX_ID)
			last = off;
		off += NLA_ALIGN(a.nla_len);
	}
	return last;
}

/*
 * What netlink_rcv_skb() and genetlink do with the message @m (@avail
 * bytes left in the datagram). Returns false when the kernel stops
 * reading the datagram at it.
 */
static bool predict(struct nlf *f, struct want *w, const char *m, int avail,
		    bool dump_before)
{
	const struct nlmsghdr *n = (const struct nlmsghdr *)m;
	const struct genlmsghdr *g = NLMSG_DATA(n);
	__u16 flags = n->nlmsg_flags, rest;
	bool dump = (flags & NLM_F_DUMP) == NLM_F_DUMP, has_id;
	bool known, bad_hdr;
	__u64 id = 0;
	int err;

	memset(w, 0, sizeof(*w));
	w->seq = n->nlmsg_seq;
	w->type = n->nlmsg_type;
	w->flags = flags;
	w->len = n->nlmsg_len;
	w->bad_off = -1;
	w->box = -1;
	if (n->nlmsg_len < NLMSG_HDRLEN || n->nlmsg_len > (__u32)avail) {
		w->slot = S_DROPPED;
		return false;
	}
	if (!(flags & NLM_F_REQUEST) || n->nlmsg_type < NLMSG_MIN_TYPE) {
		w->slot = S_CONTROL;
		w->kind = flags & NLM_F_ACK ? W_ACK : W_NONE;
		return true;
	}
	if (n->nlmsg_type != f->nl.family) {
		w->slot = S_NO_FAMILY;
		want_err(w, ENOENT, 0);
		return true;
	}
	if (n->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN)) {
		w->slot = S_OTHER_CMD;
		want_err(w, EINVAL, 0);
		return true;
	}
	w->cmd = g->cmd;
	known = g->cmd >= S2BOX_CMD_GET_CAPS && g->cmd <= S2BOX_CMD_GET_STATS &&
		(!dump || g->cmd == S2BOX_CMD_GET_BOX);
	w->slot = g->cmd == S2BOX_CMD_GET_CAPS ? S_CAPS :
		  g->cmd == S2BOX_CMD_GET_BOX ? (dump ? S_BOX_DUMP : S_BOX) :
		  g->cmd == S2BOX_CMD_GET_STATS ? S_STATS : S_OTHER_CMD;
	/* Commands from resv_start_op (all of ours) check the header. */
	rest = dump ? flags & ~NLM_F_DUMP : flags;
	bad_hdr = g->cmd >= S2BOX_CMD_GET_CAPS &&
		  (g->reserved ||
		   (rest & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO)));
	if (bad_hdr) {
		/* 6.1 may look the command up first. */
		want_err(w, EINVAL, known ? 0 : EOPNOTSUPP);
		w->need_msg = known;
		return true;
	}
	if (!known) {
		want_err(w, EOPNOTSUPP, 0);
		return true;
	}
	/*
	 * A dump started earlier in this datagram still runs (the first
	 * part goes out at once, the rest on recv()): the kernel refuses
	 * another before it even validates the attributes.
	 */
	w->ebusy_ok = dump && dump_before;
	err = check_attrs(w, m + NLMSG_LENGTH(GENL_HDRLEN),
			  n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN),
			  NLMSG_LENGTH(GENL_HDRLEN), g->cmd, &id, &has_id);
	if (err) {
		want_err(w, err, 0);
		w->need_msg = true;
		return true;
	}
	w->bad_off = -1;
	if (dump) {
		w->kind = W_DUMP;
		return true;
	}
	w->kind = W_DO;
	if (g->cmd != S2BOX_CMD_GET_BOX)
		return true;
	if (!has_id) {
		want_err(w, EINVAL, 0);
		w->msg = "GET_BOX needs";
		w->miss_ok = true;
		return true;
	}
	w->box_id = id;
	w->box = box_slot(f, id);
	if (w->box < 0) {
		want_err(w, ENOENT, 0);
		w->msg = "no such box";
		w->bad_off = last_box_id_off(m);
	}
	return true;
}

/* One message into @p; its expectation into @w. Returns its aligned size. */
static int build_msg(struct nlf *f, char *p, int room, struct want *w,
		     bool dump_before, bool *stop)
{
	static const __u8 cmds[] = {
		S2BOX_CMD_GET_CAPS, S2BOX_CMD_GET_BOX, S2BOX_CMD_GET_BOX,
		S2BOX_CMD_GET_STATS,
	};
	struct fz_rng *r = &f->rng;
	struct nlmsghdr *n = (struct nlmsghdr *)p;
	struct genlmsghdr *g = NLMSG_DATA(n);
	unsigned int v = fz_below(r, 100);
	int len;

	memset(p, 0, NLMSG_LENGTH(GENL_HDRLEN));
	n->nlmsg_type = f->nl.family;
	if (v < 4)
		n->nlmsg_type = fz_below(r, NLMSG_MIN_TYPE);
	else if (v < 8)
		n->nlmsg_type = GENL_ID_LIMIT + fz_below(r, 65536 - GENL_ID_LIMIT);
	v = fz_below(r, 100);
	n->nlmsg_flags = NLM_F_REQUEST | (fz_pct(r, 30) ? NLM_F_ACK : 0);
	if (v < 20)
		n->nlmsg_flags |= NLM_F_DUMP;
	else if (v < 25)
		n->nlmsg_flags |= NLM_F_ECHO;
	else if (v < 33)
		n->nlmsg_flags = fz_next(r);
	else if (v < 36)
		n->nlmsg_flags &= ~NLM_F_REQUEST;
	n->nlmsg_seq = ++f->nl.seq;
	n->nlmsg_pid = fz_pct(r, 95) ? 0 : fz_next(r);
	g->cmd = fz_pct(r, 85) ? cmds[fz_below(r, ARRAY_SIZE(cmds))] :
		 fz_below(r, 256);
	g->version = fz_pct(r, 90) ? S2BOX_GENL_VERSION : fz_below(r, 256);
	g->reserved = fz_pct(r, 96) ? 0 : fz_next(r);
	len = NLMSG_LENGTH(GENL_HDRLEN);
	len += build_attrs(f, p + len, room - len, g->cmd);
	n->nlmsg_len = len;
	/* The header's length: shorter than the message, or longer. */
	v = fz_below(r, 100);
	if (v < 3)
		n->nlmsg_len = fz_below(r, len + 1);
	else if (v < 5)
		n->nlmsg_len = len + 1 + fz_below(r, 4096);
	/*
	 * A header claiming more than was sent ends the datagram: nothing
	 * after it is read, so nothing is built after it either.
	 */
	*stop = !predict(f, w, p, len, dump_before);
	fz_log(&f->ring,
	       "msg seq %u type 0x%x flags 0x%x len %u/%d cmd %u ver %u resv %u -> kind %d err %d/%d off %d",
	       n->nlmsg_seq, n->nlmsg_type, n->nlmsg_flags, n->nlmsg_len, len,
	       g->cmd, g->version, g->reserved, w->kind, w->err[0], w->err[1],
	       w->bad_off);
	/* The kernel goes on at the aligned length it was told. */
	return *stop ? len : (int)NLMSG_ALIGN(n->nlmsg_len);
}

/* One datagram of messages, then the probe; every answer checked. */
static void fuzz_datagram(struct nlf *f)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int i, off = 0, size, count = 1 + fz_below(&f->rng, MAX_BATCH);
	bool stop = false, dump_before = false, probe_acked = false, busy;
	struct nl_req probe;

	f->n_want = 0;
	/* Errors that echo only the header, or the whole request. */
	if (fz_pct(&f->rng, 5)) {
		int cap = fz_pct(&f->rng, 50);

		fz_log(&f->ring, "NETLINK_CAP_ACK %d", cap);
		if (setsockopt(f->nl.fd, SOL_NETLINK, NETLINK_CAP_ACK, &cap,
			       sizeof(cap))) {
			nf_fail(f, "NETLINK_CAP_ACK: %s", strerror(errno));
			return;
		}
	}
	for (i = 0; i < count && !stop && off + 64 < DGRAM_MAX; i++) {
		size = build_msg(f, f->dgram + off, DGRAM_MAX - off,
				 &f->want[f->n_want], dump_before, &stop);
		dump_before |= f->want[f->n_want].kind == W_DUMP;
		f->n_want++;
		off += size;
		f->msgs++;
		if (stop) {
			fz_count(&f->st[S_DROPPED], 0, 0);
			f->n_want--;	/* no answer, nothing to match */
		}
	}
	/* A cut-short last message may leave a few bytes: they go too. */
	if (sendto(f->nl.fd, f->dgram, off, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) != off) {
		nf_fail(f, "sendto of %d bytes: %s", off, strerror(errno));
		return;
	}
	req_init(&probe, NLMSG_NOOP, 0, NLM_F_ACK);
	probe.n.nlmsg_len = NLMSG_HDRLEN;
	probe.n.nlmsg_seq = ++f->nl.seq;
	if (sendto(f->nl.fd, &probe, NLMSG_HDRLEN, 0,
		   (struct sockaddr *)&kernel, sizeof(kernel)) != NLMSG_HDRLEN) {
		nf_fail(f, "sendto of the probe: %s", strerror(errno));
		return;
	}
	do {
		if (!read_answers(f, probe.n.nlmsg_seq, &probe_acked))
			return;
		busy = !probe_acked;
		for (i = 0; i < f->n_want; i++) {
			/* By the probe's ACK all but dumps must have answered. */
			if (probe_acked && f->want[i].kind != W_DUMP &&
			    !want_complete(&f->want[i])) {
				nf_fail(f, "seq %u: no answer (kind %d) before the next request's",
					f->want[i].seq, f->want[i].kind);
				return;
			}
			busy |= !want_complete(&f->want[i]);
		}
	} while (busy);
	/* Counted once answered: calls, and what they got. */
	for (i = 0; i < f->n_want; i++) {
		struct want *w = &f->want[i];

		fz_count(&f->st[w->slot], w->got_err, 0);
	}
}

/* --- the test -------------------------------------------------------------- */

FIXTURE(nlfuzz) {
	struct nlf *f;
};

FIXTURE_SETUP(nlfuzz)
{
	struct nl_reply *rep = malloc(sizeof(*rep));
	struct nlf *f;
	int i;

	ASSERT_NE(NULL, rep);
	f = calloc(1, sizeof(*f));
	self->f = f;
	ASSERT_NE(NULL, f);
	f->nl.fd = -1;
	for (i = 0; i < MAX_BOXES; i++)
		f->box[i].fd = -1;
	for (i = 0; i < NR_S; i++)
		f->st[i].name = s_names[i];
	f->ctl = s2box_open_ctl();
	ASSERT_LE(0, f->ctl) {
		TH_LOG("%s: %s", S2BOX_DEVICE_PATH, strerror(errno));
	}
	ASSERT_EQ(0, ioctl(f->ctl, S2BOX_GET_CAPS, &f->caps));
	ASSERT_EQ(0, nl_open(&f->nl, rep)) {
		TH_LOG("generic netlink family \"%s\": %s", S2BOX_GENL_NAME,
		       strerror(errno));
	}
	free(rep);
}

FIXTURE_TEARDOWN(nlfuzz)
{
	struct nlf *f = self->f;
	int i;

	if (!f)
		return;
	for (i = 0; i < MAX_BOXES; i++)
		if (f->box[i].fd >= 0)
			close(f->box[i].fd);
	if (f->nl.fd >= 0)
		close(f->nl.fd);
	if (f->ctl >= 0)
		close(f->ctl);
	free(f);
}

TEST_F_TIMEOUT(nlfuzz, messages, 900)
{
	static const int must_succeed[] = { S_CAPS, S_BOX, S_STATS };
	struct nlf *f = self->f;
	struct nl_reply *rep;
	unsigned long target;
	double t0, limit;
	struct nl_req r;
	int i;

	f->heavy = fz_heavy();
	f->seed = fz_seed("s2box_nl_fuzz_test");
	f->rng.state = f->seed;
	target = f->heavy ? MSGS_HEAVY : MSGS_LIGHT;
	limit = f->heavy ? TIME_HEAVY_S : TIME_LIGHT_S;
	for (i = 0; i < MAX_BOXES && !f->failed; i++)
		box_new(f, &f->box[i]);
	fz_info("%lu messages (S2BOX_HEAVY=%d), at most %.0f s, family id %u\n",
		target, f->heavy, limit, f->nl.family);
	t0 = fz_now();
	while (f->msgs < target && !f->failed) {
		if (fz_pct(&f->rng, 3))
			box_cycle(f);
		if (!f->failed)
			fuzz_datagram(f);
		if (fz_now() - t0 > limit) {
			fz_info("time limit of %.0f s reached after %lu messages: stopping early\n",
				limit, f->msgs);
			break;
		}
	}
	fz_info("%lu messages in %.1f s: %lu replies (%lu in dumps), %lu extack messages; per kind (ok = the reply, dump or ACK it was due):\n",
		f->msgs, fz_now() - t0, f->replies, f->dump_msgs,
		f->extacks);
	for (i = 0; i < NR_S; i++)
		fz_print_stat(&f->st[i]);
	ASSERT_FALSE(f->failed);
	/* Still answering: a plain request works after all that. */
	rep = malloc(sizeof(*rep));
	ASSERT_NE(NULL, rep);
	req_init(&r, f->nl.family, S2BOX_CMD_GET_CAPS, 0);
	EXPECT_EQ(0, nl_do(&f->nl, &r, rep));
	EXPECT_EQ(0, rep->err);
	free(rep);
	for (i = 0; i < (int)ARRAY_SIZE(must_succeed); i++) {
		struct fz_stat *s = &f->st[must_succeed[i]];

		EXPECT_LE(s->calls * MIN_OK_PCT, s->ok * 100) {
			TH_LOG("%s succeeded %lu times in %lu messages (under %d%%)",
			       s->name, s->ok, s->calls, MIN_OK_PCT);
		}
		EXPECT_LT(0, s->ok);
	}
}

TEST_HARNESS_MAIN
