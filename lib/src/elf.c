// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Static AArch64 ELF images: checked in memory (the parser trusts nothing
 * in the file: every offset and size is bounded by the image), their
 * PT_LOAD segments mapped into a box with the permissions of the segment
 * flags, and their symbols looked up for s2box_call().
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/elf.h>

#include "internal.h"

/* CPACR_EL1.FPEN: FP/SIMD does not trap at EL1 (compiled code uses it). */
#define CPACR_FPEN	(3ULL << 20)
/* An image larger than this is a mistake, not a guest. */
#define IMAGE_MAX	(256UL << 20)

/* Is [off, off + size) inside an image of @len bytes? */
static bool in_image(__u64 off, __u64 size, size_t len)
{
	return off <= len && size <= len - off;
}

static int check_ehdr(const struct elf64_hdr *eh, size_t len)
{
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_type != ET_EXEC || eh->e_machine != EM_AARCH64 ||
	    eh->e_phentsize != sizeof(struct elf64_phdr) || !eh->e_phnum ||
	    !in_image(eh->e_phoff, (__u64)eh->e_phnum * sizeof(struct elf64_phdr),
		      len) || eh->e_phoff % 8)
		return -ENOEXEC;
	return 0;
}

static unsigned int seg_prot(__u32 flags)
{
	return (flags & PF_R ? S2BOX_PROT_READ : 0) |
	       (flags & PF_W ? S2BOX_PROT_WRITE : 0) |
	       (flags & PF_X ? S2BOX_PROT_EXEC : 0);
}

static int add_segment(const struct elf64_phdr *ph, size_t len, struct s2box_elf *elf)
{
	struct s2box_elf_segment *s;

	if (ph->p_filesz > ph->p_memsz ||
	    !in_image(ph->p_offset, ph->p_filesz, len) ||
	    ph->p_vaddr + ph->p_memsz < ph->p_vaddr ||
	    elf->nsegments == S2BOX_ELF_MAX_SEGMENTS)
		return -ENOEXEC;
	if (!ph->p_memsz)
		return 0;
	s = &elf->seg[elf->nsegments++];
	s->ipa = ph->p_vaddr;
	s->file_off = ph->p_offset;
	s->file_size = ph->p_filesz;
	s->mem_size = ph->p_memsz;
	s->prot = seg_prot(ph->p_flags);
	if ((ph->p_flags & PF_W) && s->ipa + s->mem_size > elf->stack_top)
		elf->stack_top = (s->ipa + s->mem_size) & ~15ULL;
	return 0;
}

/* The entry must be an instruction inside an executable segment. */
static bool entry_ok(const struct s2box_elf *elf)
{
	const struct s2box_elf_segment *s;
	unsigned int i;

	if (elf->entry % 4)
		return false;
	for (i = 0; i < elf->nsegments; i++) {
		s = &elf->seg[i];
		if ((s->prot & S2BOX_PROT_EXEC) && elf->entry >= s->ipa &&
		    elf->entry - s->ipa < s->mem_size)
			return true;
	}
	return false;
}

S2BOX_EXPORT int s2box_elf_parse(const void *image, size_t len,
				 struct s2box_elf *elf)
{
	const struct elf64_hdr *eh = image;
	struct elf64_phdr ph;
	unsigned int i;
	int err;

	memset(elf, 0, sizeof(*elf));
	err = check_ehdr(eh, len);
	if (err)
		return err;
	for (i = 0; i < eh->e_phnum; i++) {
		memcpy(&ph, (const char *)image + eh->e_phoff + i * sizeof(ph),
		       sizeof(ph));
		/* A static image: nothing to interpret or relocate. */
		if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC)
			return -ENOEXEC;
		if (ph.p_type != PT_LOAD)
			continue;
		err = add_segment(&ph, len, elf);
		if (err)
			return err;
	}
	elf->entry = eh->e_entry;
	if (!elf->nsegments || !entry_ok(elf))
		return -ENOEXEC;
	return 0;
}

/* Section header @i, bounds checked; NULL if the table is not sane. */
static const struct elf64_shdr *shdr(const void *image, size_t len, unsigned int i)
{
	const struct elf64_hdr *eh = image;

	if (eh->e_shentsize != sizeof(struct elf64_shdr) || i >= eh->e_shnum ||
	    eh->e_shoff % 8 ||
	    !in_image(eh->e_shoff, (__u64)eh->e_shnum * sizeof(struct elf64_shdr),
		      len))
		return NULL;
	return (const struct elf64_shdr *)((const char *)image + eh->e_shoff) + i;
}

static int find_in_symtab(const void *image, size_t len,
			  const struct elf64_shdr *symtab, const char *name,
			  __u64 *value)
{
	const struct elf64_shdr *strtab = shdr(image, len, symtab->sh_link);
	size_t nlen = strlen(name), n, i;
	const char *strs;
	struct elf64_sym sym;

	if (!strtab || symtab->sh_entsize != sizeof(sym) ||
	    !in_image(symtab->sh_offset, symtab->sh_size, len) ||
	    !in_image(strtab->sh_offset, strtab->sh_size, len))
		return -ENOEXEC;
	strs = (const char *)image + strtab->sh_offset;
	n = symtab->sh_size / sizeof(sym);
	for (i = 1; i < n; i++) {
		memcpy(&sym, (const char *)image + symtab->sh_offset +
		       i * sizeof(sym), sizeof(sym));
		if (sym.st_name >= strtab->sh_size ||
		    strtab->sh_size - sym.st_name <= nlen ||
		    memcmp(strs + sym.st_name, name, nlen + 1) ||
		    sym.st_shndx == SHN_UNDEF)
			continue;
		*value = sym.st_value;
		return 0;
	}
	return -ENOENT;
}

