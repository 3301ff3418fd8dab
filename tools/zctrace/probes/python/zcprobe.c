/*
 * zcprobe.c: the probe API for Python, the extension module zcprobe.
 *
 *   zcprobe.mark(tag, buf)  marks the bytes of buf under tag for zctrace: any object with the
 *                           buffer protocol whose bytes are one contiguous block (bytes,
 *                           bytearray, memoryview, array.array, mmap, a contiguous numpy
 *                           array), at the address its exporter gives C code
 *   zcprobe.available()     True when zctrace runs the program (zc_probe_mark is defined)
 *
 * A C extension rather than ctypes, whose from_buffer takes writable buffers only: bytes are
 * read-only. The buffer is held while it is marked (a bytearray cannot
 * be resized meanwhile) and the GIL released, since a mark reads every byte.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "zcprobe_lookup.h"

/* NULL without zctrace: then a mark checks its arguments and does nothing else. */
static zcprobe_mark_fn *mark_fn;

PyDoc_STRVAR(mark_doc,
	     "mark(tag, buf, /)\n--\n\n"
	     "Mark the bytes of buf (bytes, bytearray, memoryview, a contiguous numpy array: any\n"
	     "contiguous object with the buffer protocol) under tag, such as 'frame:python', for\n"
	     "zctrace to pair with a mark of the same label ('frame') and judge shared or copied.\n"
	     "Without zctrace it does nothing. Raises TypeError for an object without the buffer\n"
	     "protocol, BufferError for a buffer that is not contiguous.");

static PyObject *zcprobe_mark(PyObject *self, PyObject *args)
{
	const char *tag;
	PyObject *obj;
	Py_buffer view;

	(void)self;
	if (!PyArg_ParseTuple(args, "sO:mark", &tag, &obj))
		return NULL;
	if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) != 0)
		return NULL;
	if (mark_fn) {
		Py_BEGIN_ALLOW_THREADS
		mark_fn(tag, view.buf, (size_t)view.len);
		Py_END_ALLOW_THREADS
	}
	PyBuffer_Release(&view);
	Py_RETURN_NONE;
}

PyDoc_STRVAR(available_doc, "available()\n--\n\nTrue when zctrace runs this process.");

static PyObject *zcprobe_available(PyObject *self, PyObject *unused)
{
	(void)self;
	(void)unused;
	return PyBool_FromLong(mark_fn != NULL);
}

static PyMethodDef zcprobe_methods[] = {
	{"mark", zcprobe_mark, METH_VARARGS, mark_doc},
	{"available", zcprobe_available, METH_NOARGS, available_doc},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef zcprobe_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "zcprobe",
	.m_doc = "zctrace's probe API: mark a buffer on each side of a hand-over "
		 "(docs/zctrace.md, \"Probe modules\").",
	.m_size = -1,
	.m_methods = zcprobe_methods,
};

PyMODINIT_FUNC PyInit_zcprobe(void);

PyMODINIT_FUNC PyInit_zcprobe(void)
{
	mark_fn = zcprobe_lookup();
	return PyModule_Create(&zcprobe_module);
}
