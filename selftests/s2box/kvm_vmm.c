// SPDX-License-Identifier: GPL-2.0
/* The tiny VMM on /dev/kvm and its box helpers (kvm_vmm.h). */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* sched_setaffinity(), CPU_SET() */
#endif
#include "kvm_vmm.h"

__thread const char *vmm_why = "";

int vmm_fail(const char *step)
{
	vmm_why = step;
	return -1;
}

bool vmm_available(void)
{
	return access("/dev/kvm", R_OK | W_OK) == 0;
}

int vmm_gic_attr(int dev, __u32 group, __u64 attr, void *addr)
{
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (__u64)(unsigned long)addr,
	};

	return ioctl(dev, KVM_SET_DEVICE_ATTR, &a);
}

int vmm_add_gic(struct vmm *v)
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

void vmm_destroy(struct vmm *v)
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

int vmm_create_steps(struct vmm *v, const struct vmm_cfg *c)
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
	if (c->stamps)
		c->stamps[0] = now_ns();
	v->mem = c->mem;
	if (v->own_mem)
		v->mem = mmap(NULL, c->mem_size, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->mem == MAP_FAILED)
		return vmm_fail("mmap guest memory");
	region.userspace_addr = (__u64)(unsigned long)v->mem;
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region))
		return vmm_fail("KVM_SET_USER_MEMORY_REGION");
	if (c->stamps)
		c->stamps[1] = now_ns();
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
	if (c->stamps)
		c->stamps[2] = now_ns();
	if (c->gic && vmm_add_gic(v)) {
		/* Without it the tests fall back to polling; say why. */
		if (v->gic >= 0)
			close(v->gic);
		v->gic = -1;
	}
	return 0;
}

int vmm_create_cfg(struct vmm *v, const struct vmm_cfg *c)
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

int vmm_create(struct vmm *v, bool gic)
{
	struct vmm_cfg c = {
		.kvm = -1, .mem_ipa = VMM_MEM_IPA, .mem_size = VMM_MEM_SIZE,
		.gic = gic,
	};

	return vmm_create_cfg(v, &c);
}

int vmm_set_reg(struct vmm *v, __u64 id, __u64 val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (__u64)(unsigned long)&val };

	return ioctl(v->vcpu, KVM_SET_ONE_REG, &reg);
}

void vmm_load(struct vmm *v, __u64 off, const void *src, size_t len)
{
	memcpy(v->mem + off, src, len);
	v->loaded += len;
}

int vmm_start(struct vmm *v, __u64 pc_off, const __u64 *x, int n)
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

int vmm_run_mmio(struct vmm *v, __u64 *off, __u64 *data)
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

int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

__u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int box_with_code(int ctl, unsigned int granule, unsigned int ipa_bits,
		  const void *code, size_t len, __u64 *align)
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

int box_resume(int box, __u64 budget_ns, struct s2box_run *run,
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

int box_run(int box, __u64 pc, const __u64 *x, int n, __u64 budget_ns,
	    struct s2box_run *run, struct s2box_regs *regs)
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

bool box_audit_clean(int box)
{
	struct s2box_box_info info;
	struct s2box_audit a;

	if (ioctl(box, S2BOX_AUDIT, &a) || ioctl(box, S2BOX_GET_BOX_INFO, &info))
		return false;
	return !a.bad_desc && !a.empty_tables && !a.foreign &&
	       a.bytes == info.mapped_bytes;
}

int box_granules(const struct s2box_caps *caps, unsigned int out[3])
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
