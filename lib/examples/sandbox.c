// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A sandbox that snapshots once and resets after every call: count() in
 * add_guest.elf increments a counter in the guest's bss, yet every call
 * sees the snapshot's 0 and returns 1. Then two clones of the same
 * snapshot, each as fresh.
 */
#include <stdio.h>

#include <s2box/s2box.h>

static int fail(const char *what, const char *msg)
{
	fprintf(stderr, "sandbox: %s: %s\n", what, msg);
	return 1;
}

int main(int argc, char **argv)
{
	const char *image = argc > 1 ? argv[1] : "add_guest.elf";
	struct s2box_box *box, *clone[2];
	struct s2box_reset r;
	struct s2box_dev *dev;
	__u64 count, res[8];
	int i, err;

	if (s2box_open(&dev) || s2box_box_create(dev, 32, 0, &box))
		return fail("create", "cannot open /dev/s2box or create a box");
	err = s2box_load_elf_file(box, image, NULL);
	if (!err)
		err = s2box_box_symbol(box, "count", &count);
	if (!err)
		err = s2box_box_snapshot(box, NULL);	/* once */
	for (i = 0; !err && i < 3; i++) {
		err = s2box_call(box, count, NULL, 0, res);
		if (!err)
			err = s2box_box_reset(box, &r);	/* after every call */
		if (!err)
			printf("call %d: count() = %llu, reset copied back %llu pages\n",
			       i, res[0], r.restored_pages);
	}
	for (i = 0; !err && i < 2; i++) {
		err = s2box_box_clone(box, &clone[i]);
		if (!err)
			err = s2box_call(clone[i], count, NULL, 0, res);
		if (!err)
			printf("clone %d: count() = %llu\n", i, res[0]);
	}
	if (err)
		return fail("call", s2box_box_errmsg(box));
	return 0;
}
