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
#                       slower by more than half the threshold), OUT/undecided (those still
#                       undecided after the last look), OUT/look.json (zcgate's last look),
#                       OUT/base.log and OUT/head.log (what the programs printed)
# Environment:
#   GATE_MIN_ROUNDS=N   the screen: rounds every row gets (default 3, at least 1)
#   GATE_MAX_ROUNDS=N   rounds a suspect (below) can get (default 32, raised to what the
#                       confirmation needs; GATE_BUDGET ends them sooner)
#   GATE_BUDGET=S       no round starts after S seconds of measuring, once the screen and
#                       the rounds the confirmation needs are done (default 240)
#   GATE_THRESHOLD=PCT  the threshold the rows are decided against (default 15)
#   ZCGATE=PATH         the zcgate that decides (default HEAD_BIN/zcgate)
#   GATE_LATER_PROCESSES=K  measuring processes a row gets in each round after the first look
#                       (default 1; measured here, 3 made rounds fatter, not the gate
#                       faster: a row's process costs about the same either way)
#
# A round runs each scenario program once a side, measuring the rows it is asked for in one
# process each (--quick --processes 1; GATE_LATER_PROCESSES after the first look): in round 1
# every row and reference_memcpy (the floor's yardstick), with the evidence pass (the head's
# exact figures, which the committed baseline gates); then, with --no-pages and
# --no-reference where the program knows them, every row until the first look (the screen),
# and after it only the suspects. The side that goes first alternates from round to round (base
# first in odd rounds), so that what one program leaves behind (freed memory, a warm cache)
# favours neither.
# The screen, GATE_MIN_ROUNDS rounds of every row, only chooses: at the first look (zcgate
# --undecided --json) every timing row slower by more than half the threshold is a suspect
# (OUT/suspects: those that might have regressed). A row found faster could only be an
# improvement, which fails nothing, and one slowed by more than the threshold shows more than
# half of it in three rounds but rarely (measured here: 3 of 40 rows slowed by 25% read +1%
# to +5%, their intervals past the threshold; also taking such rows cost 10 more suspects
# of 89 and a round: docs/gate.md).
# The suspects get new rounds, new processes, which zcgate compares on their own (the
# confirmation, tools/zcgate/gate.h, --screened): one-sided, with Holm's correction over
# the rows those rounds measured, not all of the screen's. They get at least the rounds with
# which that test can reach alpha / k for the k rows they measure (the suspects and their
# scenarios' reference_handover rows; 1 / C(2n, n) < 0.05 / k: 4 rounds for up to 3 rows, 5
# up to 12, 6 up to 46), then more while a suspect is undecided (its 95% interval over all
# its rounds reaches past the threshold), up to GATE_MAX_ROUNDS and GATE_BUDGET. So the time
# is the screen's few rounds of every row, then rounds of the suspects alone: it grows with
# the rows only through the screen, and an unchanged tree's suspects are the noisy rows.
# A strategy one side lacks is run on the other side only.
#
# Only options every revision of the scenario programs knows are used (--quick --quiet
# --processes --strategy --out), and --no-pages and --no-reference where --help lists them:
# the base may be old.
# Exit: 0, 2 when a head invocation or zcgate failed, 3 when a base invocation failed.
set -u
base=$1 head=$2 out=$3
shift 3
min=${GATE_MIN_ROUNDS:-3} max=${GATE_MAX_ROUNDS:-32} budget=${GATE_BUDGET:-240}
threshold=${GATE_THRESHOLD:-15} alpha=0.05
zcgate=${ZCGATE:-$head/zcgate}
later=${GATE_LATER_PROCESSES:-1}
case $min in '' | *[!0-9]*) min=0 ;; esac
if [ "$min" -lt 1 ]; then
	echo "gate: GATE_MIN_ROUNDS must be a number of at least 1, not '${GATE_MIN_ROUNDS:-}'" >&2
	exit 2
fi
least=$min # the rounds the confirmation needs at least (set at the first look)

say() { echo "gate: $*" >&2; }

strategies() { # strategies BIN SCENARIO: the names --list prints, one a line
	[ -n "$1" ] && [ -x "$1/$2" ] || return 0
	"$1/$2" --list 2>/dev/null | awk 'NF { print $1 }'
}

knows() { # knows BIN SCENARIO OPTION: whether the program's --help lists OPTION
	[ -n "$1" ] && "$1/$2" --help 2>/dev/null | grep -q -- "$3"
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
	pages= refs=
	knows "$bin" "$sc" --no-pages && pages=--no-pages
	if [ "$round" -eq 1 ]; then
		# The head's exact figures (gated against the committed baseline), and
		# reference_memcpy, the floor's yardstick (tools/zcgate/gate.h). The base runs the
		# evidence pass too, though only its times are compared: a process times after
		# the pass, which leaves memory behind, so both sides alike (docs/gate.md).
		run "$s" "$bin" "$sc" 1 all --processes 1
		return
	fi
	want=$(asked "$list" "$sc")
	[ -n "$want" ] || return 0
	# Times are compared side by side: a later round needs no yardstick.
	knows "$bin" "$sc" --no-reference && refs=--no-reference
	k=1
	[ "$round" -gt "$min" ] && k=$later
	run "$s" "$bin" "$sc" "$round" "$want" --strategy "$want" --processes "$k" $pages $refs
}

