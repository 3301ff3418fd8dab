/*
 * pages.c: --pages, the pages the program wrote, whoever wrote them: an inlined memcpy, a
 * loop, SIMD code, the kernel serving a read(). The same instrument as the scenarios'
 * evidence pass (src/instrument/written.h: userfaultfd async write-protection read with
 * PAGEMAP_SCAN): every writable mapping is watched from the tracer's start, a count is taken
 * at each probe mark (a pair then says how many pages were written between its marks) and at
 * exit. Every first write to a watched page faults once, which is the option's cost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "trace.h"
#include "written.h"

static struct zc_written watch;
static bool armed;
static char unavailable[200] = "not asked for (--pages)";

void zct_pages_start(void)
{
	struct zc_error err = {0};
	if (zc_written_init(&watch, &err) != 0 || zc_written_arm(&watch, &err) != 0) {
		snprintf(unavailable, sizeof(unavailable), "%s", err.text);
		zc_written_release(&watch);
		return;
	}
	armed = true;
	unavailable[0] = '\0';
}

/* A forked child inherits no watch. */
void zct_pages_forget(void)
{
	if (!armed)
		return;
	armed = false;
	snprintf(unavailable, sizeof(unavailable), "a forked child: its pages are not watched");
}

long zct_pages_now(void)
{
	struct zc_written_count n;
	if (!armed || zc_written_count(&watch, NULL, 0, NULL, NULL, &n, NULL) != 0)
		return -1;
	return n.watched + n.fresh;
}

void zct_write_pages(struct zct_out *o)
{
	long pages = zct_pages_now();
	if (pages < 0) {
		zct_out_str(o, "  \"pages_written\": {\"pages\": null, \"unavailable\": ");
		zct_out_json_str(o, armed ? "the count failed" : unavailable);
		zct_out_str(o, "},\n");
		return;
	}
	zct_out_fmt(o, "  \"pages_written\": {\"pages\": %ld, \"method\": \"uffd-wp\", "
		       "\"unavailable\": null},\n", pages);
}
