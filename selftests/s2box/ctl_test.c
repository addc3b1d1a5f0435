// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests of the s2boxctl tool (tools/s2boxctl.c), when it sits
 * next to this binary (skipped otherwise): caps, list, show, stats, vtcr,
 * run and monitor in the human format and in --json, checked against what
 * the ioctls and the netlink family say. The JSON checks match key names
 * and values of the schema in s2boxctl.8 as plain strings.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "nl_util.h"

BLOB(ctl_udf_blob);
BLOB(ctl_loop_blob);

#define OUT_SIZE	65536

struct out {
	int status;		/* exit status, 128 + signal if killed */
	char buf[OUT_SIZE];	/* stdout */
	char err[4096];		/* stderr */
};

FIXTURE(ctl) {
	char path[PATH_MAX];
	int ctl;
	unsigned int granule, limit, bits;
	struct s2box_caps caps;
	struct out *out;
	char blob[4][64];	/* hvc, fault, udf, loop */
};

static const char *const blob_names[] = { "hvc", "fault", "udf", "loop" };

static void write_blob(struct __test_metadata *_metadata, char *path,
		       const char *name, const void *code, size_t len)
{
	int fd;

	snprintf(path, 64, "/tmp/s2boxctl-%s-XXXXXX", name);
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ(len, write(fd, code, len));
	close(fd);
}

FIXTURE_SETUP(ctl)
{
	char *slash;
	ssize_t n;

	self->ctl = -1;
	self->out = NULL;
	memset(self->blob, 0, sizeof(self->blob));
	n = readlink("/proc/self/exe", self->path, sizeof(self->path) - 16);
	ASSERT_LT(0, n);
	self->path[n] = '\0';
	slash = strrchr(self->path, '/');
	ASSERT_NE(NULL, slash);
	snprintf(slash + 1, 16, "s2boxctl");
	if (access(self->path, X_OK))
		SKIP(return, "no s2boxctl next to this test");
	self->out = malloc(sizeof(*self->out));
	ASSERT_NE(NULL, self->out);
	self->ctl = s2box_open_ctl();
	ASSERT_LE(0, self->ctl);
	ASSERT_EQ(0, ioctl(self->ctl, S2BOX_GET_CAPS, &self->caps));
	self->granule = s2box_any_granule(self->ctl);
	self->limit = s2box_ipa_limit(&self->caps, self->granule);
	self->bits = self->limit < 36 ? self->limit : 36;
	write_blob(_metadata, self->blob[0], blob_names[0], nl_hvc_blob_start,
		   HVC_BLOB_LEN);
	write_blob(_metadata, self->blob[1], blob_names[1],
		   nl_fault_blob_start, FAULT_BLOB_LEN);
	write_blob(_metadata, self->blob[2], blob_names[2], ctl_udf_blob_start,
		   BLOB_LEN(ctl_udf_blob));
	write_blob(_metadata, self->blob[3], blob_names[3],
		   ctl_loop_blob_start, BLOB_LEN(ctl_loop_blob));
}

FIXTURE_TEARDOWN(ctl)
{
	int i;

	for (i = 0; i < 4; i++)
		if (self->blob[i][0])
			unlink(self->blob[i]);
	if (self->ctl >= 0)
		close(self->ctl);
	free(self->out);
}

