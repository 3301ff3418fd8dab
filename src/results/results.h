/*
 * results.h: what a scenario run found, per strategy, before it becomes JSON (json.c).
 */
#ifndef ZC_RESULTS_H
#define ZC_RESULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "stats.h"

struct zc_identity {
	uintptr_t producer_addr;
	uintptr_t consumer_addr;
	bool same_address;     /* the consumer's view starts at the producer's bytes */
	bool aliasing_visible; /* a byte the producer wrote after the hand-over was seen */
	bool checksum_ok;      /* every validated frame matched the content rendered for it */
	bool address_meaningful; /* false across processes: addresses are per address space */
	bool zero_copy;        /* the verdict */
	bool undeclared_copy;  /* the instruments saw copies the strategy does not declare */
	bool unverified;       /* zero-copy, on less than full evidence (zc_verdict_coverage) */
	bool unexplained_work; /* pages written that hold no frame bytes: half a frame or more */
	double same_pages;     /* of the frame's pages, the fraction on the same physical pages on
				  both sides (pagemap); NAN when not compared */
	char same_pages_unavailable[160]; /* why not; "" when compared */
	char evidence[768];
};

struct zc_timing {
	double *samples;       /* ns per transfer, one per repetition */
	size_t nsamples;
	struct zc_summary ns;
	double gb_per_s;
	double frames_per_s;
	double vs_memcpy;      /* median / reference_memcpy's median; 0 when unknown */
	double vs_handover;    /* median / reference_handover's at the same placement; 0: none */
	double process_medians[32]; /* the median of each measuring process's samples */
	size_t nprocesses;
	bool bimodal;          /* the process medians differ by more than ZC_BIMODAL_RATIO
				  (verdict.h) */
	double background_cv;  /* the median cv of the run's rows (zc_verdict_background_cv);
				  0: none, the row is judged on ZC_NOISY_CV alone */
};

/* Where the two sides of a hand-over ran (placement.h): asked for, and seen. */
struct zc_placement_result {
	bool known;            /* false for a result with one side only (reference_memcpy) */
	const char *name;      /* "same", "cross", "free" (a static string) */
	int64_t producer_cpu, consumer_cpu; /* the CPU each side was pinned to; -1: not pinned */
	uint64_t producer_seen, consumer_seen; /* CPUs sched_getcpu returned there, a bit each */
	char cpu_idle[96];     /* how an idle CPU waits, as /sys says (zc_placement_cpu_idle) */
};

/* One kind of hand-over latency, over every measuring process. */
struct zc_latency {
	double *samples;       /* ns, each process's last transfers, pooled; owned */
	size_t nsamples;
	double p50, p99;
	double process_medians[32];
	size_t nprocesses;
};

/* Hand-over latency, from the strategy's handover hook (strategy.h). */
struct zc_handover_result {
	bool known;
	struct zc_latency one_way; /* post to receipt: when the consumer has the frame */
	struct zc_latency post;    /* the poster's own cost: until its post returned */
};

struct zc_mem_result {
	int64_t rss_kib, rss_peak_kib, pss_kib;
	const char *rss_peak_method; /* how rss_peak_kib was obtained: "vmhwm_reset" or
					"vmhwm_minus_setup_rss" (a static string); NULL: not read */
	int64_t resident_kib;      /* RSS the strategy added from its setup to the end of its runs */
	double resident_frames;    /* the same in frames: what stays resident per frame in flight */
	double minor_faults_per_transfer, major_faults_per_transfer;
	int frame_blocks_mmapped;  /* glibc served a frame-sized block with mmap after the runs:
				      1/0, -1 unknown (another allocator) */
	/* The consumer's process, when it is not this one (the strategy's consumer_memory). */
	struct {
		bool known;    /* false in one address space, or when the consumer did not answer */
		int64_t rss_kib, pss_kib;       /* after the runs, as rss_kib and pss_kib above */
		double minor_faults_per_transfer; /* over the same timed loop as the producer's */
	} consumer;
};

/* A writable mapping the evidence pass did not watch (src/instrument/written.h). */
struct zc_unwatched {
	char mapping[64];   /* as /proc/PID/maps names it: "[stack]", a path, "[anonymous]" */
	char why[96];       /* "stack", "reserve over 4 GiB", "registered elsewhere (EBUSY)"... */
	bool stack;         /* the main thread's stack: it grows, so its size does not bound a copy */
	double bytes;
	double resident_pages;         /* holding data at the pass's last count; NAN unknown */
	double populated_per_transfer; /* pages that came to hold data during the watched
					  transfers, per transfer: a lower bound of its pages
					  written; NAN unknown */
};

#define ZC_UNWATCHED_MAX 32 /* written.h's ZC_WRITTEN_MAX_UNWATCHED: past it the pass fails */

