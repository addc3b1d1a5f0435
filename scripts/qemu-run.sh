#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot one test cell under QEMU TCG and judge it.
#
#   scripts/qemu-run.sh KERNEL_TAG CPU MODE OUTDIR [KO_PATH]
#
# MODE is test, refuse, demo, bench, load or kvmonly (scripts/guest-init.sh).
# Outputs in OUTDIR:
#   initramfs.cpio.gz, qemu.cmd   to boot the cell again by hand
#   console.log   serial console (CRs stripped)
#   channel.raw   everything the guest wrote on the result port
#   tap.txt       the channel without its dmesg section
#   dmesg.txt     the guest's dmesg, sent just before the verdict
#   verdict       pass, fail or none (what the guest said, if it said it)
#   timing        boot=<s to /init, guest clock> wall=<s of the QEMU run>
#   qemu-version  the emulator's --version line
#   check-log.txt what scripts/check-log.sh found in console.log, dmesg.txt
#   results.tap   the guest's test and step results plus harness checks
# Exit status 0 only if every line of results.tap is "ok".
#
# Environment:
#   S2BOX_TIMEOUT  hard limit for the QEMU run in seconds (default 300)
#   S2BOX_MEM      guest memory in MiB (default 1024)
#   S2BOX_SMP      guest CPUs (default 2)
#   S2BOX_MACHINE  -M value (default virt,virtualization=on,gic-version=3)
#   S2BOX_APPEND   extra kernel command line
#   S2BOX_CELL     name used in results.tap (default KERNEL_TAG-CPU)
#   S2BOX_QEMU     emulator: system (default, the machine's
#                  qemu-system-aarch64, QEMU 7.2 on Debian 12) or qemu10
#                  (bookworm-backports' QEMU 10 that scripts/setup.sh
#                  extracts to $S2BOX_CACHE/qemu10) or qemu11
#                  (trixie-backports' QEMU 11, installed in the Debian 13
#                  chroot by scripts/chroot.sh qemu11 and run inside it)
#   S2BOX_VERBOSE  1: also copy the console to stderr while it runs
#   QEMU_EXTRA     extra QEMU arguments (word-split)
#   and those of scripts/initramfs.sh (S2BOX_BIN_DIR, S2BOX_INSMOD_ARGS,
#   S2BOX_NOT_TESTS)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${S2BOX_CACHE:-${HOME:-/root}/.cache/s2box}
PORT_NAME=org.s2box.result

die() { echo "qemu-run.sh: $*" >&2; exit 2; }

# QEMU's default "max" pointer authentication (QARMA) is very slow under
# TCG; the implementation-defined algorithm is functionally the same.
cpu_option() {
	case "$1" in
	max) echo "max,pauth-impdef=on" ;;
	*) echo "$1" ;;
	esac
}

# QEMU_CMD: the emulator's command words for S2BOX_QEMU. The extracted
# QEMU 10 takes its firmware/data (-L) and its modules from its own tree:
# its built-in paths are the system QEMU's.
qemu_select() {
	local q10="$CACHE/qemu10"
	case "${S2BOX_QEMU:-system}" in
	system) QEMU_CMD=(qemu-system-aarch64) ;;
	qemu10)
		[ -f "$q10/.done" ] ||
			die "no QEMU 10 in $q10 (run scripts/setup.sh)"
		export QEMU_MODULE_DIR="$q10/modules"
		QEMU_CMD=("$q10/root/usr/bin/qemu-system-aarch64"
			-L "$q10/root/usr/share/qemu")
		;;
	qemu11)
		# It links trixie's libraries: it runs in the chroot, where
		# the cache and the repository (kernel, initramfs, results)
		# are bound at their own paths.
		[ -f "$CACHE/chroots/trixie/.qemu11" ] ||
			die "no QEMU 11 in the trixie chroot (run scripts/setup.sh)"
		QEMU_CMD=(bash "$ROOT/scripts/chroot.sh" exec trixie
			qemu-system-aarch64)
		;;
	*) die "S2BOX_QEMU: unknown emulator '$S2BOX_QEMU' (system, qemu10 or qemu11)" ;;
	esac
}

