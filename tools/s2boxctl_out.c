// SPDX-License-Identifier: GPL-2.0
/*
 * s2boxctl's output: human tables by default, or with --json one compact
 * JSON document a line, in the schema s2boxctl.8 documents (keep the two
 * in step: scripts rely on it).
 */

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "s2boxctl.h"

bool json;

const char *const exit_kind_names[S2BOX_NL_EXIT_KINDS] = {
	"hvc", "s2_fault", "trap", "serror", "budget", "intr",
};

/* --- JSON ---------------------------------------------------------------- */

#define JS_MAX_DEPTH	8

static int js_depth;
static bool js_first[JS_MAX_DEPTH + 1] = { true };

static void js_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* A comma unless first at this level, then "key": inside objects. */
static void js_sep(const char *key)
{
	if (!js_first[js_depth])
		putchar(',');
	js_first[js_depth] = false;
	if (key) {
		js_string(key);
		putchar(':');
	}
}

void js_begin(const char *key, char bracket)
{
	js_sep(key);
	putchar(bracket);
	if (js_depth < JS_MAX_DEPTH)
		js_depth++;
	js_first[js_depth] = true;
}

void js_end(char bracket)
{
	putchar(bracket);
	if (js_depth > 0)
		js_depth--;
}

void js_done(void)
{
	putchar('\n');
	fflush(stdout);
	js_depth = 0;
	js_first[0] = true;
}

void js_u64(const char *key, __u64 v)
{
	js_sep(key);
	printf("%llu", v);
}

void js_s64(const char *key, __s64 v)
{
	js_sep(key);
	printf("%lld", v);
}

/* Register values: strings, so no 64-bit value meets a double. */
void js_hex(const char *key, __u64 v)
{
	js_sep(key);
	printf("\"0x%016llx\"", v);
}

void js_str(const char *key, const char *v)
{
	js_sep(key);
	js_string(v);
}

void js_bool(const char *key, bool v)
{
	js_sep(key);
	fputs(v ? "true" : "false", stdout);
}

void js_null(const char *key)
{
	js_sep(key);
	fputs("null", stdout);
}

/* --- helpers ------------------------------------------------------------- */