rounds_for() { # rounds_for M: the smallest n with 1 / C(2n, n) < ALPHA / M (one-sided)
	awk -v m="$1" -v a="$alpha" 'BEGIN { for (n = 2; n < 64; n++) { c = 1
		for (i = 1; i <= n; i++) c = c * (n + i) / i
		if (1 / c < a / (m > 0 ? m : 1)) { print n; exit } } print 64 }'
}

# later_rows: the timing rows the rounds after the first look measure: the suspects, and the
# reference_handover rows of their scenarios (measured beside any strategy asked for).
later_rows() {
	n=$(grep -cv '^[^ ]* reference_' "$out/suspects")
	awk '{ print $1 }' "$out/suspects" | sort -u >"$out/.suspect-scenarios"
	while read -r sc; do
		[ -e "$out/head/$sc.1.json" ] || continue
		n=$((n + $(jq '[.results[] | select(.strategy | startswith("reference_handover"))]
			| length' "$out/head/$sc.1.json")))
	done <"$out/.suspect-scenarios"
	echo "$n"
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
	fi
	if [ "$round" -lt "$min" ]; then
		# Every row is screened: "SCENARIO ROW" for each row round 1 measured on either side.
		for sc; do
			for f in "$out/head/$sc.1.json" "$out/base/$sc.1.json"; do
				[ -e "$f" ] && jq -r '.results[] | .scenario + " " + .strategy' "$f"
			done
		done | awk '!seen[$0]++' >"$out/undecided"
		say "round $round of $min (the screen, every row) done, ${elapsed} s so far, ~$(((min - round) * elapsed / round)) s to the first look"
		last=$elapsed
		round=$((round + 1))
		continue
	fi
	"$zcgate" "$out/base" "$out/head" --threshold "$threshold" --same-machine --timing-only -q \
		--undecided "$out/look" --json "$out/look.json" >"$out/look.log" 2>&1
	rc=$?
	if [ "$rc" -eq 2 ]; then
		say "zcgate could not compare round $round: $(tail -n 1 "$out/look.log")"
		exit 2
	fi
	if [ "$round" -eq "$min" ]; then
		# The first look names the suspects: every timing row slower by more than half the
		# threshold, decided or not (a screen of a few processes decides on repetitions,
		# which share their process's luck). Only they get more rounds, at least as many
		# as the confirmation needs to be able to call one of them at alpha (Holm).
		jq -r --argjson t "$threshold" '.rows[] | select(.metric | startswith("time."))
			| select(.change > $t / 200) | .scenario + " " + .strategy' \
			"$out/look.json" >"$out/suspects" || exit 2
		k=$(later_rows)
		if [ "$k" -gt 0 ]; then
			least=$((min + $(rounds_for "$k")))
			[ "$least" -gt "$max" ] && max=$least
		fi
		cp "$out/suspects" "$out/undecided"
	else
		# Every later look keeps the suspects still undecided.
		awk 'NR == FNR { s[$1 " " $2] = 1; next } ($1 " " $2) in s { print $1, $2 }' \
			"$out/suspects" "$out/look" >"$out/undecided"
	fi
	# reference_handover rows are measured with the strategies, never asked for alone.
	left=$(grep -cv '^[^ ]* reference_' "$out/undecided")
	suspects=$(grep -cv '^[^ ]* reference_' "$out/suspects")
	if [ "$suspects" -eq 0 ]; then
		say "round $round: no row slower by more than half the threshold at the first look, after ${elapsed} s"
		break
	fi
	if [ "$round" -ge "$least" ]; then
		if [ "$left" -eq 0 ]; then
			say "round $round: every suspect decided after ${elapsed} s"
			break
		fi
		if [ "$round" -ge "$max" ]; then
			say "round $round: $left of $suspects suspects still undecided at the last round ($max): the confirmation judges them on what was measured"
			break
		fi
		if [ "$elapsed" -ge "$budget" ]; then
			say "round $round: $left of $suspects suspects still undecided after ${elapsed} s, past GATE_BUDGET=$budget: the confirmation judges them on what was measured"
			break
		fi
	else
		# Until the confirmation's least rounds every suspect runs, decided or not.
		cp "$out/suspects" "$out/undecided"
	fi
	# Time left: the rounds still allowed at this round's pace, or the budget's rest.
	pace=$((elapsed - last))
	cap=$(((max - round) * pace))
	[ $((budget - elapsed + pace)) -lt "$cap" ] && cap=$((budget - elapsed + pace))
	[ $(((least - round) * pace)) -gt "$cap" ] && cap=$(((least - round) * pace))
	say "round $round: $(grep -cv '^[^ ]* reference_' "$out/undecided") of $suspects suspects (of $rows rows) measured on ($(grep -v '^[^ ]* reference_' \
		"$out/undecided" | awk '{ n[$1]++ } END { for (s in n) { printf "%s%s %d", \
		sep, s, n[s]; sep = ", " } }')), at least $least rounds, ${elapsed} s so far, at most ~${cap} s left"
	last=$elapsed
	round=$((round + 1))
done
say "measured in $(($(date +%s) - start)) s: $(awk '{ ms[$3] += $4 } END { for (s in ms) {
	printf "%s%s %.0f s", sep, s, ms[s] / 1000; sep = ", " } }' "$out/times.log")"
exit 0
