/*
 * test_pages.c: pages written, seen by the kernel's page tables whatever wrote them: a memcpy
 * of a 1080p frame, a word loop, two stamps, a read() from a pipe, another thread; and the
 * reasons given when the instrument cannot answer.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"
#include "gbench.h"
#include "pages.h"

#define PAGE 4096u
#define FRAME_BYTES 8294400u /* 1920 x 1080 x 4 */
#define FRAME_PAGES 2025u

static unsigned char *frame; /* the source: a rendered frame, every page populated */

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	return p;
}

/*
 * Linux 6.7+ has what uffd-wp needs, root or not: there it must work, or the suite fails,
 * unless the system call itself is refused (a seccomp policy, valgrind): then the tests skip.
 */
static int expected_here(const char *why)
{
	struct utsname u;
	int major = 0, minor = 0;
	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	if (strcmp(why, "userfaultfd: Operation not permitted") == 0 ||
	    strcmp(why, "userfaultfd: Function not implemented") == 0)
		return 0;
	return major > 6 || (major == 6 && minor >= 7);
}

/* Watches [p, p + len) with uffd-wp; skips the test, saying why, when it is unavailable. */
static void watch(struct zc_pages *w, void *p, size_t len)
{
	struct zc_error err = {0};
	if (zc_pages_init(w, p, len, ZC_PAGES_UFFD_WP, &err) != 0) {
		if (expected_here(err.text))
			fail_msg("uffd-wp should work on this kernel: %s", err.text);
		print_message("pages written unavailable: %s\n", err.text);
		skip();
	}
}

static long written(struct zc_pages *w)
{
	struct zc_error err = {0};
	long n = zc_pages_written(w, &err);
	if (n < 0)
		fail_msg("zc_pages_written: %s", err.text);
	return n;
}

/* A frame copied into @dst with memcpy: every page of it is counted written. */
static void copy_writes_every_page(struct zc_pages *w, void *dst)
{
	memcpy(dst, frame, FRAME_BYTES);
	zc_do_not_optimize(dst);
	assert_int_equal(written(w), FRAME_PAGES);
}

static int setup(void **unused)
{
	(void)unused;
	frame = map(FRAME_BYTES);
	for (size_t i = 0; i < FRAME_BYTES; i++)
		frame[i] = (unsigned char)(i * 31 + 7);
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	munmap(frame, FRAME_BYTES);
	return 0;
}

static void uffd_wp_works_here(void **unused)
{
	(void)unused;
	struct zc_error err = {0};
	int rc = zc_pages_probe(ZC_PAGES_UFFD_WP, &err);
	if (rc != 0 && !expected_here(err.text)) {
		print_message("pages written unavailable: %s\n", err.text);
		skip();
	}
	assert_int_equal(rc, 0);
	assert_int_equal(zc_pages_probe(ZC_PAGES_AUTO, &err), 0);
}

/* Fresh memory, never touched: every page is populated by the copy itself. */
static void memcpy_of_a_frame_writes_every_page(void **unused)
{
	(void)unused;
	unsigned char *dst = map(FRAME_BYTES);
	struct zc_pages w;
	watch(&w, dst, FRAME_BYTES);
	assert_int_equal(zc_pages_count(&w), FRAME_PAGES);
	assert_string_equal(zc_pages_method_name(&w), "uffd-wp");
	assert_int_equal(written(&w), 0);
	copy_writes_every_page(&w, dst);
	assert_int_equal(written(&w), FRAME_PAGES); /* a query leaves the pages as they are */
	zc_pages_release(&w);
	munmap(dst, FRAME_BYTES);
}

/* A populated, reused buffer: the second transfer's copy is seen as the first one's was. */
static void memcpy_into_a_reused_buffer(void **unused)
{
	(void)unused;
	unsigned char *dst = map(FRAME_BYTES);
	memset(dst, 0, FRAME_BYTES);
	struct zc_pages w;
	watch(&w, dst, FRAME_BYTES);
	assert_int_equal(written(&w), 0);
	copy_writes_every_page(&w, dst);
	assert_int_equal(zc_pages_reset(&w, NULL), 0);
	assert_int_equal(written(&w), 0);
	copy_writes_every_page(&w, dst);
	zc_pages_release(&w);
	munmap(dst, FRAME_BYTES);
}

