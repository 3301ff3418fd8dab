/*
 * untraced.h: the programs the tracer cannot enter, found before they are exec'd, and the
 * small record that names one, so that no process of a run is left out in silence: a static
 * program (no loader to preload libzctrace.so), a setuid or setgid one that changes the user
 * (the loader drops LD_PRELOAD), a 32-bit one. The wrapper checks the program it starts, the
 * library the programs a traced process execs or spawns (exec.c). Nothing here allocates.
 */
#ifndef ZC_TRACE_UNTRACED_H
#define ZC_TRACE_UNTRACED_H

#include <stddef.h>

/*
 * Why path cannot be traced ("static program", "setuid program", ...), or NULL when it can
 * or cannot be read (exec then says why). A "#!" script is judged by its interpreter.
 */
const char *zct_untraced_reason(const char *path);

/* Finds name as execvp would (PATH, else "/usr/bin:/bin"); 0, or -1 with errno. */
int zct_find_program(const char *name, char *buf, size_t len);

/* The process a record names: the program it exec'd and why it is not traced. */
struct zct_untraced {
	int pid, ppid, root_pid;
	const char *run;
	const char *exe;       /* the program, as exec was given it */
	char *const *argv;     /* may be NULL */
	const char *reason;
	unsigned long long min_bytes;
};

/*
 * Writes at record (atomically: a temporary file renamed) a zctrace record of u that copied
 * nothing and says "not_traced": "REASON PATH". 0, or -1 with errno.
 */
int zct_untraced_write(const char *record, const struct zct_untraced *u);

#endif
