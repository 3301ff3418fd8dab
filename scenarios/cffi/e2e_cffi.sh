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

"$CF" --quick --frame 1920x --out "$E2E_TMP/out.json" >/dev/null 2>"$E2E_TMP/err"
rc=$?
if [ "$rc" -ne 2 ]; then
	fail "a bad frame exited $rc, want 2: $(cat "$E2E_TMP/err")"
elif [ "$(wc -l <"$E2E_TMP/err")" -ne 1 ] || ! grep -qF "frame size '1920x'" "$E2E_TMP/err"; then
	fail "want one line naming '1920x', got: $(cat "$E2E_TMP/err")"
elif [ -e "$E2E_TMP/out.json" ]; then
	fail "a refused run wrote its results"
else
	pass
fi

# The README's table: the strategies --list prints, in its order, each with its verdict.
"$CF" --list | awk '{ print $1, $2 }' >"$E2E_TMP/listed"
sed -n 's/^| `\([a-z_]*\)` | .* | \(copy\|zero-copy\) |$/\1 \2/p' scenarios/cffi/README.md \
	>"$E2E_TMP/documented"
if [ -s "$E2E_TMP/listed" ] && cmp -s "$E2E_TMP/listed" "$E2E_TMP/documented"; then
	pass
else
	fail "the README's strategies differ from --list (< --list, > README):
$(diff "$E2E_TMP/listed" "$E2E_TMP/documented")"
fi
e2e_done
