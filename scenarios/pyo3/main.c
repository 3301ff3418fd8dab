/*
 * pyo3: a real bridge between Rust and Python. The Rust producer library
 * (build/lib/libzcproducer_rust.so, loaded with dlopen) hands frames to Python code in an
 * embedded CPython through an extension module written with pyo3 0.17 (module/, imported
 * from build/lib/pyo3/zcpyo3.so): bytes made by PyBytes::new or PyBytes::new_with, a Vec<u8>
 * turned into a list, a #[pyclass] exporting its buffer.
 *
 * The interpreter never starts in this process, only in the processes that measure (and
 * one probe first): the scenario's start hook starts it in each measuring process as it
 * begins, before the runner counts anything, so that what CPython and pyo3 allocate at
 * start-up and keep for the life of the process is not counted as a strategy's leak. The
 * probe says whether it starts at all: when it cannot, one line says why.
 *
 * Known repetition: the probe is the python, pybind11 and cffi boundaries' (their main.c);
 * a boundary-neutral "start a runtime in a child and hear why it died" is to come in src/.
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
#include "options.h"
#include "pyo3_strategies.h"
#include "scenario.h"

/* What the probe process found. */
struct probe_answer {
	int code;       /* 0: the interpreter started; else an exit status */
	char why[512];  /* why it did not start */
};

/* The start hook: in every measuring process, the interpreter starts first, once. */
static int start_interpreter(const struct zc_options *opt, struct zc_error *err)
{
	(void)opt;
	return zc_pyo3_prepare(err);
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
	if (zc_pyo3_prepare(&err) != 0) {
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
static int probe(struct zc_error *err)
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
	struct probe_answer a;
	int rc = 0;
	if (pid < 0)
		rc = zc_error_set(err, zc_exit_for_errno(errno), "cannot fork: %s",
				  strerror(errno));
	else if (!got || len != sizeof(a))
		rc = died_starting(text, status, err);
	else if (memcpy(&a, got, sizeof(a)), a.code != 0)
		rc = zc_error_set(err, a.code, "%s", a.why);
	free(got);
	free(text);
	return rc;
}

/*
 * Before the runner: the command line read as the runner will (a bad one, --help and --list
 * are left to it, without starting anything), a frame the strategies cannot hold refused,
 * then the interpreter probed. 0, or -1 with err.
 */
static int check_runtime(const struct zc_scenario *sc, int argc, char **argv,
			 struct zc_error *err)
{
	const char *names[ZC_MAX_STRATEGIES];
	for (size_t i = 0; i < sc->nstrategies; i++)
		names[i] = sc->strategies[i]->name;
	struct zc_options o;
	struct zc_error bad = {0};
	int rc = 0;
	if (zc_options_parse(&o, argc, argv, names, sc->nstrategies, sc->options, &bad) == 0 &&
	    !o.help && !o.list)
		rc = zc_pyo3_check_frame(&o.frame, o.selected, err) != 0 ? -1 : probe(err);
	zc_options_release(&o);
	return rc;
}

int main(int argc, char **argv)
{
	struct zc_error err = {0};
	if (zc_pyo3_open(&err) != 0) {
		fprintf(stderr, "pyo3: %s\n", err.text);
		return err.code;
	}
	struct zc_scenario sc = {
		.name = "pyo3",
		.summary = "Hands frames from a Rust producer to Python code through a real pyo3 "
			   "module: copied into bytes or a list, or viewed through a #[pyclass].",
		.report = zc_pyo3_report,
		.start = start_interpreter,
	};
	sc.strategies = zc_pyo3_strategies(&sc.nstrategies);
	int rc;
	if (check_runtime(&sc, argc, argv, &err) != 0) {
		fprintf(stderr, "pyo3: %s\n", err.text);
		rc = err.code;
	} else {
		rc = zc_scenario_main(&sc, argc, argv);
	}
	zc_pyo3_close();
	return rc;
}
