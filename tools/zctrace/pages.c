/*
 * pages.c: --pages, the pages the program wrote, whoever wrote them: an inlined memcpy, a
 * loop, SIMD code, the kernel serving a read(). The same instrument as the scenarios'
 * evidence pass (src/instrument/written.h: userfaultfd async write-protection read with
 * PAGEMAP_SCAN): every writable mapping is watched from the tracer's start, a count is taken
 * at each probe mark (a pair then says how many pages were written between its marks) and at
 * exit, for the whole process and for each mapping then. Every first write to a watched page
 * faults once, which is the option's cost.
 *
 * The exit count is one snapshot, taken before the record is written: writing the record
 * writes pages too, and the summary's line and the record's "pages_written" must say the
 * same number.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "trace.h"
#include "written.h"

static struct zc_written watch;
static bool armed;
static char unavailable[200] = "not asked for (--pages)";

void zct_pages_start(void)
{
	struct zc_error err = {0};
	zct_content_init(); /* before the arming: without it, marks are not searched by content */
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

/* The pages written since the start, content.c's table apart (the tracer's, not the program's). */
long zct_pages_now(void)
{
	struct zc_written_count n;
	const void *table;
	size_t len;
	zct_content_range(&table, &len);
	if (!armed || zc_written_count(&watch, table, len, NULL, NULL, &n, NULL) != 0)
		return -1;
	return n.watched + n.fresh - n.excluded;
}

int zct_pages_scan(size_t (*test)(const unsigned char *, size_t, uintptr_t, void *), void *arg)
{
	struct zc_written_count n;
	const void *table;
	size_t len;
	zct_content_range(&table, &len);
	return armed ? zc_written_count(&watch, table, len, test, arg, &n, NULL) : -1;
}

/* The snapshot at exit: the total (-1: not watched) and each mapping's share. */
#define MAX_MAPPINGS 512
static struct mapping {
	unsigned long start, end;
	long pages;
	char name[200];
} mappings[MAX_MAPPINGS];
static size_t nmappings;
static long total_at_exit = -1;

size_t zct_read_maps(char *buf, size_t cap)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;
	if (fd < 0)
		return 0;
	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/* One mapping's share of the count at exit, kept when it wrote pages. */
static int keep_mapping(unsigned long start, unsigned long end, const char *name,
			size_t name_len, long pages, void *table)
{
	if (pages == 0 || (const void *)start == table || nmappings == MAX_MAPPINGS)
		return 0;
	struct mapping *m = &mappings[nmappings++];
	m->start = start;
	m->end = end;
	m->pages = pages;
	if (name_len)
		snprintf(m->name, sizeof(m->name), "%.*s", (int)name_len, name);
	else
		snprintf(m->name, sizeof(m->name), "[anonymous]");
	return 0;
}

/*
 * The pages written since the start, and each writable mapping's share: one walk of the
 * process (a count per mapping walked them all each time: node's hundreds of mappings, squared).
 */
void zct_pages_snapshot(void)
{
	struct zc_written_count n;
	const void *table;
	size_t len;
	if (!armed)
		return;
	zct_content_range(&table, &len);
	nmappings = 0;
	if (zc_written_count_each(&watch, table, len, keep_mapping, (void *)table, &n, NULL) == 0)
		total_at_exit = n.watched + n.fresh - n.excluded;
}

long zct_pages_at_exit(void)
{
	return total_at_exit;
}

static void write_mappings(struct zct_out *o)
{
	for (size_t i = 0; i < nmappings; i++) {
		const struct mapping *m = &mappings[i];
		zct_out_fmt(o, "%s{\"start\": \"0x%lx\", \"end\": \"0x%lx\", \"name\": ",
			    i ? ", " : "", m->start, m->end);
		zct_out_json_str(o, m->name);
		zct_out_fmt(o, ", \"pages\": %ld}", m->pages);
	}
}

void zct_write_pages(struct zct_out *o)
{
	long pages = total_at_exit;
	if (pages < 0) {
		zct_out_str(o, "  \"pages_written\": {\"pages\": null, \"mappings\": [], "
			       "\"unavailable\": ");
		zct_out_json_str(o, armed ? "the count failed" : unavailable);
		zct_out_str(o, "},\n");
		return;
	}
	zct_out_fmt(o, "  \"pages_written\": {\"pages\": %ld, \"method\": \"uffd-wp\", "
		       "\"mappings\": [", pages);
	write_mappings(o);
	zct_out_str(o, "], \"unavailable\": null},\n");
}
