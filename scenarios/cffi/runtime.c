/*
 * runtime.c: the embedded interpreter (runtime.h).
 *
 * Known repetition: the python boundary's interp.c starts CPython the same way; a
 * boundary-neutral home for it is to come.
 */
#include "runtime.h"

#include <stdbool.h>
#include <string.h>

#define CONSUMER_PATH "scenarios/cffi/consumer.py" /* for tracebacks: where it is edited */

#ifndef ZC_PYTHON_HOME
#error "boundary.mk gives ZC_PYTHON_HOME, the prefix of the Python the headers belong to"
#endif

static bool started;
static struct zc_cffi_runtime runtime;
static struct zc_error start_error;

/*
 * Whether an exception of type, whose words are msg, says memory ran out: a MemoryError, or
 * a library whose segments could not be mapped (cffi's dlopen), or an mmap refused (ENOMEM),
 * which say so only in their text.
 */
static bool says_no_memory(PyObject *type, const char *msg)
{
	return (type && PyErr_GivenExceptionMatches(type, PyExc_MemoryError)) ||
	       (msg && (strstr(msg, "failed to map segment") ||
			strstr(msg, "Cannot allocate memory")));
}

int zc_cffi_error(struct zc_error *err, const char *what)
{
	PyObject *type, *value, *tb;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	PyObject *text = value ? PyObject_Str(value) : NULL;
	const char *msg = text ? PyUnicode_AsUTF8(text) : NULL;
	bool nomem = says_no_memory(type, msg);
	zc_error_set(err, nomem ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME, "%s%s: %s%s%s",
		     nomem ? "out of memory: " : "", what,
		     type ? ((PyTypeObject *)type)->tp_name : "unknown error",
		     msg && *msg ? ": " : "", msg ? msg : "");
	Py_XDECREF(text);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	PyErr_Clear();
	return -1;
}

/* Whether the exception a failed start left behind (none: false) says memory ran out. */
static bool left_no_memory(void)
{
	if (!_PyThreadState_UncheckedGet() || !PyErr_Occurred())
		return false;
	PyObject *type, *value, *tb;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	PyObject *text = value ? PyObject_Str(value) : NULL;
	bool nomem = !text || says_no_memory(type, PyUnicode_AsUTF8(text)); /* no room for words */
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
	/*
	 * A step that failed for memory says so in the status, or leaves an exception that says
	 * so (a MemoryError; an ImportError of a library that could not be mapped).
	 */
	bool nomem = (st.err_msg && strstr(st.err_msg, "memory allocation failed")) ||
		     left_no_memory();
	return zc_error_set(err, nomem ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME,
			    "%scannot start the interpreter (home %s): %s%s%s",
			    nomem ? "out of memory: " : "", ZC_PYTHON_HOME, st.func ? st.func : "",
			    st.func ? ": " : "", st.err_msg ? st.err_msg : "unknown error");
}

static int initialize(struct zc_error *err)
{
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

/* consumer.py, compiled from the source in the program, as the module zcbench_consumer. */
static int load_consumer(struct zc_cffi_runtime *rt, struct zc_error *err)
{
	PyObject *code = Py_CompileString(zc_cffi_consumer_source, CONSUMER_PATH, Py_file_input);
	rt->consumer = code ? PyImport_ExecCodeModule("zcbench_consumer", code) : NULL;
	Py_XDECREF(code);
	if (!rt->consumer)
		return zc_cffi_error(err, "cannot load " CONSUMER_PATH " (cffi: Debian package "
				     "python3-cffi)");
	rt->take = PyUnicode_InternFromString("take");
	rt->read = PyUnicode_InternFromString("read");
	rt->drop = PyUnicode_InternFromString("drop");
	rt->address = PyUnicode_InternFromString("address");
	if (!rt->take || !rt->read || !rt->drop || !rt->address)
		return zc_cffi_error(err, "cannot name the consumer's methods");
	PyObject *v = PyObject_CallMethod(rt->consumer, "version", NULL);
	const char *s = v && PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;
	if (!s) {
		Py_XDECREF(v);
		return zc_cffi_error(err, "cannot ask for cffi's version");
	}
	snprintf(rt->cffi, sizeof(rt->cffi), "%s", s);
	Py_DECREF(v);
	snprintf(rt->python, sizeof(rt->python), "%s", Py_GetVersion());
	rt->python[strcspn(rt->python, " ")] = '\0';
	return 0;
}

const struct zc_cffi_runtime *zc_cffi_start(struct zc_error *err)
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
