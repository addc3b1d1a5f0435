#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Idempotent set-up for s2box: host packages, Debian arm64 kernels (image,
# headers, common headers, kbuild), busybox for the initramfs, the
# kselftest harness plus checkpatch.pl from Debian's linux-source package,
# and the arm64 Debian 12 system the package test installs into
# (scripts/deb-rootfs.sh; 10-20 minutes the first time).
# Everything downloaded lives in $S2BOX_CACHE (default ~/.cache/s2box),
# outside the clone, so fresh clones on the same machine reuse it.
# A second run on a set-up machine touches no network.
set -euo pipefail

CACHE=${S2BOX_CACHE:-${HOME:-/root}/.cache/s2box}
mkdir -p "$CACHE"
log() { echo "setup: $*" >&2; }

HOST_PKGS="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm cpio
dwarves sparse dkms xz-utils bc kmod libelf-dev make gcc perl debootstrap
gcc-arm-linux-gnueabihf libc6-dev-armhf-cross python3-yaml python3-jsonschema
debhelper dh-dkms lintian crossbuild-essential-arm64 qemu-user-static"
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

# apt's options for the kernel being fetched: empty for the machine's own
# configuration, -c FILE for a private one (scripts/apt-private.sh).
APT_OPTS=()

# First "Depends:" of a meta-package whose name starts with $2.
resolve_dep() {
	apt-cache "${APT_OPTS[@]}" depends "$1" 2>/dev/null |
		awk -v pfx="$2" '$1 == "Depends:" { sub(/^</, "", $2); sub(/>$/, "", $2); sub(/:arm64$/, "", $2);
			if (index($2, pfx) == 1) { print $2; exit } }'
}

# download_extract PKG[:ARCH] DESTDIR
download_extract() {
	local pkg=$1 dest=$2 dl="$CACHE/debs"
	mkdir -p "$dl" "$dest"
	(cd "$dl" && apt-get "${APT_OPTS[@]}" -o APT::Sandbox::User=root \
		download -qq "$pkg" >/dev/null)
	local name=${pkg%%:*}
	local deb
	deb=$(ls -t "$dl/${name}"_*.deb | head -n1)
	dpkg-deb -x "$deb" "$dest"
}