# run_qemu TAG CPU OUTDIR: boot; prints QEMU's (or timeout's) exit status.
run_qemu() {
	local tag=$1 cpu=$2 out=$3 rc=0
	local -a cmd
	# SC2206: QEMU_EXTRA is a list of words on purpose; SC2054: the
	# commas are inside QEMU option values.
	# shellcheck disable=SC2206,SC2054
	cmd=("${QEMU_CMD[@]}"
		-M "${S2BOX_MACHINE:-virt,virtualization=on,gic-version=3}"
		-cpu "$(cpu_option "$cpu")" -smp "${S2BOX_SMP:-2}"
		-m "${S2BOX_MEM:-1024}" -nographic -no-reboot -nic none
		-kernel "$CACHE/kernels/$tag/vmlinuz" -initrd "$out/initramfs.cpio.gz"
		-append "console=ttyAMA0 panic=-1 printk.time=1 ${S2BOX_APPEND:-}"
		-device virtio-serial-pci,id=s2vser
		-chardev "file,id=s2res,path=$out/channel.raw"
		-device "virtserialport,bus=s2vser.0,chardev=s2res,name=$PORT_NAME"
		${QEMU_EXTRA:-})
	echo "${QEMU_MODULE_DIR:+QEMU_MODULE_DIR=$QEMU_MODULE_DIR }${cmd[*]}" >"$out/qemu.cmd"
	# stdin from /dev/null: QEMU must not put a terminal into raw mode
	# (and leave it so when killed); --foreground keeps job control sane.
	if [ "${S2BOX_VERBOSE:-0}" = 1 ]; then
		timeout --foreground -k 10 "${S2BOX_TIMEOUT:-300}" "${cmd[@]}" \
			</dev/null 2>&1 | tee "$out/console.log" >&2 || rc=${PIPESTATUS[0]}
	else
		timeout --foreground -k 10 "${S2BOX_TIMEOUT:-300}" "${cmd[@]}" \
			</dev/null >"$out/console.log" 2>&1 || rc=$?
	fi
	sed -i 's/\r$//' "$out/console.log"
	echo "$rc"
}

# split_channel OUTDIR: channel.raw -> tap.txt, dmesg.txt.
split_channel() {
	local out=$1
	awk -v tap="$out/tap.txt" -v dm="$out/dmesg.txt" '
		$0 == "S2BOX-DMESG-BEGIN" { in_dm = 1; next }
		$0 == "S2BOX-DMESG-END" { in_dm = 0; next }
		in_dm { print > dm; next }
		{ print > tap }
	' "$out/channel.raw"
	touch "$out/tap.txt" "$out/dmesg.txt"
}

# guest_verdict OUTDIR NONCE: pass/fail if the channel's last line is a
# verdict carrying our nonce, else none.
guest_verdict() {
	local last
	last=$(grep -v '^$' "$1/channel.raw" | tail -n1 || true)
	case "$last" in
	"S2BOX-VERDICT $2 pass") echo pass ;;
	"S2BOX-VERDICT $2 fail") echo fail ;;
	*) echo none ;;
	esac
}

# guest_results CELL TAPFILE: the guest's result lines as "ok|not ok - ..."
# (numbers dropped, binary name prefixed, directives such as # SKIP kept),
# plus a plan check per binary and a failure for a binary that never ended.
guest_results() {
	awk -v cell="$1" '
		function flush() {
			if (bin == "" || plans == "")
				return
			if (plans != plan) {
				printf "not ok - %s %s: one TAP plan", cell, bin
				printf " (saw%s; indent nested TAP)\n", plans
			} else if (plan != " 1.." n)
				printf "not ok - %s %s: TAP plan%s but %d results\n", cell, bin, plan, n
			else
				printf "ok - %s %s: TAP plan%s matches\n", cell, bin, plan
		}
		/^S2BOX-BEGIN / { flush(); bin = $2; plan = plans = ""; n = 0; next }
		/^S2BOX-END / { flush(); bin = ""; next }
		/^S2BOX-STEP / {
			st = ($2 == "not") ? "not ok" : "ok"
			sub(/^S2BOX-STEP (not )?ok - /, "", $0)
			printf "%s - %s %s\n", st, cell, $0
			next
		}
		bin == "" { next }
		/^1\.\.[0-9]+/ {
			if (plans == "")
				plan = " " $1
			plans = plans " " $1
			next
		}
		/^(not )?ok( |$)/ {
			st = ($1 == "not") ? "not ok" : "ok"
			sub(/^(not )?ok( [0-9]+)?( -)? ?/, "", $0)
			printf "%s - %s %s: %s\n", st, cell, bin, $0
			n++
		}
		END {
			flush()
			if (bin != "")
				printf "not ok - %s %s finished\n", cell, bin
		}
	' "$2"
}

