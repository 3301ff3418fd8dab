/*
 * copy_kinds.c: a user's program that copies the way zctrace must see (tools/zctrace/e2e_zctrace.sh),
 * plain libc and nothing of zcbench. One mode per run:
 *   rows       a 1920x1080 RGBA frame copied row by row: 1,080 memcpys of 7,680 bytes
 *   functions  8 MiB through each copy function other than memcpy, and their _chk forms
 *   remap      a 64 MiB block grown to 128 MiB by realloc, which glibc serves with mremap
 *   loop       8 MiB of static memory (the program's own) written by a loop: no copy
 *              function sees it, --pages does
 *   threads    4 threads, each 1,000 memcpys of 4,096 bytes from one call site, and
 *              another site between every 100 (the tracer's per-thread counts are exact);
 *              each on a 64 KiB stack, which a preloaded library's static TLS shares (node
 *              starts threads that small: a tracer with more TLS keeps them from starting)
 *   small N    N memcpys of 64 bytes from one call site: the tracer's cost per copy call
 *   mapfile F  reads the file F through mmap (no read call: zctrace lists the mapping)
 *   sites      three call sites of different shapes, for the comparison with valgrind's DHAT
 *              in copy mode (the site_* functions are exported, -rdynamic, so that both tools
 *              name them)
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#define BIG (8u << 20)

/*
 * glibc's fortified entry points, called as -D_FORTIFY_SOURCE builds call them. No header
 * declares them; counting_hooks.c declares the same prototypes to define them, this program
 * to call them (a test program does not include the hooks' internals).
 */
void *__mempcpy_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen);
char *__strcpy_chk(char *dst, const char *src, size_t dstlen);
char *__stpcpy_chk(char *dst, const char *src, size_t dstlen);
char *__strncpy_chk(char *dst, const char *src, size_t n, size_t dstlen);
wchar_t *__wmemcpy_chk(wchar_t *dst, const wchar_t *src, size_t n, size_t dstlen);
wchar_t *__wmemmove_chk(wchar_t *dst, const wchar_t *src, size_t n, size_t dstlen);

static volatile unsigned char sink;

static int rows(void)
{
	const size_t row = 1920 * 4, height = 1080;
	unsigned char *src = malloc(row * height), *dst = malloc(row * height);
	if (!src || !dst)
		return 1;
	memset(src, 7, row * height);
	for (size_t y = 0; y < height; y++)
		memcpy(dst + y * row, src + y * row, row);
	sink = dst[row * height - 1];
	free(src);
	free(dst);
	return 0;
}

static int functions(void)
{
	char *src = malloc(BIG + 1), *dst = malloc(BIG + 1);
	if (!src || !dst)
		return 1;
	memset(src, 'a', BIG);
	src[BIG] = '\0';
	size_t wn = BIG / sizeof(wchar_t);
	mempcpy(dst, src, BIG);
	__mempcpy_chk(dst, src, BIG, BIG + 1);
	__memmove_chk(dst, src, BIG, BIG + 1);
	bcopy(src, dst, BIG);
	memccpy(dst, src, '\0', BIG + 1);
	strcpy(dst, src);
	__strcpy_chk(dst, src, BIG + 1);
	stpcpy(dst, src);
	__stpcpy_chk(dst, src, BIG + 1);
	strncpy(dst, src, BIG);
	__strncpy_chk(dst, src, BIG, BIG + 1);
	wmemcpy((wchar_t *)dst, (const wchar_t *)src, wn);
	__wmemcpy_chk((wchar_t *)dst, (const wchar_t *)src, wn, wn);
	wmemmove((wchar_t *)dst, (const wchar_t *)src, wn);
	__wmemmove_chk((wchar_t *)dst, (const wchar_t *)src, wn, wn);
	char *d1 = strdup(src), *d2 = strndup(src, BIG);
	sink = (unsigned char)(dst[BIG - 1] + (d1 ? d1[1] : 0) + (d2 ? d2[2] : 0));
	free(d1);
	free(d2);
	free(src);
	free(dst);
	return 0;
}

static int remap(void)
{
	size_t n = 64u << 20;
	unsigned char *p = malloc(n), *q;
	if (!p)
		return 1;
	memset(p, 3, n);
	if (!(q = realloc(p, 2 * n))) {
		free(p);
		return 1;
	}
	sink = q[n - 1];
	free(q);
	return 0;
}

