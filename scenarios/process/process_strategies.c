/*
 * process_strategies.c: pipe, socket, vmsplice, shm and cow from this process (the producer)
 * to a forked consumer process (consumer.c), one consumer per strategy state.
 *
 * A transfer: the producer stamps (or renders) a frame, asks the consumer to take it, sends the
 * bytes when the path carries bytes, and waits for the consumer's check of the stamp. The
 * consumer's bytes live in its own address space, so views carry data = NULL: the probe and the
 * checksum ask the consumer, and the write-through probe, not an address, proves sharing.
 * The kernel's copies are counted here, where the producer knows them: write() copies the frame
 * into the kernel, read() copies it out; vmsplice skips the first.
 */
#include "process_strategies.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "handover_ring.h"
#include "instrument.h"
#include "memstat.h"
#include "pagemap.h"
#include "results.h"
#include "channel.h"
#include "consumer.h"

#define RING_FRAMES 3
#define KERNEL_BUFFER (1 << 20) /* pipe and socket buffers: Linux's unprivileged pipe maximum */

struct state {
	const char *name;
	struct zc_consumer_config cfg;
	struct zc_channel ch;
	uint64_t seq;
	int data_fd;              /* the producer's end of the pipe or socket; -1 for shm and cow */
	unsigned char *frame;     /* pipe, socket, vmsplice, none: the producer's frame, aligned */
	unsigned char *ring;      /* shm, cow: the producer's shared mapping of the ring */
	struct zc_handover_ring log; /* the hand-over log, both sides' */
};

static bool carries_bytes(enum zc_path p)
{
	return p == ZC_PATH_PIPE || p == ZC_PATH_SOCKET || p == ZC_PATH_VMSPLICE;
}

/*
 * A pipe or socket pair: fds[0] the consumer's (reading) end, fds[1] the producer's. plain: a
 * pipe left at the kernel's default size (64 KiB), as a program that never sets it has.
 */
static int open_data_path(enum zc_path path, bool plain, int fds[2])
{
	if (path == ZC_PATH_SOCKET) {
		int sv[2], size = KERNEL_BUFFER;
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
			return -1;
		setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		fds[0] = sv[0];
		fds[1] = sv[1];
	} else {
		int p[2];
		if (pipe2(p, O_CLOEXEC) != 0)
			return -1;
		if (!plain)
			fcntl(p[1], F_SETPIPE_SZ, KERNEL_BUFFER); /* best effort: same for both */
		fds[0] = p[0];
		fds[1] = p[1];
	}
	return fcntl(fds[1], F_SETFL, O_NONBLOCK);
}

/*
 * Renders every frame of the ring, so that its pages are resident from the start: timed
 * transfers only stamp two pages of a frame, and the ring would otherwise look smaller than
 * the one frame pipe's producer holds. Done before the consumer maps it and reads it.
 */
static void render_ring(struct state *s)
{
	for (size_t i = 0; i < RING_FRAMES; i++)
		zc_frame_render(s->ring + i * s->cfg.bytes, s->cfg.bytes, 0);
}

