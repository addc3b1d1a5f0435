/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by s2box_kvm_test and s2box_kvm_race_test: a tiny VMM written
 * directly on KVM's ioctls (one vCPU, one small memory slot, MMIO exits to
 * user space as the guest's only way to talk), an optional in-kernel
 * GICv3, and the few box helpers those tests need. Include after
 * kselftest_harness.h, once per program. Helpers return 0 or -1; on -1
 * vmm_why names the step that failed (with errno still set).
 */
#ifndef S2BOX_KVM_VMM_H
#define S2BOX_KVM_VMM_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/s2box.h>

#include "s2box_util.h"

/* Guest physical layout: RAM, an MMIO "hypercall" page, GICv3 frames. */
#define VMM_MEM_IPA	0x10000000ULL
#define VMM_MEM_SIZE	0x10000ULL
#define VMM_MMIO_IPA	0x20000000ULL
#define VMM_GICD_IPA	0x08000000ULL
#define VMM_GICR_IPA	0x080a0000ULL

/* EL1h with D, A, I and F masked: where both KVM guests and boxes start. */
#define PSTATE_EL1H_DAIF	0x3c5ULL

/*
 * BLOB(name) declares name_start[] and name_end[] of code assembled by a
 * top-level asm() in .rodata; BLOB_ENTRY(label) a label inside it. The
 * asm must make each of them .global: for a local label the assembler
 * turns the compiler's GOT references into references to .rodata itself,
 * and the linker gives start and end one GOT entry (length 0).
 */
#define BLOB(name)		extern const char name##_start[], name##_end[]
#define BLOB_ENTRY(label)	extern const char label[]
#define BLOB_LEN(b)		((size_t)(b##_end - b##_start))
#define ENTRY(blob, sym)	((__u64)((sym) - blob##_start))

#define VMM_CORE_REG(name)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | \
				 KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(name))

struct vmm {
	int kvm, vm, vcpu, gic;	/* gic: the vGIC device fd, or -1 */
	struct kvm_run *run;
	size_t run_size;
	unsigned char *mem;	/* guest RAM at mem_ipa */
	__u64 mem_ipa;
	size_t mem_size;
	size_t loaded;		/* bytes of code vmm_load() put there */
	bool own_kvm, own_mem;	/* close kvm, unmap mem in vmm_destroy() */
};

/*
 * What vmm_create_cfg() builds; vmm_create() is its default: a /dev/kvm
 * fd of its own, KVM's default IPA size and VMM_MEM_SIZE of fresh RAM at
 * VMM_MEM_IPA.
 */
struct vmm_cfg {
	int kvm;		/* an open /dev/kvm to share (never closed), or -1 */
	unsigned int ipa_bits;	/* IPA size, through the VM type; 0: default */
	__u64 mem_ipa;		/* guest RAM: memory slot 0 */
	size_t mem_size;	/* a multiple of the host page size */
	void *mem;		/* the caller's RAM (never unmapped), or NULL */
	bool gic;		/* add a GICv3 if KVM has one (check v->gic) */
};

static __thread const char *vmm_why = "";

static inline int vmm_fail(const char *step)
{
	vmm_why = step;
	return -1;
}

static inline bool vmm_available(void)
{
	return access("/dev/kvm", R_OK | W_OK) == 0;
}

static inline int vmm_gic_attr(int dev, __u32 group, __u64 attr, void *addr)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (__u64)(unsigned long)addr,
	};

	return ioctl(dev, KVM_SET_DEVICE_ATTR, &a);
}

/*
 * The in-kernel GICv3 (distributor and one redistributor), once the vCPU
 * exists and is initialised. Returns -1 if KVM cannot give us one.
 */
static inline int vmm_add_gic(struct vmm *v)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	__u64 dist = VMM_GICD_IPA, redist = VMM_GICR_IPA;

	if (ioctl(v->vm, KVM_CREATE_DEVICE, &cd))
		return vmm_fail("KVM_CREATE_DEVICE");
	v->gic = cd.fd;
	if (vmm_gic_attr(v->gic, KVM_DEV_ARM_VGIC_GRP_ADDR,
			 KVM_VGIC_V3_ADDR_TYPE_DIST, &dist))
		return vmm_fail("GICD address");
	if (vmm_gic_attr(v->gic, KVM_DEV_ARM_VGIC_GRP_ADDR,
			 KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist))
		return vmm_fail("GICR address");
	if (vmm_gic_attr(v->gic, KVM_DEV_ARM_VGIC_GRP_CTRL,
			 KVM_DEV_ARM_VGIC_CTRL_INIT, NULL))
		return vmm_fail("vGIC init");
	return 0;
}

