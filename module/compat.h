/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compatibility shims between the kernels s2box supports (Debian 6.1 and
 * 6.12, 4K and 16K pages). Force-included into every module file by Kbuild
 * so the sources read as if written for one kernel. Each shim is gated on a
 * feature test where one exists, otherwise on a version, and says why.
 */
#ifndef S2BOX_COMPAT_H
#define S2BOX_COMPAT_H

#include <linux/version.h>

#endif /* S2BOX_COMPAT_H */
