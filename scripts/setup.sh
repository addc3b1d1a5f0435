#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Idempotent set-up for s2box: host packages, Debian arm64 kernels (image,
# headers, common headers, kbuild), busybox for the initramfs, and the
# kselftest harness plus checkpatch.pl from Debian's linux-source package.
# Everything downloaded lives in $S2BOX_CACHE (default ~/.cache/s2box),
# outside the clone, so fresh clones on the same machine reuse it.
# A second run on a set-up machine touches no network.
set -euo pipefail

CACHE=${S2BOX_CACHE:-${HOME:-/root}/.cache/s2box}
mkdir -p "$CACHE"
log() { echo "setup: $*" >&2; }

HOST_PKGS="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm cpio
dwarves sparse dkms xz-utils bc kmod libelf-dev make gcc perl
gcc-arm-linux-gnueabihf libc6-dev-armhf-cross"
ARM_PKGS="libnl-3-dev:arm64 libnl-genl-3-dev:arm64"

apt_updated=
apt_update_once() {
	[ -n "$apt_updated" ] && return 0
	log "apt-get update"
	apt-get update -qq >/dev/null
	apt_updated=1
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "setup: missing packages and not root; install: $*" >&2
		exit 1
	fi
}

install_host_packages() {
	local missing=() p
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		need_root "dpkg --add-architecture arm64"
		dpkg --add-architecture arm64
		apt_updated=
		apt_update_once
	fi
	for p in $HOST_PKGS $ARM_PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	need_root "${missing[*]}"
	apt_update_once
	log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
}

# First "Depends:" of a meta-package whose name starts with $2.
resolve_dep() {
	apt-cache depends "$1" 2>/dev/null |
		awk -v pfx="$2" '$1 == "Depends:" { sub(/^</, "", $2); sub(/>$/, "", $2); sub(/:arm64$/, "", $2);
			if (index($2, pfx) == 1) { print $2; exit } }'
}

# download_extract PKG[:ARCH] DESTDIR
download_extract() {
	local pkg=$1 dest=$2 dl="$CACHE/debs"
	mkdir -p "$dl" "$dest"
	(cd "$dl" && apt-get -o APT::Sandbox::User=root download -qq "$pkg" >/dev/null)
	local name=${pkg%%:*}
	local deb
	deb=$(ls -t "$dl/${name}"_*.deb | head -n1)
	dpkg-deb -x "$deb" "$dest"
}

# fetch_kernel TAG IMAGE_META HEADERS_META
# Produces $CACHE/kernels/TAG/{vmlinuz,build,release}.
fetch_kernel() {
	local tag=$1 img_meta=$2 hdr_meta=$3 kdir="$CACHE/kernels/$1"
	if [ -f "$kdir/.done" ]; then
		return 0
	fi
	apt_update_once
	local img hdr common kbuild
	img=$(resolve_dep "$img_meta:arm64" linux-image-)
	hdr=$(resolve_dep "$hdr_meta:arm64" linux-headers-)
	[ -n "$img" ] && [ -n "$hdr" ] || { echo "setup: cannot resolve $img_meta/$hdr_meta" >&2; exit 1; }
	common=$(resolve_dep "$hdr:arm64" linux-headers-)
	kbuild=$(resolve_dep "$hdr:arm64" linux-kbuild-)
	log "kernel $tag: $img $hdr $common $kbuild"
	rm -rf "$kdir"
	local root="$kdir/root"
	download_extract "$img:arm64" "$root"
	download_extract "$hdr:arm64" "$root"
	# The common headers are Architecture: all.
	[ -n "$common" ] && download_extract "$common" "$root"
	# kbuild tools run on the build host: take the amd64 build.
	download_extract "$kbuild" "$root"
	local rel=${img#linux-image-}
	rel=${rel%-unsigned}
	local build="$root/usr/src/linux-headers-$rel"
	[ -d "$build" ] || { echo "setup: no headers dir for $rel" >&2; exit 1; }
	# The headers' Makefile includes the common tree (and kbuild links
	# point) by absolute /usr/src and /usr/lib paths: rewrite them to the
	# cache so Kbuild works outside /usr/src.
	sed -i "s|/usr/src/|$root/usr/src/|g" "$build/Makefile"
	local l t
	for l in $(find "$root/usr/src" -maxdepth 3 -type l); do
		t=$(readlink "$l")
		case "$t" in
		/*) ln -sfn "$root$t" "$l" ;;
		esac
	done
	ln -sfn "$build" "$kdir/build"
	ln -sfn "$(ls "$root"/boot/vmlinuz-*)" "$kdir/vmlinuz"
	echo "$rel" >"$kdir/release"
	touch "$kdir/.done"
	# The extracted tree is all later runs need; drop the .debs.
	rm -f "$CACHE"/debs/linux-*.deb
}

fetch_busybox() {
	local d="$CACHE/busybox"
	[ -x "$d/bin/busybox" ] && return 0
	apt_update_once
	rm -rf "$d.tmp"
	download_extract busybox-static:arm64 "$d.tmp"
	mkdir -p "$d/bin"
	cp "$d.tmp/bin/busybox" "$d/bin/busybox"
	rm -rf "$d.tmp"
}

# kselftest harness, lib.mk and checkpatch.pl (+ spelling/const_structs)
# from Debian's linux-source (6.12, the newer harness, works on both kernels).
fetch_linux_source_bits() {
	local d="$CACHE/linux-source"
	[ -f "$d/.done" ] && return 0
	apt_update_once
	local src
	src=$(apt-cache depends linux-source-6.12 >/dev/null 2>&1 && echo linux-source-6.12)
	rm -rf "$d" "$d.tmp"
	mkdir -p "$d.tmp"
	mkdir -p "$CACHE/debs"
	(cd "$CACHE/debs" && apt-get -o APT::Sandbox::User=root download -qq "$src" >/dev/null)
	local deb tarxz
	deb=$(ls -t "$CACHE/debs/${src}"_*.deb | head -n1)
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$d.tmp" --wildcards '*.tar.xz'
	tarxz=$(find "$d.tmp" -name 'linux-source-*.tar.xz' | head -n1)
	local top
	top=$(basename "$tarxz" .tar.xz)
	tar -xJf "$tarxz" -C "$d.tmp" \
		"$top/tools/testing/selftests/kselftest_harness.h" \
		"$top/tools/testing/selftests/kselftest.h" \
		"$top/tools/testing/selftests/lib.mk" \
		"$top/scripts/checkpatch.pl" \
		"$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch"
	mkdir -p "$d"
	mv "$d.tmp/$top/tools" "$d.tmp/$top/scripts" "$d/"
	rm -rf "$d.tmp"
	touch "$d/.done"
}

install_host_packages
fetch_busybox
fetch_linux_source_bits
fetch_kernel 6.1 linux-image-arm64 linux-headers-arm64
fetch_kernel 6.12 linux-image-6.12-arm64 linux-headers-6.12-arm64
fetch_kernel 6.12-16k linux-image-6.12-arm64-16k linux-headers-6.12-arm64-16k
log "ready in $CACHE"
