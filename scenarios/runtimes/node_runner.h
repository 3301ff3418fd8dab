/*
 * node_runner.h: the measure hook the node-based boundaries share (node, node_addon_api,
 * wasm). Each measuring process is `node driver.js` with the counting interposers preloaded
 * (build/lib/libzchooks.so); driver.js writes its answer, one JSON object, to file descriptor
 * 3, and the runner fills the scenario's result from it as the core's fork would.
 *
 * Not a boundary (no main.c): each boundary's boundary.mk puts node_runner.o into its archive
 * and this folder on its main.c's include path (scenarios/runtimes/runtimes.mk).
 */
#ifndef ZC_NODE_RUNNER_H
#define ZC_NODE_RUNNER_H

#include <stdbool.h>

#include <jansson.h>

#include "error.h"
#include "scenario.h"

/* What is the same for every row of a boundary. */
struct zc_node_boundary {
	const char *name;   /* the scenario, as the node process's messages name it */
	const char *node;   /* the node program (the boundary's ZC_NODE_PATH) */
	const char *driver; /* driver.js, beside the program ("../lib/node/driver.js") */
	/* The address space a node process takes before any frame, in MiB. */
	unsigned long long reserve_mib;
	/* The rendered transfers the evidence pass watches, driver.js's last argument. */
	int watched;
	/*
	 * The answer's object of the boundary's own ("wasm"), or NULL: when set, the answer
	 * must hold it, and the result's extra keeps it beside "gc".
	 */
	const char *own;
	/* Where the frames out at the end are: an object of the answer ("gc") and its key. */
	const char *live_object, *live_key;
};

/* What one row runs on. */
struct zc_node_row {
	const char *addon;  /* the addon, beside the program ("../lib/node/zcnode.node") */
	const char *module; /* what driver.js loads the frames from: a producer library, a module */
	/* The frames the documentation says the row copies: never used for the verdict. */
	double declared_frames;
};

/*
 * One node process measures strategy s as row says; fills res as a measuring process would
 * (samples, identity, counts, memory, pages written, extra). Returns 0, or -1 with err: out
 * of memory under an address-space limit node cannot start in, node not runnable, killed,
 * interrupted, or its answer an error or broken.
 */
int zc_node_measure(const struct zc_node_boundary *b, const struct zc_node_row *row,
		    const struct zc_strategy *s, const struct zc_options *opt,
		    struct zc_result *res, struct zc_error *err);

/* The number o holds under key; NaN when it holds none. */
double zc_node_num(const json_t *o, const char *key);

#endif
