/*
 * interp.c: the embedded interpreter (interp.h).
 */
#include "interp.h"

#include <string.h>

#include "exporter.h"

#define CONSUMER_PATH "scenarios/python/consumer.py" /* for tracebacks: where it is edited */

#ifndef ZC_PYTHON_HOME
#error "boundary.mk gives ZC_PYTHON_HOME, the prefix of the Python the headers belong to"
#endif

static bool numpy_allowed = true;
static bool started;
static struct zc_py_runtime runtime;
static struct zc_error start_error;

void zc_py_allow_numpy(bool allow)
{
	numpy_allowed = allow;
}

int zc_py_error(struct zc_error *err, const char *what)
{
	PyObject *type, *value, *tb;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	int code = type && PyErr_GivenExceptionMatches(type, PyExc_MemoryError) ? ZC_EXIT_NOMEM
										 : ZC_EXIT_RUNTIME;
	PyObject *text = value ? PyObject_Str(value) : NULL;
	const char *msg = text ? PyUnicode_AsUTF8(text) : NULL;
	zc_error_set(err, code, "%s: %s%s%s", what,
		     type ? ((PyTypeObject *)type)->tp_name : "unknown error", msg && *msg ? ": " : "",
		     msg ? msg : "");
	Py_XDECREF(text);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	PyErr_Clear();
	return -1;
}

/*
 * Whether the exception a failed start left behind (none: false) says memory ran out: a
 * MemoryError while importing site, or a library whose segments could not be mapped, or an
 * mmap refused, which say so only in their text (a tight ulimit -v gives each), or no room
 * left even for its words.
 */
static bool left_no_memory(void)
{
	if (!_PyThreadState_UncheckedGet() || !PyErr_Occurred())
		return false;
	PyObject *type, *value, *tb;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	PyObject *text = value ? PyObject_Str(value) : NULL;
	const char *msg = text ? PyUnicode_AsUTF8(text) : NULL;
	bool nomem = !msg || (type && PyErr_GivenExceptionMatches(type, PyExc_MemoryError)) ||
		     strstr(msg, "failed to map segment") || strstr(msg, "Cannot allocate memory");
	Py_XDECREF(text);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	PyErr_Clear();
	return nomem;
}

/* A failed PyStatus (the interpreter did not start) into err. */
static int status_error(PyStatus st, struct zc_error *err)
{
	if (PyStatus_IsExit(st))
		return zc_error_set(err, ZC_EXIT_RUNTIME, "the interpreter exited with status %d "
				    "while starting", st.exitcode);
	/* Out of memory says so in the status, or in the exception a failed step left behind. */
	bool nomem = (st.err_msg && strstr(st.err_msg, "memory allocation failed")) ||
		     left_no_memory();
	return zc_error_set(err, nomem ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME,
			    "%scannot start the interpreter (home %s): %s%s%s",
			    nomem ? "out of memory: " : "", ZC_PYTHON_HOME, st.func ? st.func : "",
			    st.func ? ": " : "", st.err_msg ? st.err_msg : "unknown error");
}

static int initialize(struct zc_error *err)
{
	if (PyImport_AppendInittab("_zcbench", zc_py_exporter_module) != 0)
		return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory");
	PyConfig config;
	PyConfig_InitIsolatedConfig(&config);
	config.install_signal_handlers = 0;
	config.pathconfig_warnings = 0;
	PyStatus st = PyConfig_SetBytesString(&config, &config.home, ZC_PYTHON_HOME);
	if (!PyStatus_Exception(st))
		st = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	return PyStatus_Exception(st) ? status_error(st, err) : 0;
}

/* numpy's version, or why there is none, as the consumer found it. */
static int find_numpy(struct zc_py_runtime *rt, struct zc_error *err)
{
	PyObject *v = PyObject_CallMethod(rt->consumer, "numpy_version", NULL);
	if (!v)
		return zc_py_error(err, "cannot ask the consumer for numpy");
	if (v == Py_None)
		snprintf(rt->numpy_why, sizeof(rt->numpy_why), "%s",
			 numpy_allowed ? "numpy is not installed (Debian package python3-numpy)"
				       : "--no-numpy leaves numpy out");
	else if (PyUnicode_Check(v))
		snprintf(rt->numpy, sizeof(rt->numpy), "%s", PyUnicode_AsUTF8(v));
	Py_DECREF(v);
	return 0;
}

/* consumer.py, compiled from the source in the program, as the module zcbench_consumer. */
static int load_consumer(struct zc_py_runtime *rt, struct zc_error *err)
{
	/* Without numpy allowed, "import numpy" fails as it does where numpy is not installed. */
	if (!numpy_allowed && PyDict_SetItemString(PyImport_GetModuleDict(), "numpy", Py_None))
		return zc_py_error(err, "cannot leave numpy out");
	PyObject *code = Py_CompileString(zc_py_consumer_source, CONSUMER_PATH, Py_file_input);
	rt->consumer = code ? PyImport_ExecCodeModule("zcbench_consumer", code) : NULL;
	Py_XDECREF(code);
	if (!rt->consumer)
		return zc_py_error(err, "cannot load " CONSUMER_PATH);
	PyObject *exporter = PyImport_ImportModule("_zcbench");
	if (!exporter)
		return zc_py_error(err, "cannot load the module _zcbench");
	Py_DECREF(exporter);
	rt->take = PyUnicode_InternFromString("take");
	rt->read = PyUnicode_InternFromString("read");
	rt->drop = PyUnicode_InternFromString("drop");
	if (!rt->take || !rt->read || !rt->drop)
		return zc_py_error(err, "cannot name the consumer's methods");
	snprintf(rt->version, sizeof(rt->version), "%s", Py_GetVersion());
	rt->version[strcspn(rt->version, " ")] = '\0';
	return find_numpy(rt, err);
}

const struct zc_py_runtime *zc_py_start(struct zc_error *err)
{
	if (!started) {
		started = true;
		if (initialize(&start_error) == 0)
			load_consumer(&runtime, &start_error);
	}
	if (start_error.code) {
		zc_error_set(err, start_error.code, "%s", start_error.text);
		return NULL;
	}
	return &runtime;
}
