/*
 * embed.cc: the interpreter this program embeds, started as a pybind11 program starts it
 * (py::initialize_interpreter), and the consumer (consumer.py) the strategies drive through
 * bridge.h. It starts once per process and is never finalised (numpy cannot be initialised
 * twice in one process). The consumer's calls go through CPython's vectorcall, as the python
 * boundary's do, so that what differs between the two boundaries is the bindings alone.
 */
#include "bindings.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include <pybind11/embed.h>

namespace py = pybind11;

#define CONSUMER_PATH "scenarios/pybind11/consumer.py" /* for tracebacks: where it is edited */

#ifndef ZC_PYTHON_HOME
#error "boundary.mk gives ZC_PYTHON_HOME, the prefix of the Python the headers belong to"
#endif

struct zc_pb_consumer {
	zcpb::Source source;
	PyObject *consumer = nullptr; /* consumer.Consumer(source, strategy) */
	PyObject *frame = nullptr;    /* its object of the frame in flight */
	Py_buffer view{};             /* that object's bytes, held until the drop */
	bool has_view = false;
	const char *type = "";        /* the type of its last object */
};

namespace {

bool started;
zc_pb_runtime runtime;
zc_error start_error;
PyObject *consumer_module, *take_name, *read_name, *drop_name;

/*
 * Whether an error's text says memory ran out where no MemoryError says it: pybind11's
 * "Could not allocate list object!" (pybind11_fail, a RuntimeError), an extension module
 * whose segments could not be mapped (numpy's libraries under a ulimit -v).
 */
bool says_no_memory(const char *msg)
{
	return msg && (std::strstr(msg, "Could not allocate") ||
		       std::strstr(msg, "failed to map segment") ||
		       std::strstr(msg, "Cannot allocate memory"));
}

/*
 * The pending Python exception into err, as one line ("ValueError: ...") after what, and
 * cleared: ZC_EXIT_NOMEM for a MemoryError, else ZC_EXIT_RUNTIME. Returns -1.
 */
int python_error(zc_error *err, const char *what)
{
	PyObject *type, *value, *tb;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	PyObject *text = value ? PyObject_Str(value) : nullptr;
	const char *msg = text ? PyUnicode_AsUTF8(text) : nullptr;
	bool nomem = (type && PyErr_GivenExceptionMatches(type, PyExc_MemoryError)) ||
		     says_no_memory(msg);
	zc_error_set(err, nomem ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME, "%s%s: %s%s%s",
		     nomem ? "out of memory: " : "", what,
		     type ? reinterpret_cast<PyTypeObject *>(type)->tp_name : "unknown error",
		     msg && *msg ? ": " : "", msg ? msg : "");
	Py_XDECREF(text);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	PyErr_Clear();
	return -1;
}

/* The exception in flight (inside a catch block) into err after what. Returns -1. */
int cpp_error(zc_error *err, const char *what)
{
	try {
		throw;
	} catch (py::error_already_set &e) {
		e.restore();
		return python_error(err, what);
	} catch (const std::bad_alloc &) {
		return zc_error_set(err, ZC_EXIT_NOMEM, "%s: out of memory", what);
	} catch (const std::exception &e) {
		/* A step of the start that failed for memory leaves its MemoryError behind. */
		bool nomem = std::strstr(e.what(), "memory") != nullptr || says_no_memory(e.what()) ||
			     (_PyThreadState_UncheckedGet() && PyErr_Occurred() &&
			      PyErr_ExceptionMatches(PyExc_MemoryError));
		return zc_error_set(err, nomem ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME, "%s%s: %s",
				    nomem ? "out of memory: " : "", what, e.what());
	}
}

/* The interpreter, isolated: no PYTHON* variables, no user site, its home the headers'. */
int initialize(zc_error *err)
{
	PyConfig config;
	PyConfig_InitIsolatedConfig(&config);
	config.install_signal_handlers = 0;
	config.pathconfig_warnings = 0;
	PyStatus st = PyConfig_SetBytesString(&config, &config.home, ZC_PYTHON_HOME);
	if (PyStatus_Exception(st)) {
		PyConfig_Clear(&config);
		return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory: cannot start the "
				    "interpreter (home %s)", ZC_PYTHON_HOME);
	}
	try {
		py::initialize_interpreter(&config, 0, nullptr, false); /* clears config */
	} catch (...) {
		return cpp_error(err, "cannot start the interpreter (home " ZC_PYTHON_HOME ")");
	}
	return 0;
}

