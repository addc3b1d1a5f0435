#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Package install test, TAP on stdout (`make deb-test`, part of make check).
#
# Installs the Debian packages the way an operator does, into an arm64
# Debian 12 system, and uses them:
#
#  1. make deb (scripts/deb-build.sh): the packages build, lintian is clean.
#  2. A copy-on-write copy (overlayfs) of the cached arm64 root file system
#     (scripts/deb-rootfs.sh; it has the headers of the boot kernel
#     installed) gets `apt install ./s2box-dkms_*.deb ./s2box-tools_*.deb`,
#     run under qemu-user: apt pulls dkms and libnl, and DKMS builds the
#     module inside that system. A user "tester" joins group s2box.
#  3. That file system boots under QEMU (the cached kernel of that release,
#     root on virtio-9p): no module loaded at boot; `s2boxctl caps` as
#     tester loads it through its generic netlink alias (no modprobe), udev
#     gives /dev/s2box to root:s2box 0660, and tester runs a blob in a box
#     with `s2boxctl run`.
#  4. apt installs a second kernel's headers: DKMS builds for it too.
#  5. apt purge of both packages leaves nothing behind: no module, no DKMS
#     tree, no /usr/src tree, no group, no udev rule, no modprobe.d file.
#
# The overlay's upper layer is deleted at the end; the cached system is
# never written. Logs and the boot's console go to build/results/deb/.
#
# Environment:
#   S2BOX_CACHE       cache (default ~/.cache/s2box)
#   S2BOX_RESULTS     results directory (default build/results)
#   S2BOX_DEB_BOOT    kernel tag booted (default 6.1; must match the cache)
#   S2BOX_DEB_SECOND  kernel tag for step 4 (default 6.12; empty: skip step
#                     4, as make check does: DKMS under qemu-user takes
#                     5-6 minutes a kernel on a busy 2-core machine)
#   S2BOX_DEB_CPU     QEMU CPU (default cortex-a76)
#   S2BOX_TIMEOUT     limit for the QEMU boot in seconds (default 600)
#   S2BOX_KEEP        1: keep the overlay (its path is printed)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${S2BOX_CACHE:-${HOME:-/root}/.cache/s2box}
RESULTS=${S2BOX_RESULTS:-$ROOT/build/results}
OUT=$RESULTS/deb
LOG=$OUT/deb-test.log
LOWER=$CACHE/deb-rootfs/bookworm-arm64
BOOT=${S2BOX_DEB_BOOT:-6.1}
SECOND=${S2BOX_DEB_SECOND-6.12}
CPU=${S2BOX_DEB_CPU:-cortex-a76}
VER=$(cat "$ROOT/VERSION")
NAME=s2box
PATH=$PATH:/usr/sbin:/sbin

n=0 failed=0 planned=0
T='' M='' out='' rc=0 took=0
declare -A TIME=()

# shellcheck source=scripts/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

finish() {
	local status=$?
	if [ "$planned" = 0 ]; then
		tap 1 "deb-test.sh ran to the end" "stopped early (exit $status); see $LOG"
		echo "1..$n"
	fi
	if [ -n "$M" ] && mountpoint -q "$M"; then
		if [ "${S2BOX_KEEP:-0}" = 1 ]; then
			echo "# kept $M (umount it, then rm -rf $T)"
			return
		fi
		umount "$M" || umount -l "$M"
	fi
	[ -z "$T" ] || rm -rf "$T"
}

# run CMD...: output in $out, status in $rc, seconds in $took; all logged.
run() {
	local t0=$EPOCHREALTIME
	rc=0
	out=$("$@" 2>&1) || rc=$?
	took=$(secs "$t0" "$EPOCHREALTIME")
	{ echo "\$ $*"; printf '%s\n' "$out"; echo "(exit $rc, $took s)"; } >>"$LOG"
}

# in_root CMD...: CMD run as root in the test system (qemu-user).
in_root() { run bash "$ROOT/scripts/deb-rootfs.sh" chroot "$M" "$@"; }

