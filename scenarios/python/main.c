/*
 * python: a real CPython as the consumer. The producer library (build/lib/libzcproducer.so,
 * loaded with dlopen) hands frames to Python code through the objects a native extension
 * makes: bytes, bytearray, a buffer-protocol object seen through memoryview, numpy arrays.
 *
 * The interpreter never starts in this process, only in the processes that measure (and
 * one probe first): the scenario's start hook starts it in each measuring process as it
 * begins, before the runner counts anything, so that what CPython allocates at start-up and
 * keeps for the life of the process is not counted as a strategy's leak. The probe says
 * whether it starts at all and whether numpy is there; without numpy the numpy strategies
 * are left out, with one line.
 *
 * Its own option, --no-numpy, is read here too (before the runner reads it with the rest):
 * which strategies there are must be known before the runner starts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "fdio.h"
#include "interp.h"
#include "options.h"
#include "python_strategies.h"
#include "scenario.h"

static bool no_numpy;
static char left_out[512]; /* why the numpy strategies are not measured; "" when they are */

static const struct zc_option options[] = {
	{.name = "--no-numpy", .kind = ZC_OPT_FLAG, .value = &no_numpy,
	 .help = "leave numpy out, as where it is not installed: only\n"
		 "CPython's own objects are measured"},
	{0},
};

/* What the probe process found. */
struct probe_answer {
	int code;           /* 0: the interpreter started; else an exit status */
	char numpy[32];     /* numpy's version, "" without it */
	char why[512];      /* why it did not start, or why numpy is not there */
};

/* The start hook: in every measuring process, the interpreter starts first, once. */
static int start_interpreter(const struct zc_options *opt, struct zc_error *err)
{
	(void)opt;
	return zc_python_prepare(err);
}

/*
 * The child's side of the probe: it starts the interpreter (its fatal errors, on errfd, are
 * the parent's to tell in one line).
 */
static _Noreturn void answer_probe(int fd, int errfd)
{
	struct probe_answer a = {0};
	struct zc_error err = {0};
	if (dup2(errfd, STDERR_FILENO) < 0)
		_exit(ZC_EXIT_RUNTIME);
	const struct zc_py_runtime *rt = zc_py_start(&err);
	if (rt && zc_python_prepare(&err) == 0) {
		snprintf(a.numpy, sizeof(a.numpy), "%s", rt->numpy);
		snprintf(a.why, sizeof(a.why), "%s", rt->numpy_why);
	} else {
		a.code = err.code;
		snprintf(a.why, sizeof(a.why), "%s", err.text);
	}
	_exit(zc_write_all(fd, &a, sizeof(a)) == 0 ? 0 : ZC_EXIT_RUNTIME);
}

/*
 * A probe that died while starting: CPython printed a fatal error, caught in text (its
 * stderr), and aborted. Its first line is the reason; one about memory is out of memory.
 */
static int died_starting(const char *text, int status, struct zc_error *err)
{
	const char *at = text ? strstr(text, "Fatal Python error: ") : NULL;
	char line[256];
	if (!at)
		return zc_error_set(err, ZC_EXIT_RUNTIME, "the interpreter died while starting "
				    "(status %d)", status);
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(at, "\n"), at);
	bool nomem = strcasestr(line, "memory") != NULL;
	return zc_error_set(err, nomem ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME,
			    "%sthe interpreter died while starting: %s",
			    nomem ? "out of memory: " : "", line);
}

/* Starts the interpreter in a process of its own and asks what it found. */
static int probe(struct probe_answer *a, struct zc_error *err)
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
		answer_probe(fds[1], errfds[1]);
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
	else if (!got || len != sizeof(*a))
		rc = died_starting(text, status, err);
	else if (memcpy(a, got, sizeof(*a)), a->code != 0)
		rc = zc_error_set(err, a->code, "%s", a->why);
	free(got);
	free(text);
	return rc;
}

/*
 * Without numpy: the numpy strategies are left out of sc, unless the command line asks for
 * one of them (bad input). selected are the strategies it selects, all of them by default.
 */
static int leave_numpy_out(struct zc_scenario *sc, const bool *selected, const char *why,
			   struct zc_error *err)
{
	bool every = true;
	for (size_t i = 0; i < sc->nstrategies; i++)
		every &= selected[i];
	for (size_t i = 0; i < sc->nstrategies && !every; i++)
		if (selected[i] && zc_python_needs_numpy(sc->strategies[i]))
			return zc_error_set(err, ZC_EXIT_USAGE, "strategy '%s' needs numpy: %s",
					    sc->strategies[i]->name, why);
	snprintf(left_out, sizeof(left_out), "%s", why);
	sc->strategies = zc_python_strategies(false, &sc->nstrategies);
	return 0;
}

/*
 * Before the runner: the command line read as the runner will (a bad one is left to it),
 * the interpreter probed, the strategies chosen. Returns 0, or -1 with err.
 */
static int choose_strategies(struct zc_scenario *sc, int argc, char **argv, struct zc_error *err)
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
	zc_py_allow_numpy(!no_numpy);
	struct probe_answer a;
	rc = probe(&a, err);
	if (rc == 0 && !a.numpy[0])
		rc = leave_numpy_out(sc, o.selected, a.why, err);
out_release:
	zc_options_release(&o);
	return rc;
}

static void report(const struct zc_results *r, FILE *f)
{
	if (left_out[0])
		fprintf(f, "numpy_frombuffer, numpy_array: not measured, %s\n", left_out);
	zc_python_report(r, f);
}

int main(int argc, char **argv)
{
	struct zc_error err = {0};
	if (zc_python_open(&err) != 0) {
		fprintf(stderr, "python: %s\n", err.text);
		return err.code;
	}
	struct zc_scenario sc = {
		.name = "python",
		.summary = "Hands frames from a producer library to Python code in an embedded "
			   "CPython: copied into bytes, or shared through the buffer protocol.",
		.options = options,
		.report = report,
		.start = start_interpreter,
	};
	sc.strategies = zc_python_strategies(true, &sc.nstrategies);
	int rc;
	if (choose_strategies(&sc, argc, argv, &err) != 0) {
		fprintf(stderr, "python: %s\n", err.text);
		rc = err.code;
	} else {
		rc = zc_scenario_main(&sc, argc, argv);
	}
	zc_python_close();
	return rc;
}
