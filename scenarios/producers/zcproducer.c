/*
 * zcproducer.c: the producer side of the in-process boundary, built as a shared library
 * (build/lib/libzcproducer.so) and loaded with dlopen, like a Rust cdylib behind Dart FFI.
 *
 * Everything it allocates comes from malloc/free, which resolve to the counting allocator
 * the scenario program exports, so its allocations are counted like the consumer's.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "producer_api.h"

struct zcp_arc {
	atomic_long refs;
	size_t bytes;
	unsigned char data[];
};

struct zcp_producer {
	size_t bytes;
	unsigned char *frame;      /* kept across transfers: copy, copy_into, serialize, borrow;
				      made on first use, so that move, shared and pool hold none */
	struct zcp_arc *shared;    /* the producer's own reference */
	unsigned pool_slots;
	unsigned char **pool;      /* pool_slots frames */
	unsigned char *pool_busy;  /* 1 while the consumer holds the slot */
	long out;                  /* frames handed over and not given back */
};

static void prepare(unsigned char *frame, size_t bytes, uint64_t seq, int render)
{
	if (render)
		zc_frame_render(frame, bytes, seq);
	else
		zc_frame_stamp(frame, bytes, seq);
}

static void producer_close(struct zcp_producer *p)
{
	if (!p)
		return;
	for (unsigned i = 0; p->pool && i < p->pool_slots; i++)
		free(p->pool[i]);
	free(p->pool);
	free(p->pool_busy);
	if (p->shared && atomic_fetch_sub(&p->shared->refs, 1) == 1)
		free(p->shared);
	free(p->frame);
	free(p);
}

static struct zcp_producer *producer_open(size_t bytes, unsigned pool_slots)
{
	struct zcp_producer *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->bytes = bytes;
	p->pool_slots = pool_slots;
	p->pool = calloc(pool_slots ? pool_slots : 1, sizeof(*p->pool));
	p->pool_busy = calloc(pool_slots ? pool_slots : 1, 1);
	if (!p->pool || !p->pool_busy)
		goto fail;
	for (unsigned i = 0; i < pool_slots; i++) {
		p->pool[i] = malloc(bytes);
		if (!p->pool[i])
			goto fail;
		zc_frame_render(p->pool[i], bytes, 0);
	}
	return p;
fail:
	producer_close(p);
	return NULL;
}

/* The producer's own frame, rendered when it is first needed; NULL when out of memory. */
static unsigned char *own_frame(struct zcp_producer *p, uint64_t seq, int render)
{
	if (!p->frame) {
		if (!(p->frame = malloc(p->bytes)))
			return NULL;
		render = 1;
	}
	prepare(p->frame, p->bytes, seq, render);
	return p->frame;
}

static unsigned char *next_frame(struct zcp_producer *p, uint64_t seq, int render)
{
	return own_frame(p, seq, render);
}

static void release_taken(void *ctx, unsigned char *data)
{
	struct zcp_producer *p = ctx;
	p->out--;
	free(data);
}

static unsigned char *take_frame(struct zcp_producer *p, uint64_t seq, int render,
				 zcp_release_fn *release, void **ctx)
{
	unsigned char *f = malloc(p->bytes);
	if (!f)
		return NULL;
	prepare(f, p->bytes, seq, render);
	*release = release_taken;
	*ctx = p;
	p->out++;
	return f;
}

/* What growing a buffer by doubling leaves as its capacity for n bytes. */
static size_t doubled_capacity(size_t n)
{
	size_t cap = 64;
	while (cap < n)
		cap *= 2;
	return cap;
}

/* The C equivalent of a Vec<u8> holding the frame: a block of *capacity bytes, or 0 for
 * doubled_capacity. */
static unsigned char *take_vec(struct zcp_producer *p, uint64_t seq, int render, size_t *capacity)
{
	size_t cap = *capacity ? *capacity : doubled_capacity(p->bytes);
	if (cap < p->bytes)
		return NULL;
	unsigned char *f = malloc(cap);
	if (!f)
		return NULL;
	prepare(f, p->bytes, seq, render);
	*capacity = cap;
	p->out++;
	return f;
}

static void release_vec(struct zcp_producer *p, unsigned char *data, size_t bytes,
			size_t capacity)
{
	(void)bytes;
	(void)capacity;
	p->out--;
	free(data);
}