/* The sites mode's call sites: a frame row by row, ten 1 MiB moves, five 100 KiB strcpys. */
void site_rows(unsigned char *dst, const unsigned char *src);
void site_moves(unsigned char *buf);
void site_strings(char *dst, const char *src);

__attribute__((noinline)) void site_rows(unsigned char *dst, const unsigned char *src)
{
	for (size_t y = 0; y < 1080; y++)
		memcpy(dst + y * 7680, src + y * 7680, 7680);
}

__attribute__((noinline)) void site_moves(unsigned char *buf)
{
	for (int i = 0; i < 10; i++)
		memmove(buf + 4096, buf, 1u << 20);
}

__attribute__((noinline)) void site_strings(char *dst, const char *src)
{
	for (int i = 0; i < 5; i++)
		strcpy(dst, src);
}

static int sites(void)
{
	const size_t frame = 7680u * 1080u, text = 100u * 1024u;
	unsigned char *src = malloc(frame), *dst = malloc(frame), *buf = malloc((1u << 20) + 4096);
	char *s = malloc(text + 1), *d = malloc(text + 1);
	if (!src || !dst || !buf || !s || !d)
		return 1;
	memset(src, 1, frame);
	memset(buf, 2, (1u << 20) + 4096);
	memset(s, 'x', text);
	s[text] = '\0';
	site_rows(dst, src);
	site_moves(buf);
	site_strings(d, s);
	sink = (unsigned char)(dst[frame - 1] + buf[4096] + (unsigned char)d[text - 1]);
	free(src);
	free(dst);
	free(buf);
	free(s);
	free(d);
	return 0;
}

static int loop(void)
{
	static unsigned char memory[BIG];
	volatile unsigned char *v = memory;
	for (size_t i = 0; i < BIG; i++)
		v[i] = (unsigned char)(i * 7);
	sink = memory[12345];
	return 0;
}

void site_threads(unsigned char *dst, const unsigned char *src);

__attribute__((noinline)) void site_threads(unsigned char *dst, const unsigned char *src)
{
	memcpy(dst, src, 4096);
	sink = dst[0]; /* not a tail call: the return address is in site_threads */
}

static void *copier(void *arg)
{
	static unsigned char src[4096];
	unsigned char *dst = arg;
	for (int i = 0; i < 1000; i++) {
		site_threads(dst, src);
		if (i % 100 == 0)
			memcpy(dst + 4096, src, 16); /* another site: the thread's counts move on */
	}
	return NULL;
}

static int threads(void)
{
	pthread_t t[4];
	pthread_attr_t small_stack;
	static unsigned char dst[4][8192];
	if (pthread_attr_init(&small_stack) != 0 ||
	    pthread_attr_setstacksize(&small_stack, 64 * 1024) != 0)
		return 1;
	for (int i = 0; i < 4; i++) {
		int err = pthread_create(&t[i], &small_stack, copier, dst[i]);
		if (err) {
			fprintf(stderr, "copy_kinds: cannot start a thread on a 64 KiB stack: %s\n",
				strerror(err));
			return 1;
		}
	}
	pthread_attr_destroy(&small_stack);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	sink = dst[3][4095];
	return 0;
}

static int small(long n)
{
	static unsigned char a[4096], b[4096];
	for (long i = 0; i < n; i++)
		memcpy(b + (i & 63) * 64, a + ((i >> 6) & 63) * 64, 64);
	sink = b[4095];
	return 0;
}

/* Sums the bytes of path read through a read-only mapping. */
static int mapfile(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
		fprintf(stderr, "copy_kinds: cannot map %s\n", path);
		return 1;
	}
	const unsigned char *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		fprintf(stderr, "copy_kinds: cannot map %s\n", path);
		return 1;
	}
	unsigned sum = 0;
	for (off_t i = 0; i < st.st_size; i += 4096)
		sum += p[i];
	sink = (unsigned char)sum;
	munmap((void *)p, (size_t)st.st_size);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(void);
	} kinds[] = {
		{ "rows", rows }, { "functions", functions }, { "remap", remap },
		{ "sites", sites }, { "threads", threads }, { "loop", loop },
	};
	for (size_t i = 0; argc == 2 && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(argv[1], kinds[i].name))
			return kinds[i].run();
	if (argc == 3 && !strcmp(argv[1], "small"))
		return small(atol(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "mapfile"))
		return mapfile(argv[2]);
	fprintf(stderr, "usage: copy_kinds rows|functions|remap|sites|threads|loop|small N|mapfile F\n");
	return 2;
}
