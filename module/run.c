// SPDX-License-Identifier: GPL-2.0
/*
 * S2BOX_RUN: enter the box until it does something the caller must see.
 * Interrupts end every trip into the box (IMO/FMO=1); the host takes them
 * with interrupts unmasked between trips, then this loop checks the
 * signals, the scheduler and the budget before going back in.
 */

#include <linux/hrtimer.h>
#include <linux/irqflags.h>
#include <linux/ktime.h>
#include <linux/kvm_host.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <asm/daifflags.h>
#include <asm/neon.h>

#include "s2box.h"
#include "el2_bits.h"
#include "world.h"
#include "trace.h"

static enum hrtimer_restart run_budget_over(struct hrtimer *timer)
{
	struct s2box_box *box = container_of(timer, struct s2box_box, budget);

	/* The timer interrupt itself already made the box exit. */
	WRITE_ONCE(box->budget_over, true);
	return HRTIMER_NORESTART;
}

void s2box_run_init(struct s2box_box *box)
{
	mutex_init(&box->regs_lock);
	s2box_regs_reset(&box->regs);
	/* Hard: the callback must run from the interrupt that kicks the box. */
	hrtimer_setup(&box->budget, run_budget_over, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_HARD);
	box->stale_valid = false;
}

/*
 * One trip. Once the box has used FP/SIMD its V registers are loaded
 * inside a kernel-mode NEON section, which has saved the caller's own
 * FP/SIMD state (once per RUN: the kernel saves it only while it is
 * live); before that the trip traps FP/SIMD and needs none. Interrupts
 * are masked the way KVM's VHE run loop masks them (DAIF, then back to
 * process context without IRQs, then IRQs on to take what is pending).
 */
static int run_once(struct s2box_box *box, struct s2box_exit *ex)
{
	/* Where the host's kernel-mode FP/SIMD state goes if preempted. */
	struct user_fpsimd_state neon_state __uninitialized;
	bool fp_live = box->fp_live;

	if (fp_live)
		kernel_neon_begin(&neon_state);
	local_irq_disable();
	/* Interrupts off: this is the CPU the trip would run on. */
	if (this_cpu_read(s2box_cpu_unfit)) {
		local_irq_enable();
		if (fp_live)
			kernel_neon_end(&neon_state);
		pr_info_ratelimited("run: CPU %d came online with state boxes cannot run with (see its message); pin the caller to another CPU\n",
				    raw_smp_processor_id());
		return -ENODEV;
	}
	/*
	 * Box time is guest time, as for a KVM vCPU: the tick accounts it
	 * to the task's guest time (PF_VCPU), and context tracking marks
	 * the CPU as in a guest, an RCU quiescent state, so an unbudgeted
	 * box on a nohz_full CPU does not hold up grace periods.
	 */
	guest_timing_enter_irqoff();
	guest_state_enter_irqoff();
	local_daif_mask();
	s2box_world_run(box, ex);
	local_daif_restore(DAIF_PROCCTX_NOIRQ);
	guest_state_exit_irqoff();
	/*
	 * Take the interrupt that ended the trip (a tick included) while
	 * still in guest timing, so it is accounted as guest time.
	 */
	local_irq_enable();
	isb();
	local_irq_disable();
	guest_timing_exit_irqoff();
	local_irq_enable();
	if (fp_live)
		kernel_neon_end(&neon_state);
	return 0;
}

static u32 run_fault_status(u64 fsc)
{
	switch (fsc & 0x3c) {
	case 0x00:
		return S2BOX_FAULT_ADDR_SIZE;
	case 0x04:
		return S2BOX_FAULT_TRANSLATION;
	case 0x08:
		return S2BOX_FAULT_ACCESS_FLAG;
	case 0x0c:
		return S2BOX_FAULT_PERMISSION;
	}
	/* 0b101001/0b101011: address size / translation fault at level -1. */
	if (fsc == 0x29)
		return S2BOX_FAULT_ADDR_SIZE;
	if (fsc == 0x2b)
		return S2BOX_FAULT_TRANSLATION;
	return S2BOX_FAULT_OTHER;
}

