#!/bin/sh
# e2e_pyo3.sh: build/bin/pyo3 end to end, run from the repository root (tests/run.sh): a bad
# frame is refused with one line before anything starts (exit 2), and a frame no run can hold
# (65536x65536, 17 GB a frame); a frame whose Vec_u8 list the address space cannot hold
# (ulimit -v) is refused before anything starts too, out of memory (exit 4) as every run the
# limit leaves without memory, naming the list, where the same frame as PyBytes_new runs; the README's table names the strategies --list prints,
# with their expected verdicts. The verdicts and figures of a quick run are test_pyo3.c's. On
# a machine without the runtime (Debian's cargo, rustc and librust-pyo3-dev) the program is
# not built: one line says so, and it passes.
set -u
. tests/lib/e2e.sh
skip_unbuilt pyo3
P3=$BUILD/bin/pyo3
e2e_init pyo3
. scenarios/runtimes/python_e2e.sh

expect 2 "frame size '1920x'" "$P3" --quick --frame 1920x
expect 2 "frame '65536x65536' needs about" "$P3" --quick --frame 65536x65536
expect 2 "unknown strategy 'vec_u8'" "$P3" --quick --strategy vec_u8

# A 3840x2160 frame is 33 MB; its list, 8 bytes an item, 265 MB. Under 250 MB of address
# space PyBytes_new runs; Vec_u8 is refused before anything starts (pyo3 0.17 would panic
# where CPython cannot allocate the list, and a panic aborts the process).
fits_under_limit "$P3" PyBytes_new
expect 4 "out of memory: frame 3840x2160: Vec_u8 becomes a list of 33177600 ints (331776000 bytes with the \
frame and its Vec), more than the address space allows (ulimit -v: 256000000 bytes)" \
	limited "$P3" --quick --quiet --processes 1 --frame 3840x2160 --strategy Vec_u8

# The README's table: the strategies --list prints, in its order, each with its verdict.
readme_lists "$P3" pyo3
e2e_done
