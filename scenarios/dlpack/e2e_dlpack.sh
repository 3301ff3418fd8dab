#!/bin/sh
# e2e_dlpack.sh: build/bin/dlpack end to end, run from the repository root (tests/run.sh): a
# bad frame, and a frame no run can hold (65536x65536, 17 GB a frame), are refused with one
# line before the interpreter starts (exit 2), nothing written; an unknown strategy too; the
# README's table names the strategies --list prints, with their expected verdicts. The
# verdicts, the copies and the deleter's calls of a quick run are test_dlpack.c's. On a
# machine without the runtime the program is not built: one line says so, and it passes.
set -u
. tests/lib/e2e.sh
skip_unbuilt dlpack
DL=$BUILD/bin/dlpack
e2e_init dlpack
. scenarios/runtimes/python_e2e.sh

expect 2 "frame size '1920x'" "$DL" --quick --frame 1920x
expect 2 "frame '65536x65536' needs about" "$DL" --quick --frame 65536x65536
expect 2 "unknown strategy 'from_dlpack_view'" "$DL" --quick --strategy from_dlpack_view

# The README's table: the strategies --list prints, in its order, each with its verdict.
readme_lists "$DL" dlpack
e2e_done
