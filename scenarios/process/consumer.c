/*
 * consumer.c: the consumer process: takes each frame (reads it from the pipe or socket,
 * or finds it in the shared ring), checks its stamp, and answers the producer's questions about
 * the frame it holds and about its own memory. It reads every page of the ring when it maps
 * it, so that its memory holds the ring from the start.
 *
 * Test hooks, read from the environment: ZCBENCH_KILL_CONSUMER_AFTER=N makes the consumer kill
 * itself (SIGKILL) on its Nth frame, ZCBENCH_HANG_CONSUMER_AFTER=N makes it stop answering.
 */
#include "consumer.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "evidence.h"
#include "fdio.h"
#include "frame.h"
#include "instrument.h"
#include "memstat.h"
#include "placement.h"
#include "channel.h"
#include "written.h"

struct consumer {
	const struct zc_consumer_config *cfg;
	unsigned char *buffer;     /* pipe, socket, vmsplice: the frame read, reused */
	unsigned char *ring;       /* shm, cow: the mapped ring */
	size_t ring_frames;
	const unsigned char *held; /* the frame it holds */
	uint64_t frames;
	uint64_t kill_after, hang_after;
	struct zc_written pages;   /* the evidence pass's watch */
	bool watching;
	long faults_at_arm;
	int takes;                 /* the pass's transfers counted so far */
};

static uint64_t env_count(const char *name)
{
	const char *v = getenv(name);
	return v ? strtoull(v, NULL, 10) : 0;
}

/*
 * Reads one byte of every page of the ring, so that the consumer's RSS holds the ring from
 * the start, as pipe's consumer holds the buffer it reads into: memory compares like with like.
 */
static void touch_pages(const unsigned char *p, size_t len)
{
	const volatile unsigned char *v = p;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	for (size_t i = 0; i < len; i += page)
		(void)v[i];
}

static void map_ring(struct consumer *c, int fd, uint64_t frames, struct zc_reply *rep)
{
	int flags = c->cfg->path == ZC_PATH_COW ? MAP_PRIVATE : MAP_SHARED;
	void *p = fd >= 0 ? mmap(NULL, frames * c->cfg->bytes, PROT_READ | PROT_WRITE, flags, fd, 0)
			  : MAP_FAILED;
	if (fd >= 0)
		close(fd); /* the mapping keeps the memory; no fd outlives the request */
	if (p == MAP_FAILED) {
		rep->status = -1;
		return;
	}
	c->ring = p;
	c->ring_frames = frames;
	touch_pages(p, frames * c->cfg->bytes);
}

/* The test hooks: die or go silent on the configured frame. */
static void misbehave(const struct consumer *c)
{
	if (c->kill_after && c->frames == c->kill_after)
		raise(SIGKILL);
	while (c->hang_after && c->frames == c->hang_after)
		pause();
}

/* The hand-over log's consumer side: post to receipt, and the CPU it was received on. */
static void receipt(const struct zc_request *req, struct zc_reply *rep)
{
	rep->a = (int64_t)(zc_now_ns() - req->posted_ns);
	rep->value = zc_placement_cpu_bit();
}

static void take_frame(struct consumer *c, const struct zc_request *req, struct zc_reply *rep)
{
	size_t bytes = c->cfg->bytes;
	if (c->ring) {
		c->held = req->arg < c->ring_frames ? c->ring + req->arg * bytes : NULL;
	} else {
		c->held = zc_read_all(c->cfg->data_fd, c->buffer, bytes) == 0 ? c->buffer : NULL;
	}
	c->frames++;
	misbehave(c);
	receipt(req, rep);
	if (!c->held)
		rep->status = -1;
	else if (!zc_frame_stamp_ok(c->held, bytes, req->seq))
		rep->status = 1;
}

/* Private_Dirty of the whole process in KiB, from smaps_rollup; -1 when unreadable. */
static int64_t private_dirty_kib(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "re");
	char line[256];
	long long kib = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Private_Dirty: %lld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/* Writes one byte of the frame held and measures what the write made private. */
