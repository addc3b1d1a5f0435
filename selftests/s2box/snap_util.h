/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the snapshot, reset and clone kselftests (snap_test,
 * clone_test, snap_race_test), on libs2box. The fdinfo reader is in
 * s2box_util.c; what checks through the harness is inline here. Include
 * after kselftest_harness.h.
 */
#ifndef S2BOX_SNAP_UTIL_H
#define S2BOX_SNAP_UTIL_H

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <s2box/s2box.h>

#include "s2box_util.h"

/* A box's /proc/self/fdinfo value (s2box_fdinfo()), by its handle. */
static inline long long box_fdinfo(struct s2box_box *box, const char *key)
{
	return s2box_fdinfo(s2box_box_fd(box), key);
}

/* S2BOX_AUDIT must find the tables as they must be. */
static inline void expect_audit_clean(struct __test_metadata *_metadata,
				      struct s2box_box *box)
{
	struct s2box_audit a;

	memset(&a, 0, sizeof(a));
	EXPECT_EQ(0, ioctl(s2box_box_fd(box), S2BOX_AUDIT, &a)) {
		TH_LOG("audit: %s (bad %llu empty %llu foreign %llu)",
		       strerror(errno), a.bad_desc, a.empty_tables, a.foreign);
	}
}

#endif /* S2BOX_SNAP_UTIL_H */
