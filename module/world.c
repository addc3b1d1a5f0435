// SPDX-License-Identifier: GPL-2.0
/*
 * One trip into a box and back, with interrupts masked: save what the host
 * owns, load the box's EL1 state and traps, enter through switch.S, and
 * undo it all. The order and the rule each step serves are in
 * Documentation/world-switch.md; each step below names its rule too.
 *
 * Host state a VHE kernel shares with EL1 and relies on is saved and
 * restored (SP_EL0 in switch.S, the EL0 thread registers, the EL2 trap
 * configuration). EL1 state only KVM uses (its guests' EL1 registers) is
 * overwritten with the box's and left for KVM to reload on its next
 * vcpu_load, as KVM itself does; the box can therefore never see KVM's
 * values, and KVM never sees the box's.
 */

#include <linux/bits.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <asm/barrier.h>
#include <asm/cputype.h>
#include <asm/sysreg.h>
#include <asm/tlbflush.h>

#include "s2box.h"
#include "el2_bits.h"
#include "world.h"

/* Read by the panic vector in switch.S. */
DEFINE_PER_CPU(u64, s2box_host_vbar);
DEFINE_PER_CPU(u64, s2box_host_sp_el0);
/* Box that last ran on this CPU (0: none, or VMID 0 may hold anything). */
DEFINE_PER_CPU(u64, s2box_last_box);

/*
 * Make @reg hold @val, writing it only when it holds something else. When
 * a CPU re-enters the box it ran last, most of its EL1 registers still
 * hold the box's values; an MRS is cheap where an MSR to a translation or
 * control register is not (some cores serialise them, and QEMU ends its
 * translated block after every MSR). Either way the register holds @val
 * afterwards, so nothing another context left there can survive: this
 * needs no knowledge of who ran on the CPU in between. (The kernel's
 * sysreg_clear_set() clearing every bit is exactly that.)
 */
#define world_load_sysreg_s(val, reg)	sysreg_clear_set_s(reg, ~0ULL, val)
#define world_load_sysreg(val, reg)	sysreg_clear_set(reg, ~0ULL, val)

/* HFGRTR, HFGWTR, HFGITR, HDFGRTR, HDFGWTR_EL2; then the five FGT2 ones. */
#define WORLD_FGT_REGS		10

struct world_host {
	u64 hcr, cptr, mdcr, hstr, cnthctl;
	u64 ich_hcr, icc_sre;
	u64 tpidr_el0, tpidrro_el0, tpidr2_el0;
	u64 vttbr;		/* what VTTBR_EL2 held when the run began */
	u64 mdscr;
	u64 mpam2;
	u64 hcrx;
	u64 fgt[WORLD_FGT_REGS];	/* the host's fine-grained traps */
	u32 fgt_changed;		/* which of them the box run changed */
	u64 brbcr, rcwmask, rcwsmask;
	u64 pmselr;
	u32 pmu_changed;	/* counters whose filter the box run changed */
	u32 pmu_filter[32];	/* their host filters (31: cycle counter) */
};

/*
 * Everything the switch needs from the rest of the module, read before
 * the first EL2 write: from there to the last EL2 write of the exit no
 * out-of-line call may run (an ftrace, kprobe, KASAN or UBSAN hook there
 * would run with the box's traps or regime live). scripts/lint.sh checks
 * the disassembly.
 */
struct world_cfg {
	u64 box_hcr;
	u64 tcr_clear;		/* TCR_EL1 bits a box may not set here */
	u64 mpam2_traps;	/* MPAM2_EL2 bits for the box, 0: no MPAM */
	bool gic_sysregs, sme, ras, pmu, spec_at, hcx, spe, trf;
	bool fgt, fgt2, brbe, the, ecv;
	u64 fgt_rw;		/* HFGRTR/HFGWTR_EL2 for the box */
	u64 box_vtcr;		/* the box's, with this CPU's HA/HD */
};

static __always_inline void world_check_layout(void)
{
	BUILD_BUG_ON(offsetof(struct s2box_world, guest_sp_el0) != W_GUEST_SP_EL0);
	BUILD_BUG_ON(offsetof(struct s2box_world, host_sp_el0) != W_HOST_SP_EL0);
	BUILD_BUG_ON(offsetof(struct s2box_world, host_regs) != W_HOST_REGS);
	BUILD_BUG_ON(offsetof(struct s2box_world, host_sp) != W_HOST_SP);
	BUILD_BUG_ON(offsetof(struct s2box_world, host_vbar) != W_HOST_VBAR);
	BUILD_BUG_ON(offsetof(struct s2box_world, box_vbar) != W_BOX_VBAR);
	BUILD_BUG_ON(offsetof(struct s2box_world, host_pan) != W_HOST_PAN);
	BUILD_BUG_ON(offsetof(struct s2box_world, guest_par) != W_GUEST_PAR);
	BUILD_BUG_ON(offsetof(struct s2box_world, at_status) != W_AT_STATUS);
	BUILD_BUG_ON(offsetof(struct s2box_world, fw_mitigation) !=
		     W_FW_MITIGATION);
	BUILD_BUG_ON(sizeof(struct s2box_world) != W_SIZE);
}

void __noreturn s2box_world_panic(u64 vector, u64 elr, u64 far)
{
	panic("s2box: exception at EL2 inside the world switch: vector %llu ELR 0x%llx FAR 0x%llx ESR 0x%llx\n",
	      vector, elr, far, read_sysreg(esr_el2));
}

