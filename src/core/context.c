/*
 * context.c: what the results were measured on. The git commit and build type are baked in
 * at compile time by the Makefile (ZC_GIT_COMMIT, ZC_BUILD_TYPE).
 */
#include "context.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "gbench.h"
#include "instrument.h"

#ifndef ZC_GIT_COMMIT
#define ZC_GIT_COMMIT "unknown"
#endif
#ifdef __clang__
#define ZC_COMPILER "clang " __clang_version__
#else
#define ZC_COMPILER "gcc " __VERSION__
#endif
#ifndef ZC_BUILD_TYPE
#define ZC_BUILD_TYPE "release"
#endif

const char *zc_build_type(void)
{
	return ZC_BUILD_TYPE;
}

/* The first "model name" of /proc/cpuinfo. */
static void cpu_model(char *buf, size_t len)
{
	snprintf(buf, len, "unknown");
	FILE *f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) == 0 && colon) {
			colon += 2;
			colon[strcspn(colon, "\n")] = '\0';
			snprintf(buf, len, "%s", colon);
			break;
		}
	}
	fclose(f);
}

/* The CPU frequency governor of cpu0, or "unknown" where cpufreq is not exposed (VMs). */
static void cpu_scaling(char *buf, size_t len)
{
	snprintf(buf, len, "unknown");
	FILE *f = fopen("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

void zc_run_id_make(time_t started, char *buf, size_t len)
{
	char date[32];
	struct tm tm;
	assert(len > 32);
	gmtime_r(&started, &tm);
	strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "%s-%ld", date, (long)getpid());
}

bool zc_run_id_valid(const char *id)
{
	size_t n = strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-");
	return n > 0 && n <= ZC_RUN_ID_MAX && id[n] == '\0';
}

/* @x as a JSON number, or null when NAN. */
static json_t *real_or_null(double x)
{
	return isnan(x) ? json_null() : json_real(x);
}

/* load_start, load_end, steal and machine_busy from @m (NULL: unknown) into @ctx. */
static void add_machine(json_t *ctx, const struct zc_machine *m)
{
	json_object_set_new(ctx, "load_start", real_or_null(m ? m->load_start : (double)NAN));
	json_object_set_new(ctx, "load_end", real_or_null(m ? m->load_end : (double)NAN));
	json_object_set_new(ctx, "steal", real_or_null(m ? m->steal : (double)NAN));
	json_object_set_new(ctx, "machine_busy", json_boolean(m && zc_machine_busy(m)));
}

json_t *zc_context_json(const struct zc_run *run, const struct zc_allocator_info *alloc,
			const char *benchmark_build)
{
	char date[32], host[256] = "unknown", cpu[256], kernel[512] = "unknown", scaling[64];
	struct tm tm;
	assert(run->id && zc_run_id_valid(run->id));
	gmtime_r(&run->started, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	gethostname(host, sizeof(host) - 1);
	cpu_model(cpu, sizeof(cpu));
	cpu_scaling(scaling, sizeof(scaling));
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname, u.release, u.machine);
	char benchlib[64];
	snprintf(benchlib, sizeof(benchlib), "google-benchmark %s", zc_bench_library_version());
	json_t *allocator = json_pack("{s:s, s:b}", "name", alloc->name, "mmap_threshold_pinned",
				      alloc->mmap_threshold_pinned);
	json_object_set_new(allocator, "mmap_threshold",
			    alloc->mmap_threshold_pinned ? json_integer(alloc->mmap_threshold)
							 : json_string("dynamic"));
	if (alloc->frame_blocks_mmapped >= 0)
		json_object_set_new(allocator, "frame_blocks_mmapped",
				    json_boolean(alloc->frame_blocks_mmapped));
	json_t *ctx = json_pack("{s:s, s:s, s:s, s:s, s:I}", "run_id", run->id, "date", date,
				"host", host, "cpu", cpu,
				"num_cpus", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN));
	add_machine(ctx, run->machine);
	json_object_set_new(ctx, "pages_unavailable", run->pages_unavailable
			    ? json_string(run->pages_unavailable) : json_null());
	json_t *rest = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:s, s:s, s:o, s:b}",
			 "kernel", kernel, "compiler", ZC_COMPILER, "build", zc_build_type(),
			 "git_commit", ZC_GIT_COMMIT, "quick", run->quick,
			 "benchmark_library_build",
			 benchmark_build ? json_string(benchmark_build) : json_null(),
			 "benchmark_library", benchlib, "cpu_scaling", scaling, "allocator", allocator,
			 "counting_allocator", zc_instrument_allocator_linked());
	if (!ctx || !rest) {
		json_decref(ctx);
		json_decref(rest);
		return NULL;
	}
	json_object_update(ctx, rest);
	json_decref(rest);
	return ctx;
}