/* The same block shrunk to the frame with realloc before it is handed over. */
static unsigned char *take_shrunk(struct zcp_producer *p, uint64_t seq, int render,
				  size_t capacity, zcp_release_fn *release, void **ctx)
{
	size_t cap = capacity;
	unsigned char *f = take_vec(p, seq, render, &cap);
	unsigned char *shrunk = f ? realloc(f, p->bytes) : NULL;
	if (!shrunk) {
		if (f)
			release_vec(p, f, p->bytes, cap);
		return NULL;
	}
	*release = release_taken;
	*ctx = p;
	return shrunk;
}

static long frames_out(struct zcp_producer *p)
{
	return p->out;
}

/* A growing byte buffer, as a Vec<u8> behind a Cursor: doubles its capacity when full. */
struct message {
	unsigned char *data;
	size_t len, cap;
};

static int push_byte(struct message *m, unsigned char b)
{
	if (m->len == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		unsigned char *d = realloc(m->data, cap);
		if (!d)
			return -1;
		m->data = d;
		m->cap = cap;
	}
	m->data[m->len++] = b;
	return 0;
}

/*
 * flutter_rust_bridge's SSE codec: a 4-byte length, then each byte written on its own. The
 * loop's bytes are counted as one copy by the consumer, who knows the message length.
 */
static unsigned char *encode_frame(struct zcp_producer *p, uint64_t seq, int render, size_t *len)
{
	if (!own_frame(p, seq, render))
		return NULL;
	struct message m = {0};
	uint32_t n = (uint32_t)p->bytes;
	for (int i = 0; i < 4; i++)
		if (push_byte(&m, (unsigned char)(n >> (8 * i))) != 0)
			goto fail;
	for (size_t i = 0; i < p->bytes; i++)
		if (push_byte(&m, p->frame[i]) != 0)
			goto fail;
	*len = m.len;
	return m.data;
fail:
	free(m.data);
	return NULL;
}

static void free_message(unsigned char *msg)
{
	free(msg);
}

static struct zcp_arc *share_frame(struct zcp_producer *p, uint64_t seq, int render)
{
	/* Arc::make_mut: write in place when nobody else holds the frame, else start a new one. */
	if (p->shared && atomic_load(&p->shared->refs) != 1) {
		if (atomic_fetch_sub(&p->shared->refs, 1) == 1)
			free(p->shared);
		p->shared = NULL;
	}
	if (!p->shared) {
		p->shared = malloc(sizeof(*p->shared) + p->bytes);
		if (!p->shared)
			return NULL;
		atomic_init(&p->shared->refs, 1);
		p->shared->bytes = p->bytes;
		zc_frame_render(p->shared->data, p->bytes, seq);
	}
	prepare(p->shared->data, p->bytes, seq, render);
	atomic_fetch_add(&p->shared->refs, 1);
	return p->shared;
}

static unsigned char *arc_data(struct zcp_arc *a)
{
	return a->data;
}

static void arc_drop(struct zcp_arc *a)
{
	if (atomic_fetch_sub(&a->refs, 1) == 1)
		free(a);
}

static unsigned char *lend_frame(struct zcp_producer *p, uint64_t seq, int render)
{
	return own_frame(p, seq, render);
}

static void end_lend(struct zcp_producer *p)
{
	(void)p;
}

static int pool_fill(struct zcp_producer *p, uint64_t seq, int render, unsigned char **data)
{
	for (unsigned i = 0; i < p->pool_slots; i++) {
		if (!p->pool_busy[i]) {
			p->pool_busy[i] = 1;
			prepare(p->pool[i], p->bytes, seq, render);
			*data = p->pool[i];
			return (int)i;
		}
	}
	return -1;
}

static void pool_return(struct zcp_producer *p, int slot)
{
	p->pool_busy[slot] = 0;
}

__attribute__((visibility("default"))) int zcp_get_api(unsigned abi, struct zc_producer_api *api);

int zcp_get_api(unsigned abi, struct zc_producer_api *api)
{
	if (abi != ZC_PRODUCER_ABI)
		return -1;
	*api = (struct zc_producer_api){
		.open = producer_open, .close = producer_close, .next_frame = next_frame,
		.take_frame = take_frame, .encode_frame = encode_frame, .free_message = free_message,
		.share_frame = share_frame, .arc_data = arc_data, .arc_drop = arc_drop,
		.lend_frame = lend_frame, .end_lend = end_lend, .pool_fill = pool_fill,
		.pool_return = pool_return, .take_vec = take_vec, .release_vec = release_vec,
		.take_shrunk = take_shrunk, .frames_out = frames_out,
	};
	return 0;
}
