#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Counts every TAP result under the results directory and prints the one
# closing line CI reads: "s2box: N passed, N failed, N skipped". Exits
# non-zero on any failure, or when nothing ran at all.
set -euo pipefail

RESULTS=${1:-build/results}
passed=0 failed=0 skipped=0

while IFS= read -r line; do
	case "$line" in
	"not ok "*)
		failed=$((failed + 1))
		echo "FAILED: $line" ;;
	"ok "*"# SKIP"*|"ok "*"# skip"*)
		skipped=$((skipped + 1)) ;;
	"ok "*)
		passed=$((passed + 1)) ;;
	esac
done < <(find "$RESULTS" -name '*.tap' -type f -print0 | sort -z |
	 xargs -0 -r cat)

echo "s2box: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
