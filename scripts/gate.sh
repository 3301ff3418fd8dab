#!/bin/sh
# gate.sh: the quick suite gated against the baseline, with a failed gate confirmed.
#
# Usage: scripts/gate.sh BUILD BASELINE RUNDIR [zcgate options...]
#
# Runs the quick suite into RUNDIR and gates it with BUILD/bin/zcgate. Invariant regressions
# (verdicts, copies, allocations, leaks) are exact and fail at once. A timing regression on a
# shared machine can be a noisy minute: the suite then runs a second time into RUNDIR-confirm,
# and the gate fails only on timing rows that regressed in both runs. Exit 0 pass, 1 regression,
# 2 bad input.
set -u
build=$1 baseline=$2 run=$3
shift 3

gate_once() { # gate_once DIR [zcgate options]: bench into DIR, gate it into DIR.md, DIR.json
	dir=$1
	shift
	rm -rf "$dir"
	make --no-print-directory bench BUILD="$build" QUICK=1 REPORT=0 RESULTS="$dir" \
		>"$dir.log" 2>&1 ||
		{ tail -n 20 "$dir.log"; echo "gate: the quick suite failed (log: $dir.log)" >&2; exit 2; }
	"$build/bin/zcgate" "$baseline" "$dir" --markdown "$dir.md" --json "$dir.json" "$@"
}

regressed() { # regressed FILE KIND: "scenario strategy metric" of each regressed row of KIND
	jq -r --arg kind "$2" '.rows[] | select(.status == "regressed")
		| select((.metric == "time.vs_memcpy") == ($kind == "timing"))
		| "\(.scenario) \(.strategy) \(.metric)"' "$1"
}

scripts/deps.sh report || exit 2
gate_once "$run" "$@"
rc=$?
[ "$rc" -eq 1 ] || exit "$rc"
[ -z "$(regressed "$run.json" invariant)" ] || exit 1

echo "gate: timing regressed; running the suite again to confirm"
gate_once "$run-confirm" "$@"
rc=$?
[ "$rc" -le 1 ] || exit "$rc"
[ -z "$(regressed "$run-confirm.json" invariant)" ] || exit 1
both=$(regressed "$run-confirm.json" timing | while read -r row; do
	regressed "$run.json" timing | grep -Fqx "$row" && echo "$row"; done)
if [ -n "$both" ]; then
	printf 'gate: regressed in both runs:\n%s\n' "$both" >&2
	exit 1
fi
echo "gate: the timing regressions of the first run did not repeat: not counted"
exit 0
