/*
 * cxx: a real bridge between Rust and C++, cxx 1.0.87 (Debian's librust-cxx-dev and
 * librust-cxx-build-dev): a Rust producer (rust/, a staticlib linked in) hands frames to C++
 * code in this process through the bridge cxx generates (consumer.cc).
 */
#include "cxx_strategies.h"

int main(int argc, char **argv)
{
	return zc_scenario_main(&zc_cxx_scenario, argc, argv);
}
