#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the busybox initramfs that boots one s2box test cell.
#
#   scripts/initramfs.sh KERNEL_TAG MODE OUT_CPIO_GZ [KO_PATH]
#
# MODE is test, refuse, demo, bench, load or kvmonly (scripts/guest-init.sh).
# KO_PATH defaults to build/KERNEL_TAG/s2box.ko; a kvmonly image carries no
# module at all. Every executable in build/arm64/bin/
# (or $S2BOX_BIN_DIR) goes to /bin/tests/. The per-boot nonce for the
# verdict line comes from $S2BOX_NONCE (scripts/qemu-run.sh sets it) or is
# made up and printed.
#
# Environment:
#   S2BOX_CACHE        kernel/busybox cache (default ~/.cache/s2box)
#   S2BOX_NONCE        nonce the guest puts on its verdict line
#   S2BOX_BIN_DIR      test binaries to ship (default build/arm64/bin)
#   S2BOX_INSMOD_ARGS  module parameters for insmod (default none)
#   S2BOX_NOT_TESTS    names in /bin/tests that test mode must not run as
#                      tests (default "s2box_demo s2boxctl s2box_test32
#                      s2box_bench")
#   S2BOX_ONLY_TESTS   if set, the names test mode runs: every other name in
#                      the binaries' directory is added to S2BOX_NOT_TESTS
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${S2BOX_CACHE:-${HOME:-/root}/.cache/s2box}
# The result channel is a virtio serial port; 6.12 has these built in, 6.1
# ships them as modules that /init must load first.
CHANNEL_MODULES="virtio_pci virtio_console"

die() { echo "initramfs.sh: $*" >&2; exit 1; }

usage() {
	die "usage: initramfs.sh KERNEL_TAG test|refuse|demo|bench|load|kvmonly OUT_CPIO_GZ [KO_PATH]"
}

# Copy a module uncompressed: busybox insmod cannot be relied on to
# decompress, and 6.12's modules are .ko.xz.
copy_module() {
	local src=$1 dst=$2
	case "$src" in
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*.ko) cp "$src" "$dst" ;;
	*) die "not a kernel module: $src" ;;
	esac
}

find_module() {
	local moddir=$1 name=$2 f
	f=$(find "$moddir/kernel" \( -name "$name.ko" -o -name "$name.ko.*" \) \
		-print -quit)
	[ -n "$f" ] || die "module $name not found under $moddir"
	echo "$f"
}

is_builtin() {
	local moddir=$1 name=$2
	grep -q "/$name\.ko$" "$moddir/modules.builtin"
}

# Print NAME's non-built-in dependency closure, dependencies first. The
# extracted .debs carry no modules.dep (depmod never ran), so ask modinfo.
module_closure() {
	local moddir=$1 name=$2 f dep
	is_builtin "$moddir" "$name" && return 0
	f=$(find_module "$moddir" "$name")
	for dep in $(modinfo -F depends "$f" | tr ',' ' '); do
		module_closure "$moddir" "$dep"
	done
	echo "$name"
}

# Stage the channel modules as /lib/s2box/pre/NN-name.ko in load order.
stage_channel_modules() {
	local stage=$1 moddir=$2 name m order seen=" " n=10
	mkdir -p "$stage/lib/s2box/pre"
	order=$(for m in $CHANNEL_MODULES; do module_closure "$moddir" "$m"; done)
	for name in $order; do
		case "$seen" in *" $name "*) continue ;; esac
		seen="$seen$name "
		copy_module "$(find_module "$moddir" "$name")" \
			"$stage/lib/s2box/pre/$n-$name.ko"
		n=$((n + 1))
	done
}

stage_busybox() {
	local stage=$1 bb="$CACHE/busybox/bin/busybox"
	[ -x "$bb" ] || die "$bb missing: run scripts/setup.sh"
	mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,etc/s2box,lib/s2box,bin/tests}
	cp "$bb" "$stage/bin/busybox"
	# /init needs a shell before it can run "busybox --install" (which
	# needs /proc); every other applet link is made in the guest.
	ln -s busybox "$stage/bin/sh"
	install -m 0755 "$ROOT/scripts/guest-init.sh" "$stage/init"
}

stage_tests() {
	local stage=$1 dir=${S2BOX_BIN_DIR:-$ROOT/build/arm64/bin} f
	[ -d "$dir" ] || return 0
	for f in "$dir"/*; do
		if [ ! -f "$f" ] || [ ! -x "$f" ]; then
			continue
		fi
		install -m 0755 "$f" "$stage/bin/tests/"
	done
}

make_nonce() {
	od -An -N16 -tx1 /dev/urandom | tr -d ' \n'
}

stage_config() {
	local stage=$1 mode=$2 nonce=$3
	echo "$mode" >"$stage/etc/s2box/mode"
	# Only inside the initramfs, never on the command line the kernel
	# echoes: a line carrying it cannot come from a stray console print.
	echo "$nonce" >"$stage/etc/s2box/nonce"
	chmod 0400 "$stage/etc/s2box/nonce"
	echo "${S2BOX_INSMOD_ARGS:-}" >"$stage/etc/s2box/insmod_args"
	local not=${S2BOX_NOT_TESTS-s2box_demo s2boxctl s2box_test32 s2box_bench}
	local dir=${S2BOX_BIN_DIR:-$ROOT/build/arm64/bin} f n
	if [ -n "${S2BOX_ONLY_TESTS:-}" ]; then
		for f in "$dir"/*; do
			n=${f##*/}
			case " $S2BOX_ONLY_TESTS " in *" $n "*) ;; *) not+=" $n" ;; esac
		done
	fi
	echo "$not" >"$stage/etc/s2box/not_tests"
}

write_cpio() {
	local stage=$1 out=$2
	# Sorted names, root ownership and no gzip timestamp keep the image
	# independent of who built it and when.
	(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --owner=0:0 --quiet) | gzip -n -6 >"$out.tmp"
	mv "$out.tmp" "$out"
}

main() {
	if [ $# -lt 3 ] || [ $# -gt 4 ]; then
		usage
	fi
	local tag=$1 mode=$2 out=$3 ko=${4:-$ROOT/build/$1/s2box.ko}
	local kdir="$CACHE/kernels/$tag" moddir stage nonce
	case "$mode" in test | refuse | demo | bench | load | kvmonly) ;; *) usage ;; esac
	[ -f "$kdir/release" ] || die "unknown kernel tag $tag (no $kdir/release)"
	[ "$mode" = kvmonly ] || [ -f "$ko" ] || die "module $ko not found"
	moddir="$kdir/root/lib/modules/$(cat "$kdir/release")"

	stage=$(mktemp -d "${TMPDIR:-/tmp}/s2box-initramfs.XXXXXX")
	# shellcheck disable=SC2064 # expand now: $stage is local
	trap "rm -rf '$stage'" EXIT
	nonce=${S2BOX_NONCE:-$(make_nonce)}
	[ -n "${S2BOX_NONCE:-}" ] || echo "initramfs.sh: nonce $nonce" >&2

	stage_busybox "$stage"
	stage_channel_modules "$stage" "$moddir"
	[ "$mode" = kvmonly ] ||
		copy_module "$ko" "$stage/lib/s2box/$(basename "${ko%%.ko*}").ko"
	stage_tests "$stage"
	stage_config "$stage" "$mode" "$nonce"
	mkdir -p "$(dirname "$out")"
	write_cpio "$stage" "$out"
}

main "$@"
