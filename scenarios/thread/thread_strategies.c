/*
 * thread_strategies.c: copy, move and pool between a producer thread (the caller) and a
 * persistent consumer thread (started in setup, joined in teardown).
 *
 * A transfer: the producer posts a frame message to the consumer's inbox and waits for the
 * receipt; the consumer takes it, timestamps the receipt, checks the stamp and holds the frame.
 * A release asks the consumer to let go (free the message, run the finalizer, or return the
 * frame to the pool) and waits until it has, so per-transfer counts are exact. The probe asks
 * the consumer thread itself to read a byte of the frame it holds.
 */
#include "thread_strategies.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "clock.h"
#include "handover_ring.h"
#include "instrument.h"
#include "placement.h"
#include "port.h"

#define POOL_SLOTS 3
#define PORT_CAPACITY 4
#define TIMEOUT_MS 5000
#define CONSUMER_STACK (2u * 1024u * 1024u) /* ThreadSanitizer needs about 1 MiB */

enum msg_kind { MSG_FRAME, MSG_RELEASE, MSG_PROBE, MSG_ANSWER };
/* LATE_COPY (test only, -DZCBENCH_ADVERSARIAL): move, and the consumer copies after it answered. */
enum flavour { COPY, MOVE, POOL, EMPTY, LATE_COPY };

struct state {
	const char *name;
	enum flavour flavour;
	size_t bytes;
	uint64_t seq;
	struct zc_port *inbox;   /* producer -> consumer: frames and requests */
	struct zc_port *outbox;  /* consumer -> producer: receipts and answers */
	struct zc_port *returns; /* pool: frames back to the producer */
	pthread_t consumer;
	void *stack;             /* the consumer's stack, ours so that teardown frees it */
	bool consumer_running;
	bool broken;             /* the consumer stopped answering: fail fast from now on */
	unsigned char *frame;    /* copy, empty: the producer's frame, kept and reused */
	unsigned char *pool[POOL_SLOTS];
	struct zc_port_msg held; /* consumer side: the frame it holds, data NULL when none */
	unsigned char *late;     /* late_copy: where the consumer copies, after answering */
	/* The hand-over log: one-way written by the consumer at each receipt, post by the
	 * producer when its post returned. */
	struct zc_handover_ring log;
};

/* --- the consumer thread ------------------------------------------------------------------ */

static void free_frame(void *peer, void *data)
{
	(void)peer;
	free(data);
}

static void return_frame(void *peer, void *data)
{
	struct state *s = peer;
	struct zc_port_msg m = {.data = data};
	zc_port_post(s->returns, &m, -1); /* never full: it has room for every pool frame */
}

/* The consumer lets go of the frame it holds. */
static void let_go(struct state *s)
{
	struct zc_port_msg *h = &s->held;
	if (!h->data)
		return;
	if (h->finalize)
		h->finalize(h->peer, h->data);
	else
		free(h->data); /* the message owned the bytes */
	h->data = NULL;
}

static void receive_frame(struct state *s, const struct zc_port_msg *m, struct zc_port_msg *a)
{
	uint64_t now = zc_now_ns();
	zc_handover_received(&s->log, m->seq, (double)(now - m->posted_ns),
			     zc_placement_cpu_bit());
	let_go(s);
	s->held = *m;
	/* empty: the reference carries no frame, only the message */
	a->arg = !m->data || zc_frame_stamp_ok(m->data, m->bytes, m->seq);
}

/*
 * late_copy's consumer: the frame, a word at a time (no copy function a hook sees), after
 * the producer has its answer; the next message, the release among them, waits for it.
 */
__attribute__((optimize("no-tree-loop-distribute-patterns"))) static void
late_copy(unsigned char *dst, const unsigned char *src, size_t bytes)
{
	uint64_t *d = (uint64_t *)(void *)dst;
	const uint64_t *w = (const uint64_t *)(const void *)src;
	for (size_t i = 0; i < bytes / sizeof(uint64_t); i++)
		d[i] = w[i];
	__asm__ volatile("" : : "r"(dst) : "memory");
}