# sh_root SCRIPT: a shell script run in the test system.
sh_root() { in_root /bin/sh -ec "$1"; }

release() { cat "$CACHE/kernels/$1/release"; }

# dkms_ko REL: the module DKMS installed for REL (compressed like the
# kernel's own modules: 6.12's are .ko.xz).
dkms_ko() {
	local f
	for f in "$M/lib/modules/$1/updates/dkms/$NAME".ko*; do
		[ -f "$f" ] && echo "$f" && return 0
	done
	echo "$M/lib/modules/$1/updates/dkms/$NAME.ko"
}

# --- 1. the packages ------------------------------------------------------

test_build() {
	local st
	run bash "$ROOT/scripts/deb-build.sh"
	TIME[build]=$took
	st=$rc
	[ "$st" = 3 ] && st=0
	tap $st "make deb: dpkg-buildpackage -aarm64 builds s2box-dkms and s2box-tools" "$out"
	if [ "$st" = 0 ]; then
		st=0
		[ "$rc" = 0 ] || st=1
		tap $st "lintian: no error or warning on the source and binary packages" \
			"$(grep -E '^[EW]: ' "$ROOT/build/deb/lintian.txt" 2>/dev/null)"
	fi
	[ -f "$ROOT/build/deb/s2box-dkms_${VER}_all.deb" ] &&
		[ -f "$ROOT/build/deb/s2box-tools_${VER}_arm64.deb" ]
}

# --- 2. apt install -------------------------------------------------------

setup_root() {
	T=$(mktemp -d "$ROOT/build/deb-test.XXXXXX")
	M=$T/root
	mkdir -p "$T/upper" "$T/work" "$M"
	mount -t overlay overlay \
		-o "lowerdir=$LOWER,upperdir=$T/upper,workdir=$T/work" "$M"
	mkdir -p "$M/var/cache/s2box-test"
	cp "$ROOT"/build/deb/s2box-dkms_"${VER}"_all.deb \
		"$ROOT"/build/deb/s2box-tools_"${VER}"_arm64.deb "$M/var/cache/s2box-test/"
	chmod -R a+rX "$M/var/cache/s2box-test"
}

