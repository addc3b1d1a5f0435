#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: boot one kernel on one emulated CPU, load s2box and run
# s2box_bench (tools/bench), which does the same work with s2box and with
# a minimal KVM VMM in that one boot. Keeps what it measured:
#
#   build/bench/<kernel>-<cpu>.json                  every number
#   build/bench/<kernel>-<cpu>-latency-vs-ipa.dat    the plot's data
#   build/bench/<kernel>-<cpu>-latency-vs-ipa.png    the plot
#   build/bench/<kernel>-<cpu>/                      the boot (console.log,
#                                                    tap.txt, dmesg.txt, ...)
# and prints the table.
#
# Environment:
#   BENCH_KERNEL   kernel tag (default 6.12; 6.1, 6.12-16k)
#   BENCH_CPU      QEMU -cpu model (default neoverse-n1)
#   BENCH_MEM      guest memory in MiB (default 3072, minimum 2048; below
#                  about 2400 the reset part measures a 512 MiB box
#                  instead of 1 GiB: a box and its snapshot take twice it)
#   BENCH_SMP      guest CPUs (default 2)
#   BENCH_SCALE    iterations in percent of the defaults (default 100)
#   BENCH_TIMEOUT  hard limit for the boot in seconds (default 900)
#   BENCH_ONLY     parts to run, e.g. "latency" or "reset,clone"
#                  (default all: latency touch geometry cpus reset clone
#                  memory density)
# Under QEMU TCG the ratios are those of QEMU's costs, not of hardware.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KERNEL=${BENCH_KERNEL:-6.12}
CPU=${BENCH_CPU:-neoverse-n1}
MEM=${BENCH_MEM:-3072}
OUT="$ROOT/build/bench"
CELL="$KERNEL-$CPU"
BIN="$ROOT/build/arm64/bin/s2box_bench"

die() { echo "bench.sh: $*" >&2; exit 2; }

# gnuplot draws the PNG; Debian's gnuplot-nox, installed once like the
# packages of scripts/setup.sh.
need_gnuplot() {
	command -v gnuplot >/dev/null && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "bench.sh: no gnuplot and not root; install gnuplot-nox" >&2
		return 1
	fi
	echo "bench.sh: installing gnuplot-nox" >&2
	apt-get update -qq >/dev/null &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends gnuplot-nox >/dev/null
}

# extract_file TAP NAME DEST: a file the guest sent between
# S2BOX-FILE-BEGIN NAME and S2BOX-FILE-END NAME (guest-init.sh, bench).
extract_file() {
	awk -v name="$2" '
		$0 == "S2BOX-FILE-END " name { on = 0 }
		on { print }
		$0 == "S2BOX-FILE-BEGIN " name { on = 1; found = 1 }
		END { exit !found }
	' "$1" >"$3.tmp" && mv "$3.tmp" "$3"
}

plot() {
	local dat=$1 png=$2
	gnuplot <<-EOF
		set terminal pngcairo size 1000,900 font ",10" noenhanced
		set output "$png"
		set multiplot layout 2,1 title "s2box and KVM, one boot: Debian $KERNEL on QEMU -cpu $CPU (TCG; medians)"
		set grid
		set key outside right
		set xlabel "IPA size (bits)"
		set xtics 1
		set ylabel "round trip (us)"
		set yrange [0:*]
		titles = "s2box-4K s2box-16K s2box-64K KVM"
		plot for [i=2:5] "$dat" using 1:i with linespoints title word(titles, i - 1)
		set ylabel "create, first exit, destroy (us)"
		set logscale y
		set yrange [*:*]
		plot for [i=6:9] "$dat" using 1:i with linespoints title word(titles, i - 5)
		unset multiplot
	EOF
}

