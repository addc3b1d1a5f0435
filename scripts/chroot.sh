#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The build chroots newer kernels' headers need, and running commands in
# them.
#
#   scripts/chroot.sh create NAME        make $CACHE/chroots/NAME (cached)
#   scripts/chroot.sh run TAG CMD ARG... run CMD for kernel TAG
#   scripts/chroot.sh qemu11             add trixie-backports' QEMU 11 to
#                                        the trixie chroot (cached)
#   scripts/chroot.sh exec NAME CMD...   run CMD in chroot NAME
#
# Debian's Linux 7.3 (trixie-backports) ships kbuild tools (fixdep, modpost)
# linked against glibc 2.38 and a .config that names gcc 14; Debian 12 has
# glibc 2.36 and gcc 12. So that kernel's module builds (make, sparse,
# dkms) run in a Debian 13 amd64 chroot made by debootstrap, with the
# cache and the repository bind-mounted at their own paths: the absolute
# paths scripts/setup.sh wrote into the extracted headers hold inside too.
# A kernel needs a chroot when $CACHE/kernels/TAG/chroot names one; "run"
# for any other kernel just runs CMD.
#
# The mounts live in a private mount namespace (unshare -m; as a user,
# also a user namespace), so they vanish with CMD and nothing is left
# mounted when it fails or is killed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${S2BOX_CACHE:-${HOME:-/root}/.cache/s2box}
log() { echo "chroot: $*" >&2; }
die() { echo "chroot: $*" >&2; exit 2; }

# What a module build for Debian 13's kernels needs: the cross gcc 14 and
# binutils, make, sparse, bc (Kbuild's arithmetic), the kbuild tools'
# libraries (libelf, libssl, zlib), pahole, the decompressors, kmod
# (modinfo) and dkms (scripts/dkms-test.sh) with its own needs.
# shellcheck disable=SC2034 # read through ${!var}
PKGS_trixie="make gcc libc6-dev gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
sparse bc kmod libelf1t64 libssl3t64 zlib1g dwarves xz-utils zstd dkms"

# QEMU 11 (trixie-backports) links trixie's libraries, so it runs inside
# the trixie chroot too (scripts/qemu-run.sh's qemu11): the emulator, its
# data and the virtio NICs' option ROMs it looks for; not the recommended
# packages (UI, audio and GL modules, UEFI), which -nographic boots never
# load.
QEMU11_PKGS="qemu-system-arm qemu-system-data ipxe-qemu"

# The machine's own mirror and key for Debian (scripts/apt-private.sh).
# shellcheck source=scripts/apt-private.sh
. "$ROOT/scripts/apt-private.sh"

