/*
 * probe.c: the probe API's other half. zc_probe_mark (declared weak in include/zc_probe.h)
 * fingerprints the bytes a program marks on each side of its own bridge; at exit the marks
 * are paired and each pair judged from the bytes, not from the addresses alone.
 *
 * Pairing rule: a tag's key is the part before its first ':' ("frame:rust" and "frame:dart"
 * share the key "frame"; a tag without ':' is its own key). In the order marks were made, a
 * mark pairs with the next one of its key that has another tag (the other side of the
 * bridge), or, when none has, with the next one of its key: "frame:rust", "frame:dart",
 * "frame:rust", "frame:dart" are two pairs, and so are "a:x", "a:x", "a:y", "a:y". A mark left
 * over at the end is reported unpaired. These are the process's own pairs; the wrapper pairs
 * the marks of every process of a run by the same rule (pairs.c), which is how a mark left
 * unpaired here finds its other half in another process.
 *
 * Verdict of a pair (a, b), judge.h:
 *   shared   same fingerprint, same address and length, no recorded copy or kernel read
 *            wrote into b's bytes between the marks, and a's block was not given back
 *   reused_address  the same, except that a's block was freed, moved by realloc or unmapped
 *            between the marks (released_between: when): the address came back from the
 *            allocator, which proves nothing
 *   copied   same fingerprint, and b's bytes are elsewhere or a recorded copy or kernel read
 *            wrote them
 *   changed  the fingerprints differ: b does not hold a's bytes (or they were modified)
 *
 * Each mark also keeps what the wrapper needs to judge it against a mark of another
 * process: its time on the monotonic clock and, as root, a digest of the physical frames
 * under it (src/instrument/pagemap.h).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "frame.h"
#include "out.h"
#include "pagemap.h"
#include "trace.h"
#include "judge.h"

/* Whether pagemap gives frame numbers here: 0 not asked yet, 1 yes, -1 no (why: below). */
static _Atomic int frames_state;
static char frames_why[200];

const char *zct_frames_unavailable(void)
{
	return frames_why[0] ? frames_why : "not read";
}

/* Asks once per process; ZCTRACE_PAGEMAP=0 says no (a test of the unprivileged case). */
static bool frames_readable(void)
{
	int state = atomic_load(&frames_state);
	if (state)
		return state > 0;
	struct zc_error err = {0};
	const char *env = getenv("ZCTRACE_PAGEMAP");
	if (env && !strcmp(env, "0"))
		snprintf(frames_why, sizeof(frames_why), "turned off (ZCTRACE_PAGEMAP=0)");
	else if (zc_pagemap_probe(&err) != 0)
		snprintf(frames_why, sizeof(frames_why), "%s", err.text);
	atomic_store(&frames_state, frames_why[0] ? -1 : 1);
	return !frames_why[0];
}

void zct_frames_of(const void *p, size_t n, struct zct_frames *f)
{
	struct zc_pagemap_digest d;
	struct zc_error err = {0};
	*f = (struct zct_frames){0};
	if (!p || !n || !frames_readable())
		return;
	if (zc_pagemap_digest(0, p, n, &d, &err) != 0)
		return;
	*f = (struct zct_frames){.known = true, .pages = d.pages, .present = d.present,
				 .unproven = d.unproven, .hash = d.hash};
}

void zc_probe_mark(const char *tag, const void *p, size_t n)
	__attribute__((visibility("default")));

void zc_probe_mark(const char *tag, const void *p, size_t n)
{
	bool was_busy = zct_busy();
	zct_set_busy(true);
	uint64_t i = atomic_fetch_add(&zct.totals.nmarks, 1);
	if (i < ZCT_MAX_MARKS) {
		struct zct_mark *m = &zct.marks[i];
		atomic_store_explicit(&m->ready, false, memory_order_relaxed);
		snprintf(m->tag, sizeof(m->tag), "%s", tag ? tag : "");
		m->p = p;
		m->bytes = n;
		atomic_store_explicit(&m->released_seq, 0, memory_order_relaxed);
		m->fingerprint = p ? zc_frame_checksum(p, n) : 0;
		zct_frames_of(p, n, &m->frames); /* after the fingerprint: every page is mapped */
		m->pages = zct_pages_now();
		zct_content_mark((uint32_t)i, m); /* after the count: its reads write no page */
		m->tid = (int)syscall(SYS_gettid);
		m->ns = zct_now_ns();
		/* the sequence number is taken after fingerprinting: copies made before it precede */
		m->seq = atomic_fetch_add(&zct.seq, 1);
		atomic_store_explicit(&m->ready, true, memory_order_release);
	}
	zct_set_busy(was_busy);
}