static void *consumer_main(void *arg)
{
	struct state *s = arg;
	struct zc_port_msg m;
	zc_placement_enter_consumer(); /* its CPUs are recorded at each receipt */
	while (zc_port_receive(s->inbox, &m, -1) == 0) {
		struct zc_port_msg a = {.kind = MSG_ANSWER, .seq = m.seq};
		if (m.kind == MSG_FRAME)
			receive_frame(s, &m, &a);
		else if (m.kind == MSG_RELEASE)
			let_go(s);
		else if (m.kind == MSG_PROBE && s->held.data && m.arg < s->held.bytes)
			a.arg = ((const volatile unsigned char *)s->held.data)[m.arg];
		if (zc_port_post(s->outbox, &a, -1) != 0)
			break;
		if (m.kind == MSG_FRAME && s->flavour == LATE_COPY && s->held.data)
			late_copy(s->late, s->held.data, s->bytes);
	}
	return NULL;
}

/* --- the producer's side ------------------------------------------------------------------ */

/*
 * Posts m and waits for the consumer's answer; for a frame, logs the post's cost (from
 * m->posted_ns until the post returned) and the CPU. Returns 0, or -1 once the consumer is
 * silent.
 */
static int call(struct state *s, const struct zc_port_msg *m, struct zc_port_msg *answer)
{
	if (s->broken)
		return -1;
	int posted = zc_port_post(s->inbox, m, TIMEOUT_MS) == 0;
	if (posted && m->kind == MSG_FRAME)
		zc_handover_posted(&s->log, m->seq, m->posted_ns);
	if (posted && zc_port_receive(s->outbox, answer, TIMEOUT_MS) == 0)
		return 0;
	s->broken = true;
	fprintf(stderr, "thread: strategy '%s': the consumer thread did not answer within %d ms\n",
		s->name, TIMEOUT_MS);
	return -1;
}

