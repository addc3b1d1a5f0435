/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s2box_fuzz_test's operations on a box's CPU: GET_REGS and SET_REGS
 * with random PSTATEs and system registers, and RUN, of whatever the box
 * holds or of a blob the fuzzer loads and whose exit it checks. Include
 * after kselftest_harness.h.
 */
#ifndef S2BOX_FUZZ_CPU_H
#define S2BOX_FUZZ_CPU_H

#include <stddef.h>
#include <sys/time.h>

#include "fuzz_call.h"

BLOB(fz_hvc_blob);		/* x0 = x1 + x2, HVC #0x5a */

BLOB(fz_load_blob);		/* load from x4 (unmapped): a fault */

BLOB(fz_store_blob);		/* store x5 at x6, then HVC #0x5c */

BLOB(fz_loop_blob);		/* forever: only a budget or a signal ends it */

BLOB(fz_count_blob);		/* x7 iterations, then HVC #0x5d */

BLOB(fz_rand_blob);

/* ESR_EL2.EC of the exits the random instruction may cause. */
#define EC_WFX		0x01
#define EC_SMC64	0x17
#define EC_SYS64	0x18

/* --- registers -------------------------------------------------------- */

static bool pstate_ok(__u64 ps)
{
	__u64 mode = ps & 0x1f;

	return !(ps & ~PSTATE_KEPT) && (mode == 0 || mode == 4 || mode == 5);
}

static __u64 pick_pstate(struct fuzz *f, __u64 cur)
{
	static const __u64 modes[] = { 0, 4, 5 };
	static const __u64 bad_modes[] = {
		1, 2, 3, 6, 7, 8, 9, 0xc, 0xd, 0x10, 0x13, 0x1f
	};
	static const __u64 edges[] = {
		0, ~0ULL, PSTATE_RESET, 0x3c4, 0x3c0, 5, 4, 0x10, 0x3c5 | 1 << 21
	};
	struct fz_rng *r = &f->rng;
	unsigned int v = fz_below(r, 100);
	__u64 ps = (fz_next(r) & PSTATE_KEPT & ~0x1fULL) |
		   modes[fz_below(r, ARRAY_SIZE(modes))];

	if (v < 40)
		return cur;
	if (v < 65)
		return ps;
	if (v < 80)
		return ps | 1ULL << fz_below(r, 64);
	if (v < 90)
		return (ps & ~0x1fULL) | bad_modes[fz_below(r, ARRAY_SIZE(bad_modes))];
	if (v < 95)
		return fz_next(r);
	return edges[fz_below(r, ARRAY_SIZE(edges))];
}

static __u64 pick_u64(struct fuzz *f)
{
	const __u64 v[] = {
		0, 1, ~0ULL, 1ULL << 63, 0x1000, fz_next(&f->rng),
		1ULL << fz_below(&f->rng, 64), fz_next(&f->rng) & 0xffffffffULL,
	};

	return v[fz_below(&f->rng, ARRAY_SIZE(v))];
}

static void mutate_regs(struct fuzz *f, struct fz_box *b,
			struct s2box_regs *r)
{
	struct fz_rng *rng = &f->rng;
	/* sctlr .. cntv_cval: the EL1 system registers, all u64. */
	__u64 *sys = &r->sctlr;
	unsigned int nsys = offsetof(struct s2box_regs, cntv_cval) / 8 -
			    offsetof(struct s2box_regs, sctlr) / 8 + 1;
	int i;

	r->pstate = pick_pstate(f, r->pstate);
	if (fz_pct(rng, 30))
		r->pc = b->n_ext && fz_pct(rng, 60) ?
			b->ext[fz_below(rng, b->n_ext)].ipa +
			4 * fz_below(rng, 64) : pick_u64(f);
	for (i = 0; i < 31; i++)
		if (fz_pct(rng, 5))
			r->x[i] = pick_u64(f);
	if (fz_pct(rng, 5))
		r->sp_el1 = pick_u64(f);
	if (fz_pct(rng, 15))
		sys[fz_below(rng, nsys)] = pick_u64(f);
	if (fz_pct(rng, 5))
		fz_fill(rng, r->v, sizeof(r->v));
	if (fz_pct(rng, 5)) {
		r->fpcr = fz_next(rng);
		r->fpsr = fz_next(rng);
	}
	if (fz_pct(rng, 3))
		r->flags = 1U << fz_below(rng, 32);
	if (fz_pct(rng, 3))
		r->reserved1 = 1 + fz_below(rng, ~0U);
	if (fz_pct(rng, 3))
		r->reserved[fz_below(rng, 8)] = fz_next(rng) | 1;
}

