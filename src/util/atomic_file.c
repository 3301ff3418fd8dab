/*
 * atomic_file.c: replace a file through a temporary file in the same directory and rename(2),
 * which is atomic within one file system.
 */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void release(struct zc_atomic_file *af)
{
	free(af->path);
	free(af->tmp);
	*af = (struct zc_atomic_file){ 0 };
}

/* ".NAME.XXXXXX" in the directory of @path: names starting with '.' are skipped by readers. */
static char *temp_name(const char *path)
{
	char *copy1 = strdup(path), *copy2 = strdup(path), *tmp = NULL;

	if (copy1 && copy2 && asprintf(&tmp, "%s/.%s.XXXXXX", dirname(copy1), basename(copy2)) < 0)
		tmp = NULL;
	free(copy1);
	free(copy2);
	if (!tmp)
		errno = ENOMEM;
	return tmp;
}

int zc_atomic_file_open(struct zc_atomic_file *af, const char *path)
{
	int fd, saved;

	*af = (struct zc_atomic_file){ 0 };
	af->path = strdup(path);
	af->tmp = temp_name(path);
	if (!af->path || !af->tmp) {
		release(af);
		errno = ENOMEM;
		return -1;
	}
	fd = mkstemp(af->tmp);
	if (fd < 0)
		goto out_release;
	if (fchmod(fd, 0644) || !(af->fp = fdopen(fd, "w"))) {
		saved = errno;
		close(fd);
		unlink(af->tmp);
		errno = saved;
		goto out_release;
	}
	return 0;

out_release:
	saved = errno;
	release(af);
	errno = saved;
	return -1;
}

/* Make the rename itself durable. */
static void sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int zc_atomic_file_commit(struct zc_atomic_file *af)
{
	int failed = 0, saved = 0;

	if (fflush(af->fp) || ferror(af->fp) || fsync(fileno(af->fp))) {
		failed = 1;
		saved = errno ? errno : EIO;
	}
	if (fclose(af->fp) && !failed) {
		failed = 1;
		saved = errno;
	}
	af->fp = NULL;
	if (!failed && rename(af->tmp, af->path)) {
		failed = 1;
		saved = errno;
	}
	if (failed) {
		unlink(af->tmp);
		release(af);
		errno = saved;
		return -1;
	}
	sync_dir(af->path);
	release(af);
	return 0;
}

void zc_atomic_file_abort(struct zc_atomic_file *af)
{
	if (af->fp)
		fclose(af->fp);
	if (af->tmp)
		unlink(af->tmp);
	release(af);
}
