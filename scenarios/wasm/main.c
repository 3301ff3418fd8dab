/*
 * wasm: a WebAssembly module makes the frames in its linear memory, and JavaScript in a real
 * Node.js takes them through the raw WebAssembly API, as a user of a module compiled from C
 * or from Rust (no wasm-bindgen) writes it: a Uint8Array over memory.buffer (a view), its
 * .slice() (a copy), and the trap of a view held across a call that grows the memory
 * (memory.grow detaches memory.buffer and every view over it) beside what a program must do
 * instead (the view made again after every call that may grow). Two producers, the same
 * rows: wasm_c/ (clang --target=wasm32) and wasm_rust/ (Debian's rustc for
 * wasm32-unknown-unknown), both rendering with src/core/frame.c compiled for wasm32.
 *
 * It measures as the node boundary does, and for the same reasons (Node 20 ships no libnode
 * to embed; V8 frees what JavaScript dropped when its event loop turns): each measuring
 * process is `node driver.js` with the counting interposers preloaded
 * (build/lib/libzchooks.so), and this program reads its answer into the same results as every
 * scenario (the scenario's measure hook): the node family's shared runner,
 * scenarios/runtimes/node_runner.c. The rows and the module's account of its frames (taken,
 * released, double releases, views found detached) are this boundary's own.
 */
#include <stdio.h>

#include "evidence.h"
#include "node_runner.h"
#include "scenario.h"

#ifndef ZC_NODE_PATH
#define ZC_NODE_PATH "node"
#endif

/*
 * The address space a node process takes before any frame: Node 20's VmPeak at start-up is
 * 712 MiB here (V8 reserves its heap and code ranges), and it does not start under 700 MiB.
 * V8 reserves each wasm32 memory whole, 8 GiB with its guard region, as address space only.
 * The runner adds the frames in flight (here a transfer's, and slice's copies until the
 * collector runs).
 */
#define NODE_RESERVE_MIB (768 + 8 * 1024 + 256)

/*
 * The largest frame a wasm32 memory holds: 4 GiB (65,536 pages of 64 KiB) less what the
 * module's data and stack take below it (driver.js refuses the same).
 */
#define WASM_PAGE 65536ull
#define WASM32_FRAME_MAX (65536ull * WASM_PAGE - 16 * WASM_PAGE)

/*
 * The strategies, for each producer: the frames each copies as JavaScript's documentation
 * says (declared_frames, kept beside what the interposers saw, never used for the verdict),
 * and the module the row loads. Their transfers run in node (the measure hook); the table here
 * only names them: driver.js knows each row by its name (a rust_ prefix: the Rust module).
 */
struct wasm_strategy {
	struct zc_strategy s;
	double declared_frames;
	bool rust; /* zcwasm_rust.wasm, else zcwasm_c.wasm */
};

#define VIEW_MIRRORS "new Uint8Array(memory.buffer, ptr, len) over the module's frame, read " \
		     "by JavaScript, then the module's free"
#define SLICE_MIRRORS "new Uint8Array(memory.buffer, ptr, len).slice(): an ArrayBuffer of " \
		      "JavaScript's own, then the module's free"
#define AFTER_GROW_MIRRORS "the view taken, then a call that grows the module's memory " \
			   "(memory.grow): the view is detached (byteLength 0), counted, and " \
			   "made again to read the frame (wasm-bindgen #1668)"
#define RECREATED_MIRRORS "the call that may grow first, the view made after it: what a " \
			  "program must do when any call may grow the memory"
#define ROWS(prefix, rust)                                                                    \
	{{.name = prefix "Uint8Array_view", .mirrors = VIEW_MIRRORS, .expect_zero_copy = true, \
	  .measured_by_scenario = true}, 0, rust},                                              \
	{{.name = prefix "slice", .mirrors = SLICE_MIRRORS, .expect_zero_copy = false,          \
	  .measured_by_scenario = true}, 1, rust},                                              \
	{{.name = prefix "view_after_grow", .mirrors = AFTER_GROW_MIRRORS,                      \
	  .expect_zero_copy = true, .measured_by_scenario = true}, 0, rust},                    \
	{{.name = prefix "view_recreated", .mirrors = RECREATED_MIRRORS,                        \
	  .expect_zero_copy = true, .measured_by_scenario = true}, 0, rust}

