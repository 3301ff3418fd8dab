/*
 * python_phase.h: where the program is when a frame goes back to its producer, the phases by
 * which the Python family counts the frames its consumers gave back (python's exporter,
 * dlpack's deleter, pyo3's and pybind11's owners; cffi's consumer counts its own in Python).
 * The JSON names them while_taking, at_drop and later (python_rows.h). C and C++ include it.
 */
#ifndef ZC_PYTHON_PHASE_H
#define ZC_PYTHON_PHASE_H

enum zc_python_phase {
	ZC_PYTHON_OUTSIDE,  /* neither below: a collection by the gc, a teardown ("later") */
	ZC_PYTHON_TAKING,   /* the consumer is receiving the frame (it did not keep the owner) */
	ZC_PYTHON_DROPPING, /* the consumer is dropping its object: the last reference dies */
	ZC_PYTHON_PHASES
};

#endif
