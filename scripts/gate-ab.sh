#!/bin/sh
# gate-ab.sh: the quick suites of two builds measured side by side on this machine, in rounds,
# until every strategy's timing answer is clear (docs/gate.md, "How long it takes").
#
# Usage: scripts/gate-ab.sh BASE_BIN HEAD_BIN OUT SCENARIO...
#   BASE_BIN, HEAD_BIN  the bin/ directories of the two builds; BASE_BIN may be '' (head only).
#                       HEAD_BIN/zcgate decides, between rounds, which rows need more.
#   OUT                 written: OUT/base/ and OUT/head/ (a results file per scenario, side
#                       and round: SCENARIO.ROUND.json), OUT/confirm/base/ and head/ (the
#                       same files of the rounds after the first look alone, for zcgate's
#                       --confirm-base and --confirm-current), OUT/order.log ("ROUND SIDE
#                       SCENARIO WHAT", a line per invocation, WHAT "all" or the strategies
#                       asked for), OUT/times.log ("ROUND SIDE SCENARIO MS": each
#                       invocation's wall time), OUT/suspects (the rows the first look found
#                       undecided and slower), OUT/undecided (those still undecided after
#                       the last look), OUT/base.log and OUT/head.log (what the programs
#                       printed)
# Environment:
#   GATE_MIN_ROUNDS=N   rounds every row gets (default 5), raised to what the test needs to
#                       be able to call a regression among the rows measured (below)
#   GATE_MAX_ROUNDS=N   rounds a suspect (below) can get (default 32; GATE_BUDGET ends them
#                       sooner)
#   GATE_BUDGET=S       no round starts after S seconds of measuring, once the first
#                       GATE_MIN_ROUNDS are done (default 240)
#   GATE_THRESHOLD=PCT  the threshold the rows are decided against (default 15)
#   ZCGATE=PATH         the zcgate that decides (default HEAD_BIN/zcgate)
#   GATE_LATER_PROCESSES=K  measuring processes a row gets in each round after the first look
#                       (default 1; measured here, 3 made rounds fatter, not the gate
#                       faster: a row's process costs about the same either way)
#
# A round runs each scenario program once a side, measuring reference_memcpy and the rows it
# is asked for in one process each (--quick --processes 1; GATE_LATER_PROCESSES after the
# first look):
# in round 1 every row, with the
# evidence pass (the exact figures); after it only the rows still undecided (after the first
# look, only the suspects among them), with --no-pages
# where the program knows it. The side that goes first alternates from round to round (base
# first in odd rounds), so that what one program leaves behind (freed memory, a warm cache)
# favours neither. From round GATE_MIN_ROUNDS on, zcgate --undecided says which rows need
# more: a row is decided once the 95% interval of its change lies inside the threshold.
# After the first look only the rows it found undecided and slower by more than half the
# threshold (OUT/suspects: those that might have regressed) get more rounds: a row found
# faster could only be an improvement, which fails nothing, and one slowed by more than the
# threshold shows more than half of it at the first look but rarely (measured here: +25%
# slowdowns read +31% to +38%). Those later rounds are new processes, so zcgate compares them again on
# their own (the confirmation, tools/zcgate/gate.h), with Holm's correction over the few rows
# they measured instead of all of them.
# The rounds every row gets are at least those with which the Mann-Whitney test over n
# processes a side can reach Holm's alpha / 2m for the m rows of round 1 (the pooled test's
# share of alpha beside the confirmation; 2 / C(2n, n) < 0.025 / m: 7 rounds for up to 42
# rows, 8 up to 160, 9 up to 607): the time grows with log(m) rounds of every row, then only
# the suspects run.
# A strategy one side lacks is run on the other side only.
#
# Only options every revision of the scenario programs knows are used (--quick --quiet
# --processes --strategy --out), and --no-pages where --help lists it: the base may be old.
# Exit: 0, 2 when a head invocation or zcgate failed, 3 when a base invocation failed.
set -u
base=$1 head=$2 out=$3
shift 3
min=${GATE_MIN_ROUNDS:-5} max=${GATE_MAX_ROUNDS:-32} budget=${GATE_BUDGET:-240}
threshold=${GATE_THRESHOLD:-15}
zcgate=${ZCGATE:-$head/zcgate}
later=${GATE_LATER_PROCESSES:-1}