# harness_line OK? TEXT
harness_line() {
	if [ "$1" = 1 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}

# write_results OUTDIR CELL QEMU_RC VERDICT LOG_CLEAN
write_results() {
	local out=$1 cell=$2 qrc=$3 verdict=$4 clean=$5 lines
	local got=0 pass=0
	[ "$verdict" != none ] && got=1
	[ "$verdict" = pass ] && pass=1
	lines=$(
		guest_results "$cell" "$out/tap.txt"
		case "$qrc" in
		0) harness_line 1 "$cell boot finished before timeout" ;;
		124 | 137) harness_line 0 \
			"$cell boot finished before timeout (${S2BOX_TIMEOUT:-300} s)" ;;
		*) harness_line 0 "$cell boot finished before timeout (qemu exit $qrc)" ;;
		esac
		harness_line "$got" "$cell verdict received"
		harness_line "$pass" "$cell guest verdict is pass"
		harness_line "$clean" "$cell kernel log clean"
	)
	{
		echo "TAP version 13"
		echo "1..$(printf '%s\n' "$lines" | wc -l)"
		printf '%s\n' "$lines" |
			awk '{ sub(/^ok/, "ok " NR); sub(/^not ok/, "not ok " NR); print }'
	} >"$out/results.tap"
	! grep -q '^not ok' "$out/results.tap"
}

# The initramfs could not be built: still leave a results.tap behind.
fail_early() {
	local out=$1 cell=$2
	printf 'TAP version 13\n1..1\nnot ok 1 - %s initramfs built\n' "$cell" \
		>"$out/results.tap"
	echo none >"$out/verdict"
	echo "qemu-run: $cell FAIL (initramfs)"
	exit 1
}

main() {
	if [ $# -lt 4 ] || [ $# -gt 5 ]; then
		die "usage: qemu-run.sh KERNEL_TAG CPU test|refuse|demo|bench|load|kvmonly OUTDIR [KO_PATH]"
	fi
	local tag=$1 cpu=$2 mode=$3 out=$4 ko=${5:-}
	local cell=${S2BOX_CELL:-$1-$2} nonce t0 t1 qrc verdict boot wall clean=1
	[ -f "$CACHE/kernels/$tag/vmlinuz" ] ||
		die "no kernel $tag in $CACHE (run scripts/setup.sh)"
	qemu_select
	mkdir -p "$out"
	rm -f "$out"/{console.log,channel.raw,tap.txt,dmesg.txt,verdict,timing} \
		"$out"/{check-log.txt,results.tap,qemu.cmd,initramfs.cpio.gz} \
		"$out"/qemu-version
	"${QEMU_CMD[@]}" --version | head -n1 >"$out/qemu-version"
	: >"$out/channel.raw"

	nonce=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	S2BOX_NONCE=$nonce bash "$ROOT/scripts/initramfs.sh" "$tag" "$mode" \
		"$out/initramfs.cpio.gz" ${ko:+"$ko"} || fail_early "$out" "$cell"

	t0=$EPOCHREALTIME
	qrc=$(run_qemu "$tag" "$cpu" "$out")
	t1=$EPOCHREALTIME

	split_channel "$out"
	verdict=$(guest_verdict "$out" "$nonce")
	echo "$verdict" >"$out/verdict"
	boot=$(awk '$1 == "S2BOX-BOOT" { print $2; exit }' "$out/tap.txt")
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	echo "boot=${boot:-?} wall=$wall" >"$out/timing"
	bash "$ROOT/scripts/check-log.sh" "$out/console.log" "$out/dmesg.txt" \
		>"$out/check-log.txt" 2>&1 || clean=0

	if write_results "$out" "$cell" "$qrc" "$verdict" "$clean"; then
		echo "qemu-run: $cell PASS ($(cat "$out/timing"))"
		return 0
	fi
	echo "qemu-run: $cell FAIL ($(cat "$out/timing")); see $out/results.tap"
	[ "$clean" = 1 ] || sed 's/^/  /' "$out/check-log.txt"
	return 1
}

main "$@"
