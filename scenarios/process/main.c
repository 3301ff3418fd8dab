/*
 * process: a producer process hands frames to a forked consumer process through a pipe, a
 * socket, vmsplice, or shared memory (shared or copy-on-write); reports both processes' memory.
 */
#include "process_strategies.h"
#include "scenario.h"

int main(int argc, char **argv)
{
	struct zc_scenario sc = {
		.name = "process",
		.summary = "Moves frames from this process to a forked consumer process (pipe, "
			   "socket, vmsplice, shm, cow).",
		.annotate = zc_process_annotate,
	};
	sc.strategies = zc_process_strategies(&sc.nstrategies);
	return zc_scenario_main(&sc, argc, argv);
}
