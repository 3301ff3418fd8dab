/*
 * isolate.c: fork, measure in the child, send the result back through a pipe.
 *
 * The child writes: an int (its exit code), then on success the struct zc_result as bytes
 * (the parent runs the same binary, so its static strings are at the same addresses), the
 * samples, and the scenario-specific members as JSON text; on failure the error message.
 */
#include "isolate.h"

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

static _Noreturn void run_child(int fd, const struct zc_scenario *sc, const struct zc_strategy *s,
		      const struct zc_options *opt, struct zc_result *res)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the parent */
	char err[512] = "";
	int rc = zc_measure_strategy(sc, s, opt, res, err, sizeof(err));
	int bad = zc_write_all(fd, &rc, sizeof(rc));
	if (rc != ZC_EXIT_OK) {
		bad |= send_text(fd, err);
	} else {
		uint64_t n = res->time.nsamples;
		char *extra = res->extra ? json_dumps(res->extra, JSON_COMPACT) : NULL;
		bad |= zc_write_all(fd, res, sizeof(*res));
		bad |= zc_write_all(fd, &n, sizeof(n));
		bad |= zc_write_all(fd, res->time.samples, n * sizeof(double));
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

static int decode(struct msg *m, struct zc_result *res, size_t frame_bytes)
{
	struct zc_result got;
	uint64_t n, len;
	const char *extra;
	if (take(m, &got, sizeof(got)) != 0 || take(m, &n, sizeof(n)) != 0 ||
	    (uint64_t)(m->end - m->p) < n * sizeof(double))
		return -1;
	double *samples = (double *)(uintptr_t)m->p; /* may be unaligned: copy below */
	m->p += n * sizeof(double);
	if (take_text(m, &extra, &len) != 0)
		return -1;
	got.time.samples = NULL;
	got.time.nsamples = 0;
	got.extra = len ? json_loadb(extra, len, 0, NULL) : NULL;
	*res = got;
	if (n > 0) {
		double *aligned = malloc(n * sizeof(double));
		if (!aligned)
			return -1;
		memcpy(aligned, samples, n * sizeof(double));
		int rc = zc_result_set_samples(res, aligned, n, frame_bytes);
		free(aligned);
		return rc;
	}
	return 0;
}

/* Reads the child's message: its result, or its reason for failing. Returns an exit code. */
static int receive(const char *buf, size_t len, int rc, const char *name, struct zc_result *res,
		   size_t frame_bytes, char *err, size_t errlen)
{
	struct msg m = {buf, buf + len};
	int code;
	const char *text;
	uint64_t tlen;
	if (!buf || take(&m, &code, sizeof(code)) != 0) {
		snprintf(err, errlen, "strategy '%s': the measuring process sent nothing", name);
		return rc ? rc : ZC_EXIT_RUNTIME;
	}
	if (code != ZC_EXIT_OK) {
		if (take_text(&m, &text, &tlen) == 0)
			snprintf(err, errlen, "%.*s", (int)tlen, text);
		return code;
	}
	if (decode(&m, res, frame_bytes) != 0) {
		snprintf(err, errlen, "strategy '%s': the measuring process sent a broken result",
			 name);
		return ZC_EXIT_RUNTIME;
	}
	return rc;
}

static int child_status(int status, const char *name, char *err, size_t errlen)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	int sig = WTERMSIG(status);
	snprintf(err, errlen, "strategy '%s': the measuring process died of signal %d (%s)", name,
		 sig, strsignal(sig));
	return sig == SIGINT || sig == SIGTERM ? ZC_EXIT_SIGNAL : ZC_EXIT_RUNTIME;
}

int zc_isolate_measure(const struct zc_scenario *sc, const struct zc_strategy *s,
		       const struct zc_options *opt, struct zc_result *res, char *err,
		       size_t errlen)
{
	int fds[2];
	fflush(NULL); /* nothing buffered may be printed twice */
	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		return ZC_EXIT_RUNTIME;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "cannot fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return errno == ENOMEM ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME;
	}
	if (pid == 0) {
		close(fds[0]);
		run_child(fds[1], sc, s, opt, res);
	}
	child = pid;
	close(fds[1]);
	size_t len = 0;
	char *buf = zc_read_whole(fds[0], &len); /* until the child closes the pipe */
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	child = 0;
	int rc = child_status(status, s->name, err, errlen);
	if (WIFEXITED(status))
		rc = receive(buf, len, rc, s->name, res, opt->frame.bytes, err, errlen);
	free(buf);
	return rc;
}
