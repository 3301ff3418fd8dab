/*
 * support.h: what the cmocka tests share: running a program of the build and reading the
 * results it wrote.
 */
#ifndef ZC_TEST_SUPPORT_H
#define ZC_TEST_SUPPORT_H

#include <jansson.h>
#include <stddef.h>

/*
 * True in a sanitizer build: its allocator serves malloc (realloc always moves, a quarantine
 * holds freed memory) and no other allocator can be preloaded, so tests of allocator
 * behaviour and of resident memory skip themselves there.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ZT_SANITIZER_BUILD 1
#else
#define ZT_SANITIZER_BUILD 0
#endif

/* The build directory the programs under test live in: $BUILD, default "build". */
const char *zt_build_dir(void);

/*
 * Runs argv[0] (a path) with argv, stdout and stderr captured into out (NUL-terminated,
 * truncated to outlen). Returns the exit status, 128+signal when killed, -1 when it could not
 * start.
 */
int zt_run(const char *const argv[], char *out, size_t outlen);
/* zt_run with the NAME=VALUE strings of env (NULL-terminated) added to the environment. */
int zt_run_env(const char *const argv[], const char *const env[], char *out, size_t outlen);

/* "$BUILD/rel" into buf; returns buf. */
const char *zt_build_path(char *buf, size_t len, const char *rel);

/* A fresh temporary directory (mkdtemp) written into buf; removes it with zt_rmdir. */
void zt_tmpdir(char *buf, size_t len);
void zt_rmdir(const char *dir);

/*
 * Runs the scenario program $BUILD/bin/@scenario with the NULL-terminated @args plus
 * "--out DIR/@scenario.json", DIR a fresh temporary directory written into @dir (remove it
 * with zt_rmdir); a run past 120 s is killed (SIGALRM) so that a hang fails the test. Returns
 * the results it wrote, or NULL with its exit status and output printed on stderr.
 */
json_t *zt_run_scenario(const char *scenario, const char *const args[], char *dir, size_t dirlen);
/* Releases what zt_run_scenario returned and removes its directory. */
void zt_release_scenario(json_t *doc, const char *dir);

/*
 * The one scenario run a test program's group shares: zt_group_run runs @scenario with @args
 * as zt_run_scenario does, keeps its results in *@doc and returns 0 (-1 when the run failed);
 * zt_group_dir() names its directory; zt_group_teardown, a cmocka group teardown, releases
 * both.
 */
int zt_group_run(const char *scenario, const char *const args[], json_t **doc);
const char *zt_group_dir(void);
int zt_group_teardown(void **state);

/*
 * Whether @bytes copied per transfer are @frames frames of @frame_bytes: exactly in a normal
 * build; within a hundredth of a frame under a sanitizer, whose runtime sits between the
 * program and libc's copy functions and copies a few bytes of its own per transfer.
 */
int zt_copied_frames(double bytes, double frames, double frame_bytes);

/*
 * Whether result @r's identity says @verdict ("copy", "zero-copy") and, both exactly when
 * @shares, that the producer's writes were visible and the consumer saw the producer's address;
 * fails the test naming the strategy otherwise.
 */
void zt_expect_identity(json_t *r, const char *verdict, int shares);

/* Whether result @r's checksums held and it left no block allocated at its end. */
void zt_expect_clean(json_t *r);

struct zc_strategy;
struct zc_frame_geom;
/*
 * Moves @n frames of @g through @s in this process, each stamped right and the producer's
 * exactly when @shares, and probes the last (the one measured) at byte bytes / @part: read
 * through the consumer it is the view's byte; after the producer flips it with @mask the
 * consumer sees the flipped byte exactly when @shares, its old one otherwise. Every
 * frame-sized block made meanwhile is freed by the strategy's teardown.
 */
void zt_probe_transfers(const struct zc_strategy *s, const struct zc_frame_geom *g, int n,
			size_t part, unsigned char mask, int shares);

/* Loads a JSON file; fails the test when it does not parse. */
json_t *zt_load_json(const char *path);

/* The element of obj's @array whose string @key is @value; fails the test when absent. */
json_t *zt_element(json_t *obj, const char *array, const char *key, const char *value);

/* The result object of strategy in a zcbench/1 document; fails the test when absent. */
json_t *zt_result(json_t *doc, const char *strategy);

/* A number at a dotted path inside obj ("copies.bytes_per_transfer"); fails when absent. */
double zt_number(json_t *obj, const char *path);
/* A string at a dotted path; fails when absent. */
const char *zt_string(json_t *obj, const char *path);
/* A boolean at a dotted path; fails when absent. */
int zt_bool(json_t *obj, const char *path);

#endif
