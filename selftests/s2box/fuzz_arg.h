/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where s2box_fuzz_test puts the memory an ioctl or a pread/pwrite names,
 * and what that placement alone decides about the call.
 *
 * Every buffer lives in one arena laid out as
 *
 *	[ rw ...................... ][ guard ][ ro ][ guard2 ]
 *
 * (guards PROT_NONE, ro read-only), so a buffer can be made to end right
 * at an inaccessible page and a copy from or to it faults part-way. The
 * kernel's rules that turn a placement into a result are the ones of
 * copy_struct_from_user() (the tail past the kernel's structure is
 * checked for zeroes before the structure is copied), copy_to_user() and
 * access_ok() (an address above the user range, a tagged one included
 * since no test enables the tagged-address ABI, fails before any access).
 * Include after fuzz_util.h.
 */
#ifndef S2BOX_FUZZ_ARG_H
#define S2BOX_FUZZ_ARG_H

#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#include "fuzz_util.h"

/* Room for three 64 KiB map units and the largest _IOC_SIZE, plus slack. */
#define FZ_RW_BYTES	(256 * 1024)
#define FZ_SENTINEL	32	/* bytes after a buffer that must stay intact */
#define FZ_FILL		0xa5

enum fz_place {
	FZ_GOOD,	/* readable and writable, at any alignment */
	FZ_EDGE,	/* ends inside the guard page: the copy faults part-way */
	FZ_NULL,	/* NULL or a few bytes above it */
	FZ_GUARD,	/* inside a PROT_NONE page */
	FZ_RO,		/* on the read-only page (and maybe into guard2) */
	FZ_KERNEL,	/* a kernel address */
	FZ_TAGGED,	/* a good buffer's address with a top-byte tag */
};

struct fz_arena {
	size_t page;
	size_t rw_len;
	char *rw, *guard, *ro;
};

struct fz_buf {
	enum fz_place place;
	char *p;		/* what the kernel is handed */
	size_t len;		/* bytes the call names */
	size_t readable;	/* bytes from p before the first unreadable one */
	size_t writable;	/* ... before the first unwritable one */
	bool range_ok;		/* access_ok(p, len) */
};

int fz_arena_init(struct fz_arena *a);

void fz_arena_free(struct fz_arena *a);

/*
 * Bytes from @p the kernel can read (or, with @write, write) before the
 * first one it cannot: a user address outside the arena is not mapped.
 */
size_t fz_span(const struct fz_arena *a, const char *p, bool write);

enum fz_place fz_pick_place(struct fz_rng *r);

/*
 * Place @len bytes of @data (NULL: FZ_FILL bytes) at @place, as far as the
 * placement lets them be written, followed in a good buffer by
 * FZ_SENTINEL fill bytes that the call must leave alone.
 */
void fz_place(struct fz_arena *a, struct fz_rng *r, struct fz_buf *b,
	      enum fz_place place, const void *data, size_t len);

/* The bytes of a placed buffer as they are now (only for FZ_GOOD). */
bool fz_sentinel_ok(const struct fz_buf *b);

/*
 * What copy_struct_from_user() of a @ksize-byte structure from @b (its
 * len the ioctl's size) returns. The part past @ksize is checked first,
 * word by word (check_zeroed_user()): a non-zero byte before the first
 * unreadable one is E2BIG, reaching an unreadable one EFAULT. That part
 * may start on another page than the buffer (past a guard, on the
 * read-only page): its bytes are read here as the kernel reads them.
 */
int fz_in_err(const struct fz_arena *a, const struct fz_buf *b, size_t ksize);

/* What copying out the caller's @b->len bytes (zero-filled past ours) returns. */
int fz_out_err(const struct fz_buf *b);

#endif /* S2BOX_FUZZ_ARG_H */
