/* SPDX-License-Identifier: GPL-2.0 */
/* Guest code of run_hostile_test.c (BLOB() there; blob_asm.inc here). */
#include "blob_asm.inc"

/*
 * The one-instruction catalogue: each entry is its instruction, then
 * HVC #0x7e; a row starts the box at the entry's label. Instructions the
 * assembler may not know are encoded.
 */
.macro	one label, insn:vararg
	mark	\label\()_at
	\insn
	end_hvc
.endm

/* ERET to @insn at the mode in @spsr (from EL1h, at label_go). */
.macro	eret_to label, spsr, insn:vararg
	mark	\label\()_go
	mov	x26, #\spsr
	msr	spsr_el1, x26
	adr	x26, \label\()_at
	msr	elr_el1, x26
	eret
	one	\label, \insn
.endm

#define SPSR_EL0T	0x3c0	/* AArch64 EL0t, DAIF masked */
#define SPSR_EL2H	0x3c9	/* EL2h: not for an ERET from EL1 */
#define SPSR_A32_USR	0x1d0	/* AArch32 User, A32, AIF masked */
#define A32_SVC_42	.inst	0xef000042
#define A32_UDF		.inst	0xe7f000f0
#define A32_LOOP	.inst	0xeafffffe	/* b . */

/*
 * Blobs of more than one instruction: name_at labels the instruction the
 * row's expectation is about.
 */

/* Every vector HVCs VEC_MARK(its offset), ESR_EL1 in x27. */
	blob	vec_blob, 2048
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	.balign	0x80
	mrs	x27, esr_el1
	hvc	#(0xe000 + \n)
	.endr
	endblob	vec_blob

/* The ID registers the rows depend on, in x0..x7 and x9. */
	blob	probe_blob
	mrs	x0, id_aa64pfr0_el1
	mrs	x1, id_aa64pfr1_el1
	mrs	x2, id_aa64dfr0_el1
	mrs	x3, id_aa64isar0_el1
	mrs	x4, id_aa64isar1_el1
	mrs	x5, s3_0_c0_c6_2		// ID_AA64ISAR2_EL1
	mrs	x6, id_aa64mmfr1_el1
	mrs	x7, midr_el1
	mrs	x9, dczid_el0
	hvc	#0x1d
	endblob	probe_blob

	blob	one
	one	smc_0, smc	#0
	one	smc_ffff, smc	#0xffff
	one	hvc_0, hvc	#0
	one	hvc_ffff, hvc	#0xffff
	one	hlt_0, hlt	#0
	one	zero_word, .inst	0x00000000
	one	udf_el1, udf	#0x5a
/* PMU (MDCR_EL2.TPM) */
	one	pmcntenset_w, msr	pmcntenset_el0, x2
	one	pmuserenr_r, mrs	x3, pmuserenr_el0
	one	pmintenset_w, msr	pmintenset_el1, x4
	one	pmevtyper0_w, msr	pmevtyper0_el0, x5
	one	pmcr_r, mrs	x6, pmcr_el0
/* debug (MDCR_EL2.TDA, TDOSA, TDRA) */
	one	dbgbvr0_w, msr	dbgbvr0_el1, x1
	one	osdlr_r, mrs	x2, osdlr_el1
	one	oslar_w, msr	oslar_el1, x3
	one	mdccsr_r, mrs	x4, mdccsr_el0
	one	mdrar_r, mrs	x5, mdrar_el1
	one	mdscr_r, mrs	x8, mdscr_el1
	one	dbgwcr0_w, msr	dbgwcr0_el1, x6
/* physical timer (CNTHCTL_EL2.EL1PCEN) */
	one	cntp_cval_w, msr	cntp_cval_el0, x7
	one	cntp_tval_r, mrs	x9, cntp_tval_el0
/* GIC CPU interface (IMO/FMO, ICH_HCR_EL2, ICC_SRE_EL2.Enable) */
	one	sgi0r_w, msr	s3_0_c12_c11_7, x1	// ICC_SGI0R_EL1
	one	asgi1r_w, msr	s3_0_c12_c11_6, x2	// ICC_ASGI1R_EL1
	one	iar1_r, mrs	x3, s3_0_c12_c12_0	// ICC_IAR1_EL1
	one	iar0_r, mrs	x4, s3_0_c12_c8_0	// ICC_IAR0_EL1
	one	pmr_w, msr	s3_0_c4_c6_0, x5	// ICC_PMR_EL1
	one	icc_sre_r, mrs	x6, s3_0_c12_c12_5	// ICC_SRE_EL1
	one	dir_w, msr	s3_0_c12_c11_1, x7	// ICC_DIR_EL1
	one	igrpen1_w, msr	s3_0_c12_c12_7, x8	// ICC_IGRPEN1_EL1
