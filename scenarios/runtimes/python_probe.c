/*
 * python_probe.c: the probe and the program's main for the Python family (python_probe.h).
 */
#include "python_probe.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"

/* What the probe process found, before the boundary's own answer. */
struct probe_head {
	int code;       /* 0: the interpreter started; else an exit status */
	char why[512];  /* why it did not start */
};

/*
 * The child's side of the probe: it starts the interpreter, by p's start or else by sc's
 * start hook given the command line o (its fatal errors, on errfd, are the parent's to tell
 * in one line) and writes the head, then p's answer.
 */
static _Noreturn void answer_probe(const struct zc_scenario *sc, const struct zc_options *o,
				   const struct zc_python_probe *p, int fd, int errfd)
{
	struct probe_head h = {0};
	struct zc_error err = {0};
	if (dup2(errfd, STDERR_FILENO) < 0)
		_exit(ZC_EXIT_RUNTIME);
	if (p->size)
		memset(p->answer, 0, p->size);
	if ((p->start ? p->start(p->answer, &err) : sc->start(o, &err)) != 0) {
		h.code = err.code;
		snprintf(h.why, sizeof(h.why), "%s", err.text);
	}
	int rc = zc_write_all(fd, &h, sizeof(h));
	if (rc == 0 && p->size)
		rc = zc_write_all(fd, p->answer, p->size);
	_exit(rc == 0 ? 0 : ZC_EXIT_RUNTIME);
}

/*
 * A probe that died while starting: CPython printed a fatal error (or C++ its std::bad_alloc),
 * caught in text (its stderr), and aborted. Its first line is the reason; one about memory is
 * out of memory.
 */
static int died_starting(const char *text, int status, bool cxx, struct zc_error *err)
{
	const char *at = text ? strstr(text, "Fatal Python error: ") : NULL;
	char line[256];
	if (cxx && !at && text && strstr(text, "std::bad_alloc"))
		at = "std::bad_alloc (memory)";
	if (!at)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "the interpreter died while starting "
				    "(status %d)", status);
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(at, "\n"), at);
	bool nomem = strcasestr(line, "memory") != NULL;
	return zc_error_set(err, nomem ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME,
			    "%sthe interpreter died while starting: %s",
			    nomem ? "out of memory: " : "", line);
}

/* What the probe's process said: its head, then p's answer, in got. */
static int heard(const struct zc_python_probe *p, const char *got, struct zc_error *err)
{
	struct probe_head h;
	memcpy(&h, got, sizeof(h));
	if (p->size)
		memcpy(p->answer, got + sizeof(h), p->size);
	return h.code != 0 ? zc_error_set(err, h.code, "%s", h.why) : 0;
}

/* Starts the interpreter in a process of its own and asks what it found. */
static int probe(const struct zc_scenario *sc, const struct zc_options *o,
		 const struct zc_python_probe *p, struct zc_error *err)
{
	int fds[2], errfds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "cannot create a pipe: %s",
				    strerror(errno));
	if (pipe2(errfds, O_CLOEXEC) != 0) {
		close(fds[0]);
		close(fds[1]);
		return zc_error_set(err, ZC_EXIT_RUNTIME, "cannot create a pipe: %s",
				    strerror(errno));
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		close(errfds[0]);
		answer_probe(sc, o, p, fds[1], errfds[1]);
	}
	close(fds[1]);
	close(errfds[1]);
	size_t len = 0, errlen = 0;
	char *got = pid > 0 ? zc_read_whole(fds[0], &len) : NULL;
	char *text = pid > 0 ? zc_read_whole(errfds[0], &errlen) : NULL;
	close(fds[0]);
	close(errfds[0]);
	int status = 0;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	int rc = 0;
	if (pid < 0)
		rc = zc_error_set(err, zc_exit_for_errno(errno), "cannot fork: %s",
				  strerror(errno));
	else if (!got || len != sizeof(struct probe_head) + p->size)
		rc = died_starting(text, status, p->cxx, err);
	else
		rc = heard(p, got, err);
	free(got);
	free(text);
	return rc;
}

/* Before the runner: p's check, the probe and p's chosen, for a command line it will run. */
static int check_runtime(struct zc_scenario *sc, const struct zc_python_probe *p, int argc,
			 char **argv, struct zc_error *err)
{
	const char *names[ZC_MAX_STRATEGIES];
	for (size_t i = 0; i < sc->nstrategies; i++)
		names[i] = sc->strategies[i]->name;
	struct zc_options o;
	struct zc_error bad = {0};
	int rc = 0;
	if (zc_options_parse(&o, argc, argv, names, sc->nstrategies, sc->options, &bad) != 0 ||
	    o.help || o.list)
		goto out_release;
	rc = p->check ? p->check(&o, err) : 0;
	if (rc == 0)
		rc = probe(sc, &o, p, err);
	if (rc == 0 && p->chosen)
		rc = p->chosen(sc, &o, p->answer, err);
out_release:
	zc_options_release(&o);
	return rc;
}

int zc_python_main(struct zc_scenario *sc, const struct zc_python_probe *p, int argc,
		   char **argv)
{
	assert(sc && p && (p->start || sc->start) && (p->answer || !p->size));
	struct zc_error err = {0};
	if (p->open && p->open(&err) != 0)
		return zc_scenario_say_error(sc, &err);
	int rc = check_runtime(sc, p, argc, argv, &err) != 0 ? zc_scenario_say_error(sc, &err)
							       : zc_scenario_main(sc, argc, argv);
	if (p->close)
		p->close();
	return rc;
}