static __always_inline u64 world_box_hcr(const struct s2box_host *host)
{
	/*
	 * TVM: the box's writes to its MMU registers trap (trap.c finishes
	 * them in the kernel), so no TTBRn_EL1 with CnP set and, on
	 * AmpereOne, no TCR_EL1.HA/HD ever reaches the CPU.
	 */
	u64 hcr = S2_HCR_E2H | S2_HCR_RW | S2_HCR_VM | S2_HCR_IMO |
		  S2_HCR_FMO | S2_HCR_AMO | S2_HCR_FB | S2_HCR_BSU_IS |
		  S2_HCR_TSC | S2_HCR_TWI | S2_HCR_TWE | S2_HCR_TIDCP |
		  S2_HCR_TACR | S2_HCR_TSW | S2_HCR_TLOR | S2_HCR_PTW |
		  S2_HCR_TVM;

	if (host->fwb)
		hcr |= S2_HCR_FWB;
	if (host->ras)
		hcr |= S2_HCR_TEA | S2_HCR_TERR;
	return hcr;
}

static __always_inline void world_get_cfg(struct world_cfg *cfg)
{
	const struct s2box_host *host = s2box_host_get();

	cfg->box_hcr = world_box_hcr(host);
	cfg->tcr_clear = host->tcr_hw_update_broken ?
			 S2_TCR_HA | S2_TCR_HD : 0;
	cfg->gic_sysregs = host->gic_sysregs;
	cfg->sme = host->sme;
	cfg->ras = host->ras;
	cfg->pmu = host->pmuv3;
	cfg->spec_at = s2box_need_spec_at_wa();
	cfg->hcx = host->hcx;
	cfg->spe = host->spe;
	cfg->trf = host->trf;
	cfg->fgt = host->fgt;
	cfg->fgt2 = host->fgt2;
	cfg->fgt_rw = host->sme ? S2_HFGXTR_NTPIDR2_EL0 : 0;
	cfg->brbe = host->brbe;
	cfg->the = host->the;
	cfg->ecv = host->ecv;
	cfg->mpam2_traps = 0;
	if (host->mpam)
		cfg->mpam2_traps = S2_MPAM2_TRAPMPAM0EL1 |
				   S2_MPAM2_TRAPMPAM1EL1 |
				   (host->mpam_tidr ? S2_MPAM2_TIDR : 0);
}

/* The EL0 thread registers belong to the calling task: saved, not lost. */
static __always_inline void world_save_host(struct world_host *h,
					    const struct world_cfg *cfg)
{
	h->hcr = read_sysreg(hcr_el2);
	h->vttbr = read_sysreg(vttbr_el2);
	h->cptr = read_sysreg(cptr_el2);
	h->mdcr = read_sysreg(mdcr_el2);
	h->hstr = read_sysreg(hstr_el2);
	h->cnthctl = read_sysreg(cnthctl_el2);
	if (cfg->gic_sysregs) {
		h->ich_hcr = read_sysreg_s(S2_SYS_ICH_HCR_EL2);
		h->icc_sre = read_sysreg_s(S2_SYS_ICC_SRE_EL2);
	}
	h->tpidr_el0 = read_sysreg(tpidr_el0);
	h->tpidrro_el0 = read_sysreg(tpidrro_el0);
	if (cfg->sme)
		h->tpidr2_el0 = read_sysreg_s(S2_SYS_TPIDR2_EL0);
	h->mdscr = read_sysreg(mdscr_el1);
}

static __always_inline void world_restore_host_tls(const struct world_host *h,
						   const struct world_cfg *cfg)
{
	world_load_sysreg(h->tpidr_el0, tpidr_el0);
	world_load_sysreg(h->tpidrro_el0, tpidrro_el0);
	if (cfg->sme)
		write_sysreg_s(h->tpidr2_el0, S2_SYS_TPIDR2_EL0);
}

/*
 * The caller's hardware breakpoints, watchpoints and single step live in
 * MDSCR_EL1, which a VHE host shares with EL1: with TDE set their debug
 * exceptions would fire on the box's EL0/EL1 accesses to the same
 * addresses. Turn them off for the box (its own accesses to MDSCR_EL1
 * trap: TDA), as KVM does for a guest that does not use debug.
 */
static __always_inline void world_debug_to_box(const struct world_host *h)
{
	if (h->mdscr)
		write_sysreg(0, mdscr_el1);
}

static __always_inline void world_debug_to_host(const struct world_host *h)
{
	if (h->mdscr)
		write_sysreg(h->mdscr, mdscr_el1);
}

/*
 * Host perf events with exclude_guest: under VHE perf already sets their
 * "exclude EL1" bit (the host kernel runs at EL2), but EL0 is shared by
 * host user space and the box. Like KVM on guest entry, also exclude EL0
 * for such counters while the box runs, and put the host's filter back
 * on exit. A counter that excludes EL0 and EL2 but not EL1 counts only
 * guests (exclude_host): let it count the box's EL0 too. Only enabled
 * counters are touched, so a host without perf events pays one read.
 */
