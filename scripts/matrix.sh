#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the s2box test matrix under QEMU, one cell after another (the host
# has two cores and each guest uses two), and report every cell.
#
#   bash scripts/matrix.sh
#
# Default cells (kernel cpu mode), on the system's QEMU (7.2 on Debian 12)
# unless they say otherwise:
#   6.1 and 6.12 on max, neoverse-n1, cortex-a76, a64fx     test
#   6.12-16k on max and neoverse-n1                         test
#   6.12 on cortex-a57 (no VHE)                             refuse
#   6.12 on neoverse-n1 with force_spec_at_wa=1, a 30 s run   test
#   6.12 on neoverse-n2 and neoverse-v1, QEMU 10            test
#   6.12 on max with mte=on and 6.12-16k on max, QEMU 10    test
#   7.3 on max with mte=on, QEMU 10                         test
#   6.12 on max, QEMU 11 (MTEX not reviewed yet)            refuse
#
# Environment:
#   KERNELS        run only cells whose kernel tag is in this list
#   CPUS           run only cells whose CPU is in this list
#   EMULATORS      run only cells whose emulator is in this list (system,
#                  qemu10, qemu11)
#   CELLS          replace the default list:
#                  "kernel:cpu:mode[:modargs[:cmdline[:machine[:emulator[:tests]]]]] ..."
#                  (module parameters, kernel command-line words and options
#                  added to QEMU's -M virt, each comma-separated; the
#                  emulator is system, qemu10 or qemu11, see
#                  scripts/qemu-run.sh's S2BOX_QEMU; tests, comma-separated,
#                  are the only test binaries the cell runs, see
#                  scripts/initramfs.sh's S2BOX_ONLY_TESTS)
#   S2BOX_KO_DIR   modules are S2BOX_KO_DIR/<kernel>/s2box.ko (default build)
#   S2BOX_RESULTS  where cell directories go (default build/results)
#   and everything scripts/qemu-run.sh reads (S2BOX_TIMEOUT, QEMU_EXTRA, ...)
#
# Results: S2BOX_RESULTS/<kernel>-<cpu>[-<emulator>]/ (see scripts/qemu-run.sh, plus
# run.log, its output) and one line a cell in S2BOX_RESULTS/summary.txt;
# scripts/summary.sh counts the cells' results.tap. Exit status 1 if any
# cell failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The heavy cells (fuzzers with threads, stress next to KVM, load cycles)
# take 3-5 minutes on an idle two-core machine: give every cell room for
# a busy one too. A hung guest is still caught, later.
export S2BOX_TIMEOUT=${S2BOX_TIMEOUT:-600}
KO_DIR=${S2BOX_KO_DIR:-$ROOT/build}
RESULTS=${S2BOX_RESULTS:-$ROOT/build/results}

default_cells() {
	local k c
	# S2BOX_HEAVY=1 (fuzzing, stress next to KVM, module load cycles)
	# runs on two cells only, to keep make check inside CI's time: one
	# with MTE and a 4K host, one with a 16K host.
	for k in 6.1 6.12; do
		for c in max neoverse-n1 cortex-a76 a64fx; do
			if [ "$k:$c" = 6.12:max ]; then
				echo "$k:$c:test::S2BOX_HEAVY=1:mte=on"
			else
				echo "$k:$c:test"
			fi
		done
	done
	echo "6.12-16k:max:test"
	echo "6.12-16k:neoverse-n1:test::S2BOX_HEAVY=1"
	# QEMU's CPUs never need the speculative-AT errata path: force it
	# once, with a 30 s unbudgeted run (past the RCU stall timeout) and
	# without the kernel zeroing every new page, so box memory really has
	# to be zeroed by the module.
	echo "6.12:neoverse-n1:test:force_spec_at_wa=1:S2BOX_LONG_RUN_S=30,init_on_alloc=0"
	# cortex-a57 has no VHE, so the kernel runs at EL1 (nVHE KVM).
	echo "6.12:cortex-a57:refuse"
	# Today's server cores and architecture, as QEMU 10 models them
	# (bookworm-backports, beside the system's QEMU 7.2): Neoverse N2
	# (Armv9.0, SVE2) and V1 (Armv8.4, SVE), both 48-bit PA.
	echo "6.12:neoverse-n2:test::::qemu10"
	echo "6.12:neoverse-v1:test::::qemu10"
	# QEMU 10's max with all it models (MTE needs the machine option; the
	# rest is on by default): FGT, HCX, ECV, NMI, WFxT, MOPS, SME, LPA2.
	# HCRX_EL2 is set per box there (NMI, and TCR2/GCS/FPMR once QEMU
	# models them). The 16K kernel on it runs the 52-bit 16K boxes QEMU
	# 7.2 cannot walk (VTCR.DS from level 0).
	echo "6.12:max:test:::mte=on:qemu10"
	echo "6.12-16k:max:test::::qemu10"
	# The newest Debian kernel (trixie-backports, built in its Debian 13
	# chroot): a fully preemptible (PREEMPT_LAZY) host with preemptible
	# kernel-mode NEON, on everything QEMU 10's max models.
	echo "7.3:max:test:::mte=on:qemu10"
	# QEMU 11 (trixie-backports, run in the Debian 13 chroot) adds
	# TCR2, S1PIE, GCS, FPMR and MTE_NO_ADDRESS_TAGS to max: the cell of
	# the tests that reach those traps, and no more (a full run would
	# add a cell's worth of make check).
	echo "6.12:max:test:::mte=on:qemu11:s2box_run_trap_test,s2box_run_state_test,s2box_kvm_test,s2box_run_timer_test"
}

