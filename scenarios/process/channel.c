/*
 * channel.c: fork, the control socket, SCM_RIGHTS, bounded writes, and reaping.
 */
#include "channel.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "follow.h"

#define DEFAULT_TIMEOUT_MS 5000
#define STOP_GRACE_MS 1000

static int timeout_from_env(void)
{
	const char *v = getenv("ZCBENCH_CONSUMER_TIMEOUT_MS");
	long ms = v ? strtol(v, NULL, 10) : 0;
	return ms > 0 && ms < 600000 ? (int)ms : DEFAULT_TIMEOUT_MS;
}

/* In the child, before the consumer runs: die with the parent, plain signal handling. */
static void child_prepare(pid_t parent)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(1); /* the parent died before the tie was made */
	/*
	 * The consumer reports its own counts (consumer.c): it counts apart from the producer's
	 * group, with the processes it starts (src/core/follow.h).
	 */
	struct zc_error err = {0};
	if (zc_follow_children(&err) != 0) {
		fprintf(stderr, "zcbench: consumer: %s\n", err.text);
		_exit(1);
	}
}

int zc_channel_start(struct zc_channel *ch, const char *name, zc_consumer_fn fn, void *arg)
{
	int sv[2];
	*ch = (struct zc_channel){.name = name, .ctl = -1, .timeout_ms = timeout_from_env()};
	signal(SIGPIPE, SIG_IGN);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		child_prepare(parent);
		fn(sv[1], arg);
		_exit(0);
	}
	close(sv[1]);
	ch->pid = pid;
	ch->ctl = sv[0];
	return 0;
}

/* Waits up to ms for the child to end; true once it is reaped. */
static bool reap_within(struct zc_channel *ch, int ms, int *status)
{
	struct timespec nap = {0, 2000000};
	for (int waited = 0; ch->pid > 0; waited += 2) {
		pid_t r = waitpid(ch->pid, status, WNOHANG);
		if (r == ch->pid || (r < 0 && errno == ECHILD)) {
			ch->pid = 0;
			return true;
		}
		if (waited >= ms)
			return false;
		nanosleep(&nap, NULL);
	}
	return true;
}

static void kill_and_reap(struct zc_channel *ch, int *status)
{
	if (ch->pid > 0 && !reap_within(ch, 0, status)) {
		kill(ch->pid, SIGKILL);
		while (waitpid(ch->pid, status, 0) < 0 && errno == EINTR)
			;
		ch->pid = 0;
	}
}

/* The consumer is gone (EOF, EPIPE, reset): say how it ended. */
static int fail_dead(struct zc_channel *ch)
{
	int st = 0;
	pid_t pid = ch->pid;
	if (!reap_within(ch, STOP_GRACE_MS, &st))
		kill_and_reap(ch, &st);
	if (WIFSIGNALED(st))
		snprintf(ch->error, sizeof(ch->error), "the consumer (pid %d) was killed by signal %d",
			 (int)pid, WTERMSIG(st));
	else
		snprintf(ch->error, sizeof(ch->error), "the consumer (pid %d) exited with status %d",
			 (int)pid, WEXITSTATUS(st));
	ch->broken = true;
	fprintf(stderr, "process: strategy '%s': %s\n", ch->name, ch->error);
	return -1;
}

static int fail_hung(struct zc_channel *ch)
{
	int st;
	snprintf(ch->error, sizeof(ch->error), "the consumer (pid %d) did not answer within %d ms",
		 (int)ch->pid, ch->timeout_ms);
	kill_and_reap(ch, &st);
	ch->broken = true;
	fprintf(stderr, "process: strategy '%s': %s\n", ch->name, ch->error);
	return -1;
}

int zc_channel_send(struct zc_channel *ch, const void *req, size_t reqlen, int fd)
{
	if (ch->broken)
		return -1;
	struct iovec iov = {.iov_base = (void *)req, .iov_len = reqlen};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u)); /* CMSG_SPACE pads after the fd: no uninitialised bytes sent */
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	ssize_t n;
	while ((n = sendmsg(ch->ctl, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return n == (ssize_t)reqlen ? 0 : fail_dead(ch);
}

int zc_channel_wait(struct zc_channel *ch, void *reply, size_t replylen)
{
	if (ch->broken)
		return -1;
	struct pollfd p = {.fd = ch->ctl, .events = POLLIN};
	int r;
	while ((r = poll(&p, 1, ch->timeout_ms)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return fail_hung(ch);
	ssize_t n;
	while ((n = recv(ch->ctl, reply, replylen, 0)) < 0 && errno == EINTR)
		;
	return n == (ssize_t)replylen ? 0 : fail_dead(ch);
}

int zc_channel_call(struct zc_channel *ch, const void *req, size_t reqlen, int fd, void *reply,
		    size_t replylen)
{
	if (zc_channel_send(ch, req, reqlen, fd) != 0)
		return -1;
	return zc_channel_wait(ch, reply, replylen);
}

/* Waits until fd takes more bytes; the control socket wakes us if the consumer dies. */
static int wait_writable(struct zc_channel *ch, int fd)
{
	struct pollfd p[2] = {{.fd = fd, .events = POLLOUT}, {.fd = ch->ctl, .events = 0}};
	int r;
	while ((r = poll(p, 2, ch->timeout_ms)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return fail_hung(ch);
	if (p[1].revents & (POLLHUP | POLLERR) || p[0].revents & (POLLHUP | POLLERR))
		return fail_dead(ch);
	return 0;
}

int zc_channel_write(struct zc_channel *ch, int fd, const void *buf, size_t n, bool splice)
{
	const unsigned char *p = buf;
	while (n > 0) {
		if (ch->broken)
			return -1;
		struct iovec iov = {.iov_base = (void *)p, .iov_len = n};
		ssize_t w = splice ? vmsplice(fd, &iov, 1, SPLICE_F_NONBLOCK) : write(fd, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
		} else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (errno == EAGAIN && wait_writable(ch, fd) != 0)
				return -1;
		} else {
			return fail_dead(ch);
		}
	}
	return 0;
}

void zc_channel_stop(struct zc_channel *ch)
{
	int st;
	if (ch->ctl >= 0) {
		shutdown(ch->ctl, SHUT_RDWR); /* the consumer reads EOF and exits */
		close(ch->ctl);
		ch->ctl = -1;
	}
	if (ch->pid > 0 && !reap_within(ch, STOP_GRACE_MS, &st))
		kill_and_reap(ch, &st);
}

ssize_t zc_channel_receive(int ctl, void *req, size_t len, int *fd)
{
	struct iovec iov = {.iov_base = req, .iov_len = len};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u)); /* CMSG_SPACE pads after the fd: no uninitialised bytes sent */
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	ssize_t n;
	while ((n = recvmsg(ctl, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (fd) {
		*fd = -1;
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		if (n > 0 && c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	}
	return n;
}
