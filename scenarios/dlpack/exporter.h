/*
 * exporter.h: the producer's side of DLPack: a frame taken from the producer library,
 * described by a DLManagedTensor (uint8, shape (height, width, 4), on the CPU) and handed to
 * Python as an object with __dlpack__ and __dlpack_device__ (the module zcdlpack, an
 * extension type written in C), which is what numpy's from_dlpack asks for. The tensor's
 * deleter gives the frame back to the producer; every frame taken and every deleter call is
 * counted, by the phase the program was in.
 */
#ifndef ZC_DL_EXPORTER_H
#define ZC_DL_EXPORTER_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdbool.h>
#include <stdint.h>

#include "frame.h"
#include "producer_api.h"
#include "python_phase.h"

/* The module's name in Python. */
#define ZC_DL_MODULE "zcdlpack"

/* Every frame exported in this process, and how each came back. */
struct zc_dl_stats {
	uint64_t taken;                     /* frames taken from the producer into a tensor */
	uint64_t deleted[ZC_PYTHON_PHASES]; /* deleter calls, by the phase they ran in */
	uint64_t exported;                  /* __dlpack__ calls that handed a capsule out */
};

/* The module's init function, for PyImport_AppendInittab before the interpreter starts. */
PyObject *zc_dl_module_init(void);

/*
 * A new exporter over a frame taken from producer p (seq, rendered when render), whose shape
 * is g's: a zcdlpack.Frame. *data says where the frame is. NULL with a Python exception
 * (MemoryError when the producer had no frame).
 */
PyObject *zc_dl_export(const struct zc_producer_api *api, struct zcp_producer *p,
		       const struct zc_frame_geom *g, uint64_t seq, bool render,
		       unsigned char **data);

/* Where the program is now, which a deleter's call is counted by. */
void zc_dl_set_phase(enum zc_python_phase phase);
const struct zc_dl_stats *zc_dl_stats(void);

#endif