static inline void vmm_destroy(struct vmm *v)
{
	if (v->run && v->run != MAP_FAILED)
		munmap(v->run, v->run_size);
	if (v->own_mem && v->mem && v->mem != MAP_FAILED)
		munmap(v->mem, v->mem_size);
	if (v->gic >= 0)
		close(v->gic);
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->vm >= 0)
		close(v->vm);
	if (v->own_kvm && v->kvm >= 0)
		close(v->kvm);
	memset(v, 0, sizeof(*v));
	v->kvm = -1;
	v->vm = -1;
	v->vcpu = -1;
	v->gic = -1;
}

/*
 * A VM as @c says, with one memory slot and one initialised vCPU. On
 * failure everything made so far is released.
 */
static inline int vmm_create_steps(struct vmm *v, const struct vmm_cfg *c)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = c->mem_ipa,
		.memory_size = c->mem_size,
	};
	struct kvm_vcpu_init init;
	int size;

	v->kvm = c->kvm;
	if (v->own_kvm)
		v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->kvm < 0)
		return vmm_fail("open /dev/kvm");
	v->vm = ioctl(v->kvm, KVM_CREATE_VM,
		      c->ipa_bits ? KVM_VM_TYPE_ARM_IPA_SIZE(c->ipa_bits) : 0);
	if (v->vm < 0)
		return vmm_fail("KVM_CREATE_VM");
	v->mem = c->mem;
	if (v->own_mem)
		v->mem = mmap(NULL, c->mem_size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->mem == MAP_FAILED)
		return vmm_fail("mmap guest memory");
	region.userspace_addr = (__u64)(unsigned long)v->mem;
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region))
		return vmm_fail("KVM_SET_USER_MEMORY_REGION");
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		return vmm_fail("KVM_CREATE_VCPU");
	size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		return vmm_fail("KVM_GET_VCPU_MMAP_SIZE");
	v->run_size = size;
	v->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->run == MAP_FAILED)
		return vmm_fail("mmap kvm_run");
	memset(&init, 0, sizeof(init));
	if (ioctl(v->vm, KVM_ARM_PREFERRED_TARGET, &init))
		return vmm_fail("KVM_ARM_PREFERRED_TARGET");
	if (ioctl(v->vcpu, KVM_ARM_VCPU_INIT, &init))
		return vmm_fail("KVM_ARM_VCPU_INIT");
	if (c->gic && vmm_add_gic(v)) {
		/* Without it the tests fall back to polling; say why. */
		if (v->gic >= 0)
			close(v->gic);
		v->gic = -1;
	}
	return 0;
}

static inline int vmm_create_cfg(struct vmm *v, const struct vmm_cfg *c)
{
	memset(v, 0, sizeof(*v));
	v->kvm = -1;
	v->vm = -1;
	v->vcpu = -1;
	v->gic = -1;
	v->mem_ipa = c->mem_ipa;
	v->mem_size = c->mem_size;
	v->own_kvm = c->kvm < 0;
	v->own_mem = !c->mem;
	if (!vmm_create_steps(v, c))
		return 0;
	vmm_destroy(v);
	return -1;
}

/*
 * A VM with the default 40-bit IPA space, VMM_MEM_SIZE of zeroed RAM at
 * VMM_MEM_IPA and one initialised vCPU. With @gic, a GICv3 is added if
 * KVM has one (check v->gic).
 */
static inline int vmm_create(struct vmm *v, bool gic)
{
	struct vmm_cfg c = {
		.kvm = -1, .mem_ipa = VMM_MEM_IPA, .mem_size = VMM_MEM_SIZE,
		.gic = gic,
	};

	return vmm_create_cfg(v, &c);
}

static inline int vmm_set_reg(struct vmm *v, __u64 id, __u64 val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (__u64)(unsigned long)&val };

	return ioctl(v->vcpu, KVM_SET_ONE_REG, &reg);
}

/* Copy @len bytes of code to guest RAM offset @off. */
static inline void vmm_load(struct vmm *v, __u64 off, const void *src,
			    size_t len)
{
	memcpy(v->mem + off, src, len);
	v->loaded += len;
}

/* Start at guest RAM offset @pc_off, EL1h, DAIF masked, x0..x(n-1) = @x. */
static inline int vmm_start(struct vmm *v, __u64 pc_off, const __u64 *x,
			    int n)
{
	int i;

	if (!v->loaded)	/* a blob label the assembler kept local */
		return vmm_fail("no code loaded");
	if (vmm_set_reg(v, VMM_CORE_REG(regs.pc), v->mem_ipa + pc_off))
		return vmm_fail("KVM_SET_ONE_REG pc");
	if (vmm_set_reg(v, VMM_CORE_REG(regs.pstate), PSTATE_EL1H_DAIF))
		return vmm_fail("KVM_SET_ONE_REG pstate");
	for (i = 0; i < n; i++)
		if (vmm_set_reg(v, VMM_CORE_REG(regs.regs[i]), x[i]))
			return vmm_fail("KVM_SET_ONE_REG x");
	return 0;
}

