/*
 * results_load.c: read zcbench/1 results files and directories of them; results_validate.c
 * checks each file before anyone reads it.
 */
#include "results_load.h"

#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"
#include "grow.h"

static const char *const errtexts[] = {
	"no error",
#define ZC_RESULTS__TEXT(name, text) text,
	ZC_RESULTS_ERRNO_MAP(ZC_RESULTS__TEXT)
#undef ZC_RESULTS__TEXT
};

const char *zc_results_strerror(enum zc_results_errcode code)
{
	if ((size_t)code >= sizeof(errtexts) / sizeof(errtexts[0]))
		return "unknown error";
	return errtexts[code];
}

json_t *zc_results_field(const json_t *result, const char *dotted)
{
	char key[128];
	const char *dot;
	json_t *v = (json_t *)result;

	assert(dotted);
	while (v && (dot = strchr(dotted, '.'))) {
		size_t n = (size_t)(dot - dotted);

		if (n >= sizeof(key) || !json_is_object(v))
			return NULL;
		memcpy(key, dotted, n);
		key[n] = '\0';
		v = json_object_get(v, key);
		dotted = dot + 1;
	}
	return json_is_object(v) ? json_object_get(v, dotted) : NULL;
}

const char *zc_results_scenario(const struct zc_results_file *file, const json_t *result)
{
	const char *s = json_string_value(json_object_get(result, "scenario"));

	return s ? s : file->scenario;
}

json_t *zc_results_lookup(const struct zc_results_file *file, const char *scenario, const char *strategy)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(file->root, "results"), i, r) {
		const char *s = json_string_value(json_object_get(r, "strategy"));

		if (s && !strcmp(s, strategy) && !strcmp(zc_results_scenario(file, r), scenario))
			return r;
	}
	return NULL;
}

int zc_results_same_frame(const struct zc_results_file *a, const struct zc_results_file *b,
		       struct zc_error *err)
{
	if (a->width == b->width && a->height == b->height)
		return 0;
	return zc_error_set(err, ZC_RESULTS_EFRAME,
			    "different frame sizes: '%s' is %lldx%lld, '%s' is %lldx%lld", a->path,
			    (long long)a->width, (long long)a->height, b->path, (long long)b->width,
			    (long long)b->height);
}

/* Read all of @path into a NUL-terminated buffer. */
static char *read_all(const char *path, size_t *len, struct zc_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = fd < 0 ? NULL : zc_read_whole(fd, len);
	int saved = errno;

	if (fd >= 0)
		close(fd);
	if (!buf)
		zc_error_set(err, saved == ENOMEM ? ZC_RESULTS_ENOMEM : ZC_RESULTS_EMISSING,
			     "cannot read '%s': %s", path, strerror(saved));
	return buf;
}

static int is_blank(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)buf[i]))
			return 0;
	return 1;
}

static json_t *parse(const char *path, const char *buf, size_t len, struct zc_error *err)
{
	json_error_t jerr;
	const char *nul;
	json_t *root;

	if (is_blank(buf, len)) {
		zc_error_set(err, ZC_RESULTS_EEMPTY, "cannot parse '%s': empty file", path);
		return NULL;
	}
	nul = memchr(buf, '\0', len);
	if (nul) {	/* jansson would take it for the end of the input: "truncated" */
		zc_error_set(err, ZC_RESULTS_ENOTJSON,
			     "cannot parse '%s': not JSON: NUL byte at offset %zu", path,
			     (size_t)(nul - buf));
		return NULL;
	}
	root = json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (root)
		return root;
	if (json_error_code(&jerr) == json_error_premature_end_of_input)
		zc_error_set(err, ZC_RESULTS_ETRUNCATED,
			     "cannot parse '%s': truncated file at line %d column %d", path,
			     jerr.line, jerr.column);
	else
		zc_error_set(err, ZC_RESULTS_ENOTJSON,
			     "cannot parse '%s': not JSON at line %d column %d: %s", path,
			     jerr.line, jerr.column, jerr.text);
	return NULL;
}


int zc_results_parse(struct zc_results_file *file, const char *name, const char *buf, size_t len,
		  struct zc_error *err)
{
	*file = (struct zc_results_file){ 0 };
	file->path = strdup(name);
	if (!file->path)
		return zc_error_set(err, ZC_RESULTS_ENOMEM, "cannot load '%s': %s", name,
				    strerror(ENOMEM));
	file->root = parse(name, buf, len, err);
	if (!file->root || zc_results_validate(file, err)) {
		zc_results_file_release(file);
		return -1;
	}
	return 0;
}