/* Starts s2boxctl with @argv, its stdout and stderr going to memfds. */
static pid_t start_ctl(const char *path, int *ofd, int *efd,
		       char *const *argv)
{
	pid_t pid;

	*ofd = memfd_create("stdout", MFD_CLOEXEC);
	*efd = memfd_create("stderr", MFD_CLOEXEC);
	if (*ofd < 0 || *efd < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (!pid) {
		dup2(*ofd, 1);
		dup2(*efd, 2);
		execv(path, argv);
		_exit(127);
	}
	return pid;
}

/* What the program wrote to stdout so far. */
static void collect_stdout(struct out *o, int ofd)
{
	ssize_t n = pread(ofd, o->buf, sizeof(o->buf) - 1, 0);

	o->buf[n > 0 ? n : 0] = '\0';
}

static void collect(struct out *o, int ofd, int efd, int status)
{
	ssize_t n;

	o->status = WIFEXITED(status) ? WEXITSTATUS(status) :
		    128 + WTERMSIG(status);
	collect_stdout(o, ofd);
	n = pread(efd, o->err, sizeof(o->err) - 1, 0);
	o->err[n > 0 ? n : 0] = '\0';
	close(ofd);
	close(efd);
}

/* Runs s2boxctl ARGS... (NULL-terminated) to the end; its exit status. */
static int run_ctl(const char *path, struct out *out, ...)
{
	char *argv[16] = { "s2boxctl" };
	int ofd, efd, status = 0, argc = 1;
	va_list ap;
	pid_t pid;

	va_start(ap, out);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	pid = start_ctl(path, &ofd, &efd, argv);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	collect(out, ofd, efd, status);
	return out->status;
}

/* In a test: CTL("show", id) runs "s2boxctl show ID". */
#define CTL(...)	run_ctl(self->path, self->out, __VA_ARGS__, NULL)

/* stdout must contain the printf-formatted string. */
#define EXPECT_OUT(fmt, ...) do {					\
	char __want[256];						\
	snprintf(__want, sizeof(__want), fmt, ##__VA_ARGS__);		\
	EXPECT_NE(NULL, strstr(self->out->buf, __want)) {		\
		TH_LOG("no \"%s\" in:\n%s", __want, self->out->buf);	\
	}								\
} while (0)

#define EXPECT_ERR(fmt, ...) do {					\
	char __want[256];						\
	snprintf(__want, sizeof(__want), fmt, ##__VA_ARGS__);		\
	EXPECT_NE(NULL, strstr(self->out->err, __want)) {		\
		TH_LOG("no \"%s\" in stderr:\n%s", __want,		\
		       self->out->err);					\
	}								\
} while (0)

/* One line, one JSON document: starts with '{', ends with "}\n". */
#define EXPECT_JSON() do {						\
	size_t __n = strlen(self->out->buf);				\
	EXPECT_TRUE(__n > 2 && self->out->buf[0] == '{' &&		\
		    !strcmp(self->out->buf + __n - 2, "}\n") &&		\
		    !memchr(self->out->buf, '\n', __n - 1)) {		\
		TH_LOG("not one JSON line:\n%s", self->out->buf);	\
	}								\
} while (0)

TEST_F(ctl, caps)
{
	const struct s2box_caps *c = &self->caps;

	ASSERT_EQ(0, CTL("caps"));
	EXPECT_OUT("api version        %u\n", c->api_version);
	EXPECT_OUT("physical address   %u bits\n", c->pa_bits);
	EXPECT_OUT("vmid               %u bits\n", c->vmid_bits);
	if (c->ipa_bits_max_4k)
		EXPECT_OUT("4K       yes        %u\n", c->ipa_bits_max_4k);

	ASSERT_EQ(0, CTL("--json", "caps"));
	EXPECT_JSON();
	EXPECT_OUT("\"api_version\":%u,", c->api_version);
	EXPECT_OUT("\"pa_bits\":%u,", c->pa_bits);
	EXPECT_OUT("\"vmid_bits\":%u,", c->vmid_bits);
	EXPECT_OUT("\"host_page_size\":%u,", c->host_page_size);
	EXPECT_OUT("\"flags\":%u,", c->flags);
	EXPECT_OUT("\"features\":[\"vhe\"");
	EXPECT_OUT("\"4k\":{\"supported\":%s,\"ipa_bits_max\":%u}",
		   c->ipa_bits_max_4k ? "true" : "false", c->ipa_bits_max_4k);
	EXPECT_OUT("\"16k\":{\"supported\":%s,\"ipa_bits_max\":%u}",
		   c->ipa_bits_max_16k ? "true" : "false",
		   c->ipa_bits_max_16k);
	EXPECT_OUT("\"64k\":{\"supported\":%s,\"ipa_bits_max\":%u}",
		   c->ipa_bits_max_64k ? "true" : "false",
		   c->ipa_bits_max_64k);
}

