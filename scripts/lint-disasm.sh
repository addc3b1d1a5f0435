#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks of s2box.ko's machine code that neither the compiler nor QEMU
# can make (sourced by scripts/lint.sh; each function prints what it
# found wrong and returns non-zero):
#
#   lint_tlbi_source     every broadcast __tlbi() in module/*.c is followed,
#                        in the same function, by __tlbi_sync_s1ish_hyp()
#                        (erratum 4118414: a bare DSB does not wait for
#                        accesses in flight on affected CPUs)
#   lint_tlbi_disasm KO  the same in the machine code: a function with a
#                        broadcast TLBI also holds the repeat the helper
#                        patches in (TLBI VALE2IS), when the headers have it
#   lint_switch_calls KO s2box_world_switch calls nothing between its first
#                        and its last write of an EL2 register but the
#                        assembly of switch.S: a call to compiled C there
#                        could be hooked by ftrace, kprobes or a sanitizer
#                        while the box's traps or regime are live

OBJDUMP=${OBJDUMP:-aarch64-linux-gnu-objdump}

lint_tlbi_source() {
	local top=$1
	awk '
		FNR == 1 { pending = 0 }
		/__tlbi\([a-z0-9]+is[,)]/ { pending = FNR }
		/__tlbi_sync_s1ish_hyp\(\)/ { pending = 0 }
		/^}/ && pending {
			printf "%s:%d: broadcast TLBI not completed with __tlbi_sync_s1ish_hyp()\n",
				FILENAME, pending
			bad = 1; pending = 0
		}
		END { exit bad }
	' "$top"/module/*.c
}

# disasm_functions KO: "function<TAB>instruction" for every instruction.
disasm_functions() {
	"$OBJDUMP" -dr --no-show-raw-insn "$1" | awk '
		/^[0-9a-f]+ <[^>]+>:$/ { fn = $2; gsub(/[<>:]/, "", fn); next }
		/^ +[0-9a-f]+:\t/ {
			sub(/^ +[0-9a-f]+:\t/, ""); gsub(/\t/, " "); print fn "\t" $0; next
		}
		/R_AARCH64_(CALL|JUMP)26/ { print fn "\treloc " $NF }
	'
}

lint_tlbi_disasm() {
	local ko=$1 headers_have_helper=$2
	[ "$headers_have_helper" = 1 ] || return 0
	disasm_functions "$ko" | awk -F'\t' '
		$2 ~ /^tlbi +[a-z0-9]+is([, ]|$)/ && $2 !~ /vale2is/ { bcast[$1] = $2 }
		$2 ~ /^tlbi +vale2is/ { repeat[$1] = 1 }
		END {
			for (f in bcast) if (!(f in repeat)) {
				printf "%s: \"%s\" without the erratum-4118414 repeat\n", f, bcast[f]
				bad = 1
			}
			exit bad
		}'
}

lint_switch_calls() {
	local ko=$1 allowed
	# Every global symbol switch.S defines is assembly, never instrumented.
	allowed=$(grep -ho 'SYM_FUNC_START(s2box_[a-z0-9_]*)' \
		"$(dirname "${BASH_SOURCE[0]}")/../module/switch.S" |
		sed 's/.*(\(.*\))/\1/' | tr '\n' ' ')
	disasm_functions "$ko" | awk -F'\t' -v allowed=" $allowed " '
		$1 != "s2box_world_switch" { next }
		{ n++; insn[n] = $2 }
		$2 ~ /^msr +[a-z0-9_]+_el2,/ { if (!first) first = n; last = n }
		END {
			if (!first) { print "s2box_world_switch: no EL2 write found"; exit 1 }
			for (i = first; i <= last; i++) {
				# A bl to a static function of the same object has
				# no relocation: only one followed by an allowed
				# relocation passes.
				if (insn[i] ~ /^bl / && insn[i + 1] !~ /^reloc /) {
					printf "s2box_world_switch: call to a local function (%s) between the first and last EL2 write\n", insn[i]
					bad = 1
				}
				if (insn[i] ~ /^reloc / || insn[i] ~ /^blr/) {
					sym = insn[i]; sub(/^reloc /, "", sym)
					if (insn[i] ~ /^blr/ || index(allowed, " " sym " ") == 0) {
						printf "s2box_world_switch: call to %s between the first and last EL2 write\n", sym
						bad = 1
					}
				}
			}
			exit bad
		}'
}