static void word_loop_writes_every_page(void **unused)
{
	(void)unused;
	volatile uint64_t *dst = map(FRAME_BYTES);
	struct zc_pages w;
	watch(&w, (void *)dst, FRAME_BYTES);
	for (size_t i = 0; i < FRAME_BYTES / 8; i++)
		dst[i] = i;
	assert_int_equal(written(&w), FRAME_PAGES);
	zc_pages_release(&w);
	munmap((void *)dst, FRAME_BYTES);
}

static void two_stamps_write_two_pages(void **unused)
{
	(void)unused;
	volatile unsigned char *dst = map(FRAME_BYTES);
	memcpy((void *)dst, frame, FRAME_BYTES);
	struct zc_pages w;
	watch(&w, (void *)dst, FRAME_BYTES);
	dst[0] = 0xA5;
	dst[FRAME_BYTES - 1] = 0x5A;
	assert_int_equal(written(&w), 2);
	zc_pages_release(&w);
	munmap((void *)dst, FRAME_BYTES);
}

/* Writes the frame into the descriptor *arg; returns arg when the write failed. */
static void *write_frame(void *arg)
{
	return zc_write_all(*(int *)arg, frame, FRAME_BYTES) == 0 ? NULL : arg;
}

/* The kernel's copy_to_user writes the pages: no user code touches them. */
static void pipe_read_writes_every_page(void **unused)
{
	(void)unused;
	unsigned char *dst = map(FRAME_BYTES);
	int fds[2];
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	struct zc_pages w;
	watch(&w, dst, FRAME_BYTES);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, write_frame, &fds[1]), 0);
	assert_int_equal(zc_read_all(fds[0], dst, FRAME_BYTES), 0);
	void *rc;
	pthread_join(t, &rc);
	assert_null(rc);
	assert_memory_equal(dst, frame, FRAME_BYTES);
	assert_int_equal(written(&w), FRAME_PAGES);
	zc_pages_release(&w);
	close(fds[0]);
	close(fds[1]);
	munmap(dst, FRAME_BYTES);
}

static void reading_writes_nothing(void **unused)
{
	(void)unused;
	unsigned char *fresh = map(FRAME_BYTES);  /* reads map the zero page */
	unsigned char *filled = map(FRAME_BYTES); /* reads of present pages */
	memcpy(filled, frame, FRAME_BYTES);
	struct zc_pages wf, wp;
	watch(&wf, fresh, FRAME_BYTES);
	watch(&wp, filled, FRAME_BYTES);
	uint64_t sum = 0;
	for (size_t i = 0; i < FRAME_BYTES; i += 64)
		sum += ((volatile unsigned char *)fresh)[i] + ((volatile unsigned char *)filled)[i];
	zc_do_not_optimize(&sum);
	assert_int_equal(written(&wf), 0);
	assert_int_equal(written(&wp), 0);
	zc_pages_release(&wf);
	zc_pages_release(&wp);
	munmap(fresh, FRAME_BYTES);
	munmap(filled, FRAME_BYTES);
}

static void reset_rearms_and_take_counts_once(void **unused)
{
	(void)unused;
	volatile unsigned char *dst = map(FRAME_BYTES);
	struct zc_pages w;
	watch(&w, (void *)dst, FRAME_BYTES);
	memcpy((void *)dst, frame, FRAME_BYTES);
	assert_int_equal(written(&w), FRAME_PAGES);
	assert_int_equal(zc_pages_reset(&w, NULL), 0);
	assert_int_equal(written(&w), 0); /* re-armed, nothing written */
	for (unsigned i = 0; i < 3; i++)
		dst[(100 + i) * PAGE + 5] = 1;
	assert_int_equal(written(&w), 3);
	assert_int_equal(zc_pages_take(&w, NULL), 3); /* counts and re-arms */
	assert_int_equal(written(&w), 0);
	assert_int_equal(zc_pages_take(&w, NULL), 0);
	dst[7 * PAGE] = 1;
	assert_int_equal(zc_pages_take(&w, NULL), 1);
	zc_pages_release(&w);
	munmap((void *)dst, FRAME_BYTES);
}