say() { echo "gate: $*" >&2; }

strategies() { # strategies BIN SCENARIO: the names --list prints, one a line
	[ -n "$1" ] && [ -x "$1/$2" ] || return 0
	"$1/$2" --list 2>/dev/null | awk 'NF { print $1 }'
}

knows_no_pages() { # knows_no_pages BIN SCENARIO
	[ -n "$1" ] && "$1/$2" --help 2>/dev/null | grep -q -- '--no-pages'
}

# asked LIST SCENARIO: the strategies of LIST (a side's own, one a line) whose rows are
# undecided in SCENARIO, as a comma list ("" when none). Row "move@same" is strategy "move".
asked() {
	printf '%s\n' "$1" >"$out/.side-list"
	awk -v sc="$2" '$1 == sc { sub(/@.*/, "", $2); print $2 }' "$out/undecided" |
		grep -Fx -f "$out/.side-list" | awk '!seen[$0]++' | paste -sd, -
}

run() { # run SIDE BIN SCENARIO ROUND WHAT [options...]
	side=$1 bin=$2 sc=$3 round=$4 what=$5
	shift 5
	echo "$round $side $sc $what" >>"$out/order.log"
	t0=$(date +%s%N)
	"$bin/$sc" --quick --quiet "$@" \
		--out "$out/$side/$sc.$round.json" >>"$out/$side.log" 2>&1
	rc=$?
	echo "$round $side $sc $((($(date +%s%N) - t0) / 1000000))" >>"$out/times.log"
	# A round after the first look is the confirmation's too.
	[ "$rc" -eq 0 ] && [ "$round" -gt "$min" ] &&
		{ ln -f "$out/$side/$sc.$round.json" "$out/confirm/$side/" || rc=1; }
	[ "$rc" -eq 0 ] && return 0
	say "$side '$sc' failed in round $round (log: $out/$side.log)"
	return 1
}

# side SIDE BIN SCENARIO ROUND LIST: one invocation of SIDE, every row in round 1, else the
# rows of LIST (the side's own strategies) still undecided; nothing when none is.
side() {
	s=$1 bin=$2 sc=$3 round=$4 list=$5
	[ -n "$list" ] || return 0
	if [ "$round" -eq 1 ]; then
		run "$s" "$bin" "$sc" 1 all --processes 1
		return
	fi
	want=$(asked "$list" "$sc")
	[ -n "$want" ] || return 0
	pages=
	knows_no_pages "$bin" "$sc" && pages=--no-pages
	k=1
	[ "$round" -gt "$min" ] && k=$later
	run "$s" "$bin" "$sc" "$round" "$want" --strategy "$want" --processes "$k" $pages
}

rounds_for() { # rounds_for M: the smallest n with 2 / C(2n, n) < 0.025 / M
	awk -v m="$1" 'BEGIN { for (n = 2; n < 64; n++) { c = 1
		for (i = 1; i <= n; i++) c = c * (n + i) / i
		if (2 / c < 0.025 / (m > 0 ? m : 1)) { print n; exit } } print 64 }'
}

