#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot emulated arm64 servers (Debian 6.12 on QEMU "max", then
# "a64fx", which lacks the 16K granule and has a 40-bit PA), load s2box,
# run s2box_demo (capabilities, then a box per granule and IPA size with
# its VTCR_EL2 decoded, or the error a refused combination gets) and show
# what happened.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
KERNEL=${DEMO_KERNEL:-6.12}
CPUS=${DEMO_CPUS:-max a64fx}

demo_one() {	# demo_one CPU: returns the cell's status
	local cpu=$1 out="$ROOT/build/demo/$1" status=0

	echo "demo: booting Debian $KERNEL on QEMU -cpu $cpu with s2box..."
	bash "$ROOT/scripts/qemu-run.sh" "$KERNEL" "$cpu" demo "$out" ||
		status=$?
	echo "=== $cpu: module messages (dmesg) ==="
	grep -E '\] s2box: ' "$out/dmesg.txt" | grep -v -e 'taints kernel' \
		-e 'verification failed' || true
	echo "=== $cpu: s2box_demo ==="
	sed -n '/^S2BOX-BEGIN s2box_demo/,/^S2BOX-END s2box_demo/p' \
		"$out/tap.txt" | sed '1d;$d'
	echo
	return "$status"
}

failed=0
for cpu in $CPUS; do
	demo_one "$cpu" || failed=1
done
if [ "$failed" -eq 0 ]; then
	echo "demo: done (full logs in build/demo/<cpu>/)"
else
	echo "demo: FAILED, see build/demo/<cpu>/console.log and results.tap"
fi
exit "$failed"