/*
 * The block at p (bytes long; 0: its usable size) is given back: every mark made before
 * inside it records when, once. Marks are few: with none, this is one load.
 */
void zc__trace_release(const char *how, const void *p, size_t bytes)
{
	uint64_t n = atomic_load_explicit(&zct.totals.nmarks, memory_order_relaxed);
	if (n == 0 || !p || zct_busy())
		return;
	n = n < ZCT_MAX_MARKS ? n : ZCT_MAX_MARKS;
	const char *lo = p, *hi = lo + (bytes ? bytes : malloc_usable_size((void *)p));
	uint64_t seq = 0;
	for (uint64_t i = 0; i < n; i++) {
		struct zct_mark *m = &zct.marks[i];
		const char *at = m->p;
		if (!atomic_load_explicit(&m->ready, memory_order_acquire) || !at || at < lo ||
		    at >= hi || atomic_load_explicit(&m->released_seq, memory_order_relaxed))
			continue;
		if (!seq)
			seq = atomic_fetch_add(&zct.seq, 1);
		atomic_store_explicit(&m->released_by, how, memory_order_relaxed);
		atomic_store_explicit(&m->released_seq, seq, memory_order_relaxed);
	}
}

static size_t key_len(const char *tag)
{
	return strcspn(tag, ":");
}

static bool same_key(const struct zct_mark *a, const struct zct_mark *b)
{
	size_t n = key_len(a->tag);
	return n == key_len(b->tag) && strncmp(a->tag, b->tag, n) == 0;
}

static bool overlaps(const void *p, size_t n, const void *q, size_t m)
{
	const char *a = p, *b = q;
	return n && m && a < b + m && b < a + n;
}

/* The bytes [p, p + n) and [q, q + m) have in common. */
static size_t overlap(uintptr_t p, size_t n, uintptr_t q, size_t m)
{
	uintptr_t lo = p > q ? p : q, hi = p + n < q + m ? p + n : q + m;
	return hi > lo ? hi - lo : 0;
}

/* Writes the recorded copies between a and b that wrote into b's bytes; returns how many. */
static unsigned write_copies(struct zct_out *o, const struct zct_mark *a,
			     const struct zct_mark *b)
{
	unsigned found = 0;
	char who[512];
	uint64_t n = atomic_load(&zct.totals.ncopies);
	n = n < ZCT_MAX_COPIES ? n : ZCT_MAX_COPIES;
	for (uint64_t i = 0; i < n; i++) {
		const struct zct_event *e = &zct.copies[i];
		if (!atomic_load(&e->ready) || e->seq < a->seq || e->seq > b->seq ||
		    !overlaps(e->dst, e->bytes, b->p, b->bytes))
			continue;
		zct_out_str(o, found++ ? ", " : "");
		zct_out_fmt(o, "{\"seq\": %llu, \"function\": \"%s\", \"bytes\": %llu, \"caller\": ",
			    (unsigned long long)e->seq, zc__hook_fn_name(e->fn),
			    (unsigned long long)e->bytes);
		zct_out_json_str(o, zct_event_caller(e, who, sizeof(who)));
		zct_out_fmt(o, ", \"from_first_mark\": %s}",
			    overlaps(e->src, e->bytes, a->p, a->bytes) ? "true" : "false");
	}
	return found;
}

/* Writes the kernel's reads into b's bytes made between a and b; returns how many. */
static unsigned write_kernel_movers(struct zct_out *o, const struct zct_mark *a,
				    const struct zct_mark *b, bool comma)
{
	unsigned found = 0;
	char who[512];
	uint64_t n = atomic_load(&zct.totals.nkreads);
	n = n < ZCT_MAX_KREADS ? n : ZCT_MAX_KREADS;
	for (uint64_t i = 0; i < n; i++) {
		const struct zct_kread *r = &zct.kreads[i];
		size_t common = overlap(r->start, r->end - r->start, (uintptr_t)b->p, b->bytes);
		if (!atomic_load(&r->ready) || !common || r->last_seq < a->seq ||
		    r->first_seq > b->seq)
			continue;
		zct_out_str(o, comma || found++ ? ", " : "");
		zct_out_fmt(o, "{\"seq\": %llu, \"function\": \"%s\", \"bytes\": %llu, \"caller\": ",
			    (unsigned long long)r->last_seq, r->fn, (unsigned long long)common);
		zct_out_json_str(o, zct_caller_name(r->caller, who, sizeof(who)));
		zct_out_fmt(o, ", \"kernel\": \"%s\", \"from_first_mark\": false}",
			    zct_fd_kind_name(r->kind));
	}
	return found;
}