TEST_F(ctl, show_list_stats)
{
	int box = s2box_create(self->ctl, self->bits, self->granule);
	struct nl_reply *rep = malloc(sizeof(*rep));
	struct s2box_box_info i;
	struct s2box_run run;
	struct nl_req req;
	struct nl nl;
	char id[32];

	ASSERT_LE(0, box);
	ASSERT_NE(NULL, rep);
	ASSERT_EQ(0, ioctl(box, S2BOX_GET_BOX_INFO, &i));
	ASSERT_EQ(0, box_run_blob(box, nl_hvc_blob_start, HVC_BLOB_LEN, &run));
	ASSERT_EQ(0, ioctl(box, S2BOX_GET_BOX_INFO, &i));
	snprintf(id, sizeof(id), "%llu", i.box_id);

	ASSERT_EQ(0, CTL("show", id));
	EXPECT_OUT("id             %llu\n", i.box_id);
	EXPECT_OUT("owner          pid %d, uid %d\n", getpid(), getuid());
	EXPECT_OUT("ipa bits       %u\n", i.ipa_bits);
	EXPECT_OUT("vtcr           0x%016llx\n", i.vtcr);
	EXPECT_OUT("root tables    %u\n", i.root_pages);
	EXPECT_OUT("runs           1\n");
	EXPECT_OUT("exits          hvc 1, s2_fault 0,");

	ASSERT_EQ(0, CTL("show", "--json", id));
	EXPECT_JSON();
	EXPECT_OUT("{\"id\":%llu,\"owner_pid\":%d,\"owner_uid\":%d,",
		   i.box_id, getpid(), getuid());
	EXPECT_OUT("\"state\":\"idle\",\"ipa_bits\":%u,\"granule\":%u,",
		   i.ipa_bits, i.granule);
	EXPECT_OUT("\"vtcr\":\"0x%016llx\",\"levels\":%u,", i.vtcr,
		   i.levels);
	EXPECT_OUT("\"start_level\":%d,\"sl0\":%u,\"t0sz\":%u,",
		   i.start_level, i.sl0, i.t0sz);
	EXPECT_OUT("\"root_pages\":%u,\"mapped_bytes\":%llu,",
		   i.root_pages, i.mapped_bytes);
	EXPECT_OUT("\"table_pages\":%llu,\"runs\":1,", i.table_pages);
	EXPECT_OUT("\"exits\":{\"hvc\":1,\"s2_fault\":0,\"trap\":0,");

	ASSERT_EQ(0, CTL("list"));
	EXPECT_OUT("ID       PID");
	EXPECT_OUT("\n%-8llu %-8d %-6d idle     %-4u %-4s ", i.box_id,
		   getpid(), getuid(), i.ipa_bits,
		   i.granule == 4096 ? "4K" : i.granule == 16384 ? "16K" :
		   "64K");
	ASSERT_EQ(0, CTL("--json", "list"));
	EXPECT_JSON();
	EXPECT_OUT("{\"boxes\":[");
	EXPECT_OUT("],\"changed_while_listing\":false}\n");
	EXPECT_OUT("{\"id\":%llu,\"owner_pid\":%d,", i.box_id, getpid());
	EXPECT_OUT("\"ipa_bits\":%u,", i.ipa_bits);

	ASSERT_EQ(0, CTL("stats"));
	EXPECT_OUT("boxes alive");
	EXPECT_OUT("boxes created");
	EXPECT_OUT("exits            hvc ");
	EXPECT_OUT("table pages      ");
	EXPECT_OUT("guest pages      ");
	ASSERT_EQ(0, CTL("--json", "stats"));
	EXPECT_JSON();
	/* Nothing else makes boxes meanwhile: the counts are the module's. */
	ASSERT_EQ(0, nl_open(&nl, rep));
	req_init(&req, nl.family, S2BOX_CMD_GET_STATS, 0);
	ASSERT_EQ(0, nl_do(&nl, &req, rep));
	ASSERT_EQ(0, rep->err);
	close(nl.fd);
	ASSERT_NE(NULL, rep->tb[S2BOX_ATTR_STAT_BOXES_CREATED]);
	EXPECT_OUT("{\"boxes_alive\":%llu,\"boxes_created\":%llu,",
		   nla_u64(rep->tb[S2BOX_ATTR_STAT_BOXES_ALIVE]),
		   nla_u64(rep->tb[S2BOX_ATTR_STAT_BOXES_CREATED]));
	EXPECT_OUT(",\"mem_bytes\":");
	EXPECT_OUT(",\"runs\":");
	EXPECT_OUT(",\"events_dropped\":");
	EXPECT_OUT(",\"exits\":{\"hvc\":");
	ASSERT_NE(NULL, rep->tb[S2BOX_ATTR_STAT_TABLE_PAGES]);
	ASSERT_NE(NULL, rep->tb[S2BOX_ATTR_STAT_GUEST_PAGES]);
	EXPECT_OUT("},\"table_pages\":%llu,\"guest_pages\":%llu}\n",
		   nla_u64(rep->tb[S2BOX_ATTR_STAT_TABLE_PAGES]),
		   nla_u64(rep->tb[S2BOX_ATTR_STAT_GUEST_PAGES]));
	close(box);
	free(rep);
}

