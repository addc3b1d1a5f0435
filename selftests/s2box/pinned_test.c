// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftests: box memory as pinned memory. It is charged to the
 * creator's mm->pinned_vm (VmPin), limited by RLIMIT_MEMLOCK for callers
 * without CAP_IPC_LOCK, and stays with the creator wherever the fd goes
 * and after the creator exited, coming back exactly once.
 */

#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "pinned_util.h"
#include "s2box_util.h"

#define NOBODY	65534
#define RW	(S2BOX_PROT_READ | S2BOX_PROT_WRITE)

#define PIN_LIMIT	(1024 * 1024ULL)

/* A failed step of pinned_child(), with what the kernel reported. */
static int pinned_step(int step, int box)
{
	fprintf(stderr, "# step %d: %s; VmPin %llu, fdinfo pinned %llu, mapped %llu\n",
		step, strerror(errno), vm_pinned(0),
		fdinfo_u64(box, "s2box_pinned_bytes"),
		fdinfo_u64(box, "s2box_mapped_bytes"));
	return step;
}

/*
 * In a child with RLIMIT_MEMLOCK at PIN_LIMIT, as root (CAP_IPC_LOCK:
 * over the limit is fine) or, with @drop, as nobody (no capabilities).
 * The box is its own, so the charge goes to its mm, which starts at
 * zero. Exit 0, or the step that failed.
 */
static int pinned_child(unsigned int granule, bool drop)
{
	struct rlimit rl = { PIN_LIMIT, PIN_LIMIT };
	__u64 half = PIN_LIMIT / 2;
	struct s2box_box_info info;
	int ctl, box, ret;

	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return 2;
	ctl = s2box_open_ctl();
	box = s2box_create(ctl, S2BOX_IPA_BITS_MIN, granule);
	if (box < 0 || ioctl(box, S2BOX_GET_BOX_INFO, &info))
		return 3;
	/* The initramfs's root may be closed to nobody: hold /proc now. */
	if (proc_self_hold())
		return 4;
	if (drop && (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		     setresuid(NOBODY, NOBODY, NOBODY)))
		return 4;
	if (vm_pinned(0) != 0)
		return pinned_step(5, box);
	if (box_map(box, 0, half, RW))
		return pinned_step(6, box);
	if (vm_pinned(0) != half ||
	    fdinfo_u64(box, "s2box_pinned_bytes") != half ||
	    fdinfo_u64(box, "s2box_owner_pinned_bytes") != half)
		return pinned_step(7, box);
	ret = box_map(box, half, PIN_LIMIT, RW);
	if (!drop) {
		if (ret)
			return pinned_step(8, box);
		if (vm_pinned(0) != half + PIN_LIMIT)
			return pinned_step(9, box);
		goto out;
	}
	if (ret != -1 || errno != ENOMEM)
		return pinned_step(10, box);
	/* Nothing was charged or mapped by the refused MAP. */
	if (vm_pinned(0) != half || fdinfo_u64(box, "s2box_pinned_bytes") !=
	    half || fdinfo_u64(box, "s2box_mapped_bytes") != half)
		return pinned_step(11, box);
	/* Up to the limit exactly, and not a unit more. */
	if (box_map(box, half, PIN_LIMIT - half, RW))
		return pinned_step(12, box);
	if (vm_pinned(0) != PIN_LIMIT)
		return pinned_step(13, box);
	if (box_map(box, PIN_LIMIT, info.map_align, RW) != -1 ||
	    errno != ENOMEM)
		return pinned_step(14, box);
out:
	if (box_unmap(box, 0, 1ULL << S2BOX_IPA_BITS_MIN))
		return pinned_step(15, box);
	if (vm_pinned(0) != 0 || fdinfo_u64(box, "s2box_pinned_bytes") != 0)
		return pinned_step(16, box);
	close(box);
	return 0;
}