static bool regs_fetch(struct fuzz *f, struct fz_box *b)
{
	if (b->regs_known)
		return true;
	if (!kioctl(f, b->fd, S2BOX_GET_REGS, &b->regs, "GET_REGS"))
		return false;
	b->regs_known = true;
	return true;
}

static void op_set_regs(struct fuzz *f, struct fz_box *b)
{
	const struct s2box_regs *eff;
	struct s2box_regs r;
	struct pred p;
	struct call c;
	unsigned int i;
	int got;

	if (!regs_fetch(f, b))
		return;
	r = b->regs;
	mutate_regs(f, b, &r);
	call_prepare(f, &c, ST_SET_REGS, b->fd, &r, false);
	eff = (const struct s2box_regs *)c.eff;
	p = (struct pred){ c.in_err };
	/* Checked before the copy: a cut-off register set is refused. */
	if (c.b.len < S2BOX_REGS_SIZE_VER0)
		p.err = EINVAL;
	if (!p.err && (eff->flags || eff->reserved1 || !pstate_ok(eff->pstate)))
		p.err = EINVAL;
	for (i = 0; i < 8 && !p.err; i++)
		if (eff->reserved[i])
			p.err = EINVAL;
	p.enomem_ok = true;
	fz_log(&f->ring,
	       "SET_REGS box %llu size %zu place %d pc 0x%llx pstate 0x%llx sctlr 0x%llx flags 0x%x",
	       (unsigned long long)b->id, c.b.len, c.b.place,
	       (unsigned long long)r.pc, (unsigned long long)r.pstate,
	       (unsigned long long)r.sctlr, r.flags);
	call_issue(&c);
	got = fz_result(f, ST_SET_REGS, c.err, &p, c.secs);
	call_post(f, &c, NULL);
	if (!got)
		b->regs = *eff;
}

static void op_get_regs(struct fuzz *f, struct fz_box *b)
{
	struct s2box_regs r;
	struct pred p;
	struct call c;
	size_t head;
	int got;

	call_prepare(f, &c, ST_GET_REGS, b->fd, NULL, false);
	p = (struct pred){ c.out_err, true };
	fz_log(&f->ring, "GET_REGS box %llu size %zu place %d%s",
	       (unsigned long long)b->id, c.b.len, c.b.place,
	       b->regs_known ? " (known)" : "");
	call_issue(&c);
	got = fz_result(f, ST_GET_REGS, c.err, &p, c.secs);
	call_post(f, &c, &r);
	if (got || f->failed || c.b.place != FZ_GOOD)
		return;
	head = c.b.len < sizeof(r) ? c.b.len : sizeof(r);
	/* Until the box runs again, what was set is what is read. */
	if (b->regs_known && memcmp(&r, &b->regs, head))
		fz_fail(f, "%s: registers differ from those set", cur_op(f));
	else if (c.b.len >= sizeof(r) && (r.flags || r.reserved1))
		fz_fail(f, "%s: flags 0x%x reserved1 0x%x", cur_op(f), r.flags,
			r.reserved1);
}

/* --- RUN ----------------------------------------------------------------- */

/* A blob run whose outcome the fuzzer knows. */
struct plan {
	int kind;		/* BL_*, or -1: whatever the box holds */
	__u64 ipa;		/* where the blob is */
	struct s2box_regs regs;
	struct fz_ext *store;	/* BL_STORE into writable memory */
	bool store_mapped;	/* BL_STORE target mapped (not writable) */
	__u32 insn;		/* BL_RANDOM's instruction */
};

