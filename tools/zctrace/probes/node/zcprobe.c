/*
 * zcprobe.c: the probe API for Node.js, an N-API addon (zcprobe.node, loaded by zcprobe.js).
 *
 *   mark(tag, bytes)  marks the bytes of a Buffer, a TypedArray, a DataView or an ArrayBuffer
 *                     under tag for zctrace, at the address of the object's backing store
 *                     (a view's from its byte offset, for its byte length)
 *   available()       true when zctrace runs the program (zc_probe_mark is defined)
 *
 * N-API only (no V8 or libuv headers): the addon does not depend on the ABI of the Node.js it
 * was built with. A mark runs on the JavaScript thread, so nothing can detach or free the
 * bytes while they are read.
 */
#include <stdbool.h>
#include <stddef.h>

#include <node_api.h>

#include "zcprobe_lookup.h"

/* NULL without zctrace: then a mark checks its arguments and does nothing else. */
static zcprobe_mark_fn *mark_fn;

/* Throws a TypeError (the addon's one error) and returns NULL. */
static napi_value refuse(napi_env env, const char *text)
{
	napi_throw_type_error(env, NULL, text);
	return NULL;
}

/* Bytes per element of a TypedArray of this type; 0 for a type this addon does not know. */
static size_t element_bytes(napi_typedarray_type type)
{
	switch (type) {
	case napi_int8_array:
	case napi_uint8_array:
	case napi_uint8_clamped_array:
		return 1;
	case napi_int16_array:
	case napi_uint16_array:
		return 2;
	case napi_int32_array:
	case napi_uint32_array:
	case napi_float32_array:
		return 4;
	case napi_float64_array:
	case napi_bigint64_array:
	case napi_biguint64_array:
		return 8;
	default: /* a type of a later Node.js */
		return 0;
	}
}

/*
 * Where the bytes of v are and how many: a Buffer's or TypedArray's elements, a DataView's
 * window, an ArrayBuffer's whole store. False when v is none of these.
 */
static bool bytes_of(napi_env env, napi_value v, void **p, size_t *n)
{
	bool is = false;
	if (napi_is_typedarray(env, v, &is) == napi_ok && is) { /* a Buffer too */
		napi_typedarray_type type;
		size_t length;
		if (napi_get_typedarray_info(env, v, &type, &length, p, NULL, NULL) != napi_ok ||
		    !element_bytes(type))
			return false;
		*n = length * element_bytes(type);
		return true;
	}
	if (napi_is_dataview(env, v, &is) == napi_ok && is)
		return napi_get_dataview_info(env, v, n, p, NULL, NULL) == napi_ok;
	if (napi_is_arraybuffer(env, v, &is) == napi_ok && is)
		return napi_get_arraybuffer_info(env, v, p, n) == napi_ok;
	return false;
}

static napi_value zcprobe_mark(napi_env env, napi_callback_info info)
{
	napi_value argv[2];
	size_t argc = 2;
	char tag[256];
	void *p = NULL;
	size_t n = 0;

	if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2)
		return refuse(env, "zcprobe.mark(tag, bytes): two arguments expected");
	if (napi_get_value_string_utf8(env, argv[0], tag, sizeof(tag), NULL) != napi_ok)
		return refuse(env, "zcprobe.mark(tag, bytes): the tag must be a string");
	if (!bytes_of(env, argv[1], &p, &n))
		return refuse(env, "zcprobe.mark(tag, bytes): bytes must be a Buffer, a TypedArray, "
				   "a DataView or an ArrayBuffer");
	if (mark_fn)
		mark_fn(tag, p, n);
	return NULL;
}

static napi_value zcprobe_available(napi_env env, napi_callback_info info)
{
	napi_value yes;
	(void)info;
	return napi_get_boolean(env, mark_fn != NULL, &yes) == napi_ok ? yes : NULL;
}

NAPI_MODULE_INIT()
{
	static const struct {
		const char *name;
		napi_callback fn;
	} fns[] = {{"mark", zcprobe_mark}, {"available", zcprobe_available}};

	mark_fn = zcprobe_lookup();
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		napi_value f;
		if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f) !=
			    napi_ok ||
		    napi_set_named_property(env, exports, fns[i].name, f) != napi_ok)
			return NULL;
	}
	return exports;
}