/* The ring: a memfd (no name on disk), mapped here, handed to the consumer with SCM_RIGHTS. */
static int share_ring(struct state *s)
{
	size_t len = RING_FRAMES * s->cfg.bytes;
	int fd = memfd_create("zcbench-ring", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = -1;
	if (ftruncate(fd, (off_t)len) != 0)
		goto out_close;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto out_close;
	s->ring = p;
	render_ring(s);
	struct zc_request req = {.op = ZC_REQ_MAP, .arg = RING_FRAMES};
	struct zc_reply rep;
	rc = zc_channel_call(&s->ch, &req, sizeof(req), fd, &rep, sizeof(rep)) == 0 &&
			     rep.status == 0
		     ? 0
		     : -1;
out_close:
	close(fd); /* both mappings keep the memory; the fd ends here */
	return rc;
}

static void teardown(void *st)
{
	struct state *s = st;
	zc_channel_stop(&s->ch);
	if (s->data_fd >= 0)
		close(s->data_fd);
	if (s->ring)
		munmap(s->ring, RING_FRAMES * s->cfg.bytes);
	free(s->frame);
	zc_handover_ring_free(&s->log);
	free(s);
}

/*
 * The producer's end of the data path and its frame; the consumer's end into s->cfg. The frame
 * is page-aligned, or (plain) a malloc'd block, whose bytes start 16 bytes into a page: the
 * kernel then copies every page of it out of two (measured: twice the time a frame).
 */
static int open_bytes_path(struct state *s, enum zc_path path, bool plain)
{
	int fds[2];
	if (open_data_path(path, plain, fds) != 0)
		return -1;
	s->data_fd = fds[1];
	s->cfg.data_fd = fds[0];
	s->cfg.close_fd = fds[1];
	if (plain ? !(s->frame = malloc(s->cfg.bytes))
		  : posix_memalign((void **)&s->frame, 4096, s->cfg.bytes) != 0)
		return -1;
	/* Rendered once here: timed transfers only stamp it, and every byte crosses the pipe. */
	zc_frame_render(s->frame, s->cfg.bytes, 0);
	return 0;
}

/* reference_handover's frame: it stays here, rendered once, and only the request crosses. */
static int keep_frame(struct state *s)
{
	if (posix_memalign((void **)&s->frame, 4096, s->cfg.bytes) != 0)
		return -1;
	zc_frame_render(s->frame, s->cfg.bytes, 0);
	return 0;
}

/* A row's argument: its name (the consumer's process title) and the path its bytes take. */
struct row {
	const char *name;
	enum zc_path path;
	bool plain; /* as most programs do: the frame in a malloc'd block, the pipe at its size */
};

/* setup for every row: arg is its struct row. NULL with err. */
static void *setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err)
{
	const struct row *row = arg;
	const char *name = row->name;
	const enum zc_path path = row->path;
	struct state *s = zc_calloc(sizeof(*s), err);
	if (!s)
		return NULL;
	s->name = name;
	s->data_fd = -1;
	s->ch.ctl = -1;
	s->cfg = (struct zc_consumer_config){.path = path, .bytes = g->bytes, .data_fd = -1,
					     .close_fd = -1};
	int rc = zc_handover_ring_init(&s->log);
	if (rc == 0 && carries_bytes(path))
		rc = open_bytes_path(s, path, row->plain);
	if (rc == 0 && path == ZC_PATH_NONE)
		rc = keep_frame(s);
	if (rc == 0)
		rc = zc_channel_start(&s->ch, name, zc_consumer_main, &s->cfg);
	if (s->cfg.data_fd >= 0)
		close(s->cfg.data_fd); /* the consumer's end lives on in the consumer only */
	if (rc == 0 && (path == ZC_PATH_SHM || path == ZC_PATH_COW))
		rc = share_ring(s);
	if (rc == 0)
		return s;
	teardown(s);
	zc_error_errno(err, errno ? errno : EIO);
	return NULL;
}

/* Sends the frame's bytes and counts the kernel's copies of them. */
static int send_bytes(struct state *s, const unsigned char *p)
{
	bool splice = s->cfg.path == ZC_PATH_VMSPLICE;
	if (zc_channel_write(&s->ch, s->data_fd, p, s->cfg.bytes, splice) != 0)
		return -1;
	if (!splice)
		zc_count_copy(s->cfg.bytes); /* write(): into the kernel's buffer */
	zc_count_copy(s->cfg.bytes);         /* the consumer's read(): out of it */
	return 0;
}

static int transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	uint64_t seq = ++s->seq, slot = seq % RING_FRAMES;
	size_t bytes = s->cfg.bytes;
	unsigned char *p = s->ring ? s->ring + slot * bytes : s->frame;
	if (render)
		zc_frame_render(p, bytes, seq);
	else
		zc_frame_stamp(p, bytes, seq);
	const bool empty = s->cfg.path == ZC_PATH_NONE;
	struct zc_request req = {.op = empty ? ZC_REQ_EMPTY : ZC_REQ_FRAME, .seq = seq,
				 .arg = slot, .posted_ns = zc_now_ns()};
	struct zc_reply rep;
	if (zc_channel_send(&s->ch, &req, sizeof(req), -1) != 0 ||
	    (s->data_fd >= 0 && send_bytes(s, p) != 0))
		return zc_error_errno(err, errno);
	zc_handover_posted(&s->log, seq, req.posted_ns);
	if (zc_channel_wait(&s->ch, &rep, sizeof(rep)) != 0)
		return zc_error_errno(err, errno);
	zc_handover_received(&s->log, seq, (double)rep.a, rep.value);
	if (rep.status != 0) {
		fprintf(stderr, "process: strategy '%s': the consumer %s frame %llu\n", s->name,
			rep.status == 1 ? "saw a wrong stamp on" : "could not take",
			(unsigned long long)seq);
		return zc_error_errno(err, errno);
	}
	/* empty: the frame stayed here, and the consumer's view is the producer's own bytes */
	*v = (struct zc_view){.data = empty ? p : NULL, .bytes = bytes, .seq = seq, .producer = p};
	return 0;
}

