/*
 * probe.c: the probe API's other half. zc_probe_mark (declared weak in include/zc_probe.h)
 * fingerprints the bytes a program marks on each side of its own bridge; at exit the marks
 * are paired and each pair judged from the bytes, not from the addresses alone.
 *
 * Pairing rule: a tag's key is the part before its first ':' ("frame:rust" and "frame:dart"
 * share the key "frame"; a tag without ':' is its own key). Marks with the same key pair up
 * in the order they were made: the 1st with the 2nd, the 3rd with the 4th, and so on. A mark
 * left over at the end is reported unpaired.
 *
 * Verdict of a pair (a, b):
 *   shared   same fingerprint, same address and length, no recorded copy wrote into b's
 *            bytes between the marks, and a's block was not given back in between
 *   reused_address  the same, except that a's block was freed, moved by realloc or unmapped
 *            between the marks (released_between: when): the address came back from the
 *            allocator, which proves nothing
 *   copied   same fingerprint, and b's bytes are elsewhere or a recorded copy wrote them
 *   changed  the fingerprints differ: b does not hold a's bytes (or they were modified)
 */
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "frame.h"
#include "out.h"
#include "trace.h"

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
		m->pages = zct_pages_now();
		m->tid = (int)syscall(SYS_gettid);
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

/* Writes the recorded copies between a and b that wrote into b's bytes; returns how many. */
static unsigned write_movers(struct zct_out *o, const struct zct_mark *a, const struct zct_mark *b)
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

/* When a's block was given back before b was marked (0: it was not). */
static uint64_t released_between(const struct zct_mark *a, const struct zct_mark *b)
{
	uint64_t r = atomic_load(&a->released_seq);
	return r && r < b->seq ? r : 0;
}

static const char *verdict(const struct zct_mark *a, const struct zct_mark *b, unsigned movers)
{
	if (a->fingerprint != b->fingerprint || a->bytes != b->bytes)
		return "changed";
	if (a->p != b->p || movers != 0)
		return "copied";
	/* the same address, but not the same block: malloc handed it out again */
	return released_between(a, b) ? "reused_address" : "shared";
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
	unsigned movers = write_movers(o, a, b);
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
	zct_out_fmt(o, ", \"verdict\": \"%s\"}", verdict(a, b, movers));
}

static void write_mark(struct zct_out *o, const struct zct_mark *m)
{
	zct_out_fmt(o, "{\"seq\": %llu, \"tag\": ", (unsigned long long)m->seq);
	zct_out_json_str(o, m->tag);
	zct_out_str(o, ", \"address\": ");
	zct_out_json_ptr(o, m->p);
	zct_out_fmt(o, ", \"bytes\": %llu, \"fingerprint\": \"%016llx\", \"thread\": %d}",
		    (unsigned long long)m->bytes, (unsigned long long)m->fingerprint, m->tid);
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
		for (uint64_t j = i + 1; j < n; j++) {
			if (paired[j] || !atomic_load(&zct.marks[j].ready) ||
			    !same_key(&zct.marks[i], &zct.marks[j]))
				continue;
			paired[i] = paired[j] = true;
			zct_out_str(o, first ? "\n    " : ",\n    ");
			write_pair(o, &zct.marks[i], &zct.marks[j]);
			first = false;
			break;
		}
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
	zct_out_str(o, "]},\n");
}
