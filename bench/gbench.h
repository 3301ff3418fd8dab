/*
 * gbench.h: a C API over Google Benchmark (1.7.1, Debian's libbenchmark-dev).
 *
 * C code registers a function with an opaque argument, runs the keep-running loop in it, and
 * gets every finished run back through a callback, while Google Benchmark keeps doing what it
 * does well: choosing iteration counts, repetitions, the console table and its own JSON
 * (--benchmark_out). The implementation is the project's one C++ file, gbench.cc.
 */
#ifndef ZC_GBENCH_H
#define ZC_GBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zc_bench zc_bench;             /* a registered benchmark */
typedef struct zc_bench_state zc_bench_state; /* the running state handed to the function */
typedef void (*zc_bench_fn)(zc_bench_state *st, void *arg);

/* Registration. The name is copied; arg must outlive the run. */
zc_bench *zc_bench_register(const char *name, zc_bench_fn fn, void *arg);
void zc_bench_set_repetitions(zc_bench *b, int n);
void zc_bench_set_min_time(zc_bench *b, double seconds);
void zc_bench_use_real_time(zc_bench *b);

/* A benchmark's run settings; 0 (false) leaves one to Google Benchmark's flags. */
struct zc_bench_settings {
	int repetitions;
	int64_t iterations;  /* exactly this many a repetition */
	double min_time;     /* seconds, when iterations is 0 */
	bool real_time;
};
void zc_bench_apply(zc_bench *b, const struct zc_bench_settings *set);

/*
 * Whether --benchmark_filter selects the benchmark @name registered with @set (its regular
 * expression found in the full name Google Benchmark gives it, "inproc/copy/min_time:0.005/
 * repeats:3/real_time", or not found for a filter that starts with '-'), as Google Benchmark
 * will decide: a program asks before it runs, so that a filter matching nothing is said once.
 */
bool zc_bench_filter_matches(const char *name, const struct zc_bench_settings *set);

/* Inside the benchmark function. */
bool zc_bench_keep_running(zc_bench_state *st);
int64_t zc_bench_iterations(const zc_bench_state *st);
void zc_bench_skip_with_error(zc_bench_state *st, const char *msg);
/* Reported as the counter "bytes_per_second". */
void zc_bench_set_bytes_processed(zc_bench_state *st, int64_t bytes);

/*
 * DoNotOptimize, as Google Benchmark defines it for gcc: the compiler must assume the
 * pointed-to memory is read, so a copy into it cannot be deleted.
 */
static inline void zc_do_not_optimize(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* One finished run, as Google Benchmark reports it. Valid only during the callback. */
struct zc_bench_run {
	const char *name;           /* benchmark name, e.g. "inproc/copy" */
	bool aggregate;             /* true for mean/median/stddev/cv rows */
	const char *aggregate_name; /* "" for a repetition */
	int64_t repetition_index;   /* 0-based; -1 when there are no repetitions */
	int64_t repetitions;
	int64_t iterations;
	double real_ns;             /* wall time per iteration */
	double cpu_ns;              /* CPU time per iteration */
	bool error;
	const char *error_message;
	size_t ncounters;
	const char *const *counter_names;
	const double *counter_values;
};
typedef void (*zc_bench_report_fn)(const struct zc_bench_run *run, void *arg);

/*
 * Strips the --benchmark_* flags Google Benchmark knows from argv (argc updated) and applies
 * them. Returns the number of arguments left that it did not recognise among those starting
 * with "--benchmark_", or 1 for a --benchmark_filter that is not a valid regular expression
 * (0 when all is well); the first is named in *bad, and zc_bench_error() says what is wrong
 * with its value when Google Benchmark said so ("" for a flag it does not know).
 */
int zc_bench_init(int *argc, char **argv, const char **bad);

/*
 * Runs every registered benchmark matching --benchmark_filter. Every run, repetitions and
 * aggregates, is handed to fn; the console shows the aggregates (mean, median, stddev, cv)
 * of repeated benchmarks, or nothing when quiet. Returns how many benchmarks ran, or
 * SIZE_MAX when Google Benchmark threw (errno ENOMEM for std::bad_alloc; zc_bench_error()).
 */
size_t zc_bench_run_all(zc_bench_report_fn fn, void *arg, bool quiet);

/* One line on what went wrong in the last zc_bench_init or zc_bench_run_all, or "". */
const char *zc_bench_error(void);

/* The library's version, e.g. "1.7.1" (as compiled against). */
const char *zc_bench_library_version(void);

#ifdef __cplusplus
}
#endif

#endif
