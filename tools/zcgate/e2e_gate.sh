#!/bin/sh
# e2e_gate.sh: the exact figures of a run gated against the committed baseline
# (results/baseline, made on another machine): the normal build passes, and a build that makes
# the inproc 'move' strategy copy the frame once more (-DZCBENCH_INJECT_MOVE_COPY, used by
# nothing but this test) fails on the copies invariant of inproc/move.
# Run from the repository root after the normal build; BUILD names it (default build).
set -u
. tests/lib/sanitizer.sh
skip_sanitizer_build e2e_gate
BUILD=${BUILD:-build}

if [ ! -x "$BUILD/bin/inproc" ]; then
	echo "e2e_gate: no $BUILD/bin/inproc: run make first" >&2
	exit 1
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/cur" "$tmp/inject"

fail() {
	echo "e2e_gate: $*" >&2
	for f in build.log out err; do
		[ -s "$tmp/$f" ] && tail -n 20 "$tmp/$f" | sed "s/^/  $f: /" >&2
	done
	exit 1
}

make BUILD=build-inject CFLAGS="-DZCBENCH_INJECT_MOVE_COPY -DZCBENCH_ADVERSARIAL" all >"$tmp/build.log" 2>&1 ||
	fail "cannot build the tree with ZCBENCH_INJECT_MOVE_COPY"
# The baseline's frame (1920x1080), one measuring process: the invariants do not need more.
"$BUILD/bin/inproc" --quick --processes 1 --out "$tmp/cur/inproc.json" >/dev/null 2>&1 ||
	fail "'$BUILD/bin/inproc' failed"
build-inject/bin/inproc --quick --processes 1 --out "$tmp/inject/inproc.json" >/dev/null 2>&1 ||
	fail "'build-inject/bin/inproc' failed"

"$BUILD/bin/zcgate" --invariants-only results/baseline/inproc.json "$tmp/cur" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "the normal build against the committed baseline: exit $rc, expected 0"
"$BUILD/bin/zcgate" --invariants-only results/baseline/inproc.json "$tmp/inject" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "zcgate exited $rc, expected 1"
grep -Eq '^inproc +move +copies\.bytes_per_transfer .* regressed$' "$tmp/out" ||
	fail "no regression of inproc/move copies.bytes_per_transfer"
exit 0
