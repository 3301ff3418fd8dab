/*
 * pairs.c: the probe pairs of a whole run, made by the wrapper from the records once the
 * command has exited.
 *
 * Pairing: every mark of every process, in the order they were made (their CLOCK_MONOTONIC
 * time, one clock for the machine). A mark pairs with a later one of its label (a tag's part
 * before its first ':') that has another tag, the other side of the bridge; when none has,
 * with a later one of its label. Of those, the first in its own process, else the first:
 * tests running in parallel processes that each mark both sides pair within each process,
 * and a frame streamed from a parent to a child pairs each parent mark with the child's
 * next. In a one-process command these are the process's own pairs (probe.c), judged the
 * same way.
 *
 * Judging (judge.h), from what the records hold:
 *   - the fingerprints: other bytes are "changed";
 *   - two marks of one process: the addresses, the first block's release, and the recorded
 *     copies and kernel reads that wrote the second mark's bytes between the two marks;
 *   - two processes: the physical frames under each mark when it was made (as root): the
 *     same frames are "shared", others "copied"; without them, a copy or kernel read seen
 *     writing the second mark's bytes in its process after the first mark (by the clock)
 *     and after that process's previous mark of the label makes the pair "copied", and
 *     nothing makes it "undecided": shared is never claimed without frames.
 * A pair's "copied_bytes" is what those copies wrote into the second mark's bytes; when the
 * pair is copied and none was seen (a loop, an inlined copy), the pair's bytes, "unseen".
 */
#include "pairs.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "judge.h"

/* A pair's lines in the summary; the rest are in the record. */
#define PRINTED_PAIRS 20

/* One mark of one process's record. */
struct mark {
	json_t *m;
	const struct zct_record *rec;
	const char *tag;
	uint64_t ns, seq, address, bytes;
	bool paired;
};

static uint64_t uint_of(json_t *o, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(o, key));
}

static uint64_t address_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? strtoull(s, NULL, 16) : 0;
}

static size_t key_len(const char *tag)
{
	return strcspn(tag, ":");
}

static bool same_label(const struct mark *a, const struct mark *b)
{
	size_t n = key_len(a->tag);
	return n == key_len(b->tag) && strncmp(a->tag, b->tag, n) == 0;
}

static uint64_t overlap(uint64_t p, uint64_t n, uint64_t q, uint64_t m)
{
	uint64_t lo = p > q ? p : q, hi = p + n < q + m ? p + n : q + m;
	return hi > lo ? hi - lo : 0;
}

static int by_time(const void *x, const void *y)
{
	const struct mark *a = x, *b = y;
	if (a->ns != b->ns)
		return a->ns < b->ns ? -1 : 1;
	if (a->rec->pid != b->rec->pid)
		return a->rec->pid < b->rec->pid ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Every mark of every record, in the order they were made; *n gets how many. */
static struct mark *gather(const struct zct_tree *t, size_t *n)
{
	size_t cap = 0, k = 0, i;
	json_t *m;
	for (size_t r = 0; r < t->n; r++)
		cap += json_array_size(json_object_get(json_object_get(t->r[r].doc, "probes"), "marks"));
	struct mark *all = calloc(cap ? cap : 1, sizeof(*all));
	if (!all)
		return NULL;
	for (size_t r = 0; r < t->n; r++)
		json_array_foreach(json_object_get(json_object_get(t->r[r].doc, "probes"), "marks"), i, m)
			all[k++] = (struct mark){.m = m, .rec = &t->r[r],
				.tag = json_string_value(json_object_get(m, "tag")),
				.ns = uint_of(m, "time_ns"), .seq = uint_of(m, "seq"),
				.address = address_of(m, "address"), .bytes = uint_of(m, "bytes")};
	for (i = 0; i < k; i++)
		all[i].tag = all[i].tag ? all[i].tag : "";
	qsort(all, k, sizeof(*all), by_time);
	*n = k;
	return all;
}

/*
 * The seq of the last mark of b's label that b's process made before b (0: none). In
 * another process than a's, what came before it went into that mark's pair, not b's.
 */
static uint64_t previous_of_label(const struct mark *b)
{
	uint64_t prev = 0;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(json_object_get(b->rec->doc, "probes"), "marks"), i, m) {
		const char *tag = json_string_value(json_object_get(m, "tag"));
		uint64_t seq = uint_of(m, "seq");
		if (tag && seq < b->seq && seq >= prev && key_len(tag) == key_len(b->tag) &&
		    !strncmp(tag, b->tag, key_len(tag)))
			prev = seq;
	}
	return prev;
}

