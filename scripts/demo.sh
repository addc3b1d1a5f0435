#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot an emulated arm64 server (QEMU "max", Debian 6.12),
# load s2box, run s2box_demo (capabilities, then a box per granule and IPA
# size with its VTCR_EL2 decoded) and show what happened.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
KERNEL=${DEMO_KERNEL:-6.12}
CPU=${DEMO_CPU:-max}
OUT="$ROOT/build/demo"

echo "demo: booting Debian $KERNEL on QEMU -cpu $CPU with s2box..."
status=0
bash "$ROOT/scripts/qemu-run.sh" "$KERNEL" "$CPU" demo "$OUT" || status=$?

echo
echo "=== module messages (dmesg) ==="
grep -E '\] s2box: ' "$OUT/dmesg.txt" | grep -v -e 'taints kernel' \
	-e 'verification failed' || true
echo
echo "=== s2box_demo ==="
sed -n '/^S2BOX-BEGIN s2box_demo/,/^S2BOX-END s2box_demo/p' "$OUT/tap.txt" |
	sed '1d;$d'
echo
if [ "$status" -eq 0 ]; then
	echo "demo: done (full logs in build/demo/)"
else
	echo "demo: FAILED, see build/demo/console.log and build/demo/results.tap"
fi
exit "$status"
