#!/bin/sh
# e2e_report.sh: the chart and report pipeline on the fixtures in tests/fixtures/report/.
# Checks that every expected chart is a valid SVG and PNG of the chart size, that report.md
# holds the verdict table, the warnings and the context, that report.html is self-contained,
# that both reports open with the answer (a matrix holding every result of the input, then the
# cheapest share against the cheapest copy per scenario, its ratio recomputed here from the
# fixtures), that zero-copy rows and bars show no bandwidth, that the warnings come after the
# answer with one line per scenario for noisy rows and one for bimodal rows, that the scenarios
# measured at CPU placements (thread, process) have a time chart grouped by placement, each
# row's placement and x handover, and a hand-over latency table, that no text of a chart runs
# into another or off the chart (tests/lib/svg_overlaps.awk, also on a crowded chart), that a
# panel or chart of zeros is left out and the reports say so, that the titles say what is
# drawn, that summary.md (for a CI job summary) links no image, and that bad input exits 2
# without writing anything.  Exit status 0 when every check passed.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/e2e.sh
e2e_init report
# shellcheck source=SCRIPTDIR/../scripts/report-lib.sh
. scripts/report-lib.sh
scripts/deps.sh report || die "gnuplot and jq are needed (scripts/deps.sh report)"

fixtures=tests/fixtures/report
tmp=$E2E_TMP
has() { grep -qF -- "$2" "$1"; }       # has FILE TEXT
lacks() { ! grep -qF -- "$2" "$1"; }   # lacks FILE TEXT

# --- the pipeline on good input ------------------------------------------------------------
r=$tmp/results
mkdir -p "$r/sweep"
inputs="$r/inproc.json $r/managed.json $r/process.json $r/thread.json"
cp "$fixtures"/inproc.json "$fixtures"/managed.json "$fixtures"/process.json "$fixtures"/thread.json "$r"/
cp "$fixtures"/sweep/*.json "$r/sweep/"
# shellcheck disable=SC2086 # the input list is meant to split (paths hold no spaces)
check "charts.sh draws the scenario charts" scripts/charts.sh "$r/charts" $inputs
check "charts.sh --sweep draws the scaling charts" scripts/charts.sh --sweep "$r/charts" "$r"/sweep/*.json
# shellcheck disable=SC2086
check "report.sh writes both reports" scripts/report.sh "$r" $inputs

for name in inproc-time inproc-throughput inproc-memory inproc-scaling \
            managed-time managed-throughput managed-memory managed-gc \
            process-time process-throughput process-memory \
            thread-time thread-throughput thread-memory; do
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
check "report.md warns about the noisy strategy" has "$md" "- inproc: noisy (cv above 5% and twice the scenario median): serialize 8.3%"
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
	sh -c "grep -q '| same pages |' '$md' && grep '^| shm@same | zero-copy |' '$md' | grep -q '| 100% |'"

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
echo "$pairs" | while read -r scn strat; do
	check "report.html's answer has $scn/$strat" \
		has "$tmp/answer.html" "<tr data-scenario=\"$scn\" data-strategy=\"$strat\">"
	check "report.md's answer has $scn/$strat" has "$tmp/answer.md" "| $scn | $strat | "
done
check "report.md's answer shows the verdicts in the charts' colours" \
	sh -c "grep -q '^| inproc | borrow | 🟩 zero-copy | 1/38732x | - | 0 |' '$tmp/answer.md' &&
	       grep -q '^| inproc | copy | 🟧 copy | 4.18x | - | 1 |' '$tmp/answer.md'"
zc_hex=$(jq -nr -L scripts 'include "report-data"; palette["zero-copy"]')
check "report.html colours zero-copy verdicts as the charts do ($zc_hex)" sh -c \
	"grep -q 'td.v-zero-copy{background:$zc_hex' '$html' &&
	 grep '^<tr data-scenario=\"inproc\" data-strategy=\"borrow\">' '$html' | grep -q 'class=\"v v-zero-copy\"'"
check "the answer has a hand-over column when results carry placement" sh -c \
	"grep -q '^| scenario | strategy | verdict | cost vs memcpy | cost vs hand-over | frames copied |' '$tmp/answer.md' &&
	 grep -q '^| thread | move@same | 🟩 zero-copy | 1.08x | 1.01x | 0 |' '$tmp/answer.md' &&
	 grep -q '^| process | pipe@same | 🟧 copy | 2.43x | 7.76x | 2 |' '$tmp/answer.md'"

# --- the cheapest share against the cheapest copy, recomputed from the fixtures --------------
# A scenario measured at placements has a line per placement ("thread at same: "), each
# comparing the rows of that placement only.
for f in $inputs; do
	scn=$(jq -r .scenario "$f")
	for p in $(jq -r '[.results[].placement.name // empty] | unique | if length == 0 then "-" else .[] end' "$f"); do
		label=$scn
		[ "$p" = - ] || label="$scn at $p"
		want=$(jq -r --arg p "$p" '[.results[] | select(.strategy | startswith("reference_") | not)
			| select($p == "-" or .placement.name == $p)] as $r
			| ($r | map(select(.identity.verdict == "copy") | .time.ns_per_transfer.median) | min)
			  / ($r | map(select(.identity.verdict == "zero-copy") | .time.ns_per_transfer.median) | min)' "$f")
		got=$(sed -n "s/^- $label: the cheapest share (.*) is \([0-9.,]*\)x cheaper than the cheapest copy .*/\1/p" \
			"$tmp/answer.md" | tr -d ,)
		check "report.md's answer: $label, the cheapest share is ${got:-?}x cheaper, computed $want" \
			awk -v g="${got:-0}" -v w="$want" 'BEGIN { d = (g - w) / w; exit !(g > 0 && d < 0.006 && d > -0.006) }'
		check "report.html's answer has the same line for $label" has "$tmp/answer.html" "<li>$label: the cheapest share ("
	done
