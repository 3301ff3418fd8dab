#!/bin/sh
# charts.sh: draw zcbench's charts with gnuplot, each as SVG and PNG, and print their paths.
#
# Usage: scripts/charts.sh CHARTDIR RESULT.json...          per scenario: <scenario>-time,
#                                                           -throughput, -memory, and -gc when
#                                                           the results carry gc figures;
#                                                           -time grouped by strategy, a bar
#                                                           per CPU placement, when the rows
#                                                           carry placement (thread, process)
# (-throughput draws frame bytes per second for the copies only: a zero-copy strategy moves no
# frame byte, so its bar there is its time relative to memcpy's; chart-throughput.gp)
#        scripts/charts.sh --sweep CHARTDIR SWEEP.json...   <scenario>-scaling for every scenario
#                                                           found in the sweep files
# A chart or a panel whose figures are zero or absent in every row is not drawn: the lines of
# CHARTDIR/<scenario>.omitted say what was left out and why (the reports print them), and a
# chart left out is removed from CHARTDIR.
# Exit status: 0 drawn, 2 bad input (nothing written), 3 a tool is missing, 1 gnuplot failed.
set -eu
prog=charts.sh
here=$(dirname "$0")
# shellcheck source=SCRIPTDIR/report-lib.sh
. "$here/report-lib.sh"