/*
 * True when events of b's process from first_seq to last_seq (the last at last_ns) fall
 * between the marks a and b: by seq in one process; in two, after a by the clock, after b's
 * process's previous mark of the label (floor) and before b.
 */
static bool between(const struct mark *a, const struct mark *b, uint64_t floor,
		    uint64_t first_seq, uint64_t last_seq, uint64_t last_ns)
{
	if (first_seq > b->seq)
		return false;
	if (a->rec == b->rec)
		return last_seq >= a->seq;
	return last_ns >= a->ns && first_seq > floor;
}

static json_t *mover(const struct mark *b, json_t *what, uint64_t bytes, const char *kernel)
{
	json_t *j = json_pack("{s:I, s:O, s:I, s:O, s:I}", "pid", (json_int_t)b->rec->pid,
			      "function", json_object_get(what, "function"), "bytes",
			      (json_int_t)bytes, "caller", json_object_get(what, "caller"), "calls",
			      (json_int_t)(kernel ? uint_of(what, "calls") : 1));
	if (j)
		json_object_set_new(j, "kernel", kernel ? json_string(kernel) : json_null());
	return j;
}

/* The recorded copies and kernel reads that wrote b's bytes between a and b, into movers. */
static void find_movers(const struct mark *a, const struct mark *b, json_t *movers)
{
	size_t i;
	json_t *c;
	uint64_t floor = a->rec == b->rec ? 0 : previous_of_label(b);
	json_array_foreach(json_object_get(b->rec->doc, "copies"), i, c) {
		uint64_t seq = uint_of(c, "seq"), bytes = overlap(address_of(c, "dst"),
			uint_of(c, "bytes"), b->address, b->bytes);
		if (bytes && between(a, b, floor, seq, seq, uint_of(c, "time_ns")))
			json_array_append_new(movers, mover(b, c, bytes, NULL));
	}
	json_array_foreach(json_object_get(b->rec->doc, "kernel_reads"), i, c) {
		uint64_t bytes = overlap(address_of(c, "address"), uint_of(c, "span"), b->address,
					 b->bytes);
		if (bytes && between(a, b, floor, uint_of(c, "first_seq"), uint_of(c, "last_seq"),
				     uint_of(c, "last_ns")))
			json_array_append_new(movers, mover(b, c, bytes, json_string_value(
				json_object_get(c, "descriptor"))));
	}
}

static bool released_between(const struct mark *a, const struct mark *b)
{
	json_t *r = json_object_get(a->m, "released");
	return a->rec == b->rec && json_is_object(r) && uint_of(r, "seq") < b->seq;
}

/* The physical frames of a and b (two processes) into f; false when either is unknown. */
static bool judge_frames(const struct mark *a, const struct mark *b, struct zct_pair_facts *f)
{
	json_t *fa = json_object_get(a->m, "frames"), *fb = json_object_get(b->m, "frames");
	if (!json_is_object(fa) || !json_is_object(fb))
		return false;
	const char *ha = json_string_value(json_object_get(fa, "hash"));
	const char *hb = json_string_value(json_object_get(fb, "hash"));
	f->frames_known = true;
	f->same_frames = ha && hb && !strcmp(ha, hb) && uint_of(fa, "pages") == uint_of(fb, "pages") &&
			 uint_of(fa, "present") == uint_of(fa, "pages") &&
			 uint_of(fb, "present") == uint_of(fb, "pages");
	f->frames_unproven = uint_of(fa, "unproven") || uint_of(fb, "unproven");
	return true;
}

/* Why the frames of a or b are unknown, from their records. */
static const char *frames_why(const struct mark *a, const struct mark *b)
{
	const struct mark *m[] = {a, b};
	for (int i = 0; i < 2; i++) {
		json_t *probes = json_object_get(m[i]->rec->doc, "probes");
		const char *why = json_string_value(json_object_get(probes, "frames_unavailable"));
		if (!json_is_object(json_object_get(m[i]->m, "frames")) && why)
			return why;
	}
	return "not read";
}

