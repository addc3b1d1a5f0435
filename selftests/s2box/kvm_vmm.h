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

#include "blob.h"
#include "s2box_util.h"

/* Guest physical layout: RAM, an MMIO "hypercall" page, GICv3 frames. */
#define VMM_MEM_IPA	0x10000000ULL
#define VMM_MEM_SIZE	0x10000ULL
#define VMM_MMIO_IPA	0x20000000ULL
#define VMM_GICD_IPA	0x08000000ULL
#define VMM_GICR_IPA	0x080a0000ULL

/* EL1h with D, A, I and F masked: where both KVM guests and boxes start. */
#define PSTATE_EL1H_DAIF	0x3c5ULL

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
	/*
	 * If set, now_ns() after KVM_CREATE_VM, after the memory slot and
	 * after the vCPU (created, kvm_run mapped, initialised): the
	 * benchmark's breakdown of a VM's creation.
	 */
	__u64 *stamps;
};

/* The step the last failing helper stopped at, for the log. */
extern __thread const char *vmm_why;

int vmm_fail(const char *step);

bool vmm_available(void);

int vmm_gic_attr(int dev, __u32 group, __u64 attr, void *addr);

/*
 * The in-kernel GICv3 (distributor and one redistributor), once the vCPU
 * exists and is initialised. Returns -1 if KVM cannot give us one.
 */
int vmm_add_gic(struct vmm *v);

void vmm_destroy(struct vmm *v);

/*
 * A VM as @c says, with one memory slot and one initialised vCPU. On
 * failure everything made so far is released.
 */
int vmm_create_steps(struct vmm *v, const struct vmm_cfg *c);

int vmm_create_cfg(struct vmm *v, const struct vmm_cfg *c);

/*
 * A VM with the default 40-bit IPA space, VMM_MEM_SIZE of zeroed RAM at
 * VMM_MEM_IPA and one initialised vCPU. With @gic, a GICv3 is added if
 * KVM has one (check v->gic).
 */
int vmm_create(struct vmm *v, bool gic);

int vmm_set_reg(struct vmm *v, __u64 id, __u64 val);

/* Copy @len bytes of code to guest RAM offset @off. */
void vmm_load(struct vmm *v, __u64 off, const void *src, size_t len);

/* Start at guest RAM offset @pc_off, EL1h, DAIF masked, x0..x(n-1) = @x. */
int vmm_start(struct vmm *v, __u64 pc_off, const __u64 *x, int n);

/*
 * KVM_RUN until the guest writes to the MMIO page: *@off is the offset of
 * the access in that page, *@data the value written (8-byte stores only).
 */
int vmm_run_mmio(struct vmm *v, __u64 *off, __u64 *data);

/* --- boxes and CPUs -------------------------------------------------- */

int pin_cpu(int cpu);

__u64 now_ns(void);

/*
 * A box of @ipa_bits with one map_align unit of RWX memory at IPA 0
 * holding @len bytes of code; its fd, or -1. *@align gets map_align.
 */
int box_with_code(int ctl, unsigned int granule, unsigned int ipa_bits,
		  const void *code, size_t len, __u64 *align);

/* RUN with @budget_ns, then GET_REGS into @regs. */
int box_resume(int box, __u64 budget_ns, struct s2box_run *run,
	       struct s2box_regs *regs);

/* Set pc and x0..x(n-1), then box_resume(). */
int box_run(int box, __u64 pc, const __u64 *x, int n, __u64 budget_ns,
	    struct s2box_run *run, struct s2box_regs *regs);

/* A clean audit whose byte count matches what GET_BOX_INFO says. */
bool box_audit_clean(int box);

/* Granules the host supports at stage 2, as a list; returns the count. */
int box_granules(const struct s2box_caps *caps, unsigned int out[3]);

#endif /* S2BOX_KVM_VMM_H */
