/*
 * test_pagemap.c: physical identity of two ranges, in one process and across two: a memfd
 * mapped twice shares every frame, a private mapping shares all but the page it wrote, two
 * buffers share none, and the zero page and copy-on-write frames are no proof of sharing.
 * A range's digest (what the tracer keeps of a probe mark) says the same.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"
#include "gbench.h"
#include "pagemap.h"

#define PAGE 4096u
#define FRAME_BYTES 8294400u /* 1920 x 1080 x 4 */
#define FRAME_PAGES 2025u

static unsigned char *frame;

static int setup(void **unused)
{
	(void)unused;
	frame = malloc(FRAME_BYTES);
	for (size_t i = 0; i < FRAME_BYTES; i++)
		frame[i] = (unsigned char)(i * 13 + 1);
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	free(frame);
	return 0;
}

/* Whether this process holds CAP_SYS_ADMIN (CapEff in /proc/self/status). */
static int cap_sys_admin(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long long caps = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	if (f)
		fclose(f);
	return (caps >> 21) & 1; /* CAP_SYS_ADMIN */
}

/* Frame numbers need CAP_SYS_ADMIN: with it they must be readable, without it the test skips. */
static void require_frames(void)
{
	struct zc_error err = {0};
	if (zc_pagemap_probe(&err) == 0)
		return;
	if (cap_sys_admin())
		fail_msg("frame numbers should be readable with CAP_SYS_ADMIN: %s", err.text);
	print_message("physical identity unavailable: %s\n", err.text);
	skip();
}

static void compare(pid_t pa, const void *a, pid_t pb, const void *b, size_t len,
		    struct zc_pagemap_match *m)
{
	struct zc_error err = {0};
	if (zc_pagemap_compare(pa, a, pb, b, len, m, &err) != 0)
		fail_msg("zc_pagemap_compare: %s", err.text);
}

/* Reads every page, so that the mapping has a frame for each. */
static void touch(const void *p, size_t len)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < len; i += PAGE)
		sum += ((const volatile unsigned char *)p)[i];
	zc_do_not_optimize(&sum);
}

static int frame_memfd(void)
{
	int fd = memfd_create("zc-pagemap", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, FRAME_BYTES), 0);
	return fd;
}

static void *map_fd(int fd, int flags)
{
	void *p = mmap(NULL, FRAME_BYTES, PROT_READ | PROT_WRITE, flags, fd, 0);
	assert_true(p != MAP_FAILED);
	return p;
}

static void frames_are_readable_here(void **unused)
{
	(void)unused;
	require_frames();
	uint64_t pfns[3];
	unsigned char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	p[0] = 1;
	p[2 * PAGE] = 1;
	struct zc_error err = {0};
	assert_int_equal(zc_pagemap_frames(0, p, 3 * PAGE, pfns, 3, &err), 2);
	assert_true(pfns[0] != 0 && pfns[1] == 0 && pfns[2] != 0 && pfns[0] != pfns[2]);
	assert_int_equal(zc_pagemap_frames(0, p, 3 * PAGE, pfns, 2, &err), -1);
	assert_int_equal(err.code, ZC_EXIT_USAGE);
	assert_non_null(strstr(err.text, "range of 3 pages"));
	munmap(p, 3 * PAGE);
}

static void memfd_mapped_twice_shares_every_frame(void **unused)
{
	(void)unused;
	require_frames();
	int fd = frame_memfd();
	unsigned char *a = map_fd(fd, MAP_SHARED), *b = map_fd(fd, MAP_SHARED);
	assert_ptr_not_equal(a, b);
	memcpy(a, frame, FRAME_BYTES);
	touch(b, FRAME_BYTES);
	struct zc_pagemap_match m;
	compare(0, a, 0, b, FRAME_BYTES, &m);
	assert_int_equal(m.pages, FRAME_PAGES);
	assert_int_equal(m.present, FRAME_PAGES);
	assert_int_equal(m.same, FRAME_PAGES);
	assert_int_equal(m.same_cow, 0);
	assert_true(m.fraction == 1.0);
	munmap(a, FRAME_BYTES);
	munmap(b, FRAME_BYTES);
	close(fd);
}

/* The child maps the memfd itself, reads it, reports its address and waits to be compared. */
static void child_maps_the_memfd(int fd, int report, int go)
{
	unsigned char *c = mmap(NULL, FRAME_BYTES, PROT_READ, MAP_SHARED, fd, 0);
	if (c == MAP_FAILED)
		_exit(1);
	touch(c, FRAME_BYTES);
	uintptr_t at = (uintptr_t)c;
	char done;
	if (zc_write_all(report, &at, sizeof(at)) != 0 || zc_read_all(go, &done, 1) != 0)
		_exit(1);
	_exit(0);
}