/* The proof of a verdict, in words: what the judgement rests on. */
static void proof(const struct mark *a, const struct mark *b, const struct zct_pair_facts *f,
		  enum zct_verdict v, char *buf, size_t len)
{
	json_t *fb = json_object_get(b->m, "frames");
	char n[32];
	if (v == ZCT_CHANGED)
		snprintf(buf, len, "the second mark's bytes differ from the first's");
	else if (f->same_process && v == ZCT_REUSED_ADDRESS)
		snprintf(buf, len, "the same address, but the first mark's block was given back "
				   "between the marks (%s)",
			 json_string_value(json_object_get(json_object_get(a->m, "released"), "by")));
	else if (f->same_process && v == ZCT_SHARED)
		snprintf(buf, len, "the same address, and no copy wrote it between the marks");
	else if (f->same_process)
		snprintf(buf, len, f->movers ? "a copy wrote the second mark's bytes"
					     : "the bytes are at another address");
	else if (f->frames_known && v == ZCT_SHARED)
		snprintf(buf, len, "physical pages: %s of %s on the same frames",
			 zct_thousands(uint_of(fb, "pages"), n, sizeof(n)), n);
	else if (f->frames_known)
		snprintf(buf, len, v == ZCT_COPIED
			 ? "physical pages: the second mark's bytes are on other frames"
			 : "the same frames, but the zero page or KSM-merged ones: no proof");
	else
		snprintf(buf, len, "physical pages not read (%s): %s", frames_why(a, b),
			 v == ZCT_COPIED ? "a copy wrote the second mark's bytes"
					 : "sharing cannot be proved, and no copy was seen");
}

static json_t *side(const struct mark *m)
{
	return json_pack("{s:s, s:I, s:O, s:I, s:I}", "tag", m->tag, "pid", (json_int_t)m->rec->pid,
			 "address", json_object_get(m->m, "address"), "seq", (json_int_t)m->seq,
			 "time_ns", (json_int_t)m->ns);
}

static uint64_t movers_bytes(json_t *movers)
{
	uint64_t sum = 0;
	size_t i;
	json_t *m;
	json_array_foreach(movers, i, m)
		sum += uint_of(m, "bytes");
	return sum;
}

/* What the pair says of its copies: copied_bytes (null: undecided), unseen, pages. */
static void add_copied(json_t *p, const struct mark *a, const struct mark *b, enum zct_verdict v,
		       json_t *movers)
{
	uint64_t seen = movers_bytes(movers);
	bool unseen = v == ZCT_COPIED && seen == 0;
	json_t *pa = json_object_get(a->m, "pages_written");
	json_t *pb = json_object_get(b->m, "pages_written");
	json_object_set_new(p, "copied_bytes", v == ZCT_UNDECIDED ? json_null()
				: json_integer((json_int_t)(unseen ? b->bytes : seen)));
	json_object_set_new(p, "unseen_copy", json_boolean(unseen));
	json_object_set_new(p, "copies", movers);
	json_object_set_new(p, "pages_written_between",
			    a->rec == b->rec && json_is_integer(pa) && json_is_integer(pb)
				    ? json_integer(json_integer_value(pb) - json_integer_value(pa))
				    : json_null());
}

/* The bytes of m's finds by content that are a's, in mapping (none: 0). */
static uint64_t found_of(const struct mark *m, const struct mark *a, const char *mapping)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(m->m, "content_found"), i, f) {
		const char *name = json_string_value(json_object_get(f, "mapping"));
		if (uint_of(f, "of") == a->seq && name && !strcmp(name, mapping))
			return uint_of(f, "bytes");
	}
	return 0;
}

/*
 * One process: a's bytes found by content (content.c) at b and not yet at a, per mapping,
 * into copies; returns their sum. Two processes: none (a's blocks are in a's table only).
 */
static uint64_t find_content_copies(const struct mark *a, const struct mark *b, json_t *copies)
{
	size_t i;
	json_t *f;
	uint64_t sum = 0;
	if (a->rec != b->rec)
		return 0;
	json_array_foreach(json_object_get(b->m, "content_found"), i, f) {
		const char *mapping = json_string_value(json_object_get(f, "mapping"));
		if (!mapping || uint_of(f, "of") != a->seq)
			continue;
		uint64_t at_b = uint_of(f, "bytes"), at_a = found_of(a, a, mapping);
		if (at_b <= at_a)
			continue;
		json_array_append_new(copies, json_pack("{s:s, s:I}", "mapping", mapping, "bytes",
							(json_int_t)(at_b - at_a)));
		sum += at_b - at_a;
	}
	return sum;
}