/*
 * Writes the bytes of a found by content at b and not already at a, per mapping (content.c):
 * copies written between the marks that no hook saw. Returns their sum.
 */
static uint64_t write_content_copies(struct zct_out *o, const struct zct_mark *a,
				     const struct zct_mark *b)
{
	uint32_t ia = (uint32_t)(a - zct.marks);
	uint64_t sum = 0;
	bool comma = false;
	for (unsigned i = 0; i < b->nfound; i++) {
		const struct zct_found *f = &b->found[i];
		uint64_t before = 0;
		if (f->of != ia)
			continue;
		for (unsigned j = 0; j < a->nfound; j++)
			if (a->found[j].of == ia && !strcmp(a->found[j].mapping, f->mapping))
				before = a->found[j].bytes;
		if (f->bytes <= before)
			continue;
		zct_out_str(o, comma ? ", {\"mapping\": " : "{\"mapping\": ");
		zct_out_json_str(o, f->mapping);
		zct_out_fmt(o, ", \"bytes\": %llu}", (unsigned long long)(f->bytes - before));
		sum += f->bytes - before;
		comma = true;
	}
	return sum;
}

/* When a's block was given back before b was marked (0: it was not). */
static uint64_t released_between(const struct zct_mark *a, const struct zct_mark *b)
{
	uint64_t r = atomic_load(&a->released_seq);
	return r && r < b->seq ? r : 0;
}

static void write_pair(struct zct_out *o, const struct zct_mark *a, const struct zct_mark *b)
{
	zct_out_str(o, "{\"first\": ");
	zct_out_json_str(o, a->tag);
	zct_out_str(o, ", \"second\": ");
	zct_out_json_str(o, b->tag);
	zct_out_str(o, ", \"first_address\": ");
	zct_out_json_ptr(o, a->p);
	zct_out_str(o, ", \"second_address\": ");
	zct_out_json_ptr(o, b->p);
	zct_out_fmt(o, ", \"bytes\": %llu, \"same_address\": %s, \"same_bytes\": %s, "
		       "\"copies\": [",
		    (unsigned long long)b->bytes, a->p == b->p ? "true" : "false",
		    a->fingerprint == b->fingerprint && a->bytes == b->bytes ? "true" : "false");
	unsigned movers = write_copies(o, a, b);
	movers += write_kernel_movers(o, a, b, movers > 0);
	zct_out_str(o, "], \"pages_written_between\": ");
	if (a->pages >= 0 && b->pages >= 0)
		zct_out_fmt(o, "%ld", b->pages - a->pages);
	else
		zct_out_str(o, "null");
	zct_out_str(o, ", \"released_between\": ");
	if (released_between(a, b))
		zct_out_fmt(o, "{\"seq\": %llu, \"by\": \"%s\"}",
			    (unsigned long long)released_between(a, b), atomic_load(&a->released_by));
	else
		zct_out_str(o, "null");
	zct_out_str(o, ", \"content_copies\": [");
	uint64_t content = write_content_copies(o, a, b);
	zct_out_str(o, "]");
	struct zct_pair_facts facts = {
		.same_bytes = a->fingerprint == b->fingerprint && a->bytes == b->bytes,
		.same_process = true, .same_address = a->p == b->p,
		.released = released_between(a, b) != 0,
		.movers = movers + (content && content >= b->bytes / 100)};
	zct_out_fmt(o, ", \"verdict\": \"%s\"}", zct_verdict_name(zct_judge(&facts)));
}

