/*
 * python_probe.h: the program side of the Python family of boundaries (python, cffi, dlpack,
 * pyo3, pybind11). The interpreter never starts in the program's own process, only in the
 * processes that measure (the scenario's start hook) and in one probe first: the probe says
 * whether it starts at all, and when it cannot, one line says why.
 */
#ifndef ZC_PYTHON_PROBE_H
#define ZC_PYTHON_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "options.h"
#include "scenario.h"

/* What a boundary's probe does, and what it does before and after. */
struct zc_python_probe {
	/*
	 * Optional, first: opens what the strategies run on (the producer library). 0, or -1
	 * with err.
	 */
	int (*open)(struct zc_error *err);
	/* Optional, last, after a successful open: closes it. */
	void (*close)(void);
	/*
	 * In the probe's process: starts the interpreter, what it found into answer (size
	 * bytes, zeroed first; NULL and 0 when there is nothing to say). 0, or -1 with err.
	 * NULL: the scenario's start hook starts it, as in a measuring process.
	 */
	int (*start)(void *answer, struct zc_error *err);
	void *answer;
	size_t size;
	bool cxx;       /* C++ is in: a std::bad_alloc on its stderr is out of memory too */
	/* Optional, once the command line is read, before the probe. 0, or -1 with err. */
	int (*check)(const struct zc_options *o, struct zc_error *err);
	/* Optional, after a probe that started: may narrow sc's strategies. 0, or -1 with err. */
	int (*chosen)(struct zc_scenario *sc, const struct zc_options *o, const void *answer,
		      struct zc_error *err);
};

/*
 * The program's main: p's open, the command line read as the runner will (a bad one, --help
 * and --list are left to it, without starting anything), p's check, the interpreter probed,
 * p's chosen, then the runner, and p's close. A failure before the runner is one line on
 * stderr, "NAME: why", and its exit status. Returns the exit status.
 */
int zc_python_main(struct zc_scenario *sc, const struct zc_python_probe *p, int argc,
		   char **argv);

#endif
