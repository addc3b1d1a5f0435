#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Counts every TAP result under the results directory and prints the one
# closing line CI reads: "s2box: N passed, N failed, N skipped". A TAP file
# whose plan ("1..N") disagrees with the results it holds, or that holds
# no result at all, counts as one more failure (a runner died half-way). Exits non-zero on any failure, or
# when nothing ran at all.
set -euo pipefail

RESULTS=${1:-build/results}
passed=0 failed=0 skipped=0

count_file() {
	local file=$1 line plan= seen=0
	while IFS= read -r line; do
		case "$line" in
		"not ok "*)
			failed=$((failed + 1)) seen=$((seen + 1))
			echo "FAILED ($file): $line" ;;
		"ok "*"# SKIP"*|"ok "*"# skip"*)
			skipped=$((skipped + 1)) seen=$((seen + 1)) ;;
		"ok "*)
			passed=$((passed + 1)) seen=$((seen + 1)) ;;
		1..*)
			plan=${line#1..}
			plan=${plan%% *} ;;
		esac
	done <"$file"
	if [ "$seen" -eq 0 ]; then
		failed=$((failed + 1))
		echo "FAILED ($file): no results at all"
	elif [ -n "$plan" ] && [ "$plan" != "$seen" ]; then
		failed=$((failed + 1))
		echo "FAILED ($file): planned $plan results, saw $seen"
	fi
}

while IFS= read -r -d '' f; do
	count_file "$f"
done < <(find "$RESULTS" -name '*.tap' -type f -print0 | sort -z)

echo "s2box: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