# in_list WORD "LIST": an unset/empty filter admits everything.
in_list() {
	[ -z "$2" ] && return 0
	case " $2 " in *" $1 "*) return 0 ;; esac
	return 1
}

selected_cells() {
	local cell k c q
	for cell in ${CELLS:-$(default_cells)}; do
		IFS=: read -r k c _ _ _ _ q _ <<<"$cell"
		in_list "$k" "${KERNELS:-}" && in_list "$c" "${CPUS:-}" &&
			in_list "${q:-system}" "${EMULATORS:-}" && echo "$cell"
	done
}

# run_cell KERNEL CPU MODE [MODULE-ARGS [CMDLINE [MACHINE [EMULATOR [TESTS]]]]]:
# prints one summary line; returns the cell's status. Module arguments and
# extra kernel command-line words (both comma-separated) name the cell too;
# words the kernel does not know reach /init, and so the tests, as
# environment. A cell on another emulator than the system's QEMU has it in
# its name, right after the CPU, so every result line says which QEMU
# modelled that CPU.
run_cell() {
	local k=$1 c=$2 m=$3 args=${4:-} append=${5:-} machine=${6:-}
	local emu=${7:-system} tests=${8:-} name="$1-$2" rc=0
	local t0 t1 status dir
	[ "$emu" != system ] && name="$name-$emu"
	[ -n "$args" ] && name="$name-${args//[=,]/-}"
	[ -n "$machine" ] && name="$name-${machine//[=,]/-}"
	dir="$RESULTS/$name"
	mkdir -p "$dir"
	t0=$EPOCHREALTIME
	S2BOX_CELL=$name S2BOX_QEMU=$emu S2BOX_INSMOD_ARGS="${args//,/ }" \
		S2BOX_ONLY_TESTS="${S2BOX_ONLY_TESTS:-${tests//,/ }}" \
		S2BOX_APPEND="${S2BOX_APPEND:-} ${append//,/ }" \
		S2BOX_MACHINE="${S2BOX_MACHINE:-virt,virtualization=on,gic-version=3}${machine:+,$machine}" \
		bash "$ROOT/scripts/qemu-run.sh" "$k" "$c" "$m" "$dir" \
		"$KO_DIR/$k/s2box.ko" >"$dir/run.log" 2>&1 || rc=$?
	t1=$EPOCHREALTIME
	status=PASS
	[ $rc -eq 0 ] || status=FAIL
	printf '%s %-22s %-7s %6.1fs  %s  %s\n' "$status" "$name" "$m" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
		"$(cat "$dir/timing" 2>/dev/null || echo 'no timing')" \
		"$(awk '{ print "qemu=" $4; exit }' "$dir/qemu-version" 2>/dev/null)" |
		tee -a "$RESULTS/summary.txt"
	if [ $rc -ne 0 ]; then
		# Enough to see why without opening the cell's directory.
		grep -h '^not ok' "$dir/results.tap" 2>/dev/null | sed 's/^/    /' || true
		grep -v '^qemu-run:' "$dir/run.log" | tail -n 20 | sed 's/^/    | /' || true
	fi
	return $rc
}

main() {
	local cell k c m n=0 failed=0
	local -a cells
	mapfile -t cells < <(selected_cells)
	[ ${#cells[@]} -gt 0 ] || { echo "matrix: no cell selected" >&2; exit 2; }
	mkdir -p "$RESULTS"
	: >"$RESULTS/summary.txt"
	for cell in "${cells[@]}"; do
		IFS=: read -r k c m args append machine emu tests <<<"$cell"
		n=$((n + 1))
		run_cell "$k" "$c" "${m:-test}" "${args:-}" "${append:-}" \
			"${machine:-}" "${emu:-}" "${tests:-}" ||
			failed=$((failed + 1))
	done
	echo "matrix: $((n - failed))/$n cells passed" | tee -a "$RESULTS/summary.txt"
	[ $failed -eq 0 ]
}

main "$@"
