// SPDX-License-Identifier: GPL-2.0
/*
 * Host probe: s2box loads only on a kernel running at EL2 with VHE, and
 * only on CPUs whose EL1-visible state it fully handles (the allow-list in
 * idregs.c). Capabilities come from the kernel's sanitised ID registers,
 * i.e. the values safe on every CPU.
 */

#include <linux/atomic.h>
#include <linux/kprobes.h>
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
 * The allow-list must see a feature if ANY CPU has it (state on one CPU is
 * enough for a channel), so it ORs the raw registers of every online CPU
 * instead of using the sanitised (lowest common) values. The indices and
 * encodings are those of idregs.c's table, which the unit tests check.
 */
#define OR_ID(acc, i, crm, op2) \
	atomic64_or(read_sysreg_s(S2BOX_SYS_ID(crm, op2)), &(acc)[S2BOX_ID_##i])

static void idregs_or_this_cpu(void *data)
{
	atomic64_t *acc = data;

	OR_ID(acc, PFR0, 4, 0);
	OR_ID(acc, PFR1, 4, 1);
	OR_ID(acc, PFR2, 4, 2);
	OR_ID(acc, ZFR0, 4, 4);
	OR_ID(acc, SMFR0, 4, 5);
	OR_ID(acc, FPFR0, 4, 7);
	OR_ID(acc, DFR0, 5, 0);
	OR_ID(acc, DFR1, 5, 1);
	OR_ID(acc, DFR2, 5, 2);
	OR_ID(acc, AFR0, 5, 4);
	OR_ID(acc, AFR1, 5, 5);
	OR_ID(acc, ISAR0, 6, 0);
	OR_ID(acc, ISAR1, 6, 1);
	OR_ID(acc, ISAR2, 6, 2);
	OR_ID(acc, ISAR3, 6, 3);
	OR_ID(acc, MMFR0, 7, 0);
	OR_ID(acc, MMFR1, 7, 1);
	OR_ID(acc, MMFR2, 7, 2);
	OR_ID(acc, MMFR3, 7, 3);
	OR_ID(acc, MMFR4, 7, 4);
}

/* Any CPU's view, ORed: what the allow-list and the checks below see. */
static struct s2box_idregs host_any_cpu;

static const char *host_unhandled_feature(char *buf, size_t len)
{
	atomic64_t acc[S2BOX_ID_COUNT] = {};
	struct s2box_idregs *regs = &host_any_cpu;
	unsigned int i;

	on_each_cpu(idregs_or_this_cpu, acc, 1);
	for (i = 0; i < S2BOX_ID_COUNT; i++) {
		s2box_idreg_set(regs, i, atomic64_read(&acc[i]));
		pr_debug("%s %#018llx\n", s2box_idreg_name(i),
			 s2box_idreg_value(regs, i));
	}
	return s2box_unhandled_feature(regs, buf, len);
}

/*
 * HCRX_EL2 and MPAM2_EL2 are written for boxes only if every CPU has them
 * (a CPU without one would UNDEF at EL2 inside the switch), decided from
 * each CPU's own ID registers: the kernel's sanitised copy cannot tell,
 * since older kernels (6.1) do not track those fields and read them as 0.
 * A system where only some CPUs have one is refused (host_mismatched()).
 */
struct host_every_cpu {
	atomic_t cpus, hcx, mpam, mpam_tidr;
};

static bool host_cpu_has_hcx(void)
{
	return (read_sysreg_s(SYS_ID_AA64MMFR1_EL1) >> 40) & 0xf;
}

static bool host_cpu_has_mpam(void)
{
	return ((read_sysreg_s(SYS_ID_AA64PFR0_EL1) >> 40) & 0xf) ||
	       ((read_sysreg_s(SYS_ID_AA64PFR1_EL1) >> 16) & 0xf);
}

static void host_count_this_cpu(void *data)
{
	struct host_every_cpu *c = data;

	atomic_inc(&c->cpus);
	if (host_cpu_has_hcx())
		atomic_inc(&c->hcx);
	if (!host_cpu_has_mpam())
		return;
	atomic_inc(&c->mpam);
	if (read_sysreg_s(S2_SYS_MPAMIDR_EL1) & S2_MPAMIDR_HAS_TIDR)
		atomic_inc(&c->mpam_tidr);
}

static void host_probe_every_cpu(void)
{
	struct host_every_cpu c = {};
	int n;

	on_each_cpu(host_count_this_cpu, &c, 1);
	n = atomic_read(&c.cpus);
	s2box_host_caps.hcx = atomic_read(&c.hcx) == n;
	s2box_host_caps.mpam = atomic_read(&c.mpam) == n;
	s2box_host_caps.mpam_tidr = s2box_host_caps.mpam &&
				    atomic_read(&c.mpam_tidr) == n;
}

/*
 * HCRX_EL2 and MPAM2_EL2 are written only where every CPU has them (the
 * sanitised view); a CPU that has one while another does not would run
 * its boxes under the host's values.
 */
static const char *host_mismatched(void)
{
	const struct s2box_idregs *any = &host_any_cpu;

	if (((any->mmfr1 >> 40) & 0xf) && !s2box_host_caps.hcx)
		return "ID_AA64MMFR1_EL1.HCX differs between CPUs: no HCRX_EL2 for boxes on some";
	if ((((any->pfr0 >> 40) & 0xf) || ((any->pfr1 >> 16) & 0xf)) &&
	    !s2box_host_caps.mpam)
		return "ID_AA64PFR0_EL1.MPAM differs between CPUs: no MPAM2_EL2 traps on some";
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
	atomic64_t acc[S2BOX_ID_COUNT] = {};
	struct s2box_idregs regs, merged;
	const char *why;
	char buf[160];
	unsigned int i;

	idregs_or_this_cpu(acc);
	for (i = 0; i < S2BOX_ID_COUNT; i++) {
		s2box_idreg_set(&regs, i, atomic64_read(&acc[i]));
		s2box_idreg_set(&merged, i, s2box_idreg_value(&regs, i) |
				s2box_idreg_value(&host_any_cpu, i));
	}
	why = s2box_unhandled_feature(&regs, buf, sizeof(buf));
	/* The switch writes these registers wherever the host has them. */
	if (!why && s2box_host_caps.hcx && !host_cpu_has_hcx())
		why = "no FEAT_HCX, which the other CPUs have";
	if (!why && s2box_host_caps.mpam && !host_cpu_has_mpam())
		why = "no FEAT_MPAM, which the other CPUs have";
	if (!why) {
		/* Its features beside the others': HCX or MPAM on some only. */
		swap(host_any_cpu, merged);
		why = host_mismatched();
		swap(host_any_cpu, merged);
	}
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

/* Runs on each CPU, at load and when one comes online. */
void s2box_host_cpu_errata(void)
{
	u32 model = read_cpuid_id() & MIDR_CPU_MODEL_MASK;

	if (model == S2BOX_MIDR_AMPERE1 || model == S2BOX_MIDR_AMPERE1A)
		WRITE_ONCE(s2box_host_caps.tcr_hw_update_broken, true);
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

	feature = host_unhandled_feature(why, sizeof(why));
	if (feature) {
		pr_err("not loading: %s\n", feature);
		return -ENODEV;
	}

	host_decode_sanitised();
	host_probe_bhb();
	host_probe_pmu();
	host_probe_every_cpu();
	feature = host_mismatched();
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