static void run_decode_abort(const struct s2box_exit *ex, struct s2box_run *run)
{
	u64 fsc = ex->esr & 0x3f;

	run->exit_reason = S2BOX_EXIT_S2_FAULT;
	run->fault_status = run_fault_status(fsc);
	run->fault_level = (fsc == 0x29 || fsc == 0x2b) ? -1 : (int)(fsc & 3);
	if (S2_ESR_EC(ex->esr) == S2_EC_IABT_LOW)
		run->fault_access = S2BOX_ACCESS_EXEC;
	else if ((ex->esr & BIT_ULL(6)) && !(ex->esr & BIT_ULL(7)))
		run->fault_access = S2BOX_ACCESS_WRITE;	/* WnR, not a walk */
	else
		run->fault_access = S2BOX_ACCESS_READ;

	/* The AT of FAR aborted on the box's own stage-1 walk: no IPA. */
	if (ex->at_aborted)
		return;
	if (ex->par_valid) {
		if (ex->par & 1)	/* PAR_EL1.F: AT could not translate */
			return;
		run->ipa = (ex->par & GENMASK_ULL(51, 12)) | (ex->far & 0xfff);
		run->flags |= S2BOX_RUN_IPA_VALID | S2BOX_RUN_IPA_FROM_AT;
		return;
	}
	/*
	 * HPFAR_EL2.FIPA holds IPA[51:12]; FAR the offset unless FnV. On a
	 * stage-1 table walk (S1PTW) FAR is the VA being translated, not
	 * the descriptor's address: only the descriptor's page is known.
	 */
	run->ipa = (ex->hpfar & GENMASK_ULL(43, 4)) << 8;
	if (!(ex->esr & (BIT_ULL(10) | BIT_ULL(7))))
		run->ipa |= ex->far & 0xfff;
	run->flags |= S2BOX_RUN_IPA_VALID;
}

/*
 * Is this stage-2 fault stale, so the box should just retry the access?
 * A split's break-before-make leaves every IPA of the block unmapped for
 * a moment, and another CPU's walk in that moment takes a translation
 * fault for an IPA that stays mapped; an access racing with S2BOX_MAP
 * faults too. So, as KVM does, look again once the tables are settled:
 * if a leaf maps the IPA now, go back in. Any leaf will do: if it lacks
 * the permission the access needs, the retry takes a permission fault,
 * which is the truth about the mapping and is always reported (the IPA
 * of an S1PTW fault is the page of the stage-1 descriptor, which the
 * same reasoning covers). A permission fault itself is never stale: a
 * split copies the block's permissions and its break makes translation
 * faults, not permission ones; only UNMAP and MAP again change them.
 *
 * Livelock: a retried access can only fault again if another break
 * happened in between (TLBs never hold faulting entries), so a second
 * fault at the same IPA with the break count unchanged means the tables
 * and the CPU disagree: report it instead of looping. While the host
 * keeps breaking mappings the box keeps retrying, as it would keep
 * faulting; run_loop() still checks signals, the budget and
 * cond_resched() between trips.
 */
static bool run_fault_stale(struct s2box_box *box,
			    const struct s2box_run *run)
{
	unsigned long breaks;
	int mapped;

	if (!(run->flags & S2BOX_RUN_IPA_VALID) ||
	    (run->fault_status != S2BOX_FAULT_TRANSLATION &&
	     run->fault_status != S2BOX_FAULT_ACCESS_FLAG))
		return false;
	/* A signal: go back in, run_loop() returns -EINTR, RUN resumes. */
	mapped = s2box_mem_ipa_mapped(box, run->ipa, &breaks);
	if (mapped < 0)
		return true;
	if (mapped && box->stale_valid && box->stale_ipa == run->ipa &&
	    box->stale_breaks == breaks) {
		pr_warn_ratelimited("box %llu: stage-2 fault at mapped IPA 0x%llx (ESR 0x%llx FAR 0x%llx) again with no change to the tables: reported\n",
				    box->id, run->ipa, run->esr, run->far);
		mapped = 0;
	}
	box->stale_valid = mapped;
	if (!mapped)
		return false;
	box->stale_ipa = run->ipa;
	box->stale_breaks = breaks;
	atomic64_inc(&box->counters.exits[S2BOX_KIND_FAULT_RETRY]);
	atomic64_inc(&s2box_stats.all.exits[S2BOX_KIND_FAULT_RETRY]);
	trace_s2box_fault_retry(box->id, run->ipa, run->fault_status,
				run->fault_level, breaks);
	return true;
}