/* What one process's watch left out: its unwatched mappings and io_uring. */
struct zc_unwatched_list {
	bool known;         /* false: that process was not watched (JSON null) */
	size_t n;
	struct zc_unwatched v[ZC_UNWATCHED_MAX];
	int io_uring;       /* an io_uring instance was open during the pass: 1/0, -1 unknown */
};

/* Pages written per transfer, from the untimed evidence pass (evidence.h); NAN: not counted. */
struct zc_written_result {
	double producer_per_transfer; /* the producer's process (every thread of it) */
	double consumer_per_transfer; /* the consumer's own process; NAN in one address space */
	double fresh_per_transfer;    /* of the producer's, first touches of new mappings (faults) */
	double frame_per_transfer;    /* of the frame handed over, not in the figures above */
	double frame_bytes_per_transfer; /* bytes of the frame transferred that the pages both
					    sides wrote hold: copies (in pages in the JSON) */
	double pass_ms;               /* the pass's wall time, setup and teardown included */
	int64_t transfers;            /* transfers watched; 0 when not counted */
	int64_t late_threads;         /* watched transfers whose threads outlived the wait */
	int64_t late_processes;       /* ... whose processes did (src/core/follow.h) */
	int64_t unhooked_processes;   /* ... that started a process without the hooks */
	const char *method;           /* "uffd-wp", or NULL */
	char unavailable[200];        /* why the producer's pages were not counted; "" if they were */
	char consumer_unavailable[200]; /* why the consumer's were not; "" if they were */
	bool skipped;                 /* left out by choice or build: --no-pages, a sanitizer */
	bool consumer_apart;          /* the consumer has a process of its own */
	struct zc_unwatched_list unwatched, consumer_unwatched;
};

struct zc_alloc_result {
	double count_per_transfer, bytes_per_transfer, frees_per_transfer;
	double frame_sized_per_transfer, frame_sized_frees_per_transfer, realloc_moves_per_transfer;
	/* Over validation's window (core/identity.h): */
	int64_t live_at_end;         /* the strategy's leak, in blocks */
	int64_t kept_at_end;         /* the other blocks left on its threads: not a leak */
	int64_t runtime_live_at_end; /* those a runtime's own threads left: in neither */
};

struct zc_copy_result {
	double bytes_per_transfer;          /* observed: user + kernel, both sides */
	double user_bytes_per_transfer;     /* the frame's: copy functions and realloc, both sides */
	double kernel_bytes_per_transfer;   /* the frame's: the kernel's copies, both sides */
	double other_bytes_per_transfer;    /* moved by both, not the frame's: never in the verdict */
	double expected_bytes_per_transfer; /* what the strategy declares (zc_copy, zc_count_copy) */
	double copies_per_transfer;         /* copies the strategy declares */
	double memcpy_bytes_per_transfer;   /* the declared part done with zc_copy */
	double hook_bytes_per_transfer;     /* copy-function calls of at least 64 KiB */
	double realloc_remaps_per_transfer; /* reallocs that moved pages, not bytes */
	double pages_bytes_per_transfer;    /* what the pages written say was copied; NAN: unknown */
};

struct zc_result {
	const char *scenario;
	const char *strategy;
	const char *mirrors;
	bool expect_zero_copy;
	bool measured;         /* false when the strategy failed before timing */
	unsigned flags;        /* ZC_FLAG_* bits (verdict.h), set with the verdict */
	struct zc_identity id;
	struct zc_timing time;
	struct zc_mem_result mem;
	struct zc_alloc_result alloc;
	struct zc_copy_result copies;
	struct zc_written_result pages_written;
	struct zc_placement_result placement;
	struct zc_handover_result handover;
	json_t *extra;         /* scenario-specific members merged into the result; owned */
};

struct zc_results {
	const char *scenario;
	struct zc_frame_geom frame;
	json_t *context;       /* owned */
	struct zc_result *v;
	size_t n, cap;
};

/* Appends a zeroed result for strategy and returns it; NULL when out of memory. */
struct zc_result *zc_results_add(struct zc_results *r, const char *strategy, const char *mirrors,
				 bool expect_zero_copy);
struct zc_result *zc_results_find(struct zc_results *r, const char *strategy);
/* Sets samples (copied) and derives the summary, throughput and frames per second. */
int zc_result_set_samples(struct zc_result *res, const double *samples, size_t n,
			  size_t frame_bytes);
/* Appends samples (another measuring process's) and derives the figures again. */
int zc_result_add_samples(struct zc_result *res, const double *samples, size_t n,
			  size_t frame_bytes);
/*
 * Appends one measuring process's latency samples to l: its median joins the process
 * medians, p50 and p99 are taken again over everything pooled. 0, or -1 out of memory.
 */
int zc_latency_add(struct zc_latency *l, const double *samples, size_t n);
void zc_results_release(struct zc_results *r);

#endif