S2BOX_EXPORT int s2box_elf_symbol(const void *image, size_t len,
				  const char *name, __u64 *value)
{
	const struct elf64_hdr *eh = image;
	const struct elf64_shdr *sh;
	unsigned int i;
	int err;

	err = check_ehdr(eh, len);
	if (err)
		return err;
	for (i = 0; i < eh->e_shnum; i++) {
		sh = shdr(image, len, i);
		if (!sh)
			return -ENOEXEC;
		if (sh->sh_type == SHT_SYMTAB)
			return find_in_symtab(image, len, sh, name, value);
	}
	return -ENOENT;
}

/* --- loading ------------------------------------------------------------ */

/*
 * The map_align units of every segment, as [start, end) with a prot:
 * units that two segments share are mapped once, with both prots.
 */
struct map_range {
	__u64 start, end;
	unsigned int prot;
};

static int plan_maps(const struct s2box_elf *elf, __u64 align,
		     struct map_range *r)
{
	const struct s2box_elf_segment *s;
	unsigned int i, j, n = 0;
	struct map_range t;

	for (i = 0; i < elf->nsegments; i++) {
		s = &elf->seg[i];
		r[n].start = s->ipa & ~(align - 1);
		r[n].end = (s->ipa + s->mem_size + align - 1) & ~(align - 1);
		r[n].prot = s->prot;
		n++;
	}
	/* Sort by start (few segments), then merge overlaps. */
	for (i = 1; i < n; i++)
		for (j = i; j && r[j - 1].start > r[j].start; j--) {
			t = r[j];
			r[j] = r[j - 1];
			r[j - 1] = t;
		}
	for (i = 0, j = 0; i < n; i++) {
		if (j && r[i].start < r[j - 1].end) {
			if (r[i].end > r[j - 1].end)
				r[j - 1].end = r[i].end;
			r[j - 1].prot |= r[i].prot;
		} else {
			r[j++] = r[i];
		}
	}
	return j;
}

static int keep_image(struct s2box_box *box, const void *image, size_t len)
{
	void *copy = malloc(len);

	if (!copy)
		return box_fail(box, -ENOMEM, "copying the image");
	memcpy(copy, image, len);
	free(box->image);
	box->image = copy;
	box->image_len = len;
	return 0;
}

static int start_at_entry(struct s2box_box *box, const struct s2box_elf *elf)
{
	struct s2box_regs regs;
	int err;

	err = s2box_regs_get(box, &regs);
	if (err)
		return err;
	regs.pc = elf->entry;
	regs.sp_el1 = elf->stack_top;
	regs.cpacr |= CPACR_FPEN;
	err = s2box_regs_set(box, &regs);
	if (err)
		return err;
	box->entry = elf->entry;
	box->has_entry = true;
	return 0;
}

S2BOX_EXPORT int s2box_load_elf(struct s2box_box *box, const void *image,
				size_t len, struct s2box_elf *out)
{
	struct map_range r[S2BOX_ELF_MAX_SEGMENTS];
	const struct s2box_elf_segment *s;
	struct s2box_elf elf;
	int err, n, i;

	err = s2box_elf_parse(image, len, &elf);
	if (err)
		return box_fail(box, err, "the image (%zu bytes)", len);
	n = plan_maps(&elf, box->info.map_align, r);
	for (i = 0; i < n; i++) {
		err = s2box_mem_map(box, r[i].start, r[i].end - r[i].start,
				    r[i].prot);
		if (err)
			return err;
	}
	for (i = 0; i < (int)elf.nsegments; i++) {
		s = &elf.seg[i];
		err = s2box_mem_write(box, s->ipa,
				      (const char *)image + s->file_off,
				      s->file_size);
		if (err)
			return err;
	}
	err = keep_image(box, image, len);
	if (!err)
		err = start_at_entry(box, &elf);
	if (!err && out)
		*out = elf;
	return err;
}

S2BOX_EXPORT int s2box_load_elf_file(struct s2box_box *box, const char *path,
				     struct s2box_elf *elf)
{
	struct stat st;
	void *buf = NULL;
	ssize_t n = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return box_fail(box, -errno, "%s", path);
	if (fstat(fd, &st)) {
		err = box_fail(box, -errno, "%s", path);
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > IMAGE_MAX) {
		err = box_fail(box, -ENOEXEC, "%s: not a regular file of at most %lu MiB",
			       path, IMAGE_MAX >> 20);
		goto close_fd;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (buf)
		n = pread(fd, buf, st.st_size, 0);
	if (!buf || n != st.st_size) {
		err = box_fail(box, buf ? -EIO : -ENOMEM, "reading %s", path);
		goto free_buf;
	}
	err = s2box_load_elf(box, buf, st.st_size, elf);
free_buf:
	free(buf);
close_fd:
	close(fd);
	return err;
}

S2BOX_EXPORT int s2box_box_symbol(const struct s2box_box *box,
				  const char *name, __u64 *value)
{
	if (!box->image)
		return -ENOEXEC;
	return s2box_elf_symbol(box->image, box->image_len, name, value);
}
