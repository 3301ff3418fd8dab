/*
 * pyo3: a real bridge between Rust and Python. The Rust producer library
 * (build/lib/libzcproducer_rust.so, loaded with dlopen) hands frames to Python code in an
 * embedded CPython through an extension module written with pyo3 0.17 (module/, imported
 * from build/lib/pyo3/zcpyo3.so): bytes made by PyBytes::new or PyBytes::new_with, a Vec<u8>
 * turned into a list, a #[pyclass] exporting its buffer.
 *
 * The interpreter never starts in this process, only in the processes that measure (and
 * one probe first, scenarios/runtimes/python_probe.h): the scenario's start hook starts it in
 * each measuring process as it begins, before the runner counts anything, so that what
 * CPython and pyo3 allocate at start-up and keep for the life of the process is not counted
 * as a strategy's leak.
 */
#include "error.h"
#include "pyo3_strategies.h"
#include "python_probe.h"
#include "scenario.h"

/* The start hook: in every measuring process, and the probe's, the interpreter starts first. */
static int start_interpreter(const struct zc_options *opt, struct zc_error *err)
{
	(void)opt;
	return zc_pyo3_prepare(err);
}

/* Before the probe: a frame the strategies cannot hold is refused. */
static int check_frame(const struct zc_options *o, struct zc_error *err)
{
	return zc_pyo3_check_frame(&o->frame, o->selected, err) != 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct zc_scenario sc = {
		.name = "pyo3",
		.summary = "Hands frames from a Rust producer to Python code through a real pyo3 "
			   "module: copied into bytes or a list, or viewed through a #[pyclass].",
		.report = zc_pyo3_report,
		.start = start_interpreter,
	};
	sc.strategies = zc_pyo3_strategies(&sc.nstrategies);
	const struct zc_python_probe probe = {
		.open = zc_pyo3_open, .close = zc_pyo3_close, .check = check_frame,
	};
	return zc_python_main(&sc, &probe, argc, argv);
}
