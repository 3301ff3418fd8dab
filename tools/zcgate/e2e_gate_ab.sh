#!/bin/sh
# e2e_gate_ab.sh: make gate's A/B driver. (1) scripts/gate-ab.sh on stub scenario programs:
# the screen runs every row of both sides for GATE_MIN_ROUNDS rounds (the side that goes
# first alternates), then only the suspects (slower by more than half the threshold) run, at
# least the rounds the confirmation needs and, while undecided, up to GATE_MAX_ROUNDS (kept
# apart for the confirmation); a row found faster or barely slower gets none, a bad
# GATE_MIN_ROUNDS is refused, a strategy one side lacks runs on the other side only, and a
# failing side gives its exit code. (2) scripts/gate.sh with a base revision that is not in the clone, and with one too
# old to have scenarios, says so in one line and gates the invariants only (exit 0 here, 2
# with GATE_REQUIRE_BASE=1); a base none of whose scenarios' inputs differ is not built. (3) scripts/gate-unchanged.sh names the scenarios none of whose
# inputs changed (not timed). Run from the repository root after make; BUILD names the build.
set -u
. tests/lib/e2e.sh
e2e_init gate-ab
tmp=$E2E_TMP
export ZCGATE="$PWD/$BUILD/bin/zcgate"

# ab_fail MSG: one failed check, with the last command's output
ab_fail() {
	show_logs "$tmp/out" "$tmp/err"
	fail "$@"
}

stub() { # stub DIR STRATEGY...: a scenario program 'inproc' that lists STRATEGY... and
	# writes the gate fixture to --out as one measuring process (copy's samples changed by
	# NOISE percent in turn, up and down, when NOISE is set, and made SLOW percent slower
	# when SLOW_STUB names its directory), or fails when FAIL_STUB names its directory; it
	# knows --no-pages, and each invocation's options are a line of DIR/args
	mkdir -p "$1"
	dir=$1
	shift
	{
		echo '#!/bin/sh'
		echo 'if [ "$1" = --list ]; then'
		for s; do echo "  echo '$s copy test stub'"; done
		echo '  exit 0; fi'
		echo '[ "$1" = --help ] && { echo "  --no-pages  no evidence pass"; echo "  --no-reference"; exit 0; }'
		echo "echo \"\$*\" >>'$dir/args'"
		echo "[ \"\${FAIL_STUB:-}\" = '$dir' ] && exit 3"
		echo "n=\$(cat '$dir/count' 2>/dev/null || echo 0); echo \$((n + 1)) >'$dir/count'"
		echo "s=0; [ \"\${SLOW_STUB:-}\" = '$dir' ] && s=\${SLOW:-0}"
		echo 'while [ $# -gt 0 ]; do [ "$1" = --out ] && jq --argjson k "$n" --argjson p "${NOISE:-0}" --argjson s "$s" \'
		echo "  '(.results[] | select(.strategy == \"copy\") | .time.samples) |= map(. * (1 + \$s / 100) * (1 + \$p / 100 * (\$k % 3 - 1)))"
		echo "  | .results[].time |= (.process_medians = [.samples | sort | .[5]])' \\"
		echo '  tools/zcgate/fixtures/baseline.json >"$2"; shift; done'
	} >"$dir/inproc"
	chmod +x "$dir/inproc"
}

# (1) the rounds. The screen: every row in each of GATE_MIN_ROUNDS rounds, and no more when
# none is slower by more than half the threshold.
stub "$tmp/base" copy move
stub "$tmp/head" copy pool
GATE_MIN_ROUNDS=2 scripts/gate-ab.sh "$tmp/base" "$tmp/head" "$tmp/ab" inproc \
	>"$tmp/out" 2>"$tmp/err" || ab_fail "gate-ab.sh failed"
cat >"$tmp/want" <<'ORDER'
1 base inproc all
1 head inproc all
2 head inproc copy,pool
2 base inproc copy,move
ORDER
cmp -s "$tmp/want" "$tmp/ab/order.log" || ab_fail "order: $(tr '\n' ';' <"$tmp/ab/order.log")"
[ "$(ls "$tmp/ab/base" | wc -l)" -eq 2 ] && [ "$(ls "$tmp/ab/head" | wc -l)" -eq 2 ] ||
	ab_fail "expected 2 results files a side"
