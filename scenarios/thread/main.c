/*
 * thread: a producer thread posts frames to a consumer thread through a bounded port, as a
 * worker thread does with Dart_PostCObject; reports hand-over latency besides the rest.
 */
#include "scenario.h"
#include "thread_strategies.h"

int main(int argc, char **argv)
{
	return zc_scenario_main(&zc_thread_scenario, argc, argv);
}
