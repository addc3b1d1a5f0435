#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the s2box test initramfs (scripts/initramfs.sh). It runs under
# busybox ash, not bash: the image carries no bash.
#
# Modes (/etc/s2box/mode):
#   test    insmod, run every test binary in /bin/tests, rmmod
#   refuse  insmod must fail with ENODEV and dmesg must say why ("s2box: ...")
#   demo    insmod, run /bin/tests/s2box_demo if present, rmmod
#   bench   insmod, run /bin/tests/s2box_bench, send the files it wrote
#           to /tmp/s2box-bench, rmmod
#   load    insmod, rmmod (the cheapest proof that a module loads)
#   kvmonly no module at all (the image carries none): check s2box is
#           absent, then run $S2BOX_CHURN_TEST (default s2box_stress_test)
#           $S2BOX_CHURN_RUNS times (default 1) with the words of
#           $S2BOX_CHURN_ARGS (comma-separated) as its arguments, each run
#           as "<binary>.<n>" on the channel (scripts/kvm-churn.sh). The
#           S2BOX_CHURN_* and the test's own variables come from the
#           kernel command line, which hands unknown words to /init.
#
# The host learns the outcome only from the virtio serial port named
# org.s2box.result, never from the console. Protocol, one item a line:
#   S2BOX-BOOT <seconds from kernel start to /init>
#   S2BOX-BEGIN <binary>  ...its stdout+stderr...  S2BOX-END <binary> <rc>
#   S2BOX-STEP ok|not ok - <what>        (insmod, rmmod, exit codes, ...)
#   S2BOX-FILE-BEGIN <name>  ...a file...  S2BOX-FILE-END <name>  (bench)
#   S2BOX-DMESG-BEGIN  ...dmesg...  S2BOX-DMESG-END
#   S2BOX-VERDICT <nonce> pass|fail      (always last)
# The port admits one opener at a time and init holds it, with fd 3 closed
# in every child, so no test can write there; the nonce lives only in this
# image and is deleted before any test runs.
#
# busybox ash has "local" and "pipefail", which POSIX sh lacks.
# shellcheck disable=SC3043,SC3040
#
# No "set -e": if init exits the kernel panics and the verdict is lost, so
# every step is checked explicitly and folded into $VERDICT instead.
set -u
set -o pipefail

# Tests may call each other's binaries (CLI, demo) by name.
PATH=/bin:/sbin:/bin/tests
export PATH
PORT_NAME=org.s2box.result
VERDICT=pass
NONCE=
KO=
MODNAME=
INSMOD_ARGS=
NOT_TESTS=

log() { echo "s2box-init: $*"; }

chan() { printf '%s\n' "$*" >&3; }

# step ok|fail WHAT: one harness-level result, on the console and channel.
step() {
	local line
	if [ "$1" = ok ]; then
		line="ok - $2"
	else
		line="not ok - $2"
		VERDICT=fail
	fi
	echo "$line"
	chan "S2BOX-STEP $line"
}

# busybox needs no /proc for --install when called by absolute path.
setup_fs() {
	/bin/busybox --install -s /bin
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	# Optional: tests skip what they need if these are absent.
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
	mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null || true
	exec 3>/dev/null
}

read_config() {
	read -r MODE </etc/s2box/mode
	read -r NONCE </etc/s2box/nonce
	# Gone before any test runs, so no test can forge the verdict line.
	rm -f /etc/s2box/nonce
	read -r INSMOD_ARGS </etc/s2box/insmod_args || INSMOD_ARGS=
	read -r NOT_TESTS </etc/s2box/not_tests || NOT_TESTS=
	for KO in /lib/s2box/*.ko; do break; done
	MODNAME=${KO##*/}
	MODNAME=${MODNAME%.ko}
	MODNAME=$(echo "$MODNAME" | tr - _)
}

