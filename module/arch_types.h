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
#include <linux/types.h>
#include <linux/errno.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
typedef uint64_t u64;
typedef uint32_t u32;
typedef uint8_t u8;
#endif

#endif /* S2BOX_ARCH_TYPES_H */
