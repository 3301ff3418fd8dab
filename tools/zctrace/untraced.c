/*
 * untraced.c: which programs LD_PRELOAD cannot reach (untraced.h), read from their ELF
 * headers and mode bits, and the record that names one in the run's process tree.
 */
#include "untraced.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out.h"
#include "trace.h"

/* "#!" scripts whose interpreter is a script: judged this deep, then left to exec. */
#define SCRIPT_DEPTH 4

/* The interpreter of a "#!" line in head (n bytes) into buf; NULL when there is none. */
static const char *interpreter(const char *head, size_t n, char *buf, size_t len)
{
	size_t i = 2, j = 0;
	while (i < n && (head[i] == ' ' || head[i] == '\t'))
		i++;
	while (i < n && j + 1 < len && head[i] != ' ' && head[i] != '\t' && head[i] != '\n')
		buf[j++] = head[i++];
	buf[j] = '\0';
	return j && buf[0] == '/' ? buf : NULL;
}

/* PT_INTERP among the program headers of a 64-bit ELF file: 1, 0, or -1 unreadable. */
static int has_interp(int fd, const Elf64_Ehdr *eh)
{
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return -1;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		off_t at = (off_t)(eh->e_phoff + (Elf64_Off)i * sizeof(ph));
		if (pread(fd, &ph, sizeof(ph), at) != (ssize_t)sizeof(ph))
			return -1;
		if (ph.p_type == PT_INTERP)
			return 1;
	}
	return 0;
}

/* What the file's first bytes say: a static or 32-bit ELF program, else NULL. */
static const char *elf_reason(int fd, const unsigned char *head, size_t n)
{
	Elf64_Ehdr eh;
	if (n < sizeof(eh) || memcmp(head, ELFMAG, SELFMAG) != 0)
		return NULL;
	if (head[EI_CLASS] != ELFCLASS64)
		return "32-bit program";
	memcpy(&eh, head, sizeof(eh));
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return NULL;
	return has_interp(fd, &eh) == 0 ? "static program" : NULL;
}

/* The loader runs in secure mode when exec changes the user or the group: no LD_PRELOAD. */
static const char *mode_reason(const struct stat *st)
{
	if ((st->st_mode & S_ISUID) && st->st_uid != getuid())
		return "setuid program";
	if ((st->st_mode & S_ISGID) && st->st_gid != getgid())
		return "setgid program";
	return NULL;
}

static const char *reason_at(const char *path, int depth)
{
	unsigned char head[sizeof(Elf64_Ehdr)];
	char interp[PATH_MAX];
	struct stat st;
	const char *why = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, head, sizeof(head)) : -1;
	if (n > 0) {
		why = mode_reason(&st);
		if (!why)
			why = elf_reason(fd, head, (size_t)n);
		if (!why && n > 2 && head[0] == '#' && head[1] == '!' && depth < SCRIPT_DEPTH &&
		    interpreter((const char *)head, (size_t)n, interp, sizeof(interp)))
			why = reason_at(interp, depth + 1);
	}
	close(fd);
	return why;
}

const char *zct_untraced_reason(const char *path)
{
	return path ? reason_at(path, 0) : NULL;
}

/* True when path names an executable regular file; errno says why not. */
static int runnable(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return 0;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return 0;
	}
	return access(path, X_OK) == 0;
}

int zct_find_program(const char *name, char *buf, size_t len)
{
	if (strchr(name, '/')) {
		snprintf(buf, len, "%s", name);
		return runnable(buf) ? 0 : -1;
	}
	const char *path = getenv("PATH");
	int err = ENOENT;
	for (const char *p = path ? path : "/usr/bin:/bin"; ; p++) {
		size_t n = strcspn(p, ":");
		snprintf(buf, len, "%.*s%s%s", (int)n, p, n ? "/" : "", name);
		if (runnable(buf))
			return 0;
		if (errno != ENOENT)
			err = errno;
		p += n;
		if (!*p)
			break;
	}
	errno = err;
	return -1;
}

static void write_document(struct zct_out *o, const struct zct_untraced *u)
{
	char exe[PATH_MAX], why[PATH_MAX + 64];
	if (!realpath(u->exe, exe))
		snprintf(exe, sizeof(exe), "%s", u->exe);
	zct_out_str(o, "{\n  \"schema\": \"" ZCT_SCHEMA "\",\n");
	zct_out_fmt(o, "  \"process\": {\"pid\": %d, \"ppid\": %d, \"root_pid\": %d, \"run\": ",
		    u->pid, u->ppid, u->root_pid);
	zct_out_json_str(o, u->run);
	zct_out_str(o, ", \"exe\": ");
	zct_out_json_str(o, exe);
	zct_out_str(o, ", \"argv\": [");
	for (size_t i = 0; u->argv && u->argv[i]; i++) {
		zct_out_str(o, i ? ", " : "");
		zct_out_json_str(o, u->argv[i]);
	}
	zct_out_fmt(o, "], \"min_bytes\": %llu, \"backtrace\": false},\n", u->min_bytes);
	snprintf(why, sizeof(why), "%s %s", u->reason, exe);
	zct_out_str(o, "  \"not_traced\": ");
	zct_out_json_str(o, why);
	zct_out_str(o, ",\n  \"copies\": [], \"allocations\": [], \"call_sites\": [], "
		       "\"summary_lines\": [],\n");
	zct_out_str(o, "  \"summary\": {\"large_copies\": 0, \"large_copy_bytes\": 0, "
		       "\"large_allocations\": 0, \"large_allocation_bytes\": 0, "
		       "\"site_copies\": {\"sites\": 0, \"calls\": 0, \"bytes\": 0}}\n}\n");
}

int zct_untraced_write(const char *record, const struct zct_untraced *u)
{
	static struct zct_out o;
	char tmp[PATH_MAX + 16];
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", record);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	zct_out_init(&o, fd);
	write_document(&o, u);
	int bad = zct_out_flush(&o) != 0;
	bad |= fchmod(fd, 0644) != 0;
	bad |= close(fd) != 0;
	if (bad || rename(tmp, record) != 0) {
		int err = errno;
		unlink(tmp);
		errno = err ? err : EIO;
		return -1;
	}
	return 0;
}
