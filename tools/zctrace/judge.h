/*
 * judge.h: how a probe pair is judged, written once for the tracer (probe.c: the pairs of
 * one process, in its record) and the wrapper (pairs.c: the pairs of a whole run, across its
 * processes). Each gathers the facts its own way (memory, or the records) and asks zct_judge.
 */
#ifndef ZC_TRACE_JUDGE_H
#define ZC_TRACE_JUDGE_H

#include <stdbool.h>
#include <stdint.h>

/* X(ID, name): the verdicts and the words the record, the summary and --expect use. */
#define ZCT_VERDICTS(X)                                                                   \
	X(SHARED, "shared")                                                               \
	X(REUSED_ADDRESS, "reused_address")                                               \
	X(COPIED, "copied")                                                               \
	X(CHANGED, "changed")                                                             \
	X(UNDECIDED, "undecided")

enum zct_verdict {
#define ZCT_VERDICT_ENUM(id, name) ZCT_##id,
	ZCT_VERDICTS(ZCT_VERDICT_ENUM)
#undef ZCT_VERDICT_ENUM
	ZCT_VERDICT_COUNT
};

static inline const char *zct_verdict_name(enum zct_verdict v)
{
	static const char *const names[] = {
#define ZCT_VERDICT_NAME(id, name) name,
		ZCT_VERDICTS(ZCT_VERDICT_NAME)
#undef ZCT_VERDICT_NAME
	};
	return (unsigned)v < ZCT_VERDICT_COUNT ? names[v] : "?";
}

/* What is known of a pair (first mark a, second mark b). */
struct zct_pair_facts {
	bool same_bytes;      /* same fingerprint and length */
	bool same_process;
	bool same_address;    /* one process: b is at a's address */
	bool released;        /* one process: a's block was given back between the marks */
	unsigned movers;      /* recorded copies and kernel reads that wrote into b's bytes
				 between the marks */
	bool frames_known;    /* two processes: both marks' physical frames were read */
	bool same_frames;     /* and b's bytes sit on a's frames, every page present */
	bool frames_unproven; /* and some of them are the zero page or KSM-merged */
};

/*
 * One process: changed (other bytes), copied (elsewhere, or a copy wrote b), reused_address
 * (the address came back from the allocator), shared. Two processes: changed; with the
 * frames read, shared on the same frames and copied on others (undecided when the same
 * frames prove nothing); without them copied when a copy was seen writing b, else undecided:
 * shared is never claimed without the physical pages.
 */
static inline enum zct_verdict zct_judge(const struct zct_pair_facts *f)
{
	if (!f->same_bytes)
		return ZCT_CHANGED;
	if (f->same_process) {
		if (!f->same_address || f->movers)
			return ZCT_COPIED;
		return f->released ? ZCT_REUSED_ADDRESS : ZCT_SHARED;
	}
	if (f->frames_known) {
		if (!f->same_frames)
			return ZCT_COPIED;
		return f->frames_unproven ? ZCT_UNDECIDED : ZCT_SHARED;
	}
	return f->movers ? ZCT_COPIED : ZCT_UNDECIDED;
}

#endif
