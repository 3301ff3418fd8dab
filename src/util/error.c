/*
 * error.c: recording the first error with its text kept on one line, and the exit statuses'
 * meanings and --help lines, from the table in error.h.
 */
#include "error.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	int code;
	const char *meaning;
} exits[] = {
#define ZC_EXIT__ROW(name, code, meaning) {code, meaning},
	ZC_EXIT_MAP(ZC_EXIT__ROW)
#undef ZC_EXIT__ROW
};

/* The escape of byte c into esc (at most 4 characters and a NUL); returns its length. */
static size_t escape(unsigned char c, char esc[5])
{
	static const char hex[] = "0123456789abcdef";

	if (c >= 0x20 && c != 0x7f) {
		esc[0] = (char)c;
		esc[1] = '\0';
		return 1;
	}
	if (c == '\n' || c == '\t') {
		esc[0] = '\\';
		esc[1] = c == '\n' ? 'n' : 't';
		esc[2] = '\0';
		return 2;
	}
	esc[0] = '\\';
	esc[1] = 'x';
	esc[2] = hex[c >> 4];
	esc[3] = hex[c & 15];
	esc[4] = '\0';
	return 4;
}

/*
 * Copies in to out (of len) with control characters escaped (\n, \x1b): a message quotes
 * names, keys and paths taken from the input, which may hold any byte, and stays one line.
 * What does not fit is cut, never an escape in the middle.
 */
static void one_line(char *out, size_t len, const char *in)
{
	size_t o = 0;

	assert(len > 0);
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		char esc[5];
		size_t n = escape(*p, esc);

		if (o + n >= len)
			break;
		memcpy(out + o, esc, n);
		o += n;
	}
	out[o] = '\0';
}

int zc_error_set(struct zc_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	char raw[sizeof(err->text)];

	assert(code != 0);
	if (!err || err->code != 0)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	one_line(err->text, sizeof(err->text), raw);
	return -1;
}

int zc_exit_for_errno(int errnum)
{
	return errnum == ENOMEM ? ZC_EXIT_NOMEM : ZC_EXIT_RUNTIME;
}

int zc_error_errno(struct zc_error *err, int errnum)
{
	return zc_error_set(err, zc_exit_for_errno(errnum), "%s",
			    errnum == ENOMEM ? "out of memory" : errnum ? strerror(errnum) : "failed");
}

int zc_error_write(struct zc_error *err, const char *path, int errnum)
{
	if (errnum == ENOSPC || errnum == EDQUOT)
		return zc_error_set(err, ZC_EXIT_NOSPACE, "no space left on device writing '%s'",
				    path);
	return zc_error_set(err, ZC_EXIT_USAGE, "cannot write '%s': %s", path,
			    strerror(errnum ? errnum : EIO));
}

void *zc_calloc(size_t size, struct zc_error *err)
{
	void *p = calloc(1, size);
	if (!p)
		zc_error_errno(err, ENOMEM);
	return p;
}

const char *zc_exit_meaning(int code)
{
	for (size_t i = 0; i < sizeof(exits) / sizeof(exits[0]); i++)
		if (exits[i].code == code)
			return exits[i].meaning;
	return NULL;
}

void zc_exit_print_help(FILE *f, const enum zc_exit *codes, size_t n)
{
	size_t count = codes ? n : sizeof(exits) / sizeof(exits[0]);

	for (size_t i = 0; i < count; i++) {
		int code = codes ? (int)codes[i] : exits[i].code;
		const char *meaning = zc_exit_meaning(code);

		assert(meaning);
		fprintf(f, "  %-3d %s\n", code, meaning);
	}
}
