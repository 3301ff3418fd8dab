#!/bin/sh
# e2e_report.sh: the chart and report pipeline on the fixtures in tests/fixtures/report/.
# Checks that every expected chart is a valid SVG and PNG of the chart size, that report.md
# holds the verdict table, the warnings and the context, that report.html is self-contained,
# that both reports open with the answer (a matrix holding every result of the input, then the
# cheapest share against the cheapest copy per scenario, its ratio recomputed here from the
# fixtures), that zero-copy rows and bars show no bandwidth, that the warnings come after the
# answer with one line per scenario for noisy rows, and that bad input exits 2 without writing
# anything.  Exit status 0 when every check passed.
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
inputs="$r/inproc.json $r/managed.json $r/process.json"
cp "$fixtures"/inproc.json "$fixtures"/managed.json "$fixtures"/process.json "$r"/
cp "$fixtures"/sweep/*.json "$r/sweep/"
# shellcheck disable=SC2086 # the input list is meant to split (paths hold no spaces)
check "charts.sh draws the scenario charts" scripts/charts.sh "$r/charts" $inputs
check "charts.sh --sweep draws the scaling charts" scripts/charts.sh --sweep "$r/charts" "$r"/sweep/*.json
# shellcheck disable=SC2086
check "report.sh writes both reports" scripts/report.sh "$r" $inputs

for name in inproc-time inproc-throughput inproc-memory inproc-scaling \
            managed-time managed-throughput managed-memory managed-gc \
            process-time process-throughput process-memory; do
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
check "report.md warns about the noisy strategy" has "$md" "- inproc: noisy (cv above 5%): serialize 8.3%"
check "report.md does not warn about quiet ones" sh -c "! grep '^- inproc: noisy' '$md' | grep -q 'copy '"
check "report.md has the sweep slopes" has "$md" "| inproc | copy | copy | 1.00 | 6 |"
check "report.md links the charts" has "$md" "![inproc-time](charts/inproc-time.png)"
check "report.md says what a chart shows" has "$md" "whisker spans the fastest to the slowest"
n_png=$(find "$r/charts" -name "*.png" | wc -l)
check "report.html inlines every chart" test "$(grep -c 'src="data:image/png;base64,' "$html")" -eq "$n_png"
check "report.html refers to nothing outside itself" sh -c \
	"! grep -Eiq '(src|href)=\"?(https?:|//|file:)|url\\(|@import' '$html'"
check "report.html has the verdict table" has "$html" "<td>borrow</td><td>zero-copy</td>"
check "report.md shows identity.same_pages where the results have it" \
	sh -c "grep -q '| same pages |' '$md' && grep '^| shm | zero-copy |' '$md' | grep -q '| 100% |'"

# --- the answer comes first and holds every result ------------------------------------------
# line FILE REGEX: the number of the first line matching REGEX (grep -E), or 999999 when none.
line() { n=$(grep -nE -- "$2" "$1" | head -n 1 | cut -d: -f1); echo "${n:-999999}"; }
# shellcheck disable=SC2086
pairs=$(jq -r '.scenario as $s | .results[] | "\(.scenario // $s) \(.strategy)"' $inputs)
n_pairs=$(echo "$pairs" | wc -l)
answer=$(line "$html" '^<section id="answer">')
check "report.html's first section, table or image is the answer" \
	test "$(line "$html" '<section|<figure|<img|<table|@@embed')" -eq "$answer"
sed -n "$answer,/^<\/section>/p" "$html" >"$tmp/answer.html"
check "report.html's answer holds one matrix row per result ($n_pairs)" \
	test "$(grep -c '^<tr data-scenario=' "$tmp/answer.html")" -eq "$n_pairs"
md_answer=$(line "$md" '^## The answer')
md_next=$(awk -v a="$md_answer" 'NR > a && /^## / { print NR; exit }' "$md")
sed -n "${md_answer},${md_next}p" "$md" >"$tmp/answer.md"
check "report.md's first section is the answer" test "$(line "$md" '^## ')" -eq "$md_answer"
check "report.md's answer has no chart" lacks "$tmp/answer.md" "!["
echo "$failed" >"$tmp/failed"   # the loops run in a subshell: they hand the count back
echo "$pairs" | while read -r scn strat; do
	check "report.html's answer has $scn/$strat" \
		has "$tmp/answer.html" "<tr data-scenario=\"$scn\" data-strategy=\"$strat\">"
	check "report.md's answer has $scn/$strat" has "$tmp/answer.md" "| $scn | $strat | "
	echo "$failed" >"$tmp/failed"
done
failed=$(cat "$tmp/failed")
check "report.md's answer shows the verdicts in the charts' colours" \
	sh -c "grep -q '^| inproc | borrow | 🟩 zero-copy | 1/38732x | 0 |' '$tmp/answer.md' &&
	       grep -q '^| inproc | copy | 🟧 copy | 4.18x | 1 |' '$tmp/answer.md'"
zc_hex=$(jq -nr -L scripts 'include "report-data"; palette["zero-copy"]')
check "report.html colours zero-copy verdicts as the charts do ($zc_hex)" sh -c \
	"grep -q 'td.v-zero-copy{background:$zc_hex' '$html' &&
	 grep '^<tr data-scenario=\"inproc\" data-strategy=\"borrow\">' '$html' | grep -q 'class=\"v v-zero-copy\"'"
check "no hand-over column when no result has time.vs_handover" lacks "$md" "cost vs hand-over"

# --- the cheapest share against the cheapest copy, recomputed from the fixtures --------------
for f in $inputs; do
	scn=$(jq -r .scenario "$f")
	want=$(jq -r '[.results[] | select(.strategy != "reference_memcpy")] as $r
		| ($r | map(select(.identity.verdict == "copy") | .time.ns_per_transfer.median) | min)
		  / ($r | map(select(.identity.verdict == "zero-copy") | .time.ns_per_transfer.median) | min)' "$f")
	got=$(sed -n "s/^- $scn: the cheapest share (.*) is \([0-9.,]*\)x cheaper than the cheapest copy .*/\1/p" \
		"$tmp/answer.md" | tr -d ,)
	check "report.md's answer: $scn's cheapest share is ${got:-?}x cheaper, computed $want" \
		awk -v g="${got:-0}" -v w="$want" 'BEGIN { d = (g - w) / w; exit !(g > 0 && d < 0.006 && d > -0.006) }'
	check "report.html's answer has the same line for $scn" has "$tmp/answer.html" "<li>$scn: the cheapest share ("
