#!/bin/sh
# e2e_gate.sh: the exact figures of a run gated against the committed baseline
# (results/baseline, made on another machine): the normal build passes, and a build that makes
# the inproc 'move' strategy copy the frame once more (-DZCBENCH_INJECT_MOVE_COPY, used by
# nothing but this test) fails on the copies invariant of inproc/move.
# Run from the repository root after the normal build; BUILD names it (default build).
set -u
. tests/lib/e2e.sh
e2e_init gate
skip_sanitizer_build
[ -x "$BUILD/bin/inproc" ] || die "no $BUILD/bin/inproc: run make first"
tmp=$E2E_TMP
mkdir -p "$tmp/cur" "$tmp/inject"

inject_build
# The baseline's frame (1920x1080), one measuring process: the invariants do not need more.
"$BUILD/bin/inproc" --quick --processes 1 --out "$tmp/cur/inproc.json" >/dev/null 2>&1 ||
	die "'$BUILD/bin/inproc' failed"
# The baseline's strategies: the test-only ones (adversarial_strategies.c) need kernel features
# of their own (a userfaultfd, io_uring) and the gate has nothing to say about them.
strategies=$("$BUILD/bin/inproc" --list | awk '{ print $1 }' | paste -sd, -)
"$INJECT/bin/inproc" --quick --processes 1 --strategy "$strategies" \
	--out "$tmp/inject/inproc.json" >/dev/null 2>&1 || die "'$INJECT/bin/inproc' failed"

"$BUILD/bin/zcgate" --invariants-only results/baseline/inproc.json "$tmp/cur" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || { show_logs "$tmp/out" "$tmp/err"; fail "the normal build against the committed baseline: exit $rc, expected 0"; }
"$BUILD/bin/zcgate" --invariants-only results/baseline/inproc.json "$tmp/inject" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "zcgate exited $rc, expected 1"
grep -Eq '^inproc +move +copies\.bytes_per_transfer .* regressed$' "$tmp/out" ||
	{ show_logs "$tmp/out" "$tmp/err"; fail "no regression of inproc/move copies.bytes_per_transfer"; }
e2e_done