done
check "each placement's line names rows of that placement only" awk '
	/^- [a-z_]+ at [a-z]+: the cheapest share/ { n++; p = $4; sub(/:$/, "", p)
		s = $0; while (match(s, /@[a-z]+/)) { if (substr(s, RSTART + 1, RLENGTH - 1) != p) bad++
			s = substr(s, RSTART + RLENGTH) } }
	END { exit !(n >= 5 && !bad) }' "$tmp/answer.md"
check "the cheapest copy leaves reference_memcpy out" has "$tmp/answer.md" \
	"is 39,437x cheaper than the cheapest copy (copy_into, 560 µs)"
check "the cheapest share leaves reference_handover out" has "$tmp/answer.md" \
	"- thread at same: the cheapest share (move@same, 6.26 µs) is 1.91x cheaper than the cheapest copy (copy@same, 11.9 µs)."
check "the cheapest-share lines follow the matrix" \
	test "$(line "$md" '^- inproc: the cheapest share')" -gt "$(line "$md" '^\| managed \| dco_sync \|')"
check "the answer says where the warnings are" has "$tmp/answer.md" "Warnings: 2 about the machine or the run; noisy strategies in 3 scenarios; bimodal strategies in 2 scenarios."

# --- zero-copy rows and bars show no bandwidth -------------------------------------------------
# The fixtures' zero-copy strategies: scenario, strategy, GB/s as report-data.jq would round it
# (sig3: three figures, at most two decimals), time relative to memcpy as 1/N.
# shellcheck disable=SC2086
jq -r '.scenario as $s | .results[] | select(.identity.verdict == "zero-copy")
	| "\($s) \(.strategy) \(.time.gb_per_s) \(.time.vs_memcpy)"' $inputs |
while read -r scn strat gbps ratio; do
	gb=$(awk -v x="$gbps" 'BEGIN { v = sprintf(x >= 100 ? "%.0f" : x >= 10 ? "%.1f" : "%.2f", x)
		if (v ~ /\./) sub(/\.?0+$/, "", v); print v }')
	gbre=$(echo "$gb" | sed 's/\./\\./g')
	rel=$(awk -v x="$ratio" 'BEGIN { if (x >= 0.01) print ""; else printf "1/%.0fx", 1 / x }')
	check "report.md's $scn table says 'no bytes moved' for $strat" sh -c \
		"sed -n '/^## $scn:/,/^## /p' '$md' | grep '^| $strat | zero-copy' | grep -q '| no bytes moved |'"
	check "report.md's $scn/$strat row has no bandwidth ($gb)" sh -c \
		"! sed -n '/^## $scn:/,/^## /p' '$md' | grep '^| $strat | zero-copy' | grep -qE '\\| $gbre \\||GB/s'"
	check "report.md shows no bandwidth ($gb GB/s) for $scn/$strat" lacks "$md" "$gb GB/s"
	check "report.html's $scn/$strat row has no bandwidth ($gb)" sh -c \
		"! sed -n '/^<section id=\"scenario-$scn\">/,/^<\\/section>/p' '$html' |
		   grep -o '<tr><td>$strat</td><td>zero-copy</td>[^\\n]*' | sed 's,</tr>.*,,' | grep -qE '<td>$gbre</td>|GB/s'"
	check "report.html shows no bandwidth ($gb GB/s) for $scn/$strat" lacks "$html" "$gb GB/s"
	check "the $scn-throughput chart draws no bandwidth for $strat" lacks "$r/charts/$scn-throughput.svg" "<text>$gb GB/s</text>"
	if [ -n "$rel" ]; then
		check "the $scn-throughput chart draws $strat relative to memcpy ($rel)" \
			has "$r/charts/$scn-throughput.svg" "<text>$rel</text>"
	fi
