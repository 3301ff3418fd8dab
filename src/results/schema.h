/*
 * schema.h: the zcbench/1 results schema, written once. Two lists name every field of a
 * results document and of one of its results, in the order the writer emits them, each with
 * its JSON type, whether it is always there, the gate's rule when it is an exact invariant,
 * its unit and its meaning. The writer (json.c), the validator and the gate (tools/zcgate/)
 * read these lists, and tests/test_schema.c checks that docs/schema.md shows them as they are.
 */
#ifndef ZC_SCHEMA_H
#define ZC_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The lists below are data: one row a field, every row the same X(path, type, presence, rule,
 * unit, source, meaning) shape by design, so rows look alike without repeating one another.
 */

/* The value of every document's "schema"; scripts/report-lib.sh repeats it (test_schema). */
#define ZC_SCHEMA "zcbench/1"

enum zc_schema_type {
	ZC_TYPE_STRING,
	ZC_TYPE_BOOL,
	ZC_TYPE_INTEGER,
	ZC_TYPE_NUMBER,		/* an integer or a real */
	ZC_TYPE_OBJECT,
	ZC_TYPE_ARRAY,
	ZC_TYPE_NUMBERS,	/* an array of numbers */
	ZC_TYPE_STRINGS,	/* an array of strings */
	ZC_TYPE_STRING_OR_NULL,
	ZC_TYPE_STRING_OR_INTEGER,
	ZC_TYPE_NUMBER_OR_NULL,	/* null: not measured here (a field beside it says why) */
	ZC_TYPE_ARRAY_OR_NULL,	/* null: not measured here (a field beside it says why) */
};

enum zc_schema_presence {
	ZC_PRESENCE_KEY,	/* always written; a reader refuses a result without it */
	ZC_PRESENCE_ALWAYS,	/* always written; a reader treats it as unrecorded when absent */
	ZC_PRESENCE_OPTIONAL,	/* written when known, or by the one scenario that measures it */
};

/* How the gate (tools/zcgate/gate.c) judges an exact invariant between two runs. */
enum zc_schema_rule {
	ZC_RULE_NONE,		/* not an invariant: the gate does not compare it */
	ZC_RULE_VERDICT,	/* "copy" to "zero-copy" improves, any other change regresses */
	ZC_RULE_SHARING,	/* true to false regresses, false to true improves */
	ZC_RULE_FEWER,		/* a larger number regresses, a smaller one improves */
	ZC_RULE_FRAMES,		/* ZC_RULE_FEWER on bytes counted in hundredths of a frame */
	/*
	 * ZC_RULE_FRAMES on pages, as bytes, but a change of up to ZC_PAGES_SLACK_HUNDREDTHS
	 * hundredths of a frame, or of up to ZC_PAGES_SLACK_PCT percent of the base figure,
	 * passes: what a runtime's own code writes (a JVM's collector, CPython's arenas) varies
	 * that much from process to process (java byte_array: 4,011 to 4,077 pages a transfer
	 * over the 20 processes of one gate; node external_buffer: 139 to 172 over six runs),
	 * while a copy of the frame adds 100 hundredths. On a runtime's row (its own threads
	 * kept blocks, as under ZC_RULE_BLOCKS) up to ZC_RUNTIME_PAGES_SLACK_HUNDREDTHS pass:
	 * whether a collector's young heap is fresh or reused when the frame lands in it varies
	 * between runs by more (java byte_array: 3,481 in one run, 3,777 and 4,077 in others,
	 * up to 29 hundredths), while a copy of the frame still adds 100.
	 */
	ZC_RULE_PAGES,
	ZC_RULE_SHARED,		/* a fraction in hundredths: a smaller one regresses */
	/*
	 * ZC_RULE_FEWER on blocks left allocated, but where a runtime's own threads kept blocks
	 * over the same window (allocations.runtime_live_at_end other than 0 on either side), an
	 * increase of up to ZC_RUNTIME_BLOCK_SLACK passes: what such a runtime allocates for its
	 * own bookkeeping on the measuring thread (a JVM's collector, for one) varies by a block.
	 */
	ZC_RULE_BLOCKS,
};
#define ZC_RUNTIME_BLOCK_SLACK 2
#define ZC_PAGES_SLACK_HUNDREDTHS 5
#define ZC_PAGES_SLACK_PCT 5
#define ZC_RUNTIME_PAGES_SLACK_HUNDREDTHS 40

/*
 * The columns of a row: X(path, type, presence, gate, unit, source, doc).
 *   path      dotted, inside the document or inside one result
 *   type      ZC_TYPE_<type>;  presence  ZC_PRESENCE_<presence>
 *   gate      ZC_UNGATED, or ZC_GATED(rule, n): ZC_RULE_<rule>, the gate's n-th row
 *   unit      "" when the value has none
 *   source    where json.c takes the value: ZC_FROM(kind, member) and ZC_FROM_N(kind, member,
 *             count) name a member of struct zc_results (document) or struct zc_result;
 *             ZC_MADE(kind) a value json.c makes; ZC_NEW_OBJECT an object filled by the rows
 *             under it; ZC_ELSEWHERE a value written by another module (context.c,
 *             allocator.c, a scenario's extras). Only json.c defines these.
 *   doc       one line of Markdown for docs/schema.md, without '|'
 * A parent comes before its children.
 */
#define ZC_UNGATED ZC_RULE_NONE, 0
#define ZC_GATED(rule, n) ZC_RULE_##rule, n

