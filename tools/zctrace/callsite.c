/*
 * callsite.c: the module and offset of a call site, and its name in the record (callsite.h).
 * Runs in the traced process at exit, allocating nothing: the modules come from
 * dl_iterate_phdr, which takes no symbol lookup; only a process that names its own sites
 * (no wrapper) pays for dladdr's walk of the dynamic symbols.
 */
#include "callsite.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"

/* The traced program's own file: the module that dl_iterate_phdr leaves unnamed. */
static const char *program_path(void)
{
	static char exe[PATH_MAX];
	if (!exe[0]) {
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0)
			snprintf(exe, sizeof(exe), "%s", program_invocation_name);
		else
			exe[n] = '\0';
	}
	return exe;
}

struct search {
	uintptr_t at;
	struct zct_callsite *site;
	bool found;
};

static int find_module(struct dl_phdr_info *info, size_t size, void *data)
{
	struct search *s = data;
	(void)size;
	for (unsigned i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type != PT_LOAD || s->at < start || s->at - start >= ph->p_memsz)
			continue;
		s->site->module = info->dlpi_name[0] ? info->dlpi_name : program_path();
		s->site->offset = s->at - info->dlpi_addr;
		s->found = true;
		return 1;
	}
	return 0;
}

bool zct_callsite_locate(const void *ret, struct zct_callsite *site)
{
	/* a return address points after the call: look up the call itself */
	struct search s = {.at = (uintptr_t)ret - 1, .site = site};
	if (!ret)
		return false;
	dl_iterate_phdr(find_module, &s);
	return s.found;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* "module+0xOFFSET", or the bare address outside every module (code made at run time). */
static const char *located_name(const void *ret, char *buf, size_t len)
{
	struct zct_callsite site;
	if (!zct_callsite_locate(ret, &site))
		snprintf(buf, len, "%p", ret);
	else
		snprintf(buf, len, "%s+0x%lx", base_name(site.module), (unsigned long)site.offset);
	return buf;
}

const char *zct_callsite_exported_name(const void *ret, char *buf, size_t len)
{
	Dl_info info;
	struct zct_callsite site;
	if (!zct_callsite_locate(ret, &site) || !dladdr((const char *)ret - 1, &info) ||
	    !info.dli_sname)
		return located_name(ret, buf, len);
	snprintf(buf, len, "%s:%s", base_name(site.module), info.dli_sname);
	return buf;
}

/* True when the wrapper prints the summary, and so names the sites (ZCTRACE_QUIET). */
static bool wrapper_names(void)
{
	const char *quiet = getenv("ZCTRACE_QUIET");
	return quiet && strcmp(quiet, "1") == 0;
}

const char *zct_callsite_name(const void *ret, char *buf, size_t len)
{
	return wrapper_names() ? located_name(ret, buf, len)
			       : zct_callsite_exported_name(ret, buf, len);
}

void zct_write_callsite(struct zct_out *o, const void *ret)
{
	struct zct_callsite site;
	if (!zct_callsite_locate(ret, &site)) {
		zct_out_str(o, ", \"module\": null, \"offset\": null");
		return;
	}
	zct_out_str(o, ", \"module\": ");
	zct_out_json_str(o, site.module);
	zct_out_fmt(o, ", \"offset\": \"0x%lx\"", (unsigned long)site.offset);
}
