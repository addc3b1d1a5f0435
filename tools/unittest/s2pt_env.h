/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test environment for module/s2pt.c: fake table memory, fake TLB
 * maintenance that checks the order of operations, an independent stage-2
 * walker written from the Arm ARM, and a reference model of the mappings.
 */
#ifndef S2BOX_UNITTEST_S2PT_ENV_H
#define S2BOX_UNITTEST_S2PT_ENV_H

#include "s2pt.h"
#include "tap.h"

#define MAX_REGIONS	1024
#define MAX_LEAVES	131072U

/* What the hardware would make of one IPA. */
enum rwalk_result { RW_OK, RW_FAULT, RW_BAD };

struct rwalk {
	enum rwalk_result res;
	int level;			/* of the leaf (or of the fault) */
	u64 leaf_ipa, leaf_pa, size;	/* the leaf that maps the IPA */
	unsigned int prot;
	u64 path[6];			/* PAs of the tables followed */
	unsigned int npath;
	const char *why;		/* for RW_BAD */
};

struct region {
	u64 ipa, size, pa;
	unsigned int prot;
};

/* EV_TLBI_VMID: the whole VMID invalidated, as after s2pt_clear(). */
enum last_event { EV_NONE, EV_TLBI_LEAF, EV_TLBI_TABLE, EV_TLBI_VMID,
		  EV_OTHER };

struct env {
	struct tcase *tc;
	char ctx[96];
	struct s2box_geom geom;
	unsigned int pamax;		/* the host's PARange in bits */
	struct s2pt pt;

	/* The walk as decoded from VTCR_EL2 by the test itself. */
	unsigned int g, ia, ps_bits, ds;
	int start;

	/* Fake table memory: slot i is at PA pa_base + i * granule. */
	u64 *root, root_pa, pa_base;
	void **slot;
	unsigned char *live;
	unsigned int nslots, cap, *free_stack, nfree;
	unsigned long nlive;
	long fail_in;			/* allocations left before one fails */

	/* Maintenance seen, to check ordering. */
	enum last_event last;
	u64 tlbi_ipa;
	int tlbi_level;
	unsigned long ntlbi, nsync;
	unsigned long tlbi_breaks;	/* pt.breaks at the last TLBI */

	/*
	 * The run loop's view in the middle of a break-before-make: at each
	 * TLBI, what s2pt_walk() makes of probe_ipa (when probe is set).
	 */
	bool probe;
	u64 probe_ipa;
	int probe_ret;
	unsigned long probe_hits;	/* TLBIs that found it unmapped */

	/* Reference model, sorted by IPA, and what unmap released. */
	struct region reg[MAX_REGIONS];
	unsigned int nreg;
	u64 released;
	unsigned long nreleased;
};

void env_init(struct env *e, struct tcase *tc, unsigned int pamax,
	      unsigned int gs, unsigned int ipa_bits);
void env_fini(struct env *e);
void ref_walk(struct env *e, u64 ipa, struct rwalk *w);
bool ref_block_ok(const struct env *e, int level);
u64 ref_level_size(const struct env *e, int level);
void env_check_tree(struct env *e);
void env_check_points(struct env *e, u64 ipa, u64 size);
void env_release(void *arg, const struct s2pt_leaf *leaf);

bool model_overlaps(const struct env *e, u64 ipa, u64 size);
void model_add(struct env *e, u64 ipa, u64 size, u64 pa, unsigned int prot);
u64 model_remove(struct env *e, u64 ipa, u64 size);
void model_protect(struct env *e, u64 ipa, u64 size, unsigned int clear,
		   unsigned int set);
bool model_lookup(const struct env *e, u64 ipa, u64 *pa,
		  unsigned int *prot);

#endif /* S2BOX_UNITTEST_S2PT_ENV_H */