/* The rows of one kind of hand-over latency, latency.KIND, from handover.MEMBER. */
#define ZC_SCHEMA_LATENCY(X, kind, member, what)                                            \
	X("latency." kind, OBJECT, OPTIONAL, ZC_UNGATED, "", ZC_NEW_OBJECT, what)            \
	X("latency." kind ".p50", NUMBER, OPTIONAL, ZC_UNGATED, "ns",                         \
	  ZC_FROM(DOUBLE, handover.member.p50), "median over every measuring process's transfers") \
	X("latency." kind ".p99", NUMBER, OPTIONAL, ZC_UNGATED, "ns",                         \
	  ZC_FROM(DOUBLE, handover.member.p99), "99th percentile over the same transfers")    \
	X("latency." kind ".count", INTEGER, OPTIONAL, ZC_UNGATED, "transfers",               \
	  ZC_FROM(SIZE, handover.member.nsamples),                                            \
	  "transfers pooled: each process's last 65,536 at most")                            \
	X("latency." kind ".process_medians", NUMBERS, OPTIONAL, ZC_UNGATED, "ns",            \
	  ZC_FROM_N(DOUBLE_ARRAY, handover.member.process_medians, handover.member.nprocesses), \
	  "each measuring process's median")

#define ZC_SCHEMA_DOCUMENT_FIELDS(X)                                                        \
	X("schema", STRING, KEY, ZC_UNGATED, "", ZC_MADE(SCHEMA),                            \
	  "always `\"" ZC_SCHEMA "\"`: readers refuse any other value")                     \
	X("scenario", STRING, KEY, ZC_UNGATED, "", ZC_FROM(CSTR, scenario),                   \
	  "the scenario program that wrote the file: `inproc`, `thread`, `process`...")      \
	X("context", OBJECT, ALWAYS, ZC_UNGATED, "", ZC_FROM(JSON, context),                  \
	  "where and how the run was made (`null` when unknown)")                            \
	X("context.run_id", STRING, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,                     \
	  "the run the file belongs to: `make bench` gives every scenario of one run the same id (`--run-id`), `20261125T083233Z-4242` (its start, UTC, and its process id); a program run alone makes its own") \
	X("context.date", STRING, ALWAYS, ZC_UNGATED, "UTC", ZC_ELSEWHERE,                    \
	  "when the scenario program started, ISO 8601: `2026-11-25T08:32:33Z`")              \
	X("context.host", STRING, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE, "the host name")      \
	X("context.cpu", STRING, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,                        \
	  "the CPU model from `/proc/cpuinfo`")                                               \
	X("context.num_cpus", INTEGER, ALWAYS, ZC_UNGATED, "CPUs", ZC_ELSEWHERE,              \
	  "CPUs online")                                                                      \
	X("context.load_start", NUMBER_OR_NULL, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,          \
	  "the 1-minute load average (`/proc/loadavg`) as the measuring began; null when unreadable") \
	X("context.load_end", NUMBER_OR_NULL, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,            \
	  "the same once the measuring ended")                                                \
	X("context.steal", NUMBER_OR_NULL, ALWAYS, ZC_UNGATED, "fraction", ZC_ELSEWHERE,       \
	  "the share of all CPUs' time a hypervisor stole while measuring (`/proc/stat`); null when unreadable") \
	X("context.machine_busy", BOOL, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,                 \
	  "the load went above 1 + 0.5 per CPU (the run's own thread, then half the CPUs for other work) or the steal above 2% (`src/core/machine.h`): timings vary, ratios within the run hold better; `make bench` and the report say so once") \
	X("context.pages_unavailable", STRING_OR_NULL, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,  \
	  "why no row's physical pages could be compared on this machine: `pagemap: page frame numbers read as 0 (needs CAP_SYS_ADMIN)` when not root; null when they can be") \
	X("context.kernel", STRING, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,                     \
	  "system, release and machine from uname(2)")                                        \
	X("context.compiler", STRING, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,                   \
	  "the compiler that built the program: `gcc 12.2.0`")                                \
	X("context.build", STRING, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,                      \
	  "`release`, `debug` or `sanitize:LIST`; the gate refuses to time different builds") \
	X("context.git_commit", STRING, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,                 \
	  "the commit built, short form, or `unknown`")                                       \
	X("context.quick", BOOL, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,                        \
	  "true for `--quick` runs; the gate refuses to time quick against full")             \
	X("context.benchmark_library_build", STRING_OR_NULL, ALWAYS, ZC_UNGATED, "",           \
	  ZC_ELSEWHERE,                                                                       \
	  "how the Google Benchmark library itself was built, as its JSON says: `debug` (Debian's 1.7.1) or `release`; null when unknown") \
	X("context.benchmark_library", STRING, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,          \
	  "the timing library and its version: `google-benchmark 1.7.1`")                     \
	X("context.cpu_scaling", STRING, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,                \
	  "cpu0's frequency governor, or `unknown` where cpufreq is not exposed (VMs: the report says nothing then)") \
	X("context.allocator", OBJECT, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,                  \
	  "the malloc the run used")                                                          \
	X("context.allocator.name", STRING, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,             \
	  "`glibc`, `mimalloc` or `jemalloc`; the gate refuses to compare different ones")    \
	X("context.allocator.mmap_threshold_pinned", BOOL, ALWAYS, ZC_UNGATED, "",             \
	  ZC_ELSEWHERE, "true when `--mmap-threshold` pinned glibc's threshold")              \
	X("context.allocator.mmap_threshold", STRING_OR_INTEGER, ALWAYS, ZC_UNGATED, "bytes", \
	  ZC_ELSEWHERE, "the pinned threshold, else `\"dynamic\"`")                           \
	X("context.allocator.frame_blocks_mmapped", BOOL, OPTIONAL, ZC_UNGATED, "",            \
	  ZC_ELSEWHERE, "glibc, when known: a frame-sized block came from mmap after warm-up") \
	X("context.allocator.library", STRING_OR_NULL, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,  \
	  "the allocator library preloaded, `null` for glibc")                                \
	X("context.allocator.malloc_from", STRING_OR_NULL, ALWAYS, ZC_UNGATED, "",             \
	  ZC_ELSEWHERE, "the file malloc resolves to behind the counting allocator")          \
	X("context.counting_allocator", BOOL, ALWAYS, ZC_UNGATED, "", ZC_ELSEWHERE,           \
	  "the counting allocator was linked (`COUNTING=0` builds: false, no counts)")        \
	X("frame", OBJECT, KEY, ZC_UNGATED, "", ZC_NEW_OBJECT,                                \
	  "the frame every result moved; the gate compares only equal frames")                \
	X("frame.width", INTEGER, KEY, ZC_UNGATED, "pixels", ZC_FROM(U32, frame.width),      \
	  "width, positive")                                                                  \
	X("frame.height", INTEGER, KEY, ZC_UNGATED, "pixels", ZC_FROM(U32, frame.height),    \
	  "height, positive")                                                                 \
	X("frame.bytes_per_pixel", INTEGER, ALWAYS, ZC_UNGATED, "bytes",                      \
	  ZC_FROM(U32, frame.bytes_per_pixel), "4: RGBA")                                     \
	X("frame.bytes", INTEGER, ALWAYS, ZC_UNGATED, "bytes", ZC_FROM(SIZE, frame.bytes),    \
	  "the frame's size: width x height x bytes_per_pixel")                               \
	X("results", ARRAY, KEY, ZC_UNGATED, "", ZC_MADE(RESULTS),                            \
	  "one object per strategy, fields below; one scenario and strategy appear once")