static void handover(void *st, struct zc_handover_log *out)
{
	struct state *s = st;
	zc_handover_ring_log(&s->log, s->seq, out);
}

/* The consumer acknowledged the frame: its ring slot is free for the frame after next. */
static void release(void *st, struct zc_view *v)
{
	(void)st;
	(void)v;
}

/*
 * Asks the consumer what (its request op, with arg) about the frame it holds. 0, or -1 with
 * err: the channel's reason, or that the consumer said no.
 */
static int ask(struct state *s, uint32_t op, uint64_t arg, struct zc_reply *rep,
	       const char *what, struct zc_error *err)
{
	struct zc_request req = {.op = op, .seq = s->seq, .arg = arg};
	if (zc_channel_call(&s->ch, &req, sizeof(req), -1, rep, sizeof(*rep)) != 0)
		return zc_error_set(err, zc_exit_for_errno(errno), "cannot ask the consumer for "
				    "%s: %s", what, strerror(errno));
	if (rep->status != 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "the consumer has no %s of frame %llu",
				    what, (unsigned long long)s->seq);
	return 0;
}

static int probe_read(void *st, const struct zc_view *v, size_t offset, unsigned char *value,
		      struct zc_error *err)
{
	struct zc_reply rep;
	(void)v;
	if (ask(st, ZC_REQ_PROBE, offset, &rep, "byte", err) != 0)
		return -1;
	*value = (unsigned char)rep.value;
	return 0;
}

/*
 * The remote hooks below look alike by design: each asks one question through ask() and
 * unpacks its own answer into its own type.
 */
/* The consumer's instruments, as the runner takes its own around the timed transfers. */
static int consumer_counts(void *st, struct zc_counts *out, struct zc_error *err)
{
	struct zc_reply rep;
	if (ask(st, ZC_REQ_COUNTS, 0, &rep, "counts", err) != 0)
		return -1;
	*out = (struct zc_counts){.user_copy_bytes = (uint64_t)rep.a,
				  .kernel_read_bytes = (uint64_t)rep.b,
				  .user_frame_bytes = (uint64_t)rep.frame_a,
				  .kernel_frame_bytes = (uint64_t)rep.frame_b};
	return 0;
}

static int consumer_checksum(void *st, const struct zc_view *v, uint64_t *sum,
			     struct zc_error *err)
{
	struct zc_reply rep;
	(void)v;
	if (ask(st, ZC_REQ_CHECKSUM, 0, &rep, "checksum", err) != 0)
		return -1;
	*sum = rep.value;
	return 0;
}

/* The consumer process's memory, read there: its RSS, PSS and minor faults so far. */
static int consumer_memory(void *st, struct zc_memstat *out, struct zc_error *err)
{
	struct zc_reply rep;
	if (ask(st, ZC_REQ_MEMSTAT, 0, &rep, "memory figures", err) != 0)
		return -1;
	*out = (struct zc_memstat){.rss_kib = rep.a, .rss_peak_kib = -1, .pss_kib = rep.b,
				   .minor_faults = (int64_t)rep.value, .major_faults = -1};
	return 0;
}

/* Where the consumer holds the last frame: its pid and the address in its address space. */
static int consumer_view(void *st, pid_t *pid, uintptr_t *addr, struct zc_error *err)
{
	struct zc_reply rep;
	if (ask(st, ZC_REQ_WHERE, 0, &rep, "address", err) != 0)
		return -1;
	*pid = (pid_t)rep.a;
	*addr = (uintptr_t)rep.value;
	return 0;
}

