// SPDX-License-Identifier: GPL-2.0
/*
 * s2box kselftest: seeded random sequences of S2BOX_MAP, S2BOX_UNMAP,
 * pwrite and pread over a few MiB at the bottom and at the top of a box's
 * IPA space, for every granule and IPA size, against a user-space model of
 * what is mapped and what it holds. Every operation is followed by a clean
 * S2BOX_AUDIT whose counts match GET_BOX_INFO and the model; at the end
 * every unit of the window is read back and the window unmapped.
 *
 * The seed is printed; S2BOX_SEED=<n> replays (or varies) a run.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "mem_fixture.h"

#define OPS		200
#define WINDOW		(4 * MIB)
#define DEFAULT_SEED	0x5eed5eedULL

struct model {
	__u64 base;		/* IPA of the window */
	__u64 unit;		/* map_align */
	unsigned int units;	/* in the window */
	unsigned int blk_units;	/* units in a stage-2 block, 0: no blocks */
	int tag[WINDOW / 4096];	/* -1 unmapped, 0 fresh, else a pattern */
	int next_tag;
	__u64 bytes;		/* mapped */
	__u64 rng;
	char *buf;		/* WINDOW bytes */
	/* What the run exercised, logged at its end. */
	unsigned int maps, eexist, unmaps, splits, short_io, enxio;
};

