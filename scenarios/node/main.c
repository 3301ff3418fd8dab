/*
 * node: a real Node.js as the consumer. Its addon (addon/zcnode.c, build/lib/node/zcnode.node)
 * loads the producer library and hands its frames to JavaScript as a copied Buffer, an
 * external Buffer or an external ArrayBuffer, as napi-rs and node-addon-api bridges do.
 *
 * Why not the Google Benchmark harness, as python and java: Node gives an external frame back
 * only when its event loop turns (the finalizers wait for it; measured: 2000 external buffers
 * made in one synchronous loop, none given back until the loop turned), so a timed loop that
 * never returns to JavaScript would hold every frame it handed over; and Node 20 ships no
 * libnode to embed. So each measuring process is `node driver.js` (driver.js: the timed loop in
 * JavaScript, process.hrtime.bigint(), the event loop turning between batches), with the
 * counting interposers preloaded (build/lib/libzchooks.so: the same counting_hooks.c as every
 * scenario program), and this program reads its answer and fills the same results as the
 * other scenarios: the scenario's measure hook, in place of the runner's fork. The node
 * family (node, node_addon_api, wasm) shares that hook: scenarios/runtimes/node_runner.c.
 */
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
 * The strategies: what the N-API documentation says each does is declared_frames (the frames
 * it copies), kept beside what the interposers saw, never used for the verdict. Their
 * transfers run in node (the measure hook); the table here only names them.
 */
struct node_strategy {
	struct zc_strategy s;
	double declared_frames;
};

static const struct node_strategy strategies[] = {
	{{.name = "buffer_copy",
	  .mirrors = "napi_create_buffer_copy: a Buffer of Node's own (napi-rs Buffer::from(Vec))",
	  .expect_zero_copy = false,
	  .measured_by_scenario = true}, 1},
	{{.name = "external_buffer",
	  .mirrors = "napi_create_external_buffer over the producer's frame, given back by the "
		     "finalizer (napi-rs Buffer external)",
	  .expect_zero_copy = true,
	  .measured_by_scenario = true}, 0},
	{{.name = "external_arraybuffer",
	  .mirrors = "napi_create_external_arraybuffer over the producer's frame, read through a "
		     "Uint8Array",
	  .expect_zero_copy = true,
	  .measured_by_scenario = true}, 0},
};

static const struct zc_strategy *const strategy_table[] = {
	&strategies[0].s, &strategies[1].s, &strategies[2].s,
};

static const struct zc_node_boundary boundary = {
	.name = "node", .node = ZC_NODE_PATH, .driver = "../lib/node/driver.js",
	.reserve_mib = NODE_RESERVE_MIB,
	.watched = 4, /* driver.js's rendered frames, fewer than the core's pass */
	.live_object = "gc", .live_key = "frames_out_at_end",
};

/* The measure hook: one node process measures strategy s. */
static int measure(const struct zc_strategy *s, const struct zc_options *opt,
		   struct zc_result *res, struct zc_error *err)
{
	struct zc_node_row row = {.addon = "../lib/node/zcnode.node",
				  .module = "../lib/libzcproducer.so",
				  .declared_frames = 1}; /* reference_memcpy: one memcpy */
	for (size_t i = 0; i < ZC_COUNT(strategies); i++)
		if (s == &strategies[i].s)
			row.declared_frames = strategies[i].declared_frames;
	return zc_node_measure(&boundary, &row, s, opt, res, err);
}

int main(int argc, char **argv)
{
	struct zc_scenario sc = {
		.name = "node",
		.summary = "Hands frames from a producer library to JavaScript in Node.js through "
			   "an N-API addon: copied into a Buffer, or shared as an external one.",
		.strategies = strategy_table,
		.nstrategies = ZC_COUNT(strategy_table),
		.measure = measure,
	};
	return zc_scenario_main(&sc, argc, argv);
}