done
for f in $inputs; do
	scn=$(jq -r .scenario "$f")
	n_bw=$(jq '[.results[] | select(.identity.verdict != "zero-copy")] | length' "$f")
	check "the $scn-throughput chart has a GB/s label for each of its $n_bw copies and no other" \
		test "$(grep -cE '<text>[0-9.]+ GB/s</text>' "$r/charts/$scn-throughput.svg")" -eq "$n_bw"
done

# --- scenarios measured at CPU placements (thread, process: rows STRATEGY@PLACEMENT) -----------
# section FILE SCENARIO: the lines of report.md's section of SCENARIO, its subsections included.
section() { sed -n "/^## $2:/,/^## /p" "$1"; }
hsection() { sed -n "/^<section id=\"scenario-$2\">/,/^<\/section>/p" "$1"; }
for f in $inputs; do
	scn=$(jq -r .scenario "$f")
	svg=$r/charts/$scn-time.svg
	section "$md" "$scn" >"$tmp/$scn.md"
	hsection "$html" "$scn" >"$tmp/$scn.html"
	if ! jq -e 'any(.results[]; .placement.name | type == "string")' "$f" >/dev/null; then
		check "the $scn-time chart has no placement key" sh -c \
			"! grep -qE '<text>(same: 1 CPU|cross: 2 CPUs|free: unpinned)</text>' '$svg'"
		check "the $scn-time chart has a bar per strategy" has "$svg" "<text>reference_memcpy</text>"
		check "report.md's $scn table has no placement column" lacks "$tmp/$scn.md" "| placement |"
		check "report.md's $scn section has no latency table" lacks "$tmp/$scn.md" "Hand-over latency"
		continue
	fi
	# The time chart: one tic per strategy (the part before '@'), a key entry per placement present.
	for base in $(jq -r '[.results[].strategy | sub("@.*"; "")] | unique[]' "$f"); do
		check "the $scn-time chart has the group $base" has "$svg" "<text>$base</text>"
	done
	check "the $scn-time chart names no placed row on its axis" sh -c "! grep -q '<text>[a-z_]*@[a-z]*</text>' '$svg'"
	for p in same:"same: 1 CPU" cross:"cross: 2 CPUs" free:"free: unpinned"; do
		name=${p%%:*}; key=${p#*:}
		if jq -e --arg p "$name" 'any(.results[]; .placement.name == $p)' "$f" >/dev/null; then
			check "the $scn-time chart's key names the placement '$name'" has "$svg" "<text>$key</text>"
		else
			check "the $scn-time chart's key has no '$name' placement" lacks "$svg" "<text>$key</text>"
		fi
	done
	# The verdict table: each row's placement after its verdict, and its x handover.
	check "report.md's $scn table has the placement and x handover columns" grep -q \
		'^| strategy | verdict | placement | evidence | same pages | median | cv | vs memcpy | x handover | GB/s |' "$tmp/$scn.md"
	check "report.html's $scn table has the x handover column" has "$tmp/$scn.html" "<th>x handover</th>"
	jq -r '.results[] | "\(.strategy) \(.placement.name // "-") \(.time.vs_handover // 0)"' "$f" >"$tmp/$scn.rows"
	while read -r strat place ratio; do
		# fmt_ratio: three figures, at most two decimals; "-" for an unplaced row
		want=$(awk -v x="$ratio" -v p="$place" 'BEGIN { if (p == "-") { print "-"; exit }
			v = sprintf(x >= 100 ? "%.0f" : x >= 10 ? "%.1f" : "%.2f", x)
			if (v ~ /\./) sub(/\.?0+$/, "", v); print v "x" }')
		check "report.md's $scn/$strat row: placement $place, x handover $want" sh -c \
			"grep '^| $strat | [^|]* | $place | ' '$tmp/$scn.md' | grep -qF -- '| $want | '"
	done <"$tmp/$scn.rows"
	# The hand-over latency table: a row per placed row, and the idle state once.
	check "report.md's $scn section has the latency table" grep -q \
		'^| row | one-way p50 | one-way p99 | post p50 | post p99 | CPUs seen (producer/consumer) |' "$tmp/$scn.md"
	check "report.html's $scn section has the latency table" has "$tmp/$scn.html" \
		"<th>row</th><th>one-way p50</th><th>one-way p99</th><th>post p50</th><th>post p99</th>"
	n_lat=$(jq '[.results[] | select(.latency | type == "object")] | length' "$f")
	check "report.md's $scn latency table has $n_lat rows" test \
		"$(sed -n '/^| row | one-way p50 /,/^$/p' "$tmp/$scn.md" | grep -c '^| [a-z_]*@')" -eq "$n_lat"
	idle=$(jq -r '[.results[].placement.cpu_idle // empty][0]' "$f")
	check "report.md's $scn section gives the CPU idle state once ($idle)" test \
		"$(grep -cF -- "$idle" "$tmp/$scn.md")" -eq 1
	check "report.html's $scn section gives the CPU idle state" has "$tmp/$scn.html" "<p>CPU idle: $idle.</p>"
done
# Figures from the fixtures, as the report rounds them (latency in fmt_ns, CPUs seen).
check "report.md: thread's latency row for move@free" has "$tmp/thread.md" \
	"| move@free | 2.77 µs | 45.4 µs | 3.27 µs | 16.1 µs | 0,1/0,1 |"
check "report.md: process's latency row for shm@cross" has "$tmp/process.md" \
	"| shm@cross | 38.1 µs | 500 µs | 3.71 µs | 36.6 µs | 0/1 |"
check "report.html: the same row for move@free" has "$tmp/thread.html" \
	"<tr><td>move@free</td><td>2.77 µs</td><td>45.4 µs</td><td>3.27 µs</td><td>16.1 µs</td><td>0,1/0,1</td></tr>"
check "report.md: the latency table leaves reference_memcpy out" sh -c \
	"! sed -n '/^| row | one-way p50 /,/^\$/p' '$tmp/thread.md' | grep -q '^| reference_memcpy '"
check "report.md: the placed time chart says what its fills mean" has "$tmp/thread.md" \
	"one bar per CPU placement: solid, both sides pinned to one CPU (same)"

# --- the warnings come after the answer and the scenarios, grouped ------------------------------
check "report.md: the warnings come after the answer and the scenarios" \
	test "$(line "$md" '^## Warnings')" -gt "$(line "$md" '^## process:')"
check "report.html: the warnings come after the answer and the scenarios" \
	test "$(line "$html" '^<section id="warnings">')" -gt "$(line "$html" '^<section id="scenario-process">')"
check "report.md: machine-level warnings come before the noisy rows" \
	test "$(line "$md" "quick run [(]QUICK=1[)]")" -lt "$(line "$md" '^- [a-z]*: noisy')"
check "report.md: a governor cpufreq does not expose is not a warning" lacks "$md" "governor is 'unknown'"
for f in $inputs; do
	scn=$(jq -r .scenario "$f")
	# three significant figures at most, two decimals at most, as the report prints them
	# noisy: cv above 5% and above twice the median cv of the file's rows
	noisy=$(jq -r '. as $d | [.results[].time.ns_per_transfer.cv | numbers] | sort as $c
		| ($c | length) as $n
		| (if $n % 2 == 1 then $c[($n - 1) / 2] else ($c[$n / 2 - 1] + $c[$n / 2]) / 2 end) as $bg
		| $d.results[] | select(.time.ns_per_transfer.cv > 0.05 and .time.ns_per_transfer.cv > 2 * $bg)
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
for f in $inputs; do
	scn=$(jq -r .scenario "$f")
	want=$(jq -r '.results[] | select(.time.bimodal == true) | .strategy' "$f" | sort | tr '\n' ' ')
	n=$(grep -c "^- $scn: bimodal" "$md")
	if [ -n "$want" ]; then
		# the names listed: each after ": " or ", ", before its process medians
		got=$(grep "^- $scn: bimodal" "$md" | sed 's/^[^:]*: bimodal ([^)]*): //; s/, /\n/g' |
			cut -d' ' -f1 | sort | tr '\n' ' ')
		check "report.md: one bimodal line for $scn (got $n)" test "$n" -eq 1
		check "report.md: $scn's bimodal line flags $want(got $got)" test "$got" = "$want"
		check "report.html flags $scn's bimodal rows too" has "$html" "<li>$scn: bimodal (measuring processes"
	else
		check "report.md: no bimodal line for $scn" test "$n" -eq 0
	fi
done
check "report.md: a bimodal line gives the process medians' range" has "$md" \
	"- thread: bimodal (measuring processes' medians over 2x apart): copy@free 12.6 µs to 99 µs, move@free 47.7 µs to 96.5 µs"
check "report.md: a scenario's bimodal line follows its noisy line" \
	test "$(line "$md" '^- thread: bimodal')" -eq $(($(line "$md" '^- thread: noisy') + 1))

# Two noisy strategies in one scenario, and a hand-over reference: still one line, and the column.
v=$tmp/variant
mkdir -p "$v"
jq '.results[6].time.ns_per_transfer.cv = 0.061 | .results[1].time.vs_handover = 2.5' \
	"$fixtures/inproc.json" >"$v/inproc.json"
check "report.sh on two noisy strategies" scripts/report.sh "$v" "$v/inproc.json"
check "report.md: two noisy strategies of one scenario make one line" sh -c \
	"test \"\$(grep -c '^- inproc: noisy' '$v/report.md')\" -eq 1 &&
	 grep -q '^- inproc: noisy (cv above 5% and twice the scenario median): serialize 8.3%, shared 6.1% (over 5 repetitions each)' '$v/report.md'"
check "a hand-over column appears when a result has time.vs_handover" sh -c \
	"grep -q '^| scenario | strategy | verdict | cost vs memcpy | cost vs hand-over | frames copied |' '$v/report.md' &&
	 grep -q '^| inproc | copy | 🟧 copy | 4.18x | 2.5x | 1 |' '$v/report.md' &&
	 grep -q '<th>cost vs hand-over</th>' '$v/report.html'"

# time.bimodal flags a row of any scenario; vs_handover 0 everywhere (a scenario without
# placement, as the programs write it) makes no hand-over column.
jq '.results[2].time.bimodal = true | .results[].time.vs_handover = 0' "$fixtures/inproc.json" >"$v/inproc.json"
check "report.sh on a bimodal row of inproc" scripts/report.sh "$v" "$v/inproc.json" "$fixtures/managed.json"
check "report.md flags the bimodal row of an unplaced scenario" grep -q \
	'^- inproc: bimodal (measuring processes.* medians over 2x apart): copy_into$' "$v/report.md"
check "report.md's answer counts it" has "$v/report.md" "bimodal strategies in 1 scenario."
check "report.html flags it too" has "$v/report.html" "<li>inproc: bimodal (measuring processes"
check "no hand-over column when no result has a hand-over" lacks "$v/report.md" "cost vs hand-over"
check "no x handover column without placement" lacks "$v/report.md" "x handover"

# A file with "flags" (src/core/verdict.h decided them) is taken at its word: the report does
# not judge cv or time.bimodal again. The fixtures have no "flags" (written before the field):
# the checks above read those through report.jq's legacy_flags.
jq '.results |= map(.flags = []) | .results[2].flags = ["noisy"] | .results[3].flags = ["bimodal"]' \
	"$fixtures/inproc.json" >"$v/inproc.json"
check "report.sh on rows flagged in the file" scripts/report.sh "$v" "$v/inproc.json"
check "report.md's noisy line names the row flagged noisy, not the one of high cv" \
	grep -q '^- inproc: noisy (cv above 5% and twice the scenario median): copy_into [0-9.]*% (over 5 repetitions)$' "$v/report.md"
check "report.md's bimodal line names the row flagged bimodal" \
	grep -q '^- inproc: bimodal (measuring processes.* medians over 2x apart): serialize$' "$v/report.md"

# unverified and unexplained-work, as verdict.c writes them: the matrix and the verdict column
# say "(unverified)", the scenario's summary line counts both, the warnings have one line per
# scenario and flag (with the frames of unexplained work from the evidence line), and the
# answer counts them.
jq '.results |= map(.flags = [])
    | (.results[] | select(.strategy == "move")) |= (.flags = ["unverified"]
        | .identity.evidence += "; unverified: [anonymous] 7.9 MiB not watched (registered elsewhere (EBUSY))")
    | (.results[] | select(.strategy == "serialize")) |= (.flags = ["unexplained-work"]
        | .identity.evidence += "; unexplained work: 2076 pages written per transfer hold no frame bytes (1.03 frames)")' \
	"$fixtures/inproc.json" >"$v/inproc.json"
check "report.sh on rows flagged unverified and unexplained-work" scripts/report.sh "$v" "$v/inproc.json"
check "report.md's matrix marks the unverified row" has "$v/report.md" "| inproc | move | 🟩 zero-copy (unverified) |"
check "report.md's verdict table marks it too" has "$v/report.md" "| move | zero-copy (unverified) |"
check "report.md's summary line counts the unverified row" has "$v/report.md" \
	"1 of the zero-copy verdicts is unverified: the evidence pass did not watch all the memory a copy could reach."
check "report.md's summary line counts the unexplained work" has "$v/report.md" \
	"1 strategy did unexplained work: pages written that hold no frame bytes."
check "report.md's unverified line names the row" grep -q \
	'^- inproc: unverified zero-copy (the evidence pass did not watch .*): move$' "$v/report.md"
check "report.md's unexplained-work line gives its frames" grep -q \
	'^- inproc: unexplained work (pages written per transfer that hold no frame bytes.*): serialize 1.03 frames$' "$v/report.md"
check "report.md's answer counts them" has "$v/report.md" \
	"unverified zero-copy verdicts in 1 scenario; unexplained work in 1 scenario."
check "report.html says it too" has "$v/report.html" "<li>inproc: unverified zero-copy"

# No share, no copy: the line says so.
jq '.results |= map(select(.identity.verdict != "zero-copy" or .strategy == "reference_memcpy"))' \
	"$fixtures/inproc.json" >"$v/inproc.json"
jq '.results |= map(select(.identity.verdict == "zero-copy" or .strategy == "reference_memcpy"))' \
	"$fixtures/managed.json" >"$v/managed.json"
check "report.sh on a scenario with no share and one with no copy" scripts/report.sh "$v" "$v/inproc.json" "$v/managed.json"
check "report.md says when no strategy shared the frame" has "$v/report.md" "- inproc: no share: every strategy copied the frame"
check "report.md says when no strategy copied the frame" has "$v/report.md" "- managed: no copy to compare with"

# --- charts a person can read: no text on another, no all-zero panel, true titles -------------
# Every text of every chart, measured at the PNG's size (tests/lib/svg_overlaps.awk), runs into
# no other and stays inside the chart: the fixtures' charts, then a crowded one (inproc's rows
# three times over, with figures of a few bytes: 5.4e-05 frames copied, 0.004 faults).
for svg in "$r"/charts/*.svg; do
	check "no text of ${svg##*/} runs into another or off the chart" awk -f tests/lib/svg_overlaps.awk "$svg"
done
c=$tmp/crowded
mkdir -p "$c"
jq '.results = ([range(3)] as $k | [.results[] as $row | $k[] as $i | $row
      | .strategy += (if $i > 0 then "_\($i)" else "" end)] | sort_by(.strategy))
    | (.results[] | select(.identity.verdict == "zero-copy")) |= (.copies.bytes_per_transfer = 448
        | .memory.minor_faults_per_transfer = 0.004188)' "$fixtures/inproc.json" >"$c/inproc.json"