static const struct wasm_strategy strategies[] = {ROWS("", false), ROWS("rust_", true)};

static const struct zc_strategy *const strategy_table[] = {
	&strategies[0].s, &strategies[1].s, &strategies[2].s, &strategies[3].s,
	&strategies[4].s, &strategies[5].s, &strategies[6].s, &strategies[7].s,
};

static const struct wasm_strategy *row_of(const struct zc_strategy *s)
{
	for (size_t i = 0; i < ZC_COUNT(strategies); i++)
		if (s == &strategies[i].s)
			return &strategies[i];
	return NULL; /* reference_memcpy */
}

static const struct zc_node_boundary boundary = {
	.name = "wasm", .node = ZC_NODE_PATH, .driver = "../lib/wasm/driver.js",
	.reserve_mib = NODE_RESERVE_MIB,
	.watched = ZC_EVIDENCE_TRANSFERS, /* as many as the core's pass */
	.own = "wasm", /* the module's account of its frames */
	.live_object = "wasm", .live_key = "frames_out",
};

/* The measure hook: one node process measures strategy s, on the module the row loads. */
static int measure(const struct zc_strategy *s, const struct zc_options *opt,
		   struct zc_result *res, struct zc_error *err)
{
	if (opt->frame.bytes > WASM32_FRAME_MAX)
		return zc_error_set(err, ZC_EXIT_USAGE, "a frame of %zu bytes is more than a wasm32 "
				    "memory holds (4 GiB, the module's data and stack included)",
				    opt->frame.bytes);
	const struct wasm_strategy *row = row_of(s);
	const struct zc_node_row r = {
		.addon = "../lib/wasm/zcwasm.node",
		/* reference_memcpy: the C module's frames */
		.module = row && row->rust ? "../lib/wasm/zcwasm_rust.wasm"
					   : "../lib/wasm/zcwasm_c.wasm",
		.declared_frames = row ? row->declared_frames : 1, /* reference_memcpy: a memcpy */
	};
	return zc_node_measure(&boundary, &r, s, opt, res, err);
}

/*
 * After the table: what became of each row's frames in the last measuring process, as the
 * module counted them (each given back once), and the views memory.grow detached.
 */
static void report(const struct zc_results *r, FILE *f)
{
	for (size_t i = 0; i < r->n; i++) {
		const json_t *w = json_object_get(r->v[i].extra, "wasm");
		double taken = zc_node_num(w, "taken"), back = zc_node_num(w, "released");
		double twice = zc_node_num(w, "double_releases"), out = zc_node_num(w, "frames_out");
		double grows = zc_node_num(w, "grows"), detached = zc_node_num(w, "detached_views");
		double undef = zc_node_num(w, "undefined_reads");
		if (!(taken > 0))
			continue;
		fprintf(f, "%s: %.0f frames handed over by the module, %.0f given back, %s",
			r->v[i].strategy, taken, back,
			back == taken && twice == 0 && out == 0 ? "each once"
			: twice > 0			       ? "some twice"
							       : "not all");
		if (grows > 0)
			fprintf(f, "; memory grown %.0f times, %.0f views found detached (%.0f read "
				"view[k] as undefined)", grows, detached, undef);
		fputc('\n', f);
	}
}

int main(int argc, char **argv)
{
	struct zc_scenario sc = {
		.name = "wasm",
		.summary = "Hands frames made in a WebAssembly module's memory (C or Rust compiled "
			   "to wasm32) to JavaScript in Node.js: a Uint8Array view, a slice, and "
			   "a view across memory.grow.",
		.strategies = strategy_table,
		.nstrategies = ZC_COUNT(strategy_table),
		.measure = measure,
		.report = report,
	};
	return zc_scenario_main(&sc, argc, argv);
}
