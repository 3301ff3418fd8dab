#!/bin/sh
# gate-power.sh: make gate-power. How often the gate fails when nothing changed (A/A: the
# working tree against HEAD, or BASE) and how often it catches a slowdown of one strategy
# (a head built with the test-only knob ZC_TEST_SLOWDOWN_PCT of src/core/measure.c), RUNS
# gates of each. Prints one line per gate and a table; writes it to BUILD/gate-power.txt too.
# Environment: BUILD, RUNS, AA_RUNS (A/A gates, default RUNS), POWER_STRATEGY (strategies
# slowed together in one head, comma-separated: each is caught or not on its own row),
# POWER_SLOWDOWNS ("10 25 50"), BASE (default HEAD), GATE_SCENARIOS, and the gate's
# GATE_MIN_ROUNDS, GATE_MAX_ROUNDS, GATE_BUDGET, GATE_THRESHOLD. Each gate's zcgate JSON is
# kept in BUILD/gate-power-runs/, to judge other thresholds from the same runs.
set -u
build=${BUILD:-build}
base=${BASE:-HEAD}
out=$build/gate-power.txt
: >"$out.runs"
runs=$build/gate-power-runs
rm -rf "$runs" && mkdir -p "$runs"
n=0

one() { # one LABEL BUILD [CFLAGS]: a gate; appends "LABEL RC TIMING-REGRESSIONS SECONDS"
	mkdir -p "$2"
	t0=$(date +%s)
	# make builds; the gate's own exit status (0, 1, 2) is scripts/gate.sh's, not make's.
	make --no-print-directory all BUILD="$2" ${3:+CFLAGS="$3"} >"$2/gate-power-last.log" 2>&1
	# Every scenario timed: A/A and a slowed head have the base's sources (gate.sh).
	BASE="$base" GATE_TIME_ALL=1 scripts/gate.sh "$2" results/baseline \
		"$2/gate-run" --threshold "${GATE_THRESHOLD:-15}" >>"$2/gate-power-last.log" 2>&1
	rc=$?
	t1=$(date +%s)
	n=$((n + 1))
	cp "$2/gate-run.json" "$runs/$n-$1.json" 2>/dev/null
	timing=$(jq -r '[.rows[] | select((.metric | startswith("time.")) and .status == "regressed")
		| "\(.scenario)/\(.strategy)"] | join(",")' "$2/gate-run.json" 2>/dev/null)
	echo "$1 $rc ${timing:--} $((t1 - t0))" | tee -a "$out.runs"
}

i=1
while [ "$i" -le "${AA_RUNS:-$RUNS}" ]; do one aa "$build"; i=$((i + 1)); done
for pct in $POWER_SLOWDOWNS; do
	flags="-DZC_TEST_SLOWDOWN_PCT=$pct -DZC_TEST_SLOWDOWN_STRATEGY=$POWER_STRATEGY"
	i=1
	while [ "$i" -le "$RUNS" ]; do one "+$pct%" "$build-slow$pct" "$flags"; i=$((i + 1)); done
done

# A slowed gate caught strategy S when it failed with a timing regression on S's row (any
# placement of it: pipe@same, pipe@cross).
awk -v strats="$POWER_STRATEGY" '
	BEGIN { ns = split(strats, st, ",") }
	{ n[$1]++; secs[$1] += $4
	  if ($2 >= 2) broken[$1]++
	  if ($1 == "aa") { if ($2 != 0) alarms++; next }
	  for (i = 1; i <= ns; i++)
		if ($2 == 1 && ("," $3 ",") ~ ("[,/]" st[i] "(@[a-z]+)?,")) hit[$1, i]++ }
	END { printf "%-6s %5s %8s %8s", "head", "gates", "broken", "mean s"
	      for (i = 1; i <= ns; i++) printf " %14s", st[i]
	      printf "\n"
	      for (k in n) { printf "%-6s %5d %8d %8.0f", k, n[k], broken[k], secs[k] / n[k]
		for (i = 1; i <= ns; i++)
			printf " %14s", k == "aa" ? (i == 1 ? (alarms + 0) " failed" : "") : (hit[k, i] + 0) " caught"
		printf "\n" } }' "$out.runs" | tee "$out"
echo "(aa: gates failed with nothing changed; +N%: gates that caught each strategy slowed by N%)" |
	tee -a "$out"
