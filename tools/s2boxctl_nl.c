// SPDX-License-Identifier: GPL-2.0
/*
 * s2boxctl's use of the generic netlink family "s2box", through libs2box
 * (lib/src/nl.c): the library decodes, this file words the failures the
 * way s2boxctl(8) promises and runs the monitor loop with its signals.
 */

#define _GNU_SOURCE		/* ppoll() */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "s2boxctl.h"

/* The library's message, and a hint when the two may disagree. */
static int report(struct s2box_nl *nl, int err)
{
	if (err) {
		err_msg("%s", s2box_nl_errmsg(nl));
		if (err == -EINVAL)
			err_msg("(s2boxctl and the module may be of different versions)");
	}
	return err;
}

struct s2box_nl *ctl_nl_open(void)
{
	struct s2box_nl *nl;
	int err = s2box_nl_open(&nl);

	if (err == -ENOENT)
		err_msg("the \"%s\" generic netlink family is not registered: %s",
			S2BOX_GENL_NAME,
			"module not loaded? (load it with \"modprobe s2box\")");
	else if (err)
		err_msg("cannot open a generic netlink socket: %s",
			strerror(-err));
	return err ? NULL : nl;
}

void ctl_nl_close(struct s2box_nl *nl)
{
	s2box_nl_close(nl);
}

int ctl_get_caps(struct s2box_nl *nl, struct s2box_nl_caps *caps)
{
	return report(nl, s2box_nl_get_caps(nl, caps));
}

int ctl_get_box(struct s2box_nl *nl, __u64 id, struct s2box_nl_box *box)
{
	const char *extack = s2box_nl_extack(nl);
	int err = s2box_nl_get_box(nl, id, box);

	if (err != -ENOENT)
		return report(nl, err);
	err_msg("box %llu not found: %s%s%s%s", id,
		"no box has that id, or it is another user's (only CAP_NET_ADMIN sees every box)",
		extack[0] ? " (kernel: " : "", extack, extack[0] ? ")" : "");
	return err;
}

int ctl_list_boxes(struct s2box_nl *nl, struct s2box_nl_box **boxes,
		   bool *intr)
{
	int n = s2box_nl_list_boxes(nl, boxes, intr);

	return n < 0 ? report(nl, n) : n;
}

int ctl_get_stats(struct s2box_nl *nl, struct s2box_nl_stats *stats)
{
	return report(nl, s2box_nl_get_stats(nl, stats));
}

/* --- events ------------------------------------------------------------- */

static sig_atomic_t stop_monitor;

static void on_signal(int sig)
{
	__atomic_store_n(&stop_monitor, 1, __ATOMIC_RELAXED);
}

static int join(struct s2box_nl *nl)
{
	int err = s2box_nl_events_join(nl);

	if (err == -EPERM)
		err_msg("joining the \"%s\" group needs CAP_NET_ADMIN: run \"%s monitor\" as root",
			S2BOX_GENL_MCGRP_EVENTS, prog);
	else if (err == -ENOENT)
		err_msg("the module has no \"%s\" group: it is older than this s2boxctl",
			S2BOX_GENL_MCGRP_EVENTS);
	else if (err)
		err_msg("%s", s2box_nl_errmsg(nl));
	return err;
}

struct monitor {
	int (*fn)(const struct s2box_nl_event *ev, void *arg);
	void *arg;
	int ret;
};

static int on_event(const struct s2box_nl_event *ev, void *arg)
{
	struct monitor *m = arg;

	if (m->fn(ev, m->arg) < 0)
		m->ret = -1;
	return m->ret;
}

int ctl_monitor(struct s2box_nl *nl,
		int (*fn)(const struct s2box_nl_event *ev, void *arg),
		void *arg)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct monitor m = { .fn = fn, .arg = arg };
	sigset_t stop, waiting;
	struct pollfd pfd;
	int err;

	if (join(nl))
		return -1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* They arrive only inside ppoll(), so none is missed. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, &waiting);
	pfd.fd = s2box_nl_fd(nl);
	pfd.events = POLLIN;
	while (!__atomic_load_n(&stop_monitor, __ATOMIC_RELAXED) && !m.ret) {
		if (ppoll(&pfd, 1, NULL, &waiting) < 0)
			continue;	/* EINTR: the loop checks the flag */
		err = s2box_nl_events_read(nl, on_event, &m);
		if (err == -ENOBUFS)
			err_msg("events were lost: the socket's receive buffer overflowed");
		else if (err < 0 && !m.ret)
			err_msg("%s", s2box_nl_errmsg(nl));
	}
	return m.ret;
}
