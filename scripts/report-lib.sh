# report-lib.sh: helpers shared by the chart and report scripts (sourced, POSIX sh).
#
# die MSG            one-line error on stderr, exit 2 (bad input, nothing written)
# check_results F..  every F must be a readable, non-empty $ZC_SCHEMA document with results
# publish TMP DEST   move a finished temporary file over DEST (same file system: atomic rename)
# require_tools T..  exit 3 naming the first tool not on PATH
# png_size F         "WIDTH HEIGHT" of a PNG;  svg_ok F W H: well-formed SVG of that size
# chart_ok DIR NAME  DIR/NAME.svg and DIR/NAME.png are valid charts of CHART_W x CHART_H

: "${prog:=zcbench}"   # the name in messages; each script sets its own
# The results schema read here: src/results/schema.h's ZC_SCHEMA (tests/test_schema.c checks).
ZC_SCHEMA="zcbench/1"
CHART_W=960     # every chart has this size in pixels, PNG and SVG alike (the tests check it)
CHART_H=600

die() {
	echo "$prog: $*" >&2
	exit 2
}

check_results() {
	for f in "$@"; do
		{ [ -r "$f" ] && [ -f "$f" ]; } || die "cannot read '$f'"
		[ -s "$f" ] || die "'$f' is empty"
		jq -e . "$f" >/dev/null 2>&1 || die "'$f' is not JSON"
		schema=$(jq -r 'if type == "object" then .schema // "none" else "none" end' "$f")
		[ "$schema" = "$ZC_SCHEMA" ] || die "'$f' has schema '$schema', want '$ZC_SCHEMA'"
		jq -e '(.results | type == "array" and length > 0) and (.scenario | type == "string")' \
			"$f" >/dev/null 2>&1 || die "'$f' has no results"
	done
}

publish() {
	mv -f "$1" "$2"
}

# require_tools: the report group of scripts/deps.sh installs them.
require_tools() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || {
			echo "$prog: '$t' not found (run: scripts/deps.sh report)" >&2
			exit 3
		}
	done
}

# png_size FILE: prints "WIDTH HEIGHT" from the IHDR chunk, or fails when FILE is not a PNG.
png_size() {
	[ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = 89504e470d0a1a0a ] || return 1
	od -An -tu1 -j16 -N8 "$1" | awk '{ print $1*16777216 + $2*65536 + $3*256 + $4, \
		$5*16777216 + $6*65536 + $7*256 + $8 }'
}

# svg_ok FILE W H: FILE is well-formed XML whose root is <svg> of the given width and height.
svg_ok() {
	if command -v xmllint >/dev/null 2>&1; then
		xmllint --noout --nonet "$1" 2>/dev/null || return 1
		[ "$(xmllint --nonet --xpath \
			"concat(local-name(/*), ' ', /*/@width, ' ', /*/@height)" "$1" 2>/dev/null)" \
			= "svg $2 $3" ]
	else    # no XML parser: the root tag, read as one line, and a closing tag
		tr '\n' ' ' <"$1" | grep -q "<svg [^>]*width=\"$2\" *height=\"$3\"" &&
			grep -q '</svg>' "$1"
	fi
}

# chart_ok DIR NAME: DIR/NAME.svg and DIR/NAME.png are valid and CHART_W x CHART_H.
chart_ok() {
	svg_ok "$1/$2.svg" "$CHART_W" "$CHART_H" || { echo "$1/$2.svg: not a ${CHART_W}x${CHART_H} SVG"; return 1; }
	[ "$(png_size "$1/$2.png")" = "$CHART_W $CHART_H" ] || { echo "$1/$2.png: not a ${CHART_W}x${CHART_H} PNG"; return 1; }
}
