/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types for the architecture-rule files (vtcr.c, idregs.c, later the
 * stage-2 descriptor code). Those files make no kernel calls so that the
 * host unit tests compile them unchanged; this header is the only place
 * that knows which side it is built for.
 */
#ifndef S2BOX_ARCH_TYPES_H
#define S2BOX_ARCH_TYPES_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
typedef __u64 u64;
typedef __u32 u32;
typedef __u8 u8;
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT_ULL(n) (1ULL << (n))
/*
 * The kernel needs these for descriptors the table walker reads
 * concurrently; the host tests are single-threaded, plain accesses do.
 */
#define READ_ONCE(x) (x)
#define WRITE_ONCE(x, val) ((x) = (val))
#endif

#endif /* S2BOX_ARCH_TYPES_H */
