/*
 * port.h: a bounded message queue between threads, with blocking post and receive and a
 * timeout on both, like a Dart ReceivePort fed by Dart_PostCObject from a worker thread.
 * Messages are small fixed-size records copied into the queue; a frame travels in one either
 * as bytes the message owns or as a pointer with a finalizer.
 */
#ifndef ZC_PORT_H
#define ZC_PORT_H

#include <stddef.h>
#include <stdint.h>

struct zc_port;

/* Runs when the receiver is done with data it got by pointer (the VM's finalizer). */
typedef void (*zc_finalizer)(void *peer, void *data);

struct zc_port_msg {
	int kind;              /* the user's tag: frame, release, probe, receipt... */
	uint64_t seq;
	unsigned char *data;
	size_t bytes;
	zc_finalizer finalize; /* NULL when the message owns data outright */
	void *peer;            /* the finalizer's context */
	uint64_t posted_ns;    /* CLOCK_MONOTONIC when posted */
	uint64_t arg;          /* a small argument or answer (an offset, a byte, a status) */
};

/* A port holding at most capacity messages; NULL with errno on failure. */
struct zc_port *zc_port_open(size_t capacity);

/*
 * Appends a copy of m, waiting while the port is full. timeout_ms < 0 waits forever.
 * Returns 0, or -1 with errno ETIMEDOUT (still full) or EPIPE (the port was closed).
 */
int zc_port_post(struct zc_port *p, const struct zc_port_msg *m, int timeout_ms);

/*
 * Takes the oldest message into m, waiting while the port is empty. timeout_ms < 0 waits
 * forever. Returns 0, or -1 with errno ETIMEDOUT or EPIPE (closed and drained).
 */
int zc_port_receive(struct zc_port *p, struct zc_port_msg *m, int timeout_ms);

/* Refuses further posts and wakes every waiter; messages already queued can still be taken. */
void zc_port_close(struct zc_port *p);

/* Frees the port; nobody may be waiting on it. Messages left in it are dropped as they are. */
void zc_port_free(struct zc_port *p);

#endif
