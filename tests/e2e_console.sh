#!/bin/sh
# e2e_console.sh: what a scenario prints. Into a file or a pipe (a CI log): one progress line
# per strategy on stderr as it finishes, then the summary table on stdout with the cheapest
# share's saving, and nothing of Google Benchmark's (no banner, no DEBUG warning per process)
# unless --verbose, which also prints the evidence lines. --quiet prints no progress. On a
# terminal (a pseudo-terminal from script(1)) the progress is one line rewritten in place.
# The table is in a person's units; make bench's run makes one set of results (below).
set -u
. tests/lib/e2e.sh
e2e_init console
tmp=$E2E_TMP
run() { # run NAME ARGS...: build/bin/inproc with a small frame, stdout and stderr apart
	name=$1; shift
	"$BUILD/bin/inproc" --quick --frame 256x256 --processes 2 --strategy copy,pool \
		--out "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" ||
		die "inproc $* failed: $(cat "$tmp/$name.err")"
}

run plain
for s in reference_memcpy copy pool; do
	grep -q "^inproc: $s measured (2 measuring processes, [0-9.]* s)$" "$tmp/plain.err" ||
		fail "no progress line for $s in: $(cat "$tmp/plain.err")"
done
grep -q "^inproc: wrote $tmp/plain.json$" "$tmp/plain.err" || fail "no 'wrote' line"
[ "$(wc -l <"$tmp/plain.err")" -eq 4 ] || fail "stderr is not 4 lines: $(cat "$tmp/plain.err")"
for noise in 'Load Average' '\*\*\*WARNING\*\*\*' 'Running ' 'consumer reads'; do
	! grep -q "$noise" "$tmp/plain.out" "$tmp/plain.err" || fail "'$noise' printed without --verbose"
done
grep -q '^strategy  *verdict  *median  *vs memcpy  *cv  *frames copied  *frame allocs  *faults ' \
	"$tmp/plain.out" || fail "no table header"
grep -q '^reference_memcpy  *reference  ' "$tmp/plain.out" ||
	fail "reference_memcpy is not marked as a reference"
# A person's units: a duration with its unit, a ratio as 1/Nx below 0.01, never 1e-05.
grep -q '^pool  *zero-copy  *[0-9.]* \(ns\|us\)  *1/[0-9]*x ' "$tmp/plain.out" ||
	fail "pool's median and ratio are not in a person's units: $(grep '^pool ' "$tmp/plain.out")"
! grep -q '[0-9]e[-+]\?[0-9]' "$tmp/plain.out" || fail "scientific notation in the table"
for s in reference_memcpy copy pool; do
	grep -q "^$s " "$tmp/plain.out" || fail "no row for $s"
done
# The saving line says what the results say: copy's median over pool's, as printed (three
# significant figures; thousands separated), "dearer" should sharing not have paid.
python3 - "$tmp/plain.json" "$tmp/plain.out" <<'PY' || fail "the saving line is wrong"
import json, re, sys
doc = json.load(open(sys.argv[1]))
med = {r["strategy"]: r["time"]["ns_per_transfer"]["median"] for r in doc["results"]}
line = next(l for l in open(sys.argv[2]) if l.startswith("the cheapest share"))
unit = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
dur = r"([\d.]+) (ns|us|ms|s)"
m = re.match(r"the cheapest share \(pool, " + dur + r"\) is ([\d.,]+)x (cheaper|dearer) than "
             r"the cheapest copy \(copy, " + dur + r"\)", line)
assert m, line
for got, u, want in ((m.group(1), m.group(2), med["pool"]), (m.group(5), m.group(6), med["copy"])):
    assert abs(float(got) * unit[u] - want) <= want * 0.01, (got, u, want)
x = med["copy"] / med["pool"]
x = x if m.group(4) == "cheaper" else 1 / x
assert x >= 1 and abs(float(m.group(3).replace(",", "")) - x) <= max(0.01, x * 0.005), (m.group(3), x)
assert doc["context"]["benchmark_library_build"] in ("debug", "release")
# A program run alone makes its own run id: its start, UTC, and its process id.
assert re.fullmatch(r"\d{8}T\d{6}Z-\d+", doc["context"]["run_id"]), doc["context"]["run_id"]
PY

