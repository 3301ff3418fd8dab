/*
 * fuzz_results_json.c: libFuzzer target for reading a results file (schema zcbench/1).
 *
 * Until the zcgate branch's reader (src/results_load.[ch]) is merged, this target loads with
 * jansson's json_loadb and checks the document with the small validator below, the checks a
 * reader has to make before it trusts a file. After the merge it should call results_load
 * instead (see docs/hardening.md).
 */
#include <assert.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int number(json_t *obj, const char *key)
{
	return json_is_number(json_object_get(obj, key)) ? 0 : -1;
}

static int check_result(json_t *res)
{
	json_t *id = json_object_get(res, "identity");
	json_t *time = json_object_get(res, "time");
	json_t *ns = json_object_get(time, "ns_per_transfer");
	json_t *copies = json_object_get(res, "copies");
	const char *verdict = json_string_value(json_object_get(id, "verdict"));
	if (!json_is_object(res) || !json_is_string(json_object_get(res, "strategy")) ||
	    !json_is_object(id) || !verdict ||
	    (strcmp(verdict, "copy") != 0 && strcmp(verdict, "zero-copy") != 0) ||
	    !json_is_object(ns) || number(ns, "median") != 0 || !json_is_object(copies) ||
	    number(copies, "bytes_per_transfer") != 0)
		return -1;
	json_t *samples = json_object_get(time, "samples");
	size_t i;
	json_t *v;
	if (!json_is_array(samples))
		return -1;
	json_array_foreach(samples, i, v)
		if (!json_is_number(v))
			return -1;
	return 0;
}

/* 0 when doc is a zcbench/1 results document this project could use. */
static int validate(json_t *doc)
{
	json_t *frame = json_object_get(doc, "frame");
	json_t *results = json_object_get(doc, "results");
	const char *schema = json_string_value(json_object_get(doc, "schema"));
	if (!json_is_object(doc) || !schema || strcmp(schema, "zcbench/1") != 0 ||
	    !json_is_string(json_object_get(doc, "scenario")) || !json_is_object(frame) ||
	    !json_is_integer(json_object_get(frame, "width")) ||
	    !json_is_integer(json_object_get(frame, "height")) ||
	    !json_is_integer(json_object_get(frame, "bytes")) || !json_is_array(results))
		return -1;
	size_t i;
	json_t *res;
	json_array_foreach(results, i, res)
		if (check_result(res) != 0)
			return -1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t error;
	json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &error);
	if (!doc) {
		assert(error.text[0] != '\0');
		return 0;
	}
	int valid = validate(doc);
	/* What was read writes back and reads again as the same document. */
	char *text = json_dumps(doc, JSON_ENCODE_ANY);
	if (text) {
		json_t *again = json_loads(text, JSON_DECODE_ANY, &error);
		assert(again && json_equal(doc, again));
		assert(validate(again) == valid);
		json_decref(again);
		free(text);
	}
	json_decref(doc);
	return 0;
}
