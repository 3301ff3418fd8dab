/*
 * python: a real CPython as the consumer. The producer library (build/lib/libzcproducer.so,
 * loaded with dlopen) hands frames to Python code through the objects a native extension
 * makes: bytes, bytearray, a buffer-protocol object seen through memoryview, numpy arrays.
 *
 * The interpreter never starts in this process, only in the processes that measure (and
 * one probe first): the scenario's start hook starts it in each measuring process as it
 * begins, before the runner counts anything, so that what CPython allocates at start-up and
 * keeps for the life of the process is not counted as a strategy's leak. The probe
 * (scenarios/runtimes/python_probe.h) says whether it starts at all and whether numpy is
 * there; without numpy the numpy strategies are left out, with one line.
 *
 * Its own option, --no-numpy, is read here too (before the runner reads it with the rest):
 * which strategies there are must be known before the runner starts.
 */
#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "interp.h"
#include "options.h"
#include "python_probe.h"
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

/* What the probe process found besides the start. */
struct numpy_answer {
	char numpy[32];     /* numpy's version, "" without it */
	char why[512];      /* why numpy is not there */
};

/* The start hook: in every measuring process, the interpreter starts first, once. */
static int start_interpreter(const struct zc_options *opt, struct zc_error *err)
{
	(void)opt;
	return zc_python_prepare(err);
}

/* The probe's start: the same, in the probe's process, and whether numpy is there. */
static int start_probe(void *answer, struct zc_error *err)
{
	struct numpy_answer *a = answer;
	const struct zc_py_runtime *rt = zc_py_start(err);
	if (!rt || zc_python_prepare(err) != 0)
		return -1;
	snprintf(a->numpy, sizeof(a->numpy), "%s", rt->numpy);
	snprintf(a->why, sizeof(a->why), "%s", rt->numpy_why);
	return 0;
}

/* Before the probe: --no-numpy read, the interpreter may import numpy or not. */
static int allow_numpy(const struct zc_options *o, struct zc_error *err)
{
	(void)o;
	(void)err;
	zc_py_allow_numpy(!no_numpy);
	return 0;
}

/*
 * After the probe, without numpy: the numpy strategies are left out of sc, unless the command
 * line asks for one of them (bad input). o->selected are the strategies it selects, all of
 * them by default.
 */
static int leave_numpy_out(struct zc_scenario *sc, const struct zc_options *o,
			   const void *answer, struct zc_error *err)
{
	const struct numpy_answer *a = answer;
	if (a->numpy[0])
		return 0;
	bool every = true;
	for (size_t i = 0; i < sc->nstrategies; i++)
		every &= o->selected[i];
	for (size_t i = 0; i < sc->nstrategies && !every; i++)
		if (o->selected[i] && zc_python_needs_numpy(sc->strategies[i]))
			return zc_error_set(err, ZC_EXIT_USAGE, "strategy '%s' needs numpy: %s",
					    sc->strategies[i]->name, a->why);
	snprintf(left_out, sizeof(left_out), "%s", a->why);
	sc->strategies = zc_python_strategies(false, &sc->nstrategies);
	return 0;
}

static void report(const struct zc_results *r, FILE *f)
{
	if (left_out[0])
		fprintf(f, "numpy_frombuffer, numpy_array: not measured, %s\n", left_out);
	zc_python_report(r, f);
}

int main(int argc, char **argv)
{
	struct zc_scenario sc = {
		.name = "python",
		.summary = "Hands frames from a producer library to Python code in an embedded "
			   "CPython: copied into bytes, or shared through the buffer protocol.",
		.options = options,
		.report = report,
		.start = start_interpreter,
	};
	sc.strategies = zc_python_strategies(true, &sc.nstrategies);
	struct numpy_answer answer;
	const struct zc_python_probe probe = {
		.open = zc_python_open, .close = zc_python_close, .start = start_probe,
		.answer = &answer, .size = sizeof(answer), .check = allow_numpy,
		.chosen = leave_numpy_out,
	};
	return zc_python_main(&sc, &probe, argc, argv);
}