run verbose --verbose
grep -q "consumer reads the producer's bytes in place" "$tmp/verbose.out" ||
	fail "--verbose printed no evidence lines"
grep -q 'Load Average' "$tmp/verbose.out" "$tmp/verbose.err" ||
	fail "--verbose printed nothing of Google Benchmark's"

run quiet --quiet
[ ! -s "$tmp/quiet.err" ] || fail "--quiet printed: $(cat "$tmp/quiet.err")"
grep -q '^pool ' "$tmp/quiet.out" || fail "--quiet printed no table"

# On a terminal: the progress line is rewritten in place (carriage return, erase line).
if command -v script >/dev/null 2>&1; then
	script -qec "'$BUILD/bin/inproc' --quick --frame 256x256 --processes 2 --strategy pool \
		--out '$tmp/tty.json'" /dev/null >"$tmp/tty.log" 2>&1 || fail "inproc under script failed"
	grep -q "$(printf '\r\033\\[K')inproc: pool, process 2 of 2" "$tmp/tty.log" ||
		fail "no in-place progress on a terminal"
else
	echo "$e2e_name: no script(1): the terminal case is not checked"
fi
# --- make bench: one run, one set (scripts/bench.sh, the recipe of make bench) --------------
# Every results file of a run carries the run's id, which the summary's first line names with
# the frame, quick or full and the start; a partial run (one scenario after two) replaces the
# whole set, and the set it replaced is kept in previous/.
R=$tmp/results
bench() { # bench RUN SCENARIOS: a small quick run into $R; RUN names its output files
	scripts/bench.sh "$BUILD" "$R" 64x64 quick "$2" --frame 64x64 --quick --processes 1 \
		--quiet --strategy copy >"$tmp/$1.out" 2>"$tmp/$1.err" ||
		die "bench.sh $2 failed: $(cat "$tmp/$1.err")"
}
run_id() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["context"]["run_id"])' "$1"; }
bench full "inproc managed"
id1=$(run_id "$R/inproc.json")
check "one run id in every file of the run" test "$(run_id "$R/managed.json")" = "$id1"
check "the summary's first line names the run" grep -qx \
	"run $id1: 64x64 frame, quick run, started [0-9-]*T[0-9:]*Z" "$R/summary.txt"
check "the summary holds both tables" grep -q '^managed: 64x64 RGBA frame' "$R/summary.txt"
check "make bench prints the summary" cmp -s "$tmp/full.out" "$R/summary.txt"
check "raw/ has both" test -s "$R/raw/inproc.json" -a -s "$R/raw/managed.json"
check "no previous set after the first run" test ! -e "$R/previous"
bench partial inproc
id2=$(run_id "$R/inproc.json")
check "a new run, a new id" test "$id2" != "$id1"
check "the partial run replaced the whole set" test ! -e "$R/managed.json" -a ! -e "$R/raw/managed.json"
check "the summary is the partial run's" grep -qx "run $id2: .*" "$R/summary.txt"
check "the summary has no table of the replaced run" sh -c "! grep -q '^managed:' '$R/summary.txt'"
check "the replaced set is in previous/" test "$(run_id "$R/previous/managed.json")" = "$id1" \
	-a -s "$R/previous/raw/managed.json" -a -s "$R/previous/summary.txt"
check "nothing staged is left" sh -c "! ls -A '$R' | grep -q '^\\.'"
if command -v jq >/dev/null 2>&1; then
	scripts/report.sh "$tmp/one" "$R/inproc.json" >/dev/null 2>&1 || fail "report.sh failed"
	check "the report names the run" grep -q "Results of run $id2 (commit [^)]*): 64x64 frame, quick run, started " "$tmp/one/report.md"
	scripts/report.sh "$tmp/mixed" "$R/inproc.json" "$R/previous/managed.json" >/dev/null 2>&1 ||
		fail "report.sh failed"
	check "a report of two runs says it is mixed" grep -q \
		"A mixed set: these results come from 2 runs.*inproc: run $id2, .*managed: run $id1, " \
		"$tmp/mixed/report.md"
else
	echo "$e2e_name: no jq: the report's run is not checked"
fi
e2e_done
