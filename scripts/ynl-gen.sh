#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netlink family's code, generated from its YNL spec
# (Documentation/netlink/specs/s2box.yaml) by the kernel's own generator
# (tools/net/ynl/ynl-gen-c.py from Debian's linux-source, which
# scripts/setup.sh puts in the cache):
#
#   uapi/linux/s2box_netlink.h  the uapi enums and names (--mode uapi)
#   module/netlink_gen.[ch]     request policies and the ops (--mode kernel)
#   lib/src/nl_gen.h            libs2box's attribute tables
#                               (scripts/ynl-lib-gen.py, on the kernel's
#                               spec parser)
#
# The results are committed, as the kernel commits its own, so neither a
# module build (DKMS included) nor the library needs python or a kernel
# tree.
#
#   ynl-gen.sh          regenerate the committed files
#   ynl-gen.sh --check  generate into build/ynl/out and compare: exit 1
#                       and a diff on stderr when they differ
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${S2BOX_CACHE:-${HOME:-/root}/.cache/s2box}
SRC="$CACHE/linux-source"
YNL="$SRC/tools/net/ynl"
SPEC=Documentation/netlink/specs/s2box.yaml
FILES="uapi/linux/s2box_netlink.h module/netlink_gen.h module/netlink_gen.c
lib/src/nl_gen.h"

check=
[ "${1:-}" = --check ] && check=1
if [ ! -f "$YNL/ynl-gen-c.py" ] || [ ! -f "$SRC/Documentation/netlink/genetlink-legacy.yaml" ]; then
	echo "ynl-gen: no YNL generator in $SRC (run scripts/setup.sh)" >&2
	exit 2
fi

# The generator finds the netlink schemas beside the spec's directory and
# names the spec by its path below the tree holding MAINTAINERS: a staging
# tree shaped like the kernel's gives it both.
stage="$TOP/build/ynl/tree"
rm -rf "$stage" && mkdir -p "$stage/Documentation/netlink/specs"
: >"$stage/MAINTAINERS"
for f in "$SRC"/Documentation/netlink/*.yaml; do
	ln -s "$f" "$stage/Documentation/netlink/"
done
cp "$TOP/$SPEC" "$stage/$SPEC"

out="$TOP"
if [ -n "$check" ]; then
	out="$TOP/build/ynl/out"
	rm -rf "$out"
fi
mkdir -p "$out/uapi/linux" "$out/module" "$out/lib/src"

gen() {		# gen MODE --header|--source OUT
	(cd "$stage" && python3 "$YNL/ynl-gen-c.py" --mode "$1" "$2" \
		--spec "$SPEC" -o "$3")
}
gen uapi --header "$out/uapi/linux/s2box_netlink.h"
gen kernel --header "$out/module/netlink_gen.h"
gen kernel --source "$out/module/netlink_gen.c"
python3 "$TOP/scripts/ynl-lib-gen.py" "$YNL/lib" "$stage/$SPEC" \
	"$out/lib/src/nl_gen.h"

[ -n "$check" ] || exit 0
st=0
for f in $FILES; do
	diff -u "$TOP/$f" "$out/$f" >&2 || st=1
done
exit $st