/*
 * KVM_RUN until the guest writes to the MMIO page: *@off is the offset of
 * the access in that page, *@data the value written (8-byte stores only).
 */
static inline int vmm_run_mmio(struct vmm *v, __u64 *off, __u64 *data)
{
	struct kvm_run *r = v->run;

	for (;;) {
		if (ioctl(v->vcpu, KVM_RUN, 0)) {
			if (errno != EINTR)
				return vmm_fail("KVM_RUN");
			continue;
		}
		if (r->exit_reason != KVM_EXIT_MMIO)
			return vmm_fail("KVM_RUN: exit other than MMIO");
		if (!r->mmio.is_write || r->mmio.len != 8 ||
		    r->mmio.phys_addr - VMM_MMIO_IPA >= 4096)
			return vmm_fail("KVM_RUN: MMIO access that is no hypercall");
		*off = r->mmio.phys_addr - VMM_MMIO_IPA;
		memcpy(data, r->mmio.data, 8);
		return 0;
	}
}

/* --- boxes and CPUs -------------------------------------------------- */

static inline int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static inline __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * A box of @ipa_bits with one map_align unit of RWX memory at IPA 0
 * holding @len bytes of code; its fd, or -1. *@align gets map_align.
 */
static inline int box_with_code(int ctl, unsigned int granule,
				unsigned int ipa_bits, const void *code,
				size_t len, __u64 *align)
{
	struct s2box_box_info info;
	int box;

	if (!len)	/* a blob label the assembler kept local: see BLOB() */
		return vmm_fail("empty blob");
	box = s2box_create(ctl, ipa_bits, granule);
	if (box < 0) {
		vmm_why = "S2BOX_CREATE_BOX";
		return -1;
	}
	vmm_why = "S2BOX_GET_BOX_INFO";
	if (ioctl(box, S2BOX_GET_BOX_INFO, &info))
		goto fail;
	*align = info.map_align;
	vmm_why = "S2BOX_MAP";
	if (box_map(box, 0, info.map_align, S2BOX_PROT_READ |
		    S2BOX_PROT_WRITE | S2BOX_PROT_EXEC))
		goto fail;
	vmm_why = "pwrite code";
	if (pwrite(box, code, len, 0) != (ssize_t)len)
		goto fail;
	return box;
fail:
	close(box);
	return -1;
}

/* RUN with @budget_ns, then GET_REGS into @regs. */
static inline int box_resume(int box, __u64 budget_ns, struct s2box_run *run,
			     struct s2box_regs *regs)
{
	memset(run, 0, sizeof(*run));
	run->budget_ns = budget_ns;
	if (ioctl(box, S2BOX_RUN, run))
		return vmm_fail("S2BOX_RUN");
	if (ioctl(box, S2BOX_GET_REGS, regs))
		return vmm_fail("S2BOX_GET_REGS");
	return 0;
}

/* Set pc and x0..x(n-1), then box_resume(). */
static inline int box_run(int box, __u64 pc, const __u64 *x, int n,
			  __u64 budget_ns, struct s2box_run *run,
			  struct s2box_regs *regs)
{
	int i;

	if (ioctl(box, S2BOX_GET_REGS, regs))
		return vmm_fail("S2BOX_GET_REGS");
	regs->pc = pc;
	for (i = 0; i < n; i++)
		regs->x[i] = x[i];
	if (ioctl(box, S2BOX_SET_REGS, regs))
		return vmm_fail("S2BOX_SET_REGS");
	return box_resume(box, budget_ns, run, regs);
}

/* A clean audit whose byte count matches what GET_BOX_INFO says. */
static inline bool box_audit_clean(int box)
{
	struct s2box_box_info info;
	struct s2box_audit a;

	if (ioctl(box, S2BOX_AUDIT, &a) || ioctl(box, S2BOX_GET_BOX_INFO, &info))
		return false;
	return !a.bad_desc && !a.empty_tables && !a.foreign &&
	       a.bytes == info.mapped_bytes;
}

/* Granules the host supports at stage 2, as a list; returns the count. */
static inline int box_granules(const struct s2box_caps *caps,
			       unsigned int out[3])
{
	int n = 0;

	if (caps->ipa_bits_max_4k)
		out[n++] = S2BOX_GRANULE_4K;
	if (caps->ipa_bits_max_16k)
		out[n++] = S2BOX_GRANULE_16K;
	if (caps->ipa_bits_max_64k)
		out[n++] = S2BOX_GRANULE_64K;
	return n;
}

#endif /* S2BOX_KVM_VMM_H */
