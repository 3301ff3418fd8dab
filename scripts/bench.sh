#!/bin/sh
# bench.sh: the run `make bench` makes: one run, one set of results.
#
# Usage: scripts/bench.sh BUILD RESULTS FRAME quick|full "SCENARIO..." [SCENARIO ARGS...]
#
# Every scenario of the run gets the same --run-id (its start, UTC, and this process's id) and
# writes into RESULTS/.run-ID/: its results, raw/ and its table, gathered in summary.txt
# under one line that names the run.  Only when every scenario run has succeeded does that
# set replace the previous one, whole: the previous set (RESULTS/*.json, raw/, summary.txt,
# charts/, report.md, summary.md, report.html) moves to RESULTS/previous/ (one generation
# kept), then the new one moves in, so that the summary, the charts and the report are drawn
# from one run only, also after a partial run (SCENARIO=inproc after a full one).  A refused
# or failed run prints the tables of what ran and leaves RESULTS as it was.  RESULTS/sweep/
# and RESULTS/baseline/ are never touched.
#
# Exit status: 0 when the set was replaced (or no scenario was built to run: nothing changes);
# else the status of the scenario that refused or failed (2 bad input, 3 failed...), 130 when
# interrupted.
set -u
prog=bench.sh
[ $# -ge 5 ] || { echo "$prog: usage: bench.sh BUILD RESULTS FRAME quick|full SCENARIOS [ARGS...]" >&2; exit 2; }
build=$1 results=$2 frame=$3 length=$4 scenarios=$5
shift 5

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
run="$(date -u -d "$started" +%Y%m%dT%H%M%SZ)-$$"
stage=$results/.run-$run
mkdir -p "$stage/raw" || exit 3
trap 'rm -rf "$stage"; exit 130' INT TERM
echo "run $run: $frame frame, $length run, started $started" >"$stage/summary.txt"

rc=0 ran=0
for s in $scenarios; do
	if [ ! -x "$build/bin/$s" ]; then
		cat "$build/runtimes/$s.skipped" 2>/dev/null || echo "$s: skipped, not built"
		continue
	fi
	"$build/bin/$s" "$@" --run-id "$run" --out "$stage/$s.json" >>"$stage/summary.txt" ||
		{ rc=$?; break; }
	ran=$((ran + 1))
done

if [ "$rc" -ne 0 ]; then
	# What ran is shown; the set it would have made is not kept.
	if [ "$(wc -l <"$stage/summary.txt")" -gt 1 ]; then
		cat "$stage/summary.txt"
		echo "$prog: $s exited $rc: $results/ left as it was" >&2
	fi
	rm -rf "$stage"
	exit "$rc"
fi
if [ "$ran" -eq 0 ]; then
	rm -rf "$stage"
	echo "no scenario ran: $results/ left as it was"
	exit 0
fi

# The previous set, if any, to previous/; then the new set in its place.
old=$results/.previous-$run
mkdir -p "$old/raw"
for f in "$results"/*.json "$results"/raw/*.json "$results"/summary.txt "$results"/charts \
	"$results"/report.md "$results"/summary.md "$results"/report.html "$results"/bridges.md; do
	[ -e "$f" ] || continue
	case $f in "$results"/raw/*) mv "$f" "$old/raw/" ;; *) mv "$f" "$old/" ;; esac
done
if [ -n "$(ls -A "$old/raw")" ] || [ "$(ls -A "$old")" != raw ]; then
	rm -rf "$results/previous" && mv "$old" "$results/previous"
else
	rm -rf "$old"
fi
mkdir -p "$results/raw"
mv "$stage"/*.json "$stage/summary.txt" "$results/" &&
	{ [ -z "$(ls -A "$stage/raw")" ] || mv "$stage"/raw/* "$results/raw/"; } &&
	rm -rf "$stage" || exit 3
cat "$results/summary.txt"
