/*
 * quote.h: user input made safe to quote in a one-line error message.
 *
 * Header-only, so that every file that quotes input (frame.c, also built into the producer
 * libraries, and options.c) has it without another object to link.
 */
#ifndef ZC_QUOTE_H
#define ZC_QUOTE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Writes text into buf (len >= 8) with every byte outside printable ASCII, the quote and the
 * backslash escaped C-style (\n, \x1b), cut with "..." when it does not fit. Returns buf.
 */
static inline const char *zc_quote(const char *text, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		char esc[5] = {(char)*p, 0};
		if (*p == '\n' || *p == '\t' || *p == '\\' || *p == '\'')
			snprintf(esc, sizeof(esc), "\\%c", *p == '\n' ? 'n' : *p == '\t' ? 't' : *p);
		else if (*p < 0x20 || *p > 0x7e)
			snprintf(esc, sizeof(esc), "\\x%c%c", hex[*p >> 4], hex[*p & 15]);
		size_t n = 0;
		while (esc[n])
			n++;
		if (o + n + 4 > len) {
			snprintf(buf + o, len - o, "...");
			return buf;
		}
		for (size_t i = 0; i < n; i++)
			buf[o++] = esc[i];
	}
	buf[o] = '\0';
	return buf;
}

#endif