#define ZC_SCHEMA_RESULT_FIELDS(X)                                                          \
	X("scenario", STRING, ALWAYS, ZC_UNGATED, "", ZC_FROM(CSTR, scenario),                \
	  "the scenario; a reader falls back to the document's")                              \
	X("strategy", STRING, KEY, ZC_UNGATED, "", ZC_FROM(CSTR, strategy),                   \
	  "how the frame crosses the boundary: `copy`, `move`, `pool`, `reference_memcpy`...") \
	X("mirrors", STRING, ALWAYS, ZC_UNGATED, "", ZC_FROM(CSTR, mirrors),                  \
	  "the real APIs the strategy stands for")                                            \
	X("expect_zero_copy", BOOL, ALWAYS, ZC_UNGATED, "", ZC_FROM(BOOL, expect_zero_copy),  \
	  "the strategy is meant to share the frame")                                         \
	X("flags", STRINGS, ALWAYS, ZC_UNGATED, "", ZC_FROM(FLAGS, flags),                    \
	  "the table's flags column, as `src/core/verdict.h` decides it: `not-timed`, `expected-zero-copy`, `undeclared-copy`, `CHECKSUM`, `noisy` (cv above 5% and above twice the median cv of the run's rows), `bimodal` (process medians over 2x apart), `unverified` (zero-copy on less than full evidence: docs/measuring.md), `unexplained-work` (half a frame or more of pages written per transfer hold no frame bytes); `[]` for none") \
	X("identity", OBJECT, ALWAYS, ZC_UNGATED, "", ZC_NEW_OBJECT,                          \
	  "was the consumer's frame the producer's, or a copy")                               \
	X("identity.producer_addr", STRING, ALWAYS, ZC_UNGATED, "address",                    \
	  ZC_FROM(ADDR, id.producer_addr), "the frame's address on the producer's side, `0x...`") \
	X("identity.consumer_addr", STRING, ALWAYS, ZC_UNGATED, "address",                    \
	  ZC_FROM(ADDR, id.consumer_addr), "the address the consumer read; `0x0` across processes") \
	X("identity.same_address", BOOL, ALWAYS, ZC_GATED(SHARING, 2), "",                    \
	  ZC_FROM(BOOL, id.same_address), "the consumer's view starts at the producer's bytes") \
	X("identity.aliasing_visible", BOOL, ALWAYS, ZC_GATED(SHARING, 3), "",                \
	  ZC_FROM(BOOL, id.aliasing_visible),                                                 \
	  "a byte the producer wrote after the hand-over was seen by the consumer")           \
	X("identity.checksum_ok", BOOL, ALWAYS, ZC_UNGATED, "", ZC_FROM(BOOL, id.checksum_ok), \
	  "every validated frame matched the content rendered for it")                        \
	X("identity.address_comparable", BOOL, ALWAYS, ZC_UNGATED, "",                        \
	  ZC_FROM(BOOL, id.address_meaningful),                                               \
	  "false across processes, where addresses are per address space")                    \
	X("identity.verdict", STRING, ALWAYS, ZC_GATED(VERDICT, 1), "",                       \
	  ZC_FROM(VERDICT, id.zero_copy), "`zero-copy` or `copy`")                            \
	X("identity.evidence", STRING, ALWAYS, ZC_UNGATED, "", ZC_FROM(CHARS, id.evidence),   \
	  "why the verdict, in words")                                                        \
	X("identity.same_pages", NUMBER_OR_NULL, ALWAYS, ZC_GATED(SHARED, 12), "fraction",     \
	  ZC_FROM(DOUBLE_OR_NULL, id.same_pages),                                             \
	  "of the frame's pages, the fraction the consumer's view maps on the same physical pages as the producer's (pagemap); null when not compared") \
	X("identity.same_pages_unavailable", STRING_OR_NULL, ALWAYS, ZC_UNGATED, "",           \
	  ZC_FROM(CHARS_OR_NULL, id.same_pages_unavailable),                                  \
	  "why `same_pages` is null: frame numbers hidden without CAP_SYS_ADMIN...; null when compared") \
	X("time", OBJECT, ALWAYS, ZC_UNGATED, "", ZC_NEW_OBJECT,                              \
	  "time per transfer over every repetition of every measuring process")               \
	X("time.ns_per_transfer", OBJECT, ALWAYS, ZC_UNGATED, "", ZC_NEW_OBJECT,              \
	  "statistics over `time.samples`")                                                   \
	X("time.ns_per_transfer.median", NUMBER, ALWAYS, ZC_UNGATED, "ns",                    \
	  ZC_FROM(DOUBLE, time.ns.median), "median time per transfer")                        \
	X("time.ns_per_transfer.mean", NUMBER, ALWAYS, ZC_UNGATED, "ns",                      \
	  ZC_FROM(DOUBLE, time.ns.mean), "mean time per transfer")                            \
	X("time.ns_per_transfer.stddev", NUMBER, ALWAYS, ZC_UNGATED, "ns",                    \
	  ZC_FROM(DOUBLE, time.ns.stddev), "standard deviation")                              \
	X("time.ns_per_transfer.cv", NUMBER, ALWAYS, ZC_UNGATED, "ratio",                     \
	  ZC_FROM(DOUBLE, time.ns.cv), "coefficient of variation: stddev / mean")             \
	X("time.ns_per_transfer.min", NUMBER, ALWAYS, ZC_UNGATED, "ns",                       \
	  ZC_FROM(DOUBLE, time.ns.min), "fastest repetition")                                 \
	X("time.ns_per_transfer.max", NUMBER, ALWAYS, ZC_UNGATED, "ns",                       \
	  ZC_FROM(DOUBLE, time.ns.max), "slowest repetition")                                 \
	X("time.samples", NUMBERS, ALWAYS, ZC_UNGATED, "ns",                                  \
	  ZC_FROM_N(DOUBLES, time.samples, time.nsamples),                                    \
	  "time per transfer of each repetition, all measuring processes")                    \
	X("time.repetitions", INTEGER, ALWAYS, ZC_UNGATED, "repetitions",                     \
	  ZC_FROM(SIZE, time.nsamples), "the number of samples")                              \
	X("time.gb_per_s", NUMBER, ALWAYS, ZC_UNGATED, "GB/s", ZC_FROM(DOUBLE, time.gb_per_s), \
	  "frame bytes over the median time (for zero-copy no byte moves)")                   \
	X("time.frames_per_s", NUMBER, ALWAYS, ZC_UNGATED, "frames/s",                        \
	  ZC_FROM(DOUBLE, time.frames_per_s), "transfers per second at the median time")      \
	X("time.vs_memcpy", NUMBER, ALWAYS, ZC_UNGATED, "ratio",                              \
	  ZC_FROM(DOUBLE, time.vs_memcpy),                                                    \
	  "the median over `reference_memcpy`'s median in the same run, 0 when unknown")       \
	X("time.process_medians", NUMBERS, ALWAYS, ZC_UNGATED, "ns",                          \
	  ZC_FROM_N(DOUBLE_ARRAY, time.process_medians, time.nprocesses),                     \
	  "each measuring process's median; the gate's timing test compares them")            \
	X("time.bimodal", BOOL, ALWAYS, ZC_UNGATED, "", ZC_FROM(BOOL, time.bimodal),          \
	  "the slowest process median is more than twice the fastest: the row has two modes (a placement, a wake-up), not one noisy one") \
	X("time.vs_handover", NUMBER, ALWAYS, ZC_UNGATED, "ratio",                            \
	  ZC_FROM(DOUBLE, time.vs_handover),                                                  \
	  "`thread`, `process`: the median over `reference_handover`'s at the same placement in the same run (an empty message carried the same way); 0 elsewhere") \
	X("memory", OBJECT, ALWAYS, ZC_UNGATED, "", ZC_NEW_OBJECT,                            \
	  "the measuring process's memory after the strategy's runs")                         \
	X("memory.rss_kib", INTEGER, ALWAYS, ZC_UNGATED, "KiB", ZC_FROM(INT64, mem.rss_kib),   \
	  "resident set size")                                                                \
	X("memory.rss_peak_kib", INTEGER, ALWAYS, ZC_UNGATED, "KiB",                          \
	  ZC_FROM(INT64, mem.rss_peak_kib),                                                   \
	  "peak resident set size from setup to the end of the runs, as `rss_peak_method` says") \
	X("memory.rss_peak_method", STRING_OR_NULL, ALWAYS, ZC_UNGATED, "",                   \
	  ZC_FROM(CSTR_OR_NULL, mem.rss_peak_method),                                         \
	  "`vmhwm_reset` (VmHWM, reset through `/proc/self/clear_refs` before setup) or `vmhwm_minus_setup_rss` (the reset failed: the lifetime VmHWM minus the RSS at setup); null when not read") \
	X("memory.pss_kib", INTEGER, ALWAYS, ZC_UNGATED, "KiB", ZC_FROM(INT64, mem.pss_kib),   \
	  "proportional set size (shared pages divided among their users)")                   \
	X("memory.resident_kib", INTEGER, ALWAYS, ZC_UNGATED, "KiB",                          \
	  ZC_FROM(INT64, mem.resident_kib),                                                   \
	  "RSS the strategy added from its setup to the end of its runs")                     \
	X("memory.resident_frames", NUMBER, ALWAYS, ZC_UNGATED, "frames",                     \
	  ZC_FROM(DOUBLE, mem.resident_frames),                                               \
	  "the same in frames: what stays resident per frame in flight")                      \
	X("memory.minor_faults_per_transfer", NUMBER, ALWAYS, ZC_UNGATED, "faults/transfer",   \
	  ZC_FROM(DOUBLE, mem.minor_faults_per_transfer), "minor page faults")                \
	X("memory.major_faults_per_transfer", NUMBER, ALWAYS, ZC_UNGATED, "faults/transfer",   \
	  ZC_FROM(DOUBLE, mem.major_faults_per_transfer), "major page faults")                \
	X("memory.frame_blocks_mmapped", BOOL, OPTIONAL, ZC_UNGATED, "",                      \
	  ZC_FROM(TRISTATE, mem.frame_blocks_mmapped),                                        \
	  "glibc only: a frame-sized block was served by mmap after the runs")                \
	X("memory.consumer", OBJECT, OPTIONAL, ZC_UNGATED, "",                                \
	  ZC_FROM(OBJECT_IF, mem.consumer.known),                                             \
	  "`process`: the consumer process's memory after the runs; absent when the consumer shares the producer's process, whose figures are above") \
	X("memory.consumer.rss_kib", INTEGER, OPTIONAL, ZC_UNGATED, "KiB",                    \
	  ZC_FROM(INT64, mem.consumer.rss_kib),                                               \
	  "the consumer's resident set size: the ring it maps or the buffer it reads into included") \
	X("memory.consumer.pss_kib", INTEGER, OPTIONAL, ZC_UNGATED, "KiB",                    \
	  ZC_FROM(INT64, mem.consumer.pss_kib),                                               \
	  "the consumer's proportional set size: a ring shared with the producer counts half here") \
	X("memory.consumer.minor_faults_per_transfer", NUMBER, OPTIONAL, ZC_UNGATED,          \
	  "faults/transfer", ZC_FROM(DOUBLE, mem.consumer.minor_faults_per_transfer),         \
	  "the consumer's minor page faults, over the producer's timed loop")                 \
	X("allocations", OBJECT, ALWAYS, ZC_UNGATED, "", ZC_NEW_OBJECT,                       \
	  "what the counting allocator saw, per transfer unless named otherwise")             \
	X("allocations.count_per_transfer", NUMBER, ALWAYS, ZC_UNGATED, "blocks/transfer",     \
	  ZC_FROM(DOUBLE, alloc.count_per_transfer), "allocations")                           \
	X("allocations.bytes_per_transfer", NUMBER, ALWAYS, ZC_UNGATED, "bytes/transfer",      \
	  ZC_FROM(DOUBLE, alloc.bytes_per_transfer), "bytes allocated")                       \
	X("allocations.frees_per_transfer", NUMBER, ALWAYS, ZC_UNGATED, "blocks/transfer",     \
	  ZC_FROM(DOUBLE, alloc.frees_per_transfer), "frees")                                 \
	X("allocations.frame_sized_per_transfer", NUMBER, ALWAYS, ZC_GATED(FEWER, 5),          \
	  "blocks/transfer", ZC_FROM(DOUBLE, alloc.frame_sized_per_transfer),                 \
	  "allocations of a frame's size or more")                                            \
	X("allocations.frame_sized_frees_per_transfer", NUMBER, ALWAYS, ZC_UNGATED,            \
	  "blocks/transfer", ZC_FROM(DOUBLE, alloc.frame_sized_frees_per_transfer),           \
	  "frees of such blocks")                                                             \
	X("allocations.realloc_moves_per_transfer", NUMBER, ALWAYS, ZC_UNGATED,                \
	  "moves/transfer", ZC_FROM(DOUBLE, alloc.realloc_moves_per_transfer),                \
	  "reallocs that moved their block")                                                  \
	X("allocations.live_at_end", INTEGER, ALWAYS, ZC_GATED(BLOCKS, 6), "blocks",            \
	  ZC_FROM(INT64, alloc.live_at_end),                                                  \
	  "the strategy's leak over validation's window (setup, three validated transfers, teardown): the frame-sized blocks (half a frame or more) left allocated, and the smaller blocks every transfer left (the fewest any one transfer and its release left, times the transfers); 0, no leak") \
	X("allocations.kept_at_end", INTEGER, ALWAYS, ZC_UNGATED, "blocks",                    \
	  ZC_FROM(INT64, alloc.kept_at_end),                                                  \
	  "over the same window, the other blocks left allocated: smaller than half a frame and not left by every transfer (what a runtime allocates once on the measuring thread and keeps: JNI's per-thread data, a collector's bookkeeping); never a leak; below 0 when the window freed blocks allocated before it") \
	X("allocations.runtime_live_at_end", INTEGER, ALWAYS, ZC_UNGATED, "blocks",            \
	  ZC_FROM(INT64, alloc.runtime_live_at_end),                                          \
	  "over the same window, the blocks that threads already running before setup (a runtime's own: a JVM's compiler, collector) left allocated; in neither live_at_end nor kept_at_end") \
	X("copies", OBJECT, ALWAYS, ZC_UNGATED, "", ZC_NEW_OBJECT,                            \
	  "bytes copied per transfer as the instruments saw them, and as the strategy declares") \
	/* Copied bytes include a growing buffer's realloc moves, which depend on what lies   \
	 * beside it in the heap and differ by a few KiB from run to run: compared to a        \
	 * hundredth of a frame, an extra copy of the frame (or of 1% of it) still shows. */   \
	X("copies.bytes_per_transfer", NUMBER, ALWAYS, ZC_GATED(FRAMES, 4), "bytes/transfer",  \
	  ZC_FROM(DOUBLE, copies.bytes_per_transfer),                                         \
	  "observed: `user_bytes_per_transfer` + `kernel_bytes_per_transfer`, or `pages_bytes_per_transfer` when the pages written show more; the verdict uses it") \
	X("copies.user_bytes_per_transfer", NUMBER, OPTIONAL, ZC_GATED(FRAMES, 7), "bytes/transfer", \
	  ZC_FROM(DOUBLE, copies.user_bytes_per_transfer),                                    \
	  "observed in user space, producer and consumer: the frame's bytes (their provenance: copied out of a frame, a copy of one, or memory holding rendered frame content) among every call of the copy functions (any size) and realloc moves that copied") \
	X("copies.kernel_bytes_per_transfer", NUMBER, OPTIONAL, ZC_GATED(FRAMES, 8), "bytes/transfer", \
	  ZC_FROM(DOUBLE, copies.kernel_bytes_per_transfer),                                  \
	  "observed in the kernel, producer and consumer: the frame's bytes among those of read-like and write-like system calls, and of moves (splice, sendfile, copy_file_range) that put them in a file, a memfd or a socket") \
	X("copies.other_bytes_per_transfer", NUMBER, OPTIONAL, ZC_UNGATED, "bytes/transfer", \
	  ZC_FROM(DOUBLE, copies.other_bytes_per_transfer),                                   \
	  "moved by the copy functions, realloc and the kernel's read/write-like calls, producer and consumer, but not the frame's (another buffer, metadata, a device's bytes): reported, never judged (not by the verdict, not by the gate)") \
	X("copies.expected_bytes_per_transfer", NUMBER, OPTIONAL, ZC_UNGATED, "bytes/transfer", \
	  ZC_FROM(DOUBLE, copies.expected_bytes_per_transfer),                                \
	  "what the strategy's code declares it copies; compared with what was observed, never used for the verdict") \
	X("copies.copies_per_transfer", NUMBER, ALWAYS, ZC_UNGATED, "copies/transfer",         \
	  ZC_FROM(DOUBLE, copies.copies_per_transfer), "copies the strategy declares")        \
	X("copies.memcpy_bytes_per_transfer", NUMBER, ALWAYS, ZC_UNGATED, "bytes/transfer",    \
	  ZC_FROM(DOUBLE, copies.memcpy_bytes_per_transfer), "the declared part copied with `zc_copy`") \
	X("copies.hook_bytes_per_transfer", NUMBER, ALWAYS, ZC_UNGATED, "bytes/transfer",      \
	  ZC_FROM(DOUBLE, copies.hook_bytes_per_transfer),                                    \
	  "copy-function calls of at least 64 KiB, in this process")                          \
	X("copies.realloc_remaps_per_transfer", NUMBER, OPTIONAL, ZC_UNGATED, "reallocs/transfer", \
	  ZC_FROM(DOUBLE, copies.realloc_remaps_per_transfer),                                \
	  "reallocs that moved a block by remapping its pages (the same physical pages at the new address): no copy") \
	X("copies.pages_bytes_per_transfer", NUMBER_OR_NULL, ALWAYS, ZC_GATED(FRAMES, 9),      \
	  "bytes/transfer", ZC_FROM(DOUBLE_OR_NULL, copies.pages_bytes_per_transfer),         \
	  "observed in the page tables: `pages_written.frame_bytes_per_transfer` in bytes, when at least a hundredth of a frame (else 0); null when not counted") \
	X("pages_written", OBJECT, ALWAYS, ZC_UNGATED, "", ZC_NEW_OBJECT,                     \
	  "the untimed evidence pass: pages each side wrote per rendered transfer, whatever wrote them (mean of `pages_written.transfers`, 8)") \
	X("pages_written.producer_per_transfer", NUMBER_OR_NULL, ALWAYS, ZC_GATED(PAGES, 10),  \
	  "pages/transfer", ZC_FROM(DOUBLE_OR_NULL, pages_written.producer_per_transfer),     \
	  "in the producer's process, every thread of it, outside the frame it handed over; null when not counted") \
	X("pages_written.consumer_per_transfer", NUMBER_OR_NULL, ALWAYS, ZC_GATED(PAGES, 11),  \
	  "pages/transfer", ZC_FROM(DOUBLE_OR_NULL, pages_written.consumer_per_transfer),     \
	  "in the consumer's own process; null in one address space (its writes are the producer's figure) or when not counted") \
	X("pages_written.fresh_per_transfer", NUMBER_OR_NULL, ALWAYS, ZC_UNGATED,             \
	  "pages/transfer", ZC_FROM(DOUBLE_OR_NULL, pages_written.fresh_per_transfer),        \
	  "of the producer's, pages of memory mapped during the transfer (present after it, or its first-touch faults)") \
	X("pages_written.frame_per_transfer", NUMBER_OR_NULL, ALWAYS, ZC_UNGATED,             \
	  "pages/transfer", ZC_FROM(DOUBLE_OR_NULL, pages_written.frame_per_transfer),        \
	  "pages of the frame the producer handed over, written during the transfer: its stamps, or all of it when the producer fills it (production, not a copy)") \
	X("pages_written.frame_bytes_per_transfer", NUMBER_OR_NULL, ALWAYS, ZC_GATED(PAGES, 13), \
	  "pages/transfer", ZC_FROM(PAGES_OR_NULL, pages_written.frame_bytes_per_transfer),   \
	  "the bytes of the frame transferred (its fingerprint, at any alignment) that the pages both sides wrote outside the producer's frame hold, over the page size: copies") \
	X("pages_written.method", STRING_OR_NULL, ALWAYS, ZC_UNGATED, "",                     \
	  ZC_FROM(CSTR_OR_NULL, pages_written.method),                                        \
	  "`uffd-wp` (userfaultfd async write-protection read with PAGEMAP_SCAN); null when not counted") \
	X("pages_written.unavailable", STRING_OR_NULL, ALWAYS, ZC_UNGATED, "",                \
	  ZC_FROM(CHARS_OR_NULL, pages_written.unavailable),                                  \
	  "why the producer's pages were not counted; null when they were")                  \
	X("pages_written.consumer_unavailable", STRING_OR_NULL, ALWAYS, ZC_UNGATED, "",       \
	  ZC_FROM(CHARS_OR_NULL, pages_written.consumer_unavailable),                         \
	  "why the consumer's pages were not counted; null when they were")                  \
	X("pages_written.unwatched", ARRAY_OR_NULL, ALWAYS, ZC_UNGATED, "",                   \
	  ZC_FROM(UNWATCHED, pages_written.unwatched),                                        \
	  "the writable mappings of the producer's process the pass did not watch, each `{mapping, why, bytes, resident_pages, populated_per_transfer}`; `why`: `registered elsewhere (EBUSY)`, `refused by the kernel: ERROR` or `reserve over 4 GiB, its data in over 64 places`; `populated_per_transfer`: pages that came to hold data per watched transfer, a lower bound of its writes; `[]`: all watched; null: not counted") \
	X("pages_written.io_uring", BOOL, OPTIONAL, ZC_UNGATED, "",                           \
	  ZC_FROM(TRISTATE, pages_written.unwatched.io_uring),                                \
	  "an io_uring instance was open in the producer's process during the pass: the kernel's copies for it write no page any instrument sees; absent when not counted") \
	X("pages_written.consumer_unwatched", ARRAY_OR_NULL, ALWAYS, ZC_UNGATED, "",          \
	  ZC_FROM(UNWATCHED, pages_written.consumer_unwatched),                               \
	  "the same in the consumer's own process (`process`); null in one address space (the producer's list holds it), when the consumer's pages were not counted, or when its list is unknown") \
	X("pages_written.consumer_io_uring", BOOL, OPTIONAL, ZC_UNGATED, "",                  \
	  ZC_FROM(TRISTATE, pages_written.consumer_unwatched.io_uring),                       \
	  "the same as `io_uring` in the consumer's own process; absent in one address space or when not counted") \
	X("pages_written.pass_ms", NUMBER, ALWAYS, ZC_UNGATED, "ms",                          \
	  ZC_FROM(DOUBLE, pages_written.pass_ms),                                             \
	  "the evidence pass's wall time, setup and teardown included")                       \
	X("pages_written.transfers", INTEGER, ALWAYS, ZC_UNGATED, "transfers",                \
	  ZC_FROM(INT64, pages_written.transfers),                                            \
	  "transfers watched (0 when not counted): a copy no hook sees, made once every more transfers than this, may be missed by the pages; the hooks see every timed transfer") \
	X("pages_written.late_threads", INTEGER, ALWAYS, ZC_UNGATED, "transfers",             \
	  ZC_FROM(INT64, pages_written.late_threads),                                         \
	  "watched transfers after which a thread the transfer started still ran 2 s after the release: what it wrote later is not counted") \
	X("pages_written.late_processes", INTEGER, ALWAYS, ZC_UNGATED, "transfers",          \
	  ZC_FROM(INT64, pages_written.late_processes),                                       \
	  "watched transfers after which a process the transfer started (forked, or run with exec) still ran 2 s after the release: what it copied later is not counted") \
	X("pages_written.unhooked_processes", INTEGER, ALWAYS, ZC_UNGATED, "transfers",      \
	  ZC_FROM(INT64, pages_written.unhooked_processes),                                   \
	  "watched transfers that started a process running without the counting hooks (a static or setuid program run with exec): what it copied is not counted") \
	X("placement", OBJECT, OPTIONAL, ZC_UNGATED, "", ZC_FROM(OBJECT_IF, placement.known),  \
	  "`thread`, `process`: where producer and consumer ran (`--placement`); the row is named `STRATEGY@PLACEMENT`") \
	X("placement.name", STRING, OPTIONAL, ZC_UNGATED, "", ZC_FROM(CSTR, placement.name),  \
	  "`same` (both pinned to one CPU), `cross` (to two CPUs) or `free` (the scheduler's choice)") \
	X("placement.producer_cpu", INTEGER, OPTIONAL, ZC_UNGATED, "CPU",                     \
	  ZC_FROM(INT64, placement.producer_cpu), "the CPU the producer was pinned to; -1 not pinned") \
	X("placement.consumer_cpu", INTEGER, OPTIONAL, ZC_UNGATED, "CPU",                     \
	  ZC_FROM(INT64, placement.consumer_cpu), "the CPU the consumer was pinned to; -1 not pinned") \
	X("placement.producer_cpus_seen", NUMBERS, OPTIONAL, ZC_UNGATED, "CPU",               \
	  ZC_FROM(CPUS, placement.producer_seen),                                             \
	  "the CPUs `sched_getcpu` returned on the producer's side at its posts, every measuring process") \
	X("placement.consumer_cpus_seen", NUMBERS, OPTIONAL, ZC_UNGATED, "CPU",               \
	  ZC_FROM(CPUS, placement.consumer_seen),                                             \
	  "the same on the consumer's side, at its receipts") \
	X("placement.cpu_idle", STRING, OPTIONAL, ZC_UNGATED, "",                             \
	  ZC_FROM(CHARS, placement.cpu_idle),                                                 \
	  "how an idle CPU waits, from /sys: `cpuidle haltpoll, guest_halt_poll_ns 0` (halts at once: a wake-up costs a VM exit); `unknown`") \
	X("latency", OBJECT, OPTIONAL, ZC_UNGATED, "", ZC_FROM(OBJECT_IF, handover.known),     \
	  "`thread`, `process`: hand-over latency, from the strategy's clocks, pooled over every measuring process") \
	ZC_SCHEMA_LATENCY(X, "one_way_ns", one_way,                                           \
	  "post to receipt: from the producer's post until the consumer has the frame (CLOCK_MONOTONIC on both sides)") \
	ZC_SCHEMA_LATENCY(X, "post_ns", post,                                                 \
	  "the poster's own cost: from the start of its post until the post returned (what an asynchronous `Dart_PostCObject` caller pays)") \
	X("cow", OBJECT, OPTIONAL, ZC_UNGATED, "", ZC_ELSEWHERE,                              \
	  "`process`, strategy `cow`: `pages_copied_by_write` and `minor_faults` of one consumer write; as root, `written_page_shared` (false: the page got a new frame) and `same_pages_after_write` (the others stay shared)") \
	X("gc", OBJECT, OPTIONAL, ZC_UNGATED, "", ZC_ELSEWHERE,                               \
	  "`managed`: what the simulated collector did: `collections_per_100_frames`...; `node`: V8's collections over the timed loop (`collections_per_100_frames`, `gc_ms_per_100_frames`) and when the frames came back: `frames_out_before_gc`, `frames_out_at_end` (after forced collections), `collections_at_end`, `finalizers_run`, `external_fallbacks`; `node_addon_api`: no `external_fallbacks`; `taken`, `given_back`, `double_releases`, `finalizers_in_call`, `views`, `copies`") \
	X("legs", ARRAY, OPTIONAL, ZC_UNGATED, "", ZC_ELSEWHERE,                              \
	  "`roundtrip`: identity leg by leg, probed once more after the timed runs")          \
	X("shrink", OBJECT, OPTIONAL, ZC_UNGATED, "", ZC_ELSEWHERE,                           \
	  "`roundtrip`: what shrink_to_fit did to the block: `transfers`, `moved_transfers`...") \
	X("wasm", OBJECT, OPTIONAL, ZC_UNGATED, "", ZC_ELSEWHERE,                             \
	  "`wasm`: the module's account of its frames: `taken`, `released`, `double_releases`, `frames_out` (after the runs), `grows` (memory.grow asked for by the module), `detached_views` and `undefined_reads` (views found detached after a grow, and `view[k]` read as undefined through them), `memory_bytes` (and `gc`: V8's collections over the timed loop, as `node`'s)")

