/*
 * adversarial_strategies.c: inproc's test-only rows, built only under -DZCBENCH_ADVERSARIAL
 * (the Makefile leaves this file out otherwise; tests/e2e_adversarial.sh builds it).
 *
 * Test-only strategies: each hands the
 * producer's frame over like move, so the write-through probe sees sharing, but also copies
 * the frame on the way and declares nothing. The verdict must find each copy by observation
 * alone. remap_realloc moves a frame-sized block with realloc, which glibc serves by mremap:
 * pages move, no byte is copied, and it must stay zero-copy; hidden_strdup copies a text
 * that is not the frame, and must stay zero-copy too. render_ahead renders
 * the next frame during each hand-over: production, which must not read as a copy of this one.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "gbench.h"
#include "inproc_state.h"

#define CHUNKS 200

static int hidden_memcpy_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	memcpy(s->buffer, v->data, s->bytes);
	zc_do_not_optimize(s->buffer);
	return 0;
}

static int hidden_chunks_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	size_t chunk = s->bytes / CHUNKS;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	for (size_t i = 0; i < CHUNKS; i++)
		memcpy(s->buffer + i * chunk, v->data + i * chunk, chunk);
	zc_do_not_optimize(s->buffer);
	return 0;
}

/*
 * The copies no hook sees: gcc would turn these loops into memcpy calls (loop distribution),
 * which the attribute forbids, as a hand-vectorised or differently compiled copy would be.
 */
#define NO_MEMCPY_IDIOM __attribute__((optimize("no-tree-loop-distribute-patterns")))

/* Eight bytes at a time, as a hand-written copy loop does. */
NO_MEMCPY_IDIOM static int hidden_word_loop_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	uint64_t *dst = (uint64_t *)(void *)s->buffer;
	const uint64_t *src = (const uint64_t *)(const void *)v->data;
	for (size_t i = 0; i < s->bytes / sizeof(uint64_t); i++)
		dst[i] = src[i];
	zc_do_not_optimize(s->buffer);
	return 0;
}

/* 64-byte blocks of a constant size: the compiler inlines each as vector moves. */
struct block64 {
	unsigned char b[64];
};

NO_MEMCPY_IDIOM static int hidden_inline_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	struct block64 *dst = (struct block64 *)(void *)s->buffer;
	const struct block64 *src = (const struct block64 *)(const void *)v->data;
	for (size_t i = 0; i < s->bytes / sizeof(struct block64); i++)
		__builtin_memcpy(&dst[i], &src[i], sizeof(struct block64));
	zc_do_not_optimize(s->buffer);
	return 0;
}

/* Through a pipe, 64 KiB at a time: written in, read back out, as an IPC hop would. */
static int hidden_pipe_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	int fds[2];
	if (zc__inproc_take(s, render, v) != 0 || pipe(fds) != 0)
		return zc_error_errno(err, errno);
	int rc = 0;
	for (size_t off = 0; off < s->bytes && rc == 0;) {
		size_t n = s->bytes - off < 65536 ? s->bytes - off : 65536;
		ssize_t w = write(fds[1], v->data + off, n);
		ssize_t r = w > 0 ? read(fds[0], s->buffer + off, (size_t)w) : -1;
		rc = r == w && r > 0 ? 0 : -1;
		off += r > 0 ? (size_t)r : 0;
	}
	close(fds[0]);
	close(fds[1]);
	return rc ? zc_error_errno(err, errno) : 0;
}

/*
 * A frame-long string duplicated, as code that treats a buffer as text does: the consumer's
 * own text, not the frame, so its bytes are reported and never judged (provenance.h).
 */
static int hidden_strdup_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	char *dup = strdup((const char *)s->buffer);
	if (!dup)
		return zc_error_errno(err, errno);
	zc_do_not_optimize(dup);
	free(dup);
	return 0;
}

static void *setup_text(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	struct state *s = zc__inproc_setup(g, arg, err);
	if (s) {
		memset(s->buffer, 'x', g->bytes - 1);
		s->buffer[g->bytes - 1] = '\0';
	}
	return s;
}

/* Its frame-sized blocks are mmapped, so that glibc moves them with mremap. */
static void *remap_blocker; /* mapped right after the block, so that growing must move it */

static void *setup_remap(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	mallopt(M_MMAP_THRESHOLD, 128 * 1024); /* this strategy's own measuring process */
	struct state *s = zc__inproc_setup(g, arg, err);
	if (s && !remap_blocker)
		remap_blocker = malloc(g->bytes);
	return s;
}

/* Grows and shrinks a frame-sized block around each hand-over. */
static int remap_realloc_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	unsigned char *b = realloc(s->buffer, s->bytes * 2);
	if (!b)
		return zc_error_errno(err, errno);
	b[s->bytes] = 1;
	s->buffer = realloc(b, s->bytes);
	return s->buffer ? 0 : zc_error_errno(err, errno);
}

/*
 * Hands the frame over like move and, during the call, renders the next one (seq + 1) into
 * its own frame-sized buffer, timed loop and evidence pass alike: a producer working ahead.
 * The buffer's pages are written with frame content, of another frame than the one handed
 * over.
 */
static int render_ahead_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	zc_frame_render(s->buffer, s->bytes, v->seq + 1);
	zc_do_not_optimize(s->buffer);
	return 0;
}

const struct zc_strategy zc__inproc_render_ahead = {
	.name = "render_ahead",
	.mirrors = "test only: move while the producer renders the next frame",
	.expect_zero_copy = true, .arg = &zc__inproc_with_buffer, .setup = zc__inproc_setup,
	.transfer = render_ahead_transfer, .release = zc__inproc_move_release,
	.teardown = zc__inproc_teardown,
};

#define ADVERSARY(id, setup_fn)                                                              \
	const struct zc_strategy zc__inproc_##id = {                                         \
		.name = #id, .mirrors = "test only: move plus a copy nobody declares",         \
		.expect_zero_copy = true, .arg = &zc__inproc_with_buffer, .setup = setup_fn,  \
		.transfer = id##_transfer, .release = zc__inproc_move_release,                \
		.teardown = zc__inproc_teardown,                                              \
	}
ADVERSARY(hidden_memcpy, zc__inproc_setup);
ADVERSARY(hidden_chunks, zc__inproc_setup);
ADVERSARY(hidden_word_loop, zc__inproc_setup);
ADVERSARY(hidden_inline, zc__inproc_setup);
ADVERSARY(hidden_pipe, zc__inproc_setup);
ADVERSARY(hidden_strdup, setup_text);
ADVERSARY(remap_realloc, setup_remap);
__attribute__((destructor)) static void free_remap_blocker(void)
{
	free(remap_blocker);
}
