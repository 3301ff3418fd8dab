/*
 * json.c: the zcbench/1 document, built by walking schema.h's field lists (docs/schema.md),
 * and the atomic writer.
 */
#include "json.h"

#include "atomic_file.h"
#include "verdict.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Where a field's value comes from (schema.h's source column): a member at offset @at of the
 * struct the row belongs to, with its count at @count for arrays.
 */
enum source_kind {
	SRC_ELSEWHERE,		/* written by another module: skipped here */
	SRC_OBJECT,		/* an empty object, filled by the rows under it */
	SRC_OBJECT_IF,		/* the same when the bool member is true; else it and the rows
				   under it are left out */
	SRC_SCHEMA,		/* ZC_SCHEMA */
	SRC_RESULTS,		/* the array of results */
	SRC_CSTR, SRC_CHARS, SRC_JSON, SRC_BOOL, SRC_TRISTATE, SRC_VERDICT, SRC_ADDR,
	SRC_U32, SRC_SIZE, SRC_INT64, SRC_DOUBLE, SRC_DOUBLES, SRC_DOUBLE_ARRAY,
	SRC_DOUBLE_OR_NULL,	/* NAN: null */
	SRC_PAGES_OR_NULL,	/* a double of bytes, written in pages of this machine; NAN: null */
	SRC_CHARS_OR_NULL,	/* "": null */
	SRC_CSTR_OR_NULL,	/* NULL: null */
	SRC_CPUS,		/* a uint64_t, a bit per CPU: the array of the CPUs set */
	SRC_FLAGS,		/* unsigned ZC_FLAG_* bits: the array of their words */
	SRC_UNWATCHED,		/* a struct zc_unwatched_list: an array of objects, or null */
};

struct source {
	const char *path;
	enum source_kind kind;
	size_t at, count;
};

#define ZC_FROM(kind, member) SRC_##kind, offsetof(SOURCE_BASE, member), 0
#define ZC_FROM_N(kind, member, n) \
	SRC_##kind, offsetof(SOURCE_BASE, member), offsetof(SOURCE_BASE, n)
#define ZC_MADE(kind) SRC_##kind, 0, 0
#define ZC_NEW_OBJECT SRC_OBJECT, 0, 0
#define ZC_ELSEWHERE SRC_ELSEWHERE, 0, 0
#define SOURCE_ROW(path, type, presence, gate, unit, source, doc) { path, source },

#define SOURCE_BASE struct zc_results
static const struct source document_sources[] = { ZC_SCHEMA_DOCUMENT_FIELDS(SOURCE_ROW) };
#undef SOURCE_BASE
#define SOURCE_BASE struct zc_result
static const struct source result_sources[] = { ZC_SCHEMA_RESULT_FIELDS(SOURCE_ROW) };
#undef SOURCE_BASE

static json_t *results_json(const struct zc_results *r);

static json_t *addr_json(uintptr_t a)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "0x%" PRIxPTR, a);
	return json_string(buf);
}