static __always_inline u64 world_pmu_box_filter(u64 filter)
{
	if (filter & S2_PMU_EXCLUDE_EL1)
		return filter | S2_PMU_EXCLUDE_EL0;
	if ((filter & S2_PMU_EXCLUDE_EL0) && !(filter & S2_PMU_INCLUDE_EL2))
		return filter & ~S2_PMU_EXCLUDE_EL0;
	return filter;
}

static __always_inline void world_pmu_to_box(struct world_host *h,
					     const struct world_cfg *cfg)
{
	unsigned long enabled;
	unsigned int n;
	u64 filter, box;

	h->pmu_changed = 0;
	if (!cfg->pmu)
		return;
	enabled = read_sysreg(pmcntenset_el0);
	if (!enabled)
		return;
	h->pmselr = read_sysreg(pmselr_el0);
	for_each_set_bit(n, &enabled, 32) {
		/* PMSELR_EL0.SEL 31 selects the cycle counter's filter. */
		write_sysreg(n, pmselr_el0);
		isb();
		filter = read_sysreg(pmxevtyper_el0);
		box = world_pmu_box_filter(filter);
		if (box == filter)
			continue;
		write_sysreg(box, pmxevtyper_el0);
		h->pmu_filter[n] = filter;
		h->pmu_changed |= BIT(n);
	}
	write_sysreg(h->pmselr, pmselr_el0);
	/* The filters must apply before the box's first instruction. */
	isb();
}

static __always_inline void world_pmu_to_host(const struct world_host *h)
{
	unsigned long changed = h->pmu_changed;
	unsigned int n;

	if (!changed)
		return;
	for_each_set_bit(n, &changed, 32) {
		write_sysreg(n, pmselr_el0);
		isb();
		write_sysreg(h->pmu_filter[n], pmxevtyper_el0);
	}
	write_sysreg(h->pmselr, pmselr_el0);
	isb();
}

/*
 * The box's EL1 virtual timer. Its interrupt is a PPI KVM owns, and a box
 * has no interrupt controller to take it: a firing box timer could only
 * kick the box out (IMO) and run KVM's handler, never reach the box.
 * With FEAT_ECV every box access to the timer traps (CNTHCTL_EL2.EL1TVT)
 * and trap.c keeps the box's timer in its saved registers, so the
 * hardware timer stays off while a box runs. Without ECV the accesses
 * cannot trap: the box gets its timer masked, and ISTATUS still tells a
 * polling box the deadline passed; a box that unmasks it takes one exit.
 */
static __always_inline void world_load_timer(const struct s2box_regs *r,
					     const struct world_cfg *cfg)
{
	if (cfg->ecv) {
		world_load_sysreg_s(0, SYS_CNTV_CTL_EL02);
		return;
	}
	world_load_sysreg_s(r->cntv_cval, SYS_CNTV_CVAL_EL02);
	world_load_sysreg_s(r->cntv_ctl | S2_CNTV_CTL_IMASK, SYS_CNTV_CTL_EL02);
}

static __always_inline void world_save_timer(struct s2box_regs *r,
					     const struct world_cfg *cfg)
{
	/* As the box last saw it: trap.c's copy reads with IMASK set. */
	if (cfg->ecv) {
		r->cntv_ctl = (r->cntv_ctl & ~S2_CNTV_CTL_ISTATUS) |
			      S2_CNTV_CTL_IMASK;
		return;
	}
	/*
	 * Left disabled and masked, so it cannot fire outside the box; a
	 * timer the box left disabled cannot fire anyway.
	 */
	r->cntv_ctl = read_sysreg_s(SYS_CNTV_CTL_EL02);
	r->cntv_cval = read_sysreg_s(SYS_CNTV_CVAL_EL02);
	if (r->cntv_ctl & S2_CNTV_CTL_ENABLE)
		write_sysreg_s(S2_CNTV_CTL_IMASK, SYS_CNTV_CTL_EL02);
}

/*
 * Every EL1 register a box can reach gets the box's value: a register left
 * alone would show the box what KVM's last guest (or another box) put
 * there. TGE is still 1, so these writes cannot be used by anything yet.
 */
