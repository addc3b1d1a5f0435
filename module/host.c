// SPDX-License-Identifier: GPL-2.0
/*
 * Host probe: s2box loads only on a kernel running at EL2 with VHE, and
 * only on CPUs whose EL1-visible state it fully handles (the allow-list in
 * idregs.c). Capabilities come from the kernel's sanitised ID registers,
 * i.e. the values safe on every CPU.
 */

#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/smp.h>
#include <asm/cpufeature.h>
#include <asm/cputype.h>
#include <asm/sysreg.h>
#include <asm/virt.h>

#include "s2box.h"
#include "el2_bits.h"
#include "idregs.h"
#include "world.h"

/*
 * Several of the feature ID registers are not named by the 6.1 headers,
 * so all are spelled by encoding. Every one sits in the ID space
 * (op0 3, op1 0, CRn 0, CRm 1-7), which reads as zero where a register is
 * not implemented, so reading them raw is safe on any CPU.
 */
#define S2BOX_SYS_ID(crm, op2)	sys_reg(3, 0, 0, crm, op2)

static struct s2box_host s2box_host_caps;

/* Spectre-BHB mitigation of the exit path (see switch.S). */
static u64 s2box_bhb_loop, s2box_bhb_clrbhb;

/*
 * The kernel's own choice per CPU (loop count, CLRBHB or firmware) is not
 * exported. Where the system is affected, use CLRBHB when every CPU has
 * it, otherwise the branch loop with 132 iterations, the largest count
 * the kernel uses for any CPU it knows (6.12's list: Cortex-X3 and
 * Neoverse-V2; 6.1's largest is 32), so a CPU needing fewer is covered
 * too. CPUs the kernel mitigates only through firmware
 * (ARCH_WORKAROUND_3) are not covered by the loop.
 */
#define S2BOX_BHB_LOOP_MAX	132
static void host_probe_bhb(void)
{
	u64 isar2 = read_sanitised_ftr_reg(SYS_ID_AA64ISAR2_EL1);

	if (!cpus_have_final_cap(ARM64_SPECTRE_BHB))
		return;
	if ((isar2 >> 28) & 0xf)
		s2box_bhb_clrbhb = 1;
	else
		s2box_bhb_loop = S2BOX_BHB_LOOP_MAX;
	if (s2box_bhb_clrbhb)
		pr_info("Spectre-BHB: CLRBHB on box exit\n");
	else
		pr_info("Spectre-BHB: branch loop (%llu) on box exit\n",
			s2box_bhb_loop);
}

/*
 * This and s2box_host_get() run inside guest context (run.c), where RCU
 * may not be watching: no ftrace or kprobe hook may run in them.
 */
void notrace s2box_bhb_mitigation(u64 *loop, u64 *clrbhb)
{
	*loop = s2box_bhb_loop;
	*clrbhb = s2box_bhb_clrbhb;
}

NOKPROBE_SYMBOL(s2box_bhb_mitigation);

/*
 * EL2 registers the switch writes for a box wherever the host has them
 * (and EL1 ones it switches only where the feature exists);
 * a CPU without one would UNDEF at EL2 inside the switch, and a CPU with
 * one the switch leaves alone would run its boxes under the host's values
 * of it. So each must be on every CPU or on none (host_mismatched()).
 * Decided from each CPU's own ID registers: the kernel's sanitised copy
 * cannot tell, since older kernels (6.1) do not track these fields and
 * read them as 0. MPAMIDR_EL1.HAS_TIDR only adds a trap where all have it.
 */
enum host_el2_reg {
	HOST_EL2_HCRX,		/* FEAT_HCX: HCRX_EL2 */
	HOST_EL2_MPAM2,		/* FEAT_MPAM: MPAM2_EL2 */
	HOST_EL2_FGT,		/* FEAT_FGT: HFGRTR_EL2 & co */
	HOST_EL2_FGT2,		/* FEAT_FGT2: HFGRTR2_EL2 & co */
	HOST_EL2_BRBE,		/* FEAT_BRBE: BRBCR_EL12 */
	HOST_EL2_THE,		/* FEAT_THE: RCWMASK_EL1, RCWSMASK_EL1 */
	HOST_EL2_ECV,		/* FEAT_ECV: CNTHCTL_EL2.EL1TVT */
	HOST_EL2_MPAM_TIDR,	/* MPAMIDR_EL1.HAS_TIDR: MPAM2_EL2.TIDR */
	HOST_EL2_COUNT
};

