// SPDX-License-Identifier: GPL-2.0
/*
 * s2box_bench, cold start: create a box, give it one map unit and a
 * 64-byte blob, run it to its first exit and destroy it, against the
 * same with a KVM VM of one memory slot and one vCPU; and where that time
 * goes. Each operation reads now_ns() (the clock of every sample) at its
 * start and after each phase:
 *
 *   phase      s2box                      KVM
 *   create     S2BOX_CREATE_BOX           KVM_CREATE_VM
 *   memory     S2BOX_MAP of one unit      mmap() + KVM_SET_USER_MEMORY_REGION
 *   vcpu       (a box has none)           KVM_CREATE_VCPU, mmap() of kvm_run,
 *                                         KVM_ARM_PREFERRED_TARGET, _VCPU_INIT
 *   load       pwrite() of the blob       memcpy() of it
 *   first_run  S2BOX_RUN to its HVC       KVM_RUN to its MMIO exit
 *   destroy    close()                    munmap() x2, close() of vCPU and VM
 *
 * /dev/s2box and /dev/kvm are opened once for the whole run, on both
 * sides, so neither phase list has an open(). A phase's samples are
 * those of the operations whose whole is kept (not the warm-up ones);
 * the phases of one operation add up to it less a few clock reads, their
 * medians need not add up to the whole's.
 */

#define _GNU_SOURCE
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define FIRST_ITERS	300

enum { COLD_CREATE, COLD_MEMORY, COLD_VCPU, COLD_LOAD, COLD_RUN, COLD_DESTROY };

/* The pairs' names in result.json, in phase order. */
static const char * const cold_names[BENCH_COLD_PHASES] = {
	"cold_start_create", "cold_start_memory", "cold_start_vcpu",
	"cold_start_load", "cold_start_first_run", "cold_start_destroy",
};

/* t[@i] ends phase @i - 1 and starts phase @i. */
static void stamp(__u64 *t, int i)
{
	if (t)
		t[i] = now_ns();
}

int bench_box_first_at(struct bench *b, unsigned int granule,
		       unsigned int ipa_bits, __u64 *t)
{
	size_t len = BENCH_BLOB_LEN(bench_box_first);
	__u64 align = granule > b->page_size ? granule : b->page_size;
	int box, err = -1;

	stamp(t, COLD_CREATE);
	box = s2box_create(b->ctl, ipa_bits, granule);
	if (box < 0)
		return vmm_fail("S2BOX_CREATE_BOX");
	stamp(t, COLD_MEMORY);
	vmm_why = "S2BOX_MAP";
	if (box_map(box, 0, align, S2BOX_PROT_READ | S2BOX_PROT_WRITE |
		    S2BOX_PROT_EXEC))
		goto out;
	/* A new box starts at pc 0 with its vCPU state: no vcpu phase. */
	stamp(t, COLD_VCPU);
	stamp(t, COLD_LOAD);
	vmm_why = "pwrite code";
	if (pwrite(box, bench_box_first_start, len, 0) != (ssize_t)len)
		goto out;
	stamp(t, COLD_RUN);
	err = bench_box_rt(box);
	stamp(t, COLD_DESTROY);
out:
	close(box);
	stamp(t, BENCH_COLD_PHASES);
	return err;
}

/* A vCPU also starts at pc 0: the blob goes at the start of the slot. */
int bench_kvm_first_at(struct bench *b, unsigned int ipa_bits, __u64 *t)
{
	struct vmm_cfg c = {
		.kvm = b->kvm, .ipa_bits = ipa_bits, .mem_ipa = 0,
		.mem_size = b->page_size,
		/* the ends of create, memory and vcpu */
		.stamps = t ? t + COLD_MEMORY : NULL,
	};
	struct vmm v;
	int err;

	stamp(t, COLD_CREATE);
	if (vmm_create_cfg(&v, &c))
		return -1;
	vmm_load(&v, 0, bench_kvm_first_start, BENCH_BLOB_LEN(bench_kvm_first));
	stamp(t, COLD_RUN);
	err = bench_kvm_rt(&v);
	stamp(t, COLD_DESTROY);
	vmm_destroy(&v);
	stamp(t, BENCH_COLD_PHASES);
	return err;
}

struct cold_side {
	struct bench *b;
	unsigned int granule, ipa_bits;
	bool kvm;
	__u64 t[BENCH_COLD_PHASES + 1];
	struct bench_samples s[BENCH_COLD_PHASES];
};

static int cold_op(void *arg)
{
	struct cold_side *c = arg;

	if (c->kvm)
		return bench_kvm_first_at(c->b, c->ipa_bits, c->t);
	return bench_box_first_at(c->b, c->granule, c->ipa_bits, c->t);
}

static void cold_kept(void *arg)
{
	struct cold_side *c = arg;
	int i;

	for (i = 0; i < BENCH_COLD_PHASES; i++)
		bench_sample(&c->s[i], c->t[i + 1] - c->t[i]);
}

static int cold_init(struct cold_side *c, size_t iters)
{
	int i;

	for (i = 0; i < BENCH_COLD_PHASES; i++)
		if (bench_samples_for(&c->s[i], iters, 1))
			return -1;
	return 0;
}

static void cold_free(struct cold_side *c)
{
	int i;

	for (i = 0; i < BENCH_COLD_PHASES; i++)
		bench_samples_free(&c->s[i]);
}

/* One pair per phase; a side without the phase (a box's vcpu) has none. */
static void cold_pairs(struct bench *b, struct cold_side *box,
		       struct cold_side *kvm)
{
	struct bench_pair *p;
	int i;

	for (i = 0; i < BENCH_COLD_PHASES; i++) {
		p = bench_pair_add(b, "latency", cold_names[i]);
		if (!p)
			return;
		p->granule = box->granule;
		p->ipa_bits = box->ipa_bits;
		if (i != COLD_VCPU && box->s[i].n) {
			bench_summarise(&box->s[i], &p->box);
			p->has_box = true;
		}
		if (kvm && kvm->s[i].n) {
			bench_summarise(&kvm->s[i], &p->kvm);
			p->has_kvm = true;
		}
	}
}

void bench_cold_start(struct bench *b)
{
	struct cold_side box = {
		.b = b, .granule = bench_main_granule(b),
		.ipa_bits = BENCH_MAIN_IPA_BITS,
	};
	struct cold_side kvm = box;
	struct bench_ops ob = { .op = cold_op, .arg = &box, .kept = cold_kept };
	struct bench_ops ok = { .op = cold_op, .arg = &kvm, .kept = cold_kept };
	size_t iters = bench_iters(b, FIRST_ITERS);
	bool has_kvm = b->kvm >= 0;
	struct bench_pair *p;

	kvm.kvm = true;
	p = bench_pair_add(b, "latency", "create_first_exit_destroy");
	if (!p)
		return;
	p->granule = box.granule;
	p->ipa_bits = box.ipa_bits;
	p->target = 0.05;
	if (cold_init(&box, iters) || cold_init(&kvm, iters)) {
		vmm_fail("out of memory");
		bench_report_failure("create to first exit");
	} else if (bench_measure(p, &ob, has_kvm ? &ok : NULL, iters)) {
		bench_report_failure("create to first exit");
	} else {
		cold_pairs(b, &box, has_kvm ? &kvm : NULL);
	}
	cold_free(&box);
	cold_free(&kvm);
}
