/*
 * verdict.h: every judgement on what was measured, in one place: shared or copied (the verdict
 * and its evidence line), what counts as the same pages, a bimodal row, the row's flags (the
 * table's flags column and each result's "flags" in the JSON) and the exit status they give.
 * The probe (identity.c) and the timing (measure.c) only observe; the runner (runner.c) asks
 * here once per row, after every measuring process, and the table, the JSON and the report
 * read what was decided. The thresholds are the named constants below.
 */
#ifndef ZC_VERDICT_H
#define ZC_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "pagemap.h"
#include "results.h"

/*
 * Repetitions spread more than this (cv), and more than ZC_NOISY_BACKGROUND times the median
 * cv of the rows of the same run (its background: a busy machine spreads every row), make a
 * row "noisy". On a busy VM, cv above 5% alone flagged 40 of 62 rows and so said nothing; the
 * busy machine is said once instead (machine.h).
 */
#define ZC_NOISY_CV 0.05
#define ZC_NOISY_BACKGROUND 2.0
/* Process medians further apart than this factor make a row "bimodal". */
#define ZC_BIMODAL_RATIO 2.0
/* Across address spaces, this fraction of the frame's pages mapped on the same physical pages
 * proves sharing as the write-through probe does. */
#define ZC_SHARED_PAGES 0.99
/* A frame over this: less copied than that is bookkeeping (a message, a header), not the
 * frame; observed and declared copies that differ by less agree. */
#define ZC_FRAME_SLACK_DIVISOR 100
/* Pages written per transfer that hold no frame bytes, this many frames or more, are
 * "unexplained-work": work the evidence cannot tie to the frame (an encoding, a runtime's). */
#define ZC_UNEXPLAINED_FRAMES 0.5

/*
 * The row flags: X(NAME, word), in the order the table prints them. The word is the table's
 * and the JSON's ("flags": ["noisy"]); ZC_FLAG_NAME is its bit.
 *   not-timed           not timed (--benchmark_filter left it out): no other flag
 *   expected-zero-copy  meant to share the frame, but copied it
 *   undeclared-copy     the instruments saw a copy the strategy does not declare
 *   CHECKSUM            a validated frame did not match the content rendered for it
 *   noisy               the repetitions' cv is above ZC_NOISY_CV and above
 *                       ZC_NOISY_BACKGROUND x the run's median cv (time.background_cv)
 *   bimodal             the measuring processes' medians are over ZC_BIMODAL_RATIO apart
 *   unverified          zero-copy, but the evidence rests on less than full coverage
 *                       (zc_verdict_coverage): --strict fails on it unless the pass was left
 *                       out by choice or build (--no-pages, a sanitizer)
 *   unexplained-work    pages written per transfer that hold no frame bytes, of
 *                       ZC_UNEXPLAINED_FRAMES or more
 */
#define ZC_VERDICT_FLAGS(X)                                                                 \
	X(NOT_TIMED, "not-timed")                                                           \
	X(EXPECTED_ZERO_COPY, "expected-zero-copy")                                         \
	X(UNDECLARED_COPY, "undeclared-copy")                                               \
	X(CHECKSUM, "CHECKSUM")                                                             \
	X(NOISY, "noisy")                                                                   \
	X(BIMODAL, "bimodal")                                                               \
	X(UNVERIFIED, "unverified")                                                         \
	X(UNEXPLAINED_WORK, "unexplained-work")

enum zc_flag_index {
#define ZC__FLAG_INDEX(name, word) ZC_FLAG_INDEX_##name,
	ZC_VERDICT_FLAGS(ZC__FLAG_INDEX)
#undef ZC__FLAG_INDEX
	ZC_FLAG_COUNT
};

enum zc_flag {
#define ZC__FLAG_BIT(name, word) ZC_FLAG_##name = 1u << ZC_FLAG_INDEX_##name,
	ZC_VERDICT_FLAGS(ZC__FLAG_BIT)
#undef ZC__FLAG_BIT
};