/* The consumer's side of the evidence pass: its own pages, and frame s->seq's bytes in them. */
static int consumer_pages(void *st, bool arm, long *pages, long *frame_bytes,
			  struct zc_error *err)
{
	struct state *s = st;
	struct zc_request req = {.op = arm ? ZC_REQ_PAGES_ARM : ZC_REQ_PAGES_TAKE, .seq = s->seq};
	struct zc_reply rep;
	if (zc_channel_call(&s->ch, &req, sizeof(req), -1, &rep, sizeof(rep)) != 0)
		return zc_error_errno(err, errno);
	if (rep.status == 2) {
		zc_error_set(err, ZC_EXIT_RUNTIME, "%.*s", (int)sizeof(rep.text), rep.text);
		return 1;
	}
	if (rep.status != 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "the consumer could not count its pages");
	*pages = (long)rep.a;
	*frame_bytes = (long)rep.b;
	return 0;
}

/* The consumer's side of the evidence pass: what its watch left out, entry by entry. */
static int consumer_unwatched(void *st, struct zc_unwatched_list *out, struct zc_error *err)
{
	struct state *s = st;
	*out = (struct zc_unwatched_list){.known = true};
	for (uint64_t i = 0;; i++) {
		struct zc_request req = {.op = ZC_REQ_PAGES_UNWATCHED, .seq = s->seq, .arg = i};
		struct zc_reply rep;
		if (zc_channel_call(&s->ch, &req, sizeof(req), -1, &rep, sizeof(rep)) != 0)
			return zc_error_errno(err, errno);
		if (rep.status != 0 && rep.status != 3)
			return zc_error_set(err, ZC_EXIT_RUNTIME,
					    "the consumer could not list its unwatched mappings");
		out->io_uring = (rep.flags & ZC_UNWATCHED_IO_URING) != 0;
		if (rep.status == 3 || out->n == ZC_UNWATCHED_MAX)
			return 0;
		struct zc_unwatched *u = &out->v[out->n++];
		rep.text[sizeof(rep.text) - 1] = '\0';
		size_t name = strnlen(rep.text, sizeof(rep.text) - 1);
		snprintf(u->mapping, sizeof(u->mapping), "%.63s", rep.text);
		snprintf(u->why, sizeof(u->why), "%.95s",
			 name + 1 < sizeof(rep.text) ? rep.text + name + 1 : "");
		u->stack = (rep.flags & ZC_UNWATCHED_STACK) != 0;
		u->bytes = (double)rep.a;
		u->resident_pages = rep.b >= 0 ? (double)rep.b : (double)NAN;
		memcpy(&u->populated_per_transfer, &rep.value, sizeof(rep.value));
	}
}

/*
 * After the consumer's write at offset: "written_page_shared", whether the page it wrote is
 * still the producer's physical page (it must not be), and "same_pages_after_write", the
 * fraction of the frame's pages that still are (all but that one). Left out when the page
 * frames cannot be read (not root).
 */
static void add_cow_pages(struct state *s, size_t offset, json_t *o)
{
	const unsigned char *mine = s->ring + (s->seq % RING_FRAMES) * s->cfg.bytes;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), at = offset / page * page;
	struct zc_pagemap_match frame, written;
	struct zc_error why = {0};
	pid_t pid;
	uintptr_t theirs;
	if (consumer_view(s, &pid, &theirs, &why) != 0 ||
	    zc_pagemap_compare(0, mine, pid, (const void *)theirs, s->cfg.bytes, &frame, &why) ||
	    zc_pagemap_compare(0, mine + at, pid, (const void *)(theirs + at), page, &written,
			       &why))
		return;
	json_object_set_new(o, "written_page_shared", json_boolean(written.same == 1));
	json_object_set_new(o, "same_pages_after_write", json_real(frame.fraction));
}

/*
 * For cow, "cow": what one write of the consumer made private. The runner has read the
 * consumer's memory already, since the write leaves it a private page.
 */