static void fork_child_mapping_shares_every_frame(void **unused)
{
	(void)unused;
	require_frames();
	int fd = frame_memfd();
	unsigned char *a = map_fd(fd, MAP_SHARED);
	memcpy(a, frame, FRAME_BYTES);
	int report[2], go[2];
	assert_int_equal(pipe(report), 0);
	assert_int_equal(pipe(go), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child_maps_the_memfd(fd, report[1], go[0]);
	uintptr_t at = 0;
	assert_int_equal(zc_read_all(report[0], &at, sizeof(at)), 0);
	struct zc_pagemap_match m;
	compare(0, a, pid, (const void *)at, FRAME_BYTES, &m);
	assert_int_equal(zc_write_all(go[1], "", 1), 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(m.pages, FRAME_PAGES);
	assert_int_equal(m.same, FRAME_PAGES);
	assert_true(m.fraction == 1.0);
	close(report[0]), close(report[1]), close(go[0]), close(go[1]);
	munmap(a, FRAME_BYTES);
	close(fd);
}

static void private_mapping_differs_where_it_wrote(void **unused)
{
	(void)unused;
	require_frames();
	int fd = frame_memfd();
	unsigned char *a = map_fd(fd, MAP_SHARED), *p = map_fd(fd, MAP_PRIVATE);
	memcpy(a, frame, FRAME_BYTES);
	touch(p, FRAME_BYTES);
	((volatile unsigned char *)p)[700 * PAGE + 3] = 0xEE; /* copy-on-write: a page of its own */
	struct zc_pagemap_match m;
	compare(0, a, 0, p, FRAME_BYTES, &m);
	assert_int_equal(m.present, FRAME_PAGES);
	assert_int_equal(m.same, FRAME_PAGES - 1);
	assert_true(m.fraction == (double)(FRAME_PAGES - 1) / FRAME_PAGES);
	munmap(a, FRAME_BYTES);
	munmap(p, FRAME_BYTES);
	close(fd);
}

static void separate_buffers_share_nothing(void **unused)
{
	(void)unused;
	require_frames();
	unsigned char *a = malloc(FRAME_BYTES), *b = malloc(FRAME_BYTES);
	memcpy(a, frame, FRAME_BYTES);
	memcpy(b, frame, FRAME_BYTES);
	zc_do_not_optimize(a);
	zc_do_not_optimize(b);
	struct zc_pagemap_match m;
	compare(0, a, 0, b, FRAME_BYTES, &m);
	assert_true(m.pages >= FRAME_PAGES);
	assert_int_equal(m.present, m.pages);
	assert_int_equal(m.same, 0);
	assert_int_equal(m.same_cow, 0);
	assert_true(m.fraction == 0.0);
	free(a);
	free(b);
}

/* Memory only read maps the zero page on both sides: one frame, no sharing. */
static void the_zero_page_is_no_evidence(void **unused)
{
	(void)unused;
	require_frames();
	size_t len = 16 * PAGE;
	unsigned char *a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(a != MAP_FAILED && b != MAP_FAILED);
	touch(a, len);
	touch(b, len);
	uint64_t fa[16], fb[16];
	assert_int_equal(zc_pagemap_frames(0, a, len, fa, 16, NULL), 16);
	assert_int_equal(zc_pagemap_frames(0, b, len, fb, 16, NULL), 16);
	assert_true(fa[0] == fb[0] && fa[5] == fb[5]); /* the same frame, the zero page */
	struct zc_pagemap_match m;
	compare(0, a, 0, b, len, &m);
	assert_int_equal(m.present, 16);
	assert_int_equal(m.same, 0);
	assert_int_equal(m.same_cow, 0);
	munmap(a, len);
	munmap(b, len);
}

/* A fork child's inherited frame: one frame until either side writes, then two. */
static void inherited_memory_is_copy_on_write(void **unused)
{
	(void)unused;
	require_frames();
	unsigned char *a = malloc(FRAME_BYTES);
	memcpy(a, frame, FRAME_BYTES);
	zc_do_not_optimize(a);
	int go[2], ready[2];
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;
		if (zc_read_all(go[0], &c, 1) != 0)
			_exit(1);
		((volatile unsigned char *)a)[FRAME_BYTES / 2] ^= 1; /* splits one page */
		if (zc_write_all(ready[1], "", 1) != 0 || zc_read_all(go[0], &c, 1) != 0)
			_exit(1);
		_exit(0);
	}
	struct zc_pagemap_match before, after;
	compare(0, a, pid, a, FRAME_BYTES, &before);
	char c;
	assert_int_equal(zc_write_all(go[1], "", 1), 0);
	assert_int_equal(zc_read_all(ready[0], &c, 1), 0);
	compare(0, a, pid, a, FRAME_BYTES, &after);
	assert_int_equal(zc_write_all(go[1], "", 1), 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(before.same, 0);
	assert_int_equal(before.same_cow, before.pages);
	assert_int_equal(after.same_cow, after.pages - 1);
	assert_true(before.fraction == 0.0);
	close(go[0]), close(go[1]), close(ready[0]), close(ready[1]);
	free(a);
}

static void different_page_offsets_cannot_share(void **unused)
{
	(void)unused;
	require_frames();
	int fd = frame_memfd();
	unsigned char *a = map_fd(fd, MAP_SHARED), *b = map_fd(fd, MAP_SHARED);
	memcpy(a, frame, FRAME_BYTES);
	touch(b, FRAME_BYTES);
	struct zc_pagemap_match m;
	compare(0, a, 0, b + 8, FRAME_BYTES - 8, &m);
	assert_int_equal(m.same, 0);
	compare(0, a + 8, 0, b + 8, FRAME_BYTES - 8, &m); /* the same bytes: shared */
	assert_int_equal(m.same, FRAME_PAGES);
	munmap(a, FRAME_BYTES);
	munmap(b, FRAME_BYTES);
	close(fd);
}

/* Without CAP_SYS_ADMIN the kernel reads frames as 0: unavailable, with the reason. */
static int probe_as_nobody(int report)
{
	struct zc_error err = {0}, other = {0};
	if (setgid(65534) != 0 || setuid(65534) != 0 || prctl(PR_SET_DUMPABLE, 1) != 0)
		return 2;
	int rc = zc_pagemap_probe(&err) == -1 ? 0 : 1;
	struct zc_pagemap_match m;
	if (zc_pagemap_compare(1, frame, 0, frame, PAGE, &m, &other) != -1)
		rc = 1;
	dprintf(report, "%s|%s", err.text, other.text);
	return rc;
}

static void hidden_frames_are_unavailable_with_a_reason(void **unused)
{
	(void)unused;
	if (geteuid() != 0)
		skip();
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		_exit(probe_as_nobody(fds[1]));
	}
	close(fds[1]);
	char why[600] = "";
	ssize_t n = read(fds[0], why, sizeof(why) - 1);
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 2)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(n > 0);
	assert_non_null(strstr(why, "pagemap: page frame numbers read as 0 (needs CAP_SYS_ADMIN)|"));
	assert_non_null(strstr(why, "|pagemap: cannot open '/proc/1/pagemap': "));
}