test_install() {
	local rel=$1 st=0 ko what=
	sh_root "cd /var/cache/s2box-test && apt install -y ./s2box-dkms_${VER}_all.deb ./s2box-tools_${VER}_arm64.deb"
	TIME[install]=$took
	tap $rc "apt install ./s2box-dkms_${VER}_all.deb ./s2box-tools_${VER}_arm64.deb ($took s, qemu-user)" "$out"
	[ $rc = 0 ] || return 1

	in_root dkms status -m $NAME
	grep -Fxq "$NAME/$VER, $rel, aarch64: installed" <<<"$out" || st=1
	tap $st "DKMS built and installed $NAME/$VER for $rel inside the system" "$out"

	ko=$(dkms_ko "$rel")
	if [ -f "$ko" ]; then
		[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$rel" ] || what+=" vermagic;"
		[ "$(modinfo -F version "$ko")" = "$VER" ] || what+=" version is not $VER;"
		modinfo -F alias "$ko" | grep -qx "net-pf-16-proto-16-family-$NAME" ||
			what+=" no genl family alias;"
		grep -q "^alias net-pf-16-proto-16-family-$NAME $NAME\$" \
			"$M/lib/modules/$rel/modules.alias" || what+=" alias not in modules.alias;"
	else
		what=" no $ko"
	fi
	st=0
	[ -z "$what" ] || st=1
	tap $st "$NAME.ko for $rel: version $VER, genl family alias in modules.alias" "$what"

	st=0
	what=
	grep -q "^$NAME:x:[0-9]*:" "$M/etc/group" || what+=" no group $NAME;"
	[ -f "$M/lib/udev/rules.d/60-s2box.rules" ] || what+=" no udev rule;"
	grep -q '^#options s2box max_box_mem_mb=' "$M/etc/modprobe.d/s2box.conf" 2>/dev/null ||
		what+=" no modprobe.d/s2box.conf;"
	[ -z "$what" ] || st=1
	tap $st "group $NAME, udev rule and modprobe.d/s2box.conf installed" "$what"

	# The operator's step: a user joins the group.
	sh_root "useradd --create-home tester && adduser --quiet tester $NAME"
	tap $rc "user tester added to group $NAME" "$out"
}

# --- 3. boot --------------------------------------------------------------

# module_closure MODDIR NAME: NAME and its dependencies, dependencies first.
module_closure() {
	local moddir=$1 name=$2 f dep
	grep -q "/$name\.ko\$" "$moddir/modules.builtin" && return 0
	f=$(find "$moddir/kernel" \( -name "$name.ko" -o -name "$name.ko.*" \) -print -quit)
	[ -n "$f" ] || { echo "no module $name" >&2; return 1; }
	for dep in $(modinfo -F depends "$f" | tr ',' ' '); do
		module_closure "$moddir" "$dep"
	done
	echo "$f"
}

# The initramfs only mounts the 9p root and hands over to the guest script
# in it; the system's own modprobe and udev do the rest.
make_initramfs() {
	local tag=$1 rel=$2 dir=$T/initramfs moddir f i=10 seen=" "
	moddir=$CACHE/kernels/$tag/root/lib/modules/$rel
	rm -rf "$dir"
	mkdir -p "$dir/bin" "$dir/mods" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/newroot"
	cp "$CACHE/busybox/bin/busybox" "$dir/bin/busybox"
	for f in $(for m in virtio_pci 9pnet_virtio 9p; do module_closure "$moddir" $m; done); do
		case "$seen" in *" $f "*) continue ;; esac
		seen+="$f "
		case "$f" in
		*.xz) xz -dc "$f" >"$dir/mods/$i.ko" ;;
		*.zst) zstd -qdc "$f" >"$dir/mods/$i.ko" ;;
		*) cp "$f" "$dir/mods/$i.ko" ;;
		esac
		i=$((i + 1))
	done
	cat >"$dir/init" <<-'EOF'
		#!/bin/busybox sh
		/bin/busybox mount -t proc proc /proc
		/bin/busybox mount -t devtmpfs dev /dev
		for m in /mods/*.ko; do /bin/busybox insmod "$m"; done
		/bin/busybox mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 \
			s2root /newroot || echo "S2BOX-DEB: not ok - 9p root mounted"
		/bin/busybox mount --move /dev /newroot/dev
		/bin/busybox umount /proc
		exec /bin/busybox switch_root /newroot /usr/local/sbin/s2box-deb-guest
	EOF
	chmod 755 "$dir/init"
	(cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) >"$T/initramfs.cpio.gz"
}

# PID 1 of the booted system: reports "S2BOX-DEB: ok - ..." lines on the
# console, then powers off.
install_guest_script() {
	mkdir -p "$M/usr/local/sbin" "$M/usr/local/share/s2box-test"
	# mov x0, #1; hvc #0: the box exits with x0 = 1.
	printf '\x20\x00\x80\xd2\x02\x00\x00\xd4' >"$M/usr/local/share/s2box-test/answer.bin"
	cat >"$M/usr/local/sbin/s2box-deb-guest" <<-'EOF'
		#!/bin/bash
		# SPDX-License-Identifier: GPL-2.0
		# PID 1 of the package install test's boot (scripts/deb-test.sh).
		export PATH=/usr/sbin:/usr/bin:/sbin:/bin
		mount -t proc proc /proc
		mount -t sysfs sysfs /sys
		mount -t tmpfs tmpfs /run
		mount -t tmpfs tmpfs /tmp
		res() { if [ "$1" = 0 ]; then echo "S2BOX-DEB: ok - $2"; else echo "S2BOX-DEB: not ok - $2"; shift 2; printf '%s\n' "$@" | sed 's/^/S2BOX-DEB: # /'; fi; }
		as_tester() { setpriv --reuid=tester --regid=tester --init-groups "$@"; }
		st=0; grep -q '^s2box ' /proc/modules && st=1
		res $st "s2box not loaded at boot" "$(lsmod)"
		/lib/systemd/systemd-udevd --daemon
		udevadm trigger --action=add >/dev/null 2>&1
		udevadm settle
		st=0; [ -e /dev/s2box ] && st=1
		res $st "no /dev/s2box before the module is loaded"
		out=$(as_tester /usr/sbin/s2boxctl caps 2>&1); st=$?
		res $st "s2boxctl caps as tester (group s2box) succeeds" "$out"
		st=0; grep -q '^s2box ' /proc/modules || st=1
		res $st "the genl family alias loaded s2box (no modprobe)" "$(lsmod)"
		udevadm settle
		got=$(stat -c '%U:%G %a' /dev/s2box 2>&1)
		st=0; [ "$got" = "root:s2box 660" ] || st=1
		res $st "udev made /dev/s2box root:s2box 0660" "$got"
		out=$(as_tester /usr/sbin/s2boxctl run /usr/local/share/s2box-test/answer.bin 2>&1); st=$?
		grep -q '^exit: *hvc #0$' <<<"$out" && grep -q '^x0 0x0*1 ' <<<"$out" || st=1
		res $st "s2boxctl run as tester: the blob's hvc exits with x0 = 1" "$out"
		out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/sbin/s2boxctl run \
			/usr/local/share/s2box-test/answer.bin 2>&1); st=0
		grep -q 'Permission denied' <<<"$out" || st=1
		res $st "a user outside group s2box cannot open /dev/s2box" "$out"
		echo "S2BOX-DEB: dmesg"
		dmesg | grep -i s2box | sed 's/^/S2BOX-DEB: # /'
		echo "S2BOX-DEB: done"
		sync
		echo o >/proc/sysrq-trigger
		sleep 10
	EOF
	chmod 755 "$M/usr/local/sbin/s2box-deb-guest"
}

test_boot() {
	local tag=$1 rel=$2 t0 qrc=0 lines
	make_initramfs "$tag" "$rel"
	install_guest_script
	t0=$EPOCHREALTIME
	# shellcheck disable=SC2054 # the commas are inside QEMU option values
	timeout --foreground -k 10 "${S2BOX_TIMEOUT:-600}" qemu-system-aarch64 \
		-M virt,virtualization=on,gic-version=3 -cpu "$CPU" -smp 2 -m 1024 \
		-nographic -no-reboot -nic none \
		-kernel "$CACHE/kernels/$tag/vmlinuz" -initrd "$T/initramfs.cpio.gz" \
		-append "console=ttyAMA0 panic=-1 printk.time=1" \
		-fsdev "local,id=s2root,path=$M,security_model=passthrough,multidevs=remap" \
		-device virtio-9p-pci,fsdev=s2root,mount_tag=s2root \
		</dev/null >"$OUT/console.log" 2>&1 || qrc=$?
	sed -i 's/\r$//' "$OUT/console.log"
	TIME[boot]=$(secs "$t0" "$EPOCHREALTIME")
	tap $(( qrc != 0 )) "$rel booted from the installed system and powered off (${TIME[boot]} s, exit $qrc)" \
		"$(tail -n 15 "$OUT/console.log")"
	lines=$(sed -n 's/^S2BOX-DEB: \(\(not \)\{0,1\}ok - .*\)/\1/p' "$OUT/console.log")
	while IFS= read -r l; do
		[ -n "$l" ] || continue
		case "$l" in
		"ok - "*) tap 0 "boot: ${l#ok - }" ;;
		*) tap 1 "boot: ${l#not ok - }" \
			"$(sed -n 's/^S2BOX-DEB: # //p' "$OUT/console.log")" ;;
		esac
	done <<<"$lines"
	# Seven checks in the guest script: a boot that stops early fails here.
	[ "$(grep -c '^S2BOX-DEB: \(not \)\{0,1\}ok - ' "$OUT/console.log")" = 7 ] &&
		grep -qx 'S2BOX-DEB: done' "$OUT/console.log"
	tap $? "boot: the guest ran all seven checks" "$(tail -n 15 "$OUT/console.log")"
}

# --- 4. a second kernel ---------------------------------------------------

test_second() {
	local rel=$1 ko st=0
	in_root apt install -y "linux-headers-$rel"
	TIME[second]=$took
	tap $rc "apt install linux-headers-$rel ($took s, qemu-user)" "$out"
	in_root dkms status -m $NAME -k "$rel"
	ko=$(dkms_ko "$rel")
	grep -Fxq "$NAME/$VER, $rel, aarch64: installed" <<<"$out" &&
		[ -f "$ko" ] &&
		[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$rel" ] || st=1
	tap $st "DKMS autoinstall built $NAME for the new kernel $rel" "$out"
}

# --- 5. apt purge ---------------------------------------------------------

test_purge() {
	local left st=0
	in_root apt purge -y s2box-dkms s2box-tools
	TIME[purge]=$took
	tap $rc "apt purge s2box-dkms s2box-tools" "$out"
	left=$(cd "$M" && {
		find lib/modules usr/lib/modules -name "$NAME.ko*" 2>/dev/null
		ls -d usr/src/$NAME-* var/lib/dkms/$NAME lib/udev/rules.d/60-s2box.rules \
			usr/lib/udev/rules.d/60-s2box.rules etc/modprobe.d/s2box.conf \
			usr/sbin/s2boxctl 2>/dev/null
		grep -l "$NAME" lib/modules/*/modules.alias 2>/dev/null
		grep "^$NAME:" etc/group etc/gshadow 2>/dev/null
		# Purged packages may stay known as "not installed" (un, pn).
		dpkg-query --admindir=var/lib/dpkg -W -f='${db:Status-Abbrev} ${Package}\n' \
			's2box-*' 2>/dev/null | grep -v '^[up]n '
	}) || true
	[ -z "$left" ] || st=1
	tap $st "nothing left: module, DKMS tree, /usr/src, group, udev rule, modprobe.d, dpkg record" "$left"
}

