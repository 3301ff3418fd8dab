/*
 * process: a producer process hands frames to a forked consumer process through a pipe, a
 * socket, vmsplice, or shared memory (shared or copy-on-write); reports both processes' memory.
 */
#include "process_strategies.h"
#include "scenario.h"

int main(int argc, char **argv)
{
	return zc_scenario_main(&zc_process_scenario, argc, argv);
}
