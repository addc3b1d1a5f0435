# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# TAP helpers of the step scripts that count their own failures
# (scripts/dkms-test.sh, scripts/deb-test.sh): source it after setting
# n=0 failed=0.

# tap STATUS DESCRIPTION [DIAGNOSTICS]: STATUS 0 is ok.
tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | tail -n 25 | sed 's/^/# /'
	fi
}

# skip DESCRIPTION REASON
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# secs T0 T1: seconds between two $EPOCHREALTIME values, one decimal.
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
