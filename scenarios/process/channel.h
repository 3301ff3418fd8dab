/*
 * channel.h: a consumer process and the control channel to it: fork with the child
 * tied to the parent's life, fixed-size request/reply records over a SOCK_SEQPACKET socket pair,
 * file descriptors passed with SCM_RIGHTS, writes into a pipe or socket that never block past
 * a deadline, and a stop that always reaps the child.
 *
 * Every wait on the consumer is bounded (ZCBENCH_CONSUMER_TIMEOUT_MS, default 5000): a consumer
 * that dies or hangs makes the call fail with a one-line reason naming the strategy, printed
 * once, and the channel fails fast from then on.
 */
#ifndef ZC_PROCESS_CHANNEL_H
#define ZC_PROCESS_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct zc_channel {
	const char *name;  /* the strategy, for messages */
	pid_t pid;         /* the consumer; 0 once reaped */
	int ctl;           /* the parent's end of the control socket */
	int timeout_ms;
	bool broken;       /* the consumer died or stopped answering */
	char error[200];
};

/* Runs in the child on its end of the control socket; the child exits when it returns. */
typedef void (*zc_consumer_fn)(int ctl, void *arg);

/*
 * Forks a consumer running fn(ctl, arg). The child dies with the parent (PR_SET_PDEATHSIG),
 * takes the default action on SIGINT and SIGTERM, and never runs the parent's exit handlers.
 * SIGPIPE is ignored in the parent from now on: a dead reader shows up as EPIPE.
 * Returns 0, or -1 with errno.
 */
int zc_channel_start(struct zc_channel *ch, const char *name, zc_consumer_fn fn, void *arg);

/*
 * Sends the request (with fd attached through SCM_RIGHTS when fd >= 0) and waits for the
 * reply. Returns 0, or -1 when the consumer died, hung or answered short.
 */
int zc_channel_call(struct zc_channel *ch, const void *req, size_t reqlen, int fd, void *reply,
		    size_t replylen);

/* The two halves of zc_channel_call, for a request followed by data on another fd. */
int zc_channel_send(struct zc_channel *ch, const void *req, size_t reqlen, int fd);
int zc_channel_wait(struct zc_channel *ch, void *reply, size_t replylen);

/*
 * Writes n bytes into the non-blocking pipe or socket fd (with vmsplice when splice is true:
 * the pipe references the pages instead of copying them), waiting at most the timeout each time
 * it is full. Returns 0, or -1 when the consumer died or stopped reading.
 */
int zc_channel_write(struct zc_channel *ch, int fd, const void *buf, size_t n, bool splice);

/* Asks the consumer to exit, closes the channel and reaps the child (killing it if need be). */
void zc_channel_stop(struct zc_channel *ch);

/* Child side: receives one request, and the fd attached to it (or -1) when fd is not NULL.
 * Returns the request's length, 0 when the parent is gone, -1 on error. */
ssize_t zc_channel_receive(int ctl, void *req, size_t len, int *fd);

#endif