/*
 * An instruction for BL_RANDOM: mostly system register accesses (MSR,
 * MRS, of any encoding: most trap to EL2 or are UNDEFINED at EL1) and
 * SYS instructions (DC, IC, TLBI, AT), and SMC, WFI/WFE, HVC, ERET, BRK,
 * SVC, or any word at all.
 */
static __u32 random_insn(struct fz_rng *r)
{
	__u32 rt = fz_below(r, 31), imm = fz_below(r, 0x10000);
	unsigned int v = fz_below(r, 100);

	if (v < 45)	/* MSR/MRS: L, op0 2-3, op1, CRn, CRm, op2, Rt */
		return 0xd5100000 | fz_below(r, 2) << 21 |
		       fz_below(r, 2) << 19 | fz_below(r, 8) << 16 |
		       fz_below(r, 16) << 12 | fz_below(r, 16) << 8 |
		       fz_below(r, 8) << 5 | rt;
	if (v < 60)	/* SYS: op1, CRn 7 or 8, CRm, op2, Rt */
		return 0xd5080000 | fz_below(r, 8) << 16 |
		       (7 + fz_below(r, 2)) << 12 | fz_below(r, 16) << 8 |
		       fz_below(r, 8) << 5 | rt;
	if (v < 67)
		return 0xd4000003 | imm << 5;		/* SMC */
	if (v < 72)
		return fz_pct(r, 50) ? 0xd503207f : 0xd503205f; /* WFI, WFE */
	if (v < 77)
		return 0xd4000002 | imm << 5;		/* HVC */
	if (v < 80)
		return 0xd69f03e0;			/* ERET */
	if (v < 83)
		return 0xd4200000 | imm << 5;		/* BRK */
	if (v < 86)
		return 0xd4000001 | imm << 5;		/* SVC */
	return fz_next(r);
}

/* An IPA nothing maps, 8-aligned (MMU off: accesses are Device). */
static __u64 unmapped_ipa(struct fuzz *f, struct fz_box *b)
{
	__u64 ipa;
	int i;

	for (i = 0; i < 16; i++) {
		ipa = fz_pct(&f->rng, 50) ? fz_below(&f->rng, 64 * b->align) :
		      fz_next(&f->rng) & (b->top - 1);
		ipa &= ~7ULL;
		if (!fz_ext_at(b, ipa))
			break;
	}
	return ipa;	/* the caller checks: all 16 tries may have hit */
}

/* An extent the box can execute and read, made if there is none. */
static struct fz_ext *code_ext(struct fuzz *f, struct fz_box *b)
{
	struct s2box_map m = { .prot = 7 };
	int i, n = 0, pick;

	for (i = 0; i < b->n_ext; i++)
		n += (b->ext[i].prot & 5) == 5;
	if (n) {
		pick = fz_below(&f->rng, n);
		for (i = 0; i < b->n_ext; i++)
			if ((b->ext[i].prot & 5) == 5 && !pick--)
				return &b->ext[i];
	}
	if (f->mapped_total + b->align > f->budget)
		return NULL;
	m.size = b->align;
	for (i = 0; i < 8; i++) {
		m.ipa = b->align * fz_below(&f->rng, 64);
		if (!fz_overlaps(b, m.ipa, m.size))
			break;
	}
	if (i == 8)
		return NULL;
	fz_log(&f->ring, "  MAP a code unit at 0x%llx", (unsigned long long)m.ipa);
	if (ioctl(b->fd, S2BOX_MAP, &m)) {
		if (errno != ENOMEM)
			fz_fail(f, "MAP of a code unit at 0x%llx: %s",
				(unsigned long long)m.ipa, strerror(errno));
		return NULL;
	}
	if (!fz_ext_add(b, m.ipa, m.size, m.prot) ||
	    !fz_mark(b, m.ipa, m.size, true))
		return NULL;
	f->mapped_total += m.size;
	return fz_ext_at(b, m.ipa);
}

