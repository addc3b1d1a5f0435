#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# KVM churn in a boot where s2box is never inserted: the control that tells
# a KVM (or QEMU) bug from an s2box one. One boot runs s2box_stress_test's
# KVM side alone (S2BOX_STRESS_SIDES=kvm: a pinned thread a CPU creating,
# running and destroying one-vCPU VMs) RUNS times for SECS seconds each,
# without the idle VM the tests normally hold (S2BOX_STRESS_NO_IDLE_VM=1),
# so the number of VMs drops to zero again and again. The image carries no
# s2box.ko; the guest checks there is no module and no /dev/s2box before
# and after, and the stress test's KVM side opens neither /dev/s2box nor
# the netlink family. Not part of make check (it takes RUNS x SECS).
#
#   bash scripts/kvm-churn.sh KERNEL_TAG CPU [RUNS [SECS]]
#
# RUNS defaults to 20, SECS to 60. Prints one line a run and the counts:
# runs that failed, those that died of a signal (and how many of those
# the guest kernel logged with 0x1de7ec7edbadc0de, KVM's reset value for
# a vCPU register, where the thread's TPIDR_EL0 should be), and those
# whose guest saw its EL1 state change.
#
# Environment:
#   S2BOX_QEMU         system (QEMU 7.2, default) or qemu10
#   QEMU_EXTRA         extra QEMU arguments, e.g. "-accel tcg,thread=single"
#   S2BOX_CHURN_NAME   result directory name (default from the above)
#   S2BOX_CHURN_DIR    where result directories go (default build/kvm-churn)
#   S2BOX_TIMEOUT      QEMU run limit (default RUNS x 2 x SECS + 600 s)
#   and everything scripts/qemu-run.sh reads
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESET_VALUE=1de7ec7edbadc0de

die() { echo "kvm-churn.sh: $*" >&2; exit 2; }

default_name() {
	local n="$1-$2"
	[ "${S2BOX_QEMU:-system}" != system ] && n="$n-$S2BOX_QEMU"
	case "${QEMU_EXTRA:-}" in *thread=single*) n="$n-single" ;; esac
	echo "$n"
}

# summarize DIR TEST: one line a run from tap.txt, then the counts.
summarize() {
	local dir=$1 test=$2 sigs reset
	awk -v test="$test" '
		$1 == "S2BOX-BEGIN" && index($2, test ".") == 1 {
			name = $2; kind = ""; next
		}
		name == "" { next }
		/guest state changed/ { kind = "guest state changed" }
		/terminated unexpectedly by signal/ {
			kind = "signal " $NF
		}
		/terminated by timeout/ { kind = "timeout" }
		$1 == "S2BOX-END" && $2 == name {
			runs++
			if ($3 != 0) {
				failed++
				if (kind == "")
					kind = "other"
				count[kind]++
			}
			printf "  %-24s rc %s%s\n", name, $3, $3 != 0 ? " (" kind ")" : ""
			name = ""
		}
		END {
			printf "runs %d, failed %d", runs, failed
			for (k in count)
				printf ", %s: %d", k, count[k]
			printf "\n"
		}
	' "$dir/tap.txt"
	sigs=$(grep -c 'unhandled exception\|segfault' "$dir/dmesg.txt" || true)
	reset=$(grep -c "$RESET_VALUE" "$dir/dmesg.txt" || true)
	echo "guest kernel: $sigs unhandled-signal report(s), $reset line(s) with 0x$RESET_VALUE"
}

main() {
	if [ $# -lt 2 ] || [ $# -gt 4 ]; then
		die "usage: kvm-churn.sh KERNEL_TAG CPU [RUNS [SECS]]"
	fi
	local tag=$1 cpu=$2 runs=${3:-20} secs=${4:-60} name dir rc=0
	local test=s2box_stress_test
	local args=-t,boxes_and_kvm_on_every_cpu
	[ -x "$ROOT/build/arm64/bin/$test" ] || die "no $test: make selftests"
	name=${S2BOX_CHURN_NAME:-$(default_name "$tag" "$cpu")}
	dir=${S2BOX_CHURN_DIR:-$ROOT/build/kvm-churn}/$name
	mkdir -p "$dir"
	echo "kvm-churn: $name, $runs runs of $secs s, no s2box; results in $dir"
	S2BOX_CELL=$name \
		S2BOX_TIMEOUT=${S2BOX_TIMEOUT:-$((runs * 2 * secs + 600))} \
		S2BOX_APPEND="${S2BOX_APPEND:-} S2BOX_CHURN_TEST=$test S2BOX_CHURN_RUNS=$runs S2BOX_CHURN_ARGS=$args S2BOX_STRESS_SIDES=kvm S2BOX_STRESS_NO_IDLE_VM=1 S2BOX_STRESS_S=$secs" \
		bash "$ROOT/scripts/qemu-run.sh" "$tag" "$cpu" kvmonly "$dir" \
		>"$dir/run.log" 2>&1 || rc=$?
	grep "^qemu-run: $name" "$dir/run.log" || true
	grep -h '^not ok' "$dir/results.tap" 2>/dev/null | grep -v "$test\.[0-9]" |
		sed 's/^/  harness: /' || true
	summarize "$dir" "$test" | tee "$dir/counts.txt"
	return $rc
}

main "$@"
