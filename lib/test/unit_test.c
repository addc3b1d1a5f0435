// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host unit tests of libs2box: what needs no device. Error text, exit
 * decoding, and the ELF parser on a real guest image (argv[1], built by
 * the cross compiler) and on hand-made broken ones. TAP on stdout.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/elf.h>

#include <s2box/s2box.h>

static unsigned int ntests, nfailed, nerrors;

/* A failed check inside the current test, printed as a TAP comment. */
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	nerrors++;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void result(const char *name)
{
	ntests++;
	if (nerrors)
		nfailed++;
	printf("%sok %u - libs2box: %s\n", nerrors ? "not " : "", ntests, name);
	nerrors = 0;
}

static void skip(const char *name, const char *why)
{
	printf("ok %u - libs2box: %s # SKIP %s\n", ++ntests, name, why);
}

static void test_strerror(void)
{
	check(strstr(s2box_strerror(-ERANGE), "s2box_dev_caps"),
	      "ERANGE does not point at the caps: %s", s2box_strerror(-ERANGE));
	check(s2box_strerror(ERANGE) == s2box_strerror(-ERANGE),
	      "the sign of the errno matters");
	check(strstr(s2box_strerror(-ENOENT), "modprobe"),
	      "ENOENT does not say to load the module");
	check(!strcmp(s2box_strerror(0), "success"), "0 is not success");
	check(!strcmp(s2box_strerror(-ENOSPC), strerror(ENOSPC)),
	      "an errno s2box does not use is not libc's text");
	result("s2box_strerror says what to fix");
}

static void test_exit_hvc(void)
{
	struct s2box_run run = { .exit_reason = S2BOX_EXIT_HVC,
				 .hvc_imm = 0x5b0, .exception_class = 0x16 };
	struct s2box_regs regs = { .pc = 0x100014 };
	struct s2box_exit e;
	char buf[160];
	int i;

	for (i = 0; i < 31; i++)
		regs.x[i] = 100 + i;
	s2box_exit_decode(&run, &regs, &e);
	check(e.reason == S2BOX_EXIT_HVC && e.hvc_imm == 0x5b0,
	      "hvc: reason %u imm 0x%x", e.reason, e.hvc_imm);
	for (i = 0; i < 8; i++)
		check(e.x[i] == 100ULL + i, "x%d = %llu", i, e.x[i]);
	check(e.pc == 0x100014 && !e.ipa_valid, "pc 0x%llx", e.pc);
	s2box_exit_describe(&e, buf, sizeof(buf));
	check(strstr(buf, "HVC #0x5b0"), "describe: %s", buf);
	s2box_exit_decode(&run, NULL, &e);
	check(!e.pc && !e.x[0], "without regs, pc and x are 0");
	result("an HVC exit decodes imm, pc and x0..x7");
}

static void test_exit_fault(void)
{
	struct s2box_run run = {
		.exit_reason = S2BOX_EXIT_S2_FAULT, .flags = S2BOX_RUN_IPA_VALID,
		.ipa = 0x80000008ULL, .esr = 0x93c08047ULL,
		.exception_class = 0x24, .fault_access = S2BOX_ACCESS_WRITE,
		.fault_status = S2BOX_FAULT_TRANSLATION, .fault_level = 1,
	};
	struct s2box_exit e;
	char buf[160];

	s2box_exit_decode(&run, NULL, &e);
	check(e.ipa_valid && e.ipa == 0x80000008ULL, "ipa 0x%llx", e.ipa);
	check(e.write && !e.exec && e.fault_level == 1 &&
	      e.fault_status == S2BOX_FAULT_TRANSLATION, "access/status");
	s2box_exit_describe(&e, buf, sizeof(buf));
	check(strstr(buf, "translation fault: write to IPA 0x80000008"),
	      "describe: %s", buf);
	run.flags = 0;
	run.fault_access = S2BOX_ACCESS_EXEC;
	s2box_exit_decode(&run, NULL, &e);
	check(!e.ipa_valid && e.exec && !e.write, "fetch without IPA");
	s2box_exit_describe(&e, buf, sizeof(buf));
	check(strstr(buf, "unknown IPA"), "describe: %s", buf);
	result("a stage-2 fault decodes IPA, access, status and level");
}