create() {
	local name=$1 dir="$CACHE/chroots/$1" pkgs var rel mirror key t0
	var=PKGS_$name
	pkgs=$(xargs <<<"${!var:-}")
	[ -n "$pkgs" ] || die "unknown chroot $name"
	# .done holds the package list it was made with: a changed list
	# makes the chroot again.
	[ "$(cat "$dir/.done" 2>/dev/null)" = "$pkgs" ] && return 0
	command -v debootstrap >/dev/null ||
		PATH=$PATH:/usr/sbin:/sbin
	command -v debootstrap >/dev/null || die "debootstrap missing (scripts/setup.sh installs it)"
	# shellcheck disable=SC1091 # the machine's own file
	rel=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	read -r mirror key < <(debian_source "$rel" | head -n1) || true
	[ -n "$mirror" ] || die "no apt source for $rel to take the Debian mirror from"
	t0=$EPOCHREALTIME
	log "debootstrap $name ($mirror), a few minutes"
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$CACHE/chroots"
	# Its own mount namespace: debootstrap mounts /proc and /sys in the
	# target and a failed run would leave them mounted.
	unshare -m debootstrap --variant=minbase --arch=amd64 \
		${key:+--keyring="$key"} --include="${pkgs// /,}" \
		"$name" "$dir.tmp" "$mirror" >"$CACHE/chroots/$name.log" 2>&1 ||
		die "debootstrap failed, see $CACHE/chroots/$name.log"
	# The downloaded .debs are not needed again.
	rm -rf "$dir.tmp"/var/cache/apt/archives/*.deb \
		"$dir.tmp"/var/lib/apt/lists/*_Packages
	mv "$dir.tmp" "$dir"
	echo "$pkgs" >"$dir/.done"
	log "$name ready in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"
}

# qemu11: trixie-backports' QEMU into the trixie chroot, once. The
# marker holds the package list and the version installed; the chroot's
# own apt gets a trixie-backports line on the mirror it was made from.
qemu11() {
	local dir="$CACHE/chroots/trixie" src mark
	[ -f "$dir/.done" ] || create trixie
	mark=$(xargs <<<"$QEMU11_PKGS")
	[ "$(head -n1 "$dir/.qemu11" 2>/dev/null)" = "$mark" ] && return 0
	src=$(awk '$1 == "deb" && $3 == "trixie" { $3 = "trixie-backports"; print; exit }' \
		"$dir/etc/apt/sources.list")
	[ -n "$src" ] || die "no trixie line in $dir/etc/apt/sources.list"
	echo "$src" >"$dir/etc/apt/sources.list.d/backports.list"
	log "QEMU from trixie-backports into chroot trixie"
	enter "$dir" / sh -c "apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -qq -y \
			--no-install-recommends -t trixie-backports $mark >/dev/null &&
		apt-get clean" >"$CACHE/chroots/trixie-qemu11.log" 2>&1 ||
		die "apt-get failed, see $CACHE/chroots/trixie-qemu11.log"
	rm -f "$dir"/var/lib/apt/lists/*_Packages
	{ echo "$mark"; enter "$dir" / qemu-system-aarch64 --version | head -n1; } \
		>"$dir/.qemu11"
	log "$(tail -n1 "$dir/.qemu11")"
}

# run TAG CMD...: CMD in TAG's chroot, in the same directory, or straight.
run() {
	local tag=$1 name dir
	shift
	if [ ! -f "$CACHE/kernels/$tag/chroot" ]; then
		exec "$@"
	fi
	name=$(cat "$CACHE/kernels/$tag/chroot")
	dir="$CACHE/chroots/$name"
	[ -f "$dir/.done" ] || die "kernel $tag needs chroot $name: run scripts/setup.sh"
	ENTER_EXEC="exec" enter "$dir" "$PWD" "$@"
}

# enter DIR CWD CMD...: CMD in the chroot DIR, in CWD. With ENTER_EXEC=exec
# this shell becomes CMD, so a signal for it (timeout's) reaches CMD.
enter() {
	local dir=$1 cwd=$2
	shift 2
	local -a ns=(unshare -m)
	[ "$(id -u)" = 0 ] || ns=(unshare -m -r)
	# The inner script gets the chroot, the directories to bind at their
	# own paths, the working directory and CMD as arguments.
	# SC2016: expanded by the inner shell; SC2046: one directory a word.
	# shellcheck disable=SC2016,SC2046
	${ENTER_EXEC:-} "${ns[@]}" bash -c '
		set -e
		c=$1 cwd=$2
		shift 2
		binds=()
		while [ "$1" != -- ]; do binds+=("$1"); shift; done
		shift
		mount --rbind /dev "$c/dev"
		mount -t proc proc "$c/proc"
		for d in "${binds[@]}"; do
			mkdir -p "$c$d"
			mount --bind "$d" "$c$d"
		done
		exec chroot "$c" /usr/bin/env \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			bash -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
	' chroot-run "$dir" "$cwd" $(binds) -- "$@"
}

# Directories bound into the chroot: the cache, the repository, and the
# working directory when it is elsewhere, each once.
binds() {
	local d seen=" "
	for d in "$CACHE" "$ROOT" "$PWD"; do
		d=$(realpath "$d")
		case "$d" in "$CACHE"/* | "$ROOT"/*) continue ;; esac
		case "$seen" in *" $d "*) continue ;; esac
		seen+="$d "
		echo "$d"
	done
}

case "${1:-}" in
create) [ $# = 2 ] || die "usage: chroot.sh create NAME"; create "$2" ;;
run) [ $# -ge 3 ] || die "usage: chroot.sh run TAG CMD [ARG...]"; shift; run "$@" ;;
qemu11) [ $# = 1 ] || die "usage: chroot.sh qemu11"; qemu11 ;;
exec)
	[ $# -ge 3 ] || die "usage: chroot.sh exec NAME CMD [ARG...]"
	[ -f "$CACHE/chroots/$2/.done" ] || die "no chroot $2: run scripts/setup.sh"
	d="$CACHE/chroots/$2"
	shift 2
	ENTER_EXEC="exec" enter "$d" "$PWD" "$@"
	;;
*) die "usage: chroot.sh create NAME | run TAG CMD [ARG...] | qemu11 | exec NAME CMD [ARG...]" ;;
esac