static json_t *judge(const struct mark *a, const struct mark *b)
{
	json_t *movers = json_array();
	char why[400];
	struct zct_pair_facts f = {
		.same_bytes = json_equal(json_object_get(a->m, "fingerprint"),
					 json_object_get(b->m, "fingerprint")) && a->bytes == b->bytes,
		.same_process = a->rec == b->rec, .same_address = a->address == b->address,
		.released = released_between(a, b)};
	json_t *content = json_array();
	find_movers(a, b, movers);
	uint64_t found = find_content_copies(a, b, content);
	f.movers = (unsigned)json_array_size(movers) + (found && found >= b->bytes / 100);
	if (!f.same_process)
		judge_frames(a, b, &f);
	enum zct_verdict v = zct_judge(&f);
	proof(a, b, &f, v, why, sizeof(why));
	if (v == ZCT_COPIED && f.same_address && !json_array_size(movers) && found)
		snprintf(why, sizeof(why), "its bytes were found by content in pages written "
					   "between the marks");
	json_t *p = json_pack("{s:s%, s:o, s:o, s:I, s:b, s:b, s:s, s:s}", "label", a->tag,
			      key_len(a->tag), "first", side(a), "second", side(b), "bytes",
			      (json_int_t)b->bytes, "same_process", f.same_process, "same_bytes",
			      f.same_bytes, "verdict", zct_verdict_name(v), "proof", why);
	if (p) {
		add_copied(p, a, b, v, movers);
		json_object_set_new(p, "content_copies", content);
	} else {
		json_decref(movers);
		json_decref(content);
	}
	return p;
}

/* The mark all[i] pairs with (the pairing rule above); -1 when there is none. */
static long partner(const struct mark *all, size_t n, size_t i)
{
	long first[2][2] = {{-1, -1}, {-1, -1}}; /* [another tag][own process] */
	for (size_t j = i + 1; j < n; j++) {
		if (all[j].paired || !same_label(&all[i], &all[j]))
			continue;
		long *slot = &first[strcmp(all[i].tag, all[j].tag) != 0][all[i].rec == all[j].rec];
		if (*slot < 0)
			*slot = (long)j;
	}
	for (int other = 1; other >= 0; other--) {
		if (first[other][1] >= 0)
			return first[other][1];
		if (first[other][0] >= 0)
			return first[other][0];
	}
	return -1;
}

/* Pairs the marks of all (n, in time order) label by label, into pairs and unpaired. */
static void pair_up(struct mark *all, size_t n, json_t *pairs, json_t *unpaired)
{
	for (size_t i = 0; i < n; i++) {
		if (all[i].paired)
			continue;
		long j = partner(all, n, i);
		if (j < 0)
			continue;
		all[i].paired = all[j].paired = true;
		json_array_append_new(pairs, judge(&all[i], &all[j]));
	}
	for (size_t i = 0; i < n; i++)
		if (!all[i].paired)
			json_array_append_new(unpaired, side(&all[i]));
}

json_t *zct_pairs_make(const struct zct_tree *t)
{
	size_t n = 0;
	struct mark *all = gather(t, &n);
	json_t *pairs = json_array(), *unpaired = json_array();
	if (!all || !pairs || !unpaired) {
		free(all);
		json_decref(pairs);
		json_decref(unpaired);
		return NULL;
	}
	pair_up(all, n, pairs, unpaired);
	free(all);
	return json_pack("{s:o, s:o}", "pairs", pairs, "unpaired", unpaired);
}

const char *zct_pair_between(json_t *pair, char *buf, size_t len)
{
	json_t *a = json_object_get(pair, "first"), *b = json_object_get(pair, "second");
	snprintf(buf, len, "%s [pid %lld] and %s [pid %lld]",
		 json_string_value(json_object_get(a, "tag")),
		 (long long)json_integer_value(json_object_get(a, "pid")),
		 json_string_value(json_object_get(b, "tag")),
		 (long long)json_integer_value(json_object_get(b, "pid")));
	return buf;
}

