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

# expect CODE WANT CMD...: CMD exits CODE with one line on stderr holding WANT, writing nothing.
expect() {
	code=$1 want=$2
	shift 2
	"$@" --out "$E2E_TMP/out.json" >"$E2E_TMP/stdout" 2>"$E2E_TMP/stderr"
	rc=$?
	what="$* -> exit $rc, stderr: $(cat "$E2E_TMP/stderr")"
	if [ "$rc" -ne "$code" ]; then
		fail "want exit $code: $what"
	elif [ "$(wc -l <"$E2E_TMP/stderr")" -ne 1 ]; then
		fail "want one line on stderr: $what"
	elif ! grep -qF -- "$want" "$E2E_TMP/stderr"; then
		fail "want '$want' in the message: $what"
	elif [ -e "$E2E_TMP/out.json" ]; then
		fail "a refused run wrote its results: $what"
	else
		pass
	fi
}

expect 2 "frame size '1920x'" "$PB" --quick --frame 1920x
expect 2 "unknown strategy 'vector_lists'" "$PB" --quick --strategy vector_lists

# A 3840x2160 frame is 33 MB; its list, 8 bytes an item, 265 MB. Under 250 MB of address
# space bytes runs (about 150 MB needed here), vector_list cannot allocate its list (about
# 450 MB): pybind11 raises, and the run ends out of memory, naming the strategy.
limited() {
	sh -c 'ulimit -v 250000 && exec "$@"' sh "$@"
}
if limited "$PB" --quick --quiet --processes 1 --frame 3840x2160 --strategy bytes \
	--out "$E2E_TMP/bytes.json" >/dev/null 2>"$E2E_TMP/bytes.err"; then
	pass
	check_json "$E2E_TMP/bytes.json" "r('bytes')['identity']['verdict'] == 'copy'" \
		"bytes of a 4K frame under the limit"
else
	fail "bytes of a 4K frame did not fit in 250 MB: $(cat "$E2E_TMP/bytes.err")"
fi
expect 4 "strategy 'vector_list': transfer failed: out of memory: the consumer refused the \
frame: RuntimeError: Could not allocate list object!" \
	limited "$PB" --quick --quiet --processes 1 --frame 3840x2160 --strategy vector_list

# The README's table: the strategies --list prints, in its order, each with its verdict.
"$PB" --list | awk '{ print $1, $2 }' >"$E2E_TMP/listed"
sed -n 's/^| `\([a-z_]*\)` | .* | \(copy\|zero-copy\) |$/\1 \2/p' scenarios/pybind11/README.md \
	>"$E2E_TMP/documented"
if [ -s "$E2E_TMP/listed" ] && cmp -s "$E2E_TMP/listed" "$E2E_TMP/documented"; then
	pass
else
	fail "the README's strategies differ from --list (< --list, > README):
$(diff "$E2E_TMP/listed" "$E2E_TMP/documented")"
fi
e2e_done
