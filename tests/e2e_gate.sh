#!/bin/sh
# e2e_gate.sh: a build that makes the inproc 'move' strategy copy the frame once more
# (-DZCBENCH_INJECT_MOVE_COPY, used by nothing but this test) must fail the gate against a
# baseline from the normal build, on the copies invariant of inproc/move.
# Run from the repository root after the normal build; BUILD names it (default build).
set -u
BUILD=${BUILD:-build}

if [ ! -x "$BUILD/bin/inproc" ]; then
	echo "e2e_gate: no $BUILD/bin/inproc: run make first" >&2
	exit 1
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/base" "$tmp/cur"

fail() {
	echo "e2e_gate: $*" >&2
	for f in build.log out err; do
		[ -s "$tmp/$f" ] && tail -n 20 "$tmp/$f" | sed "s/^/  $f: /" >&2
	done
	exit 1
}

make BUILD=build-inject CFLAGS=-DZCBENCH_INJECT_MOVE_COPY all >"$tmp/build.log" 2>&1 ||
	fail "cannot build the tree with ZCBENCH_INJECT_MOVE_COPY"
"$BUILD/bin/inproc" --frame 256x256 --quick --out "$tmp/base/inproc.json" >/dev/null 2>&1 ||
	fail "'$BUILD/bin/inproc' failed"
build-inject/bin/inproc --frame 256x256 --quick --out "$tmp/cur/inproc.json" >/dev/null 2>&1 ||
	fail "'build-inject/bin/inproc' failed"

"$BUILD/bin/zcgate" "$tmp/base" "$tmp/cur" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "zcgate exited $rc, expected 1"
grep -Eq '^inproc +move +copies\.bytes_per_transfer .* regressed$' "$tmp/out" ||
	fail "no regression of inproc/move copies.bytes_per_transfer"
exit 0