static json_t *doubles_json(const double *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

static json_t *cpus_json(uint64_t mask)
{
	json_t *a = json_array();
	for (int cpu = 0; a && cpu < 64; cpu++)
		if (mask & ((uint64_t)1 << cpu))
			json_array_append_new(a, json_integer(cpu));
	return a;
}

static json_t *flags_json(unsigned flags)
{
	json_t *a = json_array();
	for (int i = 0; a && i < ZC_FLAG_COUNT; i++)
		if (flags & (1u << i))
			json_array_append_new(a, json_string(zc_verdict_flag_word(i)));
	return a;
}

static json_t *number_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

/* The mappings an evidence pass did not watch (results.h); null when it did not watch. */
static json_t *unwatched_json(const struct zc_unwatched_list *l)
{
	if (!l->known)
		return json_null();
	json_t *a = json_array();
	for (size_t i = 0; a && i < l->n; i++) {
		const struct zc_unwatched *u = &l->v[i];
		json_t *resident = isnan(u->resident_pages)
					   ? json_null()
					   : json_integer((json_int_t)u->resident_pages);
		json_t *o = json_pack("{s:s, s:s, s:I, s:o, s:o}", "mapping", u->mapping,
				      "why", u->why, "bytes", (json_int_t)u->bytes,
				      "resident_pages", resident, "populated_per_transfer",
				      number_or_null(u->populated_per_transfer));
		if (!o || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *json_or_null(json_t *j)
{
	return j ? json_incref(j) : json_null();
}

/* The member of type @type at @at: the address of a real member, so aligned for it. */
#define MEMBER(type, at) (*(type const *)(const void *)(at))

/*
 * The value of row @s in @base (a struct zc_results or a struct zc_result, as the row's list
 * says). NULL with *@skip set when the field is not written; NULL alone when out of memory or
 * a string is missing.
 */
static json_t *source_value(const struct source *s, const void *base, bool *skip)
{
	const char *at = (const char *)base + s->at;

	*skip = false;
	switch (s->kind) {
	case SRC_ELSEWHERE: *skip = true; return NULL;
	case SRC_OBJECT: return json_object();
	case SRC_OBJECT_IF:
		*skip = !MEMBER(bool, at);
		return *skip ? NULL : json_object();
	case SRC_SCHEMA: return json_string(ZC_SCHEMA);
	case SRC_RESULTS: return results_json(base);
	case SRC_CSTR: return json_string(MEMBER(const char *, at));
	case SRC_CHARS: return json_string(at);
	case SRC_JSON: return json_or_null(MEMBER(json_t *, at));
	case SRC_BOOL: return json_boolean(MEMBER(bool, at));
	case SRC_TRISTATE: /* 1 or 0, -1 unknown */
		*skip = MEMBER(int, at) < 0;
		return *skip ? NULL : json_boolean(MEMBER(int, at));
	case SRC_VERDICT: return json_string(MEMBER(bool, at) ? "zero-copy" : "copy");
	case SRC_ADDR: return addr_json(MEMBER(uintptr_t, at));
	case SRC_U32: return json_integer(MEMBER(uint32_t, at));
	case SRC_SIZE: return json_integer((json_int_t)MEMBER(size_t, at));
	case SRC_INT64: return json_integer(MEMBER(int64_t, at));
	case SRC_DOUBLE: return json_real(MEMBER(double, at));
	case SRC_DOUBLE_OR_NULL:
		return isnan(MEMBER(double, at)) ? json_null() : json_real(MEMBER(double, at));
	case SRC_PAGES_OR_NULL:
		return isnan(MEMBER(double, at))
			       ? json_null()
			       : json_real(MEMBER(double, at) / (double)sysconf(_SC_PAGESIZE));
	case SRC_CHARS_OR_NULL: return *at ? json_string(at) : json_null();
	case SRC_CSTR_OR_NULL:
		return MEMBER(const char *, at) ? json_string(MEMBER(const char *, at)) : json_null();
	case SRC_DOUBLES:
		return doubles_json(MEMBER(double *, at), MEMBER(size_t, (const char *)base + s->count));
	case SRC_CPUS: return cpus_json(MEMBER(uint64_t, at));
	case SRC_FLAGS: return flags_json(MEMBER(unsigned, at));
	case SRC_UNWATCHED: return unwatched_json(&MEMBER(struct zc_unwatched_list, at));
	case SRC_DOUBLE_ARRAY: /* an array member, its count beside it */
		return doubles_json(&MEMBER(double, at), MEMBER(size_t, (const char *)base + s->count));
	}
	return NULL;
}

/* The object at the first @len characters of dotted @path inside @root (@len 0: @root). */
static json_t *object_at(json_t *root, const char *path, size_t len)
{
	char key[64];
	const char *end = path + len;

	for (const char *p = path; root && p < end;) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		size_t n = (size_t)((dot ? dot : end) - p);

		assert(n < sizeof(key));
		memcpy(key, p, n);
		key[n] = '\0';
		root = json_object_get(root, key);
		p += n + 1;
	}
	return root;
}

/* Sets row @s's value from @base in @root, under its parent. Returns 0, or -1. */
static int add_field(json_t *root, const struct source *s, const void *base)
{
	const char *dot = strrchr(s->path, '.');
	json_t *parent = object_at(root, s->path, dot ? (size_t)(dot - s->path) : 0);
	bool skip;

	if (dot && !parent) /* under an object left out (SRC_OBJECT_IF): left out with it */
		return 0;
	json_t *v = source_value(s, base, &skip);

	if (skip)
		return 0;
	if (!parent || !v) {
		json_decref(v);
		return -1;
	}
	return json_object_set_new(parent, dot ? dot + 1 : s->path, v);
}

/* An object of the @n rows of @rows, each taken from @base; NULL when one fails. */
static json_t *object_json(const struct source *rows, size_t n, const void *base)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < n; i++)
		if (add_field(o, &rows[i], base) != 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static json_t *result_json(const struct zc_result *res)
{
	json_t *o = object_json(result_sources, sizeof(result_sources) / sizeof(result_sources[0]),
				res);
	if (o && res->extra)
		json_object_update(o, res->extra);
	return o;
}

static json_t *results_json(const struct zc_results *r)
{
	json_t *results = json_array();
	for (size_t i = 0; results && i < r->n; i++) {
		json_t *one = result_json(&r->v[i]);
		if (!one || json_array_append_new(results, one) != 0) { /* never a result left out */
			json_decref(results);
			return NULL;
		}
	}
	return results;
}

json_t *zc_results_to_json(const struct zc_results *r)
{
	return object_json(document_sources,
			   sizeof(document_sources) / sizeof(document_sources[0]), r);
}

static void block_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, old);
}

int zc_json_write_atomic(const json_t *doc, const char *path, struct zc_error *err)
{
	sigset_t old;
	block_signals(&old);
	struct zc_atomic_file af;
	int rc = -1;
	if (zc_atomic_file_open(&af, path) != 0) {
		zc_error_write(err, path, errno);
		goto out_unblock;
	}
	/* dumped to memory, then written once: json_dumpf makes an fwrite of every token */
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	bool written = text && fputs(text, af.fp) != EOF && fputc('\n', af.fp) != EOF;
	free(text);
	if (!written) {
		int saved = errno;
		zc_atomic_file_abort(&af);
		zc_error_write(err, path, saved);
		goto out_unblock;
	}
	if (zc_atomic_file_commit(&af) != 0) {
		zc_error_write(err, path, errno);
		goto out_unblock;
	}
	rc = 0;
out_unblock:
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}
