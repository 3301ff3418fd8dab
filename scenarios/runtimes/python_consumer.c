/*
 * python_consumer.c: consumer.py and a row's consumer, as C holds it (python_consumer.h).
 */
#include "python_consumer.h"

#include <stdio.h>

PyObject *zc_python_load_consumer(const char *source, const char *path)
{
	PyObject *code = Py_CompileString(source, path, Py_file_input);
	PyObject *consumer = code ? PyImport_ExecCodeModule("zcbench_consumer", code) : NULL;
	Py_XDECREF(code);
	return consumer;
}

int zc_python_name_methods(struct zc_python_consumer_module *m)
{
	m->take = PyUnicode_InternFromString("take");
	m->read = PyUnicode_InternFromString("read");
	m->drop = PyUnicode_InternFromString("drop");
	return m->take && m->read && m->drop ? 0 : -1;
}

int zc_python_ask_version(PyObject *module, char *buf, size_t size)
{
	PyObject *v = PyObject_CallMethod(module, "version", NULL);
	const char *s = v && PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;
	if (s)
		snprintf(buf, size, "%s", s);
	Py_XDECREF(v);
	return s ? 0 : -1;
}

static void set_phase(const struct zc_python_calls *calls, enum zc_python_phase phase)
{
	if (calls->set_phase)
		calls->set_phase(phase);
}

int zc_python_consumer_hold(struct zc_python_consumer *c, PyObject *frame, struct zc_error *err)
{
	if (!frame)
		return c->calls->error(err, "the consumer refused the frame");
	c->frame = frame;
	c->type = Py_TYPE(frame)->tp_name;
	return 0;
}

void zc_python_consumer_drop(struct zc_python_consumer *c, struct zc_error *err)
{
	const struct zc_python_calls *calls = c->calls;
	if (!c->frame)
		return;
	if (!calls->phase_after_view)
		set_phase(calls, ZC_PYTHON_DROPPING);
	if (c->has_view)
		PyBuffer_Release(&c->view);
	c->has_view = false;
	Py_CLEAR(c->frame);
	if (calls->phase_after_view)
		set_phase(calls, ZC_PYTHON_DROPPING);
	PyObject *r = zc_python_call(c->module->drop, c->self, NULL, NULL);
	set_phase(calls, ZC_PYTHON_OUTSIDE);
	if (!r)
		calls->error(err, "the consumer could not drop the frame");
	Py_XDECREF(r);
}

void zc_python_consumer_close(struct zc_python_consumer *c, struct zc_error *err)
{
	zc_python_consumer_drop(c, err);
	Py_CLEAR(c->self);
}

void zc_python_consumer_row_drop(struct zc_python_row *r, struct zc_error *err)
{
	zc_python_consumer_drop(&((struct zc_python_consumer_row *)r)->consumer, err);
}

void zc_python_consumer_row_close(struct zc_python_row *r)
{
	zc_python_consumer_close(&((struct zc_python_consumer_row *)r)->consumer, &r->dropped);
	PyGC_Collect();
}

int zc_python_consumer_row_read(struct zc_python_row *r, size_t offset, unsigned char *value,
				struct zc_error *err)
{
	const struct zc_python_consumer *c = &((struct zc_python_consumer_row *)r)->consumer;
	return zc_python_read_byte(c->self, c->module->read, offset, value, c->calls->error, err);
}
