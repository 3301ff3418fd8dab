#!/bin/sh
# gate-unchanged.sh: the scenarios whose every input is the base revision's, so that make gate
# need not time them (issue: a gate whose cost does not grow with every boundary added).
#
# Usage: scripts/gate-unchanged.sh REV SCENARIO...
#   Prints, one a line, each SCENARIO none of whose inputs differ between REV and the working
#   tree (committed or not, untracked files included): the library and the shim (src/,
#   bench/, include/), the build (Makefile, mk/), the producers (scenarios/producers/), what
#   the runtime families share (scenarios/runtimes/) and the scenario's own folder. Such a
#   scenario's programs are built from the same sources with the same compiler as the base's,
#   on the same machine: timing them against each other can only measure noise. Its exact
#   figures are still gated against the committed baseline.
#   With GATE_TIME_ALL=1 it prints none: every scenario is timed. make gate-power needs that:
#   its A/A gates have the base's sources, and its slowed heads differ only by their flags.
# Exit: 0, also when none is unchanged; 2 when REV is not a revision of this clone.
set -u
rev=$1
shift
git rev-parse -q --verify "$rev^{commit}" >/dev/null 2>&1 ||
	{ echo "gate-unchanged: '$rev' is not a revision of this clone" >&2; exit 2; }
[ "${GATE_TIME_ALL:-0}" = 1 ] && exit 0
for sc; do
	[ -d "scenarios/$sc" ] || continue
	inputs="src bench include Makefile mk scenarios/producers scenarios/runtimes scenarios/$sc"
	# shellcheck disable=SC2086 # the paths are words
	git diff --quiet "$rev" -- $inputs 2>/dev/null || continue
	# shellcheck disable=SC2086
	[ -z "$(git ls-files --others --exclude-standard -- $inputs)" ] || continue
	echo "$sc"
done
