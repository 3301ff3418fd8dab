/*
 * support_run.h: test support: run a built program with extra environment variables, capture
 * its exit status and stderr, and load the JSON it wrote.
 */
#ifndef ZC_SUPPORT_RUN_H
#define ZC_SUPPORT_RUN_H

#include <jansson.h>
#include <stddef.h>

struct support_run {
	int status;       /* the exit code, or 128 + the signal that ended it */
	char err[8192];   /* the start of its stderr */
};

/* "$BUILD/rel" (BUILD defaults to "build") into buf. */
const char *support_build_path(char *buf, size_t len, const char *rel);

/*
 * Runs argv[0] with argv, adding the NAME=VALUE strings of env (NULL-terminated, may be NULL)
 * to its environment; stdout goes to /dev/null. Returns 0, or -1 when it could not start.
 */
int support_run(const char *const argv[], const char *const env[], struct support_run *out);

/* A fresh temporary directory (mkdtemp) into buf; support_rmdir removes it and its files. */
const char *support_tmpdir(char *buf, size_t len);
void support_rmdir(const char *dir);

/* The JSON document at path, or NULL; the result of strategy in a zcbench/1 document. */
json_t *support_load_json(const char *path);
json_t *support_result(json_t *doc, const char *strategy);

#endif