static int start_consumer(struct state *s)
{
	pthread_attr_t attr;
	s->stack = mmap(NULL, CONSUMER_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (s->stack == MAP_FAILED) {
		s->stack = NULL;
		return -1;
	}
	int rc = pthread_attr_init(&attr);
	if (rc == 0) {
		rc = pthread_attr_setstack(&attr, s->stack, CONSUMER_STACK);
		if (rc == 0)
			rc = pthread_create(&s->consumer, &attr, consumer_main, s);
		pthread_attr_destroy(&attr);
	}
	s->consumer_running = rc == 0;
	if (rc != 0)
		errno = rc;
	return rc == 0 ? 0 : -1;
}

/* Stops the consumer, then lets go of whatever it or its inbox still held. */
static void stop_consumer(struct state *s)
{
	if (s->consumer_running) {
		zc_port_close(s->inbox);
		zc_port_close(s->outbox);
		pthread_join(s->consumer, NULL);
		s->consumer_running = false;
	}
	struct zc_port_msg m;
	while (s->inbox && zc_port_receive(s->inbox, &m, 0) == 0)
		if (m.kind == MSG_FRAME) {
			s->held = m;
			let_go(s);
		}
	let_go(s);
	if (s->stack)
		munmap(s->stack, CONSUMER_STACK);
	s->stack = NULL;
}

static void teardown(void *st)
{
	struct state *s = st;
	stop_consumer(s);
	zc_port_free(s->inbox);
	zc_port_free(s->outbox);
	zc_port_free(s->returns);
	for (int i = 0; i < POOL_SLOTS; i++)
		free(s->pool[i]);
	free(s->frame);
	free(s->late);
	zc_handover_ring_free(&s->log);
	free(s);
}

/*
 * The pool's frames, rendered so that their pages are resident from the start: timed
 * transfers only stamp two pages of a frame, and an unrendered pool would look smaller than
 * the frames it holds.
 */
static int fill_pool(struct state *s)
{
	for (int i = 0; i < POOL_SLOTS; i++) {
		if (!(s->pool[i] = malloc(s->bytes)))
			return -1;
		zc_frame_render(s->pool[i], s->bytes, 0);
		struct zc_port_msg m = {.data = s->pool[i]};
		if (zc_port_post(s->returns, &m, 0) != 0)
			return -1;
	}
	return 0;
}

/* copy's frame, kept and reused: rendered for the same reason as the pool's. */
static int make_frame(struct state *s)
{
	if (!(s->frame = malloc(s->bytes)))
		return -1;
	zc_frame_render(s->frame, s->bytes, 0);
	return 0;
}

/* A row's argument: its name (for the consumer's messages) and its flavour. */
struct row {
	const char *name;
	enum flavour flavour;
};

/* setup for every row: arg is its struct row. NULL with err. */
static void *setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	const struct row *row = arg;
	const enum flavour f = row->flavour;
	struct state *s = zc_calloc(sizeof(*s), err);
	if (!s)
		return NULL;
	s->name = row->name;
	s->flavour = f;
	s->bytes = g->bytes;
	s->inbox = zc_port_open(PORT_CAPACITY);
	s->outbox = zc_port_open(PORT_CAPACITY);
	s->returns = zc_port_open(POOL_SLOTS);
	int logged = zc_handover_ring_init(&s->log);
	if (!s->inbox || !s->outbox || !s->returns || logged != 0)
		goto out_fail;
	if ((f == COPY || f == EMPTY) && make_frame(s) != 0)
		goto out_fail;
	if (f == POOL && fill_pool(s) != 0)
		goto out_fail;
	if (f == LATE_COPY && !(s->late = malloc(s->bytes)))
		goto out_fail;
	if (start_consumer(s) != 0)
		goto out_fail;
	return s;
out_fail:
	teardown(s);
	zc_error_errno(err, errno ? errno : ENOMEM);
	return NULL;
}

static void draw(unsigned char *p, size_t bytes, uint64_t seq, bool render)
{
	if (render)
		zc_frame_render(p, bytes, seq);
	else
		zc_frame_stamp(p, bytes, seq);
}

/*
 * Builds the frame message the way each strategy posts it; m->posted_ns marks the start of the
 * post (for copy, the VM copies inside Dart_PostCObject). Returns the producer's bytes.
 */
static unsigned char *compose(struct state *s, bool render, struct zc_port_msg *m)
{
	*m = (struct zc_port_msg){.kind = MSG_FRAME, .seq = ++s->seq, .bytes = s->bytes};
	unsigned char *p = s->frame;
	struct zc_port_msg r;
	if ((s->flavour == MOVE || s->flavour == LATE_COPY) && !(p = malloc(s->bytes)))
		return NULL;
	if (s->flavour == POOL) {
		if (zc_port_receive(s->returns, &r, TIMEOUT_MS) != 0)
			return NULL;
		p = r.data;
	}
	draw(p, s->bytes, s->seq, render);
	m->posted_ns = zc_now_ns();
	if (s->flavour == EMPTY) { /* the message alone: its frame stays with the producer */
		m->bytes = 0;
		return p;
	}
	if (s->flavour == COPY) {
		if (!(m->data = malloc(s->bytes)))
			return NULL;
		zc_copy(m->data, p, s->bytes);
		return p;
	}
	m->data = p;
	m->finalize = s->flavour == POOL ? return_frame : free_frame;
	m->peer = s;
	return p;
}

static int transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	struct zc_port_msg m, a;
	unsigned char *producer = compose(s, render, &m);
	if (!producer)
		return zc_error_errno(err, errno);
	if (call(s, &m, &a) != 0)
		/* the message may be in the inbox: teardown lets go of it */
		return zc_error_errno(err, errno);
	if (!a.arg) {
		fprintf(stderr, "thread: strategy '%s': the consumer saw a wrong stamp on frame %llu\n",
			s->name, (unsigned long long)m.seq);
		return zc_error_errno(err, errno);
	}
	/* empty: what the consumer could read is the producer's frame, where it stayed */
	*v = (struct zc_view){.data = m.data ? m.data : producer, .bytes = s->bytes, .seq = m.seq,
			      .producer = producer};
	return 0;
}

