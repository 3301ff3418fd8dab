/*
 * roundtrip_strategies.c: round_trip and shrink_realloc.
 *
 * round_trip: the producer (Rust) returns a frame to the consumer (Dart) zero-copy
 * (flutter_rust_bridge DCO, kExternalTypedData), and the consumer passes it back, which copies
 * (flutter_rust_bridge CST: Rust allocates a zeroed buffer, Dart copies into it). Counts are
 * kept per leg; identity is probed per leg on one rendered round trip before teardown.
 *
 * shrink_realloc: the producer's buffer has spare capacity and is shrunk to the frame's length
 * right before the zero-copy hand-over (allo-isolate's shrink_to_fit). Whether that realloc
 * moves the block is the allocator's choice; the counting allocator counts a move as a copy.
 */
#include "roundtrip_strategies.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "instrument.h"
#include "verdict.h"

#define PAGE 4096u
#define CAPACITY_NUM 5u /* shrink_realloc's buffer: 2.5 times the frame */
#define CAPACITY_DEN 2u

enum leg { LEG_OUT, LEG_BACK, LEG_ROUND_TRIP, NLEGS };

struct state {
	size_t bytes;
	uint64_t seq;
	uint64_t transfers;
	struct zc_counts legs[2];  /* LEG_OUT, LEG_BACK over every transfer */
	uint64_t moves;            /* shrink_realloc: reallocs that moved the frame */
	uintptr_t last_before, last_after;
};

/* What the legs of the round trip probed in annotate showed. */
static struct {
	bool valid;
	struct zc_identity id[NLEGS];
	double copy_bytes[NLEGS];   /* observed: user + kernel */
	double user_bytes[NLEGS], kernel_bytes[NLEGS];
} printed;

static const char *const leg_names[NLEGS] = {"out", "back", "round_trip"};
static const char *const leg_mirrors[NLEGS] = {
	"flutter_rust_bridge DCO codec (full_dep: true), Rust to Dart: kExternalTypedData wraps "
	"Rust's buffer",
	"flutter_rust_bridge CST, Dart to Rust: Rust allocates a zeroed buffer, Dart copies into "
	"it (asTypedList().setAll)",
	"the address Rust printed before sending, compared with the address of what it got back",
};

/*
 * Opens as src/core/reference.c's setup does (every setup allocates its state the same way,
 * through zc_calloc); the states differ, so the rest does.
 */
static void *setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	(void)arg;
	struct state *s = zc_calloc(sizeof(*s), err);
	if (!s)
		return NULL;
	s->bytes = g->bytes;
	return s;
}

static void teardown(void *st)
{
	free(st);
}

/* Fills the first bytes of p with frame seq: rendered, or touched on every page and stamped. */
static void fill(unsigned char *p, size_t bytes, uint64_t seq, bool render)
{
	if (render) {
		zc_frame_render(p, bytes, seq);
		return;
	}
	for (size_t i = 0; i < bytes; i += PAGE)
		p[i] = (unsigned char)seq;
	zc_frame_stamp(p, bytes, seq);
}

/* round_trip: out without a copy, back with one; view.data is what Rust got back. */
static int round_trip_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	unsigned char *frame = malloc(s->bytes);
	if (!frame)
		return zc_error_errno(err, errno);
	fill(frame, s->bytes, ++s->seq, render);
	struct zc_counts a, b, c;
	zc_counts_snapshot(&a);
	const unsigned char *dart = frame; /* kExternalTypedData: Dart's view of Rust's buffer */
	zc_counts_snapshot(&b);
	unsigned char *rust = calloc(1, s->bytes);
	if (rust)
		zc_copy(rust, dart, s->bytes);
	zc_counts_snapshot(&c);
	zc_counts_accumulate(&s->legs[LEG_OUT], &b, &a);
	zc_counts_accumulate(&s->legs[LEG_BACK], &c, &b);
	if (!rust) {
		free(frame);
		return zc_error_errno(err, errno);
	}
	s->transfers++;
	*v = (struct zc_view){.data = rust, .bytes = s->bytes, .seq = s->seq, .producer = frame,
			      .token = frame};
	return 0;
}

