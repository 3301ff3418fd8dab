/*
 * python_embed.c: the embedded interpreter (python_embed.h).
 */
#include "python_embed.h"

#include <assert.h>
#include <string.h>

#ifndef ZC_PYTHON_HOME
#error "python_embed.mk gives ZC_PYTHON_HOME, the prefix of the Python the headers belong to"
#endif

static bool started;
static struct zc_error start_error;

/*
 * Whether an exception of type, whose words are msg, says memory ran out: a MemoryError, or
 * a library whose segments could not be mapped (cffi's dlopen, an extension module), or an
 * mmap refused (ENOMEM), which say so only in their text (a tight ulimit -v gives each).
 */
static bool says_no_memory(PyObject *type, const char *msg)
{
	return (type && PyErr_GivenExceptionMatches(type, PyExc_MemoryError)) ||
	       (msg && (strstr(msg, "failed to map segment") ||
			strstr(msg, "Cannot allocate memory")));
}

/*
 * The pending exception into err, one line after what, and cleared. Memory that ran out
 * makes the line begin "out of memory: " (exit 4): a MemoryError, and with by_text also an
 * exception whose words say so (zc_python_error); without, only a MemoryError
 * (zc_python_error_plain).
 */
static int record(struct zc_error *err, const char *what, bool by_text)
{
	PyObject *type, *value, *tb;
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	PyObject *text = value ? PyObject_Str(value) : NULL;
	const char *msg = text ? PyUnicode_AsUTF8(text) : NULL;
	bool nomem = by_text ? says_no_memory(type, msg)
			     : type && PyErr_GivenExceptionMatches(type, PyExc_MemoryError);
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

int zc_python_error(struct zc_error *err, const char *what)
{
	return record(err, what, true);
}

int zc_python_error_plain(struct zc_error *err, const char *what)
{
	return record(err, what, false);
}

int zc_python_read_byte(PyObject *consumer, PyObject *read, size_t offset,
			unsigned char *value, int (*error)(struct zc_error *, const char *),
			struct zc_error *err)
{
	PyObject *k = PyLong_FromSize_t(offset);
	PyObject *r = k ? zc_python_call(read, consumer, k, NULL) : NULL;
	Py_XDECREF(k);
	long byte = r ? PyLong_AsLong(r) : -1;
	Py_XDECREF(r);
	if (byte < 0 || byte > 255) {
		if (!PyErr_Occurred())
			PyErr_Format(PyExc_ValueError, "read %ld, not a byte", byte);
		return error(err, "the consumer could not read its frame");
	}
	*value = (unsigned char)byte;
	return 0;
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

static int initialize(const struct zc_python_embed *e, struct zc_error *err)
{
	if (e->module && PyImport_AppendInittab(e->module, e->module_init) != 0)
		return zc_error_set(err, ZC_EXIT_NOMEM, "out of memory: cannot add %s", e->module);
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

int zc_python_embed_start(const struct zc_python_embed *e, struct zc_error *err)
{
	assert(e && e->load);
	if (!started) {
		started = true;
		if (initialize(e, &start_error) == 0)
			e->load(e->ctx, &start_error);
	}
	if (start_error.code)
		return zc_error_set(err, start_error.code, "%s", start_error.text);
	return 0;
}

void zc_python_version(char *buf, size_t size)
{
	snprintf(buf, size, "%s", Py_GetVersion());
	buf[strcspn(buf, " ")] = '\0';
}
