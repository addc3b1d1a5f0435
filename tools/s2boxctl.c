// SPDX-License-Identifier: GPL-2.0
/*
 * s2boxctl: the command-line view of s2box. caps, list, show, stats and
 * monitor ask the generic netlink family "s2box"; vtcr and run use the
 * ioctls of /dev/s2box. See s2boxctl.8 for the commands, the JSON schema
 * and the exit statuses.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "s2boxctl.h"

const char *prog = "s2boxctl";

static const char usage[] =
	"usage: s2boxctl [--json] COMMAND [ARGS]\n"
	"\n"
	"Commands:\n"
	"  caps                   what this host offers (GET_CAPS)\n"
	"  list                   every box you may see\n"
	"  show ID                one box\n"
	"  stats                  module-wide counters\n"
	"  monitor                print events until interrupted (needs CAP_NET_ADMIN)\n"
	"  vtcr --ipa-bits N [--granule G]\n"
	"                         the VTCR_EL2 the module computes, decoded\n"
	"  vtcr --decode VALUE    decode a VTCR_EL2 value\n"
	"  run [--ipa-bits N] [--granule G] [--mem SIZE] [--load-addr IPA]\n"
	"      [--budget MS] [--no-vectors] BLOB\n"
	"                         run a raw binary in a new box until it exits\n"
	"\n"
	"Options:\n"
	"  -j, --json             JSON output (schema in s2boxctl(8))\n"
	"  -h, --help             this text; COMMAND --help for a command's\n"
	"  -V, --version          the s2box API version this was built for\n"
	"\n"
	"Granules: 4k, 16k, 64k (or bytes). Sizes take K, M or G suffixes.\n"
	"Exit status: 0 ok, 1 error, 2 usage, 3 the blob faulted or trapped,\n"
	"4 its budget ran out, 130 interrupted.\n";

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void die_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

/* Decimal, or hexadecimal with 0x; the whole string, no sign. */
int parse_u64(const char *s, __u64 *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

int parse_size(const char *s, __u64 *v)
{
	unsigned int shift = 0;
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case '\0':
		return 0;
	default:
		return -1;
	}
	if (end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
		return -1;
	if (*v > ULLONG_MAX >> shift)
		return -1;
	*v <<= shift;
	return 0;
}

int parse_granule(const char *s, __u32 *granule)
{
	__u64 v;

	if (parse_size(s, &v))
		return -1;
	if (v != S2BOX_GRANULE_4K && v != S2BOX_GRANULE_16K &&
	    v != S2BOX_GRANULE_64K)
		return -1;
	*granule = v;
	return 0;
}

struct s2box_dev *open_ctl(void)
{
	struct s2box_dev *dev;
	int err = s2box_open(&dev);

	if (!err)
		return dev;
	if (err == -ENOENT || err == -ENODEV || err == -ENXIO)
		err_msg("%s: %s: module not loaded? (load it with \"modprobe s2box\")",
			S2BOX_DEVICE_PATH, strerror(-err));
	else if (err == -EACCES || err == -EPERM)
		err_msg("%s: %s: %s", S2BOX_DEVICE_PATH, strerror(-err),
			"creating boxes needs root, or the group the udev rule 60-s2box.rules gives the device (README: \"Access\")");
	else
		err_msg("%s: %s", S2BOX_DEVICE_PATH, strerror(-err));
	return NULL;
}

int check_geometry(const struct s2box_caps *caps, __u32 ipa_bits,
		   __u32 granule)
{
	static const __u32 all[] = {
		S2BOX_GRANULE_4K, S2BOX_GRANULE_16K, S2BOX_GRANULE_64K
	};
	__u32 limit = s2box_caps_ipa_limit(caps, granule);
	char have[32] = "";
	unsigned int i;

	if (!limit) {
		for (i = 0; i < ARRAY_SIZE(all); i++)
			if (s2box_caps_ipa_limit(caps, all[i]))
				snprintf(have + strlen(have),
					 sizeof(have) - strlen(have), "%s%s",
					 have[0] ? ", " : "",
					 granule_name(all[i]));
		err_msg("the %s granule is not supported at stage 2 here: use one of %s",
			granule_name(granule), have);
		return -1;
	}
	if (ipa_bits < S2BOX_IPA_BITS_MIN) {
		err_msg("IPA size %u is below the minimum of %u: use --ipa-bits %u or more",
			ipa_bits, S2BOX_IPA_BITS_MIN, S2BOX_IPA_BITS_MIN);
		return -1;
	}
	if (ipa_bits > limit) {
		err_msg("IPA size %u exceeds this host's limit of %u for %s: use --ipa-bits %u",
			ipa_bits, limit, granule_name(granule), limit);
		return -1;
	}
	return 0;
}

/* --- the netlink commands ---------------------------------------------------- */

/* --json and --help; returns the positional arguments' index. */
static int simple_opts(int argc, char **argv, const char *help)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		if (opt == 'j') {
			json = true;
		} else if (opt == 'h') {
			fputs(help, stdout);
			exit(EXIT_OK);
		} else {
			die_usage("see \"%s %s --help\"", prog, argv[0]);
		}
	}
	return optind;
}