/* Rust drops the buffer it got back; the external typed data's finalizer frees the frame. */
static void round_trip_release(void *st, struct zc_view *v)
{
	(void)st;
	free((void *)v->data);
	free(v->token);
}

/* Does a byte written at the sender's side reach the receiver's? Restores the sender's byte. */
static bool write_through(unsigned char *sender, const unsigned char *receiver, size_t bytes)
{
	size_t off = bytes / 2;
	unsigned char mine = sender[off];
	unsigned char sentinel = (unsigned char)(((const volatile unsigned char *)receiver)[off] ^
						 0xa5u);
	((volatile unsigned char *)sender)[off] = sentinel;
	bool seen = ((const volatile unsigned char *)receiver)[off] == sentinel;
	((volatile unsigned char *)sender)[off] = mine;
	return seen;
}

static bool content_ok(const unsigned char *p, size_t bytes, uint64_t seq)
{
	unsigned char *expected = malloc(bytes);
	if (!expected)
		return false;
	zc_frame_render(expected, bytes, seq);
	bool ok = zc_frame_checksum(p, bytes) == zc_frame_checksum(expected, bytes);
	free(expected);
	return ok;
}

static void leg_identity(struct zc_identity *id, unsigned char *sender,
			 const unsigned char *receiver, size_t bytes, uint64_t seq)
{
	*id = (struct zc_identity){.producer_addr = (uintptr_t)sender,
				   .consumer_addr = (uintptr_t)receiver,
				   .same_address = sender == receiver,
				   .address_meaningful = true,
				   .same_pages = NAN}; /* one address space: the address is the proof */
	id->checksum_ok = content_ok(receiver, bytes, seq);
	id->aliasing_visible = write_through(sender, receiver, bytes);
}

/* One rendered round trip with identity taken at each leg; fills printed. */
static int probe_legs(struct state *s)
{
	struct zc_view v;
	if (round_trip_transfer(s, true, &v, NULL) != 0)
		return -1;
	unsigned char *frame = v.token, *dart = v.token, *rust = (unsigned char *)v.data;
	leg_identity(&printed.id[LEG_OUT], frame, dart, s->bytes, v.seq);
	leg_identity(&printed.id[LEG_BACK], dart, rust, s->bytes, v.seq);
	leg_identity(&printed.id[LEG_ROUND_TRIP], frame, rust, s->bytes, v.seq);
	round_trip_release(s, &v);
	double n = (double)s->transfers;
	/* What the instruments saw on each leg, not what the legs' code declares. */
	for (int l = LEG_OUT; l <= LEG_BACK; l++) {
		printed.user_bytes[l] = (double)zc_counts_user_frame_bytes(&s->legs[l]) / n;
		printed.kernel_bytes[l] = (double)zc_counts_kernel_frame_bytes(&s->legs[l]) / n;
		printed.copy_bytes[l] = printed.user_bytes[l] + printed.kernel_bytes[l];
	}
	printed.user_bytes[LEG_ROUND_TRIP] = printed.user_bytes[LEG_OUT] + printed.user_bytes[LEG_BACK];
	printed.kernel_bytes[LEG_ROUND_TRIP] =
		printed.kernel_bytes[LEG_OUT] + printed.kernel_bytes[LEG_BACK];
	printed.copy_bytes[LEG_ROUND_TRIP] = printed.copy_bytes[LEG_OUT] +
					     printed.copy_bytes[LEG_BACK];
	for (int l = 0; l < NLEGS; l++) {
		/* A leg declares nothing: what it copied is what the hooks saw. */
		struct zc_copy_result c = {.user_bytes_per_transfer = printed.user_bytes[l],
					   .kernel_bytes_per_transfer = printed.kernel_bytes[l],
					   .expected_bytes_per_transfer = printed.copy_bytes[l],
					   .pages_bytes_per_transfer = NAN};
		zc_verdict_identity(&printed.id[l], l == LEG_OUT, &c, s->bytes);
	}
	printed.valid = true;
	return 0;
}

