/*
 * zc_results_validate.c: check a parsed results file against the zcbench/1 schema: the required
 * members, the type of every field that consumers read, and one result per scenario and strategy.
 */
#include "results_load.h"

#include <stdio.h>
#include <string.h>

enum field_type { FIELD_STRING, FIELD_BOOL, FIELD_NUMBER, FIELD_OBJECT, FIELD_ARRAY, FIELD_SAMPLES };

/*
 * The fields of a result whose type is checked when present.  A parent comes before its children
 * so that a child is only looked up inside an object.
 */
static const struct {
	const char *path;
	enum field_type type;
} result_fields[] = {
	{ "scenario", FIELD_STRING },
	{ "mirrors", FIELD_STRING },
	{ "expect_zero_copy", FIELD_BOOL },
	{ "identity", FIELD_OBJECT },
	{ "identity.same_address", FIELD_BOOL },
	{ "identity.aliasing_visible", FIELD_BOOL },
	{ "identity.checksum_ok", FIELD_BOOL },
	{ "identity.verdict", FIELD_STRING },
	{ "time", FIELD_OBJECT },
	{ "time.ns_per_transfer", FIELD_OBJECT },
	{ "time.ns_per_transfer.median", FIELD_NUMBER },
	{ "time.samples", FIELD_SAMPLES },
	{ "time.repetitions", FIELD_NUMBER },
	{ "time.vs_memcpy", FIELD_NUMBER },
	{ "memory", FIELD_OBJECT },
	{ "allocations", FIELD_OBJECT },
	{ "allocations.count_per_transfer", FIELD_NUMBER },
	{ "allocations.bytes_per_transfer", FIELD_NUMBER },
	{ "allocations.frees_per_transfer", FIELD_NUMBER },
	{ "allocations.frame_sized_per_transfer", FIELD_NUMBER },
	{ "allocations.live_at_end", FIELD_NUMBER },
	{ "copies", FIELD_OBJECT },
	{ "copies.bytes_per_transfer", FIELD_NUMBER },
	{ "copies.copies_per_transfer", FIELD_NUMBER },
};


/* "a string", "an integer"...: what a JSON value is, for messages. */
static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "null";
	}
	return "unknown";
}

static const char *field_type_name(enum field_type t)
{
	switch (t) {
	case FIELD_STRING: return "a string";
	case FIELD_BOOL: return "true or false";
	case FIELD_NUMBER: return "a number";
	case FIELD_OBJECT: return "an object";
	case FIELD_ARRAY: return "an array";
	case FIELD_SAMPLES: return "an array of numbers";
	}
	return "unknown";
}

static int has_type(const json_t *v, enum field_type t)
{
	size_t i;
	json_t *e;

	switch (t) {
	case FIELD_STRING: return json_is_string(v);
	case FIELD_BOOL: return json_is_boolean(v);
	case FIELD_NUMBER: return json_is_number(v);
	case FIELD_OBJECT: return json_is_object(v);
	case FIELD_ARRAY: return json_is_array(v);
	case FIELD_SAMPLES:
		if (!json_is_array(v))
			return 0;
		json_array_foreach(v, i, e)
			if (!json_is_number(e))
				return 0;
		return 1;
	}
	return 0;
}
static int check_schema(const char *path, const json_t *root, struct zc_results_error *err)
{
	const json_t *schema;

	if (!json_is_object(root))
		return zc_results_error_set(err, ZC_RESULTS_ESCHEMA,
					 "wrong schema in '%s': top level is %s, expected an object",
					 path, type_name(root));
	schema = json_object_get(root, "schema");
	if (!schema)
		return zc_results_error_set(err, ZC_RESULTS_ESCHEMA,
					 "wrong schema in '%s': no 'schema', expected '%s'",
					 path, ZC_RESULTS_SCHEMA);
	if (!json_is_string(schema) || strcmp(json_string_value(schema), ZC_RESULTS_SCHEMA))
		return zc_results_error_set(err, ZC_RESULTS_ESCHEMA,
					 "wrong schema in '%s': '%s', expected '%s'", path,
					 json_is_string(schema) ? json_string_value(schema)
								: type_name(schema),
					 ZC_RESULTS_SCHEMA);
	return 0;
}

