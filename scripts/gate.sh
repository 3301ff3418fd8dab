#!/bin/sh
# gate.sh: make gate. The working tree (head) against a base revision, both measured on this
# machine in this job, plus the exact figures against the committed baseline.
#
# Usage: scripts/gate.sh BUILD BASELINE RUNDIR [zcgate options...]
#   BUILD     the head's build directory (built already)
#   BASELINE  the committed baseline (results/baseline): its exact figures are gated at once
#   RUNDIR    written: RUNDIR/base/, RUNDIR/head/ (gate-ab.sh), RUNDIR/unchanged/ (the
#             scenarios not timed), RUNDIR/current/ (every scenario's head results), RUNDIR/baseline/ (the
#             baseline's files for the scenarios run), RUNDIR.md and RUNDIR.json (A/B),
#             RUNDIR-invariants.md and .json (against the baseline)
# Environment:
#   BASE=REV            the base revision (default: below)
#   GATE_MIN_ROUNDS, GATE_MAX_ROUNDS, GATE_BUDGET, GATE_THRESHOLD: scripts/gate-ab.sh
#   GATE_SCENARIOS="a b"  the scenarios (default: every scenario of head and base)
#   GATE_REQUIRE_BASE=1   exit 2, not 0, when the base cannot be built or run
#   GATE_TIME_ALL=1       time every scenario, also those whose inputs are the base's
#                         (scripts/gate-unchanged.sh then names none)
#
# The default base is the revision the change started from: the merge base with the branch
# HEAD tracks when HEAD is ahead of it (a pull request, a feature branch), else HEAD's parent
# (the commit before the last on main). A slowdown is then blamed on the change that made
# it, once; the exact figures are still gated against the committed baseline every time.
#
# Steps: (1) the base revision checked out in a git worktree under BUILD/gate-base/ and built
# there by its own make, when a scenario is to be timed; (2) the scenarios none of whose
# inputs changed since the base (scripts/gate-unchanged.sh) run once, head only; (3) scripts/gate-ab.sh runs both quick
# suites of the others in rounds, interleaved, until every row is decided; (4) zcgate
# --invariants-only BASELINE head (every scenario); (5) zcgate base head: invariants and
# timing of the scenarios that changed, the timing judged on the suspects' rounds after the
# first look alone (--screened --confirm-base --confirm-current). When the base cannot be had (not in a shallow clone, does not
# build, its programs fail), one line says so and only step 3 gates: timing needs a base
# measured here, and failing every pipeline that lacks one would block work the exact gate
# still protects.
# Exit: 0 pass, 1 regression (or a result missing), 2 bad input, a refused comparison, or the
# head's suite failed.
set -u
build=$1 baseline=$2 run=$3
shift 3
here=$(pwd)

say() { echo "gate: $*" >&2; }

