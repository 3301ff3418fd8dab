/*
 * python_rows.h: the row every strategy of the Python family is (python, cffi, dlpack, pyo3,
 * pybind11). Its setup, transfer, release, probe, teardown and extras are the same for every
 * boundary, around the boundary's bridge (struct zc_python_bridge): how its consumer is set
 * up, takes a frame, reads a byte through its object, drops it and goes. Beside the row: the
 * producer library the rows open their producers from, the warm-up each measuring process
 * runs before it counts anything, through the rows' own hooks, and the figures of the frames
 * a consumer took and gave back (the JSON by phase, the report's line).
 */
#ifndef ZC_PYTHON_ROWS_H
#define ZC_PYTHON_ROWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "frame.h"
#include "producer_api.h"
#include "python_phase.h"
#include "results.h"
#include "strategy.h"

/* A producer library the program loads once, before any row is set up. */
struct zc_python_producer {
	struct zc_producer_api api;
	void *library; /* its handle; NULL: not loaded */
};

/*
 * Loads the producer library at rel beside the program ("../lib/libzcproducer.so") into p,
 * for zc_python_close_producer. 0, or -1 with the reason in err.
 */
int zc_python_open_producer(const char *rel, struct zc_python_producer *p,
			    struct zc_error *err);

/* Unloads p's library, if loaded, and forgets it. */
void zc_python_close_producer(struct zc_python_producer *p);

struct zc_python_row;

/*
 * What a boundary's rows do that the family's do not: its bridge's calls. Each hook gets the
 * row's state, a struct zc_python_row that begins the boundary's own (size bytes in all).
 */
struct zc_python_bridge {
	const char *boundary; /* the program's name: the line a lost drop prints, the extras' key */
	size_t size;          /* the boundary's state of a row */
	/*
	 * The producer library each row opens a producer of (r->producer) before open; NULL:
	 * the consumer drives the producer itself (cffi).
	 */
	const struct zc_python_producer *producer;
	/*
	 * Readies this process for the rows, once: the interpreter started, each row's path run
	 * on a small frame. setup calls it first. 0, or -1 with err.
	 */
	int (*prepare)(struct zc_error *err);
	/*
	 * Sets r's consumer up (r's kind, geometry and producer are set). 0, or -1 with err;
	 * close then undoes what it did.
	 */
	int (*open)(struct zc_python_row *r, struct zc_error *err);
	/*
	 * The consumer takes frame r->seq (rendered whole when render) and keeps its own object
	 * of it: where that object's bytes are (data NULL: it has no buffer), how many, and the
	 * producer's frame into *v, the rest of it zero. 0, or -1 with err.
	 */
	int (*take)(struct zc_python_row *r, bool render, struct zc_view *v, struct zc_error *err);
	/* The consumer lets its object go; why it could not into err. */
	void (*drop)(struct zc_python_row *r, struct zc_error *err);
	/* Python reads the byte at offset through the consumer's object. 0, or -1 with err. */
	int (*read)(struct zc_python_row *r, size_t offset, unsigned char *value,
		    struct zc_error *err);
	/* Lets the consumer go, what it holds first; r may be half set up. */
	void (*close)(struct zc_python_row *r);
	/*
	 * The row's own figures, after the timed runs: an object the row's extras hold under
	 * the boundary's name. NULL: none.
	 */
	json_t *(*extras)(struct zc_python_row *r);
};

/*
 * A row's argument (struct zc_strategy.arg): a boundary's own kind begins with it when it
 * has more to say of its rows.
 */
struct zc_python_kind {
	const char *name; /* the strategy's, and what the consumer or the bridge calls it */
	/*
	 * The copies of the frame the runtime's or the bridge's documentation promises:
	 * declared (zc_count_copy) after each transfer, so that a row says "undeclared copy"
	 * when more was observed. Never the verdict.
	 */
	unsigned documented_copies;
	const struct zc_python_bridge *bridge;
};