/*
 * Is this the first write to memory a snapshot write-protected to see
 * changes? Then the kernel records it and gives the permission back, and
 * the box retries (snap.c). A write is WnR set, a stage-1 walk's own
 * descriptor update (S1PTW with WnR) included; cache maintenance that
 * faults as a write (ESR.CM) counts too, since DC IVAC may discard data.
 * A failure to record it (no memory) makes it an ordinary exit.
 */
static bool run_fault_tracked(struct s2box_box *box,
			      const struct s2box_run *run)
{
	int ret;

	if (!(run->flags & S2BOX_RUN_IPA_VALID) ||
	    run->fault_status != S2BOX_FAULT_PERMISSION ||
	    S2_ESR_EC(run->esr) != S2_EC_DABT_LOW ||
	    !(run->esr & BIT_ULL(6)))
		return false;
	ret = s2box_snap_write_fault(box, run->ipa);
	/* A signal: go back in, run_loop() returns -EINTR, RUN resumes. */
	return ret == 1 || ret == -EINTR;
}

/* A trip that goes back in leaves @run as it was, as interrupts do. */
static void run_forget_fault(struct s2box_run *run)
{
	run->exit_reason = 0;
	run->esr = 0;
	run->exception_class = 0;
	run->far = 0;
	run->ipa = 0;
	run->flags = 0;
	run->fault_access = 0;
	run->fault_status = 0;
	run->fault_level = 0;
}

/* Returns true when the exit is for the caller, false to go back in. */
static bool run_decode(struct s2box_box *box, const struct s2box_exit *ex,
		       struct s2box_run *run)
{
	u64 ec = S2_ESR_EC(ex->esr);

	/* An SError consumed on the way out outranks whatever else exited. */
	if (ex->serror) {
		run->exit_reason = S2BOX_EXIT_SERROR;
		run->esr = ex->serror_esr;
		return true;
	}
	switch (ex->code) {
	case S2BOX_VEC_SYNC:
	case S2BOX_VEC_SYNC32:
		break;
	case S2BOX_VEC_SERROR:
	case S2BOX_VEC_SERROR32:
		run->exit_reason = S2BOX_EXIT_SERROR;
		run->esr = ex->esr;
		return true;
	default:		/* interrupts: the host has taken them */
		return false;
	}
	run->esr = ex->esr;
	run->exception_class = ec;
	switch (ec) {
	case S2_EC_HVC64:
		/* ELR_EL2 already points past the HVC. */
		run->exit_reason = S2BOX_EXIT_HVC;
		run->hvc_imm = ex->esr & 0xffff;
		return true;
	case S2_EC_DABT_LOW:
	case S2_EC_IABT_LOW:
		/* FAR_EL2 is only meaningful for aborts (else: host leftovers). */
		run->far = ex->far;
		run_decode_abort(ex, run);
		if (!run_fault_stale(box, run) && !run_fault_tracked(box, run))
			return true;
		run_forget_fault(run);
		return false;
	case S2_EC_FP_ASIMD:
		/*
		 * The box's first FP/SIMD access (lazy FP): load its V
		 * registers from the next trip on and retry the instruction,
		 * where ELR_EL2 points. Once they are live nothing traps it.
		 */
		if (!box->fp_live) {
			box->fp_live = true;
			run_forget_fault(run);
			return false;
		}
		break;
	case S2_EC_SMC64:
	case S2_EC_WFX:
		/*
		 * Trapped at the instruction: resume after it. A WFI/WFE
		 * from T32 at AArch32 EL0 may be 16 bits long (ESR.IL 0).
		 */
		box->regs.pc += (ex->esr & S2_ESR_IL) ? 4 : 2;
		break;
	case S2_EC_SYS64:
		/* An EL1 MMU register write (TVM): done, back into the box. */
		if (s2box_trap_finish(box, ex->esr)) {
			run_forget_fault(run);
			return false;
		}
		run->sysreg = ex->esr & GENMASK_ULL(21, 0);
		break;
	}
	run->exit_reason = S2BOX_EXIT_TRAP;
	return true;
}

