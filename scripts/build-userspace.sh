#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the static arm64 user-space programs that go into the test
# initramfs: the kselftests (in a tools/testing/selftests-shaped tree, so the
# very same Makefile works inside a kernel tree) and the tools.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${S2BOX_CACHE:-${HOME:-/root}/.cache/s2box}
KSELF="$CACHE/linux-source/tools/testing/selftests"
TREE="$TOP/build/selftests-tree"
BIN="$TOP/build/arm64/bin"
CROSS=${CROSS:-aarch64-linux-gnu-}

# build/selftests-tree/{lib.mk,kselftest*.h} from Debian's linux-source,
# build/selftests-tree/s2box/ a copy of the repository's selftests/s2box
# (a symlink would make "../lib.mk" resolve inside the repository).
layout_tree() {
	mkdir -p "$TREE"
	ln -sfn "$KSELF/lib.mk" "$TREE/lib.mk"
	ln -sfn "$KSELF/kselftest_harness.h" "$TREE/kselftest_harness.h"
	ln -sfn "$KSELF/kselftest.h" "$TREE/kselftest.h"
	rm -rf "$TREE/s2box"
	cp -a "$TOP/selftests/s2box" "$TREE/s2box"
}

# libs2box, static and shared, for the tools and s2box_lib_test.
LIBOUT="$TOP/build/arm64/lib"
build_lib() {
	make -s -C "$TOP/lib" CROSS_COMPILE="$CROSS" OUTPUT="$LIBOUT"
}

build_selftests() {
	mkdir -p "$BIN" "$TOP/build/arm64/selftests"
	make -s -C "$TREE/s2box" ARCH=arm64 CROSS_COMPILE="$CROSS" \
		OUTPUT="$TOP/build/arm64/selftests" \
		KHDR_INCLUDES="-I$TOP/uapi" \
		LIBS2BOX_DIR="$LIBOUT" LIBS2BOX_SRC="$TOP/lib"
	local t
	# The programs, not the objects and dependency files beside them.
	for t in "$TOP"/build/arm64/selftests/s2box_*; do
		if [ -x "$t" ] && [ -f "$t" ]; then
			cp "$t" "$BIN/"
		fi
	done
}

# The same kselftest for 32-bit callers (compat_ioctl), run by the 64-bit
# one's compat32_abi test. Needs the armhf cross compiler from setup.sh.
build_compat32() {
	local t="$TREE/s2box"
	arm-linux-gnueabihf-gcc -Wall -O2 -static -I"$TOP/uapi" \
		-o "$BIN/s2box_test32" "$t/s2box_test.c" "$t/s2box_util.c"
}

build_tools() {
	if [ -f "$TOP/tools/Makefile" ]; then
		make -s -C "$TOP/tools" CROSS_COMPILE="$CROSS" \
			OUTPUT="$TOP/build/arm64/tools" BIN="$BIN" \
			LIBS2BOX_OUT="$LIBOUT"
	fi
	# s2box_bench ships with the tests but is no test (S2BOX_NOT_TESTS).
	if [ -f "$TOP/tools/bench/Makefile" ]; then
		make -s -C "$TOP/tools/bench" CROSS_COMPILE="$CROSS" BIN="$BIN"
	fi
}

layout_tree
build_lib
build_selftests
build_compat32
build_tools
echo "userspace: built $(ls "$BIN" | tr '\n' ' ')"
