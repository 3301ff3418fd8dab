/*
 * dlpack: a real bridge from C to Python through DLPack. The producer library
 * (build/lib/libzcproducer.so, loaded with dlopen) exports its frame as a DLManagedTensor
 * (DLPack 0.6), and numpy 1.24 in an embedded CPython takes it with numpy.from_dlpack: a
 * read-only view of the producer's bytes, or that view copied.
 *
 * The interpreter never starts in this process, only in the processes that measure (and
 * one probe first, scenarios/runtimes/python_probe.h): the scenario's start hook starts it in
 * each measuring process as it begins, before the runner counts anything, so that what
 * CPython and numpy allocate at start-up and keep for the life of the process is not counted
 * as a strategy's leak.
 */
#include "error.h"
#include "dlpack_strategies.h"
#include "python_probe.h"
#include "scenario.h"

/* The start hook: in every measuring process, and the probe's, the interpreter starts first. */
static int start_interpreter(const struct zc_options *opt, struct zc_error *err)
{
	(void)opt;
	return zc_dlpack_prepare(err);
}

int main(int argc, char **argv)
{
	struct zc_scenario sc = {
		.name = "dlpack",
		.summary = "Hands frames from a producer library to numpy through DLPack: "
			   "numpy.from_dlpack's read-only view, or that view copied.",
		.report = zc_dlpack_report,
		.start = start_interpreter,
	};
	sc.strategies = zc_dlpack_strategies(&sc.nstrategies);
	const struct zc_python_probe probe = {.open = zc_dlpack_open, .close = zc_dlpack_close};
	return zc_python_main(&sc, &probe, argc, argv);
}
