# SPDX-License-Identifier: GPL-2.0
#
# s2box top-level driver. The kernel module itself is described by Kbuild;
# this file sets up the toolchain and kernels, builds the module for every
# kernel in the matrix, and runs the tests under QEMU.
#
#   make demo     boot an emulated arm64 server and show boxes being made
#   make check    every test; ends with "s2box: N passed, N failed, N skipped"
#   make deb      the Debian packages s2box-dkms and s2box-tools (arm64) in
#                 build/deb/, checked by lintian
#   make bench    s2box and a minimal KVM VMM side by side in each of
#                 BENCH_BOOTS boots (default 3; BENCH_KERNEL=6.12,
#                 BENCH_CPU=neoverse-n1): a table per boot, the targets'
#                 medians over the boots, build/bench/<kernel>-<cpu>.json
#                 and a PNG plot
#   make check-debug  the kselftests on a KASAN/lockdep/kmemleak/UBSAN kernel
#
# Out-of-tree use on an arm64 host: make modules / make install
# (KERNELDIR defaults to the running kernel's build tree).

KERNELRELEASE ?= $(shell uname -r)
KERNELDIR ?= /lib/modules/$(KERNELRELEASE)/build
S2BOX_CACHE ?= $(or $(HOME),/root)/.cache/s2box
export S2BOX_CACHE

KERNELS ?= 6.1 6.12 6.12-16k 7.3
CPUS ?= max neoverse-n1 cortex-a76 a64fx cortex-a57 neoverse-n2 neoverse-v1
export KERNELS CPUS

CROSS ?= aarch64-linux-gnu-
TOP := $(CURDIR)
B := $(TOP)/build
RESULTS := $(B)/results
KSRC = $(S2BOX_CACHE)/kernels/$(1)/build
# A kernel whose kbuild tools need a newer distribution than the machine's
# (7.3: Debian 13's glibc and gcc 14) builds in its chroot (scripts/chroot.sh).
KMAKE = bash $(TOP)/scripts/chroot.sh run $(1) \
	$(MAKE) -s -C $(call KSRC,$(1)) M=$(B)/$(1)/src ARCH=arm64 \
	CROSS_COMPILE=$(CROSS)
MODULE_SRCS := Kbuild VERSION $(wildcard module/*.[chS]) uapi/linux/s2box.h \
	uapi/linux/s2box_netlink.h

.PHONY: all modules install tools-install dkms-install setup module selftests tools unit \
	lint matrix dkms-test deb deb-test check check-debug debug-kernel demo bench clean

all: modules

# --- on an arm64 host, for the running kernel -----------------------------
modules:
	$(MAKE) -C $(KERNELDIR) M=$(TOP) modules

install: modules
	$(MAKE) -C $(KERNELDIR) M=$(TOP) modules_install
	install -D -m 0644 scripts/60-s2box.rules \
		$(DESTDIR)/etc/udev/rules.d/60-s2box.rules
	depmod -a $(KERNELRELEASE)
	$(MAKE) -C tools install

# s2boxctl alone, with libs2box (lib/) linked in statically.
tools-install:
	$(MAKE) -C tools install

dkms-install:
	bash scripts/dkms-install.sh

# --- cross builds and tests on the x86_64 set-up machine -------------------
setup:
	@bash scripts/setup.sh

# One private source copy per kernel, so the kernels' builds never share
# object files.
module: setup
	@for k in $(KERNELS); do \
		mkdir -p $(B)/$$k/src && \
		cp -a --parents $(MODULE_SRCS) $(B)/$$k/src/ && \
		$(call KMAKE,$$k) W=1 KCFLAGS=-Werror modules && \
		cp $(B)/$$k/src/s2box.ko $(B)/$$k/s2box.ko || exit 1; \
		echo "module: built build/$$k/s2box.ko"; \
	done

# kselftests and tools, static arm64 binaries for the initramfs.
selftests: setup
	@bash scripts/build-userspace.sh

unit:
	@mkdir -p $(RESULTS)
	@{ $(MAKE) -s -C tools/unittest run || \
		echo "not ok - unit tests build or run failed (exit $$?)"; } | \
		tee $(RESULTS)/unit.tap
	@$(MAKE) -s -C tools/unittest table TABLE=$(B)/idregs-treatment.md
	@{ $(MAKE) -s -C lib unit OUTPUT=$(B)/host-lib || \
		echo "not ok - libs2box unit tests build or run failed (exit $$?)"; } | \
		tee $(RESULTS)/lib-unit.tap

lint: setup
	@mkdir -p $(RESULTS)
	@bash scripts/lint.sh | tee $(RESULTS)/lint.tap

matrix: module selftests
	@bash scripts/matrix.sh

dkms-test: module
	@mkdir -p $(RESULTS)
	@bash scripts/dkms-test.sh | tee $(RESULTS)/dkms.tap

# Debian packages for operators (debian/), cross-built and lintian-checked.
deb: setup
	@bash scripts/deb-build.sh

# make deb, then the packages installed with apt into an arm64 Debian 12
# system (cached by setup), DKMS building inside it, that system booted
# under QEMU, a second kernel, and apt purge. make check leaves out the
# second kernel (S2BOX_DEB_SECOND=): its DKMS build under qemu-user would
# take make check past its 40-minute budget.
deb-test: setup
	@mkdir -p $(RESULTS)
	@bash scripts/deb-test.sh | tee $(RESULTS)/deb.tap

# Every step runs even when an earlier one failed; the summary decides.
check: setup
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(MAKE) -s lint || true
	@$(MAKE) -s unit || true
	@$(MAKE) -s matrix || true
	@$(MAKE) -s dkms-test || true
	@S2BOX_DEB_SECOND= $(MAKE) -s deb-test || true
	@bash scripts/summary.sh $(RESULTS)

# A debug kernel built from Debian's linux-source (once, cached): every
# kselftest, the heavy ones included, with panic_on_warn and a kmemleak
# scan after the module is unloaded. Not part of make check (the first
# kernel build takes 30-50 minutes on two cores).
DEBUG_CELL := 6.12-debug:max:test::S2BOX_HEAVY=1,panic_on_warn=1,kasan.fault=panic
debug-kernel: setup
	@bash scripts/debug-kernel.sh

check-debug: debug-kernel
	@rm -rf $(B)/results-debug && mkdir -p $(B)/results-debug
	@$(MAKE) -s module selftests KERNELS=6.12-debug
	@S2BOX_RESULTS=$(B)/results-debug S2BOX_MEM=2048 S2BOX_TIMEOUT=3600 \
		CELLS="$(DEBUG_CELL)" KERNELS= CPUS= bash scripts/matrix.sh || true
	@bash scripts/summary.sh $(B)/results-debug

demo: setup
	@$(MAKE) -s module selftests KERNELS=6.12
	@bash scripts/demo.sh

# One kernel, one CPU model; the module and the benchmark built for it.
BENCH_KERNEL ?= 6.12
export BENCH_KERNEL
bench: setup
	@$(MAKE) -s module selftests KERNELS=$(BENCH_KERNEL)
	@bash scripts/bench.sh

clean:
	rm -rf $(B)
	$(MAKE) -C tools/unittest clean
	$(MAKE) -C lib clean
