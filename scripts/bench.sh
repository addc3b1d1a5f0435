#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: boot one kernel on one emulated CPU BENCH_BOOTS times, one
# boot after the other; each loads s2box and runs s2box_bench (tools/bench),
# which does the same work with s2box and with a minimal KVM VMM in that
# one boot. scripts/bench-merge.py then takes, for every figure with a
# target and every measured pair, the per-boot values, their median and
# spread (min..max): one boot's median does not settle a ratio. Keeps:
#
#   build/bench/<cell>.json               the median boot's numbers, and
#                                         under "boots" every boot's value
#                                         of each, median, spread
#   build/bench/<cell>-boot<i>.json       boot i's numbers
#   build/bench/<cell>-summary.txt        the targets over all boots
#   build/bench/<cell>-latency-vs-ipa.dat the median boot's plot data
#   build/bench/<cell>-latency-vs-ipa.png the plot
#   build/bench/<cell>/boot-<i>/          boot i (console.log, tap.txt,
#                                         dmesg.txt, table.txt, ...)
# (<cell> is <kernel>-<cpu>), prints each boot's table and the summary. A
# complete run (no BENCH_ONLY, every boot measured) writes the median
# boot's table into Documentation/benchmarks.md and the summary into
# README.md, between their markers.
#
# Environment:
#   BENCH_BOOTS    boots to measure and merge (default 3; at least 1)
#   BENCH_KERNEL   kernel tag (default 6.12; 6.1, 6.12-16k)
#   BENCH_CPU      QEMU -cpu model (default neoverse-n1)
#   BENCH_MEM      guest memory in MiB (default 3072, minimum 2048; below
#                  about 2400 the reset part measures a 512 MiB box
#                  instead of 1 GiB: a box and its snapshot take twice it)
#   BENCH_SMP      guest CPUs (default 2)
#   BENCH_SCALE    iterations in percent of the defaults (default 100)
#   BENCH_TIMEOUT  hard limit for each boot in seconds (default 900)
#   BENCH_ONLY     parts to run, e.g. "latency" or "reset,clone"
#                  (default all: latency touch geometry cpus reset clone
#                  memory density)
# Under QEMU TCG the ratios are those of QEMU's costs, not of hardware.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KERNEL=${BENCH_KERNEL:-6.12}
CPU=${BENCH_CPU:-neoverse-n1}
MEM=${BENCH_MEM:-3072}
BOOTS=${BENCH_BOOTS:-3}
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

