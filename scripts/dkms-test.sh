#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS packaging test, TAP on stdout (`make dkms-test`).
#
# The tree scripts/dkms-install.sh would put in /usr/src goes through dkms
# add, build (cross, -a aarch64), install and status for every cached
# kernel, all inside a private tree under build/ that is deleted at the end.
# Then each DKMS-built module boots under QEMU (scripts/qemu-run.sh, whose
# own results land in build/results/dkms-<tag>/). Also checked: an x86_64
# build is refused, nothing is signed, and the host's /var/lib/dkms,
# /usr/src and /lib/modules are exactly as before.
#
# Environment:
#   KERNELS          kernel tags (default "6.1 6.12 6.12-16k 7.3")
#   S2BOX_CACHE      kernel cache (default ~/.cache/s2box)
#   S2BOX_RESULTS    QEMU cells and dkms-test.log go here (default build/results)
#   S2BOX_DKMS_CPU   QEMU CPU for the boots (default cortex-a76)
#   S2BOX_DKMS_BOOT  0: skip the QEMU boots
#   S2BOX_KEEP       1: keep the private DKMS tree (its path is printed)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${S2BOX_CACHE:-${HOME:-/root}/.cache/s2box}
KERNELS=${KERNELS:-6.1 6.12 6.12-16k 7.3}
RESULTS=${S2BOX_RESULTS:-$ROOT/build/results}
CPU=${S2BOX_DKMS_CPU:-cortex-a76}
LOG=$RESULTS/dkms-test.log
NAME=s2box
# dkms, modinfo and depmod live in sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

n=0 failed=0 planned=0
T='' VER='' out='' rc=0 took=0
t_dkms=0 t_boot=0
AS_ROOT=()
declare -A REL=() KO=()

# shellcheck source=scripts/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

# A run that stops half-way must still end in a failure and a plan, or the
# summary would count only what happened to get printed.
finish() {
	local status=$?
	if [ "$planned" = 0 ]; then
		tap 1 "dkms-test.sh ran to the end" "stopped early (exit $status); see $LOG"
		echo "1..$n"
	fi
	if [ -n "$T" ] && [ "${S2BOX_KEEP:-0}" = 1 ]; then
		echo "# kept $T"
	elif [ -n "$T" ]; then
		rm -rf "$T"
	fi
}


# add VAR SECONDS
add() { printf -v "$1" '%s' "$(awk -v a="${!1}" -v b="$2" 'BEGIN { print a + b }')"; }

# run CMD...: CMD's output in $out, its status in $rc (no set -e abort) and
# its duration in $took; all three also go to the log, which outlives the
# private tree.
run() {
	local t0=$EPOCHREALTIME
	rc=0
	out=$("$@" 2>&1) || rc=$?
	took=$(secs "$t0" "$EPOCHREALTIME")
	{ echo "\$ $*"; printf '%s\n' "$out"; echo "(exit $rc, $took s)"; } >>"$LOG"
}

# dkms confined to the private tree.
# - sign_file, mok_signing_key and mok_certificate are lowercase variables
#   dkms 3.0.10 reads from /etc/dkms/framework.conf but never initialises,
#   so the environment sets them. A sign-file that does not exist makes
#   prepare_signing stop ("modules won't be signed") before it would create
#   /var/lib/dkms/mok.key; without it dkms signs with Debian's
#   /usr/lib/linux-kbuild-<ver>/scripts/sign-file whenever the host has
#   that package (e.g. linux-kbuild-6.1 for release 6.1.0-*). The key paths
#   point into the private tree in case a framework.conf names a real one.
# - TMPDIR: dkms's scratch files.
# - install and remove also need --no-depmod (the callers pass it): dkms
#   runs depmod on /lib/modules/<release>, not on --installtree.
# - DK_TAG: the kernel the command is for; one whose kbuild tools need a
#   newer distribution (7.3) runs Debian 13's dkms in its chroot
#   (scripts/chroot.sh), on the same private tree.
DK_TAG=
dk() {
	local -a in=()
	[ -z "$DK_TAG" ] || in=(bash "$ROOT/scripts/chroot.sh" run "$DK_TAG")
	run "${in[@]}" env TMPDIR="$T/tmp" sign_file="$T/no-sign-file" \
		mok_signing_key="$T/mok.key" mok_certificate="$T/mok.pub" \
		"${AS_ROOT[@]}" dkms --dkmstree "$T/dkms" --sourcetree "$T/src" \
		--installtree "$T/lib/modules" "$@"
	add t_dkms "$took"
}

# snapshot DIR DEPTH: names, types and mtimes (a new entry changes its
# parent's mtime, so DEPTH need not reach the deepest file dkms writes).
snapshot() {
	if [ -e "$1" ]; then
		find "$1" -maxdepth "$2" -printf '%p %y %T@\n' | sort
	else
		echo "$1 absent"
	fi
}