done
check "the cheapest copy leaves reference_memcpy out" has "$tmp/answer.md" \
	"is 39,437x cheaper than the cheapest copy (copy_into, 560 µs)"
check "the cheapest-share lines follow the matrix" \
	test "$(line "$md" '^- inproc: the cheapest share')" -gt "$(line "$md" '^\| managed \| dco_sync \|')"
check "the answer says where the warnings are" has "$tmp/answer.md" "Warnings: 2 about the machine or the run; noisy strategies in 2 scenarios."

# --- zero-copy rows and bars show no bandwidth -------------------------------------------------
# The fixtures' zero-copy strategies: scenario, strategy, GB/s as report-data.jq would round it
# (three figures: these are all above 100), time relative to memcpy as 1/N.
echo "$failed" >"$tmp/failed"
# shellcheck disable=SC2086
jq -r '.scenario as $s | .results[] | select(.identity.verdict == "zero-copy")
	| "\($s) \(.strategy) \(.time.gb_per_s) \(.time.vs_memcpy)"' $inputs |
while read -r scn strat gbps ratio; do
	gb=$(awk -v x="$gbps" 'BEGIN { printf "%.0f", x }')
	rel=$(awk -v x="$ratio" 'BEGIN { if (x >= 0.01) print ""; else printf "1/%.0fx", 1 / x }')
	check "report.md's $scn table says 'no bytes moved' for $strat" sh -c \
		"sed -n '/^## $scn:/,/^## /p' '$md' | grep '^| $strat | zero-copy' | grep -q '| no bytes moved |'"
	check "report.md's $scn/$strat row has no bandwidth ($gb)" sh -c \
		"! sed -n '/^## $scn:/,/^## /p' '$md' | grep '^| $strat | zero-copy' | grep -qE '\\| $gb \\||GB/s'"
	check "report.md shows no bandwidth ($gb GB/s) for $scn/$strat" lacks "$md" "$gb GB/s"
	check "report.html's $scn/$strat row has no bandwidth ($gb)" sh -c \
		"! sed -n '/^<section id=\"scenario-$scn\">/,/^<\\/section>/p' '$html' |
		   grep -o '<tr><td>$strat</td><td>zero-copy</td>[^\\n]*' | sed 's,</tr>.*,,' | grep -qE '<td>$gb</td>|GB/s'"
	check "report.html shows no bandwidth ($gb GB/s) for $scn/$strat" lacks "$html" "$gb GB/s"
	check "the $scn-throughput chart draws no bandwidth for $strat" lacks "$r/charts/$scn-throughput.svg" "$gb GB/s"
	if [ -n "$rel" ]; then
		check "the $scn-throughput chart draws $strat relative to memcpy ($rel)" \
			has "$r/charts/$scn-throughput.svg" "<text>$rel</text>"
	fi
	echo "$failed" >"$tmp/failed"
done
failed=$(cat "$tmp/failed")
for f in $inputs; do
	scn=$(jq -r .scenario "$f")
	n_bw=$(jq '[.results[] | select(.identity.verdict != "zero-copy")] | length' "$f")
	check "the $scn-throughput chart has a GB/s label for each of its $n_bw copies and no other" \
		test "$(grep -cE '<text>[0-9.]+ GB/s</text>' "$r/charts/$scn-throughput.svg")" -eq "$n_bw"