static void run_count_in(struct s2box_counters *c, int kind, u64 ns)
{
	atomic64_inc(&c->runs);
	atomic64_inc(&c->exits[kind]);
	atomic64_add(ns, &c->guest_ns);
}

/* Per box and module-wide, for the netlink family. */
static void run_count(struct s2box_box *box, const struct s2box_run *run,
		      int err)
{
	int kind = S2BOX_KIND_INTR;

	if (err && err != -EINTR)
		return;
	if (!err)
		kind = run->exit_reason - S2BOX_EXIT_HVC + S2BOX_KIND_HVC;
	run_count_in(&box->counters, kind, run->guest_ns);
	run_count_in(&s2box_stats.all, kind, run->guest_ns);
}

/*
 * Take the box for this thread, unless another one runs it: RUN, and
 * SNAPSHOT and RESET, which own the registers the same way.
 */
bool s2box_run_claim(struct s2box_box *box)
{
	bool claimed;

	mutex_lock(&box->regs_lock);
	claimed = !box->running;
	box->running = true;
	mutex_unlock(&box->regs_lock);
	return claimed;
}

void s2box_run_release(struct s2box_box *box)
{
	mutex_lock(&box->regs_lock);
	box->running = false;
	mutex_unlock(&box->regs_lock);
}

static int run_check_args(const struct s2box_run *run)
{
	if (run->flags || !s2box_reserved_zero(run->reserved,
					       sizeof(run->reserved))) {
		pr_info_ratelimited("run: flags and reserved fields must be zero\n");
		return -EINVAL;
	}
	return 0;
}

static int run_loop(struct s2box_box *box, struct s2box_run *run)
{
	struct s2box_exit ex;
	int err;
	u64 t0;

	for (;;) {
		if (READ_ONCE(box->budget_over)) {
			run->exit_reason = S2BOX_EXIT_BUDGET;
			return 0;
		}
		/* Resumable: the box's state is saved, RUN goes on from it. */
		if (signal_pending(current))
			return -EINTR;
		/* Long runs must let RCU and the scheduler in (no preemption). */
		cond_resched();
		t0 = ktime_get_ns();
		err = run_once(box, &ex);
		if (err)
			return err;
		run->guest_ns += ktime_get_ns() - t0;
		if (run_decode(box, &ex, run))
			return 0;
	}
}

int s2box_run(struct s2box_box *box, struct s2box_run *run)
{
	u64 budget = run->budget_ns;
	int err = run_check_args(run);

	if (err)
		return err;
	memset(run, 0, sizeof(*run));
	run->budget_ns = budget;
	if (!s2box_run_claim(box))
		return -EBUSY;
	WRITE_ONCE(box->budget_over, false);
	if (budget)
		hrtimer_start(&box->budget, ns_to_ktime(budget),
			      HRTIMER_MODE_REL_HARD);
	trace_s2box_run_enter(box->id, box->regs.pc, budget);
	err = run_loop(box, run);
	hrtimer_cancel(&box->budget);
	trace_s2box_run_exit(box->id, err, run->exit_reason, run->esr,
			     box->regs.pc, run->guest_ns);
	if (!err && run->exit_reason == S2BOX_EXIT_S2_FAULT)
		trace_s2box_fault(box->id, run->ipa, run->fault_access,
				  run->fault_status, run->fault_level);
	s2box_run_release(box);
	run_count(box, run, err);
	if (!err)
		s2box_nl_event_exit(box, run);
	return err;
}
