/*
 * names.c: a record's call sites named by the wrapper (names.h). A site's name in the record
 * ("module+0xOFFSET") is unique to its address, so the name it gets here replaces it wherever
 * the process wrote it: in the lists, in the probe pairs' copies and after "from" in the
 * summary lines.
 */
#include "names.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A site's name in the record and the one it gets. */
struct renamed {
	char *old;          /* "module+0xOFFSET" */
	char *caller;       /* "module:function", or old when no symbol covers the site */
	char *source;       /* "file:line" (the file as DWARF gives it, made absolute), or NULL */
	char *inlined_into; /* or NULL */
	char *shown;        /* the summary's: caller (short file:line, inlined into ...) */
};

struct renames {
	struct renamed *v;
	size_t n, cap;
	char cwd[PATH_MAX]; /* the summary shows files under it relative to it */
};

static void renamed_release(struct renamed *n)
{
	free(n->old);
	free(n->caller);
	free(n->source);
	free(n->inlined_into);
	free(n->shown);
}

static const struct renamed *find(const struct renames *r, const char *old, size_t len)
{
	for (size_t i = 0; i < r->n; i++)
		if (strlen(r->v[i].old) == len && strncmp(r->v[i].old, old, len) == 0)
			return &r->v[i];
	return NULL;
}

static char *printed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *printed(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* The file for the summary: relative to the current directory when under it, else its name. */
static const char *short_file(const struct renames *r, const char *file)
{
	size_t n = strlen(r->cwd);
	if (n > 1 && strncmp(file, r->cwd, n) == 0 && file[n] == '/')
		return file + n + 1;
	return base_name(file);
}

static char *shown_name(const struct renames *r, const char *caller, const struct zct_symbol *sym)
{
	const char *into = sym->inlined_into;
	if (sym->file)
		return printed("%s (%s:%d%s%s)", caller, short_file(r, sym->file), sym->line,
			       into ? ", inlined into " : "", into ? into : "");
	if (into)
		return printed("%s (inlined into %s)", caller, into);
	return strdup(caller);
}

/* Names the site old at offset of module; NULL when out of memory. */
static const struct renamed *rename_site(struct renames *r, struct zct_symbolizer *s,
					 const char *old, const char *module, uint64_t offset)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct renamed *more = realloc(r->v, cap * sizeof(*more));
		if (!more)
			return NULL;
		r->v = more;
		r->cap = cap;
	}
	const struct zct_symbol *sym = zct_symbolize(s, module, offset);
	struct renamed n = {.old = strdup(old)};
	n.caller = sym->function ? printed("%s:%s", base_name(module), sym->function) : strdup(old);
	n.source = sym->file ? printed("%s:%d", sym->file, sym->line) : NULL;
	n.inlined_into = sym->inlined_into ? strdup(sym->inlined_into) : NULL;
	n.shown = n.caller ? shown_name(r, n.caller, sym) : NULL;
	if (!n.old || !n.caller || !n.shown || (sym->file && !n.source) ||
	    (sym->inlined_into && !n.inlined_into)) {
		renamed_release(&n);
		return NULL;
	}
	r->v[r->n] = n;
	return &r->v[r->n++];
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Names one entry of a list; false when it has no location or the list's budget is spent. */
static bool name_entry(json_t *e, struct renames *r, struct zct_symbolizer *s, size_t *budget)
{
	const char *old = json_string_value(json_object_get(e, "caller"));
	const char *module = json_string_value(json_object_get(e, "module"));
	const char *offset = json_string_value(json_object_get(e, "offset"));
	if (!old || !module || !offset)
		return false;
	const struct renamed *n = find(r, old, strlen(old));
	if (!n) {
		if (!*budget)
			return false;
		--*budget;
		n = rename_site(r, s, old, module, strtoull(offset, NULL, 16));
		if (!n)
			return false;
	}
	json_object_set_new(e, "caller", json_string(n->caller));
	json_object_set_new(e, "source", string_or_null(n->source));
	json_object_set_new(e, "inlined_into", string_or_null(n->inlined_into));
	return true;
}

static size_t name_list(json_t *list, struct renames *r, struct zct_symbolizer *s)
{
	size_t budget = ZCT_NAMED_PER_LIST, named = 0, i;
	json_t *e;
	json_array_foreach(list, i, e)
		named += name_entry(e, r, s, &budget);
	return named;
}

/* The probe pairs' copies carry only the caller. */
static size_t rename_pair_copies(json_t *pairs, const struct renames *r)
{
	size_t named = 0, i, k;
	json_t *pair, *copy;
	json_array_foreach(pairs, i, pair) {
		json_array_foreach(json_object_get(pair, "copies"), k, copy) {
			const char *old = json_string_value(json_object_get(copy, "caller"));
			const struct renamed *n = old ? find(r, old, strlen(old)) : NULL;
			if (n) {
				json_object_set_new(copy, "caller", json_string(n->caller));
				named++;
			}
		}
	}
	return named;
}

/* line with each "from SITE" (up to a comma or the end) of a named site renamed, or NULL. */
static char *rename_line(const char *line, const struct renames *r)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	const char *p = line, *from;
	while ((from = strstr(p, " from "))) {
		const char *site = from + strlen(" from ");
		size_t n = strcspn(site, ",");
		const struct renamed *m = find(r, site, n);
		fwrite(p, 1, (size_t)(site - p), f);
		if (m)
			fputs(m->shown, f);
		p = m ? site + n : site;
	}
	fputs(p, f);
	return fclose(f) == 0 ? out : (free(out), NULL);
}

static void rename_lines(json_t *lines, const struct renames *r)
{
	size_t i;
	json_t *line;
	json_array_foreach(lines, i, line) {
		char *renamed = rename_line(json_string_value(line), r);
		if (renamed)
			json_array_set_new(lines, i, json_string(renamed));
		free(renamed);
	}
}

size_t zct_names_apply(json_t *doc, struct zct_symbolizer *s)
{
	static const char *const lists[] = {"call_sites", "kernel_copies", "copies", "allocations"};
	struct renames r = {0};
	size_t named = 0;
	if (!getcwd(r.cwd, sizeof(r.cwd)))
		r.cwd[0] = '\0';
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		named += name_list(json_object_get(doc, lists[i]), &r, s);
	named += rename_pair_copies(json_object_get(json_object_get(doc, "probes"), "pairs"), &r);
	if (named)
		rename_lines(json_object_get(doc, "summary_lines"), &r);
	for (size_t i = 0; i < r.n; i++)
		renamed_release(&r.v[i]);
	free(r.v);
	return named;
}