const char *fmt_size(__u64 bytes, char *buf, unsigned int len)
{
	static const char units[] = "KMGTPE";
	double v = bytes;
	int u = -1;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", bytes);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

const char *granule_name(__u32 bytes)
{
	switch (bytes) {
	case S2BOX_GRANULE_4K:
		return "4K";
	case S2BOX_GRANULE_16K:
		return "16K";
	case S2BOX_GRANULE_64K:
		return "64K";
	}
	return "?";
}

static void exits_line(const __u64 *exits)
{
	int i;

	for (i = 0; i < S2BOX_NL_EXIT_KINDS; i++)
		printf("%s%s %llu", i ? ", " : "", exit_kind_names[i],
		       exits[i]);
	putchar('\n');
}

static void js_exits(const __u64 *exits)
{
	int i;

	js_begin("exits", '{');
	for (i = 0; i < S2BOX_NL_EXIT_KINDS; i++)
		js_u64(exit_kind_names[i], exits[i]);
	js_end('}');
}

/* --- caps ---------------------------------------------------------------- */

static const struct {
	__u32 bit;
	const char *name;
} cap_flags[] = {
	{ S2BOX_CAP_VHE, "vhe" },
	{ S2BOX_CAP_LPA2_4K, "lpa2_4k" },
	{ S2BOX_CAP_LPA2_16K, "lpa2_16k" },
	{ S2BOX_CAP_LPA_64K, "lpa_64k" },
	{ S2BOX_CAP_FWB, "fwb" },
	{ S2BOX_CAP_VMID16, "vmid16" },
};

static const struct {
	__u32 mask, bytes;
	const char *key;
} granules[] = {
	{ S2BOX_GRANULE_MASK_4K, S2BOX_GRANULE_4K, "4k" },
	{ S2BOX_GRANULE_MASK_16K, S2BOX_GRANULE_16K, "16k" },
	{ S2BOX_GRANULE_MASK_64K, S2BOX_GRANULE_64K, "64k" },
};

static void js_caps(const struct s2box_nl_caps *c)
{
	unsigned int i;

	js_begin(NULL, '{');
	js_u64("api_version", c->api_version);
	js_u64("pa_bits", c->pa_bits);
	js_u64("vmid_bits", c->vmid_bits);
	js_u64("host_page_size", c->host_page_size);
	js_u64("flags", c->flags);
	js_begin("features", '[');
	for (i = 0; i < ARRAY_SIZE(cap_flags); i++)
		if (c->flags & cap_flags[i].bit)
			js_str(NULL, cap_flags[i].name);
	js_end(']');
	js_begin("granules", '{');
	for (i = 0; i < ARRAY_SIZE(granules); i++) {
		js_begin(granules[i].key, '{');
		js_bool("supported", c->granules & granules[i].mask);
		js_u64("ipa_bits_max", c->ipa_max[i]);
		js_end('}');
	}
	js_end('}');
	js_end('}');
	js_done();
}

void print_caps(const struct s2box_nl_caps *c)
{
	unsigned int i;

	if (json) {
		js_caps(c);
		return;
	}
	printf("%-18s %u\n", "api version", c->api_version);
	printf("%-18s %u bits\n", "physical address", c->pa_bits);
	printf("%-18s %u bits\n", "vmid", c->vmid_bits);
	printf("%-18s %u bytes\n", "host page size", c->host_page_size);
	printf("%-18s", "features");
	for (i = 0; i < ARRAY_SIZE(cap_flags); i++)
		if (c->flags & cap_flags[i].bit)
			printf(" %s", cap_flags[i].name);
	printf("\n\n%-8s %-10s %s\n", "GRANULE", "SUPPORTED", "MAX-IPA-BITS");
	for (i = 0; i < ARRAY_SIZE(granules); i++) {
		bool ok = c->granules & granules[i].mask;

		printf("%-8s %-10s ", granule_name(granules[i].bytes),
		       ok ? "yes" : "no");
		if (ok)
			printf("%u\n", c->ipa_max[i]);
		else
			printf("-\n");
	}
}

/* --- boxes --------------------------------------------------------------- */

enum field_kind { F_U32, F_S32, F_U64, F_HEX, F_STATE, F_DIRTY };

static const struct {
	int attr;
	const char *key;
	enum field_kind kind;
	size_t off;
} box_fields[] = {
#define F(attr, field, kind) \
	{ S2BOX_ATTR_BOX_##attr, #field, kind, offsetof(struct s2box_nl_box, field) }
	F(ID, id, F_U64),
	F(OWNER_PID, owner_pid, F_U32),
	F(OWNER_UID, owner_uid, F_U32),
	F(STATE, state, F_STATE),
	F(IPA_BITS, ipa_bits, F_U32),
	F(GRANULE, granule, F_U32),
	F(VTCR, vtcr, F_HEX),
	F(LEVELS, levels, F_U32),
	F(START_LEVEL, start_level, F_S32),
	F(SL0, sl0, F_U32),
	F(T0SZ, t0sz, F_U32),
	F(PS, ps, F_U32),
	F(DS, ds, F_U32),
	F(VS, vs, F_U32),
	F(ROOT_PAGES, root_pages, F_U32),
	F(MAPPED_BYTES, mapped_bytes, F_U64),
	F(TABLE_PAGES, table_pages, F_U64),
	F(RUNS, runs, F_U64),
	F(GUEST_NS, guest_ns, F_U64),
	F(MEM_BYTES, mem_bytes, F_U64),
	F(DETACHED_BYTES, detached_bytes, F_U64),
	F(PINNED_BYTES, pinned_bytes, F_U64),
	F(OWNER_PINNED_BYTES, owner_pinned_bytes, F_U64),
	F(SNAPSHOT_BYTES, snapshot_bytes, F_U64),
	F(SHARED_BYTES, shared_bytes, F_U64),
	F(CLONE_OF, clone_of, F_U64),
	F(DIRTY_UNITS, dirty_units, F_U64),
	F(RESETS, resets, F_U64),
	F(DIRTY_FAULTS, dirty_faults, F_U64),
	F(DIRTY_MODE, dirty_mode, F_DIRTY),
#undef F
};

static const char *state_name(__u32 state)
{
	return state == S2BOX_STATE_RUNNING ? "running" :
	       state == S2BOX_STATE_IDLE ? "idle" : "unknown";
}

static const char *dirty_mode_name(__u32 mode)
{
	return mode == S2BOX_DIRTY_WRITE_PROTECT ? "write-protect" :
	       mode == S2BOX_DIRTY_HARDWARE ? "write-protect+hardware" :
	       mode == S2BOX_DIRTY_NONE ? "none" : "unknown";
}

/* "-", "template 12" or "clone of 3": how a box is used as a sandbox. */
static const char *sandbox_role(const struct s2box_nl_box *b, char *buf,
				size_t len)
{
	if (b->clone_of)
		snprintf(buf, len, "clone:%llu", b->clone_of);
	else if (b->dirty_mode != S2BOX_DIRTY_NONE)
		snprintf(buf, len, "snapshot");
	else
		snprintf(buf, len, "-");
	return buf;
}

static __u64 field_u64(const struct s2box_nl_box *b, unsigned int i)
{
	const void *p = (const char *)b + box_fields[i].off;

	switch (box_fields[i].kind) {
	case F_U64:
	case F_HEX:
		return *(const __u64 *)p;
	case F_S32:
		return (__u64)(__s64)*(const __s32 *)p;
	default:
		return *(const __u32 *)p;
	}
}

static void js_box(const struct s2box_nl_box *b)
{
	unsigned int i;

	js_begin(NULL, '{');
	for (i = 0; i < ARRAY_SIZE(box_fields); i++) {
		const char *key = box_fields[i].key;
		__u64 v = field_u64(b, i);

		if (!S2BOX_NL_HAS(b, box_fields[i].attr))
			js_null(key);
		else if (box_fields[i].kind == F_HEX)
			js_hex(key, v);
		else if (box_fields[i].kind == F_S32)
			js_s64(key, (__s64)v);
		else if (box_fields[i].kind == F_STATE)
			js_str(key, state_name(v));
		else if (box_fields[i].kind == F_DIRTY)
			js_str(key, dirty_mode_name(v));
		else
			js_u64(key, v);
	}
	if (b->has_exits)
		js_exits(b->exits);
	else
		js_null("exits");
	js_end('}');
}

/* Snapshot, resets, dirty tracking and sharing of one box. */
static void print_box_sandbox(const struct s2box_nl_box *b)
{
	char size[16];

	printf("%-14s %s", "snapshot", b->dirty_mode == S2BOX_DIRTY_NONE ?
	       "none" : fmt_size(b->snapshot_bytes, size, sizeof(size)));
	if (b->dirty_mode != S2BOX_DIRTY_NONE)
		printf(", %llu units changed since, %llu resets",
		       b->dirty_units, b->resets);
	printf("\n%-14s %s, %llu first writes resolved in the kernel\n",
	       "dirty tracking", dirty_mode_name(b->dirty_mode),
	       b->dirty_faults);
	if (b->clone_of)
		printf("%-14s of box %llu, %s still shared\n", "clone",
		       b->clone_of,
		       fmt_size(b->shared_bytes, size, sizeof(size)));
}

void print_box(const struct s2box_nl_box *b)
{
	char size[16];

	if (json) {
		js_box(b);
		js_done();
		return;
	}
	printf("%-14s %llu\n", "id", b->id);
	printf("%-14s pid %u, uid %u\n", "owner", b->owner_pid, b->owner_uid);
	printf("%-14s %s\n", "state", state_name(b->state));
	printf("%-14s %u\n", "ipa bits", b->ipa_bits);
	printf("%-14s %s\n", "granule", granule_name(b->granule));
	printf("%-14s 0x%016llx\n", "vtcr", b->vtcr);
	printf("%-14s %u, from level %d (SL0 %u)\n", "levels", b->levels,
	       b->start_level, b->sl0);
	printf("%-14s T0SZ %u, PS %u, DS %u, VS %u\n", "fields", b->t0sz,
	       b->ps, b->ds, b->vs);
	printf("%-14s %u\n", "root tables", b->root_pages);
	printf("%-14s %llu bytes (%s)\n", "mapped", b->mapped_bytes,
	       fmt_size(b->mapped_bytes, size, sizeof(size)));
	printf("%-14s %llu\n", "table pages", b->table_pages);
	if (S2BOX_NL_HAS(b, S2BOX_ATTR_BOX_MEM_BYTES))
		printf("%-14s %llu bytes (%s), %llu detached\n", "held",
		       b->mem_bytes, fmt_size(b->mem_bytes, size, sizeof(size)),
		       b->detached_bytes);
	if (S2BOX_NL_HAS(b, S2BOX_ATTR_BOX_PINNED_BYTES))
		printf("%-14s %llu bytes, owner's VmPin %llu bytes\n", "pinned",
		       b->pinned_bytes, b->owner_pinned_bytes);
	if (S2BOX_NL_HAS(b, S2BOX_ATTR_BOX_DIRTY_MODE))
		print_box_sandbox(b);
	printf("%-14s %llu\n", "runs", b->runs);
	printf("%-14s %llu ns\n", "guest time", b->guest_ns);
	printf("%-14s ", "exits");
	exits_line(b->exits);
}

void print_box_list(const struct s2box_nl_box *boxes, int n, bool intr)
{
	char size[16];
	int i;

	if (json) {
		js_begin(NULL, '{');
		js_begin("boxes", '[');
		for (i = 0; i < n; i++)
			js_box(&boxes[i]);
		js_end(']');
		js_bool("changed_while_listing", intr);
		js_end('}');
		js_done();
		return;
	}
	if (!n) {
		printf("no boxes\n");
		return;
	}
	printf("%-8s %-8s %-6s %-8s %-4s %-4s %-3s %-12s %-7s %-6s %-6s %-6s %s\n",
	       "ID", "PID", "UID", "STATE", "IPA", "GRAN", "LVL", "VTCR",
	       "MAPPED", "RUNS", "FAULTS", "TRAPS", "SANDBOX");
	for (i = 0; i < n; i++) {
		const struct s2box_nl_box *b = &boxes[i];
		char role[32];

		printf("%-8llu %-8u %-6u %-8s %-4u %-4s %-3u 0x%-10llx %-7s %-6llu %-6llu ",
		       b->id, b->owner_pid, b->owner_uid, state_name(b->state),
		       b->ipa_bits, granule_name(b->granule), b->levels,
		       b->vtcr, fmt_size(b->mapped_bytes, size, sizeof(size)),
		       b->runs, b->exits[1]);
		printf("%-6llu %s\n", b->exits[2],
		       sandbox_role(b, role, sizeof(role)));
	}
}

/* --- stats and events ------------------------------------------------------ */

void print_stats(const struct s2box_nl_stats *s)
{
	char size[16];

	if (json) {
		js_begin(NULL, '{');
		js_u64("boxes_alive", s->boxes_alive);
		js_u64("boxes_created", s->boxes_created);
		js_u64("mem_bytes", s->mem_bytes);
		js_u64("runs", s->runs);
		js_u64("events_dropped", s->events_dropped);
		js_exits(s->exits);
		if (s->has_pages) {
			js_u64("table_pages", s->table_pages);
			js_u64("guest_pages", s->guest_pages);
		} else {
			js_null("table_pages");
			js_null("guest_pages");
		}
		js_end('}');
		js_done();
		return;
	}
	printf("%-16s %llu\n", "boxes alive", s->boxes_alive);
	printf("%-16s %llu\n", "boxes created", s->boxes_created);
	printf("%-16s %llu bytes (%s)\n", "guest memory", s->mem_bytes,
	       fmt_size(s->mem_bytes, size, sizeof(size)));
	printf("%-16s %llu\n", "runs", s->runs);
	printf("%-16s ", "exits");
	exits_line(s->exits);
	printf("%-16s %llu\n", "events dropped", s->events_dropped);
	if (!s->has_pages)
		return;
	printf("%-16s %llu host pages\n", "table pages", s->table_pages);
	printf("%-16s %llu host pages\n", "guest pages", s->guest_pages);
}

const char *exit_reason_name(__u32 reason)
{
	if (reason >= S2BOX_EXIT_HVC && reason <= S2BOX_EXIT_BUDGET)
		return exit_kind_names[reason - S2BOX_EXIT_HVC];
	return "unknown";
}

void print_event(const struct s2box_nl_event *ev)
{
	const struct s2box_nl_box *b = &ev->box;
	const char *name = ev->cmd == S2BOX_CMD_EVENT_CREATED ? "created" :
			   ev->cmd == S2BOX_CMD_EVENT_DESTROYED ? "destroyed" :
			   ev->cmd == S2BOX_CMD_EVENT_EXIT ? "exit" : "unknown";

	if (json) {
		js_begin(NULL, '{');
		js_str("event", name);
		js_u64("id", b->id);
		if (ev->cmd == S2BOX_CMD_EVENT_EXIT) {
			js_str("reason", exit_reason_name(ev->reason));
			js_hex("esr", ev->esr);
			if (ev->has_ipa)
				js_hex("ipa", ev->ipa);
			else
				js_null("ipa");
		} else {
			js_u64("owner_pid", b->owner_pid);
			js_u64("owner_uid", b->owner_uid);
			js_u64("ipa_bits", b->ipa_bits);
			js_u64("granule", b->granule);
		}
		js_end('}');
		js_done();
		return;
	}
	printf("%-10s box %llu: ", name, b->id);
	if (ev->cmd == S2BOX_CMD_EVENT_EXIT) {
		printf("%s, ESR 0x%llx", exit_reason_name(ev->reason),
		       ev->esr);
		if (ev->has_ipa)
			printf(", IPA 0x%llx", ev->ipa);
		printf("\n");
	} else {
		printf("pid %u, uid %u, %u-bit IPA, %s granule\n", b->owner_pid,
		       b->owner_uid, b->ipa_bits, granule_name(b->granule));
	}
	fflush(stdout);
}

/* --- run ------------------------------------------------------------------- */

static const char *access_name(__u32 a)
{
	static const char *const names[] = { NULL, "read", "write", "exec" };

	return a < ARRAY_SIZE(names) ? names[a] : NULL;
}

static const char *status_name(__u32 s)
{
	static const char *const names[] = {
		"address_size", "translation", "access_flag", "permission",
		"other",
	};

	return s < ARRAY_SIZE(names) ? names[s] : NULL;
}

static void js_opt_str(const char *key, const char *v)
{
	if (v)
		js_str(key, v);
	else
		js_null(key);
}

static void js_exit(const struct run_report *r)
{
	const struct s2box_exit *run = &r->exit;
	bool fault = run->reason == S2BOX_EXIT_S2_FAULT;

	js_begin("exit", '{');
	js_str("reason", r->el1 ? "el1_exception" :
	       exit_reason_name(run->reason));
	js_u64("hvc_imm", run->hvc_imm);
	js_u64("exception_class", run->ec);
	js_hex("esr", run->esr);
	js_hex("far", run->far);
	if (fault && run->ipa_valid)
		js_hex("ipa", run->ipa);
	else
		js_null("ipa");
	js_opt_str("access", fault ? access_name(run->access) : NULL);
	js_opt_str("status", fault ? status_name(run->fault_status) : NULL);
	if (fault)
		js_s64("level", run->fault_level);
	else
		js_null("level");
	js_u64("sysreg", run->sysreg);
	if (r->el1) {
		js_begin("el1", '{');
		js_hex("esr", r->regs.x[0]);
		js_hex("far", r->regs.x[1]);
		js_hex("elr", r->regs.x[2]);
		js_end('}');
	} else {
		js_null("el1");
	}
	js_end('}');
}

static void js_run(const struct run_report *r)
{
	char name[4];
	int i;

	js_begin(NULL, '{');
	js_begin("box", '{');
	js_u64("id", r->info->box_id);
	js_u64("ipa_bits", r->info->ipa_bits);
	js_u64("granule", r->info->granule);
	js_hex("vtcr", r->info->vtcr);
	js_u64("mem_bytes", r->mem);
	js_hex("load_addr", r->load);
	js_u64("blob_bytes", r->blob_bytes);
	js_end('}');
	js_bool("interrupted", r->intr);
	if (r->intr)
		js_null("exit");
	else
		js_exit(r);
	js_u64("runs", r->calls);
	js_u64("guest_ns", r->guest_ns);
	js_begin("regs", '{');
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "x%d", i);
		js_hex(name, r->regs.x[i]);
	}
	js_hex("pc", r->regs.pc);
	js_end('}');
	js_end('}');
	js_done();
}

