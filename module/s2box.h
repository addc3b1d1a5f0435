/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2box internal interfaces shared between the module's files.
 */
#ifndef S2BOX_H
#define S2BOX_H

#include <linux/types.h>
#include <linux/s2box.h>

#include "vtcr.h"

/* host.c: what this host offers, probed once at load. */
int s2box_host_probe(void);
const struct s2box_host *s2box_host_get(void);
void s2box_host_fill_caps(struct s2box_caps *caps);

/* box.c: a box and its file descriptor. */
int s2box_box_create(const struct s2box_create *args);

/* uarg.c: extensible ioctl arguments (see the uapi header). */
int s2box_arg_in(void *karg, size_t ksize, unsigned int cmd,
		 unsigned long arg);
int s2box_arg_out(unsigned long arg, unsigned int cmd, const void *karg,
		  size_t ksize);
bool s2box_reserved_zero(const void *field, size_t size);
bool s2box_cmd_is(unsigned int cmd, unsigned int ref);

#endif /* S2BOX_H */