static void cow_write(struct consumer *c, uint64_t offset, struct zc_reply *rep)
{
	if (!c->held || offset >= c->cfg->bytes) {
		rep->status = -1;
		return;
	}
	struct rusage r0, r1;
	int64_t before = private_dirty_kib();
	getrusage(RUSAGE_SELF, &r0);
	volatile unsigned char *p = (volatile unsigned char *)c->held + offset;
	*p = (unsigned char)(*p ^ 0x5au);
	getrusage(RUSAGE_SELF, &r1);
	int64_t after = private_dirty_kib();
	long page_kib = sysconf(_SC_PAGESIZE) / 1024;
	rep->a = before >= 0 && after >= 0 ? (after - before) / page_kib : -1;
	rep->b = r1.ru_minflt - r0.ru_minflt;
}

static long minor_faults(void)
{
	struct rusage r;
	getrusage(RUSAGE_SELF, &r);
	return r.ru_minflt;
}

static void pages_unavailable(struct zc_reply *rep, const struct zc_error *why)
{
	rep->status = 2;
	snprintf(rep->text, sizeof(rep->text), "the consumer's process: %.130s", why->text);
}

/* The evidence pass's arming: the consumer's whole process watched from here. */
static void pages_arm(struct consumer *c, struct zc_reply *rep)
{
	struct zc_error why = {0};
	if (!c->watching && zc_written_init(&c->pages, &why) != 0) {
		pages_unavailable(rep, &why);
		return;
	}
	c->watching = true;
	if (zc_written_arm(&c->pages, &why) != 0) {
		pages_unavailable(rep, &why);
		return;
	}
	c->faults_at_arm = minor_faults();
}

/* The bytes of frame *seq (the one the producer transferred) a page holds. */
static size_t holds_frame_bytes(const unsigned char *page, size_t len, uintptr_t at,
				void *seq)
{
	(void)at;
	return zc_frame_bytes_held(page, len, *(const uint64_t *)seq, false);
}

/*
 * What the consumer wrote since the arming, as the producer counts its own (evidence.c):
 * watched pages, and first touches of memory mapped since, bounded by the faults; and the
 * bytes of frame seq, the last one transferred, that they hold.
 */
static void pages_take(struct consumer *c, uint64_t seq, struct zc_reply *rep)
{
	struct zc_error why = {0};
	struct zc_written_count n;
	long taken;
	if (!c->watching ||
	    zc_written_count(&c->pages, NULL, 0, holds_frame_bytes, &seq, &n, &why) != 0 ||
	    (taken = zc_written_take(&c->pages, &why)) < 0) {
		pages_unavailable(rep, &why);
		return;
	}
	long faults = minor_faults() - c->faults_at_arm;
	long fresh = faults - taken > n.fresh ? faults - taken : n.fresh;
	rep->a = taken + fresh;
	rep->b = n.matching_bytes;
	c->takes++;
}

/*
 * After the pass: the i-th writable mapping the consumer's watch left out (status 3 past the
 * last), packed into one reply, and whether it saw io_uring.
 */
static void pages_unwatched(struct consumer *c, uint64_t i, struct zc_reply *rep)
{
	struct zc_unwatched_list list;
	if (!c->watching) {
		rep->status = -1;
		return;
	}
	zc_evidence_unwatched(&c->pages, c->takes, &list);
	rep->flags = list.io_uring > 0 ? ZC_UNWATCHED_IO_URING : 0;
	if (i >= list.n) {
		rep->status = 3;
		return;
	}
	const struct zc_unwatched *u = &list.v[i];
	rep->flags |= u->stack ? ZC_UNWATCHED_STACK : 0;
	rep->a = (int64_t)u->bytes;
	rep->b = isnan(u->resident_pages) ? -1 : (int64_t)u->resident_pages;
	memcpy(&rep->value, &u->populated_per_transfer, sizeof(rep->value));
	size_t name = strnlen(u->mapping, sizeof(rep->text) / 2 - 1);
	memcpy(rep->text, u->mapping, name);
	snprintf(rep->text + name + 1, sizeof(rep->text) - name - 1, "%s", u->why);
}

