#!/bin/sh
# bridges.sh: the table "What your bridge does" across the real bridges, from results files.
#
# Usage: scripts/bridges.sh RESULTS.json... > bridges.md
#   RESULTS: the results of the bridge boundaries (BRIDGE_SCENARIOS in the Makefile: a
#   boundary built on a bridge someone else maintains names itself there), any order.
# Writes Markdown to stdout (scripts/bridges.jq): one row per strategy with the call a user
# writes (the strategy's `mirrors`), the verdict, the frames copied, the median and the ratio
# to memcpy. make bench writes it to results/bridges.md. Exit: 0; 2 on bad input (one line).
set -eu
prog=bridges
here=$(dirname "$0")
. "$here/report-lib.sh"
require_tools jq
[ $# -gt 0 ] || die "no results files (usage: scripts/bridges.sh RESULTS.json...)"
check_results "$@"
jq -r -s -L "$here" -f "$here/bridges.jq" "$@"