int zc_results_load_file(struct zc_results_file *file, const char *path, struct zc_error *err)
{
	size_t len;
	char *buf = read_all(path, &len, err);
	int rc;

	*file = (struct zc_results_file){ 0 };
	if (!buf)
		return -1;
	rc = zc_results_parse(file, path, buf, len, err);
	free(buf);
	return rc;
}

void zc_results_file_release(struct zc_results_file *file)
{
	free(file->path);
	json_decref(file->root);
	*file = (struct zc_results_file){ 0 };
}

void zc_results_set_release(struct zc_results_set *set)
{
	for (size_t i = 0; i < set->nfiles; i++)
		zc_results_file_release(&set->files[i]);
	free(set->files);
	free(set->path);
	*set = (struct zc_results_set){ 0 };
}

/* Whether the directory entry @name is a results file to load. */
static int wanted(const char *dir, const char *name)
{
	size_t n = strlen(name);
	char path[4096];
	struct stat st;

	if (name[0] == '.' || !strcmp(name, "raw") || n <= 5 || strcmp(name + n - 5, ".json"))
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return 0;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the results files in @dir, sorted; *@n of them.  NULL with @err on failure. */
static char **list_dir(const char *dir, size_t *n, struct zc_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d) {
		zc_error_set(err, ZC_RESULTS_EMISSING, "cannot read '%s': %s", dir,
			     strerror(errno));
		return NULL;
	}
	while ((de = readdir(d))) {
		if (!wanted(dir, de->d_name))
			continue;
		if (zc_grow(&names, &cap, *n, sizeof(*names), 16) != 0)
			goto out_nomem;
		if (!(names[*n] = strdup(de->d_name)))
			goto out_nomem;
		++*n;
	}
	closedir(d);
	if (*n == 0) {
		zc_error_set(err, ZC_RESULTS_ENOFILES, "no results files in '%s'", dir);
		free(names);
		return NULL;
	}
	qsort(names, *n, sizeof(*names), compare_names);
	return names;

out_nomem:
	closedir(d);
	while (*n)
		free(names[--*n]);
	free(names);
	zc_error_set(err, ZC_RESULTS_ENOMEM, "cannot read '%s': %s", dir, strerror(ENOMEM));
	return NULL;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int load_dir(struct zc_results_set *set, const char *dir, struct zc_error *err)
{
	size_t n;
	char **names = list_dir(dir, &n, err);
	int rc = -1;

	if (!names)
		return -1;
	set->files = calloc(n, sizeof(*set->files));
	if (!set->files) {
		zc_error_set(err, ZC_RESULTS_ENOMEM, "cannot load '%s': %s", dir, strerror(ENOMEM));
		goto out_free_names;
	}
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		size_t len = strlen(dir);
		const char *sep = len && dir[len - 1] == '/' ? "" : "/";

		snprintf(path, sizeof(path), "%s%s%s", dir, sep, names[i]);
		if (zc_results_load_file(&set->files[i], path, err))
			goto out_free_names;
		set->nfiles++;
	}
	rc = 0;

out_free_names:
	free_names(names, n);
	return rc;
}

int zc_results_load(struct zc_results_set *set, const char *path, struct zc_error *err)
{
	struct stat st;

	*set = (struct zc_results_set){ 0 };
	if (stat(path, &st))
		return zc_error_set(err, ZC_RESULTS_EMISSING, "cannot read '%s': %s", path,
				    strerror(errno));
	set->path = strdup(path);
	if (!set->path)
		return zc_error_set(err, ZC_RESULTS_ENOMEM, "cannot load '%s': %s", path,
				    strerror(ENOMEM));
	if (S_ISDIR(st.st_mode)) {
		if (load_dir(set, path, err))
			goto out_release;
	} else {
		set->files = calloc(1, sizeof(*set->files));
		if (!set->files) {
			zc_error_set(err, ZC_RESULTS_ENOMEM, "cannot load '%s': %s", path,
				     strerror(ENOMEM));
			goto out_release;
		}
		if (zc_results_load_file(&set->files[0], path, err))
			goto out_release;
		set->nfiles = 1;
	}
	return 0;

out_release:
	zc_results_set_release(set);
	return -1;
}
