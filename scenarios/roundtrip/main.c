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
	return zc_scenario_main(&zc_roundtrip_scenario, argc, argv);
}
