/*
 * human.c: figures as a person reads them (human.h).
 */
#include "human.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* report-data.jq's sig3: integers from 100 and for 0, one decimal from 10, else two; the
 * trailing zeros of the fraction dropped ("1", "1.5", "14.2"). */
static const char *sig3(double v, char *buf, size_t len)
{
	int decimals = v >= 100 || v == 0 ? 0 : v >= 10 ? 1 : 2;
	snprintf(buf, len, "%.*f", decimals, v);
	char *dot = strchr(buf, '.');
	if (dot) {
		char *end = buf + strlen(buf);
		while (end > dot + 1 && end[-1] == '0')
			*--end = '\0';
		if (end == dot + 1)
			*dot = '\0';
	}
	return buf;
}

static bool unknown(double v)
{
	return !isfinite(v) || v < 0;
}

const char *zc_human_ns(double ns, char *buf, size_t len)
{
	static const struct { double scale; const char *unit; } units[] = {
		{1e9, "s"}, {1e6, "ms"}, {1e3, "us"}, {1, "ns"},
	};
	char num[64];
	assert(len >= 16);
	if (unknown(ns)) {
		snprintf(buf, len, "?");
		return buf;
	}
	size_t i = 0;
	while (i + 1 < sizeof(units) / sizeof(units[0]) && ns < units[i].scale)
		i++;
	snprintf(buf, len, "%s %s", sig3(ns / units[i].scale, num, sizeof(num)), units[i].unit);
	return buf;
}

const char *zc_human_ratio(double x, char *buf, size_t len)
{
	char num[64];
	assert(len >= 16);
	if (unknown(x) || x == 0)
		snprintf(buf, len, "?");
	else if (x >= 0.01)
		snprintf(buf, len, "%sx", sig3(x, num, sizeof(num)));
	else
		snprintf(buf, len, "1/%.0fx", round(1 / x));
	return buf;
}

/* "52,449": an integer with thousands separators (report-data.jq's commas). */
static void commas(double v, char *buf, size_t len)
{
	char digits[64];
	snprintf(digits, sizeof(digits), "%.0f", v);
	size_t n = strlen(digits), o = 0;
	for (size_t i = 0; i < n && o + 2 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

const char *zc_human_times(double x, char *buf, size_t len)
{
	char num[64];
	assert(len >= 16);
	if (unknown(x))
		snprintf(buf, len, "?");
	else if (x >= 100) {
		commas(round(x), num, sizeof(num));
		snprintf(buf, len, "%sx", num);
	} else
		snprintf(buf, len, "%sx", sig3(x, num, sizeof(num)));
	return buf;
}