sweep=0
if [ "${1:-}" = "--sweep" ]; then sweep=1; shift; fi
[ $# -ge 2 ] || die "usage: charts.sh [--sweep] CHARTDIR RESULT.json..."
outdir=$1; shift
require_tools jq gnuplot
check_results "$@"

mkdir -p "$outdir"
# Everything is drawn in a private directory next to the charts, then renamed into place, so a
# failure never leaves a half-written chart where a reader would find it.
work=$(mktemp -d "$outdir/.charts.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
drawn=""
omitted=""     # the scenarios drawn, whose .omitted files are published
gone=""        # the charts left out whole, removed from CHARTDIR when the others are published

dat() {        # dat ENTRY FILE: one of report-data.jq's tables for FILE
	jq -r -L "$here" "include \"report-data\"; $1" "$2"
}

# field_table FIELD FORMAT FILE: one row per strategy of FILE for chart-bars.gp: index, strategy,
# verdict, colour, the value at FIELD (a dotted path of docs/schema.md, NaN when absent) and
# that value through report-data.jq's FORMAT, the bar's label ("" for fmt_count: three figures
# at most, "<0.01" for a small figure, never an exponent).
field_table() {
	jq -r -L "$here" --arg field "$1" "include \"report-data\";
		.results | to_entries[] | .key as \$i | .value
		| getpath(\$field | split(\".\")) as \$v
		| [ \$i, (.strategy | q), (verdict_word | q), colour, (\$v | num),
		    (\$v | ${2:-fmt_count} | q) ] | map(tostring) | join(\" \")" "$3"
}
FIELD_COL=5     # field_table's columns, as chart-bars.gp's col= and lab= name them

rows() {       # rows TABLE [valued]: its rows, or those whose value (column 5) is a number
	if [ "${2:-}" = valued ]; then awk '$5 != "NaN"' "$1" | wc -l; else wc -l <"$1"; fi | tr -d ' '
}

# The verdict colours, one place for the charts and the report: report-data.jq's palette.
colours=$(jq -nr -L "$here" 'include "report-data";
	palette | "zc_rgb=\"\(.["zero-copy"])\"; copy_rgb=\"\(.copy)\"; ref_rgb=\"\(.reference)\""')

draw() {       # draw NAME CHART-SCRIPT GNUPLOT-ASSIGNMENTS
	gnuplot -e "chart='$here/chart-$2.gp'; svg_out='$work/$1.svg'; png_out='$work/$1.png'; \
labels='$here/chart-labels.gp'; W=$CHART_W; H=$CHART_H; $colours; $3" "$here/chart-render.gp" \
		2>"$work/gnuplot.log" || {
		echo "$prog: gnuplot failed on $1:" >&2
		cat "$work/gnuplot.log" >&2
		exit 1
	}
	drawn="$drawn $1"
}

# omit CHART WHAT WHY: say that CHART (or a panel of it, WHAT) was left out, and why, in
# <scenario>.omitted; a chart left out whole is removed from the chart directory at the end.
# Expects s set by scenario_charts.
omit() {
	echo "$1: $2: $3" >>"$work/$s.omitted"
	if [ "$2" = "the chart" ]; then gone="$gone $1"; fi
}

# nonzero TABLE COLUMN: true when some row holds a number other than zero in COLUMN.
nonzero() {
	awk -v c="$2" '$c != "NaN" && $c + 0 != 0 { found = 1 } END { exit !found }' "$1"
}

# time_placed_chart RESULT.json: the time chart of a scenario whose rows carry a CPU placement
# (thread, process): the bars grouped by strategy, one per placement (chart-time-placed.gp).
# Expects s and frame set by scenario_charts.
time_placed_chart() {
	dat placed_bars "$1" >"$work/$s-placed.dat"
	dat placed_samples "$1" >"$work/$s-placed-samples.dat"
	dat placed_xtics "$1" >"$work/$s-placed-xtics.gp"
	places=$(dat 'placements | join(" ")' "$1")
	draw "$s-time" time-placed "dat='$work/$s-placed.dat'; samples='$work/$s-placed-samples.dat'; \
xt='$work/$s-placed-xtics.gp'; places='$places'; \
ttl='$s, $frame frame: median time per transfer at each CPU placement (whisker: fastest to slowest repetition)'"
}

scenario_charts() {   # scenario_charts RESULT.json
	s=$(jq -r .scenario "$1")
	: >"$work/$s.omitted"
	frame=$(jq -r '"\(.frame.width)x\(.frame.height)"' "$1")
	dat bars "$1" >"$work/$s.dat"
	dat samples "$1" >"$work/$s-samples.dat"
	d="dat='$work/$s.dat'"
	if [ "$(dat placed "$1")" = true ]; then
		time_placed_chart "$1"
	else
		draw "$s-time" time "$d; samples='$work/$s-samples.dat'; \
ttl='$s, $frame frame: median time per transfer (whisker: fastest to slowest repetition)'"
	fi
	# Bandwidth for the copies only: a zero-copy strategy moves no frame byte, so its panel shows
	# its time relative to memcpy's (chart-throughput.gp).
	dat bandwidth "$1" >"$work/$s-bandwidth.dat"
	dat relative "$1" >"$work/$s-relative.dat"
	vb=$(rows "$work/$s-bandwidth.dat" valued); vr=$(rows "$work/$s-relative.dat" valued)
	if [ "$vb" -gt 0 ] || [ "$vr" -gt 0 ]; then
		[ "$vb" -gt 0 ] || omit "$s-throughput" "the frame bytes per second panel" "no row copied the frame"
		[ "$vr" -gt 0 ] || omit "$s-throughput" "the zero-copy panel" "no row shared the frame"
		draw "$s-throughput" throughput "bw='$work/$s-bandwidth.dat'; rel='$work/$s-relative.dat'; \
nb=$(rows "$work/$s-bandwidth.dat"); vb=$vb; nr=$(rows "$work/$s-relative.dat"); vr=$vr; \
ttl='$s, $frame frame: frame bytes per second of the rows that copy; cost of the zero-copy rows relative to memcpy'"
	else
		omit "$s-throughput" "the chart" "no time recorded in any row"
	fi
	memory_chart
	if jq -e 'any(.results[]; .gc.collections_per_100_frames | type == "number")' "$1" >/dev/null; then
		field_table gc.collections_per_100_frames fmt_count "$1" >"$work/$s-gc.dat"
		if nonzero "$work/$s-gc.dat" $FIELD_COL; then
			draw "$s-gc" bars "dat='$work/$s-gc.dat'; col=$FIELD_COL; lab=$((FIELD_COL + 1)); logy=0; \
ylab='collections per 100 frames'; ttl='$s: garbage collections per 100 frames'"
		else
			omit "$s-gc" "the chart" "no garbage collection in any row"
		fi
	fi
	omitted="$omitted $s"
}

# memory_chart: the memory chart of scenario_charts' table, a panel per bars column of 9 to 12
# holding a figure other than zero.  Expects s, frame and d set by scenario_charts.
memory_chart() {
	panels=""; left=""
	for c in 9 10 11 12; do
		if nonzero "$work/$s.dat" "$c"; then panels="$panels $c"; else left="$left $c"; fi
	done
	if [ -z "$panels" ]; then
		omit "$s-memory" "the chart" "no copies, frame allocations, page faults or peak RSS in any row"
		return
	fi
	for c in $left; do
		case $c in
		9)  omit "$s-memory" "the frames copied panel" "no frame bytes copied in any row" ;;
		10) omit "$s-memory" "the frame-sized allocations panel" "no frame allocations in any row" ;;
		11) omit "$s-memory" "the minor page faults panel" "no page faults in any row" ;;
		12) omit "$s-memory" "the peak RSS panel" "no peak RSS recorded" ;;
		esac
	done
	draw "$s-memory" memory "$d; panels='${panels# }'; \
ttl='$s, $frame frame: copies, allocations and page faults per transfer; peak RSS'"
}

scaling_chart() {     # scaling_chart SCENARIO SWEEP.json...
	s=$1; shift
	jq -s -r -L "$here" 'include "report-data"; scaling' "$@" >"$work/$s-scaling.dat"
	n=$(jq -s -r -L "$here" 'include "report-data"; sweep_series | length' "$@")
	kinds=$(jq -s -r -L "$here" 'include "report-data"; [sweep_series[].verdict] | join(" ")' "$@")
	draw "$s-scaling" scaling "dat='$work/$s-scaling.dat'; n=$n; kinds='$kinds'; \
ttl='$s: time per transfer against frame size (log-log; slope 1 = copies every byte, 0 = constant)'"
}

if [ "$sweep" = 1 ]; then
	for s in $(jq -r .scenario "$@" | sort -u); do
		# shellcheck disable=SC2046 # the file list is meant to split (paths hold no spaces)
		scaling_chart "$s" $(for f in "$@"; do
			[ "$(jq -r .scenario "$f")" = "$s" ] && echo "$f"; done)
	done
else
	for f in "$@"; do scenario_charts "$f"; done
fi

for name in $gone; do rm -f "$outdir/$name.svg" "$outdir/$name.png"; done
for name in $omitted; do
	if [ -s "$work/$name.omitted" ]; then publish "$work/$name.omitted" "$outdir/$name.omitted"
	else rm -f "$outdir/$name.omitted"; fi
done
for name in $drawn; do
	for ext in svg png; do
		publish "$work/$name.$ext" "$outdir/$name.$ext"
		echo "$outdir/$name.$ext"
	done
done
