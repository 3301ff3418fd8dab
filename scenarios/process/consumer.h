/*
 * consumer.h: the forked consumer process of the process scenario and the wire protocol
 * between it and the producer (private to this folder: the strategies and the consumer).
 */
#ifndef ZC_PROCESS_CONSUMER_H
#define ZC_PROCESS_CONSUMER_H

#include <stddef.h>
#include <stdint.h>

/* How the frame's bytes reach the consumer. */
enum zc_path {
	ZC_PATH_PIPE,     /* write + read through a pipe: two copies, both in the kernel */
	ZC_PATH_SOCKET,   /* the same through an AF_UNIX stream socket pair */
	ZC_PATH_VMSPLICE, /* the pipe references the producer's pages; read copies once */
	ZC_PATH_SHM,      /* a ring of frames in a memfd mapped shared by both processes */
	ZC_PATH_COW,      /* the same memfd, mapped private by the consumer */
	ZC_PATH_NONE,     /* reference_handover: no frame crosses, only the request */
};

enum zc_request_op {
	ZC_REQ_MAP,       /* fd attached: map the ring of arg frames and read every page of it */
	ZC_REQ_FRAME,     /* take frame seq (in ring slot arg, or from the data fd); check its stamp */
	ZC_REQ_EMPTY,     /* reference_handover: answer as for a frame, with no frame */
	ZC_REQ_CHECKSUM,  /* the checksum of the frame held */
	ZC_REQ_PROBE,     /* the byte at offset arg of the frame held */
	ZC_REQ_MEMSTAT,   /* the consumer's VmRSS and Pss, and its minor faults since it started */
	ZC_REQ_COW_WRITE, /* write one byte at offset arg of the frame held; pages that copied */
	ZC_REQ_COUNTS,    /* the consumer's instruments: bytes copied in user space, by the kernel */
	ZC_REQ_WHERE,     /* its pid and the address of the frame it holds */
	ZC_REQ_PAGES_ARM, /* the evidence pass: watch the pages of its process (written.h) */
	ZC_REQ_PAGES_TAKE, /* pages written since the arming, and the bytes of frame seq they hold */
	ZC_REQ_PAGES_UNWATCHED, /* after the pass: the arg-th mapping its watch left out */
};

struct zc_request {
	uint32_t op;
	uint32_t pad;
	uint64_t seq;
	uint64_t arg;
	uint64_t posted_ns; /* frame, empty: CLOCK_MONOTONIC when the producer posted it */
};

struct zc_reply {
	int32_t status;   /* 0 ok; 1 wrong stamp; 2 no instrument here (why in text); 3 past the
			     last (pages unwatched); -1 failed */
	uint32_t flags;   /* pages unwatched: ZC_UNWATCHED_STACK, ZC_UNWATCHED_IO_URING */
	uint64_t value;   /* checksum, byte; minor faults (memstat); the frame's address (where);
			     the consumer's CPU as a bit (frame, empty) */
	int64_t a, b;     /* one-way ns, post to receipt (frame, empty);
			     rss and pss KiB (memstat); pages copied and minor faults (cow write);
			     bytes copied in user space and by the kernel (counts); pid (where);
			     pages written and the bytes of the frame they hold (pages take);
			     bytes and resident pages, -1 unknown (pages unwatched: value holds
			     the double populated_per_transfer) */
	int64_t frame_a, frame_b; /* of a and b, the frame's bytes (counts) */
	char text[160];   /* status 2: why; pages unwatched: the mapping's name, a NUL, why */
};

enum { ZC_UNWATCHED_STACK = 1, ZC_UNWATCHED_IO_URING = 2 };

/* What the consumer process needs to know; data_fd is its end of the pipe or socket. */
struct zc_consumer_config {
	enum zc_path path;
	size_t bytes;
	int data_fd;      /* -1 for shm and cow */
	int close_fd;     /* the producer's end, closed in the consumer; -1 when none */
};

/* The consumer process's loop (a zc_consumer_fn): serves requests until the producer leaves. */
void zc_consumer_main(int ctl, void *config);

#endif
