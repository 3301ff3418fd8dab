/*
 * allocator.c: --allocator glibc|mimalloc|jemalloc by re-executing the program with the
 * allocator's library in LD_PRELOAD (see allocator.h).
 *
 * ZCBENCH_ALLOCATOR marks a process that was re-executed for an allocator, so that it does not
 * re-execute again; a process started with it set for another allocator (a child of a run
 * under mimalloc, say) re-executes once more.
 */
#include "allocator.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"

#define MARK "ZCBENCH_ALLOCATOR"
#define LIBDIR "/usr/lib/x86_64-linux-gnu/"

struct allocator {
	const char *name;
	const char *library;  /* NULL: the C library's own */
	const char *package;  /* the Debian package that installs library */
};

static const struct allocator table[] = {
	{"glibc", NULL, NULL},
	{"mimalloc", LIBDIR "libmimalloc.so.2", "libmimalloc2.0"},
	{"jemalloc", LIBDIR "libjemalloc.so.2", "libjemalloc2"},
};
#define NALLOC (sizeof(table) / sizeof(table[0]))

static const char *const names[NALLOC] = {"glibc", "mimalloc", "jemalloc"};

const char *const *zc_allocator_names(size_t *n)
{
	*n = NALLOC;
	return names;
}

static const struct allocator *find(const char *name)
{
	for (size_t i = 0; name && i < NALLOC; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

bool zc_allocator_known(const char *name)
{
	return find(name) != NULL;
}

const char *zc_allocator_current(void)
{
	const struct allocator *a = find(getenv(MARK));
	return a ? a->name : "glibc";
}

/* The file the malloc behind this program's own (counting) malloc comes from; NULL unknown. */
static const char *malloc_from(void)
{
	void *p = dlsym(RTLD_NEXT, "malloc");
	Dl_info info;
	if (!p || !dladdr(p, &info))
		return NULL;
	return info.dli_fname;
}

/* True when malloc comes from a's library (its file, or a link to it). */
static bool in_effect(const struct allocator *a)
{
	const char *from = malloc_from();
	if (!a->library || !from)
		return !a->library;
	char want[PATH_MAX], got[PATH_MAX];
	return strcmp(from, a->library) == 0 ||
	       (realpath(a->library, want) && realpath(from, got) && strcmp(want, got) == 0);
}

static bool is_ours(const char *entry, size_t len)
{
	for (size_t i = 0; i < NALLOC; i++)
		if (table[i].library && strlen(table[i].library) == len &&
		    strncmp(table[i].library, entry, len) == 0)
			return true;
	return false;
}

/* LD_PRELOAD with a's library first and none of the others this file preloads. */
static int set_preload(const struct allocator *a)
{
	const char *old = getenv("LD_PRELOAD");
	size_t cap = (old ? strlen(old) : 0) + (a->library ? strlen(a->library) : 0) + 2;
	char *value = malloc(cap);
	if (!value)
		return -1;
	size_t len = (size_t)snprintf(value, cap, "%s", a->library ? a->library : "");
	for (const char *p = old; p && *p;) {
		size_t n = strcspn(p, ": ");
		if (n > 0 && !is_ours(p, n))
			len += (size_t)snprintf(value + len, cap - len, "%s%.*s", len ? ":" : "",
						(int)n, p);
		p += n + (p[n] != '\0');
	}
	int rc = len ? setenv("LD_PRELOAD", value, 1) : unsetenv("LD_PRELOAD");
	free(value);
	return rc;
}

/* This process's own argv, from /proc/self/cmdline; NULL when unreadable. */
static char **own_argv(void)
{
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t len;
	char *buf = zc_read_whole(fd, &len);
	close(fd);
	if (!buf)
		return NULL;
	size_t argc = 0;
	for (size_t i = 0; i < len; i++)
		argc += buf[i] == '\0';
	char **argv = calloc(argc + 1, sizeof(char *));
	if (!argv) {
		free(buf);
		return NULL;
	}
	for (size_t i = 0, k = 0; i < len && k < argc; i += strlen(buf + i) + 1)
		argv[k++] = buf + i;
	return argv;
}

static int reexec(const struct allocator *a, struct zc_error *err)
{
	char **argv = own_argv();
	if (!argv || set_preload(a) != 0 || setenv(MARK, a->name, 1) != 0) {
		int e = errno ? errno : ENOMEM;
		return zc_error_set(err, zc_exit_for_errno(e),
				    "cannot re-execute with allocator '%s': %s", a->name,
				    strerror(e));
	}
	execv("/proc/self/exe", argv);
	int e = errno;
	return zc_error_set(err, zc_exit_for_errno(e),
			    "cannot re-execute '/proc/self/exe' with allocator '%s': %s", a->name,
			    strerror(e));
}

int zc_allocator_use(const char *name, struct zc_error *err)
{
	const struct allocator *a = find(name);
	if (!a)
		return zc_error_set(err, ZC_EXIT_USAGE,
				    "unknown allocator '%s' (valid: glibc mimalloc jemalloc)",
				    name ? name : "");
	const char *mark = getenv(MARK);
	if (!a->library && (!mark || !strcmp(mark, a->name)))
		return 0; /* glibc, and nothing of ours was preloaded */
	if (a->library && mark && !strcmp(mark, a->name)) {
		if (in_effect(a))
			return 0;
		const char *from = malloc_from();
		return zc_error_set(err, ZC_EXIT_RUNTIME,
				    "allocator '%s' was preloaded but malloc comes from '%s'",
				    a->name, from ? from : "an unknown file");
	}
	if (a->library && access(a->library, R_OK) != 0)
		return zc_error_set(err, ZC_EXIT_USAGE,
				    "allocator '%s' needs '%s' (Debian package %s; scripts/deps.sh "
				    "check installs it)", a->name, a->library, a->package);
	return reexec(a, err);
}

void zc_allocator_describe(json_t *allocator)
{
	if (!json_is_object(allocator))
		return;
	const struct allocator *a = find(zc_allocator_current());
	const char *from = malloc_from();
	json_object_set_new(allocator, "library",
			    a && a->library ? json_string(a->library) : json_null());
	json_object_set_new(allocator, "malloc_from", from ? json_string(from) : json_null());
}