# Round 1 runs the evidence pass (the head's exact figures; both sides alike, since a
# process times after it) and reference_memcpy (the floor's yardstick); later rounds only
# time (--no-pages) and need no yardstick (--no-reference).
for want in "base 1" "head 1" "base 2 --no-pages --no-reference" \
	"head 2 --no-pages --no-reference"; do
	set -- $want
	got=$(sed -n "${2}p" "$tmp/$1/args")
	for opt in --no-pages --no-reference; do
		case " $want " in *" $opt "*) expect=1 ;; *) expect= ;; esac
		case " $got " in
		*" $opt "*) [ -n "$expect" ] || ab_fail "$1's round $2 ran with $opt: $got" ;;
		*) [ -z "$expect" ] || ab_fail "$1's round $2 ran without $opt: $got" ;;
		esac
	done
done
grep -q "^gate: round 2: no row slower by more than half the threshold at the first look" \
	"$tmp/err" || ab_fail "no line saying no row is a suspect"
[ ! -s "$tmp/ab/suspects" ] || ab_fail "suspects: $(cat "$tmp/ab/suspects")"
[ -z "$(find "$tmp/ab/confirm" -type f)" ] ||
	ab_fail "no round after the first look, yet files to confirm with"
for bad in 0 x; do
	GATE_MIN_ROUNDS=$bad scripts/gate-ab.sh "$tmp/base" "$tmp/head" "$tmp/ab0" inproc \
		>"$tmp/out" 2>"$tmp/err"
	[ $? -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
		grep -q "^gate: GATE_MIN_ROUNDS must be a number of at least 1" "$tmp/err" ||
		ab_fail "GATE_MIN_ROUNDS=$bad: not refused in one line"
done

# A quiet row 10% slower (more than half the 15% threshold) is a suspect, decided at once
# (its interval lies inside the threshold) yet measured for the 4 rounds after the screen
# that the confirmation needs to be able to call it (1 / C(8, 4) < 0.05), and those rounds
# are kept apart for the confirmation.
rm -f "$tmp/base/count" "$tmp/head/count"
SLOW_STUB="$tmp/head" SLOW=10 scripts/gate-ab.sh "$tmp/base" "$tmp/head" "$tmp/ab6" inproc \
	>"$tmp/out" 2>"$tmp/err" || ab_fail "gate-ab.sh failed on a quiet row 10% slower"
[ "$(cat "$tmp/ab6/suspects")" = "inproc copy" ] || ab_fail "suspects: $(cat "$tmp/ab6/suspects")"
tail -n 2 "$tmp/ab6/order.log" >"$tmp/got"
printf '7 base inproc copy\n7 head inproc copy\n' >"$tmp/want"
cmp -s "$tmp/want" "$tmp/got" || ab_fail "the suspect's least rounds: $(tr '\n' ';' <"$tmp/ab6/order.log")"
grep -q "^gate: round 7: every suspect decided" "$tmp/err" ||
	ab_fail "no line saying the suspect was decided"
[ "$(ls "$tmp/ab6/confirm/head" | paste -sd' ' -)" = \
	"inproc.4.json inproc.5.json inproc.6.json inproc.7.json" ] ||
	ab_fail "the rounds after the first look are not kept apart: $(ls -R "$tmp/ab6/confirm")"

# A noisy row (copy, +-30% in turn) 10% slower is not decided: it alone runs on, up to the
# last round.
rm -f "$tmp/base/count" "$tmp/head/count"
NOISE=30 SLOW_STUB="$tmp/head" SLOW=10 GATE_MAX_ROUNDS=9 \
	scripts/gate-ab.sh "$tmp/base" "$tmp/head" "$tmp/ab4" inproc \
	>"$tmp/out" 2>"$tmp/err" || ab_fail "gate-ab.sh failed on a noisy row"
tail -n 4 "$tmp/ab4/order.log" >"$tmp/got"
printf '8 head inproc copy\n8 base inproc copy\n9 base inproc copy\n9 head inproc copy\n' \
	>"$tmp/want"
cmp -s "$tmp/want" "$tmp/got" || ab_fail "noisy row's rounds: $(tr '\n' ';' <"$tmp/got")"
grep -q "^gate: round 9: 1 of 1 suspects still undecided at the last round (9)" "$tmp/err" ||
	ab_fail "no line for the row left undecided"
[ "$(cat "$tmp/ab4/undecided")" = "inproc copy" ] || ab_fail "undecided: $(cat "$tmp/ab4/undecided")"

# The same row 5% faster could only be an improvement, and 5% slower (under half the 15%
# threshold) is no suspect: no more rounds after the screen's three.
for slow in -5 5; do
	rm -f "$tmp/base/count" "$tmp/head/count"
	NOISE=30 SLOW_STUB="$tmp/head" SLOW=$slow GATE_MAX_ROUNDS=8 \
		scripts/gate-ab.sh "$tmp/base" "$tmp/head" "$tmp/ab5" inproc \
		>"$tmp/out" 2>"$tmp/err" || ab_fail "gate-ab.sh failed on a noisy row $slow% slower"
	[ "$(tail -n 1 "$tmp/ab5/order.log" | cut -d' ' -f1)" = 3 ] ||
		ab_fail "a row $slow% slower ran past the first look: $(tail -n 1 "$tmp/ab5/order.log")"
	grep -q "^gate: round 3: no row slower by more than half the threshold" "$tmp/err" ||
		ab_fail "no line saying the row $slow% slower stopped"
done

FAIL_STUB="$tmp/base" scripts/gate-ab.sh "$tmp/base" "$tmp/head" "$tmp/ab2" inproc \
	>"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ] || ab_fail "a failing base must exit 3"
FAIL_STUB="$tmp/head" scripts/gate-ab.sh "$tmp/base" "$tmp/head" "$tmp/ab3" inproc \
	>"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || ab_fail "a failing head must exit 2"
grep -q "^gate: head 'inproc' failed in round 1" "$tmp/err" || ab_fail "no line for the head"

# (2) a base that cannot be had: the invariants only, against the committed baseline (a
# glibc build's exact figures: not comparable with a sanitizer build's)
skip_sanitizer_build
gate() { # gate REV: scripts/gate.sh on the roundtrip scenario, one process a side
	BASE=$1 GATE_MIN_ROUNDS=1 GATE_MAX_ROUNDS=1 GATE_SCENARIOS=roundtrip \
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
# A base none of whose scenarios' inputs differ (HEAD, in a clean clone) is checked out to
# compare, never built: nothing is timed against it.
if [ -z "$(sh scripts/gate-unchanged.sh HEAD roundtrip)" ]; then
	echo "gate-ab: roundtrip's inputs differ from HEAD here: the unbuilt base is not checked"
else
	head_dir="$BUILD/gate-base/$(git rev-parse HEAD | cut -c1-12)"
	made=
	[ -e "$head_dir" ] || made=1
	gate HEAD
	rc=$?
	[ "$rc" -eq 0 ] || ab_fail "an unchanged tree: exit $rc, expected 0"
	grep -q "^gate: base revision HEAD not built: no scenario's inputs changed since it" \
		"$tmp/err" || ab_fail "no line saying the base was not built"
	grep -q "^gate: timing not compared: no scenario's inputs changed since base HEAD" \
		"$tmp/err" || ab_fail "no line saying nothing was timed"
	[ -z "$made" ] || [ ! -e "$head_dir/build" ] || ab_fail "the base was built: $head_dir/build"
	if [ -n "$made" ]; then
		rm -rf "$head_dir" "$head_dir.log"
		git worktree prune
	fi
fi

# (3) scripts/gate-unchanged.sh: a scenario is left untimed only when none of its inputs
# changed since the base (the library, the build, the producers, its own folder), committed
# or not, untracked files included
here=$PWD
repo="$tmp/repo"
mkdir -p "$repo/src" "$repo/scenarios/a" "$repo/scenarios/b" "$repo/scenarios/producers" "$repo/docs"
(
	cd "$repo" || exit 1
	git init -q && git config user.email t@t && git config user.name t
	for f in src/lib.c scenarios/a/main.c scenarios/b/main.c scenarios/producers/p.c docs/x.md Makefile; do
		echo 1 >"$f"
	done
	git add -A && git commit -qm base
) || die "cannot make the test repository"
unchanged() { (cd "$repo" && sh "$here/scripts/gate-unchanged.sh" HEAD a b | paste -sd' ' -); }
[ "$(unchanged)" = "a b" ] || ab_fail "nothing changed: got '$(unchanged)', want 'a b'"
got=$(GATE_TIME_ALL=1 unchanged)
[ "$got" = "" ] || ab_fail "GATE_TIME_ALL=1 (make gate-power): got '$got', want '' (all timed)"
echo 2 >"$repo/docs/x.md"
[ "$(unchanged)" = "a b" ] || ab_fail "a change to docs only: got '$(unchanged)', want 'a b'"
echo 2 >"$repo/scenarios/b/main.c"
[ "$(unchanged)" = "a" ] || ab_fail "b's folder changed: got '$(unchanged)', want 'a'"
echo 1 >"$repo/scenarios/a/new.c"
[ "$(unchanged)" = "" ] || ab_fail "an untracked file in a's folder: got '$(unchanged)', want ''"
rm "$repo/scenarios/a/new.c"
echo 2 >"$repo/src/lib.c"
[ "$(unchanged)" = "" ] || ab_fail "the library changed: got '$(unchanged)', want ''"
(cd "$repo" && sh "$here/scripts/gate-unchanged.sh" no-such-rev a >/dev/null 2>&1)
[ $? -eq 2 ] || ab_fail "gate-unchanged.sh with a revision not in the clone must exit 2"
e2e_done