static void release(void *st, struct zc_view *v)
{
	struct state *s = st;
	struct zc_port_msg m = {.kind = MSG_RELEASE, .seq = v->seq}, a;
	call(s, &m, &a);
}

static int probe_read(void *st, const struct zc_view *v, size_t offset, unsigned char *value,
		      struct zc_error *err)
{
	struct state *s = st;
	struct zc_port_msg m = {.kind = MSG_PROBE, .seq = v->seq, .arg = offset}, a;
	if (call(s, &m, &a) != 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "the consumer thread did not answer "
				    "within %d ms", TIMEOUT_MS);
	*value = (unsigned char)a.arg;
	return 0;
}

static void handover(void *st, struct zc_handover_log *out)
{
	struct state *s = st;
	zc_handover_ring_log(&s->log, s->seq, out);
}

static const struct zc_probe_ops probe = {.read = probe_read};
static const struct zc_handover_ops handover_log = {.read = handover};

/* The consumer thread checks each frame's stamp; the probe reads its bytes there. */
#define THREAD_STRATEGY(id, f, zero, what)                                                   \
	static const struct row id##_row = {.name = #id, .flavour = f};                      \
	static const struct zc_strategy id##_strategy = {                                    \
		.name = #id, .mirrors = what, .expect_zero_copy = zero,                      \
		.consumer_checks_stamp = true, .arg = &id##_row, .setup = setup,             \
		.transfer = transfer, .release = release, .teardown = teardown,              \
		.probe = &probe, .handover = &handover_log,                                  \
	}

THREAD_STRATEGY(copy, COPY, false,
		"Dart_PostCObject with kTypedData from a worker thread: the message carries a "
		"copy of the bytes");
THREAD_STRATEGY(move, MOVE, true,
		"Dart_PostCObject with kExternalTypedData: the message carries the pointer and a "
		"finalizer the receiver runs");
THREAD_STRATEGY(pool, POOL, true,
		"a pool of frames shared by two threads: the consumer returns each frame to the "
		"producer through a second port");

/*
 * The hand-over's floor: the same ports, an empty frame message and its receipt, then a
 * release and its acknowledgement, as every transfer above makes. The frame stays with the
 * producer, so the probe reads it there, and the runner checks its stamp.
 */
static const struct row reference_handover_row = {.name = "reference_handover",
						  .flavour = EMPTY};
static const struct zc_strategy reference_handover_strategy = {
	.name = "reference_handover", .expect_zero_copy = true,
	.mirrors = "the floor of a hand-over: an empty message through the same port, its receipt, "
		   "a release and its acknowledgement",
	.arg = &reference_handover_row, .setup = setup, .transfer = transfer,
	.release = release, .teardown = teardown, .handover = &handover_log,
};

#ifdef ZCBENCH_ADVERSARIAL
THREAD_STRATEGY(late_copy, LATE_COPY, true,
		"test only: move, and the consumer thread copies the frame after it answered");
#define ADVERSARIES , &late_copy_strategy
#else
#define ADVERSARIES
#endif

static const struct zc_strategy *const strategies[] = {&copy_strategy, &move_strategy,
						       &pool_strategy ADVERSARIES};

const struct zc_scenario zc_thread_scenario = {
	.name = "thread", .strategies = strategies, .nstrategies = ZC_COUNT(strategies),
	.handover_reference = &reference_handover_strategy,
	.summary = "Moves frames from a producer thread to a consumer thread through a "
		   "bounded port (copy, move with a finalizer, pool with a return port), at "
		   "each CPU placement.",
};
