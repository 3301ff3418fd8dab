/*
 * managed: frames handed to a garbage-collected runtime (a simulated Dart VM heap), copied into
 * its heap or wrapped as external objects with finalizers, with the collector's figures.
 *
 * Its own options (--young-gen, --app-alloc, --keep) are a table parsed with the shared
 * options (managed_strategies.c); they write into the configuration each strategy's argument
 * points to.
 */
#include "managed_strategies.h"
#include "scenario.h"

int main(int argc, char **argv)
{
	return zc_scenario_main(&zc_managed_scenario, argc, argv);
}
