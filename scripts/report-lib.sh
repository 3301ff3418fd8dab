# report-lib.sh: helpers shared by the chart and report scripts (sourced, POSIX sh).
#
# die MSG            one-line error on stderr, exit 2 (bad input, nothing written)
# check_results F..  every F must be a readable, non-empty zcbench/1 document with results
# publish TMP DEST   move a finished temporary file over DEST (same directory: atomic rename)

CHART_W=960     # every chart has this size in pixels, PNG and SVG alike (the tests check it)
CHART_H=600

die() {
	echo "$prog: $*" >&2
	exit 2
}

check_results() {
	for f in "$@"; do
		[ -r "$f" ] && [ -f "$f" ] || die "cannot read '$f'"
		[ -s "$f" ] || die "'$f' is empty"
		jq -e . "$f" >/dev/null 2>&1 || die "'$f' is not JSON"
		schema=$(jq -r 'if type == "object" then .schema // "none" else "none" end' "$f")
		[ "$schema" = "zcbench/1" ] || die "'$f' has schema '$schema', want 'zcbench/1'"
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
