/*
 * adversarial_processes.c: inproc's test-only rows for the processes a transfer starts, built
 * only under -DZCBENCH_ADVERSARIAL (tests/e2e_processes.sh runs them). Each hands the
 * producer's own frame over (identity: shared) and has another process copy it:
 *   forked_copy     a forked child copies the frame with memcpy into memory of its own, and
 *                   exits; the transfer does not wait for it (reaped at the next one)
 *   forked_late     the same, 20 ms after release() returned
 *   forked_readv    a forked child reads the frame out of its parent with process_vm_readv
 *   spawned_tail    the frame written into a pipe read by `tail -c 1` started with
 *                   posix_spawn: the write and tail's reads each copy it once (2 frames)
 * Each must be judged a copy, with the frames its hooks saw (the child's own counts).
 *   spawned_static  a statically linked program (ZCBENCH_TEST_STATIC: its path, and its
 *                   arguments after spaces) run with posix_spawn and waited for: no hook
 *                   reaches it, so the verdict must say it rests on less (unverified)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gbench.h"
#include "inproc_state.h"

extern char **environ;

/* The helper in flight: reaped before the next hand-over and at teardown. */
static pid_t helper;

static void reap(void)
{
	if (helper > 0)
		while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
			;
	helper = 0;
}

static _Noreturn void copy_and_exit(const unsigned char *frame, size_t bytes, int delay_ms)
{
	if (delay_ms) {
		struct timespec wait = {.tv_nsec = delay_ms * 1000L * 1000L};
		nanosleep(&wait, NULL);
	}
	unsigned char *mine = malloc(bytes);
	if (!mine)
		_exit(1);
	memcpy(mine, frame, bytes);
	zc_do_not_optimize(mine); /* the copy escapes */
	_exit(0);
}

static int fork_helper(struct state *s, bool render, struct zc_view *v, int delay_ms,
		       struct zc_error *err)
{
	reap();
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		zc__inproc_move_release(s, v);
		return zc_error_errno(err, e);
	}
	if (pid == 0)
		copy_and_exit(v->data, v->bytes, delay_ms);
	helper = pid;
	return 0;
}

static int forked_copy_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	return fork_helper(st, render, v, 0, err);
}

static int forked_late_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	return fork_helper(st, render, v, 20, err);
}

static int forked_readv_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	reap();
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	pid_t parent = getpid(), pid = fork();
	if (pid < 0) {
		int e = errno;
		zc__inproc_move_release(s, v);
		return zc_error_errno(err, e);
	}
	if (pid == 0) {
		unsigned char *mine = malloc(v->bytes);
		if (!mine)
			_exit(1);
		struct iovec local = {mine, v->bytes}, remote = {(void *)v->data, v->bytes};
		ssize_t got = process_vm_readv(parent, &local, 1, &remote, 1, 0);
		zc_do_not_optimize(mine);
		_exit(got == (ssize_t)v->bytes ? 0 : 1);
	}
	helper = pid;
	return 0;
}

static int spawned_tail_transfer(void *st, bool render, struct zc_view *v, struct zc_error *err)
{
	struct state *s = st;
	reap();
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	int p[2], e = 0;
	if (pipe2(p, O_CLOEXEC) != 0) {
		e = errno;
		zc__inproc_move_release(s, v);
		return zc_error_errno(err, e);
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	char *argv[] = {(char *)"tail", (char *)"-c", (char *)"1", NULL};
	pid_t pid;
	e = posix_spawnp(&pid, "tail", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[0]);
	if (e == 0) {
		helper = pid;
		signal(SIGPIPE, SIG_IGN);
		for (size_t off = 0; off < v->bytes && e == 0;) {
			ssize_t n = write(p[1], v->data + off, v->bytes - off);
			if (n < 0 && errno != EINTR)
				e = errno;
			else if (n > 0)
				off += (size_t)n;
		}
	}
	close(p[1]);
	if (e != 0) {
		zc__inproc_move_release(s, v);
		return zc_error_errno(err, e);
	}
	return 0;
}

static int spawned_static_transfer(void *st, bool render, struct zc_view *v,
				   struct zc_error *err)
{
	struct state *s = st;
	const char *cmd = getenv("ZCBENCH_TEST_STATIC");
	if (!cmd || !*cmd)
		return zc_error_set(err, ZC_EXIT_USAGE, "ZCBENCH_TEST_STATIC is not set");
	char line[512], *argv[8];
	snprintf(line, sizeof(line), "%s", cmd);
	int argc = 0;
	for (char *save = NULL, *w = strtok_r(line, " ", &save); w && argc < 7;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	if (zc__inproc_take(s, render, v) != 0)
		return zc_error_errno(err, errno);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e == 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	if (e != 0) {
		zc__inproc_move_release(s, v);
		return zc_error_errno(err, e);
	}
	return 0;
}

static void helper_teardown(void *st)
{
	reap();
	zc__inproc_teardown(st);
}

#define PROCESS_ROW(id, what)                                                                \
	const struct zc_strategy zc__inproc_##id = {                                         \
		.name = #id, .mirrors = "test only: move plus " what,                         \
		.expect_zero_copy = true, .arg = &zc__inproc_with_buffer,                     \
		.setup = zc__inproc_setup, .transfer = id##_transfer,                         \
		.release = zc__inproc_move_release, .teardown = helper_teardown,              \
	}
PROCESS_ROW(forked_copy, "a forked child's memcpy of the frame");
PROCESS_ROW(forked_late, "a forked child's memcpy of the frame 20 ms later");
PROCESS_ROW(forked_readv, "a forked child's process_vm_readv of the frame");
PROCESS_ROW(spawned_tail, "the frame piped into tail, started with posix_spawn");
PROCESS_ROW(spawned_static, "a static program run with posix_spawn (no hook reaches it)");