/* A template and its clone, as an operator sees them. */
TEST_F(ctl, snapshot_and_clone)
{
	int tmpl = s2box_create(self->ctl, self->bits, self->granule);
	struct s2box_snapshot snap = { 0 };
	struct s2box_clone args = { 0 };
	struct s2box_box_info ti, ci;
	char tid[32], cid[32];
	int child;

	ASSERT_LE(0, tmpl);
	ASSERT_EQ(0, ioctl(tmpl, S2BOX_GET_BOX_INFO, &ti));
	ASSERT_EQ(0, ioctl(tmpl, S2BOX_SNAPSHOT, &snap));
	child = ioctl(tmpl, S2BOX_CLONE, &args);
	ASSERT_LE(0, child);
	ASSERT_EQ(0, ioctl(child, S2BOX_GET_BOX_INFO, &ci));
	snprintf(tid, sizeof(tid), "%llu", ti.box_id);
	snprintf(cid, sizeof(cid), "%llu", ci.box_id);

	ASSERT_EQ(0, CTL("show", tid));
	EXPECT_OUT("dirty tracking write-protect");
	EXPECT_OUT(", 0 resets\n");
	ASSERT_EQ(0, CTL("show", cid));
	EXPECT_OUT("clone          of box %llu", ti.box_id);
	ASSERT_EQ(0, CTL("list"));
	EXPECT_OUT(" clone:%llu\n", ti.box_id);
	EXPECT_OUT(" snapshot\n");
	ASSERT_EQ(0, CTL("show", "--json", cid));
	EXPECT_JSON();
	EXPECT_OUT("\"clone_of\":%llu,", ti.box_id);
	EXPECT_OUT("\"dirty_mode\":\"write-protect\"");
	close(child);
	close(tmpl);
}

