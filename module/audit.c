// SPDX-License-Identifier: GPL-2.0
/*
 * The isolation audit: every valid stage-2 leaf of a box must map, at each
 * IPA, exactly the host page the box owns there, with the permissions
 * S2BOX_MAP asked for; every descriptor must be one the module would
 * write, and no table may be orphaned or kept empty (s2pt_audit()).
 */

#include <linux/mm.h>

#include "s2box.h"

/*
 * Does @leaf map only the box's own pages (or, in a clone, the template's
 * it shares), with the asked permissions? Write permission may be held
 * back: to track writes after a snapshot, and always on a shared page.
 * DBM lets a CPU give it back by itself: only where the box may write,
 * and never on a shared page, which would then be the template's to
 * write.
 */
static bool audit_leaf_ok(void *arg, const struct s2pt_leaf *leaf)
{
	struct s2box_box *box = arg;
	u64 off, step = min_t(u64, leaf->size, PAGE_SIZE);
	struct s2box_pageref ref;
	unsigned int want, prot;

	for (off = 0; off < leaf->size; off += step) {
		u64 ipa = leaf->ipa + off;

		if (!s2box_mem_page(box, ipa >> PAGE_SHIFT, &ref) ||
		    leaf->pa + off != page_to_phys(ref.page) +
		    (ipa & ~PAGE_MASK))
			return false;
		want = s2box_mem_prot_to_s2pt(ref.prot);
		prot = leaf->prot;
		if (prot & S2PT_PROT_DBM) {
			if (ref.shared || !(want & S2PT_PROT_W))
				return false;
			prot &= ~S2PT_PROT_DBM;
		}
		if (prot != (want & ~S2PT_PROT_W) &&
		    (ref.shared || prot != want))
			return false;
	}
	return true;
}

int s2box_mem_audit(struct s2box_box *box, struct s2box_audit *res)
{
	struct s2pt_audit a = {};
	int err;

	mutex_lock(&box->lock);
	err = s2pt_audit(&box->pt, audit_leaf_ok, box, &a);
	/*
	 * Every page the box holds must be mapped, and nothing else, but
	 * for the detached ones UNMAP already took from stage 2; a clone
	 * maps the template's pages it shares too.
	 */
	if (!err && a.bytes != box->mem_bytes - box->detached_bytes +
	    box->shared_bytes)
		err = -EUCLEAN;
	mutex_unlock(&box->lock);

	memset(res, 0, sizeof(*res));
	res->tables = a.tables;
	res->blocks = a.blocks;
	res->pages = a.pages;
	res->bytes = a.bytes;
	res->bad_desc = a.bad_desc;
	res->empty_tables = a.empty_tables;
	res->foreign = a.rejected;
	if (err)
		pr_err_ratelimited("audit: box %llu: %lu bad descriptors, %lu empty tables, %lu foreign leaves, %llu bytes mapped for %llu held (%llu detached, %llu shared)\n",
				   box->id, a.bad_desc, a.empty_tables,
				   a.rejected, a.bytes, box->mem_bytes,
				   box->detached_bytes, box->shared_bytes);
	return err;
}