# On 6.1 virtio-pci and virtio-console are modules (dependencies first).
load_channel_modules() {
	local m
	for m in /lib/s2box/pre/*.ko; do
		[ -f "$m" ] || continue
		insmod "$m" || log "insmod $m failed"
	done
}

# The port appears asynchronously (the host announces it on the control
# queue), so poll for its name for up to 10 s.
open_channel() {
	local i=0 d dev
	while [ $i -lt 100 ]; do
		for d in /sys/class/virtio-ports/*; do
			[ "$(cat "$d/name" 2>/dev/null)" = "$PORT_NAME" ] || continue
			dev=/dev/${d##*/}
			[ -c "$dev" ] || continue
			# A failed redirection on "exec" would kill init: try first.
			if (exec 3>"$dev") 2>/dev/null; then
				exec 3>"$dev"
				return 0
			fi
		done
		sleep 0.1
		i=$((i + 1))
	done
	log "no virtio port $PORT_NAME: the host gets no verdict"
	return 1
}

is_not_test() {
	case " $NOT_TESTS " in *" $1 "*) return 0 ;; esac
	return 1
}

# run_one PATH [NAME [ARG...]]: stream its output to console and channel;
# record its rc. NAME (default PATH's basename) is what the channel calls it.
run_one() {
	local t="$1" name="${2:-${1##*/}}" rc
	[ $# -ge 2 ] && shift
	shift
	log "running $name"
	chan "S2BOX-BEGIN $name"
	rm -f /tmp/.rc
	# awk ends an unterminated last line, so the END marker starts a line.
	{
		(cd /tmp && "$t" "$@" </dev/null 3>&- 2>&1)
		echo $? >/tmp/.rc
	} | awk '{ print; fflush() }' | tee /dev/console >&3
	rc=$(cat /tmp/.rc 2>/dev/null || echo unknown)
	chan "S2BOX-END $name $rc"
	if [ "$rc" = 0 ]; then
		step ok "$name exited 0"
	else
		step fail "$name exited $rc"
	fi
}

do_insmod() {
	# shellcheck disable=SC2086 # module parameters are separate words
	if insmod "$KO" $INSMOD_ARGS 3>&-; then
		step ok "insmod $MODNAME"
		return 0
	fi
	step fail "insmod $MODNAME"
	return 1
}

do_rmmod() {
	if rmmod "$MODNAME" 3>&-; then
		step ok "rmmod $MODNAME"
	else
		step fail "rmmod $MODNAME"
	fi
}

# Boot-time objects kmemleak suspects are not ours: forget them, so the
# scan in finish() reports only what was leaked after this point.
clear_kmemleak() {
	local f=/sys/kernel/debug/kmemleak
	[ -w $f ] || return 0
	echo clear >$f
}

mode_test() {
	local t ran=0
	clear_kmemleak
	do_insmod || return 0
	for t in /bin/tests/*; do
		if [ ! -f "$t" ] || [ ! -x "$t" ]; then
			continue
		fi
		is_not_test "${t##*/}" && continue
		run_one "$t"
		ran=$((ran + 1))
	done
	[ $ran -gt 0 ] || log "no test binaries in /bin/tests"
	do_rmmod
}

# s2box_absent WHEN: no module file, none loaded, no device node.
s2box_absent() {
	local ko
	for ko in /lib/s2box/*.ko; do
		[ -e "$ko" ] && { step fail "no s2box module in the image ($ko)"; return; }
	done
	if grep -q '^s2box ' /proc/modules || [ -e /dev/s2box ]; then
		step fail "s2box absent $1"
	else
		step ok "s2box absent $1 (no module, no /dev/s2box)"
	fi
}

# KVM's own behaviour with s2box never inserted in this boot: the control
# for bugs seen next to the module (see the mode list at the top).
mode_kvmonly() {
	local test="${S2BOX_CHURN_TEST:-s2box_stress_test}"
	local runs="${S2BOX_CHURN_RUNS:-1}" args n=1
	args=$(echo "${S2BOX_CHURN_ARGS:-}" | tr , ' ')
	s2box_absent before
	if [ ! -x "/bin/tests/$test" ]; then
		step fail "$test in /bin/tests"
		return
	fi
	while [ $n -le "$runs" ]; do
		# shellcheck disable=SC2086 # the test's arguments are words
		run_one "/bin/tests/$test" "$test.$n" $args
		n=$((n + 1))
	done
	s2box_absent after
}

# The kernel's own words, without busybox dmesg's "[ time] " prefix.
kernel_lines() {
	dmesg | sed 's/^\[[^]]*\] *//'
}

