/*
 * roundtrip_strategies.h: the strategies of the round-trip scenario: a frame that goes from the producer
 * (Rust) to the consumer (Dart) without a copy and comes back with one, recorded leg by leg;
 * and a hand-over preceded by a shrink-to-fit reallocation that some allocators turn into a
 * hidden copy.
 */
#ifndef ZC_ROUNDTRIP_H
#define ZC_ROUNDTRIP_H

#include <stdio.h>

#include "results.h"
#include "scenario.h"
#include "strategy.h"

/* The boundary's descriptor: its name, summary and strategies in the order they are reported. */
extern const struct zc_scenario zc_roundtrip_scenario;


/*
 * After the table: the legs of round_trip (from its result's "legs") and, in words, why the
 * address after the round trip is the wrong thing to compare. Nothing when it did not run.
 */
void zc_roundtrip_report(const struct zc_results *r, FILE *f);

#endif
