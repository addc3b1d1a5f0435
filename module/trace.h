/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of s2box, for perf and trace-cmd: box creation and
 * destruction, run entry and exit, and stage-2 faults (reported, or
 * found stale and retried).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM s2box

#if !defined(S2BOX_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define S2BOX_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(s2box_box_create,
	    TP_PROTO(u64 id, unsigned int ipa_bits, unsigned int granule,
		     u64 vtcr),
	    TP_ARGS(id, ipa_bits, granule, vtcr),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(unsigned int, ipa_bits)
			     __field(unsigned int, granule)
			     __field(u64, vtcr)),
	    TP_fast_assign(__entry->id = id;
			   __entry->ipa_bits = ipa_bits;
			   __entry->granule = granule;
			   __entry->vtcr = vtcr;),
	    TP_printk("box=%llu ipa_bits=%u granule=%u vtcr=0x%llx",
		      __entry->id, __entry->ipa_bits,
		      __entry->granule, __entry->vtcr)
);

TRACE_EVENT(s2box_box_destroy,
	    TP_PROTO(u64 id, u64 mapped_bytes),
	    TP_ARGS(id, mapped_bytes),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u64, mapped_bytes)),
	    TP_fast_assign(__entry->id = id;
			   __entry->mapped_bytes = mapped_bytes;),
	    TP_printk("box=%llu mapped_bytes=%llu",
		      __entry->id,
		      __entry->mapped_bytes)
);

TRACE_EVENT(s2box_run_enter,
	    TP_PROTO(u64 id, u64 pc, u64 budget_ns),
	    TP_ARGS(id, pc, budget_ns),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u64, pc)
			     __field(u64, budget_ns)),
	    TP_fast_assign(__entry->id = id;
			   __entry->pc = pc;
			   __entry->budget_ns = budget_ns;),
	    TP_printk("box=%llu pc=0x%llx budget_ns=%llu",
		      __entry->id,
		      __entry->pc, __entry->budget_ns)
);

TRACE_EVENT(s2box_run_exit,
	    TP_PROTO(u64 id, int err, unsigned int reason, u64 esr,
		     u64 pc, u64 guest_ns),
	    TP_ARGS(id, err, reason, esr, pc, guest_ns),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(int, err)
			     __field(unsigned int, reason)
			     __field(u64, esr)
			     __field(u64, pc)
			     __field(u64, guest_ns)),
	    TP_fast_assign(__entry->id = id;
			   __entry->err = err;
			   __entry->reason = reason;
			   __entry->esr = esr;
			   __entry->pc = pc;
			   __entry->guest_ns = guest_ns;),
	    TP_printk("box=%llu err=%d reason=%u esr=0x%llx pc=0x%llx ns=%llu",
		      __entry->id, __entry->err, __entry->reason,
		      __entry->esr, __entry->pc, __entry->guest_ns)
);

TRACE_EVENT(s2box_fault,
	    TP_PROTO(u64 id, u64 ipa, unsigned int access,
		     unsigned int status, int level),
	    TP_ARGS(id, ipa, access, status, level),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u64, ipa)
			     __field(unsigned int, access)
			     __field(unsigned int, status)
			     __field(int, level)),
	    TP_fast_assign(__entry->id = id;
			   __entry->ipa = ipa;
			   __entry->access = access;
			   __entry->status = status;
			   __entry->level = level;),
	    TP_printk("box=%llu ipa=0x%llx access=%u status=%u level=%d",
		      __entry->id, __entry->ipa, __entry->access,
		      __entry->status, __entry->level)
);

/* A stage-2 fault found stale: the IPA is mapped, the box retries. */
TRACE_EVENT(s2box_fault_retry,
	    TP_PROTO(u64 id, u64 ipa, unsigned int status, int level,
		     unsigned long breaks),
	    TP_ARGS(id, ipa, status, level, breaks),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u64, ipa)
			     __field(unsigned int, status)
			     __field(int, level)
			     __field(unsigned long, breaks)),
	    TP_fast_assign(__entry->id = id;
			   __entry->ipa = ipa;
			   __entry->status = status;
			   __entry->level = level;
			   __entry->breaks = breaks;),
	    TP_printk("box=%llu ipa=0x%llx status=%u level=%d breaks=%lu",
		      __entry->id, __entry->ipa, __entry->status,
		      __entry->level, __entry->breaks)
);

#endif /* S2BOX_TRACE_H */

/* Out of tree: the header is found next to this file, not in the kernel. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
