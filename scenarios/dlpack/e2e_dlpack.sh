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

expect 2 "frame size '1920x'" "$DL" --quick --frame 1920x
expect 2 "frame '65536x65536' needs about" "$DL" --quick --frame 65536x65536
expect 2 "unknown strategy 'from_dlpack_view'" "$DL" --quick --strategy from_dlpack_view

# The README's table: the strategies --list prints, in its order, each with its verdict.
"$DL" --list | awk '{ print $1, $2 }' >"$E2E_TMP/listed"
sed -n 's/^| `\([a-z_]*\)` | .* | \(copy\|zero-copy\) |$/\1 \2/p' scenarios/dlpack/README.md \
	>"$E2E_TMP/documented"
if [ -s "$E2E_TMP/listed" ] && cmp -s "$E2E_TMP/listed" "$E2E_TMP/documented"; then
	pass
else
	fail "the README's strategies differ from --list (< --list, > README):
$(diff "$E2E_TMP/listed" "$E2E_TMP/documented")"
fi
e2e_done
