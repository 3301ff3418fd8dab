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
 *
 * Then the memory the pages written find hardest to watch, each with a copy no hook sees:
 * half the frame onto the main thread's stack (hidden_stack) and the frame into an 8 GiB
 * MAP_NORESERVE reserve (hidden_reserve), both watched, so both copies; into a range the
 * program registered with a userfaultfd of its own (hidden_uffd: EBUSY, not watched) and into
 * a memfd through io_uring (hidden_io_uring: the kernel writes no page of the process), both
 * zero-copy but "unverified", saying why.
 */
#include <alloca.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
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

/*
 * The memory the pages written find hardest to watch (docs/measuring.md, "What the
 * pages-written instrument does not watch"), each with a copy no hook sees: the move row's
 * state, and where the copy lands.
 */
struct hideout {
	struct state base;       /* first: the move family's hooks take it as theirs */
	unsigned char *place;    /* hidden_reserve: the reserve; hidden_uffd: the range */
	size_t place_bytes;
	int fd;                  /* hidden_uffd: its userfaultfd; hidden_io_uring: the ring */
	int memfd;               /* hidden_io_uring: where the ring writes the frame */
	unsigned char *sq, *cq;  /* hidden_io_uring: the rings, and the submission entries */
	struct io_uring_sqe *sqes;
	size_t sq_bytes, cq_bytes, sqes_bytes;
	struct io_uring_params params;
};

/* The move row's state, grown into a hideout (zc__inproc_teardown frees it whole). */
static struct hideout *hideout_setup(const struct zc_frame_geom *g, const void *arg,
				     struct zc_error *err)
{
	struct state *s = zc__inproc_setup(g, arg, err);
	if (!s)
		return NULL;
	struct hideout *h = zc_calloc(sizeof(*h), err);
	if (!h) {
		zc__inproc_teardown(s);
		return NULL;
	}
	h->base = *s;
	free(s);
	h->fd = h->memfd = -1;
	return h;
}

static void hideout_teardown(void *st)
{
	struct hideout *h = st;
	if (h->place)
		munmap(h->place, h->place_bytes);
	if (h->sqes)
		munmap(h->sqes, h->sqes_bytes);
	if (h->cq && h->cq != h->sq)
		munmap(h->cq, h->cq_bytes);
	if (h->sq)
		munmap(h->sq, h->sq_bytes);
	if (h->fd >= 0)
		close(h->fd);
	if (h->memfd >= 0)
		close(h->memfd);
	zc__inproc_teardown(&h->base);
}

/* Eight bytes at a time (no copy function): n bytes of src to dst. */
NO_MEMCPY_IDIOM static void word_copy(unsigned char *dst, const unsigned char *src, size_t n)
{
	uint64_t *d = (uint64_t *)(void *)dst;
	const uint64_t *s = (const uint64_t *)(const void *)src;
	for (size_t i = 0; i < n / sizeof(uint64_t); i++)
		d[i] = s[i];
	zc_do_not_optimize(dst);
}

/*
 * Half the frame onto the main thread's stack, a word at a time. Refused when the stack's
 * limit could not hold twice that (the default 8 MiB holds a 1080p frame's half).
 */
NO_MEMCPY_IDIOM static int hidden_stack_transfer(void *st, bool render, struct zc_view *v,
						 struct zc_error *err)
{
	struct state *s = st;
	struct rlimit stack;
	size_t half = s->bytes / 2 / sizeof(uint64_t) * sizeof(uint64_t);
	if (getrlimit(RLIMIT_STACK, &stack) != 0 || stack.rlim_cur < 2 * half)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "hidden_stack: the stack's limit cannot "
				    "hold half a frame");
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	unsigned char *on_stack = alloca(half);
	word_copy(on_stack, v->data, half);
	return 0;
}

#define RESERVE_BYTES (8ul << 30)

/* A runtime's heap reserve: 8 GiB, MAP_NORESERVE, mostly never touched. */
static void *setup_reserve(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	struct hideout *h = hideout_setup(g, arg, err);
	if (!h)
		return NULL;
	void *p = mmap(NULL, RESERVE_BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		zc_error_errno(err, errno);
		hideout_teardown(h);
		return NULL;
	}
	h->place = p;
	h->place_bytes = RESERVE_BYTES;
	return h;
}

/* The frame into the reserve, 5 GiB in, a word at a time. */
static int hidden_reserve_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct hideout *h = st;
	if (zc__inproc_take(&h->base, render, v) != 0)
		return zc_error_errno(err, errno);
	word_copy(h->place + (5ul << 30), v->data, h->base.bytes);
	return 0;
}

/*
 * A range the program registered with a userfaultfd of its own (write-protect mode, never
 * protected: no write faults), populated first: the evidence pass's registration gets EBUSY.
 */
static void *setup_uffd(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	struct hideout *h = hideout_setup(g, arg, err);
	if (!h)
		return NULL;
	h->place_bytes = g->bytes;
	void *p = mmap(NULL, h->place_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	h->place = p == MAP_FAILED ? NULL : p;
	h->fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	struct uffdio_api api = {.api = UFFD_API};
	struct uffdio_register reg = {.range = {.start = (uintptr_t)p, .len = h->place_bytes},
				      .mode = UFFDIO_REGISTER_MODE_WP};
	if (h->place)
		memset(h->place, 0, h->place_bytes);
	if (!h->place || h->fd < 0 || ioctl(h->fd, UFFDIO_API, &api) != 0 ||
	    ioctl(h->fd, UFFDIO_REGISTER, &reg) != 0) {
		zc_error_set(err, ZC_EXIT_RUNTIME, "hidden_uffd: no userfaultfd of its own: %s",
			     strerror(errno));
		hideout_teardown(h);
		return NULL;
	}
	return h;
}

/* The frame into the range another userfaultfd holds, a word at a time. */
static int hidden_uffd_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct hideout *h = st;
	if (zc__inproc_take(&h->base, render, v) != 0)
		return zc_error_errno(err, errno);
	word_copy(h->place, v->data, h->base.bytes);
	return 0;
}

