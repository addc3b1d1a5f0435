// SPDX-License-Identifier: GPL-2.0
/*
 * Every live box by id, and module-wide counters, for the generic netlink
 * family: operators see boxes without holding their fds.
 */

#include <linux/mutex.h>
#include <linux/xarray.h>

#include "s2box.h"

static DEFINE_MUTEX(registry_lock);
/* Box id -> box; ids are never reused, so an id names one box forever. */
static DEFINE_XARRAY(registry);
/* Changes on every add and delete: lets a dump detect it was interrupted. */
static unsigned int registry_gen;

struct s2box_stats s2box_stats;

int s2box_registry_add(struct s2box_box *box)
{
	int err;

	mutex_lock(&registry_lock);
	err = xa_err(xa_store(&registry, box->id, box, S2BOX_GFP));
	if (!err)
		registry_gen++;
	mutex_unlock(&registry_lock);
	if (err)
		return err;
	atomic64_inc(&s2box_stats.boxes_alive);
	atomic64_inc(&s2box_stats.boxes_created);
	return 0;
}

void s2box_registry_del(struct s2box_box *box)
{
	mutex_lock(&registry_lock);
	xa_erase(&registry, box->id);
	registry_gen++;
	mutex_unlock(&registry_lock);
	atomic64_dec(&s2box_stats.boxes_alive);
}

/*
 * Call @fn on every box from id *@next on, in id order, with the registry
 * locked (so none of them can be freed meanwhile), until it returns
 * non-zero; *@next is then the id to resume from.
 */
int s2box_registry_walk(u64 *next, unsigned int *gen,
			int (*fn)(struct s2box_box *box, void *arg), void *arg)
{
	unsigned long index;
	struct s2box_box *box;
	int err = 0;

	mutex_lock(&registry_lock);
	*gen = registry_gen;
	xa_for_each_start(&registry, index, box, *next) {
		err = fn(box, arg);
		if (err)
			break;
		*next = (u64)index + 1;
	}
	mutex_unlock(&registry_lock);
	return err;
}
