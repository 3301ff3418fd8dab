/*
 * exporter.c: the extension type _zcbench.Frame (exporter.h), a static type in the module
 * _zcbench that the interpreter gets through PyImport_AppendInittab.
 */
#include "exporter.h"

struct frame_obj {
	PyObject_HEAD
	unsigned char *data;
	Py_ssize_t len;
	zcp_release_fn release; /* NULL: borrowed, the producer keeps the frame */
	void *ctx;
};

static struct zc_py_frame_stats stats;
static enum zc_python_phase phase = ZC_PYTHON_OUTSIDE;

void zc_py_set_phase(enum zc_python_phase p)
{
	phase = p;
}

const struct zc_py_frame_stats *zc_py_frame_stats(void)
{
	return &stats;
}

/* Read-only: the consumer looks at the producer's frame, it does not write it. */
static int frame_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
	struct frame_obj *f = (struct frame_obj *)self;
	if (PyBuffer_FillInfo(view, self, f->data, f->len, 1, flags) != 0)
		return -1;
	stats.exports++;
	return 0;
}

static void frame_releasebuffer(PyObject *self, Py_buffer *view)
{
	(void)self;
	(void)view;
	stats.releases[phase]++;
}

/* The last reference went: the frame goes back to the producer now. */
static void frame_dealloc(PyObject *self)
{
	struct frame_obj *f = (struct frame_obj *)self;
	if (f->release) {
		f->release(f->ctx, f->data);
		stats.given_back[phase]++;
	}
	stats.died[phase]++;
	Py_TYPE(self)->tp_free(self);
}

static PyBufferProcs frame_as_buffer = {
	.bf_getbuffer = frame_getbuffer,
	.bf_releasebuffer = frame_releasebuffer,
};

static PyTypeObject frame_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "_zcbench.Frame",
	.tp_doc = "A native frame exported through the buffer protocol, read-only.",
	.tp_basicsize = sizeof(struct frame_obj),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_dealloc = frame_dealloc,
	.tp_as_buffer = &frame_as_buffer,
};

PyObject *zc_py_frame_new(unsigned char *data, size_t len, zcp_release_fn release, void *ctx)
{
	struct frame_obj *f = PyObject_New(struct frame_obj, &frame_type);
	if (!f)
		return NULL;
	f->data = data;
	f->len = (Py_ssize_t)len;
	f->release = release;
	f->ctx = ctx;
	stats.created++;
	return (PyObject *)f;
}

static struct PyModuleDef module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "_zcbench",
	.m_doc = "zcbench's native side: the frames a producer hands to Python.",
	.m_size = -1,
};

PyObject *zc_py_exporter_module(void)
{
	if (PyType_Ready(&frame_type) != 0)
		return NULL;
	PyObject *m = PyModule_Create(&module);
	if (m && PyModule_AddObjectRef(m, "Frame", (PyObject *)&frame_type) != 0)
		Py_CLEAR(m);
	return m;
}
