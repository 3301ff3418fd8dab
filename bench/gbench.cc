// gbench.cc: the C API of gbench.h over Google Benchmark. The project's only C++ file.
//
// zc_bench and zc_bench_state are never defined: they are the benchmark's own objects
// (benchmark::internal::Benchmark and benchmark::State) seen through opaque C pointers.

#include "gbench.h"

#include <benchmark/benchmark.h>
#include <regex.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#ifndef ZC_GBENCH_VERSION
#define ZC_GBENCH_VERSION "unknown"
#endif

namespace {

benchmark::internal::Benchmark *as_bench(zc_bench *b)
{
	return reinterpret_cast<benchmark::internal::Benchmark *>(b);
}

benchmark::State &as_state(zc_bench_state *st)
{
	return *reinterpret_cast<benchmark::State *>(st);
}

const benchmark::State &as_state(const zc_bench_state *st)
{
	return *reinterpret_cast<const benchmark::State *>(st);
}

// Hands every run to the C callback and prints through the console reporter (unless quiet):
// the aggregates only when there are repetitions, to keep the progress short.
class CallbackReporter : public benchmark::ConsoleReporter {
public:
	CallbackReporter(zc_bench_report_fn fn, void *arg, bool quiet)
		: benchmark::ConsoleReporter(OO_Tabular), fn_(fn), arg_(arg), quiet_(quiet)
	{
	}

	bool ReportContext(const Context &context) override
	{
		return quiet_ ? true : benchmark::ConsoleReporter::ReportContext(context);
	}

	void ReportRuns(const std::vector<Run> &runs) override
	{
		if (!quiet_) {
			std::vector<Run> shown;
			for (const Run &run : runs)
				if (run.run_type == Run::RT_Aggregate || run.repetitions <= 1)
					shown.push_back(run);
			benchmark::ConsoleReporter::ReportRuns(shown);
		}
		for (const Run &run : runs)
			forward(run);
	}

private:
	void forward(const Run &run)
	{
		std::string name = run.benchmark_name();
		std::vector<const char *> names;
		std::vector<double> values;
		for (const auto &kv : run.counters) {
			names.push_back(kv.first.c_str());
			values.push_back(kv.second.value);
		}
		// The time unit of a run is the benchmark's; convert to nanoseconds.
		double to_ns = 1.0;
		switch (run.time_unit) {
		case benchmark::kNanosecond: to_ns = 1.0; break;
		case benchmark::kMicrosecond: to_ns = 1e3; break;
		case benchmark::kMillisecond: to_ns = 1e6; break;
		case benchmark::kSecond: to_ns = 1e9; break;
		}
		zc_bench_run r;
		r.name = name.c_str();
		r.aggregate = run.run_type == Run::RT_Aggregate;
		r.aggregate_name = run.aggregate_name.c_str();
		r.repetition_index = run.repetition_index;
		r.repetitions = run.repetitions;
		r.iterations = run.iterations;
		r.real_ns = run.GetAdjustedRealTime() * to_ns;
		r.cpu_ns = run.GetAdjustedCPUTime() * to_ns;
		r.error = run.error_occurred;
		r.error_message = run.error_message.c_str();
		r.ncounters = names.size();
		r.counter_names = names.data();
		r.counter_values = values.data();
		fn_(&r, arg_);
	}

	zc_bench_report_fn fn_;
	void *arg_;
	bool quiet_;
};

// What went wrong in the last zc_bench_init or zc_bench_run_all, for zc_bench_error().
std::string last_error;
std::string bad_flag;

// One line in the project's style: the first line, lowercase first letter, no full stop.
std::string one_line(const std::string &text)
{
	std::string line = text.substr(0, text.find('\n'));
	while (!line.empty() && (line.back() == '.' || std::isspace((unsigned char)line.back())))
		line.pop_back();
	if (!line.empty())
		line[0] = (char)std::tolower((unsigned char)line[0]);
	return line;
}

// Google Benchmark only reports a bad filter when it runs, after the validation: check it
// first as an extended regular expression, as it will (POSIX regcomp here: std::regex
// draws false -Wmaybe-uninitialized warnings from gcc 12).
bool filter_ok()
{
	std::string spec = benchmark::GetBenchmarkFilter();
	if (!spec.empty() && spec[0] == '-')
		spec = spec.substr(1);
	if (spec.empty() || spec == "all")
		return true;
	regex_t re;
	int rc = regcomp(&re, spec.c_str(), REG_EXTENDED | REG_NOSUB);
	if (rc == 0) {
		regfree(&re);
		return true;
	}
	char why[128];
	regerror(rc, &re, why, sizeof(why));
	last_error = "cannot compile the regular expression: " + one_line(why);
	bad_flag = "--benchmark_filter=" + benchmark::GetBenchmarkFilter();
	return false;
}

} // namespace