# check_unchanged DIR DEPTH BEFORE
check_unchanged() {
	local after diff st=0
	after=$(snapshot "$1" "$2")
	diff=$(diff <(printf '%s\n' "$3") <(printf '%s\n' "$after")) || st=1
	tap $st "host $1 untouched" "$diff"
}

setup_tree() {
	mkdir -p "$ROOT/build" "$RESULTS"
	: >"$LOG"
	T=$(mktemp -d "$ROOT/build/dkms-test.XXXXXX")
	mkdir -p "$T/src" "$T/dkms" "$T/lib/modules" "$T/tmp"
	VER=$(cat "$ROOT/VERSION")
}

# Only Kbuild, VERSION, dkms.conf, module/*.[chS] and uapi/ headers may
# reach DKMS, and the staged dkms.conf names VERSION's version.
test_add() {
	local extra st=0
	bash "$ROOT/scripts/dkms-install.sh" --stage "$T/src/$NAME-$VER"
	extra=$(cd "$T/src/$NAME-$VER" && find . -type f |
		grep -Ev '^\./(Kbuild|VERSION|dkms\.conf|module/[^/]+\.[chS]|uapi/linux/[^/]+\.h)$') || true
	grep -qx "PACKAGE_VERSION=\"$VER\"" "$T/src/$NAME-$VER/dkms.conf" ||
		extra+=" dkms.conf does not say PACKAGE_VERSION=\"$VER\""
	dk add -m "$NAME" -v "$VER"
	[ $rc = 0 ] && [ -z "$extra" ] && [ -f "$T/dkms/$NAME/$VER/source/Kbuild" ] &&
		[ -f "$T/dkms/$NAME/$VER/source/uapi/linux/s2box.h" ] || st=1
	tap $st "dkms add $NAME/$VER (Kbuild, VERSION, module/, uapi/ only)" \
		"$out${extra:+$'\n'unexpected files: $extra}"
}

