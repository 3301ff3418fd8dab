#!/bin/sh
# e2e_gate_ab.sh: make gate's A/B driver. (1) scripts/gate-ab.sh interleaves the two sides'
# measuring processes (base, head, base, head, ... for each strategy) and runs a strategy that
# one side lacks on the other side only, on stub scenario programs; a failing side gives its
# exit code. (2) scripts/gate.sh with a base revision that is not in the clone, and with one
# too old to have scenarios, says so in one line and gates the invariants only (exit 0 here,
# 2 with GATE_REQUIRE_BASE=1). Run from the repository root after make; BUILD names the build.
set -u
. tests/lib/e2e.sh
e2e_init gate-ab
tmp=$E2E_TMP

# ab_fail MSG: one failed check, with the last command's output
ab_fail() {
	show_logs "$tmp/out" "$tmp/err"
	fail "$@"
}

stub() { # stub DIR STRATEGY...: a scenario program 'inproc' that lists STRATEGY... and
	# writes a results fixture to --out, or fails when FAIL_STUB names its directory
	mkdir -p "$1"
	dir=$1
	shift
	{
		echo '#!/bin/sh'
		echo 'if [ "$1" = --list ]; then'
		for s; do echo "  echo '$s copy test stub'"; done
		echo '  exit 0; fi'
		echo "[ \"\${FAIL_STUB:-}\" = '$dir' ] && exit 3"
		echo 'while [ $# -gt 0 ]; do [ "$1" = --out ] && cp tools/zcgate/fixtures/baseline.json "$2"; shift; done'
	} >"$dir/inproc"
	chmod +x "$dir/inproc"
}

# (1) the order of invocations
stub "$tmp/base" copy move
stub "$tmp/head" copy pool
scripts/gate-ab.sh "$tmp/base" "$tmp/head" "$tmp/ab" 2 inproc >"$tmp/out" 2>"$tmp/err" ||
	ab_fail "gate-ab.sh failed"
cat >"$tmp/want" <<'ORDER'
1 base inproc copy
1 head inproc copy
2 base inproc copy
2 head inproc copy
1 base inproc move
2 base inproc move
1 head inproc pool
2 head inproc pool
ORDER
cmp -s "$tmp/want" "$tmp/ab/order.log" || ab_fail "order: $(tr '\n' ';' <"$tmp/ab/order.log")"
[ "$(ls "$tmp/ab/base" | wc -l)" -eq 4 ] && [ "$(ls "$tmp/ab/head" | wc -l)" -eq 4 ] ||
	ab_fail "expected 4 results files a side"
FAIL_STUB="$tmp/base" scripts/gate-ab.sh "$tmp/base" "$tmp/head" "$tmp/ab2" 1 inproc \
	>"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ] || ab_fail "a failing base must exit 3"
FAIL_STUB="$tmp/head" scripts/gate-ab.sh "$tmp/base" "$tmp/head" "$tmp/ab3" 1 inproc \
	>"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || ab_fail "a failing head must exit 2"
grep -q "^gate: head 'inproc --strategy copy' failed" "$tmp/err" || ab_fail "no line for the head"

# (2) a base that cannot be had: the invariants only, against the committed baseline (a
# glibc build's exact figures: not comparable with a sanitizer build's)
skip_sanitizer_build
gate() { # gate REV: scripts/gate.sh on the roundtrip scenario, one process a side
	BASE=$1 GATE_PROCESSES=1 GATE_SCENARIOS=roundtrip \
		scripts/gate.sh "$BUILD" results/baseline "$tmp/run" >"$tmp/out" 2>"$tmp/err"
}
gate no-such-revision
rc=$?
[ "$rc" -eq 0 ] || ab_fail "a missing base revision: exit $rc, expected 0 (invariants pass)"
grep -q "^gate: base revision 'no-such-revision' is not in this clone" "$tmp/err" ||
	ab_fail "no line saying the base revision is missing"
grep -q "^gate: timing not compared: no base measured here; gating the invariants only" \
	"$tmp/err" || ab_fail "no line saying only the invariants were gated"
grep -q "^zcgate: 0 regressions" "$tmp/out" || ab_fail "the invariants were not gated"
[ -s "$tmp/run-invariants.json" ] || ab_fail "no invariants report"
GATE_REQUIRE_BASE=1 gate no-such-revision
[ $? -eq 2 ] || ab_fail "GATE_REQUIRE_BASE=1 with a missing base must exit 2"
root=$(git rev-list --max-parents=0 HEAD | tail -n 1)
gate "$root"
rc=$?
[ "$rc" -eq 0 ] || ab_fail "a base without scenarios: exit $rc, expected 0"
grep -Eq "^gate: base revision '$root' (has none of the scenarios run|does not build)" \
	"$tmp/err" || ab_fail "no line saying the root commit cannot be measured"
rm -rf "$BUILD/gate-base/$(echo "$root" | cut -c1-12)"
git worktree prune
e2e_done