static json_t *addr_json(uintptr_t a)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "0x%" PRIxPTR, a);
	return json_string(buf);
}

static json_t *leg_json(int l)
{
	const struct zc_identity *id = &printed.id[l];
	json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:b, s:b, s:b, s:f, s:s, s:s}",
			      "leg", leg_names[l], "mirrors", leg_mirrors[l],
			      "sender_addr", addr_json(id->producer_addr),
			      "receiver_addr", addr_json(id->consumer_addr),
			      "same_address", id->same_address,
			      "aliasing_visible", id->aliasing_visible,
			      "checksum_ok", id->checksum_ok,
			      "copy_bytes_per_transfer", printed.copy_bytes[l],
			      "verdict", id->zero_copy ? "zero-copy" : "copy",
			      "evidence", id->evidence);
	if (o && l == LEG_ROUND_TRIP)
		json_object_set_new(o, "address_comparison_says",
				    json_string(id->same_address ? "zero-copy" : "copy"));
	return o;
}

/* "legs": identity leg by leg, probed once more after the timed runs. */
static void legs_extras(void *st, const struct zc_result *res, json_t *extra)
{
	(void)res;
	struct state *s = st;
	if (probe_legs(s) != 0)
		return;
	json_t *legs = json_array();
	for (int l = 0; legs && l < NLEGS; l++)
		json_array_append_new(legs, leg_json(l));
	if (legs)
		json_object_set_new(extra, "legs", legs);
}

/* A member of a leg object, or "" when it is missing. */
static const char *leg_text(json_t *leg, const char *key)
{
	const char *v = json_string_value(json_object_get(leg, key));
	return v ? v : "";
}

void zc_roundtrip_report(const struct zc_results *r, FILE *f)
{
	const struct zc_result *rt = NULL;
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].strategy, "round_trip") == 0)
			rt = &r->v[i];
	json_t *legs = rt ? json_object_get(rt->extra, "legs") : NULL;
	if (json_array_size(legs) != NLEGS)
		return;
	fprintf(f, "\nround trip, leg by leg:\n");
	for (size_t l = 0; l < NLEGS; l++) {
		json_t *leg = json_array_get(legs, l);
		fprintf(f, "  %-10s %-9s %s\n", leg_text(leg, "leg"), leg_text(leg, "verdict"),
			leg_text(leg, "evidence"));
	}
	bool out_shared = !strcmp(leg_text(json_array_get(legs, LEG_OUT), "verdict"), "zero-copy");
	bool same = json_is_true(json_object_get(json_array_get(legs, LEG_ROUND_TRIP),
						 "same_address"));
	if (out_shared && !same)
		fprintf(f,
			"Comparing the address after the round trip reports a copy even though the "
			"outbound leg shared the bytes:\nthe copy was made on the way back (Dart to "
			"Rust), which always copies. The sound measurement is per leg: at the\n"
			"boundary in question, compare the sender's and the receiver's address, "
			"write through the sender's bytes\nand read the receiver's, and count the "
			"bytes copied on that leg only.\n");
	else
		fprintf(f, "The outbound leg %s; the address after the round trip %s.\n",
			out_shared ? "shared the bytes" : "copied", same ? "matches" : "differs");
}

