#!/bin/sh
# e2e_layout.sh: the house rules (docs/adding-a-boundary.md), checked on the tree and on the
# build: no header shares a basename with a program; the library (src/) includes only its own
# headers and names no tool's identifier; no scenario program holds the gate's or the tracer's
# code, and zcgate holds no strategy. Run from the repository root after make; BUILD names the
# build (default build).
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

# The library knows no tool (a tool registers with it, as the tracer's sink does): no file under
# src/ declares, defines, calls or mentions an identifier of the project's (zc...) that only
# tools/ defines. Functions and variables come from the tools' objects, macros and types from
# their sources; the tracer's prefixes count even for a name no tool defines yet.
zc_defs() { # the zc... macros, structs, enums and unions defined in the sources under $@
	grep -rhoE '^[[:space:]]*#[[:space:]]*define[[:space:]]+[A-Za-z_][A-Za-z0-9_]*|^[[:space:]]*(typedef[[:space:]]+)?(struct|enum|union)[[:space:]]+[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\{|^}[[:space:]]*[A-Za-z_][A-Za-z0-9_]*;' \
		--include='*.[ch]' --exclude='test_*' "$@" | grep -oE '[A-Za-z_][A-Za-z0-9_]*[[:space:]]*[{;]?$' |
		grep -oE '^[A-Za-z_][A-Za-z0-9_]*' | grep -i '^zc'
}
zc_syms() { # the zc... functions and variables the objects $@ define
	for o in "$@"; do nm "$o"; done | awk '$2 ~ /^[TtDdBbRrCV]$/ { sub(/\..*/, "", $3); print $3 }' |
		grep -i '^zc'
}
# A tool's tests (tools/NAME/test_*.c) are not the tool: their helpers are nobody's API.
tool_objs=$(find "$BUILD/obj" -path '*/tools/*' -name '*.o' ! -name 'test_*')
lib_objs=$(find "$BUILD/obj" -path '*/src/*' -name '*.o')
if [ -z "$tool_objs" ] || [ -z "$lib_objs" ]; then
	fail "no tool or library objects under $BUILD/obj: run make first"
else
	names=$(mktemp)
	{ zc_defs tools; zc_syms $tool_objs; } | sort -u >"$names.tools"
	{ zc_defs src; zc_syms $lib_objs; } | sort -u >"$names.src"
	comm -23 "$names.tools" "$names.src" >"$names"
	bad=$({ grep -rnwF -f "$names" --include='*.[ch]' src
		grep -rnE '\b(zc__trace_|zct_|ZCT_)' --include='*.[ch]' src; } | sort -u | head -n 5)
	[ -z "$bad" ] || fail "the library names a tool's identifier: $bad"
	rm -f "$names" "$names.tools" "$names.src"
fi

for s in $(ls scenarios/*/main.c | xargs -n1 dirname | xargs -n1 basename); do
	[ -e "$BUILD/runtimes/$s.skipped" ] && [ ! -x "$BUILD/bin/$s" ] && continue # not built here
	[ -x "$BUILD/bin/$s" ] || { fail "no $BUILD/bin/$s: run make first"; continue; }
	bad=$(nm "$BUILD/bin/$s" | grep -E ' [TtDdBb] (zc_gate_|zc_mw_|zc_results_load|zc_results_validate|zc__trace_|zc_trace_)' | head -n 3)
	[ -z "$bad" ] || fail "$s links the gate or the tracer: $(echo $bad)"
done
bad=$(nm "$BUILD/bin/zcgate" | grep -E ' [TtDd] zc_(inproc|thread|process|managed|roundtrip|heap|port)_' | head -n 3)
[ -z "$bad" ] || fail "zcgate links a boundary: $(echo $bad)"
e2e_done