/* A module's __version__ into buf; false with err when it cannot be imported. */
bool version_of(const char *module, char *buf, std::size_t len, zc_error *err)
{
	try {
		auto v = py::module_::import(module).attr("__version__").cast<std::string>();
		std::snprintf(buf, len, "%s", v.c_str());
		return true;
	} catch (...) {
		std::string what = std::string("cannot import ") + module;
		if (!std::strcmp(module, "numpy"))
			what += " (Debian package python3-numpy)";
		cpp_error(err, what.c_str());
		return false;
	}
}

/* consumer.py, compiled from the source in the program, as the module zcbench_consumer. */
int load_consumer(zc_pb_runtime *rt, zc_error *err)
{
	if (!version_of("numpy", rt->numpy, sizeof(rt->numpy), err))
		return -1;
	try {
		py::module_::import(ZC_PB_MODULE);
	} catch (...) {
		return cpp_error(err, "cannot import the bindings, " ZC_PB_MODULE);
	}
	std::snprintf(rt->pybind11, sizeof(rt->pybind11), "%d.%d.%d", PYBIND11_VERSION_MAJOR,
		      PYBIND11_VERSION_MINOR, PYBIND11_VERSION_PATCH);
	PyObject *code = Py_CompileString(zc_pb_consumer_source, CONSUMER_PATH, Py_file_input);
	consumer_module = code ? PyImport_ExecCodeModule("zcbench_consumer", code) : nullptr;
	Py_XDECREF(code);
	if (!consumer_module)
		return python_error(err, "cannot load " CONSUMER_PATH);
	take_name = PyUnicode_InternFromString("take");
	read_name = PyUnicode_InternFromString("read");
	drop_name = PyUnicode_InternFromString("drop");
	if (!take_name || !read_name || !drop_name)
		return python_error(err, "cannot name the consumer's methods");
	std::snprintf(rt->python, sizeof(rt->python), "%s", Py_GetVersion());
	rt->python[std::strcspn(rt->python, " ")] = '\0';
	return 0;
}

/* The list's every item against the producer's frame p: -1 with err at the first that differs. */
int compare_items(PyObject *list, const unsigned char *p, std::size_t bytes, zc_error *err)
{
	if (PyList_GET_SIZE(list) != static_cast<Py_ssize_t>(bytes))
		return zc_error_set(err, ZC_EXIT_RUNTIME, "the consumer's list has %zd items, "
				    "the frame %zu bytes", PyList_GET_SIZE(list), bytes);
	for (std::size_t i = 0; i < bytes; i++) {
		long item = PyLong_AsLong(PyList_GET_ITEM(list, static_cast<Py_ssize_t>(i)));
		if (item != p[i])
			return zc_error_set(err, ZC_EXIT_RUNTIME, "the consumer's list holds %ld at "
					    "%zu, the frame %u", item, i, p[i]);
	}
	return 0;
}

} // namespace

extern "C" const struct zc_pb_runtime *zc_pb_start(struct zc_error *err)
{
	if (!started) {
		started = true;
		if (initialize(&start_error) == 0)
			load_consumer(&runtime, &start_error);
	}
	if (start_error.code) {
		zc_error_set(err, start_error.code, "%s", start_error.text);
		return nullptr;
	}
	return &runtime;
}