static void print_exit(const struct run_report *r)
{
	const struct s2box_exit *run = &r->exit;
	__u32 s = run->sysreg;

	printf("exit:     ");
	if (r->el1) {
		printf("EL1 exception EC 0x%x: ESR_EL1 0x%llx FAR_EL1 0x%llx ELR_EL1 0x%llx\n",
		       (unsigned int)(r->regs.x[0] >> 26) & 0x3f,
		       r->regs.x[0], r->regs.x[1], r->regs.x[2]);
		printf("          (caught by s2boxctl's vectors at VBAR_EL1 0)\n");
		return;
	}
	switch (run->reason) {
	case S2BOX_EXIT_HVC:
		printf("hvc #%u\n", run->hvc_imm);
		return;
	case S2BOX_EXIT_S2_FAULT:
		printf("stage-2 %s fault on %s at ",
		       status_name(run->fault_status) ?: "unknown",
		       access_name(run->access) ?: "unknown access");
		if (run->ipa_valid)
			printf("IPA 0x%llx", run->ipa);
		else
			printf("an unknown IPA");
		printf(", level %d (ESR 0x%llx, FAR 0x%llx)\n",
		       run->fault_level, run->esr, run->far);
		return;
	case S2BOX_EXIT_TRAP:
		printf("trapped instruction, EC 0x%x (ESR 0x%llx)",
		       run->ec, run->esr);
		if (run->ec == 0x18)
			printf(": %s S%u_%u_C%u_C%u_%u, x%u",
			       s & 1 ? "MRS" : "MSR", (s >> 20) & 3,
			       (s >> 14) & 7, (s >> 10) & 15, (s >> 1) & 15,
			       (s >> 17) & 7, (s >> 5) & 31);
		printf("\n");
		return;
	case S2BOX_EXIT_SERROR:
		printf("SError (ESR 0x%llx)\n", run->esr);
		return;
	case S2BOX_EXIT_BUDGET:
		printf("budget of %llu ms used up\n", r->budget_ms);
		return;
	}
	printf("unknown exit reason %u\n", run->reason);
}

void print_run(const struct run_report *r)
{
	char size[16];
	int i;

	if (json) {
		js_run(r);
		return;
	}
	printf("box:      %llu, %u-bit IPA, %s granule, VTCR 0x%llx\n",
	       r->info->box_id, r->info->ipa_bits,
	       granule_name(r->info->granule), r->info->vtcr);
	printf("memory:   %s mapped at 0, blob of %zu bytes at 0x%llx\n",
	       fmt_size(r->mem, size, sizeof(size)), r->blob_bytes, r->load);
	if (r->intr)
		printf("exit:     none, interrupted (SIGINT)\n");
	else
		print_exit(r);
	printf("time:     %llu ns in the box over %u RUN call(s)\n",
	       r->guest_ns, r->calls);
	for (i = 0; i < 8; i++)
		printf("x%d 0x%016llx%s", i, r->regs.x[i],
		       i % 4 == 3 ? "\n" : "  ");
	printf("pc 0x%016llx\n", r->regs.pc);
}