/* A ring of its own (raw system calls: no liburing), and a memfd for it to write into. */
static void *setup_io_uring(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	struct hideout *h = hideout_setup(g, arg, err);
	if (!h)
		return NULL;
	struct io_uring_params *p = &h->params;
	h->fd = (int)syscall(SYS_io_uring_setup, 4, p);
	h->memfd = memfd_create("hidden_io_uring", MFD_CLOEXEC);
	if (h->fd < 0 || h->memfd < 0)
		goto out_refused;
	h->sq_bytes = p->sq_off.array + p->sq_entries * sizeof(unsigned);
	h->cq_bytes = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
	if (p->features & IORING_FEAT_SINGLE_MMAP)
		h->sq_bytes = h->cq_bytes = h->sq_bytes > h->cq_bytes ? h->sq_bytes : h->cq_bytes;
	h->sqes_bytes = p->sq_entries * sizeof(struct io_uring_sqe);
	void *sq = mmap(NULL, h->sq_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			h->fd, IORING_OFF_SQ_RING);
	h->sq = sq == MAP_FAILED ? NULL : sq;
	void *cq = p->features & IORING_FEAT_SINGLE_MMAP
			   ? sq
			   : mmap(NULL, h->cq_bytes, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_POPULATE, h->fd, IORING_OFF_CQ_RING);
	h->cq = cq == MAP_FAILED ? NULL : cq;
	void *sqes = mmap(NULL, h->sqes_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			  h->fd, IORING_OFF_SQES);
	h->sqes = sqes == MAP_FAILED ? NULL : sqes;
	if (h->sq && h->cq && h->sqes)
		return h;
out_refused:
	zc_error_set(err, ZC_EXIT_RUNTIME, "hidden_io_uring: no io_uring here: %s",
		     strerror(errno));
	hideout_teardown(h);
	return NULL;
}

/* One IORING_OP_WRITE of n bytes at buf into fd, waited for: its result, or -errno. */
static int ring_write(struct hideout *h, const void *buf, size_t n)
{
	const struct io_uring_params *p = &h->params;
	unsigned *sq_tail = (unsigned *)(void *)(h->sq + p->sq_off.tail);
	unsigned *sq_array = (unsigned *)(void *)(h->sq + p->sq_off.array);
	unsigned mask = *(unsigned *)(void *)(h->sq + p->sq_off.ring_mask);
	unsigned tail = *sq_tail, slot = tail & mask;
	h->sqes[slot] = (struct io_uring_sqe){.opcode = IORING_OP_WRITE, .fd = h->memfd,
					     .addr = (uintptr_t)buf, .len = (unsigned)n};
	sq_array[slot] = slot;
	__atomic_store_n(sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, h->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	unsigned *cq_head = (unsigned *)(void *)(h->cq + p->cq_off.head);
	unsigned cq_mask = *(unsigned *)(void *)(h->cq + p->cq_off.ring_mask);
	unsigned head = __atomic_load_n(cq_head, __ATOMIC_ACQUIRE);
	const struct io_uring_cqe *cqes = (const void *)(h->cq + p->cq_off.cqes);
	int res = cqes[head & cq_mask].res;
	__atomic_store_n(cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/* The frame written into a memfd by the kernel, through the ring: no call any hook sees. */
static int hidden_io_uring_transfer(void *st, bool render, struct zc_view *v,
				    struct zc_error *err)
{
	struct hideout *h = st;
	if (zc__inproc_take(&h->base, render, v) != 0)
		return zc_error_errno(err, errno);
	int n = ring_write(h, v->data, h->base.bytes);
	if (n != (int)h->base.bytes)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "hidden_io_uring: the ring wrote %d of "
				    "%zu bytes", n, h->base.bytes);
	return 0;
}

#define ADVERSARY_IN(id, setup_fn, teardown_fn)                                              \
	const struct zc_strategy zc__inproc_##id = {                                         \
		.name = #id, .mirrors = "test only: move plus a copy nobody declares",         \
		.expect_zero_copy = true, .arg = &zc__inproc_with_buffer, .setup = setup_fn,  \
		.transfer = id##_transfer, .release = zc__inproc_move_release,                \
		.teardown = teardown_fn,                                                      \
	}
#define ADVERSARY(id, setup_fn) ADVERSARY_IN(id, setup_fn, zc__inproc_teardown)
ADVERSARY(hidden_memcpy, zc__inproc_setup);
ADVERSARY(hidden_chunks, zc__inproc_setup);
ADVERSARY(hidden_word_loop, zc__inproc_setup);
ADVERSARY(hidden_inline, zc__inproc_setup);
ADVERSARY(hidden_pipe, zc__inproc_setup);
ADVERSARY(hidden_strdup, setup_text);
ADVERSARY(remap_realloc, setup_remap);
ADVERSARY(hidden_stack, zc__inproc_setup);
ADVERSARY_IN(hidden_reserve, setup_reserve, hideout_teardown);
ADVERSARY_IN(hidden_uffd, setup_uffd, hideout_teardown);
ADVERSARY_IN(hidden_io_uring, setup_io_uring, hideout_teardown);
__attribute__((destructor)) static void free_remap_blocker(void)
{
	free(remap_blocker);
}
