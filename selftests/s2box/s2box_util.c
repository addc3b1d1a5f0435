// SPDX-License-Identifier: GPL-2.0
/* Small helpers shared by the s2box kselftests (s2box_util.h). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s2box_util.h"

int s2box_open_ctl(void)
{
	return open(S2BOX_DEVICE_PATH, O_RDWR | O_CLOEXEC);
}

int s2box_create(int ctl, unsigned int ipa_bits, unsigned int granule)
{
	struct s2box_create c = { .ipa_bits = ipa_bits, .granule = granule };

	return ioctl(ctl, S2BOX_CREATE_BOX, &c);
}

unsigned int s2box_ipa_limit(const struct s2box_caps *caps,
			     unsigned int granule)
{
	switch (granule) {
	case S2BOX_GRANULE_4K:
		return caps->ipa_bits_max_4k;
	case S2BOX_GRANULE_16K:
		return caps->ipa_bits_max_16k;
	case S2BOX_GRANULE_64K:
		return caps->ipa_bits_max_64k;
	}
	return 0;
}

int box_map(int box, __u64 ipa, __u64 size, __u32 prot)
{
	struct s2box_map m = { .ipa = ipa, .size = size, .prot = prot };

	return ioctl(box, S2BOX_MAP, &m);
}

int box_unmap(int box, __u64 ipa, __u64 size)
{
	struct s2box_unmap u = { .ipa = ipa, .size = size };

	return ioctl(box, S2BOX_UNMAP, &u);
}

bool s2box_geometry_refused(const struct s2box_caps *caps,
			    unsigned int granule, unsigned int ipa_bits,
			    char *why, size_t len)
{
	unsigned int limit = s2box_ipa_limit(caps, granule);

	if (!limit)
		snprintf(why, len, "the %uK granule is not supported at stage 2",
			 granule >> 10);
	else if (ipa_bits > limit)
		snprintf(why, len, "%u-bit IPA is over this host's %u-bit limit (%uK)",
			 ipa_bits, limit, granule >> 10);
	return !limit || ipa_bits > limit;
}

unsigned int s2box_any_granule(int ctl)
{
	struct s2box_caps caps;

	if (ioctl(ctl, S2BOX_GET_CAPS, &caps))
		return 0;
	if (caps.ipa_bits_max_4k)
		return S2BOX_GRANULE_4K;
	if (caps.ipa_bits_max_64k)
		return S2BOX_GRANULE_64K;
	return S2BOX_GRANULE_16K;
}

long long s2box_fdinfo(int fd, const char *key)
{
	char path[64], line[128];
	size_t klen = strlen(key);
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			v = atoll(line + klen + 1);
	fclose(f);
	return v;
}
