/*
 * modes.c: two modes far apart in a timing row (modes.h).
 */
#include "modes.h"

#include <stdlib.h>
#include <string.h>

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static size_t above(const double *v, size_t n, double cut)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += v[i] > cut;
	return k;
}

int zc_modes_find(const double *b, size_t nb, const double *c, size_t nc, struct zc_modes *out)
{
	size_t n = nb + nc;
	double *all = malloc((n ? n : 1) * sizeof(*all));
	if (!all)
		return -1;
	memcpy(all, b, nb * sizeof(*all));
	memcpy(all + nb, c, nc * sizeof(*all));
	qsort(all, n, sizeof(*all), compare_doubles);
	*out = (struct zc_modes){0};
	for (size_t i = 0; i + 1 < n; i++)
		if (all[i] > 0 && all[i + 1] / all[i] > out->gap) {
			out->gap = all[i + 1] / all[i];
			out->cut = all[i];
		}
	free(all);
	if (out->gap < ZC_MODES_MIN_GAP)
		return 0;
	out->slow_base = above(b, nb, out->cut);
	out->slow_cur = above(c, nc, out->cut);
	out->two = out->slow_base > 0 && out->slow_cur > 0 && nb - out->slow_base >= 2 &&
		   nc - out->slow_cur >= 2;
	return 0;
}
