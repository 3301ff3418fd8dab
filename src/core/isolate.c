/*
 * isolate.c: fork, measure in the child, send the result back through a pipe.
 *
 * The child writes: an int (its exit code), then on success the struct zc_result as bytes
 * (the parent runs the same binary, so its static strings are at the same addresses), the
 * time samples, the hand-over latency samples (one-way, then post), and the
 * scenario-specific members as JSON text; on failure the error message.
 */
#include "isolate.h"
#include "follow.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"
#include "measure.h"
#include "scenario.h"

static volatile pid_t child;

pid_t zc_isolate_child(void)
{
	return child;
}

static int send_text(int fd, const char *text)
{
	uint64_t len = text ? strlen(text) : 0;
	return zc_write_all(fd, &len, sizeof(len)) || zc_write_all(fd, text ? text : "", len) ? -1 : 0;
}

static int send_doubles(int fd, const double *v, size_t n)
{
	uint64_t count = n;
	return zc_write_all(fd, &count, sizeof(count)) || zc_write_all(fd, v, n * sizeof(*v)) ? -1
												   : 0;
}

static _Noreturn void run_child(int fd, const struct zc_scenario *sc, const struct zc_strategy *s,
		      const struct zc_options *opt, struct zc_result *res)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the parent */
	struct zc_error err = {0};
	int rc = zc_follow_children(&err) != 0 || (sc->start && sc->start(opt, &err) != 0) ||
			 zc_measure_strategy(sc, s, opt, res, &err) != 0
		 ? err.code
		 : ZC_EXIT_OK;
	int bad = zc_write_all(fd, &rc, sizeof(rc));
	if (rc != ZC_EXIT_OK) {
		bad |= send_text(fd, err.text);
	} else {
		char *extra = res->extra ? json_dumps(res->extra, JSON_COMPACT) : NULL;
		bad |= zc_write_all(fd, res, sizeof(*res));
		bad |= send_doubles(fd, res->time.samples, res->time.nsamples);
		bad |= send_doubles(fd, res->handover.one_way.samples, res->handover.one_way.nsamples);
		bad |= send_doubles(fd, res->handover.post.samples, res->handover.post.nsamples);
		bad |= send_text(fd, extra);
		free(extra);
	}
	close(fd);
	exit(bad ? ZC_EXIT_RUNTIME : rc); /* exit, not _exit: flushes and runs the reports */
}

/* A cursor over the child's message. */
struct msg {
	const char *p, *end;
};

static int take(struct msg *m, void *out, size_t n)
{
	if ((size_t)(m->end - m->p) < n)
		return -1;
	memcpy(out, m->p, n);
	m->p += n;
	return 0;
}

static int take_text(struct msg *m, const char **text, uint64_t *len)
{
	if (take(m, len, sizeof(*len)) != 0 || (uint64_t)(m->end - m->p) < *len)
		return -1;
	*text = m->p;
	m->p += *len;
	return 0;
}

/* An array of doubles sent by send_doubles, copied (it may be unaligned); NULL when empty. */
static int take_doubles(struct msg *m, double **v, size_t *n)
{
	uint64_t count;
	*v = NULL;
	*n = 0;
	if (take(m, &count, sizeof(count)) != 0 ||
	    (uint64_t)(m->end - m->p) / sizeof(double) < count)
		return -1;
	if (count == 0)
		return 0;
	if (!(*v = malloc(count * sizeof(double))))
		return -1;
	memcpy(*v, m->p, count * sizeof(double));
	m->p += count * sizeof(double);
	*n = count;
	return 0;
}