check "charts.sh draws the crowded charts" scripts/charts.sh "$c/charts" "$c/inproc.json"
for svg in "$c"/charts/*.svg; do
	check "no text of the crowded ${svg##*/} runs into another or off the chart" \
		awk -f tests/lib/svg_overlaps.awk "$svg"
done
check "the overlap check fails on a chart whose labels run into each other" sh -c \
	"! awk -f tests/lib/svg_overlaps.awk '$fixtures/overlapping.svg' >/dev/null"
check "no chart writes a figure with an exponent (5.402e-05)" sh -c \
	"! grep -hE '<text>[^<]*[0-9]e[-+]?[0-9]' '$r'/charts/*.svg '$c'/charts/*.svg"
check "a figure of a few bytes reads <0.01, not 0" has "$c/charts/inproc-memory.svg" "<text>&lt;0.01</text>"

# The fit rule itself (scripts/chart-labels.gp), on a table of labels: level when they fit their
# bar's slot, standing up when only a line of text does, none when not even that.
fit() {      # fit N WIDTH: LAB_mode TIC_angle for N labels "19.43" over WIDTH pixels at 8 points
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) print i, "\"19.43\"" }' >"$tmp/fit.dat"
	gnuplot -e "LAB_dat='$tmp/fit.dat'; LAB_col=2; LAB_n=$1; LAB_w=$2; LAB_h=200; LAB_pt=8; \
LAB_ticpt=9; LAB_names=2; load 'scripts/chart-labels.gp'; print sprintf('%d %d', LAB_mode, TIC_angle)" 2>&1
}
check "labels lie level where the bars are wide (4 over 400 px)" test "$(fit 4 400)" = "0 30"
check "labels stand up where they are not (16 over 400 px)" test "$(fit 16 400)" = "90 45"
check "no labels where not a line fits (60 over 400 px)" test "$(fit 60 400)" = "-1 90"

