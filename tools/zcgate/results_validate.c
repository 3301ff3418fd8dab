/*
 * results_validate.c: check a parsed results file against the zcbench/1 schema: the required
 * members, the type of every field of a result that schema.h lists (when present), and one
 * result per scenario and strategy.
 */
#include "results_load.h"
#include "schema.h"

#include <stdio.h>
#include <string.h>

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

/* What a field of @t must be, for messages: "a number", "an array of numbers". */
static const char *field_type_name(enum zc_schema_type t)
{
	switch (t) {
	case ZC_TYPE_STRING: return "a string";
	case ZC_TYPE_BOOL: return "true or false";
	case ZC_TYPE_INTEGER: return "an integer";
	case ZC_TYPE_NUMBER: return "a number";
	case ZC_TYPE_OBJECT: return "an object";
	case ZC_TYPE_ARRAY: return "an array";
	case ZC_TYPE_NUMBERS: return "an array of numbers";
	case ZC_TYPE_STRINGS: return "an array of strings";
	case ZC_TYPE_STRING_OR_NULL: return "a string or null";
	case ZC_TYPE_STRING_OR_INTEGER: return "a string or an integer";
	case ZC_TYPE_NUMBER_OR_NULL: return "a number or null";
	case ZC_TYPE_ARRAY_OR_NULL: return "an array or null";
	}
	return "unknown";
}

static int check_schema(const char *path, const json_t *root, struct zc_error *err)
{
	const json_t *schema;

	if (!json_is_object(root))
		return zc_error_set(err, ZC_RESULTS_ESCHEMA,
				    "wrong schema in '%s': top level is %s, expected an object",
				    path, type_name(root));
	schema = json_object_get(root, "schema");
	if (!schema)
		return zc_error_set(err, ZC_RESULTS_ESCHEMA,
				    "wrong schema in '%s': no 'schema', expected '%s'", path,
				    ZC_RESULTS_SCHEMA);
	if (!json_is_string(schema) || strcmp(json_string_value(schema), ZC_RESULTS_SCHEMA))
		return zc_error_set(err, ZC_RESULTS_ESCHEMA,
				    "wrong schema in '%s': '%s', expected '%s'", path,
				    json_is_string(schema) ? json_string_value(schema)
							   : type_name(schema),
				    ZC_RESULTS_SCHEMA);
	return 0;
}

/* A required member of @obj of type @type; @where names @obj in messages. */
static json_t *require(const char *path, const json_t *obj, const char *where, const char *key,
		       enum zc_schema_type type, struct zc_error *err)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		zc_error_set(err, ZC_RESULTS_ESCHEMA, "wrong schema in '%s': no '%s%s'", path,
			     where, key);
		return NULL;
	}
	if (!zc_schema_type_matches(type, v)) {
		zc_error_set(err, ZC_RESULTS_ETYPE, "wrong type in '%s': '%s%s' is %s, expected %s",
			     path, where, key, type_name(v), field_type_name(type));
		return NULL;
	}
	return v;
}

static int check_frame(struct zc_results_file *file, struct zc_error *err)
{
	json_t *frame, *w, *h;

	frame = require(file->path, file->root, "", "frame", ZC_TYPE_OBJECT, err);
	if (!frame)
		return -1;
	w = json_object_get(frame, "width");
	h = json_object_get(frame, "height");
	if (!json_is_integer(w) || !json_is_integer(h) ||
	    json_integer_value(w) <= 0 || json_integer_value(h) <= 0)
		return zc_error_set(err, ZC_RESULTS_ETYPE, "wrong type in '%s': 'frame' needs "
				    "positive integers 'width' and 'height'", file->path);
	file->width = json_integer_value(w);
	file->height = json_integer_value(h);
	return 0;
}

/*
 * Check one field of a result: present when schema.h says it is a key, and of its type when
 * present. A parent comes before its children in the table, so a child of a field of the
 * wrong type is never looked up.
 */
static int check_field(const char *path, const char *where, const json_t *r,
		       const struct zc_schema_field *f, struct zc_error *err)
{
	const json_t *v = zc_results_field(r, f->path);

	if (!v && f->presence == ZC_PRESENCE_KEY)
		return zc_error_set(err, ZC_RESULTS_ESCHEMA, "wrong schema in '%s': no '%s%s'",
				    path, where, f->path);
	if (v && !zc_schema_type_matches(f->type, v))
		return zc_error_set(err, ZC_RESULTS_ETYPE,
				    "wrong type in '%s': '%s%s' is %s, expected %s", path, where,
				    f->path, type_name(v), field_type_name(f->type));
	return 0;
}

static int check_result(const char *path, size_t index, const json_t *r, struct zc_error *err)
{
	size_t n;
	const struct zc_schema_field *fields = zc_schema_fields(ZC_SCHEMA_RESULT, &n);
	char where[32];

	snprintf(where, sizeof(where), "results[%zu].", index);
	if (!json_is_object(r))
		return zc_error_set(err, ZC_RESULTS_ETYPE,
				    "wrong type in '%s': 'results[%zu]' is %s, expected an object",
				    path, index, type_name(r));
	/* The keys first: a result without one is not a result, whatever else it holds. */
	for (size_t i = 0; i < n; i++)
		if (fields[i].presence == ZC_PRESENCE_KEY &&
		    check_field(path, where, r, &fields[i], err))
			return -1;
	for (size_t i = 0; i < n; i++)
		if (check_field(path, where, r, &fields[i], err))
			return -1;
	return 0;
}

/* 0 when no two results of @file share a scenario and a strategy. */
static int check_unique(const struct zc_results_file *file, struct zc_error *err)
{
	const json_t *results = json_object_get(file->root, "results");
	size_t i;
	json_t *r;

	json_array_foreach(results, i, r) {
		const char *scenario = zc_results_scenario(file, r);
		const char *strategy = json_string_value(json_object_get(r, "strategy"));

		if (zc_results_lookup(file, scenario, strategy) != r)
			return zc_error_set(err, ZC_RESULTS_EDUPLICATE,
					    "duplicate result '%s/%s' in '%s'", scenario, strategy,
					    file->path);
	}
	return 0;
}

int zc_results_validate(struct zc_results_file *file, struct zc_error *err)
{
	json_t *scenario, *results, *r;
	size_t i;

	if (check_schema(file->path, file->root, err))
		return -1;
	scenario = require(file->path, file->root, "", "scenario", ZC_TYPE_STRING, err);
	if (!scenario)
		return -1;
	file->scenario = json_string_value(scenario);
	if (check_frame(file, err))
		return -1;
	results = require(file->path, file->root, "", "results", ZC_TYPE_ARRAY, err);
	if (!results)
		return -1;
	json_array_foreach(results, i, r)
		if (check_result(file->path, i, r, err))
			return -1;
	return check_unique(file, err);
}
