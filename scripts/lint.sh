#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks, as TAP on stdout: the netlink code generated from its YNL
# spec up to date, the module built with W=1 -Werror and checked by sparse
# (C=2) against every kernel of the matrix, checkpatch.pl --strict on every
# C source and header of the project that is not generated, and the size
# limits of the user-space sources (scripts/lint-size.sh).
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${S2BOX_CACHE:-${HOME:-/root}/.cache/s2box}
KERNELS=${KERNELS:-6.1 6.12 6.12-16k 7.3}
CHECKPATCH="$CACHE/linux-source/scripts/checkpatch.pl"
n=0

tap() {		# tap STATUS DESCRIPTION [OUTPUT]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
	fi
}

# Fresh source copy per kernel so every file is compiled (and checked).
kbuild() {	# kbuild KERNEL EXTRA-ARGS...
	local k=$1 dir="$TOP/build/lint-$1"
	shift
	rm -rf "$dir" && mkdir -p "$dir"
	(cd "$TOP" && cp -a --parents Kbuild VERSION module uapi "$dir/")
	# 7.3's kbuild tools need its Debian 13 chroot (scripts/chroot.sh).
	bash "$TOP/scripts/chroot.sh" run "$k" \
		make -s -C "$CACHE/kernels/$k/build" M="$dir" ARCH=arm64 \
		CROSS_COMPILE=aarch64-linux-gnu- "$@" modules 2>&1 |
		grep -v '^Skipping BTF generation'
	return "${PIPESTATUS[0]}"
}

lint_kernel() {
	local k=$1 out helper=0 ko="$TOP/build/lint-$1/s2box.ko"
	out=$(kbuild "$k" W=1 KCFLAGS=-Werror)
	tap $? "module builds with W=1 -Werror on $k" "$out"
	grep -qs __tlbi_sync_s1ish_hyp \
		"$CACHE/kernels/$k/build/arch/arm64/include/asm/tlbflush.h" &&
		helper=1
	out=$(lint_tlbi_disasm "$ko" "$helper" 2>&1)
	tap $? "broadcast TLBIs carry the erratum-4118414 repeat on $k" "$out"
	out=$(lint_switch_calls "$ko" 2>&1)
	tap $? "no call inside the world switch on $k" "$out"
	out=$(kbuild "$k" C=2)
	! grep -qE 'warning:|error:' <<<"$out"
	tap $? "sparse (C=2) clean on $k" "$out"
}

# Files scripts/ynl-gen.sh writes: their layout is the generator's (as
# the kernel's own generated netlink code, which checkpatch does not
# judge either); lint_ynl vouches for them instead.
YNL_GENERATED="uapi/linux/s2box_netlink.h module/netlink_gen.h
module/netlink_gen.c lib/src/nl_gen.h"

lint_checkpatch() {
	local f out
	for f in $(cd "$TOP" && git ls-files '*.c' '*.h'); do
		case " $(echo $YNL_GENERATED) " in *" $f "*) continue ;; esac
		out=$(cd "$TOP" && perl "$CHECKPATCH" --no-tree --strict -q \
			--terse --show-types -f "$f" 2>&1)
		! grep -qE '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK):' <<<"$out"
		tap $? "checkpatch --strict $f" "$out"
	done
}

# The committed netlink code is what the spec generates today, byte for
# byte (scripts/ynl-gen.sh --check regenerates it into build/ynl/out).
lint_ynl() {
	local out
	out=$(bash "$TOP/scripts/ynl-gen.sh" --check 2>&1)
	tap $? "netlink code matches the YNL spec (scripts/ynl-gen.sh)" "$out"
}

# VERSION is the one version: dkms.conf and MODULE_VERSION take it at build
# time (a literal there would be a second source), debian/changelog cannot
# and must agree.
lint_version() {
	local v c what=
	v=$(cat "$TOP/VERSION")
	c=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version 2>&1)
	# Its upstream part: no epoch, no Debian revision.
	c=${c#*:}
	c=${c%-*}
	[ "$c" = "$v" ] || what+="debian/changelog says $c, VERSION says $v; "
	grep -qx 'PACKAGE_VERSION="#MODULE_VERSION#"' "$TOP/dkms.conf" ||
		what+="dkms.conf's PACKAGE_VERSION is not the #MODULE_VERSION# marker; "
	grep -q '^MODULE_VERSION(S2BOX_VERSION);' "$TOP/module/main.c" ||
		what+="module/main.c's MODULE_VERSION is not S2BOX_VERSION; "
	[ -z "$what" ] && return 0
	echo "$what"
	return 1
}

# shellcheck source=scripts/lint-disasm.sh
. "$TOP/scripts/lint-disasm.sh"

echo "TAP version 13"
out=$(lint_version)
tap $? "one version: VERSION, debian/changelog, dkms.conf, MODULE_VERSION" "$out"
out=$(lint_tlbi_source "$TOP" 2>&1)
tap $? "broadcast __tlbi() completed with __tlbi_sync_s1ish_hyp()" "$out"
lint_ynl
for k in $KERNELS; do
	lint_kernel "$k"
done
lint_checkpatch
out=$(bash "$TOP/scripts/lint-size.sh" 2>&1)
tap $? "no user-space file over 800 lines, no function over 80 (lint-size.sh)" "$out"
echo "1..$n"