static void test_exit_trap(void)
{
	/* MRS x3, S3_0_C0_C7_0 (ID_AA64MMFR0_EL1) */
	__u32 iss = (3 << 20) | (0 << 17) | (0 << 14) | (0 << 10) | (3 << 5) |
		    (7 << 1) | 1;
	struct s2box_run run = { .exit_reason = S2BOX_EXIT_TRAP,
				 .exception_class = 0x18, .sysreg = iss };
	struct s2box_exit e;
	char buf[160];

	s2box_exit_decode(&run, NULL, &e);
	check(e.sysreg_valid && e.sysreg_read && e.op0 == 3 && e.op1 == 0 &&
	      e.crn == 0 && e.crm == 7 && e.op2 == 0 && e.rt == 3,
	      "sysreg op0 %u op1 %u crn %u crm %u op2 %u rt %u", e.op0, e.op1,
	      e.crn, e.crm, e.op2, e.rt);
	s2box_exit_describe(&e, buf, sizeof(buf));
	check(strstr(buf, "MRS S3_0_C0_C7_0 (x3)"), "describe: %s", buf);
	run.exception_class = 0x01;
	s2box_exit_decode(&run, NULL, &e);
	check(!e.sysreg_valid, "a WFI is no sysreg trap");
	run.exit_reason = S2BOX_EXIT_BUDGET;
	s2box_exit_decode(&run, NULL, &e);
	check(!strcmp(s2box_exit_reason_name(e.reason), "budget"), "budget");
	check(!strcmp(s2box_exit_reason_name(99), "unknown"), "unknown");
	result("a sysreg trap decodes op0/op1/CRn/CRm/op2/Rt");
}

static void *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	n = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
	if (n > 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc(n);
		if (buf && fread(buf, 1, n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = n;
	}
	fclose(f);
	return buf;
}

static void test_real_image(const char *path)
{
	__u64 add = 0, start = 0, top = 0, v;
	struct s2box_elf elf;
	unsigned int i, rx = 0, rw = 0;
	size_t len = 0;
	void *img;
	int err;

	img = path ? read_file(path, &len) : NULL;
	if (!img) {
		skip("the guest image parses", "no guest image (cross compiler?)");
		return;
	}
	err = s2box_elf_parse(img, len, &elf);
	check(!err, "parse: %d", err);
	check(!s2box_elf_symbol(img, len, "_start", &start) &&
	      start == elf.entry, "entry 0x%llx, _start 0x%llx", elf.entry,
	      start);
	check(!s2box_elf_symbol(img, len, "add", &add) && add > elf.entry,
	      "add 0x%llx", add);
	check(s2box_elf_symbol(img, len, "no_such_fn", &v) == -ENOENT,
	      "a missing symbol is not ENOENT");
	check(s2box_elf_symbol(img, len, "ad", &v) == -ENOENT,
	      "a prefix matches");
	check(!s2box_elf_symbol(img, len, "__s2box_stack_top", &top) &&
	      top == elf.stack_top, "stack_top 0x%llx, symbol 0x%llx",
	      elf.stack_top, top);
	for (i = 0; i < elf.nsegments; i++) {
		rx += elf.seg[i].prot == (S2BOX_PROT_READ | S2BOX_PROT_EXEC);
		rw += elf.seg[i].prot == (S2BOX_PROT_READ | S2BOX_PROT_WRITE);
	}
	check(rx == 1 && rw == 1, "segments: %u RX, %u RW", rx, rw);
	check(s2box_elf_parse(img, len / 2, &elf) == -ENOEXEC,
	      "half the image parses");
	free(img);
	result("the guest image parses: entry, symbols, RX and RW segments");
}

/* A minimal image: ELF header, @nph program headers, 16 bytes of code. */
struct tiny {
	struct elf64_hdr eh;
	struct elf64_phdr ph[S2BOX_ELF_MAX_SEGMENTS + 1];
	__u32 code[4];
};

static void tiny_init(struct tiny *t, unsigned int nph)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	memcpy(t->eh.e_ident, ELFMAG, SELFMAG);
	t->eh.e_ident[EI_CLASS] = ELFCLASS64;
	t->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	t->eh.e_ident[EI_VERSION] = EV_CURRENT;
	t->eh.e_type = ET_EXEC;
	t->eh.e_machine = EM_AARCH64;
	t->eh.e_version = EV_CURRENT;
	t->eh.e_entry = 0x100000;
	t->eh.e_phoff = offsetof(struct tiny, ph);
	t->eh.e_ehsize = sizeof(t->eh);
	t->eh.e_phentsize = sizeof(struct elf64_phdr);
	t->eh.e_phnum = nph;
	for (i = 0; i < nph; i++) {
		t->ph[i].p_type = PT_LOAD;
		t->ph[i].p_flags = PF_R | PF_X;
		t->ph[i].p_offset = offsetof(struct tiny, code);
		t->ph[i].p_vaddr = 0x100000 + i * 0x10000ULL;
		t->ph[i].p_filesz = sizeof(t->code);
		t->ph[i].p_memsz = sizeof(t->code);
	}
}

