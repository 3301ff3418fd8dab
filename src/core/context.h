/*
 * context.h: the machine and build a run happened on, for the results' "context" object.
 */
#ifndef ZC_CONTEXT_H
#define ZC_CONTEXT_H

#include <jansson.h>
#include <stdbool.h>

struct zc_allocator_info {
	const char *name;          /* "glibc", "mimalloc", "jemalloc" */
	long mmap_threshold;       /* bytes when pinned with mallopt, else 0 */
	bool mmap_threshold_pinned;
	int frame_blocks_mmapped;  /* 1/0 after warm-up (glibc only), -1 unknown */
};

/*
 * date, host, cpu, num_cpus, kernel, compiler, build, git_commit, quick, cpu_scaling, ...;
 * benchmark_build: how the Google Benchmark library was built ("debug", "release"; NULL
 * when its JSON did not say).
 */
json_t *zc_context_json(bool quick, const struct zc_allocator_info *alloc,
			const char *benchmark_build);

/* "release", "debug" or "sanitize:<list>": how this binary was built. */
const char *zc_build_type(void);

#endif