TEST_F(ctl, errors_name_the_problem)
{
	char bits[16];

	EXPECT_EQ(1, CTL("show", "18446744073709551615"));
	EXPECT_ERR("box 18446744073709551615 not found");
	EXPECT_ERR("no such box");	/* the kernel's extack */
	EXPECT_EQ(2, CTL("show", "abc"));
	EXPECT_EQ(2, CTL("frobnicate"));
	EXPECT_EQ(0, CTL("--help"));
	EXPECT_OUT("usage: s2boxctl");

	snprintf(bits, sizeof(bits), "%u", self->limit + 1);
	EXPECT_EQ(1, CTL("vtcr", "--ipa-bits", bits, "--granule",
			 self->granule == 4096 ? "4k" :
			 self->granule == 16384 ? "16k" : "64k"));
	EXPECT_ERR("IPA size %u exceeds this host's limit of %u",
		   self->limit + 1, self->limit);
	EXPECT_EQ(1, CTL("run", "--mem", "5000", self->blob[0]));
	EXPECT_ERR("not a multiple");
}

TEST_F(ctl, vtcr)
{
	int box = s2box_create(self->ctl, self->bits, self->granule);
	struct s2box_box_info i;
	char bits[16], gran[16], vtcr[32];

	ASSERT_LE(0, box);
	ASSERT_EQ(0, ioctl(box, S2BOX_GET_BOX_INFO, &i));
	close(box);
	snprintf(bits, sizeof(bits), "%u", self->bits);
	snprintf(gran, sizeof(gran), "%u", self->granule);
	snprintf(vtcr, sizeof(vtcr), "0x%llx", i.vtcr);

	ASSERT_EQ(0, CTL("vtcr", "--ipa-bits", bits, "--granule", gran));
	EXPECT_OUT("VTCR_EL2 0x%016llx\n", i.vtcr);
	EXPECT_OUT("%u-bit IPA space", i.ipa_bits);
	EXPECT_OUT("%u levels, %u concatenated root table", i.levels,
		   i.root_pages);
	EXPECT_OUT("module: box ");
	EXPECT_EQ(0, strlen(self->out->err)) {
		TH_LOG("stderr: %s", self->out->err);
	}

	ASSERT_EQ(0, CTL("--json", "vtcr", "--ipa-bits", bits,
			 "--granule", gran));
	EXPECT_JSON();
	EXPECT_OUT("{\"vtcr\":\"0x%016llx\",\"fields\":{\"t0sz\":%u,\"sl0\":%u,",
		   i.vtcr, i.t0sz, i.sl0);
	EXPECT_OUT("\"ipa_bits\":%u,\"granule\":%u,\"start_level\":%d,",
		   i.ipa_bits, i.granule, i.start_level);
	EXPECT_OUT("\"levels\":%u,\"root_pages\":%u,\"ps_bits\":%u,",
		   i.levels, i.root_pages, i.ps_bits);
	EXPECT_OUT("\"problem\":null,\"module\":{\"box_id\":");
	EXPECT_OUT("\"root_align\":%u,\"map_align\":%u,", i.root_align,
		   i.map_align);

	ASSERT_EQ(0, CTL("vtcr", "--decode", vtcr, "--json"));
	EXPECT_OUT("\"levels\":%u,\"root_pages\":%u,", i.levels,
		   i.root_pages);
	EXPECT_OUT("\"module\":null}");
}

