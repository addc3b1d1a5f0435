/* SPDX-License-Identifier: GPL-2.0 */
/* The one TAP stream of the host unit tests (unittest.c owns it). */
#ifndef S2BOX_UNITTEST_TAP_H
#define S2BOX_UNITTEST_TAP_H

/* One TAP test: failed checks are counted and the first few printed. */
struct tcase {
	unsigned int errors;
};

void fail(struct tcase *tc, const char *fmt, ...);
void tap(struct tcase *tc, const char *fmt, ...);

/* Stage-2 table tests (s2pt_test.c). */
void s2pt_tests(void);

/* VTTBR_EL2 encoding (vttbr_test.c). */
void vttbr_tests(void);

/* Allow-list of module/idregs.c (idregs_test.c). */
void idregs_tests(void);
void idregs_print_table(void);

#endif /* S2BOX_UNITTEST_TAP_H */
