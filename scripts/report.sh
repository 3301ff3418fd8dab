#!/bin/sh
# report.sh: write OUTDIR/report.md and OUTDIR/report.html from results JSON files.
#
# Usage: scripts/report.sh OUTDIR [RESULT.json...]   (at least one result or sweep file)
# Charts are taken from OUTDIR/charts/*.png (scripts/charts.sh) and sweep results from
# OUTDIR/sweep/*.json (make sweep) when present.  report.html is one self-contained file: the
# charts are inlined as data: URIs and nothing is fetched from the network.  report.md links
# the charts by relative path, for CI job summaries and pull-request comments.  Both open with
# the answer (every scenario and strategy in one matrix, then per scenario the cheapest share
# against the cheapest copy), then the scenarios, the sweep, the warnings and the machine
# (scripts/report.jq).
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

render() {    # render md|html: the report, with @@embed lines still in it
	jq -r -L "$here" --arg governor "$governor" \
		--slurpfile sweep "$work/sweep.json" --slurpfile charts "$work/charts.json" \
		"include \"report\"; report(\"$1\"; \$governor; \$sweep[0]; \$charts[0])" "$work/results.json"
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
render html | embed >"$work/report.html"
publish "$work/report.md" "$outdir/report.md"
publish "$work/report.html" "$outdir/report.html"
echo "$outdir/report.md"
echo "$outdir/report.html"