/* The same frames give the same digest, other frames another; the zero page proves nothing. */
static void digests_tell_the_same_frames_apart(void **unused)
{
	(void)unused;
	require_frames();
	int fd = frame_memfd();
	unsigned char *a = map_fd(fd, MAP_SHARED), *b = map_fd(fd, MAP_SHARED);
	unsigned char *c = map_fd(-1, MAP_PRIVATE | MAP_ANONYMOUS);
	memcpy(a, frame, FRAME_BYTES);
	memcpy(c, frame, FRAME_BYTES);
	touch(b, FRAME_BYTES);
	struct zc_pagemap_digest da, db, dc, dz;
	struct zc_error err = {0};
	assert_int_equal(zc_pagemap_digest(0, a, FRAME_BYTES, &da, &err), 0);
	assert_int_equal(zc_pagemap_digest(0, b, FRAME_BYTES, &db, &err), 0);
	assert_int_equal(zc_pagemap_digest(0, c, FRAME_BYTES, &dc, &err), 0);
	assert_int_equal(da.pages, FRAME_PAGES);
	assert_int_equal(da.present, FRAME_PAGES);
	assert_int_equal(da.unproven, 0);
	assert_true(da.hash == db.hash && db.present == FRAME_PAGES);
	assert_true(dc.hash != da.hash && dc.present == FRAME_PAGES && dc.unproven == 0);
	unsigned char *z = mmap(NULL, 16 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(z != MAP_FAILED);
	touch(z, 16 * PAGE);
	assert_int_equal(zc_pagemap_digest(0, z, 16 * PAGE, &dz, &err), 0);
	assert_int_equal(dz.unproven, 16);
	assert_int_equal(zc_pagemap_digest(0, z, 0, &dz, &err), -1);
	assert_int_equal(err.code, ZC_EXIT_USAGE);
	munmap(z, 16 * PAGE);
	munmap(a, FRAME_BYTES);
	munmap(b, FRAME_BYTES);
	munmap(c, FRAME_BYTES);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frames_are_readable_here),
		cmocka_unit_test(memfd_mapped_twice_shares_every_frame),
		cmocka_unit_test(fork_child_mapping_shares_every_frame),
		cmocka_unit_test(private_mapping_differs_where_it_wrote),
		cmocka_unit_test(separate_buffers_share_nothing),
		cmocka_unit_test(the_zero_page_is_no_evidence),
		cmocka_unit_test(inherited_memory_is_copy_on_write),
		cmocka_unit_test(different_page_offsets_cannot_share),
		cmocka_unit_test(hidden_frames_are_unavailable_with_a_reason),
		cmocka_unit_test(digests_tell_the_same_frames_apart),
	};
	return cmocka_run_group_tests_name("pagemap", tests, setup, teardown);
}
