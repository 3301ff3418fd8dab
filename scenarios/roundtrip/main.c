/*
 * roundtrip: a frame that goes from the producer (Rust) to the consumer (Dart) without a copy
 * and comes back with one, identity recorded leg by leg; and the hidden copy a shrink-to-fit
 * reallocation can make right before a zero-copy hand-over.
 */
#include <stdio.h>

#include "options.h"
#include "roundtrip_strategies.h"
#include "scenario.h"

int main(int argc, char **argv)
{
	struct zc_scenario sc = {
		.name = "roundtrip",
		.summary = "Rust to Dart zero-copy and back with a copy, leg by leg; and "
			   "shrink_to_fit before a zero-copy hand-over.",
		.annotate = zc_roundtrip_annotate,
		.report = zc_roundtrip_report,
	};
	sc.strategies = zc_roundtrip_strategies(&sc.nstrategies);
	return zc_scenario_main(&sc, argc, argv);
}
