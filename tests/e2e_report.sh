#!/bin/sh
# e2e_report.sh: the chart and report pipeline on the fixtures in tests/fixtures/report/.
# Checks that every expected chart is a valid SVG and PNG of the chart size, that report.md
# holds the verdict table, the warnings and the context, that report.html is self-contained,
# and that bad input exits 2 without writing anything.  Exit status 0 when every check passed.
set -u
cd "$(dirname "$0")/.." || exit 1
prog=e2e_report.sh
# shellcheck source=SCRIPTDIR/../scripts/report-lib.sh
. scripts/report-lib.sh
scripts/deps.sh report || { echo "$prog: gnuplot and jq are needed (scripts/deps.sh report)"; exit 1; }

fixtures=tests/fixtures/report
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0
check() {     # check WHAT COMMAND...: run COMMAND, count a failure when it fails
	what=$1; shift
	if "$@" >"$tmp/out" 2>&1; then :; else
		echo "$prog: FAIL: $what"; sed 's/^/    /' "$tmp/out"; failed=$((failed + 1))
	fi
}
has() { grep -qF -- "$2" "$1"; }       # has FILE TEXT
lacks() { ! grep -qF -- "$2" "$1"; }   # lacks FILE TEXT

# --- the pipeline on good input ------------------------------------------------------------
r=$tmp/results
mkdir -p "$r/sweep"
cp "$fixtures"/inproc.json "$fixtures"/managed.json "$r"/
cp "$fixtures"/sweep/*.json "$r/sweep/"
check "charts.sh draws the scenario charts" scripts/charts.sh "$r/charts" "$r/inproc.json" "$r/managed.json"
check "charts.sh --sweep draws the scaling charts" scripts/charts.sh --sweep "$r/charts" "$r"/sweep/*.json
check "report.sh writes both reports" scripts/report.sh "$r" "$r/inproc.json" "$r/managed.json"

for name in inproc-time inproc-throughput inproc-memory inproc-scaling \
            managed-time managed-throughput managed-memory managed-gc; do
	check "chart $name is a ${CHART_W}x${CHART_H} SVG and PNG" chart_ok "$r/charts" "$name"
done
check "no gc chart for a scenario without gc figures" test ! -e "$r/charts/inproc-gc.svg"
check "no temporary files left" sh -c "! ls -a '$r' '$r/charts' | grep -q '^\\.[a-z]'"

md=$r/report.md
html=$r/report.html
for row in "| reference_memcpy | reference (memcpy) |" "| copy | copy |" "| copy_into | copy |" \
           "| serialize | copy |" "| borrow | zero-copy |" "| move | zero-copy |" \
           "| shared | zero-copy |" "| pool | zero-copy |" "| typed_data | copy |" \
           "| external | zero-copy |" "| external_no_size | zero-copy |" "| dco_sync | copy |"; do
	check "report.md has the row '$row'" has "$md" "$row"
done
check "report.md names the verdict table's columns" has "$md" "| strategy | verdict | evidence | median |"
check "report.md has the evidence" has "$md" "a producer write after the transfer is visible"
check "report.md has the machine context" has "$md" "| compiler | gcc 12.2.0 |"
check "report.md has the ratio" has "$md" "The cheapest copy (copy_into, 560 µs) takes"
check "report.md warns about the noisy strategy" has "$md" "inproc/serialize is noisy: cv 8.3%"
check "report.md does not warn about quiet ones" lacks "$md" "inproc/copy is noisy"
check "report.md has the sweep slopes" has "$md" "| inproc | copy | copy | 1.00 | 6 |"
check "report.md links the charts" has "$md" "![inproc-time](charts/inproc-time.png)"
check "report.md says what a chart shows" has "$md" "whisker spans the fastest to the slowest"
n_png=$(find "$r/charts" -name "*.png" | wc -l)
check "report.html inlines every chart" test "$(grep -c 'src="data:image/png;base64,' "$html")" -eq "$n_png"
check "report.html refers to nothing outside itself" sh -c \
	"! grep -Eiq '(src|href)=\"?(https?:|//|file:)|url\\(|@import' '$html'"
check "report.html has the verdict table" has "$html" "<td>borrow</td><td>zero-copy</td>"

# --- warnings from the context: debug build, frequency scaling, an unexpected verdict ------
w=$tmp/warn
mkdir -p "$w"
jq '.context.build = "debug" | .context.cpu_scaling = "powersave"
    | .results[1].expect_zero_copy = true' "$fixtures/inproc.json" >"$w/inproc.json"
check "report.sh on a debug build" scripts/report.sh "$w" "$w/inproc.json"
check "report.md warns about the debug build" has "$w/report.md" "inproc: built as 'debug', not release"
check "report.md warns about the governor" has "$w/report.md" "governor is 'powersave'"
check "report.md flags the unexpected verdict" has "$w/report.md" "| copy | copy (UNEXPECTED) |"
check "report.md explains the unexpected verdict" has "$w/report.md" \
	"inproc/copy was expected to share the frame but the measurement says copy"

# --- bad input: exit 2, one line on stderr, nothing written --------------------------------
b=$tmp/bad
mkdir -p "$b"
: >"$b/empty.json"
echo 'not json {' >"$b/text.json"
echo '{"schema": "zcbench/0", "results": []}' >"$b/schema.json"
echo '[1, 2]' >"$b/array.json"
echo '{"schema": "zcbench/1", "scenario": "x", "results": []}' >"$b/noresults.json"
for input in "$b/missing.json" "$b/empty.json" "$b/text.json" "$b/schema.json" \
             "$b/array.json" "$b/noresults.json"; do
	for tool in "scripts/charts.sh $b/out/charts" "scripts/charts.sh --sweep $b/out/charts" \
	            "scripts/report.sh $b/out"; do
		rc=0
		$tool "$fixtures/inproc.json" "$input" >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
		check "'$tool' on ${input##*/} exits 2 (got $rc)" test "$rc" -eq 2
		check "'$tool' on ${input##*/} says why in one line" \
			test "$(wc -l <"$tmp/stderr")" -eq 1 -a -s "$tmp/stderr"
		check "'$tool' on ${input##*/} writes nothing" \
			test ! -e "$b/out/charts" -a ! -e "$b/out/report.md" -a ! -e "$b/out/report.html"
	done
done
check "a wrong schema is named" sh -c \
	"scripts/report.sh '$b/out' '$b/schema.json' 2>&1 | grep -q \"has schema 'zcbench/0', want 'zcbench/1'\""

# A failed rerun keeps the previous good report.
cp "$md" "$tmp/md.before"
rc=0; scripts/report.sh "$r" "$b/text.json" 2>/dev/null || rc=$?
check "a failed rerun exits 2" test "$rc" -eq 2
check "a failed rerun keeps the previous report" cmp -s "$md" "$tmp/md.before"

[ "$failed" -eq 0 ] || { echo "$prog: $failed checks failed"; exit 1; }
echo "$prog: all checks passed"
