#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The arm64 Debian 12 system the package install test (scripts/deb-test.sh)
# installs s2box into, built once and cached like the kernels
# (scripts/setup.sh calls this):
#
#   scripts/deb-rootfs.sh                   build $S2BOX_CACHE/deb-rootfs/bookworm-arm64
#                                           unless it is there already
#   scripts/deb-rootfs.sh chroot DIR CMD... run CMD (arm64) chrooted in DIR
#
# The cached system is debootstrap's minbase plus udev, with the headers of
# the kernel the test boots installed (which brings gcc, as on a server),
# the second kernel's image installed (its headers depend on it; INITRD=No
# skips its initramfs, 15 minutes under qemu-user, which nothing uses: the
# test boots with an initramfs of its own), and the .debs of everything the
# test installs later left in apt's cache: dkms and libnl (what s2box-dkms
# and s2box-tools depend on) and the second kernel's headers. The test's
# runs then need no network.
#
# Running arm64 programs on this x86_64 machine takes qemu-user and a
# binfmt_misc entry. When the machine has none registered, the chroot runs
# in a private user namespace (every uid mapped to itself) that mounts its
# own binfmt_misc instance (Linux 6.7 and later): the entry exists only for
# that namespace and its children, so nothing else on the machine starts
# running arm64 binaries through QEMU.
#
# Environment:
#   S2BOX_CACHE       cache (default ~/.cache/s2box)
#   S2BOX_DEB_MIRROR  Debian mirror (default http://deb.debian.org/debian)
#   S2BOX_DEB_BOOT    kernel tag whose headers are installed (default 6.1)
#   S2BOX_DEB_SECOND  kernel tag whose headers are only downloaded (default 6.12)
set -euo pipefail