# A panel or a chart with nothing but zeros is not drawn, and the reports say so in one line.
check "process-memory has no frame-sized allocations panel (zero in every row)" \
	lacks "$r/charts/process-memory.svg" "frame-sized allocations per transfer"
check "inproc-memory has it" has "$r/charts/inproc-memory.svg" "frame-sized allocations per transfer"
check "charts/process.omitted says what was left out and why" grep -qx \
	"process-memory: the frame-sized allocations panel: no frame allocations in any row" "$r/charts/process.omitted"
check "no .omitted file for a scenario with nothing left out" test ! -e "$r/charts/inproc.omitted"
check "report.md says it under process's charts" has "$md" \
	"Not drawn: process-memory, the frame-sized allocations panel: no frame allocations in any row."
check "report.html says it too" has "$html" \
	'<p class="omitted">Not drawn: process-memory, the frame-sized allocations panel: no frame allocations in any row.</p>'
z=$tmp/zero
mkdir -p "$z"
cp "$fixtures/managed.json" "$z/managed.json"
check "charts.sh draws managed with its gc chart" scripts/charts.sh "$z/charts" "$z/managed.json"
check "managed-gc is drawn when a row collects" test -s "$z/charts/managed-gc.png"
jq '.results[].gc.collections_per_100_frames = 0' "$fixtures/managed.json" >"$z/managed.json"
check "charts.sh on managed without a collection" scripts/charts.sh "$z/charts" "$z/managed.json"
check "no managed-gc chart when no row collects (the earlier one removed)" \
	test ! -e "$z/charts/managed-gc.png" -a ! -e "$z/charts/managed-gc.svg"