static void extras(void *st, const struct zc_result *res, json_t *extra)
{
	(void)res;
	struct state *s = st;
	struct zc_reply cow;
	size_t offset = s->cfg.bytes / 2;
	if (s->cfg.path != ZC_PATH_COW || s->seq == 0 ||
	    ask(s, ZC_REQ_COW_WRITE, offset, &cow, "write", NULL) != 0)
		return;
	json_t *o = json_pack("{s:I, s:I}", "pages_copied_by_write", (json_int_t)cow.a,
			      "minor_faults", (json_int_t)cow.b);
	if (o)
		add_cow_pages(s, offset, o);
	json_object_set_new(extra, "cow", o);
}

static const struct zc_probe_ops probe = {.read = probe_read};
static const struct zc_handover_ops handover_log = {.read = handover};
static const struct zc_remote_consumer consumer = {
	.checksum = consumer_checksum, .counts = consumer_counts, .memory = consumer_memory,
	.view = consumer_view, .pages = consumer_pages, .unwatched = consumer_unwatched,
};

/*
 * Every process strategy reaches the consumer's bytes, counts and memory through the channel;
 * the consumer checks each frame's stamp.
 */
#define PROCESS_STRATEGY(id, p, zero, what) PROCESS_ROW(id, p, false, zero, what)
#define PROCESS_ROW(id, p, plain_, zero, what)                                               \
	static const struct row id##_row = {.name = #id, .path = p, .plain = plain_};       \
	static const struct zc_strategy id##_strategy = {                                    \
		.name = #id, .mirrors = what, .expect_zero_copy = zero,                      \
		.consumer_checks_stamp = true, .arg = &id##_row, .setup = setup,             \
		.transfer = transfer, .release = release, .teardown = teardown,              \
		.probe = &probe, .remote = &consumer, .handover = &handover_log,             \
		.extras = extras,                                                            \
	}

PROCESS_STRATEGY(pipe, ZC_PATH_PIPE, false,
		 "a pipe between two processes: write copies the frame into the kernel, read "
		 "copies it out");
PROCESS_ROW(pipe_malloc, ZC_PATH_PIPE, true, false,
	    "a pipe as most programs write it: the frame in a malloc'd block (16 bytes into a "
	    "page), the pipe at its default 64 KiB: the same two copies, twice pipe's time");
PROCESS_STRATEGY(socket, ZC_PATH_SOCKET, false,
		 "an AF_UNIX socket pair (a local IPC channel): two copies through the kernel");
PROCESS_STRATEGY(vmsplice, ZC_PATH_VMSPLICE, false,
		 "vmsplice into a pipe: the pipe references the producer's pages, the reader's "
		 "read still copies once");
PROCESS_STRATEGY(shm, ZC_PATH_SHM, true,
		 "a ring of frames in a memfd mapped by both processes, the fd passed once with "
		 "SCM_RIGHTS; only frame indices cross");
PROCESS_STRATEGY(cow, ZC_PATH_COW, true,
		 "the same memfd mapped private (copy-on-write) by the consumer: shared until "
		 "the consumer writes");

/*
 * The hand-over's floor: the same control channel, an empty request and its reply, as every
 * transfer above makes. The frame stays with the producer, so its checksum and the probe are
 * read here (no probe, and a consumer without checksum or view), and the runner checks its
 * stamp.
 */
static const struct zc_remote_consumer counting_consumer = {
	.counts = consumer_counts, .memory = consumer_memory, .pages = consumer_pages,
	.unwatched = consumer_unwatched,
};
static const struct row reference_handover_row = {.name = "reference_handover",
						  .path = ZC_PATH_NONE};
static const struct zc_strategy reference_handover_strategy = {
	.name = "reference_handover", .expect_zero_copy = true,
	.mirrors = "the floor of a hand-over: an empty request through the same control socket "
		   "and its reply",
	.arg = &reference_handover_row, .setup = setup, .transfer = transfer,
	.release = release, .teardown = teardown, .remote = &counting_consumer,
	.handover = &handover_log,
};

static const struct zc_strategy *const strategies[] = {
	&pipe_strategy, &pipe_malloc_strategy, &socket_strategy, &vmsplice_strategy,
	&shm_strategy, &cow_strategy};

const struct zc_scenario zc_process_scenario = {
	.name = "process", .strategies = strategies, .nstrategies = ZC_COUNT(strategies),
	.handover_reference = &reference_handover_strategy,
	.summary = "Moves frames from this process to a forked consumer process (pipe, "
		   "socket, vmsplice, shm, cow), at each CPU placement.",
};

