#!/bin/sh
# check-report.sh: open DIR/report.html in headless Chromium and check that the page rendered
# and that it opens with the answer.
#
#   rendered     a 1280x2000 screenshot of the top of the page is not blank
#   first screen the answer matrix (<section id="answer">) is on the first screen of a 1280x800
#                window, and nothing comes before it: see "The first screen" below
#   complete     every scenario/strategy pair of the results appears as a row of the matrix,
#                and the matrix shows no pair that the results lack
#   self-contained  no reference to anything outside the file
#   charts       every chart in DIR/charts is a valid SVG and PNG of the expected size
#
# Usage: scripts/check-report.sh DIR [RESULT.json...]   (CHROMIUM=path overrides the browser)
# The results are the zcbench/1 files given, else DIR/*.json (what make report draws from).
# The screenshots are kept as DIR/report-screenshot.png (1280x2000) and
# DIR/report-first-screen.png (1280x800).  Exit status 0 when all is well, 1 when a check
# failed, 2 when DIR holds no report, 3 when a tool is missing.
#
# The first screen.  Two independent looks, and both must pass:
#  1. Layout: a copy of the page with a small script added, loaded with --dump-dom at a width of
#     1280, reports where the answer section is (its top, and the bottom of its first matrix
#     row, in page pixels), which element of the kinds section, figure, img and table comes
#     first in the document, which of them are laid out above the answer, and the
#     scenario/strategy of every row of the matrix.  The answer must be the first of those
#     elements, none may sit above it, and its top and first row must lie within FOLD (800)
#     pixels of the top of the page.  (--dump-dom's own viewport is shorter than the window,
#     so the layout is compared with the window's height, not with innerHeight.)
#  2. Paint: a copy of the page whose answer section is painted solid magenta (its content
#     hidden, its box unchanged) is screenshot in a 1280x800 window; magenta must appear, and
#     its topmost row must leave at least MIN_SHOWN pixels of the answer on the screen.
# Moving the answer below a scenario section, or pushing it down with anything taller than the
# screen, fails both; dropping a row from the matrix fails "complete".
set -eu
prog=check-report.sh
here=$(dirname "$0")
# shellcheck source=SCRIPTDIR/report-lib.sh
. "$here/report-lib.sh"

FOLD=800        # the window's height: the first screen
MIN_SHOWN=60    # of the answer, at least its heading and the matrix's first rows

