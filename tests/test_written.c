/*
 * test_written.c: pages written anywhere in the process (src/instrument/written.h), as the
 * evidence pass uses them: a copy into memory that existed at the arming, a copy into memory
 * mapped after it, a read of fresh memory (not a write), the caller's excluded range and its
 * test, re-arming by taking, and a watch used from a fork child; and the memory that is hard
 * to watch: the main thread's stack and a reserve over 4 GiB are watched (one whose data is
 * scattered is listed), a range another userfaultfd holds is listed as not watched, an
 * io_uring instance is noticed.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
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

/* A copy onto this thread's stack, page-aligned, below the caller's frame. */
__attribute__((noinline)) static void copy_onto_the_stack(void)
{
	unsigned char on_stack[BYTES] __attribute__((aligned(PAGE)));
	memcpy(on_stack, source, BYTES);
	zc_do_not_optimize(on_stack);
}

/*
 * The main thread's stack is watched: a copy onto it shows, but for the page or two the
 * count's own calls write over at its top; nothing is left unwatched.
 */
static void stack_watched(void **state)
{
	(void)state;
	struct zc_written w;
	open_watch(&w);
	arm(&w);
	copy_onto_the_stack();
	struct zc_written_count c = count(&w, NULL, 0);
	assert_int_equal(zc_written_unwatched_count(&w), 0);
	const long page = sysconf(_SC_PAGESIZE);
	assert_true(c.matching_bytes >= (PAGES - 4) * page && c.matching_bytes <= PAGES * page);
	assert_true(c.watched >= PAGES - 4);
	zc_written_release(&w);
}

/*
 * A reserve over 4 GiB (MAP_NORESERVE, as a runtime's heap): its part that holds data is
 * watched, and a page of the rest counts once written, as fresh memory does.
 */
static void reserve_watched(void **state)
{
	(void)state;
	const size_t reserve = 8ul << 30, far = 6ul << 30;
	struct zc_written w;
	open_watch(&w);
	unsigned char *r = mmap(NULL, reserve, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(r != MAP_FAILED);
	memset(r + PAGE * 3, 1, BYTES); /* data before the arming, from an unaligned page */
	arm(&w);
	assert_int_equal(zc_written_unwatched_count(&w), 0);
	memcpy(r + PAGE * 3, source, BYTES);
	memcpy(r + far, source, BYTES);
	zc_do_not_optimize(r);
	struct zc_written_count c = count(&w, NULL, 0);
	assert_int_equal(c.matching_bytes, 2 * PAGES * sysconf(_SC_PAGESIZE));
	assert_true(c.watched >= PAGES && c.watched < PAGES + 16);
	assert_int_equal(c.fresh, PAGES);
	zc_written_release(&w);
	munmap(r, reserve);
}

/*
 * A reserve whose data lies in more places than the watch registers apart (one page every
 * 120 MiB): protecting the stretches between would cost page tables, so it is listed, whole.
 */
static void scattered_reserve_listed(void **state)
{
	(void)state;
	const size_t reserve = 8ul << 30, step = 120ul << 20;
	struct zc_written w;
	open_watch(&w);
	unsigned char *r = mmap(NULL, reserve, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(r != MAP_FAILED);
	for (size_t at = 0; at < reserve; at += step)
		r[at] = 1;
	arm(&w);
	struct zc_written_count c = count(&w, NULL, 0);
	assert_int_equal(zc_written_unwatched_count(&w), 1);
	const struct zc_written_unwatched *u = zc_written_unwatched_at(&w, 0);
	char why[96];
	zc_written_why_text(u, why, sizeof(why));
	assert_string_equal(why, "reserve over 4 GiB, its data in over 64 places");
	assert_int_equal(u->end - u->start, reserve);
	assert_int_equal(u->resident, (long)((reserve + step - 1) / step));
	assert_true(c.fresh < 16); /* its pages never read as written */
	zc_written_release(&w);
	munmap(r, reserve);
}

/* A userfaultfd of the test's own, in the mode that needs no privilege; -1 where refused. */
static int own_userfaultfd(void)
{
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | 1 /* user mode only */);
	struct uffdio_api api = {.api = UFFD_API};
	if (fd >= 0 && ioctl(fd, UFFDIO_API, &api) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A range the program registered with a userfaultfd of its own cannot be watched (EBUSY):
 * it is listed, with why, its size and the pages that hold data, and never counted.
 */
static void registered_elsewhere_listed(void **state)
{
	(void)state;
	struct zc_written w;
	open_watch(&w);
	unsigned char *p = map(BYTES);
	memset(p, 1, BYTES); /* populated: the program's missing-page handler never runs */
	int fd = own_userfaultfd();
	struct uffdio_register reg = {.range = {.start = (uintptr_t)p, .len = BYTES},
				      .mode = UFFDIO_REGISTER_MODE_MISSING};
	if (fd < 0 || ioctl(fd, UFFDIO_REGISTER, &reg) != 0) {
		print_message("no userfaultfd of the test's own: %s\n", strerror(errno));
		zc_written_release(&w);
		skip();
	}
	arm(&w);
	memcpy(p, source, BYTES);
	struct zc_written_count c = count(&w, NULL, 0);
	assert_int_equal(zc_written_unwatched_count(&w), 1);
	const struct zc_written_unwatched *u = zc_written_unwatched_at(&w, 0);
	char why[96];
	zc_written_why_text(u, why, sizeof(why));
	assert_string_equal(why, "registered elsewhere (EBUSY)");
	assert_int_equal(u->why, ZC_WRITTEN_BUSY);
	assert_int_equal(u->end - u->start, BYTES);
	assert_int_equal(u->resident, PAGES);
	assert_int_equal(c.matching_bytes, 0); /* unseen: what the verdict must then say */
	zc_written_release(&w);
	close(fd);
	munmap(p, BYTES);
}

/* An io_uring instance open in the process is noticed by a count. */
static void io_uring_noticed(void **state)
{
	(void)state;
	struct zc_written w;
	struct io_uring_params params = {0};
	open_watch(&w);
	arm(&w);
	count(&w, NULL, 0);
	assert_false(zc_written_saw_io_uring(&w));
	int ring = (int)syscall(SYS_io_uring_setup, 4, &params);
	if (ring < 0) {
		print_message("no io_uring here: %s\n", strerror(errno));
		zc_written_release(&w);
		skip();
	}
	count(&w, NULL, 0);
	assert_true(zc_written_saw_io_uring(&w));
	close(ring);
	zc_written_release(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copy_into_watched_memory),
		cmocka_unit_test(fresh_memory_written_not_read),
		cmocka_unit_test(excluded_range_apart),
		cmocka_unit_test(fork_child_refused),
		cmocka_unit_test(stack_watched),
		cmocka_unit_test(reserve_watched),
		cmocka_unit_test(scattered_reserve_listed),
		cmocka_unit_test(registered_elsewhere_listed),
		cmocka_unit_test(io_uring_noticed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