mode_refuse() {
	local out rc why
	# shellcheck disable=SC2086
	out=$(insmod "$KO" $INSMOD_ARGS 2>&1 3>&-)
	rc=$?
	echo "$out"
	if [ $rc -eq 0 ]; then
		step fail "insmod $MODNAME refused (it loaded)"
		rmmod "$MODNAME"
	elif echo "$out" | grep -q 'No such device'; then
		step ok "insmod $MODNAME refused with ENODEV"
	else
		step fail "insmod $MODNAME refused with ENODEV (got: $out)"
	fi
	# The module loader prefixes its own messages with the module name;
	# those say nothing about why s2box refused.
	local loader='taints kernel|module verification failed|Unknown symbol'
	loader="$loader|disagrees about version|unknown parameter|module license"
	why=$(kernel_lines | grep '^s2box:' | grep -vE "$loader" | head -n1)
	if [ -n "$why" ]; then
		step ok "dmesg explains: $why"
	else
		step fail "dmesg has a line starting with s2box:"
	fi
}

mode_demo() {
	do_insmod || return 0
	if [ -x /bin/tests/s2box_demo ]; then
		run_one /bin/tests/s2box_demo
	else
		step ok "s2box_demo # SKIP not built"
	fi
	do_rmmod
}

# The benchmark's environment comes from the kernel command line
# (S2BOX_BENCH_* words, see scripts/bench.sh); its results are files,
# sent whole after it ended so nothing else can interleave with them.
mode_bench() {
	local f
	do_insmod || return 0
	if [ -x /bin/tests/s2box_bench ]; then
		rm -rf /tmp/s2box-bench
		run_one /bin/tests/s2box_bench
		for f in /tmp/s2box-bench/*; do
			[ -f "$f" ] || continue
			chan "S2BOX-FILE-BEGIN ${f##*/}"
			cat "$f" >&3
			chan "S2BOX-FILE-END ${f##*/}"
		done
	else
		step fail "s2box_bench in /bin/tests"
	fi
	do_rmmod
}

# On kernels with kmemleak (Debian's have none) a scan makes the kernel
# log "kmemleak: N new suspected memory leaks", which the host's log check
# catches. Objects younger than 5 s are never reported, hence the wait.
scan_kmemleak() {
	local f=/sys/kernel/debug/kmemleak
	[ -w $f ] || return 0
	sleep 5
	echo scan >$f
	cat $f
}

finish() {
	scan_kmemleak
	chan "S2BOX-DMESG-BEGIN"
	dmesg >&3
	chan "S2BOX-DMESG-END"
	log "verdict $VERDICT"
	chan "S2BOX-VERDICT $NONCE $VERDICT"
	# virtio-console writes return once the host has the data; closing
	# and syncing first costs nothing and covers other transports.
	exec 3>&-
	sync
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 10
}

main() {
	local up
	setup_fs
	read -r up _ </proc/uptime
	log "userspace after ${up}s"
	read_config
	load_channel_modules
	open_channel || VERDICT=fail
	chan "S2BOX-BOOT $up"
	case "$MODE" in
	test) mode_test ;;
	refuse) mode_refuse ;;
	demo) mode_demo ;;
	bench) mode_bench ;;
	load) do_insmod && do_rmmod ;;
	kvmonly) mode_kvmonly ;;
	*) step fail "known mode ($MODE)" ;;
	esac
	finish
}

main