static __always_inline void world_load_el1(const struct s2box_regs *r,
					   const struct world_cfg *cfg)
{
	bool spec_at = cfg->spec_at;
	/*
	 * CnP never: boxes share VMID 0 and ASIDs, and two CPUs sharing TLB
	 * entries for different tables under one ASID is CONSTRAINED
	 * UNPREDICTABLE. Writes while the box runs trap (TVM, trap.c).
	 */
	u64 ttbr0 = r->ttbr0 & ~S2_TTBR_CNP, ttbr1 = r->ttbr1 & ~S2_TTBR_CNP;
	/* Erratum AC03_CPU_38: hardware AF/dirty updates corrupt state. */
	u64 tcr = r->tcr & ~cfg->tcr_clear;

	/*
	 * Speculative-AT errata: stage-1 walks must be off (EPD0/EPD1) while
	 * the rest of the translation state is half loaded.
	 */
	if (spec_at) {
		write_sysreg_s(tcr | TCR_EPD1_MASK | TCR_EPD0_MASK,
			       SYS_TCR_EL12);
		isb();
	}
	world_load_sysreg_s(ttbr0, SYS_TTBR0_EL12);
	world_load_sysreg_s(ttbr1, SYS_TTBR1_EL12);
	world_load_sysreg_s(r->mair, SYS_MAIR_EL12);
	world_load_sysreg_s(r->amair, SYS_AMAIR_EL12);
	world_load_sysreg_s(r->vbar, SYS_VBAR_EL12);
	world_load_sysreg_s(r->contextidr, SYS_CONTEXTIDR_EL12);
	world_load_sysreg_s(r->cpacr, SYS_CPACR_EL12);
	world_load_sysreg_s(r->cntkctl, SYS_CNTKCTL_EL12);
	world_load_sysreg_s(r->esr, SYS_ESR_EL12);
	world_load_sysreg_s(r->far, SYS_FAR_EL12);
	world_load_sysreg_s(r->afsr0, SYS_AFSR0_EL12);
	world_load_sysreg_s(r->afsr1, SYS_AFSR1_EL12);
	world_load_sysreg_s(r->elr, SYS_ELR_EL12);
	world_load_sysreg_s(r->spsr, SYS_SPSR_EL12);
	world_load_sysreg(r->sp_el1, sp_el1);
	world_load_sysreg(r->tpidr_el1, tpidr_el1);
	/* Erratum 1508412 is about reading PAR_EL1; a write is plain. */
	world_load_sysreg(r->par, par_el1);
	world_load_sysreg(r->csselr, csselr_el1);
	world_load_sysreg(r->tpidr_el0, tpidr_el0);
	world_load_sysreg(r->tpidrro_el0, tpidrro_el0);
	if (cfg->sme)
		write_sysreg_s(0, S2_SYS_TPIDR2_EL0);
	/*
	 * With AMO set, the box's DISR_EL1 is VDISR_EL2, where KVM leaves
	 * its last guest's value and a box would leave its own for the
	 * next box. No virtual SError is ever pending for a box, so it
	 * starts every entry from 0.
	 */
	if (cfg->ras)
		world_load_sysreg_s(0, SYS_VDISR_EL2);
	/*
	 * With TGE clear, PMSCR_EL1 and TRFCR_EL1 decide whether the host's
	 * statistical profiling or self-hosted trace also records EL1/EL0,
	 * i.e. the box; the box's own accesses to them trap (TPMS, TTRF).
	 * Whatever KVM left there, the box runs with both off.
	 */
	if (cfg->spe)
		world_load_sysreg_s(0, S2_SYS_PMSCR_EL12);
	if (cfg->trf)
		world_load_sysreg_s(0, S2_SYS_TRFCR_EL12);
	world_load_timer(r, cfg);
	world_load_sysreg_s(r->sctlr, SYS_SCTLR_EL12);
	if (spec_at)
		isb();
	world_load_sysreg_s(tcr, SYS_TCR_EL12);
}

static __always_inline void world_save_el1(struct s2box_regs *r,
					   const struct s2box_world *w,
					   const struct world_cfg *cfg)
{
	r->sctlr = read_sysreg_s(SYS_SCTLR_EL12);
	r->tcr = read_sysreg_s(SYS_TCR_EL12);
	r->ttbr0 = read_sysreg_s(SYS_TTBR0_EL12);
	r->ttbr1 = read_sysreg_s(SYS_TTBR1_EL12);
	r->mair = read_sysreg_s(SYS_MAIR_EL12);
	r->amair = read_sysreg_s(SYS_AMAIR_EL12);
	r->vbar = read_sysreg_s(SYS_VBAR_EL12);
	r->contextidr = read_sysreg_s(SYS_CONTEXTIDR_EL12);
	r->cpacr = read_sysreg_s(SYS_CPACR_EL12);
	r->cntkctl = read_sysreg_s(SYS_CNTKCTL_EL12);
	r->esr = read_sysreg_s(SYS_ESR_EL12);
	r->far = read_sysreg_s(SYS_FAR_EL12);
	r->afsr0 = read_sysreg_s(SYS_AFSR0_EL12);
	r->afsr1 = read_sysreg_s(SYS_AFSR1_EL12);
	r->elr = read_sysreg_s(SYS_ELR_EL12);
	r->spsr = read_sysreg_s(SYS_SPSR_EL12);
	r->sp_el1 = read_sysreg(sp_el1);
	r->tpidr_el1 = read_sysreg(tpidr_el1);
	/* Read in switch.S (erratum 1508412 sequence) before its AT. */
	r->par = w->guest_par;
	r->csselr = read_sysreg(csselr_el1);
	r->tpidr_el0 = read_sysreg(tpidr_el0);
	r->tpidrro_el0 = read_sysreg(tpidrro_el0);
	world_save_timer(r, cfg);
}

/*
 * Fine-grained traps: the box runs with all of them 0 (el2_bits.h says
 * why that traps exactly what is neither switched nor trapped coarsely).
 * The host's values are what KVM restores after its guests and what the
 * kernel set at boot (nPIR_EL1, nPOR_EL0, nTPIDR2_EL0... open where the
 * CPU has them): with those, a box would read a KVM guest's PIR_EL1.
 * Only registers holding something else are written, and only those are
 * written back on exit. Each access names its register: the encodings
 * must be constants.
 */
/* Keeps the host's value @val of FGT register @n; true if @box differs. */
static __always_inline bool world_fgt_save(struct world_host *h,
					   unsigned int n, u64 val, u64 box)
{
	h->fgt[n] = val;
	if (val != box)
		h->fgt_changed |= BIT(n);
	return val != box;
}