static void serve(struct consumer *c, const struct zc_request *req, int fd, struct zc_reply *rep)
{
	struct zc_memstat m;
	struct zc_counts counts;
	switch (req->op) {
	case ZC_REQ_MAP:
		map_ring(c, fd, req->arg, rep);
		return;
	case ZC_REQ_FRAME:
		take_frame(c, req, rep);
		return;
	case ZC_REQ_EMPTY: /* no frame: the test hooks, which act on frames, leave it alone */
		receipt(req, rep);
		return;
	case ZC_REQ_CHECKSUM:
		if (c->held)
			rep->value = zc_frame_checksum(c->held, c->cfg->bytes);
		rep->status = c->held ? 0 : -1;
		return;
	case ZC_REQ_PROBE:
		if (c->held && req->arg < c->cfg->bytes)
			rep->value = ((const volatile unsigned char *)c->held)[req->arg];
		rep->status = c->held && req->arg < c->cfg->bytes ? 0 : -1;
		return;
	case ZC_REQ_MEMSTAT:
		zc_memstat_read(&m);
		rep->a = m.rss_kib;
		rep->b = m.pss_kib;
		rep->value = (uint64_t)m.minor_faults; /* -1 when unknown: the producer checks */
		return;
	case ZC_REQ_COW_WRITE:
		cow_write(c, req->arg, rep);
		return;
	case ZC_REQ_COUNTS:
		zc_counts_snapshot(&counts);
		rep->a = (int64_t)zc_counts_user_copy_bytes(&counts);
		rep->b = (int64_t)zc_counts_kernel_copy_bytes(&counts);
		rep->frame_a = (int64_t)zc_counts_user_frame_bytes(&counts);
		rep->frame_b = (int64_t)zc_counts_kernel_frame_bytes(&counts);
		return;
	case ZC_REQ_WHERE:
		rep->a = getpid();
		rep->value = (uintptr_t)c->held;
		rep->status = c->held ? 0 : -1;
		return;
	case ZC_REQ_PAGES_ARM:
		pages_arm(c, rep);
		return;
	case ZC_REQ_PAGES_TAKE:
		pages_take(c, req->seq, rep);
		return;
	case ZC_REQ_PAGES_UNWATCHED:
		pages_unwatched(c, req->arg, rep);
		return;
	default:
		rep->status = -1;
	}
}

void zc_consumer_main(int ctl, void *config)
{
	struct consumer c = {.cfg = config};
	zc_placement_enter_consumer(); /* its CPUs are recorded at each receipt */
	c.kill_after = env_count("ZCBENCH_KILL_CONSUMER_AFTER");
	c.hang_after = env_count("ZCBENCH_HANG_CONSUMER_AFTER");
	if (c.cfg->close_fd >= 0)
		close(c.cfg->close_fd);
	if (c.cfg->data_fd >= 0 && !(c.buffer = malloc(c.cfg->bytes)))
		return;
	struct zc_request req;
	int fd;
	while (zc_channel_receive(ctl, &req, sizeof(req), &fd) == (ssize_t)sizeof(req)) {
		struct zc_reply rep = {0};
		serve(&c, &req, fd, &rep);
		if (req.op != ZC_REQ_MAP && fd >= 0)
			close(fd);
		if (send(ctl, &rep, sizeof(rep), MSG_NOSIGNAL) != (ssize_t)sizeof(rep))
			break;
	}
	if (c.watching)
		zc_written_release(&c.pages);
	if (c.ring)
		munmap(c.ring, c.ring_frames * c.cfg->bytes);
	free(c.buffer);
}
