#!/bin/sh
# e2e_adversarial.sh: strategies that hand the producer's frame over (the write-through probe
# sees sharing) but copy it on the way without declaring it, built only with
# -DZCBENCH_ADVERSARIAL (scenarios/inproc/inproc_strategies.c): one memcpy, 200 memcpys of
# 1/200 of the frame, a round through a pipe, a strdup. Each must be judged a copy from what
# the hooks observed, with the bytes the instruments saw and "undeclared copy" in the
# evidence, and --strict must exit 1. remap_realloc (a frame-sized realloc that glibc serves
# by remapping) must stay zero-copy with 0 bytes. The build is shared with e2e_strict.sh and
# e2e_gate.sh (same flags, so no rebuild).
set -u
. tests/lib/sanitizer.sh
skip_sanitizer_build e2e_adversarial
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "e2e_adversarial: $*" >&2; exit 1; }

make BUILD=build-inject CFLAGS="-DZCBENCH_INJECT_MOVE_COPY -DZCBENCH_ADVERSARIAL" all \
	>"$tmp/build.log" 2>&1 || fail "cannot build the test-only strategies"
build-inject/bin/inproc --quick --quiet --processes 1 \
	--strategy hidden_memcpy,hidden_chunks,hidden_pipe,hidden_strdup,remap_realloc \
	--out "$tmp/adv.json" >/dev/null 2>"$tmp/err" || fail "the run failed: $(cat "$tmp/err")"
python3 - "$tmp/adv.json" <<'PY' || fail "a verdict is wrong"
import json, sys
doc = json.load(open(sys.argv[1]))
frame = doc["frame"]["bytes"]
want = {  # strategy: (user-space frames, kernel frames) the hooks must see per transfer
    "hidden_memcpy": (1, 0), "hidden_chunks": (1, 0), "hidden_pipe": (0, 2),
    "hidden_strdup": (1, 0), "remap_realloc": (0, 0),
}
bad = []
for r in doc["results"]:
    name = r["strategy"]
    if name not in want:
        continue
    c, ident = r["copies"], r["identity"]
    user, kernel = want[name]
    got = (round(c["user_bytes_per_transfer"] / frame * 100) / 100,
           round(c["kernel_bytes_per_transfer"] / frame * 100) / 100)
    verdict = "copy" if user + kernel else "zero-copy"
    if got != (user, kernel) or ident["verdict"] != verdict or c["expected_bytes_per_transfer"]:
        bad.append(f"{name}: {ident['verdict']}, frames {got}, want {verdict} {(user, kernel)}")
    if verdict == "copy" and "undeclared copy" not in ident["evidence"]:
        bad.append(f"{name}: no 'undeclared copy' in: {ident['evidence']}")
    if not ident["aliasing_visible"]:
        bad.append(f"{name}: the probe should see sharing")
for b in bad:
    print("e2e_adversarial:", b, file=sys.stderr)
sys.exit(1 if bad or len([r for r in doc["results"] if r["strategy"] in want]) != 5 else 0)
PY
build-inject/bin/inproc --quick --quiet --processes 1 --strategy hidden_pipe --strict \
	--out "$tmp/strict.json" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "--strict with an undeclared copy exited $rc, expected 1"
build-inject/bin/inproc --quick --quiet --processes 1 --strategy remap_realloc --strict \
	--out "$tmp/strict.json" >/dev/null 2>"$tmp/err" ||
	fail "--strict on the remapping realloc failed: $(cat "$tmp/err")"
exit 0
