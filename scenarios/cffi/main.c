/*
 * cffi: Python code that drives the producer library (build/lib/libzcproducer.so) itself
 * through cffi, in ABI mode (ffi.dlopen), in an embedded CPython: it copies the frame into
 * bytes (ffi.unpack, a slice of ffi.buffer) or reads it in place (ffi.buffer).
 *
 * The interpreter never starts in this process, only in the processes that measure (and
 * one probe first, scenarios/runtimes/python_probe.h): the scenario's start hook starts it in
 * each measuring process as it begins, before the runner counts anything, so that what
 * CPython and cffi allocate at start-up and keep for the life of the process is not counted
 * as a strategy's leak.
 */
#include "error.h"
#include "cffi_strategies.h"
#include "python_probe.h"
#include "scenario.h"

/* The start hook: in every measuring process, and the probe's, the interpreter starts first. */
static int start_interpreter(const struct zc_options *opt, struct zc_error *err)
{
	(void)opt;
	return zc_cffi_prepare(err);
}

int main(int argc, char **argv)
{
	struct zc_scenario sc = {
		.name = "cffi",
		.summary = "Hands frames from a producer library to Python code that reads them "
			   "through cffi: copied into bytes, or seen in place with ffi.buffer.",
		.report = zc_cffi_report,
		.start = start_interpreter,
	};
	sc.strategies = zc_cffi_strategies(&sc.nstrategies);
	const struct zc_python_probe probe = {.open = zc_cffi_open};
	return zc_python_main(&sc, &probe, argc, argv);
}