main() {
	local t0 status=0 dir="$OUT/$CELL" bindir
	t0=$EPOCHREALTIME
	[ -x "$BIN" ] || die "$BIN missing: make bench builds it"
	[ -f "$ROOT/build/$KERNEL/s2box.ko" ] ||
		die "build/$KERNEL/s2box.ko missing: make bench builds it"
	[ "$MEM" -ge 2048 ] || die "BENCH_MEM must be at least 2048 (MiB)"
	mkdir -p "$dir"
	# Only the benchmark in the initramfs: a small image, a quick boot.
	bindir="$dir/bin"
	rm -rf "$bindir" && mkdir -p "$bindir" && cp "$BIN" "$bindir/"
	rm -f "$OUT/$CELL.json" "$OUT/$CELL-latency-vs-ipa.dat" \
		"$OUT/$CELL-latency-vs-ipa.png"

	echo "bench: booting Debian $KERNEL on QEMU -cpu $CPU ($MEM MiB, ${BENCH_SMP:-2} CPUs), s2box and KVM side by side..."
	S2BOX_BIN_DIR="$bindir" S2BOX_MEM="$MEM" S2BOX_SMP="${BENCH_SMP:-2}" \
		S2BOX_TIMEOUT="${BENCH_TIMEOUT:-900}" S2BOX_CELL="bench-$CELL" \
		S2BOX_APPEND="S2BOX_BENCH_KERNEL=$KERNEL S2BOX_BENCH_CPU=$CPU S2BOX_BENCH_ACCEL=tcg S2BOX_BENCH_SCALE=${BENCH_SCALE:-100}${BENCH_ONLY:+ S2BOX_BENCH_ONLY=$BENCH_ONLY}" \
		bash "$ROOT/scripts/qemu-run.sh" "$KERNEL" "$CPU" bench "$dir" ||
		status=$?

	sed -n '/^=== s2box_bench: /,/^=== end of table ===$/p' "$dir/tap.txt"
	if ! extract_file "$dir/tap.txt" result.json "$OUT/$CELL.json" ||
		! extract_file "$dir/tap.txt" latency-vs-ipa.dat \
			"$OUT/$CELL-latency-vs-ipa.dat"; then
		echo "bench: no results from the guest; see $dir/console.log"
		exit 1
	fi
	# A BENCH_ONLY run without the geometry part has nothing to plot.
	if ! grep -q '^[0-9]' "$OUT/$CELL-latency-vs-ipa.dat"; then
		echo "bench: results in build/bench/$CELL.json (no geometry part, no plot)"
	elif need_gnuplot; then
		plot "$OUT/$CELL-latency-vs-ipa.dat" \
			"$OUT/$CELL-latency-vs-ipa.png" ||
			{ echo "bench: gnuplot failed"; status=1; }
		echo "bench: results in build/bench/$CELL.json, plot in build/bench/$CELL-latency-vs-ipa.png"
	else
		status=1
	fi
	echo "bench: $(awk -v a="$t0" -v b="$EPOCHREALTIME" \
		'BEGIN { printf "%.0f", b - a }') s wall time; the boot: $(cat "$dir/timing")"
	if [ "$status" != 0 ]; then
		echo "bench: FAILED, see $dir/results.tap and console.log"
	elif [ -z "${BENCH_ONLY:-}" ]; then
		write_doc_table "$dir/tap.txt"
	fi
	exit "$status"
}

# write_doc_table TAP: the table of a complete run into
# Documentation/benchmarks.md, between its bench-table markers, so the
# document always shows a table this script printed, never a pasted one.
write_doc_table() {
	local doc="$ROOT/Documentation/benchmarks.md" tmp
	grep -q '^<!-- bench-table begin' "$doc" || return 0
	tmp=$(mktemp)
	{
		echo "Latest run (\`make bench\`, $KERNEL on $CPU, $(date -u +%Y-%m-%d)):"
		echo
		echo '```'
		sed -n '/^=== s2box_bench: /,/^=== end of table ===$/p' "$1"
		echo '```'
	} >"$tmp"
	awk -v table="$tmp" '
		/^<!-- bench-table end/ { skip = 0 }
		!skip { print }
		/^<!-- bench-table begin/ {
			while ((getline l < table) > 0) print l
			skip = 1
		}' "$doc" >"$doc.new" && mv "$doc.new" "$doc"
	rm -f "$tmp"
	echo "bench: table written to Documentation/benchmarks.md"
}

main "$@"
