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
# Before anything runs, RESULTS must be writable (else exit 2, bad input) on a device with
# MIN_FREE_MIB free (else exit 5, no space: ZC_EXIT_NOSPACE in src/util/error.h): a full run's
# set is about 4 MiB (JSON 0.3, raw 0.5, charts 1.8, report 1.3) and is written beside the
# previous one, which is kept; 16 MiB leaves room for larger frames' charts and the stage.
#
# Never silent: before each scenario one line on stderr (none with --quiet), "[3/8] process:
# about 40 s left", from the durations the last runs of the same length and frame took
# (BUILD/bench-durations, this machine's and this build's, kept across runs), else the average
# of the scenarios run so far.  At the top of summary.txt, once for the run: the busy
# machine's warning (each scenario's "machine busy: load A-B on N CPUs, steal S%" line,
# combined: the lowest and highest load, the highest steal; whether a scenario's machine was
# busy is its program's decision, src/core/machine.h) and the evidence this machine cannot
# give ("evidence unavailable: ...", once).
#
# Exit status: 0 when the set was replaced (or no scenario was built to run: nothing changes);
# else the status of the scenario that refused or failed (2 bad input, 3 failed, 5 no space
# left...), 130 when interrupted.
set -u
prog=bench.sh
[ $# -ge 5 ] || { echo "$prog: usage: bench.sh BUILD RESULTS FRAME quick|full SCENARIOS [ARGS...]" >&2; exit 2; }
build=$1 results=$2 frame=$3 length=$4 scenarios=$5
shift 5

MIN_FREE_MIB=16
EXIT_USAGE=2 EXIT_NOSPACE=5 # src/util/error.h, ZC_EXIT_MAP
if ! mkdir -p "$results" 2>/dev/null || [ ! -w "$results" ]; then
	echo "$prog: cannot write to $results/: nothing measured" >&2
	exit $EXIT_USAGE
fi
free_kib=$(df -Pk "$results" 2>/dev/null | awk 'NR == 2 { print $4 }')
if [ -n "$free_kib" ] && [ "$free_kib" -lt $((MIN_FREE_MIB * 1024)) ]; then
	echo "$prog: no space left for a run: $((free_kib / 1024)) MiB free on the device of" \
		"$results/, a run needs $MIN_FREE_MIB MiB: nothing measured" >&2
	exit $EXIT_NOSPACE
fi

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
run="$(date -u -d "$started" +%Y%m%dT%H%M%SZ)-$$"
stage=$results/.run-$run
mkdir -p "$stage/raw" || exit 3
trap 'rm -rf "$stage"; exit 130' INT TERM
echo "run $run: $frame frame, $length run, started $started" >"$stage/summary.txt"

# "a few seconds left", "about 40 s left", "about 3 min left" for a number of seconds.
about() {
	if [ "$1" -lt 5 ]; then echo "a few seconds left"
	elif [ "$1" -lt 90 ]; then echo "about $1 s left"
	else echo "about $((($1 + 30) / 60)) min left"; fi
}

# --quiet asks the scenarios for no progress lines: none from here either.
quiet=
for a in "$@"; do [ "$a" = --quiet ] && quiet=1; done

# The seconds scenario $1 took on the last run of this length and frame, or nothing.
last_took() {
	awk -v k="$length $frame $1" '$1 " " $2 " " $3 == k { t = $4 } END { if (t != "") print t }' \
		"$build/bench-durations" 2>/dev/null
}

# The scenarios that will run (built), for the count and the estimate.
todo=
for s in $scenarios; do [ -x "$build/bin/$s" ] && todo="$todo $s"; done
total=$(echo $todo | wc -w)

rc=0 ran=0 spent=0
: >"$stage/durations"
for s in $scenarios; do
	if [ ! -x "$build/bin/$s" ]; then
		cat "$build/runtimes/$s.skipped" 2>/dev/null || echo "$s: skipped, not built"
		continue
	fi
	# What is left: each scenario's last duration, else the average of this run's so far.
	left=0 unknown=0 counted=0
	for t in $todo; do
		[ "$counted" -ge "$ran" ] || { counted=$((counted + 1)); continue; }
		d=$(last_took "$t")
		if [ -n "$d" ]; then left=$((left + d)); else unknown=$((unknown + 1)); fi
	done
	if [ "$unknown" -gt 0 ] && [ "$ran" -gt 0 ]; then
		left=$((left + unknown * spent / ran)) unknown=0
	fi
	if [ -n "$quiet" ]; then
		:
	elif [ "$unknown" -eq 0 ]; then
		echo "[$((ran + 1))/$total] $s: $(about "$left")" >&2
	else
		echo "[$((ran + 1))/$total] $s" >&2
	fi
	t0=$(date +%s)
	"$build/bin/$s" "$@" --run-id "$run" --out "$stage/$s.json" >>"$stage/summary.txt" ||
		{ rc=$?; break; }
	took=$(($(date +%s) - t0))
	echo "$length $frame $s $took" >>"$stage/durations"
	spent=$((spent + took)) ran=$((ran + 1))
done

# The scenarios' "machine busy:" lines as one, the lowest and highest load and the highest
# steal; their "evidence unavailable:" lines once; then the tables without them.
top_lines() {
	awk '
	/^machine busy: / {
		busy = 1
		if (match($0, /load [0-9.]+(-[0-9.]+)? /)) {
			n = split(substr($0, RSTART + 5, RLENGTH - 6), l, "-"); lo = l[1]; hi = l[n]
			if (min == "" || lo + 0 < min + 0) min = lo
			if (max == "" || hi + 0 > max + 0) max = hi
		}
		if (match($0, / on [0-9]+ CPU/))
			cpus = substr($0, RSTART + 4, RLENGTH - 8)
		if (match($0, /steal [0-9]+%/)) {
			st = substr($0, RSTART + 6, RLENGTH - 7)
			if (steal == "" || st + 0 > steal + 0) steal = st
		}
		next
	}
	/^evidence unavailable: / { if (!seen[$0]++) notes = notes $0 "\n"; next }
	{ body = body $0 "\n" }
	END {
		if (busy) {
			load = (min == "") ? "unknown" : (min == max) ? min : min "-" max
			printf "machine busy: load %s on %s CPU%s%s: timings vary; compare ratios in one run\n",
				load, cpus, cpus == 1 ? "" : "s", steal == "" ? "" : ", steal " steal "%"
		}
		printf "%s%s", notes, body
	}' "$1"
}
{ head -n 1 "$stage/summary.txt"; tail -n +2 "$stage/summary.txt" | top_lines /dev/stdin; } \
	>"$stage/summary.new" && mv "$stage/summary.new" "$stage/summary.txt"

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
# The durations of this run replace those of the same length, frame and scenario.
# (A build directory this user cannot write keeps no durations: the estimate is then the
# average of the run's scenarios so far.)
{ awk 'NR == FNR { new[$1 " " $2 " " $3] = 1; next } !(($1 " " $2 " " $3) in new)' \
	"$stage/durations" "$build/bench-durations" 2>/dev/null; cat "$stage/durations"; } \
	>"$stage/durations.all" && { cp "$stage/durations.all" "$build/bench-durations" 2>/dev/null || :; }
rm -f "$stage/durations" "$stage/durations.all"
mv "$stage"/*.json "$stage/summary.txt" "$results/" &&
	{ [ -z "$(ls -A "$stage/raw")" ] || mv "$stage"/raw/* "$results/raw/"; } &&
	rm -rf "$stage" || exit 3
cat "$results/summary.txt"