/* splitmix64: any seed will do. */
static __u64 rnd(struct model *m)
{
	__u64 z = (m->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u64 ipa_of(const struct model *m, unsigned int u)
{
	return m->base + u * m->unit;
}

/* Mapped units from @u on, at most @n of them. */
static unsigned int mapped_run(const struct model *m, unsigned int u,
			       unsigned int n)
{
	unsigned int k = 0;

	while (k < n && u + k < m->units && m->tag[u + k] >= 0)
		k++;
	return k;
}

/* A random range of at most @max units inside the window. */
static void pick(struct model *m, unsigned int max, unsigned int *u,
		 unsigned int *n)
{
	*u = rnd(m) % m->units;
	*n = 1 + rnd(m) % max;
	if (*n > m->units - *u)
		*n = m->units - *u;
}

/*
 * pwrite a new pattern over units [u, u + n); the mapped run it starts
 * with (where the write stops) takes the pattern's tag.
 */
static ssize_t write_units(struct model *m, int box, unsigned int u,
			   unsigned int n)
{
	unsigned int i, k = mapped_run(m, u, n);

	m->next_tag++;
	for (i = 0; i < k; i++)
		m->tag[u + i] = m->next_tag;
	pat_fill(m->buf, ipa_of(m, u), n * m->unit, m->next_tag);
	return pwrite(box, m->buf, n * m->unit, ipa_of(m, u));
}

/*
 * pread from unit @u (up to @n units, at most half the window) must return
 * the mapped run there, with its data. Returns the units it checked.
 */
static unsigned int read_units(struct __test_metadata *_metadata,
			       struct model *m, int box, unsigned int u,
			       unsigned int n, int op)
{
	unsigned int k = mapped_run(m, u, n), i;
	char *back = m->buf + WINDOW / 2;
	ssize_t want = k ? (ssize_t)(k * m->unit) : -1, got;
	__u64 len = n * m->unit;

	if (len > WINDOW / 2)
		len = WINDOW / 2;
	if (k && (__u64)want > len)
		want = len;
	errno = 0;
	got = pread(box, back, len, ipa_of(m, u));
	ASSERT_EQ(want, got) {
		TH_LOG("op %d: pread at unit %u of %u: %s", op, u, n,
		       strerror(errno));
	}
	if (!k) {
		ASSERT_EQ(ENXIO, errno);
		m->enxio++;
		return 0;
	}
	m->short_io += k < n && (__u64)got < len;
	for (i = 0; i < got / m->unit; i++) {
		ASSERT_EQ(-1, pat_diff(back + i * m->unit, ipa_of(m, u + i),
				       m->unit, m->tag[u + i])) {
			TH_LOG("op %d: unit %u (ipa 0x%llx) tag %d", op, u + i,
			       ipa_of(m, u + i), m->tag[u + i]);
		}
	}
	return got / m->unit;
}

static void op_map(struct __test_metadata *_metadata, struct model *m,
		   int box, int op)
{
	__u32 prot = rnd(m) % 8;
	unsigned int u, n, i, busy = 0;
	int ret;

	if (m->blk_units && rnd(m) % 4 == 0) {
		n = m->blk_units;
		u = rnd(m) % (m->units / n) * n;
	} else {
		pick(m, 16, &u, &n);
	}
	for (i = 0; i < n; i++)
		busy |= m->tag[u + i] >= 0;
	errno = 0;
	ret = box_map(box, ipa_of(m, u), n * m->unit, prot);
	if (busy) {
		ASSERT_EQ(-1, ret) {
			TH_LOG("op %d: map over a mapping worked", op);
		}
		ASSERT_EQ(EEXIST, errno);
		m->eexist++;
		return;
	}
	ASSERT_EQ(0, ret) {
		TH_LOG("op %d: map units %u+%u: %s", op, u, n, strerror(errno));
	}
	for (i = 0; i < n; i++)
		m->tag[u + i] = 0;
	m->bytes += n * m->unit;
	m->maps++;
	/* Half the mappings stay fresh: they must read as zeros. */
	if (rnd(m) % 2)
		ASSERT_EQ(n * m->unit, write_units(m, box, u, n));
}

static void op_unmap(struct __test_metadata *_metadata, struct model *m,
		     int box, int op, unsigned int u, unsigned int n)
{
	unsigned int i;

	ASSERT_EQ(0, box_unmap(box, ipa_of(m, u), n * m->unit)) {
		TH_LOG("op %d: unmap units %u+%u: %s", op, u, n,
		       strerror(errno));
	}
	for (i = 0; i < n; i++) {
		if (m->tag[u + i] >= 0)
			m->bytes -= m->unit;
		m->tag[u + i] = -1;
	}
	m->unmaps++;
}

/* pwrite over a random range: ENXIO or up to the first hole. */
static void op_write(struct __test_metadata *_metadata, struct model *m,
		     int box, int op)
{
	unsigned int u, n, k;
	ssize_t got;

	pick(m, 8, &u, &n);
	k = mapped_run(m, u, n);
	errno = 0;
	got = write_units(m, box, u, n);
	ASSERT_EQ(k ? (ssize_t)(k * m->unit) : -1, got) {
		TH_LOG("op %d: pwrite units %u+%u: %s", op, u, n,
		       strerror(errno));
	}
	ASSERT_TRUE(k || errno == ENXIO);
	m->enxio += !k;
	m->short_io += k && k < n;
}

static void run_window(struct __test_metadata *_metadata,
		       struct _test_data_mem *self, __u64 base)
{
	struct model *m = calloc(1, sizeof(*m));
	const char *env = getenv("S2BOX_SEED");
	struct s2box_box_info info;
	__u64 blocks = 0, bytes = 0, seed;
	unsigned int u, n;
	int op;

	ASSERT_NE(NULL, m);
	m->buf = malloc(WINDOW);
	ASSERT_NE(NULL, m->buf);
	m->base = base;
	m->unit = self->align;
	m->units = WINDOW / m->unit;
	if (self->blk_ok && self->blk <= WINDOW / 2)
		m->blk_units = self->blk / m->unit;
	seed = env ? strtoull(env, NULL, 0) : DEFAULT_SEED;
	TH_LOG("seed %llu (S2BOX_SEED), window 0x%llx + %llu MiB, %u units",
	       seed, base, WINDOW / MIB, m->units);
	/* Each IPA size and window its own sequence, from one seed. */
	m->rng = seed + self->top + base;
	memset(m->tag, -1, sizeof(m->tag));
	for (op = 0; op < OPS; op++) {
		switch (rnd(m) % 16) {
		case 0 ... 5:
			op_map(_metadata, m, self->box, op);
			break;
		case 6 ... 9:
			pick(m, m->units / 4, &u, &n);
			op_unmap(_metadata, m, self->box, op, u, n);
			break;
		case 10 ... 11:
			op_write(_metadata, m, self->box, op);
			break;
		case 12 ... 14:
			pick(m, 8, &u, &n);
			read_units(_metadata, m, self->box, u, n, op);
			break;
		default:
			/* Clear a block's worth, so that blocks fit again. */
			n = m->blk_units ? m->blk_units : m->units / 2;
			u = rnd(m) % (m->units / n) * n;
			op_unmap(_metadata, m, self->box, op, u, n);
		}
		check_state(_metadata, self, m->bytes, &info, "op", op);
		/* Blocks went, but not all of their memory: a split. */
		m->splits += info.block_maps < blocks && bytes - m->bytes <
			     (blocks - info.block_maps) * self->blk;
		blocks = info.block_maps;
		bytes = m->bytes;
	}
	TH_LOG("%u maps, %u EEXIST, %u unmaps (%u block splits), %u short and %u ENXIO transfers",
	       m->maps, m->eexist, m->unmaps, m->splits, m->short_io, m->enxio);
	/* Every unit: runs of mappings by the half window, holes ENXIO. */
	for (u = 0; u < m->units; u += n ? n : 1)
		n = read_units(_metadata, m, self->box, u, m->units - u, OPS);
	ASSERT_EQ(0, box_unmap(self->box, base, WINDOW));
	check_state(_metadata, self, 0, NULL, "op", OPS);
	free(m->buf);
	free(m);
}

TEST_F(mem, random_bottom)
{
	run_window(_metadata, self, 0);
}

TEST_F(mem, random_top)
{
	run_window(_metadata, self, self->top - WINDOW);
}

TEST_HARNESS_MAIN
