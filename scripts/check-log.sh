#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fail if a guest kernel log shows a warning, oops, lockdep or RCU splat,
# stall, SError, sanitizer report or leak.
#
#   scripts/check-log.sh LOGFILE...
#
# Prints the offending lines and exits 1 if any are found; exits 0 on a
# clean log. A console log interleaves kernel and user output, so when a
# file has printk timestamps only text after a "[ secs.usecs]" stamp is
# judged: a test that prints "WARNING:" itself is not a kernel splat.
# scripts/qemu-run.sh boots with printk.time=1 to guarantee the stamps.
set -euo pipefail

# Extended regexps, one per kind of trouble.
BAD=(
	'WARNING:'
	'BUG:'
	'kernel BUG at'
	'Oops'
	'Internal error'
	'Bad page state'
	'Kernel panic'
	'possible circular locking'
	'inconsistent lock state'
	'possible recursive locking'
	'suspicious RCU usage'
	'self-detected stall'
	'rcu: INFO:'
	'soft lockup'
	'hung_task'
	'blocked for more than'
	'SError'
	'Unable to handle'
	'KASAN'
	'UBSAN'
	'kmemleak: [0-9]+ new suspected'
	'unreferenced object'
	'Call trace:'
)

# Whole splats (from "cut here" to "end trace") that are normal on QEMU
# virt, matched by a line of the splat. Measured on Debian 6.1 and 6.12,
# -cpu max, neoverse-n1, cortex-a76, a64fx and cortex-a57.
BENIGN_SPLATS=(
	# a64fx: QEMU models its 256-byte cache lines, larger than the
	# kernel's ARCH_DMA_MINALIGN (128); arch_setup_dma_ops() warns once
	# per DMA-capable platform device. Not ours and harmless under TCG.
	'ARCH_DMA_MINALIGN smaller than CTR_EL0\.CWG'
)

# Kernel log lines start with "[ secs.usecs] " (printk.time=1).
TS='\[ *[0-9]+\.[0-9]+\] '

join() { local IFS='|'; echo "$*"; }

# Print the offending lines of $1. Without any printk timestamp in the file
# whole lines are judged (e.g. "dmesg -t" output).
offending_lines() {
	local use_ts=0
	grep -Eq "$TS" "$1" && use_ts=1
	# ENVIRON, not -v: awk would eat the backslashes of -v values.
	BAD_RE="($(join "${BAD[@]}"))" BENIGN_RE="($(join "${BENIGN_SPLATS[@]}"))" \
	TS_RE="$TS" USE_TS=$use_ts awk '
		function judge(line,  s, i) {
			s = line
			if (ENVIRON["USE_TS"] == 1) {
				i = match(s, ENVIRON["TS_RE"])
				if (!i)
					return
				s = substr(s, i)
			}
			if (s ~ ENVIRON["BAD_RE"])
				print line
		}
		function flush(  j) {
			if (!benign)
				for (j = 1; j <= n; j++)
					judge(blk[j])
			n = 0; benign = 0; inblk = 0
		}
		{ sub(/\r$/, "") }
		/------------\[ cut here \]------------/ { flush(); inblk = 1 }
		inblk {
			blk[++n] = $0
			if ($0 ~ ENVIRON["BENIGN_RE"])
				benign = 1
			if ($0 ~ /---\[ end trace/)
				flush()
			next
		}
		{ judge($0) }
		END { flush() }
	' "$1"
}

check_file() {
	local f=$1 hits
	[ -s "$f" ] || return 0
	hits=$(offending_lines "$f")
	[ -z "$hits" ] && return 0
	echo "check-log: $f:"
	printf '%s\n' "$hits" | sed 's/^/  /'
	return 1
}

main() {
	local f rc=0
	[ $# -ge 1 ] || { echo "usage: check-log.sh LOGFILE..." >&2; exit 2; }
	for f in "$@"; do
		[ -e "$f" ] || { echo "check-log: $f: missing" >&2; rc=1; continue; }
		check_file "$f" || rc=1
	done
	return $rc
}

main "$@"