static __always_inline void world_fgt_to_box(struct world_host *h,
					     const struct world_cfg *cfg)
{
	h->fgt_changed = 0;
	if (!cfg->fgt)
		return;
	if (world_fgt_save(h, 0, read_sysreg_s(SYS_HFGRTR_EL2), cfg->fgt_rw))
		write_sysreg_s(cfg->fgt_rw, SYS_HFGRTR_EL2);
	if (world_fgt_save(h, 1, read_sysreg_s(SYS_HFGWTR_EL2), cfg->fgt_rw))
		write_sysreg_s(cfg->fgt_rw, SYS_HFGWTR_EL2);
	if (world_fgt_save(h, 2, read_sysreg_s(SYS_HFGITR_EL2), 0))
		write_sysreg_s(0, SYS_HFGITR_EL2);
	if (world_fgt_save(h, 3, read_sysreg_s(SYS_HDFGRTR_EL2), 0))
		write_sysreg_s(0, SYS_HDFGRTR_EL2);
	if (world_fgt_save(h, 4, read_sysreg_s(SYS_HDFGWTR_EL2), 0))
		write_sysreg_s(0, SYS_HDFGWTR_EL2);
	if (!cfg->fgt2)
		return;
	if (world_fgt_save(h, 5, read_sysreg_s(S2_SYS_HFGRTR2_EL2), 0))
		write_sysreg_s(0, S2_SYS_HFGRTR2_EL2);
	if (world_fgt_save(h, 6, read_sysreg_s(S2_SYS_HFGWTR2_EL2), 0))
		write_sysreg_s(0, S2_SYS_HFGWTR2_EL2);
	if (world_fgt_save(h, 7, read_sysreg_s(S2_SYS_HFGITR2_EL2), 0))
		write_sysreg_s(0, S2_SYS_HFGITR2_EL2);
	if (world_fgt_save(h, 8, read_sysreg_s(S2_SYS_HDFGRTR2_EL2), 0))
		write_sysreg_s(0, S2_SYS_HDFGRTR2_EL2);
	if (world_fgt_save(h, 9, read_sysreg_s(S2_SYS_HDFGWTR2_EL2), 0))
		write_sysreg_s(0, S2_SYS_HDFGWTR2_EL2);
}

static __always_inline void world_fgt_to_host(const struct world_host *h)
{
	if (!h->fgt_changed)
		return;
	if (h->fgt_changed & BIT(0))
		write_sysreg_s(h->fgt[0], SYS_HFGRTR_EL2);
	if (h->fgt_changed & BIT(1))
		write_sysreg_s(h->fgt[1], SYS_HFGWTR_EL2);
	if (h->fgt_changed & BIT(2))
		write_sysreg_s(h->fgt[2], SYS_HFGITR_EL2);
	if (h->fgt_changed & BIT(3))
		write_sysreg_s(h->fgt[3], SYS_HDFGRTR_EL2);
	if (h->fgt_changed & BIT(4))
		write_sysreg_s(h->fgt[4], SYS_HDFGWTR_EL2);
	if (h->fgt_changed & BIT(5))
		write_sysreg_s(h->fgt[5], S2_SYS_HFGRTR2_EL2);
	if (h->fgt_changed & BIT(6))
		write_sysreg_s(h->fgt[6], S2_SYS_HFGWTR2_EL2);
	if (h->fgt_changed & BIT(7))
		write_sysreg_s(h->fgt[7], S2_SYS_HFGITR2_EL2);
	if (h->fgt_changed & BIT(8))
		write_sysreg_s(h->fgt[8], S2_SYS_HDFGRTR2_EL2);
	if (h->fgt_changed & BIT(9))
		write_sysreg_s(h->fgt[9], S2_SYS_HDFGWTR2_EL2);
}

/*
 * EL1 registers that steer the box's own instructions and that no box
 * may read or set (FGT traps them: nBRBCTL, nRCWMASK_EL1, nRCWSMASK_EL1
 * with FGT2), but whose value still applies inside the box: BRBCR_EL1
 * decides whether the box's branches land in the branch record buffer
 * the host reads, and the RCW masks decide what the box's RCW* stores
 * may change, so a box could probe a KVM guest's masks. The box runs
 * with all three 0 and the previous values come back on exit, so KVM
 * and a host perf session find theirs.
 */
static __always_inline void world_el1_ctl_to_box(struct world_host *h,
						 const struct world_cfg *cfg)
{
	if (cfg->brbe) {
		h->brbcr = read_sysreg_s(S2_SYS_BRBCR_EL12);
		if (h->brbcr)
			write_sysreg_s(0, S2_SYS_BRBCR_EL12);
	}
	if (cfg->the) {
		h->rcwmask = read_sysreg_s(S2_SYS_RCWMASK_EL1);
		h->rcwsmask = read_sysreg_s(S2_SYS_RCWSMASK_EL1);
		if (h->rcwmask)
			write_sysreg_s(0, S2_SYS_RCWMASK_EL1);
		if (h->rcwsmask)
			write_sysreg_s(0, S2_SYS_RCWSMASK_EL1);
	}
}

