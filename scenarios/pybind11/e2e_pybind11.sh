#!/bin/sh
# e2e_pybind11.sh: build/bin/pybind11 end to end, run from the repository root (tests/run.sh):
# a bad frame is refused with one line before anything starts (exit 2); a frame whose list
# the bridge cannot hold under an address-space limit ends vector_list with one line, out of
# memory (exit 4), where the same frame as bytes fits; the README's table names the
# strategies --list prints, with their expected verdicts. The verdicts and figures of a quick
# run are test_pybind11.c's. On a machine without the runtime the program is not built: one
# line says so, and it passes.
set -u
. tests/lib/e2e.sh
skip_unbuilt pybind11
PB=$BUILD/bin/pybind11
e2e_init pybind11
. scenarios/runtimes/python_e2e.sh

expect 2 "frame size '1920x'" "$PB" --quick --frame 1920x
expect 2 "unknown strategy 'vector_lists'" "$PB" --quick --strategy vector_lists

# A 3840x2160 frame is 33 MB; its list, 8 bytes an item, 265 MB. Under 250 MB of address
# space bytes runs (about 150 MB needed here), vector_list cannot allocate its list (about
# 450 MB): pybind11 raises, and the run ends out of memory, naming the strategy.
fits_under_limit "$PB" bytes
expect 4 "strategy 'vector_list': transfer failed: out of memory: the consumer refused the \
frame: RuntimeError: Could not allocate list object!" \
	limited "$PB" --quick --quiet --processes 1 --frame 3840x2160 --strategy vector_list

# The README's table: the strategies --list prints, in its order, each with its verdict.
readme_lists "$PB" pybind11
e2e_done
