#!/bin/sh
# e2e_cffi.sh: build/bin/cffi end to end, run from the repository root (tests/run.sh): a bad
# frame is refused with one line before anything starts (exit 2), nothing written; the
# README's table names the strategies --list prints, with their expected verdicts. The
# verdicts and figures of a quick run are test_cffi.c's. On a machine without the runtime the
# program is not built: one line says so, and it passes.
set -u
. tests/lib/e2e.sh
skip_unbuilt cffi
CF=$BUILD/bin/cffi
e2e_init cffi
. scenarios/runtimes/python_e2e.sh

expect 2 "frame size '1920x'" "$CF" --quick --frame 1920x

# The README's table: the strategies --list prints, in its order, each with its verdict.
readme_lists "$CF" cffi
e2e_done
