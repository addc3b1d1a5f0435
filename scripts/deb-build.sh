#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make deb`: the Debian packages (debian/), for arm64, in build/deb/:
# s2box-dkms_VERSION_all.deb and s2box-tools_VERSION_arm64.deb, the source
# package and the .changes, then lintian on all of them (its output in
# build/deb/lintian.txt). Exit status 1: the build failed; 3: lintian
# reports an error or a warning (overrides, with their reasons, live in
# debian/source/lintian-overrides and debian/PACKAGE.lintian-overrides).
#
# The build runs in build/deb/s2box-VERSION, a copy of the files git knows
# (tracked, or new and not ignored) as they are in the work tree, so
# neither build/ nor other clutter reaches the source package. On an arm64
# machine it builds natively, elsewhere with the cross toolchain
# (dpkg-buildpackage -aarm64; scripts/setup.sh installs what it needs).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/build/deb
VER=$(cat "$ROOT/VERSION")
SRC=$OUT/s2box-$VER

die() { echo "deb-build.sh: $*" >&2; exit 1; }

command -v dpkg-buildpackage >/dev/null || die "dpkg-dev missing (scripts/setup.sh)"
rm -rf "$OUT"
mkdir -p "$SRC"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do
		# A file deleted in the work tree but still in the index.
		[ -e "$f" ] && printf '%s\0' "$f"
	done | cpio -0 -pdm --quiet "$SRC/")

arch=()
[ "$(dpkg --print-architecture)" = arm64 ] || arch=(-aarm64)
echo "deb-build.sh: dpkg-buildpackage ${arch[*]} in $SRC (log: $OUT/build.log)"
if ! (cd "$SRC" && dpkg-buildpackage "${arch[@]}" -us -uc) >"$OUT/build.log" 2>&1; then
	tail -n 30 "$OUT/build.log" >&2
	die "dpkg-buildpackage failed"
fi

changes=$OUT/s2box_${VER}_arm64.changes
[ -f "$changes" ] || die "no $changes"
st=0
lintian --info --display-info --pedantic "$changes" >"$OUT/lintian.txt" 2>&1 || st=$?
cat "$OUT/lintian.txt"
if grep -q '^[EW]: ' "$OUT/lintian.txt" || [ "$st" != 0 ]; then
	echo "deb-build.sh: lintian reports errors or warnings, or failed (exit $st)" >&2
	exit 3
fi
ls "$OUT"/*.deb
