/*
 * inproc_strategies.h: the strategies of the in-process scenario: a synchronous call into the producer
 * library through its C ABI (producer_api.h).
 */
#ifndef ZC_INPROC_H
#define ZC_INPROC_H

#include <stddef.h>

#include "error.h"
#include "producer_api.h"
#include "scenario.h"
#include "strategy.h"

/*
 * Loads the producer libraries the strategies run on, the C library and the Rust cdylib,
 * beside the program; they stay loaded until zc_inproc_close. 0, or -1 with err.
 */
int zc_inproc_open(struct zc_error *err);
void zc_inproc_close(void);

/* "c" or "rust": the producer strategy s runs on. */
const char *zc_inproc_producer(const struct zc_strategy *s);

/* The boundary's descriptor: its name, summary and strategies in the order they are reported. */
extern const struct zc_scenario zc_inproc_scenario;

/*
 * Loads the producer library rel, a path from the program's folder ("../lib/libzcproducer.so"),
 * with dlopen. Returns 0, or -1 with the reason in err (ZC_EXIT_RUNTIME).
 */
int zc_producer_load(const char *rel, struct zc_producer_api *api, void **handle,
		     struct zc_error *err);

#endif
