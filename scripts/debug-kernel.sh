#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once, cached) an arm64 debug kernel from Debian's linux-source-6.12:
# defconfig plus scripts/debug-kernel.config (KASAN, lockdep, kmemleak,
# UBSAN), with every =m option turned off so the image carries all it needs
# and no in-tree module has to be built.
#
#   bash scripts/debug-kernel.sh
#
# Result: $S2BOX_CACHE/kernels/6.12-debug/{vmlinuz,build,release,root},
# the same layout scripts/setup.sh gives Debian's kernels, so the module
# build, initramfs.sh and qemu-run.sh treat it as one more kernel tag.
# About 30-50 minutes on two cores the first time; seconds afterwards.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${S2BOX_CACHE:-${HOME:-/root}/.cache/s2box}
TAG=6.12-debug
KDIR="$CACHE/kernels/$TAG"
FRAGMENT="$ROOT/scripts/debug-kernel.config"
PKGS="flex bison bc libssl-dev libelf-dev gcc-aarch64-linux-gnu xz-utils"

log() { echo "debug-kernel: $*" >&2; }

install_packages() {
	local missing=() p
	for p in $PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	apt-get update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
}

# unpack_source DIR: Debian's linux-source-6.12 tarball, unpacked in DIR.
unpack_source() {
	local dir=$1 dl="$CACHE/debs" deb tarxz
	[ -f "$dir/Makefile" ] && return 0
	mkdir -p "$dl"
	deb=$(ls -t "$dl"/linux-source-6.12_*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		log "downloading linux-source-6.12"
		(cd "$dl" && apt-get -o APT::Sandbox::User=root download -qq \
			linux-source-6.12 >/dev/null)
		deb=$(ls -t "$dl"/linux-source-6.12_*.deb | head -n1)
	fi
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir.tmp" --wildcards '*.tar.xz'
	tarxz=$(find "$dir.tmp" -name 'linux-source-*.tar.xz' | head -n1)
	tar -xJf "$tarxz" -C "$dir.tmp"
	rm -rf "$dir"
	mv "$dir.tmp/$(basename "$tarxz" .tar.xz)" "$dir"
	rm -rf "$dir.tmp"
}

kmake() {
	make -s -C "$KDIR/src" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		-j"$(nproc)" "$@"
}

configure() {
	kmake defconfig
	# mod2noconfig: everything defconfig builds as a module is left out,
	# which halves the build; the fragment then switches on what the test
	# guests need, built in.
	kmake mod2noconfig
	"$KDIR/src/scripts/kconfig/merge_config.sh" -m -O "$KDIR/src" \
		"$KDIR/src/.config" "$FRAGMENT" >/dev/null
	kmake olddefconfig
	local opt missing=0
	while read -r opt; do
		case "$opt" in CONFIG_*=y)
			grep -qx "$opt" "$KDIR/src/.config" ||
				{ log "fragment option not set: $opt"; missing=1; } ;;
		esac
	done <"$FRAGMENT"
	[ $missing -eq 0 ] || exit 1
}

main() {
	if [ -f "$KDIR/.done" ] && [ "$KDIR/.done" -nt "$FRAGMENT" ]; then
		return 0
	fi
	install_packages
	mkdir -p "$KDIR"
	rm -f "$KDIR/.done"
	unpack_source "$KDIR/src"
	log "configuring"
	configure
	log "building (30-50 min on two cores the first time)"
	kmake Image modules
	# modules_install gives modules.builtin, which initramfs.sh reads to
	# know the virtio drivers need no insmod.
	rm -rf "$KDIR/root"
	kmake INSTALL_MOD_PATH="$KDIR/root" modules_install
	ln -sfn "$KDIR/src" "$KDIR/build"
	ln -sfn "$KDIR/src/arch/arm64/boot/Image" "$KDIR/vmlinuz"
	kmake -s kernelrelease >"$KDIR/release"
	touch "$KDIR/.done"
	log "ready: $KDIR ($(cat "$KDIR/release"))"
}

main "$@"