done

# --- the warnings come after the answer and the scenarios, grouped ------------------------------
check "report.md: the warnings come after the answer and the scenarios" \
	test "$(line "$md" '^## Warnings')" -gt "$(line "$md" '^## process:')"
check "report.html: the warnings come after the answer and the scenarios" \
	test "$(line "$html" '^<section id="warnings">')" -gt "$(line "$html" '^<section id="scenario-process">')"
check "report.md: machine-level warnings come before the noisy rows" \
	test "$(line "$md" "governor is 'unknown'")" -lt "$(line "$md" '^- [a-z]*: noisy')"
for f in $inputs; do
	scn=$(jq -r .scenario "$f")
	# three significant figures at most, two decimals at most, as the report prints them
	noisy=$(jq -r '.results[] | select(.time.ns_per_transfer.cv > 0.05)
		| "\(.strategy) \(.time.ns_per_transfer.cv * 100)"' "$f" | awk '{
			f = $2 >= 100 ? "%.0f" : $2 >= 10 ? "%.1f" : "%.2f"; v = sprintf(f, $2)
			if (v ~ /\./) sub(/\.?0+$/, "", v)
			printf "%s%s %s%%", (NR > 1 ? ", " : ""), $1, v }')
	n=$(grep -c "^- $scn: noisy" "$md")
	if [ -n "$noisy" ]; then
		check "report.md: one noisy line for $scn (got $n)" test "$n" -eq 1
		check "report.md: $scn's noisy line lists $noisy" sh -c \
			"grep '^- $scn: noisy' '$md' | grep -qF -- '$noisy'"
	else
		check "report.md: no noisy line for the quiet $scn" test "$n" -eq 0
	fi
done
check "report.md: no noisy line per strategy" lacks "$md" " is noisy: "

# Two noisy strategies in one scenario, and a hand-over reference: still one line, and the column.
v=$tmp/variant
mkdir -p "$v"
jq '.results[6].time.ns_per_transfer.cv = 0.061 | .results[1].time.vs_handover = 2.5' \
	"$fixtures/inproc.json" >"$v/inproc.json"
check "report.sh on two noisy strategies" scripts/report.sh "$v" "$v/inproc.json"
check "report.md: two noisy strategies of one scenario make one line" sh -c \
	"test \"\$(grep -c '^- inproc: noisy' '$v/report.md')\" -eq 1 &&
	 grep -q '^- inproc: noisy (cv above 5%): serialize 8.3%, shared 6.1% (over 5 repetitions each)' '$v/report.md'"
check "a hand-over column appears when a result has time.vs_handover" sh -c \
	"grep -q '^| scenario | strategy | verdict | cost vs memcpy | cost vs hand-over | frames copied |' '$v/report.md' &&
	 grep -q '^| inproc | copy | 🟧 copy | 4.18x | 2.5x | 1 |' '$v/report.md' &&
	 grep -q '<th>cost vs hand-over</th>' '$v/report.html'"

# No share, no copy: the line says so.
jq '.results |= map(select(.identity.verdict != "zero-copy" or .strategy == "reference_memcpy"))' \
	"$fixtures/inproc.json" >"$v/inproc.json"
jq '.results |= map(select(.identity.verdict == "zero-copy" or .strategy == "reference_memcpy"))' \
	"$fixtures/managed.json" >"$v/managed.json"
check "report.sh on a scenario with no share and one with no copy" scripts/report.sh "$v" "$v/inproc.json" "$v/managed.json"
check "report.md says when no strategy shared the frame" has "$v/report.md" "- inproc: no share: every strategy copied the frame"
check "report.md says when no strategy copied the frame" has "$v/report.md" "- managed: no copy to compare with"

# --- the Markdown report has the HTML's order -------------------------------------------------
order() {     # order FILE REGEX...: each REGEX first matches after the one before it
	f=$1; shift; prev=0
	for re in "$@"; do
		n=$(line "$f" "$re")
		if [ "$n" -eq 999999 ] || [ "$n" -le "$prev" ]; then
			echo "'$re' at line $n, not after line $prev"; return 1
		fi
		prev=$n
	done
}
check "report.md: answer, cheapest-share lines, scenarios, sweep, warnings, machine" order "$md" \
	'^## The answer' '^\| inproc \| reference_memcpy \|' '^- inproc: the cheapest share' \
	'^## inproc:' '^## managed:' '^## process:' '^## Scaling' '^## Warnings' '^- process: noisy' '^## Machine'
check "report.html: the same order" order "$html" \
	'^<section id="answer">' '^<tr data-scenario="inproc" data-strategy="reference_memcpy">' \
	'<li>inproc: the cheapest share' '^<section id="scenario-inproc">' '^<section id="scenario-managed">' \
	'^<section id="scenario-process">' '^<section id="sweep">' '^<section id="warnings">' \
	'<li>process: noisy' '^<section id="machine">'

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