# plot DAT PNG BOOT
plot() {
	local dat=$1 png=$2 boot=$3
	gnuplot <<-EOF
		set terminal pngcairo size 1000,900 font ",10" noenhanced
		set output "$png"
		set multiplot layout 2,1 title "s2box and KVM, boot $boot of $BOOTS (the median boot): Debian $KERNEL on QEMU -cpu $CPU (TCG; medians)"
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

# boot I: boot I into $OUT/$CELL/boot-I, its table and files out of its
# channel; 0 if it measured (the boot may still have failed a check).
boot() {
	local i=$1 dir="$OUT/$CELL/boot-$1" bindir="$OUT/$CELL/bin" rc=0
	mkdir -p "$dir"
	echo "bench: boot $i of $BOOTS: Debian $KERNEL on QEMU -cpu $CPU ($MEM MiB, ${BENCH_SMP:-2} CPUs), s2box and KVM side by side..."
	S2BOX_BIN_DIR="$bindir" S2BOX_MEM="$MEM" S2BOX_SMP="${BENCH_SMP:-2}" \
		S2BOX_TIMEOUT="${BENCH_TIMEOUT:-900}" S2BOX_CELL="bench-$CELL" \
		S2BOX_APPEND="S2BOX_BENCH_KERNEL=$KERNEL S2BOX_BENCH_CPU=$CPU S2BOX_BENCH_ACCEL=tcg S2BOX_BENCH_SCALE=${BENCH_SCALE:-100}${BENCH_ONLY:+ S2BOX_BENCH_ONLY=$BENCH_ONLY}" \
		bash "$ROOT/scripts/qemu-run.sh" "$KERNEL" "$CPU" bench "$dir" ||
		rc=$?
	sed -n '/^=== s2box_bench: /,/^=== end of table ===$/p' \
		"$dir/tap.txt" >"$dir/table.txt" 2>/dev/null || true
	cat "$dir/table.txt"
	echo "bench: boot $i: $(cat "$dir/timing")"
	if ! extract_file "$dir/tap.txt" result.json "$OUT/$CELL-boot$i.json" ||
		! extract_file "$dir/tap.txt" latency-vs-ipa.dat \
			"$dir/latency-vs-ipa.dat"; then
		echo "bench: boot $i: no results from the guest; see $dir/console.log"
		return 2
	fi
	[ "$rc" = 0 ] ||
		echo "bench: boot $i FAILED a check, see $dir/results.tap and console.log"
	return "$rc"
}

main() {
	local t0 status=0 i median dat png
	local -a jsons=()
	t0=$EPOCHREALTIME
	[ -x "$BIN" ] || die "$BIN missing: make bench builds it"
	[ -f "$ROOT/build/$KERNEL/s2box.ko" ] ||
		die "build/$KERNEL/s2box.ko missing: make bench builds it"
	[ "$MEM" -ge 2048 ] || die "BENCH_MEM must be at least 2048 (MiB)"
	[[ "$BOOTS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_BOOTS must be 1 or more"
	command -v python3 >/dev/null || die "no python3 (scripts/setup.sh)"
	# Everything of an earlier run goes: no stale boot gets merged.
	rm -rf "${OUT:?}/$CELL"
	rm -f "$OUT/$CELL.json" "$OUT/$CELL"-boot*.json \
		"$OUT/$CELL-summary.txt" "$OUT/$CELL-latency-vs-ipa.dat" \
		"$OUT/$CELL-latency-vs-ipa.png"
	# Only the benchmark in the initramfs: a small image, a quick boot.
	mkdir -p "$OUT/$CELL/bin" && cp "$BIN" "$OUT/$CELL/bin/"

	for ((i = 1; i <= BOOTS; i++)); do
		boot "$i" || status=1
		[ -f "$OUT/$CELL-boot$i.json" ] &&
			jsons+=("$OUT/$CELL-boot$i.json")
	done
	if [ ${#jsons[@]} = 0 ]; then
		echo "bench: no boot measured anything"
		exit 1
	fi
	median=$(python3 "$ROOT/scripts/bench-merge.py" merge "$OUT/$CELL.json" \
		"${jsons[@]}") || die "bench-merge.py failed"
	python3 "$ROOT/scripts/bench-merge.py" summary "$OUT/$CELL.json" \
		>"$OUT/$CELL-summary.txt"
	dat="$OUT/$CELL-latency-vs-ipa.dat"
	png="$OUT/$CELL-latency-vs-ipa.png"
	cp "$OUT/$CELL/boot-$median/latency-vs-ipa.dat" "$dat"
	# A BENCH_ONLY run without the geometry part has nothing to plot.
	if ! grep -q '^[0-9]' "$dat"; then
		echo "bench: results in build/bench/$CELL.json (no geometry part, no plot)"
	elif need_gnuplot; then
		plot "$dat" "$png" "$median" || { echo "bench: gnuplot failed"; status=1; }
		echo "bench: results in build/bench/$CELL.json, plot (boot $median) in build/bench/$CELL-latency-vs-ipa.png"
	else
		status=1
	fi
	echo
	cat "$OUT/$CELL-summary.txt"
	echo
	echo "bench: $BOOTS boot(s) in $(awk -v a="$t0" -v b="$EPOCHREALTIME" \
		'BEGIN { printf "%.0f", b - a }') s wall time; boot $median is the median boot"
	if [ "$status" != 0 ]; then
		echo "bench: FAILED (a boot did not measure, or failed a check); the documents were not written"
	elif [ -z "${BENCH_ONLY:-}" ]; then
		write_doc_table "$OUT/$CELL/boot-$median/table.txt" "$median"
		write_readme_summary
	fi
	exit "$status"
}

# replace_block FILE MARKER TEXTFILE: the lines between FILE's
# "<!-- MARKER begin" and "<!-- MARKER end" lines become TEXTFILE's, so a
# document always shows what this script printed, never a pasted copy.
replace_block() {
	local doc=$1 marker=$2 text=$3
	grep -q "^<!-- $marker begin" "$doc" || return 1
	awk -v text="$text" -v b="^<!-- $marker begin" -v e="^<!-- $marker end" '
		$0 ~ e { skip = 0 }
		!skip { print }
		$0 ~ b {
			while ((getline l < text) > 0) print l
			skip = 1
		}' "$doc" >"$doc.new" && mv "$doc.new" "$doc"
}

# write_doc_table TABLE BOOT: the median boot's table of a complete run
# into Documentation/benchmarks.md, with the summary over all boots.
write_doc_table() {
	local doc="$ROOT/Documentation/benchmarks.md" tmp
	tmp=$(mktemp)
	{
		echo "Latest run (\`make bench\`, $KERNEL on $CPU, $(date -u +%Y-%m-%d), $BOOTS boots): the targets over all boots, then the full table of boot $2, the median boot."
		echo
		echo '```'
		cat "$OUT/$CELL-summary.txt"
		echo
		cat "$1"
		echo '```'
	} >"$tmp"
	replace_block "$doc" bench-table "$tmp" &&
		echo "bench: tables written to Documentation/benchmarks.md"
	rm -f "$tmp"
}

# write_readme_summary: the summary over all boots, as a Markdown table,
# into README.md's Benchmarks section.
write_readme_summary() {
	local tmp
	tmp=$(mktemp)
	python3 "$ROOT/scripts/bench-merge.py" summary "$OUT/$CELL.json" \
		--markdown >"$tmp" &&
		replace_block "$ROOT/README.md" bench-summary "$tmp" &&
		echo "bench: summary written to README.md"
	rm -f "$tmp"
}

main "$@"