/* HCR_EL2.TACR, TIDCP, TSW, TLOR, TERR */
	one	actlr_r, mrs	x1, actlr_el1
	one	impdef_r, mrs	x2, s3_0_c15_c0_0
	one	dc_isw, dc	isw, x3
	one	dc_csw, dc	csw, x4
	one	lorc_r, mrs	x5, s3_0_c10_c4_3	// LORC_EL1
	one	lorsa_w, msr	s3_0_c10_c4_0, x6	// LORSA_EL1
	one	erridr_r, mrs	x7, s3_0_c5_c3_0	// ERRIDR_EL1
	one	disr_r, mrs	x0, s3_0_c12_c1_1	// DISR_EL1
/* HCR_EL2.EnSCXT clear */
	one	scxtnum1_r, mrs	x1, s3_0_c13_c0_7	// SCXTNUM_EL1
	one	scxtnum0_w, msr	s3_3_c13_c0_7, x2	// SCXTNUM_EL0
/* EL2 and EL3 only: UNDEFINED at EL1 */
	one	hcr_el2_r, mrs	x0, hcr_el2
	one	vttbr_el2_w, msr	vttbr_el2, x1
	one	scr_el3_r, mrs	x2, scr_el3
	one	sctlr_el12_r, mrs	x3, s3_5_c1_c0_0	// SCTLR_EL12
	one	icc_sre_el2_r, mrs	x4, s3_4_c12_c9_5	// ICC_SRE_EL2
	one	sp_el1_r, mrs	x5, sp_el1
	one	tlbi_alle2, tlbi	alle2
	one	tlbi_ipas2e1is, tlbi	ipas2e1is, x1
	one	at_s12e1r, at	s12e1r, x1
/* pointer authentication (HCR_EL2.API, APK) */
	one	pacga, .inst	0x9ac23020	// pacga x0, x1, x2
	one	pacia, .inst	0xdac10020	// pacia x0, x1
	one	autia, .inst	0xdac11020	// autia x0, x1
	one	apiakeylo_r, mrs	x3, s3_0_c2_c1_0	// APIAKeyLo_EL1
	one	apgakeyhi_w, msr	s3_0_c2_c3_1, x4	// APGAKeyHi_EL1
/* SVE and SME (CPTR_EL2.ZEN, SMEN) */
	one	zcr_r, mrs	x5, s3_0_c1_c2_0	// ZCR_EL1
	one	rdvl, .inst	0x04bf5020	// rdvl x0, #1
	one	smstart, .inst	0xd503477f	// smstart
	one	smcr_r, mrs	x6, s3_0_c1_c2_6	// SMCR_EL1
/* MTE (HCR_EL2.ATA) */
	one	gcr_r, mrs	x1, s3_0_c1_c0_6	// GCR_EL1
	one	rgsr_w, msr	s3_0_c1_c0_5, x2	// RGSR_EL1
	one	tfsr_r, mrs	x3, s3_0_c5_c6_0	// TFSR_EL1
	one	tfsre0_w, msr	s3_0_c5_c6_1, x4	// TFSRE0_EL1
	one	irg, .inst	0x9adf1020	// irg x0, x1
/* exceptions from EL0, EL1t, AArch32; illegal returns */
	eret_to	svc_el0, SPSR_EL0T, svc	#0x77
	eret_to	brk_el0, SPSR_EL0T, brk	#0x99
	eret_to	wfi_el0, SPSR_EL0T, wfi
	eret_to	udf_el0, SPSR_EL0T, udf	#0x5b
	eret_to	ret_el2, SPSR_EL2H, nop
	eret_to	a32_svc, SPSR_A32_USR, A32_SVC_42
	eret_to	a32_udf, SPSR_A32_USR, A32_UDF
	eret_to	a32_loop, SPSR_A32_USR, A32_LOOP
	mark	udf_el1t_go
	msr	spsel, #0
	one	udf_el1t, udf	#0x5c
	endblob	one

/* x0 times WFI / WFE. */
	blob	wfi_storm
	mark	wfi_storm_at
	wfi
	subs	x0, x0, #1
	b.ne	wfi_storm_at
	end_hvc
	endblob	wfi_storm

	blob	wfe_storm
	mark	wfe_storm_at
	wfe
	subs	x0, x0, #1
	b.ne	wfe_storm_at
	end_hvc
	endblob	wfe_storm

	blob	spin
	mark	spin_at
	b	spin_at
	endblob	spin

