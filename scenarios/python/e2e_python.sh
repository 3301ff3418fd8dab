#!/bin/sh
# e2e_python.sh: build/bin/python end to end, run from the repository root (tests/run.sh):
# a quick run's verdicts and figures in its JSON, the numpy strategies left out with one line
# when numpy is (--no-numpy), and asking for one of them then is bad input: exit 2, one line.
# On a machine without the runtime the program is not built: one line says so, and it passes.
set -u
. tests/lib/e2e.sh
skip_unbuilt python
PY=$BUILD/bin/python
e2e_init python

out=$E2E_TMP/python.json
if "$PY" --quick --quiet --processes 2 --out "$out" >"$E2E_TMP/table" 2>"$E2E_TMP/err"; then
	pass
	frame=8294400
	for s in bytes bytearray numpy_array; do
		check_json "$out" "r('$s')['identity']['verdict'] == 'copy' and \
r('$s')['copies']['bytes_per_transfer'] >= $frame" "$s copies a frame"
	done
	for s in memoryview numpy_frombuffer; do
		check_json "$out" "r('$s')['identity']['verdict'] == 'zero-copy' and \
r('$s')['identity']['aliasing_visible'] and r('$s')['copies']['bytes_per_transfer'] < $frame / 100" \
			"$s shares the frame"
		check_json "$out" "r('$s')['python']['frames_given_back']['at_drop'] == \
r('$s')['python']['exporters_created'] > 0" "$s gives every frame back at the drop"
	done
	check_json "$out" "all(x['allocations']['live_at_end'] == 0 for x in doc['results'])" \
		"no block left at the end"
	grep -q '^memoryview  *zero-copy ' "$E2E_TMP/table" && pass || fail "no memoryview row"
else
	fail "the quick run failed: $(cat "$E2E_TMP/err")"
fi

# --no-numpy: the numpy strategies are left out, and one line after the table says why.
small=$E2E_TMP/small.json
if "$PY" --no-numpy --quick --quiet --processes 1 --frame 64x64 --out "$small" \
	>"$E2E_TMP/small.table" 2>"$E2E_TMP/small.err"; then
	pass
	check_json "$small" "sorted(rows) == ['bytearray', 'bytes', 'memoryview', 'reference_memcpy']" \
		"--no-numpy leaves the numpy rows out"
	[ "$(grep -c 'numpy_frombuffer, numpy_array: not measured, --no-numpy leaves numpy out' \
		"$E2E_TMP/small.table")" -eq 1 ] && pass || fail "no line for the numpy rows left out"
else
	fail "the --no-numpy run failed: $(cat "$E2E_TMP/small.err")"
fi

# Asking for a numpy strategy without numpy: exit 2, one line, nothing written.
"$PY" --no-numpy --strategy numpy_array --quick --out "$E2E_TMP/bad.json" \
	>"$E2E_TMP/bad.out" 2>"$E2E_TMP/bad.err"
rc=$?
want="python: strategy 'numpy_array' needs numpy: --no-numpy leaves numpy out"
if [ "$rc" -ne 2 ]; then
	fail "numpy_array without numpy exited $rc, want 2: $(cat "$E2E_TMP/bad.err")"
elif [ "$(wc -l <"$E2E_TMP/bad.err")" -ne 1 ] || [ "$(cat "$E2E_TMP/bad.err")" != "$want" ]; then
	fail "want the one line '$want', got: $(cat "$E2E_TMP/bad.err")"
elif [ -e "$E2E_TMP/bad.json" ]; then
	fail "a refused run wrote its results"
else
	pass
fi
e2e_done