extern "C" {

zc_bench *zc_bench_register(const char *name, zc_bench_fn fn, void *arg)
{
	auto *b = benchmark::RegisterBenchmark(
		name, [fn, arg](benchmark::State &st) {
			fn(reinterpret_cast<zc_bench_state *>(&st), arg);
		});
	return reinterpret_cast<zc_bench *>(b);
}

void zc_bench_apply(zc_bench *b, const struct zc_bench_settings *set)
{
	if (set->real_time)
		as_bench(b)->UseRealTime();
	if (set->repetitions > 0)
		as_bench(b)->Repetitions(set->repetitions);
	if (set->iterations > 0)
		as_bench(b)->Iterations(set->iterations);
	else if (set->min_time > 0)
		as_bench(b)->MinTime(set->min_time);
}

bool zc_bench_filter_matches(const char *name, const struct zc_bench_settings *set)
{
	// The full name as Google Benchmark 1.7 builds it (BenchmarkName::str(): the parts
	// that are set, joined with '/'), since its filter is matched against that.
	std::string full = name;
	char part[64];
	if (set->iterations <= 0 && set->min_time > 0) {
		snprintf(part, sizeof(part), "/min_time:%0.3f", set->min_time);
		full += part;
	}
	if (set->iterations > 0) {
		snprintf(part, sizeof(part), "/iterations:%lld", (long long)set->iterations);
		full += part;
	}
	if (set->repetitions > 0) {
		snprintf(part, sizeof(part), "/repeats:%d", set->repetitions);
		full += part;
	}
	if (set->real_time)
		full += "/real_time";
	std::string spec = benchmark::GetBenchmarkFilter();
	bool negative = !spec.empty() && spec[0] == '-';
	if (negative)
		spec = spec.substr(1);
	if (spec.empty() || spec == "all")
		return !negative;
	regex_t re;
	if (regcomp(&re, spec.c_str(), REG_EXTENDED | REG_NOSUB) != 0)
		return true; // zc_bench_init refused it already; let Google Benchmark say so
	bool match = regexec(&re, full.c_str(), 0, nullptr, 0) == 0;
	regfree(&re);
	return match != negative;
}

void zc_bench_set_repetitions(zc_bench *b, int n)
{
	as_bench(b)->Repetitions(n);
}

void zc_bench_set_min_time(zc_bench *b, double seconds)
{
	as_bench(b)->MinTime(seconds);
}

void zc_bench_use_real_time(zc_bench *b)
{
	as_bench(b)->UseRealTime();
}

bool zc_bench_keep_running(zc_bench_state *st)
{
	return as_state(st).KeepRunning();
}

int64_t zc_bench_iterations(const zc_bench_state *st)
{
	return as_state(st).iterations();
}

void zc_bench_skip_with_error(zc_bench_state *st, const char *msg)
{
	as_state(st).SkipWithError(msg);
}

void zc_bench_set_bytes_processed(zc_bench_state *st, int64_t bytes)
{
	as_state(st).SetBytesProcessed(bytes);
}

int zc_bench_init(int *argc, char **argv, const char **bad)
{
	// Initialize prints a bad flag value to std::cerr; keep it for zc_bench_error instead.
	std::ostringstream complaint;
	std::streambuf *saved = std::cerr.rdbuf(complaint.rdbuf());
	last_error.clear();
	try {
		benchmark::Initialize(argc, argv);
	} catch (const std::exception &e) {
		last_error = one_line(e.what());
	}
	std::cerr.rdbuf(saved);
	int unknown = 0;
	*bad = nullptr;
	for (int i = 1; i < *argc; i++) {
		if (std::strncmp(argv[i], "--benchmark_", 12) == 0) {
			if (!*bad)
				*bad = argv[i];
			unknown++;
		}
	}
	if (unknown && last_error.empty())
		last_error = one_line(complaint.str());
	if (!unknown && !filter_ok()) {
		*bad = bad_flag.c_str();
		unknown = 1;
	}
	return unknown;
}

size_t zc_bench_run_all(zc_bench_report_fn fn, void *arg, bool quiet)
{
	last_error.clear();
	try {
		CallbackReporter reporter(fn, arg, quiet);
		return benchmark::RunSpecifiedBenchmarks(&reporter);
	} catch (const std::bad_alloc &) {
		last_error = "out of memory";
		errno = ENOMEM;
	} catch (const std::exception &e) {
		last_error = one_line(e.what());
	}
	return SIZE_MAX;
}

const char *zc_bench_error(void)
{
	return last_error.c_str();
}

const char *zc_bench_library_version(void)
{
	return ZC_GBENCH_VERSION;
}

} // extern "C"
