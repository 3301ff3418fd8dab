/*
 * support.c: helpers for the cmocka tests (see support.h).
 */
#include "support.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frame.h"
#include "instrument.h"
#include "strategy.h"

extern char **environ;

const char *zt_build_dir(void)
{
	const char *b = getenv("BUILD");
	return b && *b ? b : "build";
}

const char *zt_build_path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", zt_build_dir(), rel);
	return buf;
}

/* environ with env's strings added; the strings are not copied. */
static char **with_env(const char *const env[])
{
	size_t n = 0, k = 0;
	while (environ[n])
		n++;
	while (env && env[k])
		k++;
	char **all = calloc(n + k + 1, sizeof(*all));
	assert_non_null(all);
	memcpy(all, environ, n * sizeof(*all));
	for (size_t i = 0; i < k; i++)
		all[n + i] = (char *)env[i]; /* posix_spawn does not write to them */
	return all;
}

int zt_run(const char *const argv[], char *out, size_t outlen)
{
	return zt_run_env(argv, NULL, out, outlen);
}

int zt_run_env(const char *const argv[], const char *const env[], char *out, size_t outlen)
{
	char path[] = "/tmp/zctest-out-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	unlink(path);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	posix_spawn_file_actions_adddup2(&fa, fd, 2);
	pid_t pid;
	char **envp = with_env(env);
	/* posix_spawn takes char *const[] for historical reasons; it does not write to them. */
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	if (rc != 0) {
		close(fd);
		return -1;
	}
	int status;
	waitpid(pid, &status, 0);
	ssize_t n = pread(fd, out, outlen - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void zt_tmpdir(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/zctest-XXXXXX");
	assert_non_null(mkdtemp(buf));
}

void zt_rmdir(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

json_t *zt_load_json(const char *path)
{
	json_error_t e;
	json_t *doc = json_load_file(path, 0, &e);
	if (!doc)
		fail_msg("cannot parse '%s': %s (line %d)", path, e.text, e.line);
	return doc;
}

json_t *zt_element(json_t *obj, const char *array, const char *key, const char *value)
{
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(obj, array), i, e) {
		const char *s = json_string_value(json_object_get(e, key));
		if (s && strcmp(s, value) == 0)
			return e;
	}
	fail_msg("no element of '%s' with %s '%s'", array, key, value);
	return NULL;
}

json_t *zt_result(json_t *doc, const char *strategy)
{
	return zt_element(doc, "results", "strategy", strategy);
}

static json_t *at(json_t *obj, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *cur = obj;
	for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && cur;
	     k = strtok_r(NULL, ".", &save))
		cur = json_object_get(cur, k);
	if (!cur)
		fail_msg("missing field '%s'", path);
	return cur;
}

double zt_number(json_t *obj, const char *path)
{
	json_t *v = at(obj, path);
	if (!json_is_number(v))
		fail_msg("field '%s' is not a number", path);
	return json_number_value(v);
}

const char *zt_string(json_t *obj, const char *path)
{
	json_t *v = at(obj, path);
	if (!json_is_string(v))
		fail_msg("field '%s' is not a string", path);
	return json_string_value(v);
}

void zt_expect_identity(json_t *r, const char *verdict, int shares)
{
	const char *name = zt_string(r, "strategy");
	if (strcmp(zt_string(r, "identity.verdict"), verdict) != 0) {
		const char *why = json_string_value(json_object_get(json_object_get(r, "identity"),
								    "evidence"));
		fail_msg("%s: verdict %s (%s)", name, zt_string(r, "identity.verdict"),
			 why ? why : "no evidence");
	}
	if (zt_bool(r, "identity.aliasing_visible") != shares)
		fail_msg("%s: aliasing_visible is not %d", name, shares);
	if (zt_bool(r, "identity.same_address") != shares)
		fail_msg("%s: same_address is not %d", name, shares);
}

void zt_expect_clean(json_t *r)
{
	const char *name = zt_string(r, "strategy");
	if (!zt_bool(r, "identity.checksum_ok"))
		fail_msg("%s: checksum", name);
	if (zt_number(r, "allocations.live_at_end") != 0)
		fail_msg("%s: %g blocks left", name, zt_number(r, "allocations.live_at_end"));
}

/* The write probe at byte off of v, which s handed over (st its state); see zt_probe_transfers. */
static void probe(const struct zc_strategy *s, void *st, const struct zc_view *v, size_t off,
		  unsigned char mask, int shares)
{
	unsigned char before, after;
	assert_int_equal(s->probe->read(st, v, off, &before, NULL), 0);
	assert_int_equal(before, v->data[off]);
	v->producer[off] = (unsigned char)(before ^ mask);
	assert_int_equal(s->probe->read(st, v, off, &after, NULL), 0);
	assert_int_equal(after, shares ? (unsigned char)(before ^ mask) : before);
	v->producer[off] = before;
}

void zt_probe_transfers(const struct zc_strategy *s, const struct zc_frame_geom *g, int n,
			size_t part, unsigned char mask, int shares)
{
	struct zc_counts c0, c1;
	zc_counts_snapshot(&c0);
	void *st = s->setup(g, s->arg, NULL);
	assert_non_null(st);
	for (int i = 0; i < n; i++) {
		struct zc_view v;
		assert_int_equal(s->transfer(st, i == n - 1, &v, NULL), 0);
		assert_true(zc_frame_stamp_ok(v.data, v.bytes, v.seq));
		assert_int_equal(v.data == v.producer, shares);
		if (i == n - 1)
			probe(s, st, &v, v.bytes / part, mask, shares);
		s->release(st, &v);
	}
	s->teardown(st);
	zc_counts_snapshot(&c1);
	assert_int_equal(c1.frame_allocs - c0.frame_allocs, c1.frame_frees - c0.frame_frees);
}

int zt_bool(json_t *obj, const char *path)
{
	json_t *v = at(obj, path);
	if (!json_is_boolean(v))
		fail_msg("field '%s' is not a boolean", path);
	return json_is_true(v);
}

json_t *zt_run_scenario(const char *scenario, const char *const args[], char *dir, size_t dirlen)
{
	static char log[65536];
	char bin[512], rel[128], out[1024];
	const char *argv[32];
	size_t n = 0;

	snprintf(rel, sizeof(rel), "bin/%s", scenario);
	argv[n++] = zt_build_path(bin, sizeof(bin), rel);
	for (size_t i = 0; args[i] && n < 29; i++)
		argv[n++] = args[i];
	zt_tmpdir(dir, dirlen);
	snprintf(out, sizeof(out), "%s/%s.json", dir, scenario);
	argv[n++] = "--out";
	argv[n++] = out;
	argv[n] = NULL;
	alarm(120);
	int rc = zt_run(argv, log, sizeof(log));
	alarm(0);
	if (rc != 0) {
		fprintf(stderr, "%s exited %d:\n%s\n", scenario, rc, log);
		return NULL;
	}
	return zt_load_json(out);
}

void zt_release_scenario(json_t *doc, const char *dir)
{
	json_decref(doc);
	zt_rmdir(dir);
}

static json_t *group_doc;
static char group_dir[256];

int zt_group_run(const char *scenario, const char *const args[], json_t **doc)
{
	group_doc = zt_run_scenario(scenario, args, group_dir, sizeof(group_dir));
	*doc = group_doc;
	return group_doc ? 0 : -1;
}

const char *zt_group_dir(void)
{
	return group_dir;
}

int zt_group_teardown(void **state)
{
	(void)state;
	zt_release_scenario(group_doc, group_dir);
	group_doc = NULL;
	return 0;
}

int zt_copied_frames(double bytes, double frames, double frame_bytes)
{
	double slack = ZT_SANITIZER_BUILD ? frame_bytes / 100 : 0;
	return fabs(bytes - frames * frame_bytes) <= slack;
}
