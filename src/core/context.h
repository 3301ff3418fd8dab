/*
 * context.h: the machine and build a run happened on, for the results' "context" object.
 */
#ifndef ZC_CONTEXT_H
#define ZC_CONTEXT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "machine.h"

struct zc_allocator_info {
	const char *name;          /* "glibc", "mimalloc", "jemalloc" */
	long mmap_threshold;       /* bytes when pinned with mallopt, else 0 */
	bool mmap_threshold_pinned;
	int frame_blocks_mmapped;  /* 1/0 after warm-up (glibc only), -1 unknown */
};

/*
 * The run a results file belongs to: `make bench` gives every scenario of one run the same id
 * (--run-id); a program run alone makes its own (zc_run_id_make).
 */
struct zc_run {
	const char *id;            /* ZC_RUN_ID_MAX characters at most, zc_run_id_valid */
	time_t started;            /* when this program started */
	bool quick;                /* --quick */
	const struct zc_machine *machine; /* load and steal over the run; NULL: not sampled */
	const char *pages_unavailable; /* why frame numbers cannot be read here; NULL: they can */
};

#define ZC_RUN_ID_MAX 63

/* "20261207T021155Z-4242": @started in UTC and this process's id, into buf (len > 32). */
void zc_run_id_make(time_t started, char *buf, size_t len);

/* True when @id is 1 to ZC_RUN_ID_MAX letters, digits, '.', '_', ':' or '-' (it names files). */
bool zc_run_id_valid(const char *id);

/*
 * run_id, date, host, cpu, num_cpus, load_start, load_end, steal, machine_busy, kernel, compiler, build, git_commit, quick, cpu_scaling,
 * pages_unavailable, ...; benchmark_build: how the Google Benchmark library was built ("debug", "release"; NULL
 * when its JSON did not say).
 */
json_t *zc_context_json(const struct zc_run *run, const struct zc_allocator_info *alloc,
			const char *benchmark_build);

/* "release", "debug" or "sanitize:<list>": how this binary was built. */
const char *zc_build_type(void);

#endif
