#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install s2box with DKMS on an arm64 server (`make dkms-install`, as root):
# the source goes to /usr/src/s2box-<version>, DKMS builds and installs it
# for the running kernel, and AUTOINSTALL (dkms.conf) rebuilds it for every
# kernel installed later. The udev rule for group access goes to
# /etc/udev/rules.d.
#
#   scripts/dkms-install.sh              install, or upgrade what is there
#   scripts/dkms-install.sh --stage DIR  only copy the DKMS source tree to DIR
#                                        (scripts/dkms-test.sh uses this, so
#                                        the test builds what servers get)
#
# Environment:
#   KERNELRELEASE  kernel to build for (default: the running one, uname -r)
#
# Running it again is a clean upgrade: every s2box version DKMS knows is
# removed first (same version included), then the current one is added.
# On Secure Boot hosts DKMS signs the module with its own MOK key
# (/var/lib/dkms/mok.pub, created on first use); enroll it with mokutil.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NAME=s2box
RULES=/etc/udev/rules.d/60-s2box.rules

die() { echo "dkms-install.sh: $*" >&2; exit 1; }
log() { echo "dkms-install.sh: $*"; }

usage() { die "usage: dkms-install.sh [--stage DIR]"; }

# The version lives in one place, the top-level VERSION file.
package_version() {
	cat "$ROOT/VERSION"
}

# What DKMS copies and builds: Kbuild, VERSION, the module sources, the
# uapi header and dkms.conf, with VERSION written in for its marker (as
# dh_dkms -V does for the package). Never the repository as a whole (build/ holds every
# kernel's objects and results, and the test's own DKMS tree) and never
# stale objects left by an in-tree `make modules`.
stage() {
	local ver
	ver=$(package_version)
	[ -n "$ver" ] || die "$ROOT/VERSION is empty"
	mkdir -p "$1"
	(cd "$ROOT" && cp --parents Kbuild VERSION module/*.[chS] \
		uapi/linux/*.h "$1/")
	sed "s/#MODULE_VERSION#/$ver/" "$ROOT/dkms.conf" >"$1/dkms.conf"
}

# Every version of s2box registered with DKMS, from lines such as
# "s2box/0.1.0, 6.1.0-56-arm64, aarch64: installed" or "s2box/0.1.0: added".
dkms_versions() {
	dkms status -m "$NAME" 2>/dev/null |
		sed -n "s|^$NAME/\([^,:]*\)[,:].*|\1|p" | sort -u
}

# Apply the rule now; if the module is loaded, re-run its device's event so
# the existing node gets the group too. Containers and chroots have no udev.
install_udev_rule() {
	install -D -m 0644 "$ROOT/scripts/60-s2box.rules" "$RULES"
	log "installed $RULES"
	if command -v udevadm >/dev/null && [ -d /run/udev ]; then
		udevadm control --reload-rules
		if [ -e /sys/class/misc/$NAME ]; then
			udevadm trigger --action=change --subsystem-match=misc \
				--sysname-match=$NAME
		fi
	fi
	getent group $NAME >/dev/null ||
		log "group $NAME does not exist yet: /dev/$NAME stays root-only until" \
			"'groupadd --system $NAME' (then add users to it)"
}

main() {
	local ver kver v

	if [ "${1:-}" = --stage ]; then
		[ $# -eq 2 ] || usage
		stage "$2"
		return 0
	fi
	[ $# -eq 0 ] || usage

	[ "$(id -u)" = 0 ] || die "must run as root"
	command -v dkms >/dev/null || die "dkms is not installed (apt-get install dkms)"
	# dkms.conf refuses other architectures too, but only after the source
	# is in /usr/src and registered; refuse before touching anything.
	[ "$(uname -m)" = aarch64 ] || die "s2box is arm64-only (this host is $(uname -m))"
	ver=$(package_version)
	[ -n "$ver" ] || die "$ROOT/VERSION is empty"
	kver=${KERNELRELEASE:-$(uname -r)}

	# Old versions go too, with the sources this script put in /usr/src:
	# DKMS would otherwise keep rebuilding them for new kernels
	# (AUTOINSTALL), and with no MODULE_VERSION in the module, dkms 3.0.10
	# sees another version's s2box.ko as "exactly matching", keeps it, and
	# still reports the new version as installed.
	for v in $(dkms_versions); do
		log "removing $NAME/$v from DKMS"
		dkms remove -m "$NAME" -v "$v" --all
		rm -rf "/usr/src/$NAME-$v"
	done

	rm -rf "/usr/src/$NAME-$ver"
	stage "/usr/src/$NAME-$ver"
	dkms add -m "$NAME" -v "$ver"
	dkms build -m "$NAME" -v "$ver" -k "$kver"
	dkms install -m "$NAME" -v "$ver" -k "$kver"

	install_udev_rule
	log "$NAME $ver installed for $kver; load it with: modprobe $NAME"
}

main "$@"