extern "C" struct zc_pb_consumer *zc_pb_consumer_new(const char *strategy,
						     const struct zc_producer_api *api,
						     struct zcp_producer *p, size_t bytes,
						     struct zc_error *err)
{
	auto *c = new (std::nothrow) zc_pb_consumer;
	if (!c) {
		zc_error_set(err, ZC_EXIT_NOMEM, "out of memory");
		return nullptr;
	}
	c->source = zcpb::Source{api, p, bytes, false, nullptr};
	try {
		py::object source = py::cast(&c->source, py::return_value_policy::reference);
		c->consumer = PyObject_CallMethod(consumer_module, "Consumer", "Os",
						  source.ptr(), strategy);
	} catch (...) {
		cpp_error(err, "cannot set the consumer up");
		delete c;
		return nullptr;
	}
	if (!c->consumer) {
		python_error(err, "cannot set the consumer up");
		delete c;
		return nullptr;
	}
	return c;
}

extern "C" int zc_pb_take(struct zc_pb_consumer *c, uint64_t seq, bool render,
			  struct zc_pb_taken *out, struct zc_error *err)
{
	c->source.render = render;
	c->source.last = nullptr;
	PyObject *n = PyLong_FromUnsignedLongLong(seq);
	if (!n)
		return python_error(err, "the consumer refused the frame");
	zcpb::set_phase(ZC_PYTHON_TAKING);
	PyObject *args[] = {c->consumer, n};
	PyObject *frame = PyObject_VectorcallMethod(take_name, args,
						    2 | PY_VECTORCALL_ARGUMENTS_OFFSET, nullptr);
	zcpb::set_phase(ZC_PYTHON_OUTSIDE);
	Py_DECREF(n);
	if (!frame)
		return python_error(err, "the consumer refused the frame");
	c->frame = frame;
	c->type = Py_TYPE(frame)->tp_name;
	*out = zc_pb_taken{nullptr, c->source.bytes, c->source.last};
	if (PyObject_CheckBuffer(frame)) {
		if (PyObject_GetBuffer(frame, &c->view, PyBUF_SIMPLE) != 0)
			return python_error(err, "the consumer's object has no buffer");
		c->has_view = true;
		out->data = static_cast<const unsigned char *>(c->view.buf);
		out->bytes = static_cast<size_t>(c->view.len);
	} else if (render && PyList_Check(frame)) {
		return compare_items(frame, c->source.last, c->source.bytes, err);
	}
	return 0;
}

extern "C" int zc_pb_read(struct zc_pb_consumer *c, size_t offset, unsigned char *value,
			  struct zc_error *err)
{
	PyObject *k = PyLong_FromSize_t(offset);
	PyObject *args[] = {c->consumer, k};
	PyObject *r = k ? PyObject_VectorcallMethod(read_name, args,
						    2 | PY_VECTORCALL_ARGUMENTS_OFFSET, nullptr)
			: nullptr;
	Py_XDECREF(k);
	long byte = r ? PyLong_AsLong(r) : -1;
	Py_XDECREF(r);
	if (byte < 0 || byte > 255) {
		if (!PyErr_Occurred())
			PyErr_Format(PyExc_ValueError, "read %ld, not a byte", byte);
		return python_error(err, "the consumer could not read its frame");
	}
	*value = static_cast<unsigned char>(byte);
	return 0;
}

extern "C" int zc_pb_drop(struct zc_pb_consumer *c, struct zc_error *err)
{
	if (c->has_view)
		PyBuffer_Release(&c->view);
	c->has_view = false;
	Py_CLEAR(c->frame);
	zcpb::set_phase(ZC_PYTHON_DROPPING);
	PyObject *args[] = {c->consumer};
	PyObject *r = PyObject_VectorcallMethod(drop_name, args,
						1 | PY_VECTORCALL_ARGUMENTS_OFFSET, nullptr);
	zcpb::set_phase(ZC_PYTHON_OUTSIDE);
	if (!r)
		return python_error(err, "the consumer could not drop the frame");
	Py_DECREF(r);
	return 0;
}

extern "C" void zc_pb_consumer_free(struct zc_pb_consumer *c)
{
	if (!c)
		return;
	zc_error ignored{};
	zc_pb_drop(c, &ignored);
	Py_CLEAR(c->consumer);
	PyGC_Collect(); /* an owner held by a reference cycle goes now, its frame with it */
	delete c;
}

extern "C" const char *zc_pb_consumer_type(const struct zc_pb_consumer *c)
{
	return c->type;
}
