#!/bin/sh
# e2e_strict.sh: a zero-copy strategy that copies is reported as a copy, with the evidence,
# and --strict turns that into exit 1. The copy comes from a test-only build switch
# (-DZCBENCH_INJECT_MOVE_COPY: inproc's move copies the frame once more).
set -u
. tests/lib/e2e.sh
e2e_init strict
skip_sanitizer_build
tmp=$E2E_TMP

inject_build
"$INJECT/bin/inproc" --frame 256x256 --quick --quiet --strategy move \
	--out "$tmp/lenient.json" >/dev/null 2>&1 || die "without --strict the run must succeed"
"$INJECT/bin/inproc" --frame 256x256 --quick --quiet --strategy move --strict \
	--out "$tmp/strict.json" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "--strict exited $rc, expected 1"
grep -q 'expected to be zero-copy' "$tmp/err" || fail "no message: $(cat "$tmp/err")"
for f in lenient strict; do
	python3 - "$tmp/$f.json" <<'PY' || fail "$f: move is not reported as a copy of one frame"
import json, sys
doc = json.load(open(sys.argv[1]))
move = next(r for r in doc["results"] if r["strategy"] == "move")
assert move["identity"]["verdict"] == "copy", move["identity"]
assert move["identity"]["evidence"].startswith("expected zero-copy, but the consumer has a copy")
assert move["copies"]["bytes_per_transfer"] == doc["frame"]["bytes"], move["copies"]
PY
done
e2e_done
