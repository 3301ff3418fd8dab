#!/bin/sh
# check-report.sh: open DIR/report.html in headless Chromium, take a screenshot and check that
# the page rendered: the screenshot is a 1280x2000 PNG and not blank.  Also checks that the
# report is self-contained (no reference to anything outside the file) and that every chart in
# DIR/charts is a valid SVG and PNG of the expected size.
#
# Usage: scripts/check-report.sh DIR        (CHROMIUM=path overrides the browser)
# The screenshot is kept as DIR/report-screenshot.png.  Exit status 0 when all is well, 1 when
# a check failed, 2 when DIR holds no report, 3 when a tool is missing.
set -eu
prog=check-report.sh
here=$(dirname "$0")
# shellcheck source=SCRIPTDIR/report-lib.sh
. "$here/report-lib.sh"

[ $# -eq 1 ] || die "usage: check-report.sh DIR"
dir=$1
html=$dir/report.html
[ -s "$html" ] || die "no report at '$html' (run: make report)"
browser=${CHROMIUM:-chromium}
require_tools "$browser" gnuplot
status=0
fail() { echo "$prog: $*" >&2; status=1; }

# Self-contained: no URL outside the page (data: URIs are inside it).
if grep -Eiq '(src|href|action)="?(https?:|ftp:|//|file:)|url\(|@import' "$html"; then
	fail "'$html' refers to something outside itself"
fi

for svg in "$dir"/charts/*.svg; do
	[ -e "$svg" ] || break
	chart_ok "$dir/charts" "$(basename "$svg" .svg)" >&2 || status=1
done

# Chromium takes a screenshot of the page's top 1280x2000 pixels.
work=$(mktemp -d "$dir/.check.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
abs=$(cd "$dir" && pwd)/report.html
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$work/profile" --screenshot="$work/shot.png" --window-size=1280,2000 \
	"file://$abs" >"$work/chromium.log" 2>&1 || true
if [ "$(png_size "$work/shot.png" 2>/dev/null)" != "1280 2000" ]; then
	fail "chromium gave no 1280x2000 screenshot of '$html'"
	tail -n 5 "$work/chromium.log" >&2
	exit 1
fi

# Not blank: gnuplot decodes the screenshot (every 4th pixel) and measures how much of it is
# not background and how much the brightness varies.  A rendered report has text, tables and
# charts: well over 2% of the pixels are not white.
gnuplot -e "set table '$work/pixels'; plot '$work/shot.png' binary filetype=png every 4:4 \
with rgbimage; unset table; \
stats '$work/pixels' using ((\$3+\$4+\$5)/3 < 240 ? 1 : 0) nooutput; inked = STATS_mean; \
stats '$work/pixels' using ((\$3+\$4+\$5)/3) nooutput; \
print sprintf('%.4f %.2f', inked, STATS_stddev)" >"$work/ink" 2>&1 ||
	fail "gnuplot could not read the screenshot: $(tail -n 1 "$work/ink")"
read -r inked spread <"$work/ink" || true
if awk -v i="${inked:-0}" -v s="${spread:-0}" 'BEGIN { exit !(i > 0.02 && s > 10) }'; then
	echo "$prog: $html rendered: ${inked} of the screenshot inked, brightness stddev ${spread}"
else
	fail "the screenshot of '$html' is blank (inked ${inked:-?}, brightness stddev ${spread:-?})"
fi
publish "$work/shot.png" "$dir/report-screenshot.png"
echo "$dir/report-screenshot.png"
exit $status