/* A buffer that starts mid-page: the pages overlapping it count, 2,026 for a frame. */
static void unaligned_range_counts_overlapping_pages(void **unused)
{
	(void)unused;
	unsigned char *mem = map(FRAME_BYTES + 2 * PAGE);
	unsigned char *dst = mem + PAGE + 100;
	struct zc_pages w;
	watch(&w, dst, FRAME_BYTES);
	assert_int_equal(zc_pages_count(&w), FRAME_PAGES + 1);
	((volatile unsigned char *)dst)[0] = 1;
	((volatile unsigned char *)dst)[FRAME_BYTES - 1] = 1;
	mem[0] = 1; /* outside the watched pages */
	assert_int_equal(written(&w), 2);
	memcpy(dst, frame, FRAME_BYTES);
	zc_do_not_optimize(dst);
	assert_int_equal(written(&w), FRAME_PAGES + 1);
	zc_pages_release(&w);
	munmap(mem, FRAME_BYTES + 2 * PAGE);
}

/* The shm strategies' memory: a memfd mapped shared. */
static void memfd_mapping_is_watched(void **unused)
{
	(void)unused;
	int fd = memfd_create("zc-pages", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, FRAME_BYTES), 0);
	unsigned char *dst = mmap(NULL, FRAME_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(dst != MAP_FAILED);
	struct zc_pages w;
	watch(&w, dst, FRAME_BYTES);
	assert_int_equal(written(&w), 0);
	((volatile unsigned char *)dst)[PAGE * 9] = 1;
	assert_int_equal(written(&w), 1);
	copy_writes_every_page(&w, dst);
	zc_pages_release(&w);
	munmap(dst, FRAME_BYTES);
	close(fd);
}

/* Transparent huge pages: a stamp must count 4 KiB, not the 2 MiB page it lands in. */
static void huge_pages_count_small_pages(void **unused)
{
	(void)unused;
	size_t len = 8u << 20, huge = 2u << 20;
	unsigned char *mem = map(len + huge);
	unsigned char *dst = (unsigned char *)(((uintptr_t)mem + huge - 1) & ~(uintptr_t)(huge - 1));
	madvise(dst, len, MADV_HUGEPAGE);
	memset(dst, 1, len);
	struct zc_pages w;
	watch(&w, dst, len);
	((volatile unsigned char *)dst)[3 * PAGE] = 2;
	((volatile unsigned char *)dst)[huge + 7] = 2;
	assert_int_equal(written(&w), 2);
	zc_pages_release(&w);
	munmap(mem, len + huge);
}

static void *stamp_every_tenth_page(void *arg)
{
	volatile unsigned char *dst = arg;
	for (size_t i = 0; i < FRAME_PAGES; i += 10)
		dst[i * PAGE] = 3;
	return NULL;
}

static void other_threads_writes_count(void **unused)
{
	(void)unused;
	unsigned char *dst = map(FRAME_BYTES);
	struct zc_pages w;
	watch(&w, dst, FRAME_BYTES);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, stamp_every_tenth_page, dst), 0);
	pthread_join(t, NULL);
	assert_int_equal(written(&w), (FRAME_PAGES + 9) / 10);
	zc_pages_release(&w);
	munmap(dst, FRAME_BYTES);
}