static void expect_noexec(const struct tiny *t, size_t len, const char *what)
{
	struct s2box_elf elf;
	int err = s2box_elf_parse(t, len, &elf);

	check(err == -ENOEXEC, "%s: %d, not -ENOEXEC", what, err);
}

static void test_broken_images(void)
{
	struct s2box_elf elf;
	struct tiny t;

	tiny_init(&t, 1);
	check(!s2box_elf_parse(&t, sizeof(t), &elf) && elf.nsegments == 1,
	      "the good tiny image fails");
	expect_noexec(&t, sizeof(t.eh) - 1, "a cut header");
	expect_noexec(&t, offsetof(struct tiny, ph) + 8, "a cut phdr table");
	t.eh.e_ident[EI_MAG1] = 'X';
	expect_noexec(&t, sizeof(t), "bad magic");
	tiny_init(&t, 1);
	t.eh.e_ident[EI_CLASS] = ELFCLASS32;
	expect_noexec(&t, sizeof(t), "ELFCLASS32");
	tiny_init(&t, 1);
	t.eh.e_machine = EM_X86_64;
	expect_noexec(&t, sizeof(t), "x86-64");
	tiny_init(&t, 1);
	t.eh.e_type = ET_DYN;
	expect_noexec(&t, sizeof(t), "ET_DYN");
	tiny_init(&t, 1);
	t.ph[0].p_filesz = 64;
	expect_noexec(&t, sizeof(t), "filesz past the file");
	tiny_init(&t, 1);
	t.ph[0].p_memsz = 2;
	expect_noexec(&t, sizeof(t), "filesz > memsz");
	tiny_init(&t, 1);
	t.ph[0].p_offset = ~0ULL - 4;
	expect_noexec(&t, sizeof(t), "offset wrapping");
	tiny_init(&t, 1);
	t.ph[0].p_vaddr = ~0ULL - 8;
	t.eh.e_entry = t.ph[0].p_vaddr;
	expect_noexec(&t, sizeof(t), "vaddr + memsz wrapping");
	tiny_init(&t, 2);
	t.ph[1].p_type = PT_INTERP;
	expect_noexec(&t, sizeof(t), "PT_INTERP");
	tiny_init(&t, 1);
	t.eh.e_entry = 0x200000;
	expect_noexec(&t, sizeof(t), "entry outside the code");
	tiny_init(&t, 1);
	t.ph[0].p_flags = PF_R | PF_W;
	expect_noexec(&t, sizeof(t), "entry in a segment without X");
	tiny_init(&t, S2BOX_ELF_MAX_SEGMENTS + 1);
	expect_noexec(&t, sizeof(t), "too many segments");
	tiny_init(&t, 1);
	t.eh.e_phnum = 0xffff;
	expect_noexec(&t, sizeof(t), "e_phnum past the file");
	result("broken ELF images are ENOEXEC, never read out of bounds");
}

int main(int argc, char **argv)
{
	printf("TAP version 13\n");
	test_strerror();
	test_exit_hvc();
	test_exit_fault();
	test_exit_trap();
	test_real_image(argc > 1 ? argv[1] : NULL);
	test_broken_images();
	printf("1..%u\n", ntests);
	return nfailed ? 1 : 0;
}