/* The box cannot have changed them (trapped): only what was moved returns. */
static __always_inline void world_el1_ctl_to_host(const struct world_host *h,
						  const struct world_cfg *cfg)
{
	if (cfg->brbe && h->brbcr)
		write_sysreg_s(h->brbcr, S2_SYS_BRBCR_EL12);
	if (cfg->the && h->rcwmask)
		write_sysreg_s(h->rcwmask, S2_SYS_RCWMASK_EL1);
	if (cfg->the && h->rcwsmask)
		write_sysreg_s(h->rcwsmask, S2_SYS_RCWSMASK_EL1);
}

/* The traps that keep host, debug, PMU, GIC and timer state out of reach. */
static __always_inline void world_activate_traps(struct world_host *h,
						 const struct world_cfg *cfg,
						 bool fp_live)
{
	u64 cptr = h->cptr & ~(S2_CPTR_ZEN_MASK | S2_CPTR_SMEN_MASK |
			       S2_CPTR_FPEN_MASK);

	/*
	 * FP/SIMD for a box whose V registers are loaded, a trap on the
	 * first access for one whose are not (the hardware's then hold the
	 * caller's); SVE and SME always trap, so only V0-V31 are ever live.
	 * No TCPAC: CPACR_EL1 is the box's own (switched per box; the
	 * host's is CPTR_EL2 under E2H), so the box may enable its FP.
	 */
	cptr |= fp_live ? S2_CPTR_FPEN_NOTRAP : S2_CPTR_FPEN_TRAP;
	write_sysreg(cptr | S2_CPTR_TTA | S2_CPTR_TAM, cptr_el2);
	write_sysreg((h->mdcr & S2_MDCR_HPMN_MASK) | S2_MDCR_TPMCR |
		     S2_MDCR_TPM | S2_MDCR_TDE | S2_MDCR_TDA |
		     S2_MDCR_TDOSA | S2_MDCR_TDRA | S2_MDCR_TPMS |
		     S2_MDCR_TTRF, mdcr_el2);
	write_sysreg(S2_HSTR_T15, hstr_el2);
	/*
	 * The physical counter and timer trap; the virtual counter is the
	 * box's, and so is the virtual timer, trapped with ECV.
	 */
	write_sysreg((h->cnthctl & ~(S2_CNTHCTL_EL1PCTEN | S2_CNTHCTL_EL1PCEN)) |
		     (cfg->ecv ? S2_CNTHCTL_EL1TVT : 0), cnthctl_el2);
	/* The host never reads these three; only KVM, which reloads them. */
	world_load_sysreg(0, cntvoff_el2);
	/* The box sees one CPU with this CPU's MIDR, and no affinity. */
	world_load_sysreg(read_cpuid_id(), vpidr_el2);
	world_load_sysreg(BIT_ULL(31), vmpidr_el2);
	world_debug_to_box(h);
	world_pmu_to_box(h, cfg);
	/*
	 * MPAM: the box's MPAM0/1_EL1 (and MPAMIDR_EL1 where that can trap)
	 * trap, so it can neither read nor pick the partition the host, KVM
	 * or another box runs in.
	 */
	/*
	 * HCRX_EL2: the host's enables (6.12 sets MSCEn, TCR2En and EnFPM
	 * where the CPU has them) would hand the box TCR2_EL1, FPMR and the
	 * like, EL1 state shared with KVM's guests. None of its features is
	 * enabled for a box; see S2_HCRX_TALLINT.
	 */
	if (cfg->hcx) {
		h->hcrx = read_sysreg_s(S2_SYS_HCRX_EL2);
		write_sysreg_s(S2_HCRX_TALLINT, S2_SYS_HCRX_EL2);
	}
	/* They apply once TGE is clear: the ISB before that orders them. */
	world_fgt_to_box(h, cfg);
	world_el1_ctl_to_box(h, cfg);
	if (cfg->mpam2_traps) {
		h->mpam2 = read_sysreg_s(S2_SYS_MPAM2_EL2);
		write_sysreg_s(h->mpam2 | cfg->mpam2_traps, S2_SYS_MPAM2_EL2);
	}
	if (cfg->gic_sysregs) {
		/* Virtual CPU interface accesses and ICC_SRE_EL1 trap. */
		write_sysreg_s(S2_ICH_HCR_TC | S2_ICH_HCR_TALL0 |
			       S2_ICH_HCR_TALL1 | S2_ICH_HCR_TDIR,
			       S2_SYS_ICH_HCR_EL2);
		write_sysreg_s(h->icc_sre & ~S2_ICC_SRE_EL2_ENABLE,
			       S2_SYS_ICC_SRE_EL2);
	}
}

/*
 * Did anything but this box use the EL1&0 regime on this CPU since the
 * box last ran here? s2box_last_box says which box ran last, but not
 * whether KVM ran a vCPU in between, and KVM may use VMID 0 too (a VM
 * that has not run yet has VMID 0 in its VTTBR for TLB maintenance, and
 * before upstream fa808ed4e199 a VHE vCPU could even enter its guest
 * with it). Any KVM run leaves its own marks: VTTBR_EL2 is no longer the
 * box's, and its vcpu_put writes the host's HCR_EL2 with VM clear, which
 * s2box's own exit never does (WORLD_HCR_STICKY).
 */
static __always_inline bool world_foreign_ran(const struct s2box_box *box,
					      const struct world_host *h)
{
	return __this_cpu_read(s2box_last_box) != box->id ||
	       h->vttbr != box->vttbr || !(h->hcr & S2_HCR_VM);
}

