// SPDX-License-Identifier: GPL-2.0
/*
 * Stage-2 TLB maintenance for a box from the VHE host.
 *
 * Under VHE with HCR_EL2.TGE=1, TLB instructions aimed at EL1 act on the
 * host's EL2&0 regime. To reach a box's entries the host briefly makes the
 * box's stage 2 current and clears TGE, as KVM does for its guests: load
 * VTCR_EL2/VTTBR_EL2, ISB, then clear TGE (erratum 1165522/1530923 order),
 * all with interrupts masked so nothing runs in between. Every box uses
 * VMID 0 (Documentation/tlb-and-vmid.md), so invalidating one box's IPA
 * also drops other boxes' entries for it: more work than needed, never
 * less.
 *
 * Every broadcast sequence ends with the kernel's __tlbi_sync_s1ish_hyp()
 * (see compat.h), never with a bare DSB: on CPUs with erratum 4118414
 * (Cortex-A76, Neoverse N1/N2/V1/V2 and others) or the REPEAT_TLBI errata
 * a single TLBI plus DSB may complete while an access that used the old
 * translation is still in flight, so UNMAP or close could free a page a
 * box on another CPU is still writing. scripts/lint.sh checks the source
 * and the disassembly for this. No TTL level hint is ever passed: a hint
 * is only valid for the translation granule of the entry, which for a box
 * need not be the host's.
 */

#include <linux/irqflags.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <asm/barrier.h>
#include <asm/cpufeature.h>
#include <asm/kvm_arm.h>
#include <asm/sysreg.h>
#include <asm/tlbflush.h>

#include "s2box.h"
#include "world.h"

/*
 * QEMU's CPU models do not have the speculative-AT errata, so this forces
 * the workaround path for testing it.
 */
static bool force_spec_at_wa;
module_param(force_spec_at_wa, bool, 0444);
MODULE_PARM_DESC(force_spec_at_wa, "Take the speculative-AT errata path even on CPUs that do not need it (testing)");

struct tlb_cxt {
	unsigned long flags;
	u64 hcr, vtcr, vttbr;
	u64 tcr, sctlr;		/* EL1 state, only with the errata path */
};

/* Also called inside guest context (world.c): no hook may run here. */
bool notrace s2box_need_spec_at_wa(void)
{
	return force_spec_at_wa ||
	       cpus_have_final_cap(ARM64_WORKAROUND_SPECULATIVE_AT);
}

NOKPROBE_SYMBOL(s2box_need_spec_at_wa);

/*
 * Errata 1165522/1530923: once TGE is clear, a speculative AT may walk the
 * EL1 stage 1 with whatever TCR/SCTLR a previous guest left and fill the
 * TLB with it. Disable stage-1 walks (EPD0/EPD1) and turn the stage-1 MMU
 * "on" so no IPA->PA walk can be allocated from a stale configuration.
 */
static void spec_at_protect(struct tlb_cxt *cxt)
{
	cxt->tcr = read_sysreg_s(SYS_TCR_EL12);
	write_sysreg_s(cxt->tcr | TCR_EPD1_MASK | TCR_EPD0_MASK, SYS_TCR_EL12);
	/* EPDx must be in effect before the MMU bit can be acted on. */
	isb();
	cxt->sctlr = read_sysreg_s(SYS_SCTLR_EL12);
	write_sysreg_s(cxt->sctlr | SCTLR_ELx_M, SYS_SCTLR_EL12);
	isb();
}

static void spec_at_restore(const struct tlb_cxt *cxt)
{
	write_sysreg_s(cxt->sctlr, SYS_SCTLR_EL12);
	isb();
	write_sysreg_s(cxt->tcr, SYS_TCR_EL12);
}

static void tlb_switch_to_box(const struct s2box_box *box,
			      struct tlb_cxt *cxt)
{
	local_irq_save(cxt->flags);
	/*
	 * With this box's stage 2 live, speculation may fill this CPU's TLB
	 * with its entries under VMID 0: make the next box run here flush.
	 */
	this_cpu_write(s2box_last_box, 0);
	if (s2box_need_spec_at_wa())
		spec_at_protect(cxt);
	cxt->vtcr = read_sysreg(vtcr_el2);
	cxt->vttbr = read_sysreg(vttbr_el2);
	write_sysreg(box->geom.vtcr, vtcr_el2);
	write_sysreg(box->vttbr, vttbr_el2);
	/* The box's stage 2 must be current before TGE stops hiding it. */
	isb();
	cxt->hcr = read_sysreg(hcr_el2);
	write_sysreg(cxt->hcr & ~HCR_TGE, hcr_el2);
	/* TGE=0 must be in effect before the first TLBI aimed at EL1. */
	isb();
}

static void tlb_switch_to_host(const struct tlb_cxt *cxt)
{
	write_sysreg(cxt->hcr, hcr_el2);
	/* Back in the host regime before its stage-2 registers return. */
	isb();
	write_sysreg(cxt->vttbr, vttbr_el2);
	write_sysreg(cxt->vtcr, vtcr_el2);
	if (s2box_need_spec_at_wa())
		spec_at_restore(cxt);
	isb();
	local_irq_restore(cxt->flags);
}

/*
 * Invalidate, on every CPU in the inner-shareable domain, what the TLBs
 * and walk caches hold for @ipa (any level: the table or leaf there was
 * removed), and return only once that has completed.
 */
void s2box_tlb_flush_ipa(const struct s2box_box *box, u64 ipa)
{
	struct tlb_cxt cxt;

	tlb_switch_to_box(box, &cxt);
	/* The invalid descriptor must be visible to walkers before the TLBI. */
	dsb(ishst);
	/* IPAS2E1IS takes IPA[51:12] in bits [39:0]; TTL (bits 47:44) = 0. */
	__tlbi(ipas2e1is, ipa >> 12);
	/*
	 * Stage-2 invalidation does not remove combined stage 1+2 entries:
	 * once it has completed, drop those of the VMID too.
	 */
	dsb(ish);
	__tlbi(vmalle1is);
	/*
	 * Complete everywhere, outstanding accesses included (erratum
	 * 4118414), before the memory or table can be reused.
	 */
	__tlbi_sync_s1ish_hyp();
	isb();
	tlb_switch_to_host(&cxt);
}

/* Drop every stage-1 and stage-2 entry of the boxes' VMID, everywhere. */
void s2box_tlb_flush_vmid(const struct s2box_box *box)
{
	struct tlb_cxt cxt;

	tlb_switch_to_box(box, &cxt);
	dsb(ishst);
	__tlbi(vmalls12e1is);
	/* Complete everywhere (erratum 4118414) before the tables are freed. */
	__tlbi_sync_s1ish_hyp();
	isb();
	tlb_switch_to_host(&cxt);
}
