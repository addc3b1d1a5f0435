#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Size limits of the user-space C sources (selftests/, tools/, lib/): no
# file over MAX_FILE lines and no function over MAX_FUNC lines, so that
# every piece can be read whole. A function is what kernel style writes:
# a "{" alone in column 0 up to the next "}" in column 0 (TEST_F() and
# FIXTURE_SETUP() bodies included).
#
#   bash scripts/lint-size.sh [FILE...]    one line a violation; status 1
#                                          if there is any
#
# scripts/lint-size.allow lists the violations that predate the check
# ("file: function SIGNATURE" or "file: file", a line, as printed without
# the numbers): they are
# printed as known, and the list is meant to shrink. A new one fails.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
MAX_FILE=${MAX_FILE:-800}
MAX_FUNC=${MAX_FUNC:-80}
ALLOW="$TOP/scripts/lint-size.allow"

if [ $# -eq 0 ]; then
	mapfile -t files < <(cd "$TOP" && git ls-files 'selftests/*.[ch]' \
		'tools/*.[ch]' 'lib/*.[ch]')
else
	files=("$@")
fi

bad=0
for f in "${files[@]}"; do
	out=$(cd "$TOP" && awk -v maxf="$MAX_FILE" -v maxfn="$MAX_FUNC" '
		/^\{/ { start = FNR; sig = prev }
		/^\}/ && start {
			if (FNR - start - 1 > maxfn)
				printf "%s:%d: function %s has %d lines (over %d)\n",
					FILENAME, start, sig, FNR - start - 1, maxfn
			start = 0
		}
		{ if ($0 !~ /^[ \t]/ && $0 != "" && $0 !~ /^\{/) prev = $0 }
		END {
			if (FNR > maxf)
				printf "%s: file has %d lines (over %d)\n", FILENAME, FNR,
					maxf
		}' "$f")
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		key=$(sed -E 's/^([^:]+):[0-9]+:/\1:/; s/ has [0-9]+ lines.*//' \
			<<<"$line")
		if grep -qxF "$key" "$ALLOW" 2>/dev/null; then
			echo "known: $line"
		else
			echo "$line"
			bad=1
		fi
	done <<<"$out"
done
exit "$bad"