abspath() { case $1 in /*) echo "$1" ;; *) echo "$here/$1" ;; esac; }

scenarios_of() { # scenarios_of TREE: the SCENARIOS its Makefile finds
	printf 'gate-print-scenarios:\n\t@echo $(SCENARIOS)\n' |
		make -s --no-print-directory -C "$1" -f Makefile -f - gate-print-scenarios 2>/dev/null
}

default_base() { # the revision the change started from (above), or nothing
	up=$(git rev-parse -q --verify '@{upstream}' 2>/dev/null)
	if [ -n "$up" ] && [ "$(git rev-list --count "$up..HEAD" 2>/dev/null)" != 0 ]; then
		git merge-base HEAD "$up" 2>/dev/null && return
	fi
	git rev-parse -q --verify 'HEAD^' 2>/dev/null
}

# check_out_base REV: REV in a git worktree, DIR/src; prints DIR, or fails with a reason.
check_out_base() {
	commit=$(git rev-parse -q --verify "$1^{commit}" 2>/dev/null) ||
		{ say "base revision '$1' is not in this clone (a shallow clone, or a typo)"; return 1; }
	dir=$(abspath "$build")/gate-base/$(echo "$commit" | cut -c1-12)
	mkdir -p "$dir" || return 1
	git worktree prune 2>/dev/null
	if [ ! -e "$dir/src/Makefile" ]; then
		rm -rf "$dir/src"
		git worktree add -f --detach "$dir/src" "$commit" >"$dir.log" 2>&1 ||
			{ say "cannot check out base revision '$1' (log: $dir.log)"; return 1; }
	fi
	echo "$dir"
}

# build_base DIR REV: builds the base checked out in DIR; prints its bin/ directory, or fails
# with a reason.
build_base() {
	# Its own make, none of the head's make variables; no -Werror: the base is measured, not
	# checked, and an old revision may warn under a newer compiler.
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL CI= CFLAGS= make -C "$1/src" -j2 \
		BUILD="$1/build" all >>"$1.log" 2>&1 ||
		{ say "base revision '$2' does not build (log: $1.log)"; return 1; }
	echo "$1/build/bin"
}

# The zcgate options that also hold for the invariants: --allow-missing.
inv_args=
for a; do [ "$a" = --allow-missing ] && inv_args=--allow-missing; done

scripts/deps.sh report || exit 2
rm -rf "$run" && mkdir -p "$run/baseline" || exit 2

rev=${BASE:-$(default_base)}
base_dir= base_bin=
if [ -z "$rev" ]; then
	say "no base revision: BASE is not set and HEAD has no parent"
elif base_dir=$(check_out_base "$rev"); then
	:
else
	base_dir=
fi

scenarios=${GATE_SCENARIOS:-$( (scenarios_of .; [ -n "$base_dir" ] && scenarios_of "$base_dir/src") |
	tr ' ' '\n' | awk 'NF && !seen[$0]++')}
for sc in $scenarios; do
	[ -e "$baseline/$sc.json" ] && cp "$baseline/$sc.json" "$run/baseline/"
done

# Scenarios none of whose inputs changed since the base are run once, head only, for their
# exact figures: timing the same sources against each other measures only noise.
# The base is built only when a scenario is timed against it: a change that touches no
# scenario's inputs (docs, tools, tests) waits for no base build.
same= unneeded=
if [ -n "$base_dir" ]; then
	# shellcheck disable=SC2086 # the scenarios are words
	same=$(scripts/gate-unchanged.sh "$rev" $scenarios | paste -sd' ' -)
	timed=$(for sc in $scenarios; do
		case " $same " in *" $sc "*) ;; *) echo "$sc" ;; esac; done | paste -sd' ' -)
	if [ -z "$timed" ]; then
		unneeded=1
		say "base revision $rev not built: no scenario's inputs changed since it"
	elif ! base_bin=$(build_base "$base_dir" "$rev"); then
		base_bin= same= # every scenario head only, below
	fi
	if [ -n "$same" ]; then
		say "timing not compared for $same: their inputs are the base's (scripts/gate-unchanged.sh)"
		scripts/gate-ab.sh "" "$build/bin" "$run/unchanged" $same || exit 2
		scenarios=$timed
	fi
fi

echo "gate: ${base_bin:+base $rev and }head, interleaved in rounds until each row is decided"
rc=0
if [ -n "$scenarios" ]; then
	scripts/gate-ab.sh "$base_bin" "$build/bin" "$run" $scenarios
	rc=$?
else
	mkdir -p "$run/base" "$run/head" || exit 2
	say "every scenario's inputs are the base's: nothing to time"
fi
if [ "$rc" -eq 3 ]; then
	say "base revision '$rev' failed to run (log: $run/base.log)"
	base_bin=
elif [ "$rc" -ne 0 ]; then
	exit 2
elif [ -n "$base_bin" ] && [ -n "$scenarios" ] && ! ls "$run/base/"*.json >/dev/null 2>&1; then
	say "base revision '$rev' has none of the scenarios run (too old?)"
	base_bin=
fi
# Every scenario the head ran, timed or not, for the exact figures.
mkdir -p "$run/current" || exit 2
cp "$run/head/"*.json "$run/unchanged/head/"*.json "$run/current/" 2>/dev/null

worst=0
gate() { # gate BASE CURRENT OUTPUT-PREFIX [options]: zcgate, remembering the worst exit
	b=$1 c=$2 o=$3
	shift 3
	"$build/bin/zcgate" "$b" "$c" --markdown "$o.md" --json "$o.json" "$@"
	r=$?
	[ "$r" -gt "$worst" ] && worst=$r
	return 0
}

echo "== exact figures against the committed baseline ($baseline)"
if ls "$run/baseline/"*.json >/dev/null 2>&1; then
	gate "$run/baseline" "$run/current" "$run-invariants" --invariants-only $inv_args
else
	say "the baseline '$baseline' holds none of the scenarios run: nothing to gate against it"
fi
if [ -n "$base_bin" ] && [ -n "$scenarios" ]; then
	echo "== head against base $rev, measured side by side"
	# The screen's rounds choose the suspects; the rounds after the first look, compared on
	# their own, judge them (tools/zcgate/gate.h).
	confirm=
	ls "$run/confirm/base/"*.json "$run/confirm/head/"*.json >/dev/null 2>&1 &&
		confirm="--confirm-base $run/confirm/base --confirm-current $run/confirm/head"
	# shellcheck disable=SC2086 # the options are words
	gate "$run/base" "$run/head" "$run" --same-machine --timing-only --screened $confirm "$@"
elif [ -n "$base_bin" ] || [ -n "$unneeded" ]; then
	say "timing not compared: no scenario's inputs changed since base $rev"
else
	say "timing not compared: no base measured here; gating the invariants only"
	[ "${GATE_REQUIRE_BASE:-0}" = 1 ] && [ "$worst" -lt 2 ] && worst=2
fi
exit "$worst"
