// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Runs and calls: S2BOX_RUN with its exit decoded, and s2box_call(), the
 * function-call convention of the guest entry stub (lib/guest).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"
#include "../guest/s2box_guest.h"

#if S2BOX_HVC_RETURN != S2BOX_GUEST_HVC_RETURN
#error "the library and the guest stub must agree on the return HVC"
#endif

/* ESR_ELx.EC of a trapped MSR/MRS (Arm ARM, ESR_EL2). */
#define EC_SYS64	0x18

static const char *const reason_names[] = {
	[S2BOX_EXIT_HVC] = "hvc",
	[S2BOX_EXIT_S2_FAULT] = "s2_fault",
	[S2BOX_EXIT_TRAP] = "trap",
	[S2BOX_EXIT_SERROR] = "serror",
	[S2BOX_EXIT_BUDGET] = "budget",
};

S2BOX_EXPORT const char *s2box_exit_reason_name(__u32 reason)
{
	if (reason < ARRAY_SIZE(reason_names) && reason_names[reason])
		return reason_names[reason];
	return "unknown";
}

S2BOX_EXPORT void s2box_exit_decode(const struct s2box_run *run,
				    const struct s2box_regs *regs,
				    struct s2box_exit *exit)
{
	__u32 iss = run->sysreg;
	unsigned int i;

	memset(exit, 0, sizeof(*exit));
	exit->reason = run->exit_reason;
	exit->ec = run->exception_class;
	exit->esr = run->esr;
	exit->far = run->far;
	exit->guest_ns = run->guest_ns;
	exit->flags = run->flags;
	if (regs) {
		exit->pc = regs->pc;
		for (i = 0; i < ARRAY_SIZE(exit->x); i++)
			exit->x[i] = regs->x[i];
	}
	/* The raw fields as they came; what they mean, by exit reason. */
	exit->hvc_imm = run->hvc_imm;
	exit->ipa = run->ipa;
	exit->access = run->fault_access;
	exit->fault_status = run->fault_status;
	exit->fault_level = run->fault_level;
	exit->sysreg = run->sysreg;
	switch (run->exit_reason) {
	case S2BOX_EXIT_S2_FAULT:
		exit->ipa_valid = run->flags & S2BOX_RUN_IPA_VALID;
		exit->write = run->fault_access == S2BOX_ACCESS_WRITE;
		exit->exec = run->fault_access == S2BOX_ACCESS_EXEC;
		break;
	case S2BOX_EXIT_TRAP:
		if (run->exception_class != EC_SYS64)
			break;
		/* The layout of s2box_run.sysreg (uapi header). */
		exit->sysreg_valid = true;
		exit->sysreg_read = iss & 1;
		exit->crm = (iss >> 1) & 0xf;
		exit->rt = (iss >> 5) & 0x1f;
		exit->crn = (iss >> 10) & 0xf;
		exit->op1 = (iss >> 14) & 0x7;
		exit->op2 = (iss >> 17) & 0x7;
		exit->op0 = (iss >> 20) & 0x3;
		break;
	}
}

static const char *const fault_names[] = {
	[S2BOX_FAULT_ADDR_SIZE] = "address size",
	[S2BOX_FAULT_TRANSLATION] = "translation",
	[S2BOX_FAULT_ACCESS_FLAG] = "access flag",
	[S2BOX_FAULT_PERMISSION] = "permission",
	[S2BOX_FAULT_OTHER] = "other",
};

static int describe_fault(const struct s2box_exit *e, char *buf, size_t len)
{
	const char *status = e->fault_status < ARRAY_SIZE(fault_names) ?
			     fault_names[e->fault_status] : "unknown";
	const char *access = e->exec ? "fetch from" :
			     e->write ? "write to" : "read of";

	if (!e->ipa_valid)
		return snprintf(buf, len,
				"stage-2 %s fault: %s an unknown IPA (FAR 0x%llx), level %d, ESR 0x%llx",
				status, access, e->far, e->fault_level, e->esr);
	return snprintf(buf, len,
			"stage-2 %s fault: %s IPA 0x%llx, level %d, ESR 0x%llx",
			status, access, e->ipa, e->fault_level, e->esr);
}

