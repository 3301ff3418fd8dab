/*
 * test_written.c: pages written anywhere in the process (src/instrument/written.h), as the
 * evidence pass uses them: a copy into memory that existed at the arming, a copy into memory
 * mapped after it, a read of fresh memory (not a write), the caller's excluded range and its
 * test, re-arming by taking, and a watch used from a fork child.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gbench.h"
#include "support.h"
#include "written.h"

#define PAGE 4096u
#define PAGES 256u
#define BYTES (PAGES * PAGE)

static unsigned char *source, *dest; /* both populated before any arming */

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	return p;
}

/* Linux 6.7+ must have the instrument; elsewhere (or under valgrind) the tests skip. */
static void open_watch(struct zc_written *w)
{
	struct zc_error err = {0};
	struct utsname u;
	int major = 0, minor = 0;
	if (ZT_SANITIZER_BUILD) { /* shadow memory: what the evidence pass leaves out there too */
		print_message("pages written are not counted in a sanitizer build\n");
		skip();
	}
	if (zc_written_init(w, &err) == 0)
		return;
	if (uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
	    (major > 6 || (major == 6 && minor >= 7)) && !strstr(err.text, "not implemented") &&
	    !strstr(err.text, "not permitted"))
		fail_msg("the instrument should work on this kernel: %s", err.text);
	print_message("pages written unavailable: %s\n", err.text);
	skip();
}

static void arm(struct zc_written *w)
{
	struct zc_error err = {0};
	if (zc_written_arm(w, &err) != 0)
		fail_msg("zc_written_arm: %s", err.text);
}

/* The test the caller gives: a page that is a copy of the source holds all its bytes. */
static size_t looks_like_source(const unsigned char *page, size_t len, uintptr_t at, void *arg)
{
	(void)arg, (void)at;
	return memcmp(page, source, len) == 0 ? len : 0;
}

static struct zc_written_count count(struct zc_written *w, const void *ex, size_t exlen)
{
	struct zc_error err = {0};
	struct zc_written_count c;
	if (zc_written_count(w, ex, exlen, looks_like_source, NULL, &c, &err) != 0)
		fail_msg("zc_written_count: %s", err.text);
	return c;
}

static int setup(void **unused)
{
	(void)unused;
	source = map(BYTES);
	dest = map(BYTES);
	for (size_t i = 0; i < BYTES; i++)
		source[i] = (unsigned char)(i % PAGE * 13 + 1); /* every page alike */
	memset(dest, 0, BYTES);
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	munmap(source, BYTES);
	munmap(dest, BYTES);
	return 0;
}

/* Opens and arms a watch, copies source into dest, and counts with [ex, ex + exlen) apart. */
static struct zc_written_count copy_and_count(struct zc_written *w, const void *ex, size_t exlen)
{
	open_watch(w);
	arm(w);
	memcpy(dest, source, BYTES);
	zc_do_not_optimize(dest);
	return count(w, ex, exlen);
}

/* A copy into memory that was there at the arming: every destination page, and its bytes. */
static void copy_into_watched_memory(void **state)
{
	(void)state;
	struct zc_written w;
	struct zc_written_count c = copy_and_count(&w, NULL, 0);
	assert_true(c.watched >= PAGES && c.watched < PAGES + 16); /* + this test's own writes */
	assert_int_equal(c.matching_bytes, BYTES);
	assert_int_equal(c.fresh, 0);
	/* Taking re-protects: the same copy again shows again, nothing else does. */
	struct zc_error err = {0};
	assert_true(zc_written_take(&w, &err) >= PAGES);
	assert_true(zc_written_take(&w, &err) < 16);
	zc_written_release(&w);
}

/* Memory mapped after the arming: written pages count as fresh, read ones (zero page) not. */
static void fresh_memory_written_not_read(void **state)
{
	(void)state;
	struct zc_written w;
	open_watch(&w);
	arm(&w);
	unsigned char *fresh = map(BYTES);
	memcpy(fresh, source, BYTES / 2);
	volatile unsigned char sum = 0;
	for (size_t i = BYTES / 2; i < BYTES; i += PAGE)
		sum ^= fresh[i]; /* maps the zero page: not a write */
	struct zc_written_count c = count(&w, NULL, 0);
	assert_int_equal(c.fresh, PAGES / 2);
	assert_int_equal(c.matching_bytes, BYTES / 2);
	zc_written_release(&w);
	munmap(fresh, BYTES);
}

/* The excluded range (the producer's frame) is counted apart and never tested. */
static void excluded_range_apart(void **state)
{
	(void)state;
	struct zc_written w;
	struct zc_written_count c = copy_and_count(&w, dest, BYTES);
	assert_int_equal(c.excluded, PAGES);
	assert_int_equal(c.excluded_fresh, 0);
	assert_int_equal(c.matching_bytes, 0);
	zc_written_release(&w);
}

/* A watch is its process's: a fork child's arming fails with a reason. */
static void fork_child_refused(void **state)
{
	(void)state;
	struct zc_written w;
	open_watch(&w);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct zc_error err = {0};
		_exit(zc_written_arm(&w, &err) == -1 && err.code == ZC_EXIT_USAGE &&
			      strstr(err.text, "belongs to process") ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	zc_written_release(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copy_into_watched_memory),
		cmocka_unit_test(fresh_memory_written_not_read),
		cmocka_unit_test(excluded_range_apart),
		cmocka_unit_test(fork_child_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