static int cmd_caps(int argc, char **argv)
{
	struct s2box_nl_caps caps;
	struct s2box_nl *nl;
	int ret;

	if (simple_opts(argc, argv, "usage: s2boxctl [--json] caps\n") != argc)
		die_usage("caps takes no arguments");
	nl = ctl_nl_open();
	if (!nl)
		return EXIT_ERROR;
	ret = ctl_get_caps(nl, &caps);
	ctl_nl_close(nl);
	if (ret)
		return EXIT_ERROR;
	print_caps(&caps);
	return EXIT_OK;
}

static int cmd_list(int argc, char **argv)
{
	struct s2box_nl_box *boxes = NULL;
	bool intr = false;
	struct s2box_nl *nl;
	int n;

	if (simple_opts(argc, argv, "usage: s2boxctl [--json] list\n") != argc)
		die_usage("list takes no arguments");
	nl = ctl_nl_open();
	if (!nl)
		return EXIT_ERROR;
	n = ctl_list_boxes(nl, &boxes, &intr);
	ctl_nl_close(nl);
	if (n < 0)
		return EXIT_ERROR;
	print_box_list(boxes, n, intr);
	if (intr && !json)
		err_msg("note: boxes came or went while the list was read");
	s2box_nl_free(boxes);
	return EXIT_OK;
}

static int cmd_show(int argc, char **argv)
{
	int i = simple_opts(argc, argv, "usage: s2boxctl [--json] show ID\n");
	struct s2box_nl_box box;
	struct s2box_nl *nl;
	__u64 id;
	int ret;

	if (i != argc - 1)
		die_usage("show wants one box ID (see \"%s list\")", prog);
	if (parse_u64(argv[i], &id))
		die_usage("show: a box ID is a number, not \"%s\"", argv[i]);
	nl = ctl_nl_open();
	if (!nl)
		return EXIT_ERROR;
	ret = ctl_get_box(nl, id, &box);
	ctl_nl_close(nl);
	if (ret)
		return EXIT_ERROR;
	print_box(&box);
	return EXIT_OK;
}

static int cmd_stats(int argc, char **argv)
{
	struct s2box_nl_stats stats;
	struct s2box_nl *nl;
	int ret;

	if (simple_opts(argc, argv, "usage: s2boxctl [--json] stats\n") != argc)
		die_usage("stats takes no arguments");
	nl = ctl_nl_open();
	if (!nl)
		return EXIT_ERROR;
	ret = ctl_get_stats(nl, &stats);
	ctl_nl_close(nl);
	if (ret)
		return EXIT_ERROR;
	print_stats(&stats);
	return EXIT_OK;
}

static int on_event(const struct s2box_nl_event *ev, void *arg)
{
	print_event(ev);
	return 0;
}

static int cmd_monitor(int argc, char **argv)
{
	struct s2box_nl *nl;
	int ret;

	if (simple_opts(argc, argv,
			"usage: s2boxctl [--json] monitor\n") != argc)
		die_usage("monitor takes no arguments");
	nl = ctl_nl_open();
	if (!nl)
		return EXIT_ERROR;
	ret = ctl_monitor(nl, on_event, NULL);
	ctl_nl_close(nl);
	return ret ? EXIT_ERROR : EXIT_OK;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "caps", cmd_caps },
	{ "list", cmd_list },
	{ "show", cmd_show },
	{ "stats", cmd_stats },
	{ "monitor", cmd_monitor },
	{ "vtcr", cmd_vtcr },
	{ "run", cmd_run },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned int i;
	int opt;

	while ((opt = getopt_long(argc, argv, "+jhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return EXIT_OK;
		case 'V':
			printf("s2boxctl for s2box API version %u\n",
			       S2BOX_API_VERSION);
			return EXIT_OK;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	argc -= optind;
	argv += optind;
	optind = 0;	/* getopt again, from each command's argv[1] */
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[0], commands[i].name))
			return commands[i].fn(argc, argv);
	die_usage("unknown command \"%s\" (see \"%s --help\")", argv[0], prog);
}
