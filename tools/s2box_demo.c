// SPDX-License-Identifier: GPL-2.0
/*
 * s2box_demo: what `make demo` runs inside the emulated server. Prints the
 * host's capabilities, then creates a box for every granule at 32, 36, 40,
 * 44, 48 and 52 bits of IPA and prints its VTCR_EL2 decoded from the raw
 * register value; a refused combination prints its error.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/s2box.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const unsigned int granules[] = {
	S2BOX_GRANULE_4K, S2BOX_GRANULE_16K, S2BOX_GRANULE_64K
};

static const unsigned int ipa_sizes[] = { 32, 36, 40, 44, 48, 52 };

static void print_caps(const struct s2box_caps *c)
{
	printf("host: %u-bit PA, %u-bit VMIDs, page size %u, FWB %s\n",
	       c->pa_bits, c->vmid_bits, c->host_page_size,
	       c->flags & S2BOX_CAP_FWB ? "yes" : "no");
	printf("      IPA limit: 4K %u, 16K %u, 64K %u (0 = granule absent)\n",
	       c->ipa_bits_max_4k, c->ipa_bits_max_16k, c->ipa_bits_max_64k);
}

/* Decode VTCR_EL2 from the raw value (Arm ARM field layout). */
static void print_vtcr(unsigned long long v, unsigned int granule)
{
	static const unsigned int ps_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	unsigned int t0sz = v & 0x3f, sl0 = (v >> 6) & 3, tg0 = (v >> 14) & 3;
	unsigned int ps = (v >> 16) & 7, ds = (v >> 32) & 1;
	int start = granule == S2BOX_GRANULE_4K ? 2 - (int)sl0 : 3 - (int)sl0;

	printf("vtcr 0x%09llx  T0SZ=%-2u (%u-bit IPA) TG0=%s ", v, t0sz,
	       64 - t0sz, tg0 == 0 ? "4K " : tg0 == 1 ? "64K" : "16K");
	printf("SL0=%u (start level %d, %d levels) PS=%u (%u-bit OA) DS=%u VS=%llu\n",
	       sl0, start, 4 - start, ps, ps < 7 ? ps_bits[ps] : 0, ds,
	       (v >> 19) & 1);
}

static void try_box(int ctl, unsigned int granule, unsigned int ipa_bits)
{
	struct s2box_create args = { .ipa_bits = ipa_bits, .granule = granule };
	struct s2box_box_info info;
	int box;

	printf("  %2uK granule, %u-bit IPA: ", granule / 1024, ipa_bits);
	box = ioctl(ctl, S2BOX_CREATE_BOX, &args);
	if (box < 0) {
		printf("refused: %s\n", strerror(errno));
		return;
	}
	if (ioctl(box, S2BOX_GET_BOX_INFO, &info)) {
		printf("GET_BOX_INFO failed: %s\n", strerror(errno));
	} else {
		print_vtcr(info.vtcr, granule);
		printf("      box %llu: %u root table(s), root aligned to %u bytes\n",
		       (unsigned long long)info.box_id, info.root_pages,
		       info.root_align);
	}
	close(box);
}

int main(void)
{
	struct s2box_caps caps;
	unsigned int g, i;
	int ctl;

	ctl = open(S2BOX_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		fprintf(stderr, "s2box_demo: %s: %s (is the module loaded?)\n",
			S2BOX_DEVICE_PATH, strerror(errno));
		return 1;
	}
	if (ioctl(ctl, S2BOX_GET_CAPS, &caps)) {
		perror("s2box_demo: S2BOX_GET_CAPS");
		return 1;
	}
	print_caps(&caps);
	for (g = 0; g < ARRAY_SIZE(granules); g++)
		for (i = 0; i < ARRAY_SIZE(ipa_sizes); i++)
			try_box(ctl, granules[g], ipa_sizes[i]);
	close(ctl);
	return 0;
}
