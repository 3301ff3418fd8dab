/*
 * pybind11: a real bridge between C++ and Python. The producer library
 * (build/lib/libzcproducer.so, loaded with dlopen) hands frames to Python code in an embedded
 * CPython through a pybind11 module: py::bytes, py::array_t with a py::capsule,
 * py::memoryview::from_memory, a std::vector turned into a list, a buffer-protocol class.
 *
 * The interpreter never starts in this process, only in the processes that measure (and
 * one probe first, scenarios/runtimes/python_probe.h): the scenario's start hook starts it in
 * each measuring process as it begins, before the runner counts anything, so that what
 * CPython, numpy and pybind11 allocate at start-up and keep for the life of the process is
 * not counted as a strategy's leak.
 */
#include "error.h"
#include "bridge.h"
#include "pybind11_strategies.h"
#include "python_probe.h"
#include "scenario.h"

/* The start hook: in every measuring process, and the probe's, the interpreter starts first. */
static int start_interpreter(const struct zc_options *opt, struct zc_error *err)
{
	(void)opt;
	return zc_pybind11_prepare(err);
}

int main(int argc, char **argv)
{
	struct zc_scenario sc = {
		.name = "pybind11",
		.summary = "Hands frames from a producer library to Python code through a real "
			   "pybind11 module: copied into bytes or a list, or viewed by numpy and "
			   "memoryview.",
		.report = zc_pybind11_report,
		.start = start_interpreter,
	};
	sc.strategies = zc_pybind11_strategies(&sc.nstrategies);
	const struct zc_python_probe probe = {
		.open = zc_pybind11_open, .close = zc_pybind11_close, .cxx = true,
	};
	return zc_python_main(&sc, &probe, argc, argv);
}