/*
 * Interrupts unmasked at EL1: they still go to the host (IMO, FMO). The
 * endless loops count their rounds in x5 (budget_rounds()).
 */
	blob	count
	msr	daifclr, #0xf
	mark	count_at
	add	x5, x5, #1
	b	count_at
	endblob	count

/* Its own vectors ERET back to the UDF: exceptions at EL1 for ever. */
	blob	exc_loop, 2048
	adr	x1, exc_loop_vectors
	msr	vbar_el1, x1
	isb
	mark	exc_loop_at
	udf	#0x77
	end_hvc
	.balign	2048
exc_loop_vectors:
	.skip	0x200
	add	x5, x5, #1
	eret
	endblob	exc_loop

/* The box's EL0/EL1 thread registers, then a trapped MDSCR_EL1 write. */
	blob	tls
	movz	x1, #0x7150, lsl #16
	msr	tpidr_el0, x1
	add	x1, x1, #1
	msr	tpidrro_el0, x1
	add	x1, x1, #1
	msr	sp_el0, x1
	add	x1, x1, #1
	msr	contextidr_el1, x1
	add	x1, x1, #1
	msr	tpidr_el1, x1
	mov	x9, #0x8000
	mark	tls_at
	msr	mdscr_el1, x9
	end_hvc
	endblob	tls

/* The ID registers a box reads as its own, and a reserved one (RAZ). */
	blob	idregs
	mrs	x0, midr_el1
	mrs	x1, mpidr_el1
	mrs	x2, revidr_el1
	mrs	x3, s3_0_c0_c7_7
	mrs	x4, ctr_el0
	mark	idregs_at
	end_hvc
	endblob	idregs

/* The virtual counter twice, and its frequency. */
	blob	cntvct
	isb
	mrs	x0, cntvct_el0
	isb
	mrs	x1, cntvct_el0
	mrs	x2, cntfrq_el0
	mark	cntvct_at
	end_hvc
	endblob	cntvct

/*
 * x0 times: the virtual timer enabled, unmasked and already expired, so
 * its interrupt fires at once; x2 = the last CNTV_CTL_EL0 read, x3 = how
 * many reads found it masked again (by the entry after an interrupt).
 */
	blob	vtimer
	msr	cntv_cval_el0, xzr
	mov	x1, #1
	mov	x3, #0
	mark	vtimer_at
	msr	cntv_ctl_el0, x1
	isb
	mrs	x2, cntv_ctl_el0
	ubfx	x4, x2, #1, #1
	add	x3, x3, x4
	subs	x0, x0, #1
	b.ne	vtimer_at
	end_hvc
	endblob	vtimer

/*
 * Rewrites its own instruction at smc_slot (movz x0, #0x1111) into
 * smc_new's (movz x0, #0x5a5a) with the Arm ARM's sequence for
 * self-modifying code, then runs it.
 */
	blob	smc_code
	adr	x1, smc_code_at
	ldr	w2, smc_new
	str	w2, [x1]
	dc	cvau, x1
	dsb	ish
	ic	ivau, x1
	dsb	ish
	isb
	mark	smc_code_at
	movz	x0, #0x1111
	end_hvc
smc_new:
	movz	x0, #0x5a5a
	endblob	smc_code

/* x0 = [x1] (unaligned in the rows that use it). */
	blob	load
	mark	load_at
	ldr	x0, [x1]
	end_hvc
	endblob	load

/* A load through a misaligned stack pointer. */
	blob	sp_load
	mov	sp, x1
	mark	sp_load_at
	ldr	x0, [sp]
	end_hvc
	endblob	sp_load

/*
 * x2 increments of [x1] with LDXR/STXR, x2 more with LDAXR/STLXR; then a
 * STXR without a reservation, whose status (x6) must be 1.
 */
	blob	excl
	mov	x3, x2
1:	ldxr	x4, [x1]
	add	x4, x4, #1
	stxr	w5, x4, [x1]
	cbnz	w5, 1b
	subs	x3, x3, #1
	b.ne	1b
	mov	x3, x2
2:	ldaxr	x4, [x1]
	add	x4, x4, #1
	stlxr	w5, x4, [x1]
	cbnz	w5, 2b
	subs	x3, x3, #1
	b.ne	2b
	clrex
	mark	excl_at
	stxr	w6, x4, [x1]
	end_hvc
	endblob	excl