/*
 * Stage 2 of the box first, ISB, then TGE off (errata 1165522/1530923:
 * the guest translation regime must be complete before it can be used).
 */
static __always_inline void world_activate_stage2(const struct s2box_box *box,
						  const struct world_host *h,
						  const struct world_cfg *cfg)
{
	/* Often still this box's: see world_deactivate(). */
	bool vtcr_new = read_sysreg(vtcr_el2) != cfg->box_vtcr;
	bool vttbr_new = h->vttbr != box->vttbr;
	/*
	 * TLBs may cache VTCR_EL2.HA/HD with their entries: a box whose
	 * entries here were made with another HD (no_hw_dirty_cpus written
	 * since) must not use them either.
	 */
	bool flush = world_foreign_ran(box, h) || vtcr_new;

	if (vtcr_new)
		write_sysreg(cfg->box_vtcr, vtcr_el2);
	if (vttbr_new)
		write_sysreg(box->vttbr, vttbr_el2);
	/*
	 * The errata order. Registers not written here were made effective
	 * by the context synchronization (ISB or ERET) of an earlier trip.
	 */
	if (vtcr_new || vttbr_new)
		isb();
	write_sysreg(cfg->box_hcr, hcr_el2);
	/*
	 * All boxes share VMID 0: this CPU may hold another box's or a KVM
	 * guest's entries for it. Drop them locally (no other CPU runs
	 * this box) before entering: a local TLBI, so erratum 4118414,
	 * which is about broadcast completion, does not apply. Without a
	 * flush, the ISB before the ERET in s2box_world_enter() is the one
	 * that makes the new HCR_EL2 effective: nothing run at EL2 before
	 * it depends on TGE or VM.
	 */
	if (flush) {
		/* TGE=0 must be in effect before a TLBI aimed at EL1&0. */
		isb();
		__tlbi(vmalls12e1);
		dsb(nsh);
		isb();
		__this_cpu_write(s2box_last_box, box->id);
	}
}

/*
 * Stage-2 bits the host may keep: with TGE=1 the PE treats VM as 0 for
 * everything but a direct read, and PTW and FWB only shape stage-2 walks
 * and attributes, so none of them reaches the host's EL2&0 regime.
 */
#define WORLD_HCR_STICKY	(S2_HCR_VM | S2_HCR_PTW | S2_HCR_FWB)

/*
 * Back to the host's traps. VTTBR/VTCR keep the box's stage 2, and HCR its
 * stage-2 bits, because nothing the host runs with TGE=1 uses them: KVM
 * loads its own stage 2 before it clears TGE (at vcpu_load on 6.12, on
 * every entry on 6.1) and leaves other VMs' VTTBR behind the same way
 * after its own maintenance. Re-entering the same box then changes
 * neither, and QEMU, which drops its whole software TLB when HCR_EL2.VM
 * changes and its EL1&0 entries when VTTBR changes, keeps both the host's
 * and the box's translations. The box's TLB entries under VMID 0 stay
 * valid for that box only: s2box_last_box makes any other box flush.
 */
static __always_inline void world_deactivate(const struct world_host *h,
					     const struct world_cfg *cfg)
{
	write_sysreg(h->hcr | (cfg->box_hcr & WORLD_HCR_STICKY), hcr_el2);
	/*
	 * Errata 1165522/1530923: on those CPUs TGE=1 must be in effect
	 * before the host's configuration returns, as KVM orders it. On the
	 * others nothing below depends on it (DAIF is masked and no EL0 or
	 * EL1 code runs before the ISB at the end, which makes every write
	 * here effective before the host runs).
	 */
	if (cfg->spec_at)
		isb();
	write_sysreg(h->cptr, cptr_el2);
	write_sysreg(h->mdcr, mdcr_el2);
	write_sysreg(h->hstr, hstr_el2);
	write_sysreg(h->cnthctl, cnthctl_el2);
	if (cfg->gic_sysregs) {
		write_sysreg_s(h->ich_hcr, S2_SYS_ICH_HCR_EL2);
		write_sysreg_s(h->icc_sre, S2_SYS_ICC_SRE_EL2);
	}
	if (cfg->mpam2_traps)
		write_sysreg_s(h->mpam2, S2_SYS_MPAM2_EL2);
	if (cfg->hcx)
		write_sysreg_s(h->hcrx, S2_SYS_HCRX_EL2);
	world_fgt_to_host(h);
	world_el1_ctl_to_host(h, cfg);
	world_pmu_to_host(h);
	world_debug_to_host(h);
	isb();
}

/*
 * HPFAR_EL2 is not valid for a stage-2 permission fault that was not on a
 * stage-1 walk: switch.S translated FAR with the box's own stage 1 (AT
 * S1E1R, with an exception fixup for an abort on that walk).
 */
static __always_inline void world_fault_ipa(const struct s2box_world *w,
					    struct s2box_exit *ex)
{
	ex->par_valid = w->at_status == WORLD_AT_DONE;
	ex->par = w->at_par;
	ex->at_aborted = w->at_status == WORLD_AT_ABORT;
}

static __always_inline void world_save_exit(struct s2box_box *box,
					    const struct s2box_world *w,
					    struct s2box_exit *ex)
{
	struct s2box_regs *r = &box->regs;