TEST_F(ctl, run)
{
	ASSERT_EQ(0, CTL("run", self->blob[0]));
	EXPECT_OUT("exit:     hvc #0\n");
	EXPECT_OUT("x0 0x000000000000002a");
	ASSERT_EQ(0, CTL("--json", "run", self->blob[0]));
	EXPECT_JSON();
	EXPECT_OUT("\"interrupted\":false,\"exit\":{\"reason\":\"hvc\",");
	EXPECT_OUT("\"regs\":{\"x0\":\"0x000000000000002a\",");
	EXPECT_OUT("\"pc\":\"0x%016llx\"}", 0x1000ULL + HVC_BLOB_LEN);

	EXPECT_EQ(3, CTL("run", self->blob[1]));
	EXPECT_OUT("stage-2 translation fault on write at IPA 0x%llx",
		   FAULT_IPA);
	EXPECT_EQ(3, CTL("--json", "run", "--load-addr", "0x2000",
			 self->blob[1]));
	EXPECT_OUT("\"reason\":\"s2_fault\",");
	EXPECT_OUT("\"ipa\":\"0x%016llx\",\"access\":\"write\",", FAULT_IPA);
	EXPECT_OUT("\"status\":\"translation\",");
	EXPECT_OUT("\"load_addr\":\"0x0000000000002000\"");

	EXPECT_EQ(3, CTL("--json", "run", self->blob[2]));
	EXPECT_OUT("\"reason\":\"el1_exception\",");
	EXPECT_OUT("\"el1\":{\"esr\":\"0x");
	EXPECT_OUT("\"elr\":\"0x0000000000001000\"}");

	EXPECT_EQ(4, CTL("--json", "run", "--budget", "50",
			 self->blob[3]));
	EXPECT_OUT("\"reason\":\"budget\",");
}

/* Whether @pid has a handler for @sig yet (SigCgt in /proc/PID/status). */
static bool catches(pid_t pid, int sig)
{
	unsigned long long mask = 0;
	char path[64], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigCgt: %llx", &mask) == 1)
			break;
	fclose(f);
	return mask & (1ULL << (sig - 1));
}

TEST_F(ctl, run_interrupted)
{
	char *const argv[] = {
		"s2boxctl", "--json", "run", "--budget", "0", self->blob[3], NULL
	};
	int ofd, efd, status, n;
	pid_t pid;

	pid = start_ctl(self->path, &ofd, &efd, argv);
	ASSERT_LT(0, pid);
	for (n = 0; n < 200 && !catches(pid, SIGINT); n++)
		usleep(10 * 1000);
	usleep(200 * 1000);	/* into the endless blob */
	kill(pid, SIGINT);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	collect(self->out, ofd, efd, status);
	EXPECT_EQ(130, self->out->status);
	EXPECT_JSON();
	EXPECT_OUT("\"interrupted\":true,\"exit\":null,");
}

TEST_F(ctl, monitor)
{
	static char *const argv[] = { "s2boxctl", "--json", "monitor", NULL };
	int ofd, efd, status, n, box, seen = 0;
	char want[2][96];
	__u64 id = 0;
	pid_t pid;

	pid = start_ctl(self->path, &ofd, &efd, argv);
	ASSERT_LT(0, pid);
	/* Boxes come and go until the monitor, once it has joined, sees one. */
	for (n = 0; n < 100 && !seen; n++) {
		box = s2box_create(self->ctl, S2BOX_IPA_BITS_MIN, self->granule);
		ASSERT_LE(0, box);
		id = box_id(box);
		close(box);
		usleep(100 * 1000);
		snprintf(want[0], sizeof(want[0]),
			 "{\"event\":\"created\",\"id\":%llu,", id);
		snprintf(want[1], sizeof(want[1]),
			 "{\"event\":\"destroyed\",\"id\":%llu,", id);
		collect_stdout(self->out, ofd);
		seen = strstr(self->out->buf, want[0]) &&
		       strstr(self->out->buf, want[1]);
	}
	kill(pid, SIGINT);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	collect(self->out, ofd, efd, status);
	EXPECT_TRUE(seen) {
		TH_LOG("no created and destroyed event for box %llu in:\n%s",
		       id, self->out->buf);
		TH_LOG("stderr: %s", self->out->err);
	}
	EXPECT_EQ(0, self->out->status) {
		TH_LOG("stderr: %s", self->out->err);
	}
	EXPECT_OUT("\"owner_uid\":%d,\"ipa_bits\":%u,\"granule\":%u}\n",
		   getuid(), S2BOX_IPA_BITS_MIN, self->granule);
}

TEST_HARNESS_MAIN