/* LSE atomics on [x1], which holds 5. */
	blob	lse
	mov	x0, #5
	mov	x2, #9
	.inst	0xc8a07c22		// cas x0, x2, [x1]
	mov	x3, #5
	mov	x4, #7
	.inst	0xc8a37c24		// cas x3, x4, [x1]
	mov	x5, #0x10
	.inst	0xf8250026		// ldadd x5, x6, [x1]
	mov	x7, #0x77
	.inst	0xf8278028		// swp x7, x8, [x1]
	mark	lse_at
	end_hvc
	endblob	lse

/*
 * Stage-1 remap under the box's feet: read through the alias x3, store
 * the descriptor x5 at x4, invalidate by VA (x7 == 0: TLBI VAE1IS of x6)
 * or everything (TLBI VMALLE1IS), read x3 again.
 */
	blob	remap
	ldr	x0, [x3]
	str	x5, [x4]
	dsb	ishst
	cbnz	x7, 1f
	tlbi	vae1is, x6
	b	2f
1:	tlbi	vmalle1is
2:	dsb	ish
	isb
	mark	remap_at
	ldr	x1, [x3]
	end_hvc
	endblob	remap

/* Cache and TLB maintenance a box may do (none traps), on x1. */
	blob	maint
	dc	civac, x1
	dc	cvac, x1
	dc	cvau, x1
	dc	ivac, x1
	ic	ivau, x1
	ic	iallu
	ic	ialluis
	dsb	ish
	lsr	x2, x1, #12
	tlbi	vmalle1
	tlbi	vmalle1is
	tlbi	aside1is, xzr
	tlbi	vae1is, x2
	tlbi	vaae1is, x2
	tlbi	vale1is, x2
	dsb	ish
	isb
	ldr	x0, [x1]
	mark	maint_at
	end_hvc
	endblob	maint

	blob	dczva
	mark	dczva_at
	dc	zva, x1
	end_hvc
	endblob	dczva

/* Turns its MMU on (tables set by the row), then the next fetch. */
	blob	mmu_on
	mrs	x1, sctlr_el1
	orr	x1, x1, #1
	msr	sctlr_el1, x1
	isb
	mark	mmu_on_at
	nop
	end_hvc
	endblob	mmu_on

/*
 * MTE with the box's own controls all on (SCTLR_EL1.ATA, synchronous tag
 * checks, TBI, Tagged memory): x3 = 16 IRG results ORed, STG of tag 5,
 * x5 = LDG, x7 = a load with tag 9.
 */
	blob	mte
	mov	x3, #0
	mov	x9, #16
1:	.inst	0x9adf1022		// irg x2, x1
	orr	x3, x3, x2
	subs	x9, x9, #1
	b.ne	1b
	mov	x10, #5
	orr	x4, x1, x10, lsl #56
	.inst	0xd9200884		// stg x4, [x4]
	mov	x5, x1
	.inst	0xd9600025		// ldg x5, [x1]
	mov	x10, #9
	orr	x6, x1, x10, lsl #56
	mark	mte_at
	ldr	x7, [x6]
	end_hvc
	endblob	mte

/*
 * T32 at AArch32 EL0: a 16-bit WFI (SCTLR_EL1.nTWI set, so it is the
 * host's TWI that traps it), then 16-bit SVCs #1 and #2.
 */
	blob	t32_wfi
	mov	x26, #0x1f0		// AArch32 User, T32, AIF masked
	msr	spsr_el1, x26
	adr	x26, t32_wfi_at
	msr	elr_el1, x26
	eret
	mark	t32_wfi_at
	.hword	0xbf30		// wfi
	.hword	0xdf01			// svc #1
	.hword	0xdf02			// svc #2
	.hword	0xe7fe			// b .
	endblob	t32_wfi

/* DISR_EL1 (RAS; VDISR_EL2 under HCR_EL2.AMO) written, read back. */
	blob	disr
	msr	s3_0_c12_c1_1, x1	// DISR_EL1
	mrs	x2, s3_0_c12_c1_1
	mark	disr_at
	end_hvc
	endblob	disr

/* TPIDR2_EL0 (SME) written and read back. */
	blob	tpidr2
	msr	s3_3_c13_c0_5, x1	// TPIDR2_EL0
	mrs	x2, s3_3_c13_c0_5
	mark	tpidr2_at
	end_hvc
	endblob	tpidr2
