/*
 * thread: a producer thread posts frames to a consumer thread through a bounded port, as a
 * worker thread does with Dart_PostCObject; reports hand-over latency besides the rest.
 */
#include "scenario.h"
#include "thread_strategies.h"

int main(int argc, char **argv)
{
	struct zc_scenario sc = {
		.name = "thread",
		.summary = "Moves frames from a producer thread to a consumer thread through a "
			   "bounded port (copy, move with a finalizer, pool with a return port).",
		.annotate = zc_thread_annotate,
	};
	sc.strategies = zc_thread_strategies(&sc.nstrategies);
	return zc_scenario_main(&sc, argc, argv);
}