/* The least copied per transfer that counts as (part of) the frame: a hundredth of it. */
double zc_verdict_frame_slack(size_t frame_bytes);

/*
 * Of the frame's pages compared (@m), the fraction the consumer's view maps on the producer's
 * physical pages. In one address space (@one_space) an anonymous page is not shared
 * copy-on-write with itself; across processes such a page is shared only until written, which
 * is not sharing a frame.
 */
double zc_verdict_same_pages(const struct zc_pagemap_match *m, bool one_space);

/*
 * The verdict, from what was observed only: zero-copy when the consumer saw the producer's
 * write (or, across address spaces, maps the same physical pages), every checksum held, the
 * view is the producer's bytes (one address space), and the instruments saw less than a
 * hundredth of a frame copied per transfer. Observed, on both sides: the copy functions and
 * realloc, the kernel's read/write-like calls, and the pages written (copies->user_, kernel_
 * and pages_bytes_per_transfer); the total goes into copies->bytes_per_transfer. What the
 * strategy declares (copies->expected_bytes_per_transfer) only feeds the evidence line when
 * the two disagree. Fills id->zero_copy, id->undeclared_copy and id->evidence.
 */
void zc_verdict_identity(struct zc_identity *id, bool expect_zero_copy,
			 struct zc_copy_result *copies, size_t frame_bytes);

/*
 * What the evidence did not cover, for a judged verdict (zc_verdict_identity first): a
 * zero-copy verdict is "unverified" (id->unverified) when the pages written were not counted
 * on a side, when a writable mapping where a copy could land was not watched (one of a
 * hundredth of a frame or more, or a stack, which grows), or when io_uring was in use (its
 * kernel copies write no page the pass sees); its evidence line then ends with what was not
 * watched. Pages written that hold no frame bytes, ZC_UNEXPLAINED_FRAMES or more per
 * transfer, set id->unexplained_work and say so too.
 */
void zc_verdict_coverage(struct zc_identity *id, const struct zc_written_result *w,
			 size_t frame_bytes);

/*
 * The background spread of a run: the median cv of @r's timed rows (0 when none), which
 * zc_verdict_flags compares each row's cv with.
 */
double zc_verdict_background_cv(const struct zc_results *r);

/* True when @cv is above ZC_NOISY_CV and above ZC_NOISY_BACKGROUND x @background. */
bool zc_verdict_noisy(double cv, double background);

/* Sets t->bimodal from its process medians (ZC_BIMODAL_RATIO). */
void zc_verdict_modes(struct zc_timing *t);

/*
 * Judges row @res once every measuring process has added to it and its
 * copies.pages_bytes_per_transfer is set: time.bimodal, the identity verdict
 * (zc_verdict_identity), what its evidence did not cover (zc_verdict_coverage) and
 * res->flags.
 */
void zc_verdict_row(struct zc_result *res, size_t frame_bytes);

/* The ZC_FLAG_* bits of a judged row (its identity verdict and t->bimodal already set). */
unsigned zc_verdict_flags(const struct zc_result *res);

/* The word of flag @index (< ZC_FLAG_COUNT): "noisy". */
const char *zc_verdict_flag_word(enum zc_flag_index index);

/* The words of @flags, space-separated, into buf ("" when none). */
void zc_verdict_flags_format(unsigned flags, char *buf, size_t len);

/*
 * What a judged row makes of the run's exit status: ZC_EXIT_RUNTIME when its checksum failed;
 * with @strict, ZC_EXIT_FAILED when it was expected to be zero-copy and copied, the
 * instruments saw a copy it does not declare, or it is zero-copy unverified while the
 * evidence pass ran (not left out by --no-pages or a sanitizer build); else ZC_EXIT_OK. A run takes the worst of its
 * rows', ZC_EXIT_RUNTIME before ZC_EXIT_FAILED (zc_verdict_worse).
 */
int zc_verdict_exit(const struct zc_result *res, bool strict);

/* The worse of two exit statuses zc_verdict_exit returned. */
int zc_verdict_worse(int a, int b);

#endif