/* Load a blob, point the box at it; false when there is no room. */
static bool plan_blob(struct fuzz *f, struct fz_box *b, struct plan *pl)
{
	static const struct {
		const __u32 *start, *end;
	} blobs[BL_NR] = {
		[BL_HVC] = { fz_hvc_blob_start, fz_hvc_blob_end },
		[BL_LOAD] = { fz_load_blob_start, fz_load_blob_end },
		[BL_STORE] = { fz_store_blob_start, fz_store_blob_end },
		[BL_LOOP] = { fz_loop_blob_start, fz_loop_blob_end },
		[BL_COUNT] = { fz_count_blob_start, fz_count_blob_end },
		[BL_RANDOM] = { fz_rand_blob_start, fz_rand_blob_end },
	};
	__u32 code[4];
	static const int kinds[] = {
		BL_HVC, BL_HVC, BL_HVC, BL_LOAD, BL_LOAD, BL_STORE, BL_STORE,
		BL_STORE, BL_LOOP, BL_LOOP, BL_COUNT, BL_RANDOM, BL_RANDOM,
	};
	struct fz_rng *r = &f->rng;
	struct fz_ext *e = code_ext(f, b), *t;
	struct s2box_regs *regs = &pl->regs;
	size_t len;
	int i;

	if (!e || f->failed)
		return false;
	pl->kind = kinds[fz_below(r, ARRAY_SIZE(kinds))];
	pl->ipa = e->ipa + 16 * fz_below(r, e->size / 16);
	/* The reset state, so nothing but the blob decides the outcome. */
	memset(regs, 0, sizeof(*regs));
	regs->pstate = (fz_pct(r, 50) ? PSTATE_RESET : 0x3c4) |
		       (fz_next(r) & 0xf0000000ULL);
	regs->sctlr = SCTLR_RESET;
	regs->pc = pl->ipa;
	for (i = 0; i < 31; i++)
		regs->x[i] = fz_next(r);
	pl->store = NULL;
	pl->store_mapped = false;
	switch (pl->kind) {
	case BL_LOAD:
		regs->x[4] = unmapped_ipa(f, b);
		if (fz_ext_at(b, regs->x[4]))
			pl->kind = BL_HVC;	/* no hole found: plain HVC */
		break;
	case BL_STORE:
		t = &b->ext[fz_below(r, b->n_ext)];
		regs->x[6] = t->ipa + 8 * fz_below(r, t->size / 8);
		if (fz_pct(r, 10))
			regs->x[6] = unmapped_ipa(f, b);
		t = fz_ext_at(b, regs->x[6]);
		pl->store_mapped = t;
		if (t && (t->prot & S2BOX_PROT_WRITE))
			pl->store = t;
		/* Not over the blob: it would rewrite its own HVC. */
		if (regs->x[6] < pl->ipa + 16 && regs->x[6] + 8 > pl->ipa)
			pl->kind = BL_HVC;
		break;
	case BL_COUNT:
		regs->x[7] = 1 + fz_below(r, 3000);
		break;
	}
	len = (blobs[pl->kind].end - blobs[pl->kind].start) * 4;
	memcpy(code, blobs[pl->kind].start, len);
	if (pl->kind == BL_RANDOM) {
		pl->insn = random_insn(r);
		code[0] = pl->insn;
	}
	fz_log(&f->ring,
	       "  blob %d at 0x%llx (extent 0x%llx+0x%llx prot %u) x4 0x%llx x6 0x%llx pstate 0x%llx insn 0x%08x",
	       pl->kind, (unsigned long long)pl->ipa, (unsigned long long)e->ipa,
	       (unsigned long long)e->size, e->prot,
	       (unsigned long long)regs->x[4], (unsigned long long)regs->x[6],
	       (unsigned long long)regs->pstate, pl->insn);
	if (pwrite(b->fd, code, len, pl->ipa) != (ssize_t)len) {
		fz_fail(f, "pwrite of a blob at 0x%llx: %s",
			(unsigned long long)pl->ipa, strerror(errno));
		return false;
	}
	fz_model_write(b, pl->ipa, code, len);
	if (!kioctl(f, b->fd, S2BOX_SET_REGS, regs, "SET_REGS"))
		return false;
	b->regs = *regs;
	b->regs_known = true;
	return true;
}