/* The family's state of a row: the boundary's begins with it. */
struct zc_python_row {
	const struct zc_python_kind *kind;
	struct zcp_producer *producer; /* the row's, of the bridge's library; NULL: none */
	struct zc_frame_geom geom;     /* the frames' */
	uint64_t seq;                  /* the frame in flight's */
	uint64_t frames;               /* transfers made */
	/* Why the consumer could not drop a frame (release cannot fail): the next transfer's */
	struct zc_error dropped;
};

/*
 * The row's hooks, for ZC_PYTHON_STRATEGY (arg is the row's struct zc_python_kind). setup
 * readies the process (prepare), then opens the row's producer and its consumer (open). A
 * transfer fails with the reason a drop failed at the release before; else the consumer takes
 * the next frame (take) and the documented copies are declared. The release drops it (drop),
 * the probe reads through it (read), the extras are the bridge's, under the boundary's name.
 * teardown lets the consumer go (close), says on stderr why a last drop failed, "NAME:
 * strategy 'S': why", and closes the producer.
 */
void *zc_python_row_setup(const struct zc_frame_geom *g, const void *arg, struct zc_error *err);
int zc_python_row_transfer(void *state, bool render, struct zc_view *v, struct zc_error *err);
void zc_python_row_release(void *state, struct zc_view *v);
void zc_python_row_teardown(void *state);
void zc_python_row_extras(void *state, const struct zc_result *res, json_t *extra);
extern const struct zc_probe_ops zc_python_row_probe;

/*
 * A row of the Python family in a strategies table: kind (a struct zc_python_kind *), whether
 * it is expected zero-copy, the real API it mirrors. The consumer, Python code, checks each
 * frame's stamp; the probe reads through the consumer's object.
 */
#define ZC_PYTHON_STRATEGY(kind, zero_copy, mirror)                                           \
	{                                                                                     \
		.name = (kind)->name, .mirrors = (mirror), .expect_zero_copy = (zero_copy),    \
		.consumer_checks_stamp = true, .arg = (kind), .setup = zc_python_row_setup,    \
		.transfer = zc_python_row_transfer, .release = zc_python_row_release,          \
		.teardown = zc_python_row_teardown, .probe = &zc_python_row_probe,             \
		.extras = zc_python_row_extras,                                                \
	}

/*
 * Once per process: each of the n strategies in all sets up on a small frame (4x4), makes
 * one rendered transfer, has its probe read a byte and tears down, so that what the
 * interpreter and the bridge allocate the first time a path runs is not counted. Later
 * calls, and a strategy's setup that comes back here while it runs, return the first call's
 * result: 0, or -1 with err ("warming up NAME: why", the first strategy that failed). Every
 * strategy has a probe with read.
 */
int zc_python_warm_up(const struct zc_strategy *const *all, size_t n, struct zc_error *err);

/* The frames counted in each phase since then: {"while_taking", "at_drop", "later"}. */
json_t *zc_python_by_phase(const uint64_t now[ZC_PYTHON_PHASES],
			   const uint64_t then[ZC_PYTHON_PHASES]);

/* The frames counted in all phases together since then. */
uint64_t zc_python_all_phases(const uint64_t now[ZC_PYTHON_PHASES],
			      const uint64_t then[ZC_PYTHON_PHASES]);

/*
 * Adds to o, a row's figures (NULL: none), what became of the taken frames since then:
 * those given back, by phase, as its member back ("frames_given_back"; dlpack's deleter
 * calls), those not given back (frames_not_given_back) and the producer's own count of its
 * frames out (producer_frames_out). Returns o.
 */
json_t *zc_python_frames_back(json_t *o, const char *back, uint64_t taken,
			      const uint64_t now[ZC_PYTHON_PHASES],
			      const uint64_t then[ZC_PYTHON_PHASES], long producer_out);

/*
 * One line per strategy whose extra holds an object named key: the consumer's object and the
 * frames taken, given back while taking, at the consumer's drop and later, and not given
 * back; or, where the object's boolean owns (the name of a member) is false, that the
 * producer keeps its frame. width is the strategies' column.
 */
void zc_python_report_frames(const struct zc_results *r, FILE *f, const char *key,
			     const char *owns, int width);

#endif
