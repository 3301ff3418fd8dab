#!/bin/sh
# report.sh: write OUTDIR/report.html, report.md and summary.md from results JSON files.
#
# Usage: scripts/report.sh OUTDIR [RESULT.json...]   (at least one result or sweep file)
# Charts are taken from OUTDIR/charts/*.png (scripts/charts.sh), with what was left out of them
# from OUTDIR/charts/*.omitted, and sweep results from OUTDIR/sweep/*.json (make sweep) when
# present.  report.html is one self-contained file: the charts are inlined as data: URIs and
# nothing is fetched from the network.  report.md links the charts by relative path, for a
# reader of the results directory.  summary.md is report.md without images, for a CI job
# summary ($GITHUB_STEP_SUMMARY shows no relative image link): it names the charts and says
# where they are.  All three open with the answer (every scenario and strategy in one matrix,
# then per scenario the cheapest share against the cheapest copy), then the scenarios, the
# sweep, the warnings and the machine (scripts/report.jq).
# Exit status: 0 written, 2 bad input (nothing written), 3 a tool is missing.
set -eu
prog=report.sh
here=$(dirname "$0")
# shellcheck source=SCRIPTDIR/report-lib.sh
. "$here/report-lib.sh"

[ $# -ge 1 ] || die "usage: report.sh OUTDIR [RESULT.json...]"
outdir=$1; shift
require_tools jq base64
[ $# -eq 0 ] || check_results "$@"
sweep_files=$(ls "$outdir"/sweep/*.json 2>/dev/null || true)
# shellcheck disable=SC2086 # the list is meant to split (paths hold no spaces)
[ -z "$sweep_files" ] || check_results $sweep_files
[ $# -gt 0 ] || [ -n "$sweep_files" ] || die "no results given and none in '$outdir/sweep'"

# The governor of the machine drawing the report stands in when the results could not say.
governor=$(cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor 2>/dev/null || true)

mkdir -p "$outdir"
work=$(mktemp -d "$outdir/.report.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

if [ $# -gt 0 ]; then jq -s . "$@"; else echo '[]'; fi >"$work/results.json"
# shellcheck disable=SC2086
if [ -n "$sweep_files" ]; then jq -s . $sweep_files; else echo '[]'; fi >"$work/sweep.json"
# shellcheck disable=SC2012 # chart names are plain words
ls "$outdir"/charts/*.png 2>/dev/null | sed 's,.*/,,; s,\.png$,,' | jq -R . | jq -s . \
	>"$work/charts.json"
# What charts.sh left out of the charts, and why: a line each.
cat "$outdir"/charts/*.omitted 2>/dev/null | jq -R . | jq -s . >"$work/omitted.json"

render() {    # render md|summary|html: the report, with @@embed lines still in it
	jq -r -L "$here" --arg governor "$governor" \
		--slurpfile sweep "$work/sweep.json" --slurpfile charts "$work/charts.json" \
		--slurpfile omitted "$work/omitted.json" \
		"include \"report\"; report(\"$1\"; \$governor; \$sweep[0]; \$charts[0]; \$omitted[0])" \
		"$work/results.json"
}

# embed: replace every "@@embed PATH@@" line with an <img> holding PATH as a data: URI.
embed() {
	while IFS= read -r line; do
		case $line in
		@@embed\ *@@)
			path=${line#@@embed }; path=${path%@@}
			printf '<img alt="%s" src="data:image/png;base64,' "${path##*/}"
			base64 -w0 "$outdir/$path"
			printf '">\n' ;;
		*)	printf '%s\n' "$line" ;;
		esac
	done
}

render md >"$work/report.md"
render summary >"$work/summary.md"
render html | embed >"$work/report.html"
publish "$work/report.md" "$outdir/report.md"
publish "$work/summary.md" "$outdir/summary.md"
publish "$work/report.html" "$outdir/report.html"
echo "$outdir/report.md"
echo "$outdir/summary.md"
echo "$outdir/report.html"