/* printf at *at into buf (len bytes), *at moved past what was written; cut when it is full. */
static void __attribute__((format(printf, 4, 5)))
appendf(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	if (*at + 1 >= len)
		return;
	va_start(ap, fmt);
	int w = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (w > 0)
		*at += (size_t)w < len - *at ? (size_t)w : len - *at - 1;
}

const char *zct_pair_by(json_t *pair, char *buf, size_t len)
{
	json_t *movers = json_object_get(pair, "copies"), *m, *top = NULL;
	size_t i, at = 0, n = json_array_size(movers);
	json_array_foreach(movers, i, m)
		if (!top || uint_of(m, "bytes") > uint_of(top, "bytes"))
			top = m;
	if (!top) {
		snprintf(buf, len, "%s", json_is_true(json_object_get(pair, "unseen_copy"))
			 ? "not seen by the hooks (a loop, an inlined or SIMD copy)"
			 : json_string_value(json_object_get(pair, "proof")));
		return buf;
	}
	const char *kernel = json_string_value(json_object_get(top, "kernel"));
	const char *fn = json_string_value(json_object_get(top, "function"));
	const char *caller = json_string_value(json_object_get(top, "caller"));
	buf[0] = '\0';
	if (kernel)
		appendf(buf, len, &at, "%s from a %s by %s", fn, kernel, caller);
	else
		appendf(buf, len, &at, "%s from %s", fn, caller);
	appendf(buf, len, &at, " [pid %llu]", (unsigned long long)uint_of(top, "pid"));
	if (uint_of(top, "calls") > 1)
		appendf(buf, len, &at, " (%llu calls)", (unsigned long long)uint_of(top, "calls"));
	if (n > 1)
		appendf(buf, len, &at, " and %zu other%s", n - 1, n == 2 ? "" : "s");
	return buf;
}

static void print_pair(json_t *p, FILE *f)
{
	char between_[300], by[700], b[32];
	json_t *copied = json_object_get(p, "copied_bytes");
	json_t *pages = json_object_get(p, "pages_written_between");
	fprintf(f, "zctrace:   pair %s: %s between %s: ",
		json_string_value(json_object_get(p, "label")),
		json_string_value(json_object_get(p, "verdict")),
		zct_pair_between(p, between_, sizeof(between_)));
	if (json_integer_value(copied) > 0)
		fprintf(f, "%s bytes, %s",
			zct_thousands((uint64_t)json_integer_value(copied), b, sizeof(b)),
			zct_pair_by(p, by, sizeof(by)));
	else
		fprintf(f, "%s", json_string_value(json_object_get(p, "proof")));
	if (json_is_integer(pages))
		fprintf(f, "; %s pages written between the marks",
			zct_thousands((uint64_t)json_integer_value(pages), b, sizeof(b)));
	fprintf(f, "\n");
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(p, "content_copies"), i, c)
		fprintf(f, "zctrace:     %s bytes of %s found by content in %s (no hook saw them)\n",
			zct_thousands(uint_of(c, "bytes"), b, sizeof(b)),
			json_string_value(json_object_get(p, "label")),
			json_string_value(json_object_get(c, "mapping")));
}

void zct_pairs_print(json_t *pairs, const char *out, FILE *f)
{
	json_t *list = json_object_get(pairs, "pairs"), *p;
	json_t *unpaired = json_object_get(pairs, "unpaired");
	size_t i;
	json_array_foreach(list, i, p)
		if (i < PRINTED_PAIRS)
			print_pair(p, f);
	if (json_array_size(list) > PRINTED_PAIRS)
		fprintf(f, "zctrace:   ... and %zu more pairs (\"probe_pairs\" in %s)\n",
			json_array_size(list) - PRINTED_PAIRS, out);
	if (!json_array_size(unpaired))
		return;
	fprintf(f, "zctrace:   %zu mark%s left unpaired:", json_array_size(unpaired),
		json_array_size(unpaired) == 1 ? "" : "s");
	json_array_foreach(unpaired, i, p)
		if (i < 5)
			fprintf(f, "%s %s [pid %lld]", i ? "," : "",
				json_string_value(json_object_get(p, "tag")),
				(long long)json_integer_value(json_object_get(p, "pid")));
	fprintf(f, "%s\n", json_array_size(unpaired) > 5 ? ", ..." : "");
}
