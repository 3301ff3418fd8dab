#!/bin/sh
# e2e_layout.sh: the house rules (docs/adding-a-boundary.md), checked on the tree and on the
# build: no header shares a basename with a program; the library (src/) includes only its own
# headers; no scenario program holds the gate's or the tracer's code, and zcgate holds no
# strategy. Run from the repository root after make; BUILD names the build (default build).
set -u
. tests/lib/e2e.sh
e2e_init layout

programs=$(ls scenarios/*/main.c tools/*/main.c | xargs -n1 dirname | xargs -n1 basename)
for h in $(find src scenarios tools include bench -name '*.h'); do
	b=$(basename "$h" .h)
	printf '%s\n' "$programs" | grep -Fqx "$b" && fail "header '$h' shares its name with a program"
done

libdirs="src/core src/results src/instrument src/util src/instrument/hooks bench"
for f in $(find src -name '*.[ch]'); do
	for inc in $(sed -n 's/^#include "\(.*\)"/\1/p' "$f"); do
		found=
		for d in $libdirs; do [ -e "$d/$inc" ] && found=1; done
		[ -n "$found" ] || fail "'$f' includes '$inc', which is not the library's"
	done
done

for s in $(ls scenarios/*/main.c | xargs -n1 dirname | xargs -n1 basename); do
	[ -e "$BUILD/runtimes/$s.skipped" ] && [ ! -x "$BUILD/bin/$s" ] && continue # not built here
	[ -x "$BUILD/bin/$s" ] || { fail "no $BUILD/bin/$s: run make first"; continue; }
	bad=$(nm "$BUILD/bin/$s" | grep -E ' [TtDdBb] (zc_gate_|zc_mw_|zc_results_load|zc_results_validate|zc__trace_|zc_trace_)' | head -n 3)
	[ -z "$bad" ] || fail "$s links the gate or the tracer: $(echo $bad)"
done
bad=$(nm "$BUILD/bin/zcgate" | grep -E ' [TtDd] zc_(inproc|thread|process|managed|roundtrip|heap|port)_' | head -n 3)
[ -z "$bad" ] || fail "zcgate links a boundary: $(echo $bad)"
e2e_done
