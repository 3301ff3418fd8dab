/*
 * progress.c: progress lines on stderr (progress.h).
 */
#include "progress.h"

#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void zc_progress_start(struct zc_progress *p, FILE *f, const char *scenario, size_t units)
{
	*p = (struct zc_progress){.f = f, .scenario = scenario, .units = units};
	p->in_place = f && isatty(fileno(f));
	p->start = p->strategy_start = now_s();
}

void zc_progress_process(struct zc_progress *p, const char *strategy, long i, long n)
{
	if (!p->f)
		return;
	if (i == 1)
		p->strategy_start = now_s();
	if (!p->in_place)
		return;
	double elapsed = now_s() - p->start;
	/* What is left, at the pace so far: nothing to say before the first process ends. */
	char left[32] = "";
	size_t done = p->started++; /* every process started before this one has finished */
	if (done > 0 && done < p->units)
		snprintf(left, sizeof(left), ", about %.0f s left",
			 elapsed / (double)done * (double)(p->units - done));
	fprintf(p->f, "\r\033[K%s: %s, process %ld of %ld, %.0f s%s", p->scenario, strategy, i, n,
		elapsed, left);
	fflush(p->f);
}

void zc_progress_strategy_done(struct zc_progress *p, const char *strategy, long n, bool ok)
{
	if (!p->f || p->in_place)
		return;
	fprintf(p->f, "%s: %s %s (%ld measuring process%s, %.1f s)\n", p->scenario, strategy,
		ok ? "measured" : "failed", n, n == 1 ? "" : "es", now_s() - p->strategy_start);
}

void zc_progress_end(struct zc_progress *p)
{
	if (p->f && p->in_place) {
		fputs("\r\033[K", p->f);
		fflush(p->f);
	}
}