/*
 * Arm (or, with 0, disarm) the SIGALRM that interrupts a RUN. It repeats
 * until disarmed: a single one may fire before the thread is in the
 * ioctl (a few ms are nothing under TCG), and the run would never end.
 */
static void watchdog(double s)
{
	struct itimerval it = { 0 };

	it.it_value.tv_sec = (time_t)s;
	it.it_value.tv_usec = (suseconds_t)((s - (time_t)s) * 1e6);
	it.it_interval = it.it_value;
	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * What one random instruction may do is too much to predict, but a trap
 * exit must say what trapped, consistently, and leave the box where the
 * uapi says: at the instruction, or past it for SMC and WFx.
 */
static void check_random(struct fuzz *f, struct fz_box *b, struct plan *pl,
			 const struct s2box_run *run)
{
	__u32 ec = run->esr >> 26 & 0x3f, in = pl->insn, iss;
	struct s2box_regs now;
	__u64 pc;

	f->blob_ok[BL_RANDOM]++;
	if (run->exit_reason != S2BOX_EXIT_TRAP)
		return;
	if (run->exception_class != ec ||
	    (ec == EC_SYS64 && run->sysreg != (run->esr & 0x3fffff)) ||
	    (ec != EC_SYS64 && run->sysreg)) {
		fz_fail(f, "%s: insn 0x%08x: trap ec %u esr 0x%llx sysreg 0x%x",
			cur_op(f), pl->insn, run->exception_class,
			(unsigned long long)run->esr, run->sysreg);
		return;
	}
	/* Was it our instruction that trapped? Its syndrome says so. */
	if (ec == EC_SYS64)
		iss = (in >> 19 & 3) << 20 | (in >> 5 & 7) << 17 |
		      (in >> 16 & 7) << 14 | (in >> 12 & 15) << 10 |
		      (in & 31) << 5 | (in >> 8 & 15) << 1 | (in >> 21 & 1);
	else if (ec == EC_SMC64 && (in & 0xffe0001f) == 0xd4000003)
		iss = in >> 5 & 0xffff;
	else if (ec == EC_WFX && (in & 0xffffffdf) == 0xd503205f)
		iss = !(in & 0x20);	/* TI: 0 WFI, 1 WFE */
	else
		return;
	if ((run->esr & (ec == EC_WFX ? 3 : 0x1ffffff)) != iss)
		return;
	if (!kioctl(f, b->fd, S2BOX_GET_REGS, &now, "GET_REGS"))
		return;
	pc = pl->ipa + (ec == EC_SMC64 || ec == EC_WFX ? 4 : 0);
	if (now.pc != pc)
		fz_fail(f, "%s: insn 0x%08x trapped (ec 0x%x), pc 0x%llx, expected 0x%llx",
			cur_op(f), in, ec, (unsigned long long)now.pc,
			(unsigned long long)pc);
}

/* The exit a blob run must end with. */
static void check_blob(struct fuzz *f, struct fz_box *b, struct plan *pl,
		       const struct s2box_run *run)
{
	struct s2box_regs *regs = &pl->regs, now;
	__u32 want = S2BOX_EXIT_HVC, imm = 0;
	__u64 v;

	/*
	 * A 16K box with DS=1 walks from level 0 (VTCR_EL2.SL0 0b11), which
	 * QEMU 7.2's check_s2_mmu_setup() rejects: every access, the first
	 * fetch included, takes a translation fault at level 0 (see
	 * run_fault_test.c). Hardware must run it; under QEMU the blob
	 * never starts, so the outcome says nothing about the module.
	 */
	if (b->qemu_16k_l0 && run->exit_reason == S2BOX_EXIT_S2_FAULT &&
	    !run->fault_level && run->ipa == pl->ipa &&
	    run->fault_access == S2BOX_ACCESS_EXEC) {
		f->qemu_16k_l0++;
		return;
	}

	if (pl->kind == BL_RANDOM) {
		check_random(f, b, pl, run);
		return;
	}
	switch (pl->kind) {
	case BL_HVC:
		imm = 0x5a;
		break;
	case BL_LOAD:
		want = S2BOX_EXIT_S2_FAULT;
		break;
	case BL_STORE:
		imm = 0x5c;
		if (!pl->store)
			want = S2BOX_EXIT_S2_FAULT;
		break;
	case BL_LOOP:
		want = S2BOX_EXIT_BUDGET;
		break;
	case BL_COUNT:
		imm = 0x5d;
		if (run->exit_reason == S2BOX_EXIT_BUDGET)
			want = S2BOX_EXIT_BUDGET;
		break;
	}
	if (run->exit_reason != want ||
	    (want == S2BOX_EXIT_HVC && run->hvc_imm != imm)) {
		fz_fail(f, "%s: blob %d exit %u (hvc 0x%x esr 0x%llx ipa 0x%llx), expected %u",
			cur_op(f), pl->kind, run->exit_reason, run->hvc_imm,
			(unsigned long long)run->esr,
			(unsigned long long)run->ipa, want);
		return;
	}
	if (want == S2BOX_EXIT_S2_FAULT) {
		__u64 ipa = pl->kind == BL_LOAD ? regs->x[4] : regs->x[6];
		__u32 acc = pl->kind == BL_LOAD ? S2BOX_ACCESS_READ :
			    S2BOX_ACCESS_WRITE;
		__u32 status = pl->store_mapped ? S2BOX_FAULT_PERMISSION :
			       S2BOX_FAULT_TRANSLATION;

		if (!(run->flags & S2BOX_RUN_IPA_VALID) || run->ipa != ipa ||
		    run->fault_access != acc || run->fault_status != status)
			fz_fail(f,
				"%s: fault at 0x%llx (flags 0x%x access %u status %u), expected 0x%llx access %u status %u",
				cur_op(f), (unsigned long long)run->ipa,
				run->flags, run->fault_access,
				run->fault_status, (unsigned long long)ipa,
				acc, status);
		else
			f->blob_ok[pl->kind]++;
		return;
	}
	if (pl->kind == BL_HVC) {
		if (!kioctl(f, b->fd, S2BOX_GET_REGS, &now, "GET_REGS"))
			return;
		if (now.x[0] != regs->x[1] + regs->x[2] ||
		    now.pc != pl->ipa + 8)
			fz_fail(f,
				"%s: after the HVC blob x0 0x%llx pc 0x%llx, expected 0x%llx and 0x%llx",
				cur_op(f), (unsigned long long)now.x[0],
				(unsigned long long)now.pc,
				(unsigned long long)(regs->x[1] + regs->x[2]),
				(unsigned long long)(pl->ipa + 8));
	}
	if (pl->kind == BL_STORE) {
		v = regs->x[5];
		fz_model_write(b, regs->x[6], &v, 8);
		pl->store->box_stored = true;
		/* Without FWB a host's dirty line could win over the store. */
		if (pl->store->mmap_written && !(f->caps.flags & S2BOX_CAP_FWB))
			pl->store->tainted = true;
	}
	f->blob_ok[pl->kind]++;
}

static void op_run(struct fuzz *f, struct fz_box *b)
{
	static const __u64 budgets[] = {
		1, 100, 10000, 100000, 1000000, 2000000, 0, 1ULL << 63, ~0ULL,
	};
	struct fz_rng *r = &f->rng;
	struct plan pl = { .kind = -1 };
	struct s2box_run run = { 0 }, out;
	bool known, short_dog = false;
	double dog = 5.0;
	__u64 budget;
	struct pred p;
	struct call c;
	int got;

	if (fz_pct(r, 60) && !plan_blob(f, b, &pl))
		pl.kind = -1;
	if (f->failed)
		return;
	switch (pl.kind) {
	case BL_HVC:
	case BL_LOAD:
	case BL_STORE:
		run.budget_ns = fz_pct(r, 40) ? 0 : 1000 * MSEC_NS;
		break;
	case BL_LOOP:
		run.budget_ns = fz_pct(r, 70) ?
				20000 + fz_below(r, 2 * MSEC_NS) : 0;
		break;
	case BL_COUNT:
		run.budget_ns = 5 * MSEC_NS;
		break;
	case BL_RANDOM:
		run.budget_ns = fz_pct(r, 80) ? MSEC_NS : 0;
		break;
	default:
		run.budget_ns = budgets[fz_below(r, ARRAY_SIZE(budgets))];
		break;
	}
	if (fz_pct(r, 3))
		run.flags = 1U << fz_below(r, 32);
	if (fz_pct(r, 3))
		run.reserved[fz_below(r, 4)] = fz_next(r) | 1;
	/* Blob runs vary their argument less: most should really run. */
	call_prepare(f, &c, ST_RUN, b->fd, &run, pl.kind >= 0 && fz_pct(r, 70));
	/*
	 * Code that may never exit, without a budget the module will use
	 * (the size in the ioctl number may have cut it to 0): a signal
	 * ends it after a few ms. Otherwise the watchdog only catches a
	 * run that does not end by itself.
	 */
	budget = ((struct s2box_run *)c.eff)->budget_ns;
	if ((pl.kind < 0 || pl.kind == BL_LOOP || pl.kind == BL_RANDOM) &&
	    (!budget || budget > 1000 * MSEC_NS)) {
		dog = 0.002 + fz_below(r, 8000) / 1e6;
		short_dog = true;
	}
	p = (struct pred){ c.in_err };
	/* Checked before the copy: a cut-off budget is refused. */
	if (c.b.len < S2BOX_RUN_SIZE_VER0)
		p.err = EINVAL;
	if (!p.err && (((struct s2box_run *)c.eff)->flags ||
		       ((struct s2box_run *)c.eff)->reserved[0] ||
		       ((struct s2box_run *)c.eff)->reserved[1] ||
		       ((struct s2box_run *)c.eff)->reserved[2] ||
		       ((struct s2box_run *)c.eff)->reserved[3]))
		p.err = EINVAL;
	/* It runs: the output is copied back, or faults after the run. */
	known = !p.err;
	if (!p.err)
		p.err = c.out_err;
	p.eintr_ok = short_dog;
	fz_log(&f->ring, "RUN box %llu size %zu place %d blob %d at 0x%llx budget %llu dog %.3f",
	       (unsigned long long)b->id, c.b.len, c.b.place, pl.kind,
	       (unsigned long long)pl.ipa, (unsigned long long)budget, dog);
	watchdog(dog);
	call_issue(&c);
	watchdog(0);
	/* EINTR with a long watchdog: the run did not end by itself. */
	if (c.err == EINTR && !short_dog)
		fz_fail(f, "%s: did not end in %.0f s", cur_op(f), dog);
	got = fz_result(f, ST_RUN, c.err, &p, c.secs);
	call_post(f, &c, &out);
	if (!known)
		return;
	/* The box ran: its registers moved, maybe its memory too. */
	b->regs_known = false;
	if (!got && c.b.place == FZ_GOOD && c.b.len >= 16) {
		if (out.exit_reason < S2BOX_EXIT_HVC ||
		    out.exit_reason > S2BOX_EXIT_BUDGET)
			fz_fail(f, "%s: exit reason %u", cur_op(f),
				out.exit_reason);
		else
			f->exits[out.exit_reason]++;
	}
	if (f->failed)
		return;
	if (pl.kind >= 0 && !got && c.b.place == FZ_GOOD &&
	    c.b.len >= sizeof(out)) {
		check_blob(f, b, &pl, &out);
		/* Who knows what one random instruction wrote. */
		if (pl.kind != BL_RANDOM)
			return;
	}
	if (pl.kind == BL_LOOP && got == EINTR)
		return;
	/* Whatever ran may have written what the box can write. */
	fz_taint_writable(b);
	f->taints++;
}

#endif /* S2BOX_FUZZ_CPU_H */
