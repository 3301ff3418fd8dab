#!/bin/sh
# e2e_bridges.sh: scripts/bridges.sh, the table "What your bridge does": a row per strategy of
# every results file given (reference_memcpy left out), each with the call a user writes (the
# strategy's mirrors), its verdict, frames copied, median in a person's unit and ratio to
# memcpy recomputed here from the fixture; bad input exits 2 with one line and prints nothing;
# the README's table holds exactly the strategies of the bridges built here.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/e2e.sh
e2e_init bridges
scripts/deps.sh report || die "jq is needed (scripts/deps.sh report)"
tmp=$E2E_TMP
fixture=tests/fixtures/report/inproc.json

scripts/bridges.sh "$fixture" >"$tmp/out" 2>"$tmp/err" || fail "bridges.sh failed: $(cat "$tmp/err")"
want=$(jq '[.results[] | select(.strategy != "reference_memcpy")] | length' "$fixture")
got=$(grep -c '^| `inproc` |' "$tmp/out")
[ "$got" = "$want" ] && pass || fail "$got rows, want $want"
head -1 "$tmp/out" | grep -qx '| bridge | what you write | row | verdict | frames copied | median | x memcpy |' &&
	pass || fail "no header: $(head -1 "$tmp/out")"
grep -q 'reference_memcpy' "$tmp/out" && fail "the memcpy reference is a row" || pass
# each row against the fixture: its mirrors, verdict and ratio
jq -r '.results[] | select(.strategy != "reference_memcpy") | [.strategy, .identity.verdict,
	(.time.vs_memcpy | if . >= 0.01 then (if . >= 100 then round elif . >= 10 then (. * 10 | round) / 10
	else (. * 100 | round) / 100 end | tostring) + "x" else "1/\(1 / . | round)x" end)] | @tsv' "$fixture" |
	while IFS="$(printf '\t')" read -r s v r; do
		grep -F "| \`$s\` | $v" "$tmp/out" | grep -qF "| $r |" || echo "$s $v $r"
	done >"$tmp/bad"
[ -s "$tmp/bad" ] && fail "rows that do not match the fixture: $(cat "$tmp/bad")" || pass
grep -q ' e[+-][0-9]' "$tmp/out" && fail "scientific notation: $(grep ' e[+-]' "$tmp/out")" || pass

# bad input: exit 2, one line, nothing on stdout
for bad in "" /no/such/file.json tests/fixtures/report; do
	# shellcheck disable=SC2086 # "" is no argument at all
	scripts/bridges.sh $bad >"$tmp/out" 2>"$tmp/err"
	rc=$?
	{ [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; } && pass ||
		fail "bridges.sh '$bad': exit $rc, $(wc -l <"$tmp/err") lines on stderr, want 2 and 1"
done
# The README's table (between its bridges-table markers) names every strategy of every bridge
# built here, and nothing else: the rows people read are the code's (its figures are a run's)
bridges=$(printf 'p:\n\t@echo $(BRIDGE_SCENARIOS)\n' | make -s --no-print-directory -f Makefile -f - p 2>/dev/null)
[ -n "$bridges" ] && pass || fail "no BRIDGE_SCENARIOS in the Makefile"
awk '/<!-- bridges-table -->/ { on = 1; next } /<!-- \/bridges-table -->/ { on = 0 } on' README.md |
	awk -F'|' 'NR > 2 && NF > 8 { r = $(NF - 5); gsub(/[ `]/, "", $2); gsub(/[ `]/, "", r); print $2, r }' |
	sort >"$tmp/readme-rows"
[ -s "$tmp/readme-rows" ] && pass || fail "README.md has no bridges table between its markers"
for b in $bridges; do
	if [ -x "$BUILD/bin/$b" ]; then
		"$BUILD/bin/$b" --list | awk -v b="$b" 'NF { print b, $1 }'
	else
		grep "^$b " "$tmp/readme-rows" # not built here: its rows are taken as they are
	fi
done | sort >"$tmp/code-rows"
if cmp -s "$tmp/readme-rows" "$tmp/code-rows"; then pass; else
	fail "README's bridges table and the code differ: $(diff "$tmp/readme-rows" "$tmp/code-rows" | grep '^[<>]' | paste -sd' ' -)"
fi
e2e_done