static void unmapped_range_is_an_error(void **unused)
{
	(void)unused;
	struct zc_error err = {0};
	unsigned char *dst = map(4 * PAGE);
	struct zc_pages w;
	watch(&w, dst, 4 * PAGE);
	munmap(dst, 4 * PAGE);
	assert_int_equal(zc_pages_written(&w, &err), -1);
	assert_int_equal(err.code, ZC_EXIT_RUNTIME);
	assert_non_null(strstr(err.text, "still watched"));
	/* mapped again at the same address: no longer watched either */
	void *again = mmap(dst, 4 * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	assert_ptr_equal(again, dst);
	err = (struct zc_error){0};
	assert_int_equal(zc_pages_written(&w, &err), -1);
	assert_true(strlen(err.text) > 0);
	zc_pages_release(&w);
	munmap(dst, 4 * PAGE);
}

static void bad_ranges_are_refused_with_a_reason(void **unused)
{
	(void)unused;
	struct zc_error err = {0};
	struct zc_pages w, twice;
	assert_int_equal(zc_pages_init(&w, frame, 0, ZC_PAGES_AUTO, &err), -1);
	assert_int_equal(err.code, ZC_EXIT_USAGE);
	assert_string_equal(err.text, "pages: empty range");
	watch(&w, frame, FRAME_BYTES);
	err = (struct zc_error){0};
	assert_int_equal(zc_pages_init(&twice, frame + 10, 100, ZC_PAGES_UFFD_WP, &err), -1);
	assert_non_null(strstr(err.text, "already watched"));
	zc_pages_release(&twice); /* safe after a failed init */
	zc_pages_release(&w);
}

/* A fork child's copy of a watch would read its parent's page tables: refused. */
static void fork_child_cannot_use_the_parents_watch(void **unused)
{
	(void)unused;
	unsigned char *dst = map(FRAME_BYTES);
	struct zc_pages w;
	watch(&w, dst, FRAME_BYTES);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct zc_error err = {0};
		long n = zc_pages_written(&w, &err);
		_exit(n == -1 && strstr(err.text, "belongs to process") ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	dst[0] = 1;
	assert_int_equal(written(&w), 1);
	zc_pages_release(&w);
	munmap(dst, FRAME_BYTES);
}

/* Runs fn in a child; its report comes back through out, its status is returned. */
static int in_child(int (*fn)(char *out, size_t len), char *out, size_t len)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		char msg[512] = "";
		int rc = fn(msg, sizeof(msg));
		zc_write_all(fds[1], msg, strlen(msg) + 1);
		_exit(rc);
	}
	close(fds[1]);
	memset(out, 0, len);
	size_t n = 0;
	ssize_t r;
	while (n < len - 1 && (r = read(fds[0], out + n, len - 1 - n)) > 0)
		n += (size_t)r;
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The system call refused, as a seccomp policy or a locked-down sysctl would. */
static int deny_userfaultfd(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_userfaultfd, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

static int init_without_userfaultfd(char *out, size_t len)
{
	if (deny_userfaultfd() != 0) {
		snprintf(out, len, "seccomp: %s", strerror(errno));
		return 2;
	}
	struct zc_pages w;
	struct zc_error err = {0};
	int rc = zc_pages_init(&w, frame, FRAME_BYTES, ZC_PAGES_UFFD_WP, &err);
	snprintf(out, len, "%s", err.text);
	return rc == -1 ? 0 : 1;
}

static void denied_userfaultfd_is_unavailable_with_a_reason(void **unused)
{
	(void)unused;
	char why[512];
	int rc = in_child(init_without_userfaultfd, why, sizeof(why));
	if (rc == 2) {
		print_message("cannot deny userfaultfd here: %s\n", why);
		skip();
	}
	assert_int_equal(rc, 0);
	assert_string_equal(why, "userfaultfd: Operation not permitted");
}

static int auto_without_userfaultfd(char *out, size_t len)
{
	if (deny_userfaultfd() != 0)
		return 2;
	struct zc_error err = {0};
	struct zc_pages w;
	if (zc_pages_init(&w, frame, FRAME_BYTES, ZC_PAGES_AUTO, &err) == 0) {
		snprintf(out, len, "%s", zc_pages_method_name(&w));
		zc_pages_release(&w);
		return 0;
	}
	snprintf(out, len, "%s", err.text);
	return 1;
}

/* AUTO falls back to soft-dirty, or names why each method failed. */
static void auto_gives_every_reason(void **unused)
{
	(void)unused;
	char why[512];
	struct zc_error sd_err = {0};
	int soft_dirty = zc_pages_probe(ZC_PAGES_SOFT_DIRTY, &sd_err) == 0;
	int rc = in_child(auto_without_userfaultfd, why, sizeof(why));
	if (rc == 2)
		skip();
	if (soft_dirty) {
		assert_int_equal(rc, 0);
		assert_string_equal(why, "soft-dirty");
		return;
	}
	assert_int_equal(rc, 1);
	assert_non_null(strstr(why, "userfaultfd: Operation not permitted; soft-dirty: "));
}

static int watch_as_nobody(char *out, size_t len)
{
	if (setgid(65534) != 0 || setuid(65534) != 0 || prctl(PR_SET_DUMPABLE, 1) != 0) {
		snprintf(out, len, "cannot become nobody: %s", strerror(errno));
		return 2;
	}
	unsigned char *dst = mmap(NULL, FRAME_BYTES, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct zc_pages w;
	struct zc_error err = {0};
	if (dst == MAP_FAILED || zc_pages_init(&w, dst, FRAME_BYTES, ZC_PAGES_UFFD_WP, &err)) {
		snprintf(out, len, "%s", err.text);
		return 1;
	}
	memcpy(dst, frame, FRAME_BYTES / 2);
	long n = zc_pages_written(&w, &err);
	if (n != (long)FRAME_PAGES / 2 + 1) {
		snprintf(out, len, "%ld pages written%s%s", n, err.code ? ": " : "", err.text);
		return 1;
	}
	return 0;
}

/* User-mode-only descriptors need no privilege, even with vm.unprivileged_userfaultfd=0. */
static void works_without_privilege(void **unused)
{
	(void)unused;
	if (geteuid() != 0)
		skip();
	char why[512];
	int rc = in_child(watch_as_nobody, why, sizeof(why));
	if (rc == 2) {
		print_message("%s\n", why);
		skip();
	}
	if (rc != 0)
		fail_msg("as nobody: %s", why);
}

/* The fallback: exact counts where the kernel has soft-dirty, a reason where it has not. */
static void soft_dirty_counts_or_says_why(void **unused)
{
	(void)unused;
	struct zc_error err = {0};
	struct zc_pages w;
	volatile unsigned char *dst = map(FRAME_BYTES);
	memset((void *)dst, 0, FRAME_BYTES);
	if (zc_pages_init(&w, (void *)dst, FRAME_BYTES, ZC_PAGES_SOFT_DIRTY, &err)) {
		munmap((void *)dst, FRAME_BYTES);
		assert_true(strncmp(err.text, "soft-dirty: ", 12) == 0);
		print_message("soft-dirty unavailable: %s\n", err.text);
		skip();
	}
	assert_string_equal(zc_pages_method_name(&w), "soft-dirty");
	assert_int_equal(written(&w), 0);
	dst[0] = 1;
	dst[FRAME_BYTES - 1] = 1;
	assert_int_equal(written(&w), 2);
	memcpy((void *)dst, frame, FRAME_BYTES);
	assert_int_equal(zc_pages_take(&w, NULL), FRAME_PAGES);
	assert_int_equal(written(&w), 0);
	zc_pages_release(&w);
	munmap((void *)dst, FRAME_BYTES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(uffd_wp_works_here),
		cmocka_unit_test(memcpy_of_a_frame_writes_every_page),
		cmocka_unit_test(memcpy_into_a_reused_buffer),
		cmocka_unit_test(word_loop_writes_every_page),
		cmocka_unit_test(two_stamps_write_two_pages),
		cmocka_unit_test(pipe_read_writes_every_page),
		cmocka_unit_test(reading_writes_nothing),
		cmocka_unit_test(reset_rearms_and_take_counts_once),
		cmocka_unit_test(unaligned_range_counts_overlapping_pages),
		cmocka_unit_test(memfd_mapping_is_watched),
		cmocka_unit_test(huge_pages_count_small_pages),
		cmocka_unit_test(other_threads_writes_count),
		cmocka_unit_test(unmapped_range_is_an_error),
		cmocka_unit_test(bad_ranges_are_refused_with_a_reason),
		cmocka_unit_test(fork_child_cannot_use_the_parents_watch),
		cmocka_unit_test(denied_userfaultfd_is_unavailable_with_a_reason),
		cmocka_unit_test(auto_gives_every_reason),
		cmocka_unit_test(works_without_privilege),
		cmocka_unit_test(soft_dirty_counts_or_says_why),
	};
	return cmocka_run_group_tests_name("pages", tests, setup, teardown);
}
