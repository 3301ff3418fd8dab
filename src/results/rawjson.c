/*
 * rawjson.c: merges per-strategy Google Benchmark JSON files: the first part's context, every
 * part's benchmarks in order.
 */
#include "rawjson.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"

int zc_raw_merge(char *const parts[], size_t n, const char *path, struct zc_error *err)
{
	json_t *doc = NULL, *all = json_array();
	int rc = -1;
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		if (stat(parts[i], &sb) != 0 || sb.st_size == 0)
			continue; /* the strategy was filtered out: Google Benchmark wrote nothing */
		json_error_t e;
		json_t *part = json_load_file(parts[i], 0, &e);
		if (!part || !json_is_array(json_object_get(part, "benchmarks"))) {
			zc_error_set(err, ZC_EXIT_RUNTIME,
				     "cannot merge Google Benchmark's '%s': %s", parts[i],
				     part ? "no benchmarks" : e.text);
			json_decref(part);
			goto out;
		}
		json_array_extend(all, json_object_get(part, "benchmarks"));
		if (!doc)
			doc = json_incref(part);
		json_decref(part);
	}
	if (!doc) {
		rc = 0; /* nothing was timed */
		goto out;
	}
	json_object_set(doc, "benchmarks", all);
	rc = zc_json_write_atomic(doc, path, err);
out:
	for (size_t i = 0; i < n; i++)
		unlink(parts[i]);
	json_decref(doc);
	json_decref(all);
	return rc;
}

const char *zc_raw_library_build(char *const parts[], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *part = json_load_file(parts[i], 0, NULL);
		const char *v = json_string_value(
			json_object_get(json_object_get(part, "context"), "library_build_type"));
		const char *known = !v ? NULL : !strcmp(v, "debug") ? "debug" :
				    !strcmp(v, "release") ? "release" : NULL;
		json_decref(part);
		if (known)
			return known;
	}
	return NULL;
}