check "report.sh on managed without a collection" scripts/report.sh "$z" "$z/managed.json"
check "report.md says why there is no gc chart" has "$z/report.md" \
	"Not drawn: managed-gc, the chart: no garbage collection in any row."
check "report.md shows no gc chart" lacks "$z/report.md" "charts/managed-gc.png"

# Titles true to the figure drawn: time.gb_per_s is the frame's size over the median time, a
# copy bandwidth only for a row that copies the frame once; a row copying 3 frames says so.
check "the throughput chart draws frame bytes per second, not a copy bandwidth" sh -c \
	"grep -q '<text>copied: frame bytes per second</text>' '$r/charts/inproc-throughput.svg' &&
	 ! grep -qi 'copy bandwidth' '$r'/charts/*.svg"
jq '(.results[] | select(.strategy == "copy")).copies.bytes_per_transfer = 3 * .frame.bytes' \
	"$fixtures/inproc.json" >"$z/inproc.json"
check "charts.sh on a row that copies 3 frames" scripts/charts.sh "$z/charts" "$z/inproc.json"
check "its bar is named 'copy (3 frames)'" has "$z/charts/inproc-throughput.svg" "<text>copy (3 frames)</text>"
check "a row that copies once is named alone" has "$z/charts/inproc-throughput.svg" "<text>copy_into</text>"
for f in $inputs; do
	scn=$(jq -r .scenario "$f")
	# the bandwidth panel's labels are the fixture's time.gb_per_s of the rows that copy (sig3)
	want=$(jq -r '.results[] | select(.identity.verdict != "zero-copy" and .time.gb_per_s > 0)
		| .time.gb_per_s' "$f" | awk '{ v = sprintf($1 >= 100 ? "%.0f" : $1 >= 10 ? "%.1f" : "%.2f", $1)
		if (v ~ /\./) sub(/\.?0+$/, "", v); print v " GB/s" }' | sort)
	got=$(grep -o '<text>[0-9.]* GB/s</text>' "$r/charts/$scn-throughput.svg" | sed 's/<[^>]*>//g' | sort)
	check "$scn-throughput's labels are its copies' frame bytes per second" test "$got" = "$want"
	check "$scn-memory's peak RSS panel is titled as drawn" has "$r/charts/$scn-memory.svg" \
		"<text>peak RSS of the process (MiB)</text>"
done

# --- the CI job summary: no image, the charts named and where they are ------------------------
sm=$r/summary.md
check "report.sh writes summary.md" test -s "$sm"
check "summary.md links no image (a job summary shows no relative image)" sh -c \
	"test -s '$sm' && ! grep -qE '!\\[|\\]\\((charts/|[^)#h][^):]*\\.(png|svg)\\))|<img' '$sm'"
check "summary.md says where the charts are" has "$sm" \
	"the charts are in report.html (one file, the charts inlined) and in charts/"
check "summary.md names each scenario's charts" has "$sm" \
	"*Charts (in report.html, and charts/ as PNG and SVG): inproc-time, inproc-throughput, inproc-memory, inproc-scaling.*"
sed -n '/^## The answer/,/^## /p' "$md" >"$tmp/answer-report.md"
sed -n '/^## The answer/,/^## /p' "$sm" >"$tmp/answer-summary.md"
check "summary.md has the answer of report.md" cmp -s "$tmp/answer-report.md" "$tmp/answer-summary.md"
check "summary.md says what was not drawn" has "$sm" "Not drawn: process-memory, the frame-sized allocations panel"
check "report.md keeps its chart links" has "$md" "![inproc-time](charts/inproc-time.png)"

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
	'^## inproc:' '^## managed:' '^## process:' '^## thread:' '^## Scaling' '^## Warnings' '^- process: noisy' '^## Machine'
check "report.html: the same order" order "$html" \
	'^<section id="answer">' '^<tr data-scenario="inproc" data-strategy="reference_memcpy">' \
	'<li>inproc: the cheapest share' '^<section id="scenario-inproc">' '^<section id="scenario-managed">' \
	'^<section id="scenario-process">' '^<section id="scenario-thread">' '^<section id="sweep">' '^<section id="warnings">' \
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

# --- the machine said once: busy (as the programs decided it), evidence unavailable ---------
b=$tmp/busy
mkdir -p "$b"
jq '.context.machine_busy = true | .context.load_start = 3.42 | .context.load_end = 4.08
    | .context.steal = 0.031 | .context.num_cpus = 2
    | .context.pages_unavailable = "pagemap: page frame numbers read as 0 (needs CAP_SYS_ADMIN)"
    | .results[1].identity.same_pages = null
    | .results[1].identity.same_pages_unavailable = "pagemap: page frame numbers read as 0 (needs CAP_SYS_ADMIN)"' \
	"$fixtures/inproc.json" >"$b/inproc.json"
jq '.context.machine_busy = false | .context.load_start = 9 | .context.steal = 0.2' \
	"$fixtures/thread.json" >"$b/thread.json"
check "report.sh on a busy machine, not as root" scripts/report.sh "$b" "$b/inproc.json" "$b/thread.json"
check "report.md says the busy machine once, under its first paragraph, from the busy scenarios" \
	test "$(grep -c '^machine busy: ' "$b/report.md")" -eq 1 -a \
	"$(line "$b/report.md" '^machine busy: load 3.4-4.1 on 2 CPUs, steal 3%: timings vary; compare ratios in one run$')" -eq 5
check "report.md says once why physical pages were not compared" has "$b/report.md" \
	"- physical pages not compared (pagemap: page frame numbers read as 0 (needs CAP_SYS_ADMIN)): run as root to compare them"
check "report.md's same pages cell gives the reason" has "$b/report.md" \
	"| not compared: pagemap: page frame numbers read as 0 (needs CAP_SYS_ADMIN) |"
check "report.md: no busy line on a quiet machine" lacks "$md" "machine busy"

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

e2e_done
