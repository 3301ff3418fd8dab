/*
 * node_addon_api: a real Node.js as the consumer, and a real bridge written by others between
 * them: the addon (addon/zcnapi.cc, build/lib/node_addon_api/zcnapi.node) is written with
 * node-addon-api 8, the C++ wrapper over Node-API, as its users write one: Napi::Buffer::New
 * over the producer's frame with a finalizer, Napi::Buffer::Copy, Napi::Buffer::NewOrCopy,
 * Napi::ArrayBuffer::New. The producer is build/lib/libzcproducer.so, loaded by the addon.
 *
 * It measures as the node boundary does, and for the same reasons (Node gives an external
 * frame back only when its event loop turns; Node 20 ships no libnode to embed): each
 * measuring process is `node driver.js` with the counting interposers preloaded
 * (build/lib/libzchooks.so), and this program reads its answer into the same results as every
 * scenario (the scenario's measure hook): the node family's shared runner,
 * scenarios/runtimes/node_runner.c. The addon's strategies, the rows and what the answer says
 * of the frames (gc.finalizers_in_call, gc.double_releases...) are this boundary's own.
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
 */
#define NODE_RESERVE_MIB 768

/*
 * The strategies: what node-addon-api's documentation says each does is declared_frames (the
 * frames it copies), kept beside what the interposers saw, never used for the verdict; which
 * build of the addon the row loads. Their transfers run in node (the measure hook); the table
 * here only names them.
 */
struct naa_strategy {
	struct zc_strategy s;
	double declared_frames;
	bool no_externals; /* zcnapi_no_externals.node: NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED */
};

static const struct naa_strategy strategies[] = {
	{{.name = "Buffer_Copy",
	  .mirrors = "Napi::Buffer<uint8_t>::Copy(env, data, len): a Buffer of Node's own "
		     "(napi_create_buffer_copy)",
	  .expect_zero_copy = false,
	  .measured_by_scenario = true}, 1, false},
	{{.name = "Buffer_New_external",
	  .mirrors = "Napi::Buffer<uint8_t>::New(env, data, len, finalizer) over the producer's "
		     "frame, given back by the finalizer when V8 collects the Buffer",
	  .expect_zero_copy = true,
	  .measured_by_scenario = true}, 0, false},
	{{.name = "Buffer_NewOrCopy",
	  .mirrors = "Napi::Buffer<uint8_t>::NewOrCopy(env, data, len, finalizer): external "
		     "where the runtime allows it (Node 20 here), else a copy",
	  .expect_zero_copy = true,
	  .measured_by_scenario = true}, 0, false},
	{{.name = "Buffer_NewOrCopy_no_externals",
	  .mirrors = "the same NewOrCopy built with NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED, as for "
		     "Electron's V8 sandbox: Copy, the finalizer run inside the call",
	  .expect_zero_copy = false,
	  .measured_by_scenario = true}, 1, true},
	{{.name = "ArrayBuffer_New_external",
	  .mirrors = "Napi::ArrayBuffer::New(env, data, len, finalizer) over the producer's frame, "
		     "read through a Napi::Uint8Array",
	  .expect_zero_copy = true,
	  .measured_by_scenario = true}, 0, false},
};

static const struct zc_strategy *const strategy_table[] = {
	&strategies[0].s, &strategies[1].s, &strategies[2].s, &strategies[3].s, &strategies[4].s,
};

static const struct naa_strategy *row_of(const struct zc_strategy *s)
{
	for (size_t i = 0; i < ZC_COUNT(strategies); i++)
		if (s == &strategies[i].s)
			return &strategies[i];
	return NULL; /* reference_memcpy */
}

static const struct zc_node_boundary boundary = {
	.name = "node_addon_api", .node = ZC_NODE_PATH,
	.driver = "../lib/node_addon_api/driver.js", .reserve_mib = NODE_RESERVE_MIB,
	.watched = ZC_EVIDENCE_TRANSFERS, /* as many as the core's pass */
	.live_object = "gc", .live_key = "frames_out_at_end",
};

/* The measure hook: one node process measures strategy s, with the addon's build it loads. */
static int measure(const struct zc_strategy *s, const struct zc_options *opt,
		   struct zc_result *res, struct zc_error *err)
{
	const struct naa_strategy *row = row_of(s);
	const struct zc_node_row r = {
		.addon = row && row->no_externals ? "../lib/node_addon_api/zcnapi_no_externals.node"
						  : "../lib/node_addon_api/zcnapi.node",
		.module = "../lib/libzcproducer.so",
		.declared_frames = row ? row->declared_frames : 1, /* reference_memcpy: a memcpy */
	};
	return zc_node_measure(&boundary, &r, s, opt, res, err);
}

/*
 * After the table: what became of each row's frames in the last measuring process, as the
 * addon saw it: which branch NewOrCopy took, who gave the frames back, and whether each
 * came back exactly once.
 */
static void report(const struct zc_results *r, FILE *f)
{
	for (size_t i = 0; i < r->n; i++) {
		const json_t *gc = json_object_get(r->v[i].extra, "gc");
		double taken = zc_node_num(gc, "taken"), back = zc_node_num(gc, "given_back");
		double twice = zc_node_num(gc, "double_releases");
		double fin = zc_node_num(gc, "finalizers_run");
		double in_call = zc_node_num(gc, "finalizers_in_call");
		double views = zc_node_num(gc, "views");
		if (!(taken > 0))
			continue;
		fprintf(f, "%s: %.0f frames handed over, %.0f objects over the frame's bytes, %.0f "
			"over bytes of their own; %.0f given back (%.0f by a finalizer, %.0f of them "
			"inside the call), %s\n",
			r->v[i].strategy, taken, views, taken - views, back, fin, in_call,
			back == taken && twice == 0 ? "each once"
			: twice > 0		    ? "some twice"
						    : "not all");
	}
}

int main(int argc, char **argv)
{
	struct zc_scenario sc = {
		.name = "node_addon_api",
		.summary = "Hands frames from a producer library to JavaScript in Node.js through "
			   "an addon written with node-addon-api: Buffer::Copy, or Buffer::New, "
			   "NewOrCopy and ArrayBuffer::New over the frame.",
		.strategies = strategy_table,
		.nstrategies = ZC_COUNT(strategy_table),
		.measure = measure,
		.report = report,
	};
	return zc_scenario_main(&sc, argc, argv);
}