static void write_mark(struct zct_out *o, const struct zct_mark *m)
{
	const struct zct_frames *f = &m->frames;
	uint64_t released = atomic_load(&m->released_seq);
	zct_out_fmt(o, "{\"seq\": %llu, \"tag\": ", (unsigned long long)m->seq);
	zct_out_json_str(o, m->tag);
	zct_out_str(o, ", \"address\": ");
	zct_out_json_ptr(o, m->p);
	zct_out_fmt(o, ", \"bytes\": %llu, \"fingerprint\": \"%016llx\", \"thread\": %d, "
		       "\"time_ns\": %llu, \"released\": ",
		    (unsigned long long)m->bytes, (unsigned long long)m->fingerprint, m->tid,
		    (unsigned long long)m->ns);
	if (released)
		zct_out_fmt(o, "{\"seq\": %llu, \"by\": \"%s\"}", (unsigned long long)released,
			    atomic_load(&m->released_by));
	else
		zct_out_str(o, "null");
	zct_out_str(o, ", \"pages_written\": ");
	if (m->pages >= 0)
		zct_out_fmt(o, "%ld", m->pages);
	else
		zct_out_str(o, "null");
	zct_out_str(o, ", \"content\": ");
	zct_out_json_str(o, zct_content_state(m));
	zct_out_str(o, ", \"content_found\": [");
	for (unsigned i = 0; i < m->nfound; i++) {
		zct_out_fmt(o, "%s{\"of\": %llu, \"mapping\": ", i ? ", " : "",
			    (unsigned long long)zct.marks[m->found[i].of].seq);
		zct_out_json_str(o, m->found[i].mapping);
		zct_out_fmt(o, ", \"bytes\": %llu}", (unsigned long long)m->found[i].bytes);
	}
	zct_out_str(o, "]");
	zct_out_str(o, ", \"frames\": ");
	if (f->known)
		zct_out_fmt(o, "{\"pages\": %zu, \"present\": %zu, \"unproven\": %zu, "
			       "\"hash\": \"%016llx\"}",
			    f->pages, f->present, f->unproven, (unsigned long long)f->hash);
	else
		zct_out_str(o, "null");
	zct_out_str(o, "}");
}

/* The mark that marks[i] pairs with (the pairing rule above); -1 when there is none. */
static long partner(const bool *paired, uint64_t n, uint64_t i)
{
	const struct zct_mark *a = &zct.marks[i];
	long same_tag = -1;
	for (uint64_t j = i + 1; j < n; j++) {
		const struct zct_mark *b = &zct.marks[j];
		if (paired[j] || !atomic_load(&b->ready) || !same_key(a, b))
			continue;
		if (strcmp(a->tag, b->tag) != 0)
			return (long)j;
		if (same_tag < 0)
			same_tag = (long)j;
	}
	return same_tag;
}

void zct_write_probes(struct zct_out *o)
{
	static bool paired[ZCT_MAX_MARKS];
	uint64_t n = atomic_load(&zct.totals.nmarks);
	n = n < ZCT_MAX_MARKS ? n : ZCT_MAX_MARKS;
	memset(paired, 0, sizeof(paired));
	zct_out_str(o, "  \"probes\": {\"marks\": [");
	for (uint64_t i = 0; i < n; i++) {
		zct_out_str(o, i ? ",\n    " : "\n    ");
		write_mark(o, &zct.marks[i]);
	}
	zct_out_str(o, n ? "\n  ], \"pairs\": [" : "], \"pairs\": [");
	bool first = true;
	for (uint64_t i = 0; i < n; i++) {
		if (paired[i] || !atomic_load(&zct.marks[i].ready))
			continue;
		long j = partner(paired, n, i);
		if (j < 0)
			continue;
		paired[i] = paired[j] = true;
		zct_out_str(o, first ? "\n    " : ",\n    ");
		write_pair(o, &zct.marks[i], &zct.marks[j]);
		first = false;
	}
	zct_out_str(o, first ? "], \"unpaired\": [" : "\n  ], \"unpaired\": [");
	first = true;
	for (uint64_t i = 0; i < n; i++) {
		if (paired[i])
			continue;
		zct_out_str(o, first ? "" : ", ");
		zct_out_json_str(o, zct.marks[i].tag);
		first = false;
	}
	zct_out_str(o, "], \"frames_unavailable\": ");
	if (atomic_load(&frames_state) < 0)
		zct_out_json_str(o, zct_frames_unavailable());
	else
		zct_out_str(o, "null");
	zct_out_str(o, "},\n");
}