static int decode(struct msg *m, struct zc_result *res, size_t frame_bytes)
{
	struct zc_result got;
	double *samples = NULL;
	size_t n = 0;
	uint64_t len;
	const char *extra;
	struct zc_handover_result *h = &got.handover;
	if (take(m, &got, sizeof(got)) != 0)
		return -1;
	h->one_way.samples = h->post.samples = NULL; /* the child's pointers */
	int rc = take_doubles(m, &samples, &n) || take_doubles(m, &h->one_way.samples,
								&h->one_way.nsamples) ||
		 take_doubles(m, &h->post.samples, &h->post.nsamples) ||
		 take_text(m, &extra, &len) ? -1 : 0;
	got.time.samples = NULL;
	got.time.nsamples = 0;
	got.extra = rc == 0 && len ? json_loadb(extra, len, 0, NULL) : NULL;
	if (rc == 0 && h->one_way.nsamples != h->post.nsamples)
		rc = -1;
	if (rc != 0) {
		free(h->one_way.samples);
		free(h->post.samples);
		*h = (struct zc_handover_result){0};
	}
	*res = got;
	if (rc == 0 && n > 0)
		rc = zc_result_set_samples(res, samples, n, frame_bytes);
	free(samples);
	return rc;
}

/*
 * Reads the message of a child that exited with status: its result, or its reason for
 * failing. Returns 0, or -1 with err.
 */
static int receive(const char *buf, size_t len, int status, const char *name,
		   struct zc_result *res, size_t frame_bytes, struct zc_error *err)
{
	struct msg m = {buf, buf + len};
	int code;
	const char *text;
	uint64_t tlen;
	if (!buf || take(&m, &code, sizeof(code)) != 0)
		return zc_error_set(err, status ? status : ZC_EXIT_RUNTIME,
				    "strategy '%s': the measuring process sent nothing", name);
	if (code != ZC_EXIT_OK) {
		if (take_text(&m, &text, &tlen) != 0 || tlen == 0)
			return zc_error_set(err, code, "strategy '%s': the measuring process "
					    "failed without saying why", name);
		return zc_error_set(err, code, "%.*s", (int)tlen, text);
	}
	if (decode(&m, res, frame_bytes) != 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME,
				    "strategy '%s': the measuring process sent a broken result",
				    name);
	if (status != ZC_EXIT_OK)
		return zc_error_set(err, status,
				    "strategy '%s': the measuring process exited with status %d",
				    name, status);
	return 0;
}

/* A child killed by signal sig: -1 with err. */
static int killed(int sig, const char *name, struct zc_error *err)
{
	return zc_error_set(err, sig == SIGINT || sig == SIGTERM ? ZC_EXIT_SIGNAL : ZC_EXIT_RUNTIME,
			    "strategy '%s': the measuring process died of signal %d (%s)", name,
			    sig, strsignal(sig));
}

pid_t zc_isolate_fork(int *fd, struct zc_error *err)
{
	int fds[2];
	fflush(NULL); /* nothing buffered may be printed twice */
	if (pipe2(fds, O_CLOEXEC) != 0)
		return zc_error_set(err, zc_exit_for_errno(errno), "cannot create a pipe: %s",
				    strerror(errno));
	/*
	 * SIGINT and SIGTERM wait until the child is named: a Ctrl-C between the fork and that
	 * would find no child to kill and reap, and leave it a zombie in the process group. A
	 * child that misses the signal so is killed by the handler (SIGKILL).
	 */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	pid_t pid = fork();
	int e = errno;
	if (pid > 0)
		child = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return zc_error_set(err, zc_exit_for_errno(e), "cannot fork: %s", strerror(e));
	}
	close(fds[pid == 0 ? 0 : 1]);
	*fd = fds[pid == 0 ? 1 : 0];
	return pid;
}

char *zc_isolate_collect(pid_t pid, int fd, size_t *len, int *status)
{
	*len = 0;
	char *buf = zc_read_whole(fd, len); /* until the child closes the pipe */
	close(fd);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	child = 0;
	return buf;
}

int zc_isolate_measure(const struct zc_scenario *sc, const struct zc_strategy *s,
		       const struct zc_options *opt, struct zc_result *res, struct zc_error *err)
{
	int fd;
	pid_t pid = zc_isolate_fork(&fd, err);
	if (pid < 0)
		return -1;
	if (pid == 0)
		run_child(fd, sc, s, opt, res);
	size_t len;
	int status;
	char *buf = zc_isolate_collect(pid, fd, &len, &status);
	int rc = WIFEXITED(status) ? receive(buf, len, WEXITSTATUS(status), s->name, res,
					     opt->frame.bytes, err)
				   : killed(WTERMSIG(status), s->name, err);
	free(buf);
	return rc;
}