static void run_pinned_child(struct __test_metadata *_metadata, bool drop)
{
	int ctl = s2box_open_ctl(), status;
	unsigned int granule;
	pid_t pid;

	ASSERT_LE(0, ctl);
	granule = s2box_any_granule(ctl);
	close(ctl);
	if (vm_pinned(0) == NO_VALUE)
		SKIP(return, "no VmPin in /proc/self/status");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(pinned_child(granule, drop));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("child %s: step %d", drop ? "as nobody" : "as root",
		       WEXITSTATUS(status));
	}
}

TEST(pinned_past_rlimit_memlock_enomem)
{
	run_pinned_child(_metadata, true);
}

TEST(pinned_cap_ipc_lock_bypasses_rlimit)
{
	run_pinned_child(_metadata, false);
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 0;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

#define PIN_UNIT	(128 * 1024ULL)

/* The creator of the box in pinned_charge_stays_with_creator. */
static int creator_child(int sock, unsigned int granule)
{
	int ctl = s2box_open_ctl();
	int box = s2box_create(ctl, S2BOX_IPA_BITS_MIN, granule);
	char byte;

	if (box < 0 || box_map(box, 0, 2 * PIN_UNIT, RW) ||
	    send_fd(sock, box))
		return 2;
	close(box);
	close(ctl);
	/* Alive until told to go. */
	return read(sock, &byte, 1) == 1 ? 0 : 3;
}

/*
 * The charge goes to the creator's mm whoever holds the fd, and comes
 * back from it exactly once, after the creator has exited too.
 */
TEST(pinned_charge_stays_with_creator)
{
	int ctl = s2box_open_ctl(), sv[2], box, status;
	__u64 mine = vm_pinned(0);
	unsigned int granule;
	pid_t pid;

	ASSERT_LE(0, ctl);
	granule = s2box_any_granule(ctl);
	close(ctl);
	if (mine == NO_VALUE)
		SKIP(return, "no VmPin in /proc/self/status");
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(sv[0]);
		_exit(creator_child(sv[1], granule));
	}
	close(sv[1]);
	box = recv_fd(sv[0]);
	ASSERT_LE(0, box);
	EXPECT_EQ(pid, fdinfo_u64(box, "s2box_owner_pid"));
	EXPECT_EQ(2 * PIN_UNIT, vm_pinned(pid));
	/* Memory this process maps is charged to the creator... */
	ASSERT_EQ(0, box_map(box, 2 * PIN_UNIT, PIN_UNIT, RW));
	EXPECT_EQ(3 * PIN_UNIT, vm_pinned(pid));
	EXPECT_EQ(mine, vm_pinned(0));
	/* ...and what it unmaps given back to the creator. */
	ASSERT_EQ(0, box_unmap(box, 0, PIN_UNIT));
	EXPECT_EQ(2 * PIN_UNIT, vm_pinned(pid));
	EXPECT_EQ(2 * PIN_UNIT, fdinfo_u64(box, "s2box_owner_pinned_bytes"));
	/* The creator exits; the box and its charge outlive it. */
	ASSERT_EQ(1, write(sv[0], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status)) {
		TH_LOG("creator: status 0x%x", status);
	}
	EXPECT_EQ(2 * PIN_UNIT, fdinfo_u64(box, "s2box_owner_pinned_bytes"));
	ASSERT_EQ(0, box_map(box, 0, PIN_UNIT, RW));
	EXPECT_EQ(3 * PIN_UNIT, fdinfo_u64(box, "s2box_owner_pinned_bytes"));
	ASSERT_EQ(0, box_unmap(box, 0, 1ULL << S2BOX_IPA_BITS_MIN));
	EXPECT_EQ(0, fdinfo_u64(box, "s2box_owner_pinned_bytes"));
	EXPECT_EQ(0, fdinfo_u64(box, "s2box_pinned_bytes"));
	EXPECT_EQ(mine, vm_pinned(0));
	close(box);
	close(sv[0]);
}

TEST_HARNESS_MAIN