[ $# -ge 1 ] || die "usage: check-report.sh DIR [RESULT.json...]"
dir=$1; shift
html=$dir/report.html
[ -s "$html" ] || die "no report at '$html' (run: make report)"
browser=${CHROMIUM:-chromium}
require_tools "$browser" gnuplot jq
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

work=$(mktemp -d "$dir/.check.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
chrome() {     # chrome PAGE ARGS...: load PAGE (a file) headless; what it prints goes to stdout
	page=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); shift
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--hide-scrollbars --user-data-dir="$work/profile" "$@" "file://$page" 2>>"$work/chromium.log"
}
screenshot() { # screenshot PAGE OUT.png W H: fails unless OUT.png is a WxH PNG
	chrome "$1" --screenshot="$2" --window-size="$3,$4" >>"$work/chromium.log" || true
	if [ "$(png_size "$2" 2>/dev/null)" != "$3 $4" ]; then
		fail "chromium gave no $3x$4 screenshot of '$1'"
		tail -n 5 "$work/chromium.log" >&2
		return 1
	fi
}
pixels() {     # pixels PNG TABLE: every 4th pixel of every 4th row as "x y r g b" (y counts up)
	gnuplot -e "set table '$2'; plot '$1' binary filetype=png every 4:4 with rgbimage; unset table" \
		>"$work/gnuplot.log" 2>&1 || { fail "gnuplot could not read '$1': $(tail -n 1 "$work/gnuplot.log")"; return 1; }
}

# --- rendered: the top 1280x2000 pixels are not blank -----------------------------------------
screenshot "$html" "$work/shot.png" 1280 2000 || exit 1
# gnuplot decodes the screenshot (every 4th pixel) and measures how much of it is not background
# and how much the brightness varies.  A rendered report has text, tables and charts: well over
# 2% of the pixels are not white.
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

# --- first screen, 1: the layout -----------------------------------------------------------
# The probe runs after the page has loaded and appends its findings as JSON in <pre id=zc-probe>.
cat >"$work/probe.js" <<'EOF'
<script>
window.addEventListener('load', function () {
  var out = { found: false }, a = document.getElementById('answer');
  var name = function (e) { return e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''); };
  if (a) {
    var y = window.scrollY, box = a.getBoundingClientRect();
    var rows = a.querySelectorAll('tr[data-strategy]');
    var kinds = 'section, figure, img, table', first = document.querySelector(kinds);
    out = { found: true, top: box.top + y,
            first_row_bottom: rows.length ? rows[0].getBoundingClientRect().bottom + y : null,
            first: first === a ? 'answer' : name(first),
            above: [].filter.call(document.querySelectorAll(kinds), function (e) {
                     return e !== a && !a.contains(e) && e.getBoundingClientRect().top + y < box.top + y;
                   }).map(name),
            pairs: [].map.call(rows, function (r) {
                     return r.getAttribute('data-scenario') + '/' + r.getAttribute('data-strategy');
                   }) };
  }
  var pre = document.createElement('pre');
  pre.id = 'zc-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
EOF
awk -v probe="$work/probe.js" '/<\/body>/ { while ((getline l < probe) > 0) print l } { print }' \
	"$html" >"$work/probe.html"
chrome "$work/probe.html" --dump-dom --window-size=1280,$FOLD >"$work/dom.html" || true
sed -n 's/.*<pre id="zc-probe">\(.*\)<\/pre>.*/\1/p' "$work/dom.html" |
	sed 's/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g' >"$work/probe.json"
if ! jq -e 'type == "object"' "$work/probe.json" >/dev/null 2>&1; then
	fail "chromium --dump-dom gave no layout of '$html'"
	tail -n 5 "$work/chromium.log" >&2
elif ! jq -e .found "$work/probe.json" >/dev/null; then
	fail "'$html' has no answer section (<section id=\"answer\">)"
else
	why=$(jq -r --argjson fold "$FOLD" '
		(if .first != "answer" then "the first section, figure, image or table is \(.first), not the answer" else empty end),
		(if (.above | length) > 0 then "laid out above the answer: \(.above[:6] | join(", "))\(if (.above | length) > 6 then " and \(.above | length - 6) more" else "" end)" else empty end),
		(if .top >= $fold then "the answer starts \(.top | floor) px down, below the fold at \($fold) px" else empty end),
		(if .first_row_bottom == null then empty   # no results at all (a sweep only): "complete" judges
		 elif .first_row_bottom > $fold then "the answer matrix'"'"'s first row ends \(.first_row_bottom | floor) px down, below the fold at \($fold) px"
		 else empty end)' "$work/probe.json")
	if [ -n "$why" ]; then
		echo "$why" | while IFS= read -r line; do echo "$prog: first screen: $line" >&2; done
		status=1
	else
		echo "$prog: the answer is the first section, $(jq -r '.top | floor' "$work/probe.json") px down (fold: $FOLD px)"
	fi
fi

# --- complete: every result of the input has its row in the matrix ---------------------------
if [ $# -eq 0 ]; then
	for f in "$dir"/*.json; do [ -e "$f" ] && set -- "$@" "$f"; done
fi
if [ $# -gt 0 ] && jq -e .found "$work/probe.json" >/dev/null 2>&1; then
	jq -r 'select(type == "object" and .schema == "zcbench/1") | .scenario as $s
		| .results[]? | "\(.scenario // $s)/\(.strategy)"' "$@" | sort >"$work/want" ||
		fail "cannot read the results: $*"
	jq -r '.pairs[]?' "$work/probe.json" 2>/dev/null | sort >"$work/have"
	missing=$(comm -23 "$work/want" "$work/have" | tr '\n' ' ')
	extra=$(comm -13 "$work/want" "$work/have" | tr '\n' ' ')
	[ -z "$missing" ] || fail "missing from the answer matrix: ${missing% } (is the report older than the results? run: make report)"
	[ -z "$extra" ] || fail "the answer matrix shows results the input lacks: ${extra% }"
	[ -n "$missing$extra" ] || echo "$prog: the answer matrix has all $(wc -l <"$work/want" | tr -d ' ') results of $# files"
fi

# --- first screen, 2: the paint --------------------------------------------------------------
screenshot "$html" "$work/first.png" 1280 "$FOLD" || true
awk '/<\/head>/ && !done { sub(/<\/head>/, "<style>#answer{background:#f0f !important}#answer *{visibility:hidden !important}</style></head>"); done = 1 } { print }' \
	"$html" >"$work/marked.html"
if screenshot "$work/marked.html" "$work/marked.png" 1280 "$FOLD" &&
   pixels "$work/marked.png" "$work/marked-pixels"; then
	# y counts up from the bottom row: the topmost magenta row is FOLD - 1 - the largest y.
	shown=$(awk -v h="$FOLD" '$1 ~ /^[0-9]/ && $3 > 230 && $4 < 40 && $5 > 230 { if ($2 > m) m = $2; n++ }
		END { if (n) print h - 1 - m, n; else print "none 0" }' "$work/marked-pixels")
	# shellcheck disable=SC2086 # two words: the topmost row and the count
	set -- $shown
	if [ "$1" = none ]; then
		fail "first screen: no part of the answer is painted in the first ${FOLD} px of a 1280x${FOLD} window"
	elif [ "$1" -gt $((FOLD - MIN_SHOWN)) ]; then
		fail "first screen: the answer is painted from $1 px down: less than $MIN_SHOWN px of it on the first screen"
	else
		echo "$prog: the answer is painted from $1 px down in a 1280x${FOLD} window"
	fi
fi

publish "$work/shot.png" "$dir/report-screenshot.png"
echo "$dir/report-screenshot.png"
if [ -s "$work/first.png" ]; then
	publish "$work/first.png" "$dir/report-first-screen.png"
	echo "$dir/report-first-screen.png"
fi
exit $status