mkdir -p "$out/base" "$out/head" "$out/confirm/base" "$out/confirm/head" || exit 2
: >"$out/order.log"
: >"$out/times.log"
: >"$out/undecided"
: >"$out/suspects"
start=$(date +%s)
last=0 # elapsed seconds at the end of the previous round
round=1
while :; do
	for sc; do
		bl=$(strategies "$base" "$sc")
		hl=$(strategies "$head" "$sc")
		if [ $((round % 2)) -eq 1 ]; then
			side base "$base" "$sc" "$round" "$bl" || exit 3
			side head "$head" "$sc" "$round" "$hl" || exit 2
		else
			side head "$head" "$sc" "$round" "$hl" || exit 2
			side base "$base" "$sc" "$round" "$bl" || exit 3
		fi
	done
	elapsed=$(($(date +%s) - start))
	if [ -z "$base" ] || ! ls "$out/base/"*.json >/dev/null 2>&1; then
		say "round 1 done in ${elapsed} s (head only: no base measured)"
		break
	fi
	if [ "$round" -eq 1 ]; then
		# The timing rows: all but reference_memcpy, every ratio's denominator.
		rows=$(jq -s '[.[].results[] | select(.strategy != "reference_memcpy")
			| .scenario + " " + .strategy] | unique | length' "$out"/head/*.1.json)
		need=$(rounds_for "$rows")
		[ "$need" -gt "$min" ] && min=$need
		[ "$min" -gt "$max" ] && max=$min
	fi
	if [ "$round" -lt "$min" ]; then
		# Until the first look every row is undecided: "SCENARIO ROW" for each row round 1
		# measured on either side.
		for sc; do
			for f in "$out/head/$sc.1.json" "$out/base/$sc.1.json"; do
				[ -e "$f" ] && jq -r '.results[] | .scenario + " " + .strategy' "$f"
			done
		done | awk '!seen[$0]++' >"$out/undecided"
		say "round $round of at least $min done, ${elapsed} s so far, ~$(((min - round) * elapsed / round)) s to the first look"
	else
		"$zcgate" "$out/base" "$out/head" --threshold "$threshold" --same-machine -q \
			--undecided "$out/look" >"$out/look.log" 2>&1
		rc=$?
		if [ "$rc" -eq 2 ]; then
			say "zcgate could not compare round $round: $(tail -n 1 "$out/look.log")"
			exit 2
		fi
		# The first look names the suspects, undecided and slower by more than half the
		# threshold; every later look keeps those of them still undecided.
		[ "$round" -eq "$min" ] && awk -v t="$threshold" '$3 > t / 200 { print $1, $2 }' \
			"$out/look" >"$out/suspects"
		awk 'NR == FNR { s[$1 " " $2] = 1; next } ($1 " " $2) in s { print $1, $2 }' \
			"$out/suspects" "$out/look" >"$out/undecided"
		# reference_handover rows are measured with the strategies, never asked for alone.
		left=$(grep -cv '^[^ ]* reference_' "$out/undecided")
		if [ "$left" -eq 0 ]; then
			say "round $round: every row decided, or not a suspect at the first look, after ${elapsed} s"
			break
		fi
		if [ "$round" -ge "$max" ]; then
			say "round $round: $left of $rows rows still undecided at the last round ($max): the test judges them on what was measured"
			break
		fi
		if [ "$elapsed" -ge "$budget" ]; then
			say "round $round: $left of $rows rows still undecided after ${elapsed} s, past GATE_BUDGET=$budget: the test judges them on what was measured"
			break
		fi
		# Time left: the rounds still allowed at this round's pace, or the budget's rest.
		pace=$((elapsed - last))
		cap=$(((max - round) * pace))
		[ $((budget - elapsed + pace)) -lt "$cap" ] && cap=$((budget - elapsed + pace))
		say "round $round: $left of $rows rows undecided and slower ($(grep -v '^[^ ]* reference_' \
			"$out/undecided" | awk '{ n[$1]++ } END { for (s in n) { printf "%s%s %d", \
			sep, s, n[s]; sep = ", " } }')), ${elapsed} s so far, at most ~${cap} s left"
	fi
	last=$elapsed
	round=$((round + 1))
done
say "measured in $(($(date +%s) - start)) s: $(awk '{ ms[$3] += $4 } END { for (s in ms) {
	printf "%s%s %.0f s", sep, s, ms[s] / 1000; sep = ", " } }' "$out/times.log")"
exit 0