/* shrink_realloc: a buffer of 2.5 frames, shrunk to one frame, handed over as it is. */
static int shrink_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	size_t cap = s->bytes / CAPACITY_DEN * CAPACITY_NUM;
	unsigned char *vec = malloc(cap);
	if (!vec)
		return zc_error_errno(err, errno);
	fill(vec, s->bytes, ++s->seq, render);
	uintptr_t before = (uintptr_t)vec;
	/* Only the number is kept after the realloc: hide it from -Wuse-after-free's tracking. */
	__asm__("" : "+r"(before));
	unsigned char *shrunk = realloc(vec, s->bytes); /* shrink_to_fit */
	if (!shrunk) {
		free((void *)before); /* a failed realloc leaves the block where it was */
		return zc_error_errno(err, errno);
	}
	bool moved = (uintptr_t)shrunk != before;
	/* Without the counting allocator (a COUNTING=0 build) nobody else counts the move. */
	if (moved && !zc_instrument_allocator_linked())
		zc_count_copy(s->bytes);
	s->moves += moved;
	s->transfers++;
	s->last_before = before;
	s->last_after = (uintptr_t)shrunk;
	/* producer: where the frame was written; compared, never dereferenced (see probe_*). */
	*v = (struct zc_view){.data = shrunk, .bytes = s->bytes, .seq = s->seq,
			      .producer = (unsigned char *)before, .token = shrunk};
	return 0;
}

/* The producer's bytes for the frame in flight are the shrunk buffer it handed over. */
static int shrink_probe_write(void *st, const struct zc_view *v, size_t off, unsigned char value,
			      struct zc_error *err)
{
	(void)st;
	(void)err;
	((volatile unsigned char *)v->token)[off] = value;
	return 0;
}

/* The external typed data's finalizer frees the shrunk buffer. */
static void shrink_release(void *st, struct zc_view *v)
{
	(void)st;
	free(v->token);
}

/* "shrink": what shrink_to_fit did to the block, transfer by transfer. */
static void shrink_extras(void *st, const struct zc_result *res, json_t *extra)
{
	(void)res;
	const struct state *s = st;
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:b}",
			      "capacity_bytes", (json_int_t)(s->bytes / CAPACITY_DEN * CAPACITY_NUM),
			      "length_bytes", (json_int_t)s->bytes,
			      "transfers", (json_int_t)s->transfers,
			      "moved_transfers", (json_int_t)s->moves,
			      "last_address_before", addr_json(s->last_before),
			      "last_address_after", addr_json(s->last_after),
			      "last_moved", s->last_before != s->last_after);
	if (o)
		json_object_set_new(extra, "shrink", o);
}

/* The two descriptors below look alike by design: rows of data, not repeated logic. */
static const struct zc_strategy round_trip = {
	.name = "round_trip",
	.mirrors = "flutter_rust_bridge: Rust to Dart with DCO (kExternalTypedData, zero-copy), "
		   "then Dart to Rust with CST (copies); the view is what Rust got back",
	.expect_zero_copy = false,
	.setup = setup, .transfer = round_trip_transfer, .release = round_trip_release,
	.teardown = teardown, .extras = legs_extras,
};

static const struct zc_probe_ops shrink_probe = {.write = shrink_probe_write,
						.restore = shrink_probe_write};

static const struct zc_strategy shrink_realloc = {
	.name = "shrink_realloc",
	.mirrors = "allo-isolate posting a Vec: shrink_to_fit (capacity 2.5x the length) right "
		   "before the zero-copy hand-over; a realloc that moves the block copies the frame",
	.expect_zero_copy = true,
	.setup = setup, .transfer = shrink_transfer, .release = shrink_release,
	.teardown = teardown, .probe = &shrink_probe, .extras = shrink_extras,
};

static const struct zc_strategy *const all[] = {&round_trip, &shrink_realloc};

const struct zc_scenario zc_roundtrip_scenario = {
	.name = "roundtrip", .strategies = all, .nstrategies = ZC_COUNT(all), .report = zc_roundtrip_report,
	.summary = "Rust to Dart zero-copy and back with a copy, leg by leg; and "
		   "shrink_to_fit before a zero-copy hand-over.",
};