S2BOX_EXPORT int s2box_exit_describe(const struct s2box_exit *e, char *buf,
				     size_t len)
{
	switch (e->reason) {
	case S2BOX_EXIT_HVC:
		return snprintf(buf, len, "HVC #0x%x at pc 0x%llx, x0 0x%llx",
				e->hvc_imm, e->pc, e->x[0]);
	case S2BOX_EXIT_S2_FAULT:
		return describe_fault(e, buf, len);
	case S2BOX_EXIT_TRAP:
		if (e->sysreg_valid)
			return snprintf(buf, len,
					"trapped %s S%u_%u_C%u_C%u_%u (x%u) at pc 0x%llx",
					e->sysreg_read ? "MRS" : "MSR", e->op0,
					e->op1, e->crn, e->crm, e->op2, e->rt,
					e->pc);
		return snprintf(buf, len,
				"trapped instruction, EC 0x%x (ESR 0x%llx) at pc 0x%llx",
				e->ec, e->esr, e->pc);
	case S2BOX_EXIT_SERROR:
		return snprintf(buf, len, "SError, ESR 0x%llx", e->esr);
	case S2BOX_EXIT_BUDGET:
		return snprintf(buf, len, "budget used up at pc 0x%llx", e->pc);
	}
	return snprintf(buf, len, "exit reason %u (newer than libs2box)",
			e->reason);
}

S2BOX_EXPORT int s2box_run(struct s2box_box *box, __u64 budget_ns,
			   struct s2box_exit *exit)
{
	struct s2box_run run = { .budget_ns = budget_ns };
	struct s2box_regs regs;
	int err;

	if (ioctl(box->fd, S2BOX_RUN, &run))
		return box_fail(box, -errno, "S2BOX_RUN");
	err = s2box_regs_get(box, &regs);
	if (err)
		return err;
	s2box_exit_decode(&run, &regs, &box->last_exit);
	if (exit)
		*exit = box->last_exit;
	return 0;
}

S2BOX_EXPORT const struct s2box_exit *
s2box_box_last_exit(const struct s2box_box *box)
{
	return &box->last_exit;
}

S2BOX_EXPORT void s2box_call_set_budget(struct s2box_box *box, __u64 budget_ns)
{
	box->call_budget_ns = budget_ns;
}

/* Why a call ended without its return HVC, as the handle's message. */
static int call_failed(struct s2box_box *box, __u64 fn_ipa)
{
	const struct s2box_exit *e = &box->last_exit;
	char what[160];

	s2box_exit_describe(e, what, sizeof(what));
	return box_fail(box, e->reason == S2BOX_EXIT_BUDGET ? -ETIME : -EFAULT,
			"call of 0x%llx: %s", fn_ipa, what);
}

S2BOX_EXPORT int s2box_call(struct s2box_box *box, __u64 fn_ipa,
			    const __u64 *args, unsigned int nargs,
			    __u64 *results)
{
	struct s2box_regs regs;
	unsigned int i;
	int err;

	if (nargs > S2BOX_CALL_MAX_ARGS)
		return box_fail(box, -EINVAL, "call of 0x%llx with %u arguments (at most %u)",
				fn_ipa, nargs, S2BOX_CALL_MAX_ARGS);
	if (!box->has_entry)
		return box_fail(box, -ENOEXEC, "call of 0x%llx", fn_ipa);
	err = s2box_regs_get(box, &regs);
	if (err)
		return err;
	for (i = 0; i < S2BOX_CALL_MAX_ARGS; i++)
		regs.x[i] = i < nargs ? args[i] : 0;
	regs.x[8] = fn_ipa;
	regs.pc = box->entry;
	err = s2box_regs_set(box, &regs);
	if (err)
		return err;
	err = s2box_run(box, box->call_budget_ns, NULL);
	if (err)
		return err;
	if (box->last_exit.reason != S2BOX_EXIT_HVC ||
	    box->last_exit.hvc_imm != S2BOX_HVC_RETURN)
		return call_failed(box, fn_ipa);
	if (results)
		memcpy(results, box->last_exit.x, sizeof(box->last_exit.x));
	return 0;
}