/* The last one need not match: a trap used only where every CPU has it. */
#define HOST_EL2_MUST_MATCH	HOST_EL2_MPAM_TIDR

/* The boxes would run under the host's values of what is missing. */
static const char *const host_el2_mismatch[HOST_EL2_MUST_MATCH] = {
	[HOST_EL2_HCRX] = "ID_AA64MMFR1_EL1.HCX differs between CPUs (HCRX_EL2)",
	[HOST_EL2_MPAM2] = "ID_AA64PFR0_EL1.MPAM differs between CPUs (MPAM2_EL2)",
	[HOST_EL2_FGT] = "ID_AA64MMFR0_EL1.FGT differs between CPUs (fine-grained traps)",
	[HOST_EL2_FGT2] = "ID_AA64MMFR0_EL1.FGT differs between CPUs (FEAT_FGT2 traps)",
	[HOST_EL2_BRBE] = "ID_AA64DFR0_EL1.BRBE differs between CPUs (BRBCR_EL1)",
	[HOST_EL2_THE] = "ID_AA64PFR1_EL1.THE differs between CPUs (RCW masks)",
	[HOST_EL2_ECV] = "ID_AA64MMFR0_EL1.ECV differs between CPUs (box timer traps)",
};

static const char *const host_el2_missing[HOST_EL2_MUST_MATCH] = {
	[HOST_EL2_HCRX] = "no FEAT_HCX, which the other CPUs have",
	[HOST_EL2_MPAM2] = "no FEAT_MPAM, which the other CPUs have",
	[HOST_EL2_FGT] = "no FEAT_FGT, which the other CPUs have",
	[HOST_EL2_FGT2] = "no FEAT_FGT2, which the other CPUs have",
	[HOST_EL2_BRBE] = "no FEAT_BRBE, which the other CPUs have",
	[HOST_EL2_THE] = "no FEAT_THE, which the other CPUs have",
	[HOST_EL2_ECV] = "no FEAT_ECV, which the other CPUs have",
};

/* Which of those EL2 registers a CPU with ID registers @r has. */
static unsigned long host_el2_regs(const struct s2box_idregs *r)
{
	unsigned int fgt = s2box_idreg_field(r, S2BOX_ID_MMFR0, 56);
	unsigned long has = 0;

	if (s2box_idreg_field(r, S2BOX_ID_MMFR1, 40))
		has |= BIT(HOST_EL2_HCRX);
	if (s2box_idreg_field(r, S2BOX_ID_PFR0, 40) ||
	    s2box_idreg_field(r, S2BOX_ID_PFR1, 16))
		has |= BIT(HOST_EL2_MPAM2);
	if (fgt >= 1)
		has |= BIT(HOST_EL2_FGT);
	if (fgt >= 2)
		has |= BIT(HOST_EL2_FGT2);
	if (s2box_idreg_field(r, S2BOX_ID_DFR0, 52))
		has |= BIT(HOST_EL2_BRBE);
	if (s2box_idreg_field(r, S2BOX_ID_PFR1, 48))
		has |= BIT(HOST_EL2_THE);
	if (s2box_idreg_field(r, S2BOX_ID_MMFR0, 60))
		has |= BIT(HOST_EL2_ECV);
	return has;
}

/*
 * This CPU's raw feature ID registers. Several are not named by the 6.1
 * headers, so all are read by encoding; the indices and encodings are
 * those of idregs.c's table, which the unit tests check.
 */
