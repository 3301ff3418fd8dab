/*
 * exporter.c: zcdlpack.Frame, the object numpy's from_dlpack takes (exporter.h), as a
 * library author writes one with DLPack 0.6:
 *
 *   __dlpack__(stream=None)  a PyCapsule named "dltensor" over the frame's DLManagedTensor;
 *                            once: the tensor has one owner (a second call raises BufferError)
 *   __dlpack_device__()      (kDLCPU, 0)
 *
 * The consumer that takes the capsule renames it "used_dltensor" and calls the deleter when
 * it is done (numpy: when the array's base dies). A capsule nobody took calls the deleter
 * itself when it dies, as the DLPack specification asks; so does an exporter whose capsule
 * was never asked for. The deleter gives the frame back to the producer and frees the tensor.
 */
#include "exporter.h"

#include <dlpack/dlpack.h>
#include <stdlib.h>

#define CAPSULE_NAME "dltensor"
#define USED_CAPSULE_NAME "used_dltensor"

static struct zc_dl_stats stats;
static enum zc_python_phase phase = ZC_PYTHON_OUTSIDE;

/* What the tensor's manager_ctx holds: the frame and how it goes back, the shape it has. */
struct managed {
	DLManagedTensor tensor;
	int64_t shape[3];
	zcp_release_fn release;
	void *ctx;
};

typedef struct {
	PyObject_HEAD
	DLManagedTensor *tensor; /* NULL once handed out in a capsule */
} Frame;

void zc_dl_set_phase(enum zc_python_phase p)
{
	phase = p;
}

const struct zc_dl_stats *zc_dl_stats(void)
{
	return &stats;
}

/* The deleter: the frame back to the producer, the tensor freed. Called once per tensor. */
static void delete_tensor(DLManagedTensor *self)
{
	struct managed *m = self->manager_ctx;
	m->release(m->ctx, self->dl_tensor.data);
	stats.deleted[phase]++;
	free(m);
}

/* A capsule that dies still named "dltensor" was never consumed: its tensor is still ours. */
static void capsule_died(PyObject *capsule)
{
	if (!PyCapsule_IsValid(capsule, CAPSULE_NAME))
		return;
	DLManagedTensor *t = PyCapsule_GetPointer(capsule, CAPSULE_NAME);
	t->deleter(t);
}

static PyObject *frame_dlpack(PyObject *self, PyObject *args, PyObject *kwargs)
{
	static char stream_name[] = "stream";
	static char *names[] = {stream_name, NULL};
	PyObject *stream = Py_None;
	Frame *f = (Frame *)self;
	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$O:__dlpack__", names, &stream))
		return NULL;
	if (stream != Py_None) {
		PyErr_SetString(PyExc_RuntimeError, "a frame on the CPU takes no stream");
		return NULL;
	}
	if (!f->tensor) {
		PyErr_SetString(PyExc_BufferError, "the frame was exported already");
		return NULL;
	}
	PyObject *capsule = PyCapsule_New(f->tensor, CAPSULE_NAME, capsule_died);
	if (!capsule)
		return NULL;
	f->tensor = NULL;
	stats.exported++;
	return capsule;
}

static PyObject *frame_dlpack_device(PyObject *self, PyObject *unused)
{
	(void)self;
	(void)unused;
	return Py_BuildValue("ii", (int)kDLCPU, 0);
}

static void frame_dealloc(PyObject *self)
{
	Frame *f = (Frame *)self;
	if (f->tensor)
		f->tensor->deleter(f->tensor);
	Py_TYPE(self)->tp_free(self);
}

static PyMethodDef frame_methods[] = {
	{"__dlpack__", (PyCFunction)(void (*)(void))frame_dlpack, METH_VARARGS | METH_KEYWORDS,
	 "The frame's DLManagedTensor in a capsule named 'dltensor', once."},
	{"__dlpack_device__", frame_dlpack_device, METH_NOARGS, "(kDLCPU, 0)"},
	{NULL, NULL, 0, NULL},
};

static PyTypeObject frame_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = ZC_DL_MODULE ".Frame",
	.tp_doc = "A frame of the producer, exported through DLPack.",
	.tp_basicsize = sizeof(Frame),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_dealloc = frame_dealloc,
	.tp_methods = frame_methods,
};

static struct PyModuleDef module = {
	PyModuleDef_HEAD_INIT,
	.m_name = ZC_DL_MODULE,
	.m_doc = "zcbench's DLPack exporter: a producer's frame handed to numpy.",
	.m_size = -1,
};

PyObject *zc_dl_module_init(void)
{
	if (PyType_Ready(&frame_type) < 0)
		return NULL;
	PyObject *m = PyModule_Create(&module);
	if (m && PyModule_AddObjectRef(m, "Frame", (PyObject *)&frame_type) < 0)
		Py_CLEAR(m);
	return m;
}

/* The DLManagedTensor of frame data, (height, width, 4) uint8 on the CPU, C-contiguous. */
static struct managed *describe(const struct zc_frame_geom *g, unsigned char *data)
{
	struct managed *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->shape[0] = g->height;
	m->shape[1] = g->width;
	m->shape[2] = g->bytes_per_pixel;
	m->tensor.dl_tensor = (DLTensor){
		.data = data,
		.device = {.device_type = kDLCPU, .device_id = 0},
		.ndim = 3,
		.dtype = {.code = kDLUInt, .bits = 8, .lanes = 1},
		.shape = m->shape,
		.strides = NULL, /* compact, row-major */
		.byte_offset = 0,
	};
	m->tensor.manager_ctx = m;
	m->tensor.deleter = delete_tensor;
	return m;
}

PyObject *zc_dl_export(const struct zc_producer_api *api, struct zcp_producer *p,
		       const struct zc_frame_geom *g, uint64_t seq, bool render,
		       unsigned char **data)
{
	Frame *f = PyObject_New(Frame, &frame_type);
	if (!f)
		return NULL;
	f->tensor = NULL;
	zcp_release_fn release = NULL;
	void *ctx = NULL;
	unsigned char *frame = api->take_frame(p, seq, render, &release, &ctx);
	struct managed *m = frame ? describe(g, frame) : NULL;
	if (!m) {
		if (frame)
			release(ctx, frame);
		Py_DECREF(f);
		return PyErr_NoMemory();
	}
	m->release = release;
	m->ctx = ctx;
	f->tensor = &m->tensor;
	stats.taken++;
	*data = frame;
	return (PyObject *)f;
}
