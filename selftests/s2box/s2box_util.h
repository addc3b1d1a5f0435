/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the s2box kselftests. */
#ifndef S2BOX_UTIL_H
#define S2BOX_UTIL_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include <linux/s2box.h>

int s2box_open_ctl(void);

/* Returns the new box fd, or -1 with errno set. */
int s2box_create(int ctl, unsigned int ipa_bits, unsigned int granule);

unsigned int s2box_ipa_limit(const struct s2box_caps *caps,
			     unsigned int granule);

int box_map(int box, __u64 ipa, __u64 size, __u32 prot);

int box_unmap(int box, __u64 ipa, __u64 size);

/*
 * Does this host refuse boxes of @granule and @ipa_bits? Then @why says
 * why, for a SKIP.
 */
bool s2box_geometry_refused(const struct s2box_caps *caps,
			    unsigned int granule, unsigned int ipa_bits,
			    char *why, size_t len);

/* Some granule the host supports at stage 2 (every host has one). */
unsigned int s2box_any_granule(int ctl);

/* The value of @key in /proc/self/fdinfo/@fd, or -1. */
long long s2box_fdinfo(int fd, const char *key);

#endif /* S2BOX_UTIL_H */