#define READ_ID(r, i, crm, op2) \
	s2box_idreg_set(r, S2BOX_ID_##i, read_sysreg_s(S2BOX_SYS_ID(crm, op2)))

static void host_read_this_cpu(struct s2box_idregs *r)
{
	READ_ID(r, PFR0, 4, 0);
	READ_ID(r, PFR1, 4, 1);
	READ_ID(r, PFR2, 4, 2);
	READ_ID(r, ZFR0, 4, 4);
	READ_ID(r, SMFR0, 4, 5);
	READ_ID(r, FPFR0, 4, 7);
	READ_ID(r, DFR0, 5, 0);
	READ_ID(r, DFR1, 5, 1);
	READ_ID(r, DFR2, 5, 2);
	READ_ID(r, AFR0, 5, 4);
	READ_ID(r, AFR1, 5, 5);
	READ_ID(r, ISAR0, 6, 0);
	READ_ID(r, ISAR1, 6, 1);
	READ_ID(r, ISAR2, 6, 2);
	READ_ID(r, ISAR3, 6, 3);
	READ_ID(r, MMFR0, 7, 0);
	READ_ID(r, MMFR1, 7, 1);
	READ_ID(r, MMFR2, 7, 2);
	READ_ID(r, MMFR3, 7, 3);
	READ_ID(r, MMFR4, 7, 4);
}

/* What one CPU shows: its ID registers and the EL2 registers it has. */
struct host_cpu_view {
	struct s2box_idregs regs;
	unsigned long el2;
};

static void host_view_this_cpu(struct host_cpu_view *v)
{
	host_read_this_cpu(&v->regs);
	v->el2 = host_el2_regs(&v->regs);
	if ((v->el2 & BIT(HOST_EL2_MPAM2)) &&
	    (read_sysreg_s(S2_SYS_MPAMIDR_EL1) & S2_MPAMIDR_HAS_TIDR))
		v->el2 |= BIT(HOST_EL2_MPAM_TIDR);
}

/*
 * Every online CPU's view, gathered: the allow-list must see a feature if
 * ANY CPU has it (state on one CPU is enough for a channel), so the ID
 * registers are ORed rather than taken from the sanitised (lowest
 * common) values; the EL2 registers are counted per CPU.
 */
struct host_gather {
	atomic64_t any[S2BOX_ID_COUNT];
	atomic_t cpus;
	atomic_t el2[HOST_EL2_COUNT];
};

static void host_gather_this_cpu(void *data)
{
	struct host_gather *g = data;
	struct host_cpu_view v;
	unsigned int i;

	host_view_this_cpu(&v);
	for (i = 0; i < S2BOX_ID_COUNT; i++)
		atomic64_or(s2box_idreg_value(&v.regs, i), &g->any[i]);
	atomic_inc(&g->cpus);
	for (i = 0; i < HOST_EL2_COUNT; i++)
		if (v.el2 & BIT(i))
			atomic_inc(&g->el2[i]);
}

/* Any CPU's view, ORed: what the allow-list sees. */
static struct s2box_idregs host_any_cpu;
/* The EL2 registers every CPU has; a mismatch in these refuses the load. */
static unsigned long host_every_cpu, host_some_cpu;

static void host_gather(void)
{
	struct host_gather g = {};
	unsigned int i, n;

	on_each_cpu(host_gather_this_cpu, &g, 1);
	n = atomic_read(&g.cpus);
	for (i = 0; i < S2BOX_ID_COUNT; i++) {
		s2box_idreg_set(&host_any_cpu, i, atomic64_read(&g.any[i]));
		pr_debug("%s %#018llx\n", s2box_idreg_name(i),
			 s2box_idreg_value(&host_any_cpu, i));
	}
	host_every_cpu = 0;
	host_some_cpu = 0;
	for (i = 0; i < HOST_EL2_COUNT; i++) {
		if (atomic_read(&g.el2[i]) == n)
			host_every_cpu |= BIT(i);
		if (atomic_read(&g.el2[i]))
			host_some_cpu |= BIT(i);
	}
	s2box_host_caps.hcx = host_every_cpu & BIT(HOST_EL2_HCRX);
	s2box_host_caps.mpam = host_every_cpu & BIT(HOST_EL2_MPAM2);
	s2box_host_caps.mpam_tidr = s2box_host_caps.mpam &&
				    (host_every_cpu & BIT(HOST_EL2_MPAM_TIDR));
	s2box_host_caps.fgt = host_every_cpu & BIT(HOST_EL2_FGT);
	s2box_host_caps.fgt2 = host_every_cpu & BIT(HOST_EL2_FGT2);
	s2box_host_caps.brbe = host_every_cpu & BIT(HOST_EL2_BRBE);
	s2box_host_caps.the = host_every_cpu & BIT(HOST_EL2_THE);
	s2box_host_caps.ecv = host_every_cpu & BIT(HOST_EL2_ECV);
}

/* An EL2 register some CPUs have and others lack. */
static const char *host_mismatched(unsigned long some, unsigned long every)
{
	unsigned int i;

	for (i = 0; i < HOST_EL2_MUST_MATCH; i++)
		if ((some & BIT(i)) && !(every & BIT(i)))
			return host_el2_mismatch[i];
	return NULL;
}

/* A CPU that came online with state the module does not handle. */
DEFINE_PER_CPU(bool, s2box_cpu_unfit);

/*
 * Runs on a CPU coming online (an AP hotplug state, so on that CPU): the
 * allow-list decided at load for the CPUs online then; a later one may
 * differ (a big.LITTLE core, a different stepping). Refusing the online
 * would take a CPU from the host for s2box's sake, so the CPU is marked
 * instead and RUN fails there with ENODEV.
 */
void s2box_host_cpu_check(unsigned int cpu)
{
	struct host_cpu_view v;
	unsigned long differ;
	const char *why;
	char buf[160];
	unsigned int i;

	host_view_this_cpu(&v);
	why = s2box_unhandled_feature(&v.regs, buf, sizeof(buf));
	/* The EL2 registers the switch writes (or leaves) on every CPU. */
	differ = (v.el2 ^ host_every_cpu) & (BIT(HOST_EL2_MUST_MATCH) - 1);
	for (i = 0; !why && i < HOST_EL2_MUST_MATCH; i++) {
		if (!(differ & BIT(i)))
			continue;
		why = (v.el2 & BIT(i)) ? host_el2_mismatch[i] :
					 host_el2_missing[i];
	}
	if (!why && s2box_host_caps.mpam_tidr &&
	    !(v.el2 & BIT(HOST_EL2_MPAM_TIDR)))
		why = "no MPAMIDR_EL1.HAS_TIDR, which the other CPUs have";
	per_cpu(s2box_cpu_unfit, cpu) = !!why;
	if (why)
		pr_warn("CPU %u came online with state boxes cannot run with (%s): RUN fails there with ENODEV\n",
			cpu, why);
}

/*
 * Stage-2 capabilities from the sanitised registers. On mismatched CPUs
 * the kernel's feature table makes TGranX_2 "not supported" unless all
 * agree and keeps the lowest PARange, VMIDBits and HAFDBS. A lower HAFDBS
 * only matters if boxes enabled hardware AF/dirty updates, which they do
 * not (VTCR_EL2.HA = HD = 0): it is reported for information.
 */
static void host_decode_sanitised(void)
{
	struct s2box_idregs regs = {
		.mmfr0 = read_sanitised_ftr_reg(SYS_ID_AA64MMFR0_EL1),
		.mmfr1 = read_sanitised_ftr_reg(SYS_ID_AA64MMFR1_EL1),
		.mmfr2 = read_sanitised_ftr_reg(SYS_ID_AA64MMFR2_EL1),
		.pfr0 = read_sanitised_ftr_reg(SYS_ID_AA64PFR0_EL1),
		.pfr1 = read_sanitised_ftr_reg(SYS_ID_AA64PFR1_EL1),
	};

	s2box_host_decode(&regs, &s2box_host_caps);
}

/*
 * AmpereOne erratum AC03_CPU_38 (AC03 and AC04 parts): with hardware
 * Access flag or dirty updates enabled at stage 1, a CPU may corrupt
 * state. The kernel never enables them there, and KVM masks a guest's
 * TCR_EL1.HA/HD; boxes get the same through TVM (trap.c) and a masked
 * load (world.c). Named here: 6.1's headers lack the AC04 part number.
 */
#define S2BOX_MIDR_AMPERE1	MIDR_CPU_MODEL(ARM_CPU_IMP_AMPERE, 0xac3)
#define S2BOX_MIDR_AMPERE1A	MIDR_CPU_MODEL(ARM_CPU_IMP_AMPERE, 0xac4)

/*
 * Hardware dirty state at stage 2 is a per-CPU feature: systems mix CPUs
 * with and without it, and some have it broken. These are the CPUs whose
 * DBM Linux does not use at stage 1 either (cpu_has_broken_dbm(), which
 * is not exported): Cortex-A55 (erratum 1024718), Kryo 4xx Silver (all
 * taken as affected) and Cortex-A510 r0p0-r0p2 (erratum 2051678).
 */
#define S2BOX_MIDR_A55		MIDR_CPU_MODEL(ARM_CPU_IMP_ARM, 0xd05)
#define S2BOX_MIDR_A510		MIDR_CPU_MODEL(ARM_CPU_IMP_ARM, 0xd46)
#define S2BOX_MIDR_KRYO4_SILVER	MIDR_CPU_MODEL(ARM_CPU_IMP_QCOM, 0x805)

static bool host_dbm_broken(u32 midr)
{
	u32 model = midr & MIDR_CPU_MODEL_MASK;

	if (model == S2BOX_MIDR_A55 || model == S2BOX_MIDR_KRYO4_SILVER)
		return true;
	return model == S2BOX_MIDR_A510 && !MIDR_VARIANT(midr) &&
	       MIDR_REVISION(midr) <= 2;
}

/* This CPU may run boxes with VTCR_EL2.HD (snap.c says what for). */
DEFINE_PER_CPU(bool, s2box_cpu_hw_dirty);

/*
 * For testing the mixed case QEMU cannot build: CPUs in this mask run
 * boxes without hardware dirty state, so their writes take the
 * write-protect fault path. Read at every entry.
 */
unsigned long s2box_no_hw_dirty_cpus;
module_param_named(no_hw_dirty_cpus, s2box_no_hw_dirty_cpus, ulong, 0644);
MODULE_PARM_DESC(no_hw_dirty_cpus, "Bit n set: CPU n (0-63) runs boxes without stage-2 hardware dirty state, as if it had none (testing)");

/* Some CPU has had hardware dirty state since load. */
static bool host_hw_dirty_seen;

bool s2box_hw_dirty_somewhere(void)
{
	return READ_ONCE(host_hw_dirty_seen);
}

/* Runs on each CPU, at load and when one comes online. */
void s2box_host_cpu_errata(void)
{
	u32 midr = read_cpuid_id(), model = midr & MIDR_CPU_MODEL_MASK;
	u64 mmfr1 = read_sysreg_s(SYS_ID_AA64MMFR1_EL1);

	if (model == S2BOX_MIDR_AMPERE1 || model == S2BOX_MIDR_AMPERE1A)
		WRITE_ONCE(s2box_host_caps.tcr_hw_update_broken, true);
	/* This CPU's own field, not the system-wide one: HAFDBS 2 is DBM. */
	__this_cpu_write(s2box_cpu_hw_dirty,
			 (mmfr1 & 0xf) >= 2 && !host_dbm_broken(midr));
	if (__this_cpu_read(s2box_cpu_hw_dirty))
		WRITE_ONCE(host_hw_dirty_seen, true);
}

static void host_cpu_errata_ipi(void *unused)
{
	s2box_host_cpu_errata();
	s2box_spectre_cpu_probe();
}

/* PMUv3 present (PMUVer neither 0, none, nor 0xf, IMPLEMENTATION DEFINED). */
static void host_probe_pmu(void)
{
	u64 dfr0 = read_sanitised_ftr_reg(SYS_ID_AA64DFR0_EL1);
	unsigned int pmuver = (dfr0 >> 8) & 0xf;

	s2box_host_caps.pmuv3 = pmuver && pmuver != 0xf;
	s2box_host_caps.spe = (dfr0 >> 32) & 0xf;
	s2box_host_caps.trf = (dfr0 >> 40) & 0xf;
}

int s2box_host_probe(void)
{
	const char *feature;
	char why[160];

	/*
	 * A kernel at EL2 is a VHE kernel (E2H=1). nVHE, hVHE and protected
	 * KVM all run the kernel at EL1, where s2box cannot own VBAR_EL2.
	 */
	if (!is_kernel_in_hyp_mode() || !has_vhe()) {
		pr_err("not loading: the kernel does not run at EL2 with VHE (nVHE, protected KVM or no EL2); s2box needs a VHE host\n");
		return -ENODEV;
	}

	host_gather();
	feature = s2box_unhandled_feature(&host_any_cpu, why, sizeof(why));
	if (feature) {
		pr_err("not loading: %s\n", feature);
		return -ENODEV;
	}

	host_decode_sanitised();
	host_probe_bhb();
	host_probe_pmu();
	feature = host_mismatched(host_some_cpu, host_every_cpu);
	if (feature) {
		pr_err("not loading: %s\n", feature);
		return -ENODEV;
	}
	on_each_cpu(host_cpu_errata_ipi, NULL, 1);
	if (s2box_host_caps.tcr_hw_update_broken)
		pr_info("AmpereOne AC03_CPU_38: boxes run with TCR_EL1.HA/HD clear\n");
	pr_info("host: %u-bit PA, IPA limit 4K %u, 16K %u, 64K %u, %u-bit VMID%s\n",
		s2box_host_caps.pa_bits,
		s2box_ipa_limit(&s2box_host_caps, S2_GRANULE_SHIFT_4K),
		s2box_ipa_limit(&s2box_host_caps, S2_GRANULE_SHIFT_16K),
		s2box_ipa_limit(&s2box_host_caps, S2_GRANULE_SHIFT_64K),
		s2box_host_caps.vmid_bits,
		s2box_host_caps.fwb ? ", FWB" : "");
	return 0;
}

/*
 * A CPU coming (back) online: it may hold anything under VMID 0, and its
 * errata, firmware mitigations and features are its own. Here and not in
 * world.c, which is built without instrumentation: this runs in normal
 * context, and ftrace may trace it (s2box_lifetime_test does).
 */
int s2box_world_cpu_online(unsigned int cpu)
{
	per_cpu(s2box_last_box, cpu) = 0;
	/* Runs on @cpu itself (an AP hotplug state): its MIDR is its own. */
	s2box_host_cpu_errata();
	s2box_spectre_cpu_probe();
	s2box_host_cpu_check(cpu);
	return 0;
}

const struct s2box_host *notrace s2box_host_get(void)
{
	return &s2box_host_caps;
}

NOKPROBE_SYMBOL(s2box_host_get);

void s2box_host_fill_caps(struct s2box_caps *caps)
{
	const struct s2box_host *h = &s2box_host_caps;

	memset(caps, 0, sizeof(*caps));
	caps->flags = S2BOX_CAP_VHE;
	caps->ipa_bits_max_4k = s2box_ipa_limit(h, S2_GRANULE_SHIFT_4K);
	caps->ipa_bits_max_16k = s2box_ipa_limit(h, S2_GRANULE_SHIFT_16K);
	caps->ipa_bits_max_64k = s2box_ipa_limit(h, S2_GRANULE_SHIFT_64K);
	/* The 52-bit flags say what the limits above already decided. */
	if (caps->ipa_bits_max_4k == 52)
		caps->flags |= S2BOX_CAP_LPA2_4K;
	if (caps->ipa_bits_max_16k == 52)
		caps->flags |= S2BOX_CAP_LPA2_16K;
	if (caps->ipa_bits_max_64k == 52)
		caps->flags |= S2BOX_CAP_LPA_64K;
	if (h->fwb)
		caps->flags |= S2BOX_CAP_FWB;
	if (h->vmid_bits == 16)
		caps->flags |= S2BOX_CAP_VMID16;
	caps->api_version = S2BOX_API_VERSION;
	caps->pa_bits = h->pa_bits;
	caps->granules = (h->gran_4k ? S2BOX_GRANULE_MASK_4K : 0) |
			 (h->gran_16k ? S2BOX_GRANULE_MASK_16K : 0) |
			 (h->gran_64k ? S2BOX_GRANULE_MASK_64K : 0);
	caps->vmid_bits = h->vmid_bits;
	caps->hafdbs = h->hafdbs;
	caps->host_page_size = PAGE_SIZE;
}