/* One row of a list above. */
struct zc_schema_field {
	const char *path;
	enum zc_schema_type type;
	enum zc_schema_presence presence;
	enum zc_schema_rule rule;
	int gate_order;		/* 1, 2...: the gate's rows in this order; 0 when not gated */
	const char *unit;	/* "" when none */
	const char *doc;
};

/* Which list: the document's top level, or one member of its "results". */
enum zc_schema_part { ZC_SCHEMA_DOCUMENT, ZC_SCHEMA_RESULT };

/* The rows of @part in writing order; their number in *@n. */
const struct zc_schema_field *zc_schema_fields(enum zc_schema_part part, size_t *n);

/* The row of @part at dotted @path, or NULL. */
const struct zc_schema_field *zc_schema_find(enum zc_schema_part part, const char *path);

/* The gate's @i-th exact invariant (from 0, in gate order), or NULL past the last. */
const struct zc_schema_field *zc_schema_invariant(size_t i);

/* True when @v is of type @type (an integer is a number; a real is not an integer). */
bool zc_schema_type_matches(enum zc_schema_type type, const json_t *v);

/* The names docs/schema.md uses: "array of numbers", "always", "frames"; "" for ZC_RULE_NONE. */
const char *zc_schema_type_name(enum zc_schema_type type);
const char *zc_schema_presence_name(enum zc_schema_presence presence);
const char *zc_schema_rule_name(enum zc_schema_rule rule);

#ifdef __cplusplus
}
#endif

#endif