/* A required member of @obj of type @type; @where names @obj in messages. */
static json_t *require(const char *path, const json_t *obj, const char *where, const char *key,
		       enum field_type type, struct zc_results_error *err)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		zc_results_error_set(err, ZC_RESULTS_ESCHEMA, "wrong schema in '%s': no '%s%s'", path,
				  where, key);
		return NULL;
	}
	if (!has_type(v, type)) {
		zc_results_error_set(err, ZC_RESULTS_ETYPE, "wrong type in '%s': '%s%s' is %s, expected %s",
				  path, where, key, type_name(v), field_type_name(type));
		return NULL;
	}
	return v;
}

static int check_frame(struct zc_results_file *file, struct zc_results_error *err)
{
	json_t *frame, *w, *h;

	frame = require(file->path, file->root, "", "frame", FIELD_OBJECT, err);
	if (!frame)
		return -1;
	w = json_object_get(frame, "width");
	h = json_object_get(frame, "height");
	if (!json_is_integer(w) || !json_is_integer(h) ||
	    json_integer_value(w) <= 0 || json_integer_value(h) <= 0)
		return zc_results_error_set(err, ZC_RESULTS_ETYPE,
					 "wrong type in '%s': 'frame' needs positive integers "
					 "'width' and 'height'", file->path);
	file->width = json_integer_value(w);
	file->height = json_integer_value(h);
	return 0;
}

static int check_result(const char *path, size_t index, const json_t *r, struct zc_results_error *err)
{
	char where[32];

	snprintf(where, sizeof(where), "results[%zu].", index);
	if (!json_is_object(r))
		return zc_results_error_set(err, ZC_RESULTS_ETYPE,
					 "wrong type in '%s': 'results[%zu]' is %s, expected an object",
					 path, index, type_name(r));
	if (!require(path, r, where, "strategy", FIELD_STRING, err))
		return -1;
	for (size_t i = 0; i < sizeof(result_fields) / sizeof(result_fields[0]); i++) {
		const json_t *v = zc_results_field(r, result_fields[i].path);

		if (v && !has_type(v, result_fields[i].type))
			return zc_results_error_set(err, ZC_RESULTS_ETYPE,
						 "wrong type in '%s': '%s%s' is %s, expected %s",
						 path, where, result_fields[i].path, type_name(v),
						 field_type_name(result_fields[i].type));
	}
	return 0;
}

/* 0 when no two results of @file share a scenario and a strategy. */
static int check_unique(const struct zc_results_file *file, struct zc_results_error *err)
{
	const json_t *results = json_object_get(file->root, "results");
	size_t i;
	json_t *r;

	json_array_foreach(results, i, r) {
		const char *scenario = zc_results_scenario(file, r);
		const char *strategy = json_string_value(json_object_get(r, "strategy"));

		if (zc_results_lookup(file, scenario, strategy) != r)
			return zc_results_error_set(err, ZC_RESULTS_EDUPLICATE,
						 "duplicate result '%s/%s' in '%s'", scenario,
						 strategy, file->path);
	}
	return 0;
}

int zc_results_validate(struct zc_results_file *file, struct zc_results_error *err)
{
	json_t *scenario, *results, *r;
	size_t i;

	if (check_schema(file->path, file->root, err))
		return -1;
	scenario = require(file->path, file->root, "", "scenario", FIELD_STRING, err);
	if (!scenario)
		return -1;
	file->scenario = json_string_value(scenario);
	if (check_frame(file, err))
		return -1;
	results = require(file->path, file->root, "", "results", FIELD_ARRAY, err);
	if (!results)
		return -1;
	json_array_foreach(results, i, r)
		if (check_result(file->path, i, r, err))
			return -1;
	return check_unique(file, err);
}