# fetch_kernel TAG IMAGE_META HEADERS_META [CHROOT]
# Produces $CACHE/kernels/TAG/{vmlinuz,build,release} (and TAG/chroot, the
# name of the build chroot its kbuild tools need, see scripts/chroot.sh).
fetch_kernel() {
	local tag=$1 img_meta=$2 hdr_meta=$3 chroot=${4:-} kdir="$CACHE/kernels/$1"
	if [ -f "$kdir/.done" ]; then
		return 0
	fi
	[ ${#APT_OPTS[@]} -gt 0 ] || apt_update_once
	local img hdr common kbuild split p
	img=$(resolve_dep "$img_meta:arm64" linux-image-)
	hdr=$(resolve_dep "$hdr_meta:arm64" linux-headers-)
	[ -n "$img" ] && [ -n "$hdr" ] || { echo "setup: cannot resolve $img_meta/$hdr_meta" >&2; exit 1; }
	common=$(resolve_dep "$hdr:arm64" linux-headers-)
	kbuild=$(resolve_dep "$hdr:arm64" linux-kbuild-)
	# From 7.x Debian's linux-image-<rel> holds no files: the kernel is in
	# linux-binary-<rel> and its modules (and modules.builtin) in
	# linux-modules-<rel> and linux-base-<rel>.
	split=
	for p in linux-binary- linux-modules- linux-base-; do
		split+=" $(resolve_dep "$img:arm64" "$p")"
	done
	log "kernel $tag: $img$split $hdr $common $kbuild"
	rm -rf "$kdir"
	local root="$kdir/root"
	download_extract "$img:arm64" "$root"
	for p in $split; do
		download_extract "$p:arm64" "$root"
	done
	download_extract "$hdr:arm64" "$root"
	# The common headers are Architecture: all.
	[ -n "$common" ] && download_extract "$common" "$root"
	# kbuild tools run on the build host: take the amd64 build.
	download_extract "$kbuild" "$root"
	local rel=${img#linux-image-}
	rel=${rel%-unsigned}
	case "$rel" in
	"${tag%%-*}".*) ;;
	*) echo "setup: $img_meta is $rel, not Linux $tag" >&2; exit 1 ;;
	esac
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
	# Debian 13's packages are merged-/usr: the kernel is
	# usr/lib/modules/<rel>/vmlinuz, the modules beside it. A lib link
	# gives every kernel the same lib/modules/<rel> path.
	[ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
	local vmlinuz=
	for l in "$root"/boot/vmlinuz-* "$root/lib/modules/$rel/vmlinuz"; do
		[ -f "$l" ] && vmlinuz=$l && break
	done
	[ -n "$vmlinuz" ] || { echo "setup: no vmlinuz for $rel" >&2; exit 1; }
	ln -sfn "$vmlinuz" "$kdir/vmlinuz"
	echo "$rel" >"$kdir/release"
	[ -z "$chroot" ] || echo "$chroot" >"$kdir/chroot"
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

# shellcheck source=scripts/apt-private.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt-private.sh"

# QEMU 10 from $CODENAME-backports, extracted beside the system's QEMU (whose
# install brought every shared library it links): $CACHE/qemu10/root with
# usr/bin/qemu-system-aarch64 and its data in usr/share/qemu. apt runs on a
# private configuration (sources, lists, caches and hooks under
# $CACHE/qemu10-apt) so the machine's own apt state is left as it was.
#
# QEMU loads its UI, audio and display modules at start-up, from
# QEMU_MODULE_DIR first and then from its built-in path, which is the
# system QEMU's: every module QEMU 7.2's install has must exist in QEMU
# 10's module directory too (hence the opengl and spice module packages),
# or QEMU falls back to the 7.2 module, refuses it as "from another build"
# and says so on every boot's console.
QEMU10_PKGS="qemu-system-arm qemu-system-common qemu-system-data
qemu-system-modules-opengl qemu-system-modules-spice"
fetch_qemu10() {
	local d="$CACHE/qemu10" a="$CACHE/qemu10-apt" rel mirror key arch
	[ -f "$d/.done" ] && return 0
	# shellcheck disable=SC1091 # the machine's own file
	rel=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$rel" ] || { echo "setup: no VERSION_CODENAME in /etc/os-release" >&2; exit 1; }
	read -r mirror key < <(debian_source "$rel" | head -n1) || true
	[ -n "$mirror" ] || { echo "setup: no apt source for $rel to derive the backports mirror from" >&2; exit 1; }
	arch=$(dpkg --print-architecture)
	rm -rf "$d" "$d.tmp"
	private_apt "$a" "$arch" \
		"deb ${key:+[signed-by=$key] }$mirror $rel-backports main"
	log "QEMU from $rel-backports ($mirror)"
	apt-get -c "$a/apt.conf" update -qq >/dev/null
	# The archive keeps only the current backport: resolve its version now.
	local ver p deb q err
	ver=$(apt-cache -c "$a/apt.conf" show "qemu-system-arm/$rel-backports" 2>/dev/null |
		awk '$1 == "Version:" { print $2; exit }')
	[ -n "$ver" ] || { echo "setup: no qemu-system-arm in $rel-backports" >&2; exit 1; }
	case "${ver#*:}" in
	10.*) ;;
	*) log "warning: $rel-backports has QEMU $ver, not 10.x" ;;
	esac
	log "QEMU $ver: ${QEMU10_PKGS//$'\n'/ }"
	# shellcheck disable=SC2046 # one word a package
	(cd "$a/debs" && apt-get -c "$a/apt.conf" download -qq \
		$(for p in $QEMU10_PKGS; do echo "$p=$ver"; done) >/dev/null)
	mkdir -p "$d.tmp/root"
	for p in $QEMU10_PKGS; do
		deb=$(ls "$a/debs/${p}"_*.deb)
		dpkg-deb -x "$deb" "$d.tmp/root"
	done
	ln -sfn "root/$(cd "$d.tmp/root" && ls -d usr/lib/*/qemu)" "$d.tmp/modules"
	# Start the machine the cells use, stopped, and quit from the monitor:
	# that loads the start-up modules, the CPU model and the machine type.
	# Any word on stderr (a library or module that does not fit) fails it.
	q="$d.tmp/root/usr/bin/qemu-system-aarch64"
	"$q" --version >"$d.tmp/version"
	err=$(echo quit | QEMU_MODULE_DIR="$d.tmp/modules" timeout 60 "$q" \
		-L "$d.tmp/root/usr/share/qemu" -M virt,virtualization=on,mte=on \
		-cpu max -display none -serial none -nic none -S -monitor stdio \
		2>&1 >/dev/null) || err="exit $? $err"
	if [ -n "$err" ]; then
		echo "setup: QEMU $ver does not run here: $err" >&2
		ldd "$q" | grep 'not found' >&2 || true
		exit 1
	fi
	echo "$ver" >"$d.tmp/package-version"
	mv "$d.tmp" "$d"
	# The extracted tree is all later runs need; drop the .debs.
	rm -rf "$a/debs" "$a/archives"
	touch "$d/.done"
	log "$(head -n1 "$d/version")"
}

# fetch_trixie_kernel TAG IMAGE_META HEADERS_META: a kernel from Debian 13's
# trixie-backports, through a private apt configuration in
# $CACHE/trixie-apt. Its kbuild tools (fixdep, modpost) link against glibc
# 2.38 and its .config names gcc 14, neither of which Debian 12 has: its
# module builds run in the Debian 13 chroot scripts/chroot.sh makes.
fetch_trixie_kernel() {
	local a="$CACHE/trixie-apt" rel mirror key
	[ -f "$CACHE/kernels/$1/.done" ] && return 0
	# shellcheck disable=SC1091 # the machine's own file
	rel=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	read -r mirror key < <(debian_source "$rel" | head -n1) || true
	[ -n "$mirror" ] || { echo "setup: no apt source for $rel to derive the trixie mirror from" >&2; exit 1; }
	private_apt "$a" "$(dpkg --print-architecture) arm64" \
		"deb ${key:+[signed-by=$key] }$mirror trixie-backports main"
	log "apt-get update (trixie-backports, $mirror)"
	apt-get -c "$a/apt.conf" update -qq >/dev/null
	APT_OPTS=(-c "$a/apt.conf")
	fetch_kernel "$@" trixie
	APT_OPTS=()
	rm -rf "$a/debs" "$a/archives" "$a/lists"
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

# The kernel's YNL generator (tools/net/ynl) and the netlink spec schemas
# (Documentation/netlink/*.yaml) from the same linux-source, laid out as in
# the kernel tree: scripts/ynl-gen.sh runs the generator on the family's
# spec. A marker of its own, so a cache made before this step gains it
# without re-extracting the rest.
fetch_ynl() {
	local d="$CACHE/linux-source" t="$CACHE/linux-source/ynl.tmp"
	[ -f "$d/.ynl-done" ] && return 0
	apt_update_once
	mkdir -p "$CACHE/debs"
	(cd "$CACHE/debs" && apt-get -o APT::Sandbox::User=root download -qq linux-source-6.12 >/dev/null)
	local deb top
	deb=$(ls -t "$CACHE"/debs/linux-source-6.12_*.deb | head -n1)
	rm -rf "$t" && mkdir -p "$t"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$t" --wildcards '*.tar.xz'
	top=$(basename "$(find "$t" -name 'linux-source-*.tar.xz' | head -n1)" .tar.xz)
	tar -xJf "$t/usr/src/$top.tar.xz" -C "$t" \
		"$top/tools/net/ynl" "$top/Documentation/netlink"
	rm -rf "$d/tools/net" "$d/Documentation"
	mkdir -p "$d/tools"
	mv "$t/$top/tools/net" "$d/tools/"
	mv "$t/$top/Documentation" "$d/"
	rm -rf "$t" "$deb"
	touch "$d/.ynl-done"
}

install_host_packages
fetch_busybox
fetch_linux_source_bits
fetch_ynl
fetch_qemu10
fetch_kernel 6.1 linux-image-arm64 linux-headers-arm64
fetch_kernel 6.12 linux-image-6.12-arm64 linux-headers-6.12-arm64
fetch_kernel 6.12-16k linux-image-6.12-arm64-16k linux-headers-6.12-arm64-16k
fetch_trixie_kernel 7.3 linux-image-arm64 linux-headers-arm64
bash "$(dirname "${BASH_SOURCE[0]}")/chroot.sh" create trixie
bash "$(dirname "${BASH_SOURCE[0]}")/chroot.sh" qemu11
# Needs root (debootstrap, chroot); the package test skips without it.
if [ "$(id -u)" = 0 ]; then
	bash "$(dirname "${BASH_SOURCE[0]}")/deb-rootfs.sh"
elif [ ! -f "$CACHE/deb-rootfs/bookworm-arm64.done" ]; then
	log "not root: no arm64 system for the package test (scripts/deb-rootfs.sh)"
fi
log "ready in $CACHE"
