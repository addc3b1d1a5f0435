// SPDX-License-Identifier: GPL-2.0
/*
 * Every live box by id, and module-wide counters, for the generic netlink
 * family: operators see boxes without holding their fds.
 */

#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>

#include "s2box.h"

static DEFINE_MUTEX(registry_lock);
/* Box id -> box; ids are never reused, so an id names one box forever. */
static DEFINE_XARRAY(registry);
/* Changes on every add and delete: lets a dump detect it was interrupted. */
static unsigned int registry_gen;

struct s2box_stats s2box_stats;

/*
 * Live boxes per user, so one user cannot pin unbounded kernel memory and
 * file objects however many processes or memory cgroups it spreads them
 * over. The key is the creator's real uid as a kuid: user namespaces map
 * their ids onto kuids, so a user who makes a namespace (and is root in
 * it) is still counted as itself, and root in the initial namespace is
 * counted like anyone else. The kernel's per-user counters (ucounts,
 * struct user_struct) have no slot a module can use, hence a small map.
 */
static unsigned int max_boxes_per_user = 1024;
module_param(max_boxes_per_user, uint, 0644);
MODULE_PARM_DESC(max_boxes_per_user, "Most boxes one user (real uid) may have alive at once; 0: no limit (default 1024)");

/* kuid -> xa_mk_value(live boxes); entries at zero are erased. */
static DEFINE_XARRAY(registry_users);

static unsigned long registry_user_boxes(kuid_t uid)
{
	void *entry = xa_load(&registry_users, __kuid_val(uid));

	return entry ? xa_to_value(entry) : 0;
}

/* Under registry_lock, so check and charge are one step for every caller. */
static int registry_charge_user(kuid_t uid)
{
	unsigned int limit = READ_ONCE(max_boxes_per_user);
	unsigned long n = registry_user_boxes(uid);

	if (limit && n >= limit) {
		pr_info_ratelimited("create: uid %u already has %lu boxes (max_boxes_per_user %u)\n",
				    from_kuid(&init_user_ns, uid), n, limit);
		return -EDQUOT;
	}
	return xa_err(xa_store(&registry_users, __kuid_val(uid),
			       xa_mk_value(n + 1), S2BOX_GFP));
}

static void registry_uncharge_user(kuid_t uid)
{
	unsigned long n = registry_user_boxes(uid);

	if (WARN_ON_ONCE(!n))
		return;
	if (n == 1)
		xa_erase(&registry_users, __kuid_val(uid));
	else	/* replaces an existing entry: never allocates, cannot fail */
		xa_store(&registry_users, __kuid_val(uid), xa_mk_value(n - 1),
			 GFP_KERNEL);
}

int s2box_registry_add(struct s2box_box *box)
{
	int err;

	mutex_lock(&registry_lock);
	err = registry_charge_user(box->owner);
	if (err)
		goto unlock;
	err = xa_err(xa_store(&registry, box->id, box, S2BOX_GFP));
	if (err) {
		registry_uncharge_user(box->owner);
		goto unlock;
	}
	registry_gen++;
unlock:
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
	registry_uncharge_user(box->owner);
	registry_gen++;
	mutex_unlock(&registry_lock);
	atomic64_dec(&s2box_stats.boxes_alive);
}

/*
 * Call @fn on every box from id *@next on, in id order, with the registry
 * locked (so none of them can be freed meanwhile), until it returns
 * non-zero; *@next is then the id to resume from. Every CREATE_BOX and
 * every box close on the host waits for this lock, so @fn must not wait
 * for anything a user controls: not box->lock, which a MAP or RESET of
 * any size holds, nor user memory itself.
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
