// SPDX-License-Identifier: LGPL-2.1-or-later
/* Builds a box, loads add_guest.elf into it and calls add(40, 2). */
#include <stdio.h>

#include <s2box/s2box.h>

int main(int argc, char **argv)
{
	const char *image = argc > 1 ? argv[1] : "add_guest.elf";
	__u64 args[] = { 40, 2 }, res[8], add;
	struct s2box_dev *dev;
	struct s2box_box *box;
	int err;

	err = s2box_open(&dev);
	if (err) {
		fprintf(stderr, "hello: %s\n", s2box_strerror(err));
		return 1;
	}
	err = s2box_box_create(dev, 32, 0, &box);
	if (err) {
		fprintf(stderr, "hello: %s\n", s2box_dev_errmsg(dev));
		return 1;
	}
	err = s2box_load_elf_file(box, image, NULL);
	if (!err)
		err = s2box_box_symbol(box, "add", &add);
	if (!err)
		err = s2box_call(box, add, args, 2, res);
	if (err)
		fprintf(stderr, "hello: %s\n", s2box_box_errmsg(box));
	else
		printf("add(40, 2) in a box = %llu\n", res[0]);
	s2box_box_destroy(box);
	s2box_close(dev);
	return err ? 1 : 0;
}