	memcpy(r->x, w->guest_x, sizeof(r->x));
	r->sp_el0 = w->guest_sp_el0;
	ex->serror = w->serror_seen;
	ex->serror_esr = w->serror_esr;
	if (ex->code == S2BOX_VEC_PENDING)
		return;
	r->pc = w->guest_elr;
	r->pstate = w->guest_spsr;
	ex->esr = w->exit_esr;
	ex->far = w->exit_far;
	ex->hpfar = w->exit_hpfar;
}

/* Everything the world needs, while no trap of the box is live yet. */
static __always_inline void world_prepare(struct s2box_world *w,
					  const struct s2box_regs *r,
					  const struct world_cfg *cfg)
{
	memcpy(w->guest_x, r->x, sizeof(w->guest_x));
	w->guest_sp_el0 = r->sp_el0;
	/*
	 * switch.S reads the box's PAR_EL1 only on a real exit; when it
	 * bails out before the ERET (an interrupt pending) the box keeps
	 * this value.
	 */
	w->guest_par = r->par;
	w->box_vbar = (u64)s2box_vectors;
	w->host_pan = !!(read_sysreg_s(S2_SYS_PAN) & S2_PSR_PAN);
	w->host_ras = cfg->ras;
	s2box_bhb_mitigation(&w->bhb_loop, &w->bhb_clrbhb);
	w->fw_mitigation = __this_cpu_read(s2box_fw_mitigation);
	__this_cpu_write(s2box_host_vbar, read_sysreg(vbar_el2));
	__this_cpu_write(s2box_host_sp_el0, read_sysreg(sp_el0));
}

/*
 * From the first EL2 write (VDISR_EL2 in world_load_el1 with RAS, CPTR_EL2
 * without) to the last (world_deactivate) nothing is called but switch.S:
 * the helpers are always inlined, the object is built without
 * instrumentation (Kbuild), and what needs other files or may become a
 * call (the copies of the box's general registers, which gcc 14 turns
 * into memcpy) happens in s2box_world_run, before and after. A function
 * of its own, so that the disassembly lint (scripts/lint-disasm.sh) can
 * check all of it, wherever the compiler places its blocks. Per-CPU
 * accesses are the __this_cpu_ ones: interrupts are masked, and on a
 * preemptible kernel (7.3) this_cpu_ would end in a call to
 * preempt_schedule_notrace.
 */
noinline void notrace s2box_world_switch(struct s2box_box *box,
					 struct s2box_world *w,
					 const struct world_cfg *cfg,
					 struct s2box_exit *ex)
{
	struct s2box_regs *r = &box->regs;
	bool fp_live = box->fp_live;
	struct world_host h;

	world_save_host(&h, cfg);
	/* Lazy FP: run_once() opened a kernel-mode NEON section for it. */
	if (fp_live)
		s2box_fpsimd_load(r->v, r->fpsr, r->fpcr);
	world_load_el1(r, cfg);
	world_activate_traps(&h, cfg, fp_live);
	world_activate_stage2(box, &h, cfg);
	write_sysreg(r->pc, elr_el2);
	write_sysreg(r->pstate, spsr_el2);

	ex->code = s2box_world_enter(w);

	world_save_el1(r, w, cfg);
	world_deactivate(&h, cfg);
	/* The host's CPTR_EL2 is back: FP/SIMD no longer traps. */
	if (fp_live)
		s2box_fpsimd_save(r->v, &r->fpsr, &r->fpcr);
	world_restore_host_tls(&h, cfg);
}

/*
 * The box's VTCR_EL2 on this CPU: with hardware dirty state where the CPU
 * has it (HD needs HA; every leaf has AF set, so HA changes nothing
 * else). Only leaves with DBM are affected (snap.c), and a CPU without
 * HD takes a permission fault on them instead: each CPU gets the fixed
 * bits that are safe for it.
 */
static __always_inline u64 world_box_vtcr(const struct s2box_box *box)
{
	unsigned int cpu = raw_smp_processor_id();

	if (!__this_cpu_read(s2box_cpu_hw_dirty) ||
	    (cpu < BITS_PER_LONG &&
	     (READ_ONCE(s2box_no_hw_dirty_cpus) & BIT(cpu))))
		return box->geom.vtcr;
	return box->geom.vtcr | S2_VTCR_HA | S2_VTCR_HD;
}

/* Called with interrupts, debug, SError and FIQ masked. */
void notrace s2box_world_run(struct s2box_box *box, struct s2box_exit *ex)
{
	struct s2box_world w = {};
	struct world_cfg cfg;

	world_check_layout();
	world_get_cfg(&cfg);
	cfg.box_vtcr = world_box_vtcr(box);
	world_prepare(&w, &box->regs, &cfg);
	s2box_world_switch(box, &w, &cfg, ex);
	world_save_exit(box, &w, ex);
	world_fault_ipa(&w, ex);
}

/*
 * Not probeable: the switch runs with the host's EL2 configuration half
 * replaced; the helpers above are always inlined into it for the same
 * reason.
 */
NOKPROBE_SYMBOL(s2box_world_run);
NOKPROBE_SYMBOL(s2box_world_switch);
NOKPROBE_SYMBOL(s2box_world_enter);
NOKPROBE_SYMBOL(s2box_fpsimd_load);
NOKPROBE_SYMBOL(s2box_fpsimd_save);