main() {
	local boot_rel second_rel t0=$EPOCHREALTIME
	echo "TAP version 13"
	trap finish EXIT
	mkdir -p "$OUT" "$ROOT/build"
	: >"$LOG"

	if ! test_build; then
		echo "1..$n"
		planned=1
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		skip "package install test" "needs root (overlay mount, chroot)"
	elif [ ! -f "$LOWER.done" ]; then
		skip "package install test" "no cached root file system (scripts/deb-rootfs.sh)"
	elif [ ! -f "$CACHE/kernels/$BOOT/release" ] ||
		{ [ -n "$SECOND" ] && [ ! -f "$CACHE/kernels/$SECOND/release" ]; }; then
		skip "package install test" "kernels $BOOT and $SECOND not cached (scripts/setup.sh)"
	else
		boot_rel=$(release "$BOOT")
		second_rel=
		[ -z "$SECOND" ] || second_rel=$(release "$SECOND")
		grep -qx "boot=$boot_rel" "$LOWER/.s2box-kernels" &&
			{ [ -z "$second_rel" ] || grep -qx "second=$second_rel" "$LOWER/.s2box-kernels"; }
		tap $? "the cached system was made for $boot_rel${second_rel:+ and $second_rel}" \
			"$(cat "$LOWER/.s2box-kernels"); rebuild: rm $LOWER.done; scripts/deb-rootfs.sh"
		setup_root
		if test_install "$boot_rel"; then
			test_boot "$BOOT" "$boot_rel"
			if [ -n "$second_rel" ]; then
				test_second "$second_rel"
			else
				skip "DKMS builds for a second kernel's headers" \
					"S2BOX_DEB_SECOND empty (make check; make deb-test runs it)"
			fi
			test_purge
		fi
	fi
	echo "# deb: build ${TIME[build]:-?} s; apt install with DKMS build ${TIME[install]:-?} s;" \
		"boot ${TIME[boot]:-?} s; second kernel ${TIME[second]:-?} s; purge ${TIME[purge]:-?} s;" \
		"total $(secs "$t0" "$EPOCHREALTIME") s; log: $LOG"
	echo "1..$n"
	planned=1
	[ $failed = 0 ]
}

main "$@"
