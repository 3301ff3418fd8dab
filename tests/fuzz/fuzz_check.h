/*
 * fuzz_check.h: what every fuzz target asserts of a refusal: its message is one line of
 * printable ASCII (bad input is quoted escaped).
 */
#ifndef ZC_FUZZ_CHECK_H
#define ZC_FUZZ_CHECK_H

#include <stdbool.h>

static inline bool one_printable_line(const char *msg)
{
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	return msg[0] != '\0';
}

#endif