# test_kernel TAG: build, no signing, install, status. Sets REL/KO[TAG].
test_kernel() {
	local tag=$1 kdir=$CACHE/kernels/$1/build rel ko what f st=0
	if [ ! -d "$kdir" ] || [ ! -f "$CACHE/kernels/$tag/release" ]; then
		skip "dkms on $tag" "no cached kernel $tag (scripts/setup.sh)"
		return 0
	fi
	rel=$(cat "$CACHE/kernels/$tag/release")
	REL[$tag]=$rel
	# dkms install refuses a kernel whose module directory does not exist.
	mkdir -p "$T/lib/modules/$rel"

	dk build -m "$NAME" -v "$VER" -k "$rel" -a aarch64 --kernelsourcedir "$kdir"
	if [ $rc != 0 ]; then
		# dkms leaves the failed build's log in its build directory.
		tap 1 "dkms build on $tag ($rel, -a aarch64)" \
			"$out"$'\n'"$(tail -n 15 "$T/dkms/$NAME/$VER/build/make.log" 2>/dev/null)"
		return 0
	fi
	tap 0 "dkms build on $tag ($rel, -a aarch64)"

	what=
	grep -q "modules won't be signed" <<<"$out" || what+=" no 'won't be signed' notice;"
	! grep -q "^Signing module" <<<"$out" || what+=" dkms signed the module;"
	for f in "$T/mok.key" "$T/mok.pub"; do
		[ ! -e "$f" ] || what+=" $f created;"
	done

	dk install -m "$NAME" -v "$VER" -k "$rel" -a aarch64 --kernelsourcedir "$kdir" \
		--no-depmod
	ko=$T/lib/modules/$rel/updates/dkms/$NAME.ko
	if [ $rc = 0 ] && [ -f "$ko" ] &&
		[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$rel" ] &&
		[[ $(readelf -h "$ko") == *Machine:*AArch64* ]]; then
		tap 0 "dkms install on $tag: arm64 $NAME.ko for $rel in the private tree"
		KO[$tag]=$ko
	else
		tap 1 "dkms install on $tag: arm64 $NAME.ko for $rel in the private tree" \
			"$out"$'\n'"$(find "$T/lib/modules" -type f)"
	fi

	# A signed module ends in this marker (scripts/sign-file).
	if [ -f "$ko" ] &&
		[[ $(tail -c 28 "$ko" | tr -d '\0') == *"Module signature appended"* ]]; then
		what+=" $ko carries a signature;"
	fi
	[ -z "$what" ] || st=1
	tap $st "dkms did not sign the $tag module nor make a key" "$what"

	st=0
	dk status -m "$NAME" -v "$VER" -k "$rel" -a aarch64
	grep -Fxq "$NAME/$VER, $rel, aarch64: installed" <<<"$out" || st=1
	tap $st "dkms status: $NAME/$VER, $rel, aarch64: installed" "$out"
}

# The module is arm64-only: dkms must stop at BUILD_EXCLUSIVE_ARCH (exit 77).
test_refuse() {
	local tag st=0
	for tag in $KERNELS; do
		[ -n "${REL[$tag]:-}" ] || continue
		dk build -m "$NAME" -v "$VER" -k "${REL[$tag]}" -a x86_64 \
			--kernelsourcedir "$CACHE/kernels/$tag/build"
		[ $rc = 77 ] && grep -q 'BUILD_EXCLUSIVE directive which does not match' \
			<<<"$out" || st=1
		tap $st "dkms build -a x86_64 refused by BUILD_EXCLUSIVE_ARCH (exit $rc)" "$out"
		return 0
	done
	skip "dkms build -a x86_64 refused" "no kernel built"
}

# The guest's "load" mode (insmod, rmmod) is the cheapest proof; a harness
# without it still proves loading with its full test mode.
boot_mode() {
	if grep -Eq '^[[:space:]]*load\)' "$ROOT/scripts/guest-init.sh" 2>/dev/null; then
		echo load
	else
		echo test
	fi
}

test_boot() {
	local tag=$1 dir=$RESULTS/dkms-$1 t0 qrc=0
	local what="dkms-built module loads on $tag"
	if [ ! -f "$ROOT/scripts/qemu-run.sh" ]; then
		skip "$what" "scripts/qemu-run.sh not present"
		return 0
	elif [ "${S2BOX_DKMS_BOOT:-1}" = 0 ]; then
		skip "$what" "S2BOX_DKMS_BOOT=0"
		return 0
	elif [ -z "${KO[$tag]:-}" ]; then
		tap 1 "$what" "no DKMS-built module for $tag"
		return 0
	fi
	mkdir -p "$dir"
	t0=$EPOCHREALTIME
	S2BOX_CELL="dkms-$tag-$CPU" bash "$ROOT/scripts/qemu-run.sh" "$tag" "$CPU" \
		"$(boot_mode)" "$dir" "${KO[$tag]}" >"$dir/run.log" 2>&1 || qrc=$?
	add t_boot "$(secs "$t0" "$EPOCHREALTIME")"
	tap $qrc "$what" "$(grep -h '^not ok' "$dir/results.tap" 2>/dev/null)
$(tail -n 5 "$dir/run.log")"
}

# What scripts/dkms-install.sh relies on to upgrade: remove --all leaves
# neither a module nor a DKMS record behind.
test_remove() {
	local left st=0
	dk remove -m "$NAME" -v "$VER" --all --no-depmod
	left=$(find "$T/lib/modules" "$T/dkms" -name "$NAME.ko*")
	[ $rc = 0 ] && [ -z "$left" ] && [ ! -e "$T/dkms/$NAME" ] || st=1
	tap $st "dkms remove --all leaves no module or record" "$out${left:+$'\n'left: $left}"
}

main() {
	local tag dkms_before src_before mod_before keys_before keys_after t0 st=0

	echo "TAP version 13"
	trap finish EXIT
	if [ "$(id -u)" != 0 ]; then
		# dkms install insists on uid 0 even for a private tree.
		if command -v fakeroot >/dev/null; then
			AS_ROOT=(fakeroot)
		else
			skip "DKMS packaging" "dkms install needs root or fakeroot"
			echo "1..$n"
			planned=1
			return 0
		fi
	fi

	dkms_before=$(snapshot /var/lib/dkms 3)
	src_before=$(snapshot /usr/src 1)
	mod_before=$(snapshot /lib/modules 1)
	keys_before=$(ls /var/lib/dkms/mok.* 2>/dev/null || true)
	setup_tree

	t0=$EPOCHREALTIME
	test_add
	for tag in $KERNELS; do
		DK_TAG=$tag
		test_kernel "$tag"
		DK_TAG=
	done
	test_refuse
	for tag in $KERNELS; do
		[ -z "${REL[$tag]:-}" ] || test_boot "$tag"
	done
	test_remove

	check_unchanged /var/lib/dkms 3 "$dkms_before"
	check_unchanged /usr/src 1 "$src_before"
	check_unchanged /lib/modules 1 "$mod_before"
	keys_after=$(ls /var/lib/dkms/mok.* 2>/dev/null || true)
	[ "$keys_after" = "$keys_before" ] || st=1
	tap $st "no signing key created under /var/lib/dkms" "$keys_after"

	echo "# dkms: $t_dkms s; QEMU boots: $t_boot s; total: $(secs "$t0" "$EPOCHREALTIME") s; log: $LOG"
	echo "1..$n"
	planned=1
	[ $failed = 0 ]
}

main "$@"
