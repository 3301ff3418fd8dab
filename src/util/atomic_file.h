/*
 * atomic_file.h: write a file so that readers see either the old contents or the new, never a
 * half-written file: a temporary file in the same directory, flushed, synced, then renamed.
 */
#ifndef ZC_ATOMIC_FILE_H
#define ZC_ATOMIC_FILE_H

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct zc_atomic_file {
	FILE *fp;	/* write here between open and commit */
	char *path;	/* the file to replace */
	char *tmp;	/* the temporary file: ".NAME.XXXXXX" beside it */
};

/* Start writing @path.  Returns 0, or -1 with errno set. */
int zc_atomic_file_open(struct zc_atomic_file *af, const char *path);

/*
 * Flush, sync and rename the temporary file over the target, then release @af.  Returns 0, or
 * -1 with errno set, the temporary file removed and the target untouched.
 */
int zc_atomic_file_commit(struct zc_atomic_file *af);

/* Remove the temporary file and release @af; the target is untouched. */
void zc_atomic_file_abort(struct zc_atomic_file *af);

#ifdef __cplusplus
}
#endif

#endif
