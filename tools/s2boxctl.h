/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2boxctl: look at and drive s2box from the command line. Shared
 * declarations of its parts: s2boxctl.c (arguments, commands), the
 * generic netlink client (s2boxctl_nl.c), the ioctl commands vtcr and run
 * (s2boxctl_run.c), VTCR_EL2 decoding (s2boxctl_vtcr.c) and the output in
 * tables or JSON (s2boxctl_out.c).
 */
#ifndef S2BOXCTL_H
#define S2BOXCTL_H

#include <stdbool.h>
#include <stddef.h>

#include <s2box/s2box.h>

/*
 * __printf(a, b) and __noreturn come from the Makefile (-D), as tools/include
 * gives them in a kernel tree: format strings are checked.
 */

/* Exit statuses, documented in s2boxctl.8. */
#define EXIT_OK		0
#define EXIT_ERROR	1	/* the request failed; stderr says why */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_BOX_FAULT	3	/* run: stage-2 fault, trap or SError */
#define EXIT_BOX_BUDGET	4	/* run: budget used up */
#define EXIT_INTERRUPTED 130	/* run: SIGINT */

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit kinds in S2BOX_ATTR_*_EXITS order; names are the JSON keys. */
extern const char *const exit_kind_names[S2BOX_NL_EXIT_KINDS];

/* What `run` did, for print_run(). */
struct run_report {
	const struct s2box_box_info *info;
	__u64 mem, load, budget_ms;
	size_t blob_bytes;
	bool vectors;		/* s2boxctl's vector table at VBAR_EL1 0 */
	struct s2box_exit exit;
	struct s2box_regs regs;	/* after the exit */
	__u64 guest_ns;	/* over every RUN call */
	unsigned int calls;
	bool intr;		/* SIGINT ended it: no exit */
	bool el1;		/* an exception at EL1 reached the vectors */
};

/*
 * s2boxctl_nl.c: libs2box's netlink client, each failure reported on
 * stderr in s2boxctl's words. Return 0 (a count for the list) or a
 * negative errno.
 */
struct s2box_nl *ctl_nl_open(void);
void ctl_nl_close(struct s2box_nl *nl);
int ctl_get_caps(struct s2box_nl *nl, struct s2box_nl_caps *caps);
int ctl_get_box(struct s2box_nl *nl, __u64 id, struct s2box_nl_box *box);
/* Every visible box; *boxes is freed with s2box_nl_free(). */
int ctl_list_boxes(struct s2box_nl *nl, struct s2box_nl_box **boxes,
		   bool *intr);
int ctl_get_stats(struct s2box_nl *nl, struct s2box_nl_stats *stats);
/* Calls @fn for every event until SIGINT/SIGTERM or @fn returns < 0. */
int ctl_monitor(struct s2box_nl *nl,
		int (*fn)(const struct s2box_nl_event *ev, void *arg),
		void *arg);

/* s2boxctl_out.c: JSON (compact, one document a line) and tables. */
extern bool json;
void js_begin(const char *key, char bracket);
void js_end(char bracket);
void js_u64(const char *key, __u64 v);
void js_s64(const char *key, __s64 v);
void js_hex(const char *key, __u64 v);
void js_str(const char *key, const char *v);
void js_bool(const char *key, bool v);
void js_null(const char *key);
void js_done(void);
const char *fmt_size(__u64 bytes, char *buf, unsigned int len);
const char *granule_name(__u32 bytes);
const char *exit_reason_name(__u32 reason);
void print_caps(const struct s2box_nl_caps *c);
void print_box(const struct s2box_nl_box *b);
void print_box_list(const struct s2box_nl_box *boxes, int n, bool intr);
void print_stats(const struct s2box_nl_stats *s);
void print_event(const struct s2box_nl_event *ev);
void print_run(const struct run_report *r);

/* s2boxctl_vtcr.c */
struct vtcr_decoded {
	__u64 vtcr;
	unsigned int t0sz, sl0, irgn0, orgn0, sh0, tg0, ps, vs, ha, hd;
	unsigned int ds, sl2;
	__u64 other;		/* set bits not decoded (RES1 bit 31 aside) */
	unsigned int granule, ipa_bits, ps_bits, levels, root_pages;
	int start_level;
	const char *problem;	/* NULL, or why the VTCR cannot work */
};

void vtcr_decode(__u64 vtcr, struct vtcr_decoded *d);
void vtcr_print(const struct vtcr_decoded *d,
		const struct s2box_box_info *info);

/* s2boxctl_run.c */
int cmd_vtcr(int argc, char **argv);
int cmd_run(int argc, char **argv);

/* s2boxctl.c */
extern const char *prog;
__printf(1, 2) __noreturn void die_usage(const char *fmt, ...);
__printf(1, 2) void err_msg(const char *fmt, ...);
int parse_u64(const char *s, __u64 *v);
int parse_size(const char *s, __u64 *v);
int parse_granule(const char *s, __u32 *granule);
struct s2box_dev *open_ctl(void);
/* "IPA size 50 exceeds ..." style check; prints and returns -1 if bad. */
int check_geometry(const struct s2box_caps *caps, __u32 ipa_bits,
		   __u32 granule);

#endif /* S2BOXCTL_H */