CACHE=${S2BOX_CACHE:-${HOME:-/root}/.cache/s2box}
DIR=$CACHE/deb-rootfs/bookworm-arm64
MIRROR=${S2BOX_DEB_MIRROR:-http://deb.debian.org/debian}
BOOT=${S2BOX_DEB_BOOT:-6.1}
SECOND=${S2BOX_DEB_SECOND:-6.12}
BINFMT_CONF=/usr/lib/binfmt.d/qemu-aarch64.conf
# What s2box-dkms and s2box-tools pull in, fetched ahead (debian/control).
LATER_PKGS="dkms libnl-3-200 libnl-genl-3-200"

log() { echo "deb-rootfs: $*" >&2; }
die() { echo "deb-rootfs: $*" >&2; exit 1; }

# The system-wide entry, if the machine has one that opens the interpreter
# at registration ("F"), so it works inside a chroot.
global_binfmt() {
	local e=/proc/sys/fs/binfmt_misc/qemu-aarch64
	[ -r "$e" ] && grep -qx enabled "$e" && grep -q '^flags:.*F' "$e"
}

# Inside the new namespaces: binfmt (if private), the kernel file systems,
# then the command. Everything mounted here vanishes with the namespace, and
# every process with its PID namespace: when the caller is killed, apt's
# dpkg (in a process group of its own) does not live on in the chroot.
inner() {
	local dir=$1 bfm=$2 m
	shift 2
	if [ -n "$bfm" ]; then
		mount -t binfmt_misc binfmt_misc "$bfm"
		cat "$BINFMT_CONF" >"$bfm/register"
	fi
	for m in dev sys; do
		mount --rbind "/$m" "$dir/$m"
	done
	mount -t proc proc "$dir/proc"
	mount -t tmpfs tmpfs "$dir/run"
	mount -t tmpfs tmpfs "$dir/tmp"
	exec chroot "$dir" /usr/bin/env -i HOME=/root LC_ALL=C.UTF-8 \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
		"$@"
}

# in_chroot DIR CMD...
in_chroot() {
	local dir=$1 t pid me rc=0
	shift
	[ -x "$dir/bin/sh" ] || die "$dir is no root file system"
	if global_binfmt; then
		unshare --mount --pid --fork --kill-child --propagation private -- \
			bash "${BASH_SOURCE[0]}" __inner "$dir" "" "$@"
		return
	fi
	[ -f "$BINFMT_CONF" ] || die "no $BINFMT_CONF (apt-get install qemu-user-static)"
	t=$(mktemp -d)
	chmod 755 "$t"
	mkdir "$t/binfmt"
	# The namespace's first process waits on the fifo until its uid and
	# gid maps are written (only a process outside may write them; util-
	# linux's --map-users wants newuidmap).
	mkfifo -m 666 "$t/go"
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare --user --mount --pid --fork --kill-child --propagation private -- bash -c \
		'read -r _ <"$0" && exec "$@"' "$t/go" \
		bash "${BASH_SOURCE[0]}" __inner "$dir" "$t/binfmt" "$@" &
	pid=$!
	me=$(readlink /proc/self/ns/user)
	while [ "$(readlink "/proc/$pid/ns/user" 2>/dev/null || echo "$me")" = "$me" ]; do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	echo '0 0 4294967295' >"/proc/$pid/uid_map"
	echo '0 0 4294967295' >"/proc/$pid/gid_map"
	echo go >"$t/go"
	wait "$pid" || rc=$?
	rm -rf "$t"
	return $rc
}

# release TAG: the exact kernel release the cache holds for TAG.
release() {
	[ -f "$CACHE/kernels/$1/release" ] || die "no cached kernel $1 (scripts/setup.sh)"
	cat "$CACHE/kernels/$1/release"
}

build() {
	local tmp=$DIR.tmp boot second t0=$SECONDS
	boot=$(release "$BOOT")
	second=$(release "$SECOND")
	command -v debootstrap >/dev/null || die "debootstrap missing (scripts/setup.sh installs it)"
	[ "$(id -u)" = 0 ] || die "must run as root"
	rm -rf "$tmp"
	mkdir -p "$(dirname "$DIR")"
	log "debootstrap bookworm arm64 minbase from $MIRROR"
	# The first stage only unpacks (as root on the host, so it can make
	# /dev's nodes); the second runs the arm64 maintainer scripts.
	debootstrap --foreign --arch=arm64 --variant=minbase bookworm "$tmp" \
		"$MIRROR" >"$tmp.log" 2>&1 || { tail -n 20 "$tmp.log" >&2; exit 1; }
	# Its sanity check makes a device node, which a user namespace may
	# not; /dev is the host's, bind-mounted, anyway. container=lxc skips it.
	in_chroot "$tmp" /usr/bin/env container=lxc /debootstrap/debootstrap \
		--second-stage >>"$tmp.log" 2>&1 ||
		{ tail -n 20 "$tmp.log" >&2; exit 1; }
	# The cached kernels' headers come from bookworm-security.
	cat >"$tmp/etc/apt/sources.list" <<-EOF
		deb $MIRROR bookworm main
		deb $MIRROR bookworm-updates main
		deb ${MIRROR%/debian}/debian-security bookworm-security main
	EOF
	# Keep every .deb apt fetches: the test installs from this cache.
	echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' \
		>"$tmp/etc/apt/apt.conf.d/10s2box-keep-debs"
	echo 'APT::Install-Recommends "false";' >"$tmp/etc/apt/apt.conf.d/10s2box-no-recommends"
	echo s2box-deb-test >"$tmp/etc/hostname"
	log "installing udev, linux-headers-$boot and linux-image-$second"
	in_chroot "$tmp" apt-get update -qq >>"$tmp.log" 2>&1
	in_chroot "$tmp" /usr/bin/env INITRD=No apt-get install -y -qq udev kmod \
		"linux-headers-$boot" "linux-image-$second" \
		>>"$tmp.log" 2>&1 || { tail -n 20 "$tmp.log" >&2; exit 1; }
	log "downloading $LATER_PKGS linux-headers-$second"
	# shellcheck disable=SC2086 # one word a package
	in_chroot "$tmp" apt-get install -y -qq --download-only $LATER_PKGS \
		"linux-headers-$second" >>"$tmp.log" 2>&1 ||
		{ tail -n 20 "$tmp.log" >&2; exit 1; }
	printf 'boot=%s\nsecond=%s\n' "$boot" "$second" >"$tmp/.s2box-kernels"
	mv "$tmp" "$DIR"
	mv "$tmp.log" "$DIR.log"
	echo "$((SECONDS - t0))" >"$DIR.seconds"
	touch "$DIR.done"
	log "ready in $DIR ($((SECONDS - t0)) s)"
}

case "${1:-}" in
__inner)
	shift
	inner "$@"
	;;
chroot)
	shift
	[ $# -ge 2 ] || die "usage: deb-rootfs.sh chroot DIR CMD..."
	in_chroot "$@"
	;;
"")
	[ -f "$DIR.done" ] && exit 0
	# Two make runs at once: the second waits, then finds it built.
	mkdir -p "$(dirname "$DIR")"
	exec 9>"$DIR.lock"
	flock 9
	[ -f "$DIR.done" ] || build
	;;
*)
	die "usage: deb-rootfs.sh [chroot DIR CMD...]"
	;;
esac
