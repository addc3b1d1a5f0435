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
dwarves sparse dkms xz-utils bc kmod libelf-dev make gcc perl
gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
debhelper dh-dkms lintian crossbuild-essential-arm64 debootstrap qemu-user-static"
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

# debian_source CODENAME: "URI KEYRING" of the archive the machine's own apt
# sources use for CODENAME (deb822 .sources and one-line .list files alike;
# KEYRING may be empty), so the private list below goes wherever the
# machine's apt already goes and trusts the same key.
debian_source() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v rel="$1" '
			function flush() {
				if (uri != "" && has_rel && en != "no" && types ~ /(^| )deb( |$)/)
					print uri, key
				uri = key = types = en = ""; has_rel = 0
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			{ f = tolower($1) }
			f == "types:" { types = $0 }
			f == "enabled:" { en = tolower($2) }
			f == "uris:" { uri = $2 }
			f == "signed-by:" { key = $2 }
			f == "suites:" {
				for (i = 2; i <= NF; i++)
					if ($i == rel)
						has_rel = 1
			}
			END { flush() }
		' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [opt=value ...] URI SUITE COMPONENT...
		sed 's/#.*//' "$f" | awk -v rel="$1" '
			$1 != "deb" { next }
			{ key = ""; i = 2 }
			$2 ~ /^\[/ {
				for (; i <= NF; i++) {
					if ($i ~ /^\[?signed-by=/) {
						key = $i
						sub(/^\[?signed-by=/, "", key)
						sub(/\]$/, "", key)
					}
					if ($i ~ /\]$/)
						break
				}
				i++
			}
			$(i + 1) == rel { print $i, key }'
	done
}

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
	rm -rf "$a" "$d" "$d.tmp"
	mkdir -p "$a/lists/partial" "$a/archives/partial" "$a/parts" "$a/debs"
	echo "deb ${key:+[signed-by=$key] }$mirror $rel-backports main" >"$a/sources.list"
	: >"$a/status"
	# Read after the machine's apt.conf.d (so a proxy set there still
	# applies); #clear drops list-update hooks that would tell the
	# machine's package tools about lists they never see.
	cat >"$a/apt.conf" <<-EOC
		Dir::Etc::SourceList "$a/sources.list";
		Dir::Etc::SourceParts "$a/parts";
		Dir::State "$a";
		Dir::State::Lists "$a/lists";
		Dir::State::status "$a/status";
		Dir::Cache "$a";
		Dir::Cache::Archives "$a/archives";
		Dir::Cache::pkgcache "";
		Dir::Cache::srcpkgcache "";
		#clear APT::Architectures;
		APT::Architectures { "$arch"; };
		#clear APT::Update::Post-Invoke;
		#clear APT::Update::Post-Invoke-Success;
		APT::Sandbox::User "root";
	EOC
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
fetch_qemu10
fetch_kernel 6.1 linux-image-arm64 linux-headers-arm64
fetch_kernel 6.12 linux-image-6.12-arm64 linux-headers-6.12-arm64
fetch_kernel 6.12-16k linux-image-6.12-arm64-16k linux-headers-6.12-arm64-16k
# Needs root (debootstrap, chroot); the package test skips without it.
if [ "$(id -u)" = 0 ]; then
	bash "$(dirname "${BASH_SOURCE[0]}")/deb-rootfs.sh"
elif [ ! -f "$CACHE/deb-rootfs/bookworm-arm64.done" ]; then
	log "not root: no arm64 system for the package test (scripts/deb-rootfs.sh)"
fi
log "ready in $CACHE"
