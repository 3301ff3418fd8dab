#!/bin/sh
# e2e_lifetime.sh: the whole life of a transfer. The rows of
# scenarios/inproc/adversarial_lifetime.c (built only with -DZCBENCH_ADVERSARIAL) hand the
# frame over like move and copy it with a word loop (no copy function: only the pages written
# can see it) into memory that goes before anyone looks (a mapping unmapped, a buffer
# discarded with MADV_DONTNEED or wiped with memset, a block freed), or by a worker thread
# 20 ms after release(); copy_in_release copies in release() itself; in the thread scenario,
# late_copy's consumer thread copies after it answered. Each must be a copy of one frame by the
# pages written, and --strict must exit 1. Shares e2e_adversarial.sh's build.
set -u
. tests/lib/e2e.sh
e2e_init lifetime
skip_sanitizer_build
tmp=$E2E_TMP

inject_build
"$INJECT/bin/inproc" --quick --quiet --processes 1 \
	--strategy copy_then_unmap,copy_then_madvise,copy_then_wipe,copy_then_free,late_worker,copy_in_release,every_eighth \
	--out "$tmp/life.json" >/dev/null 2>"$tmp/err" || die "the run failed: $(cat "$tmp/err")"
python3 - "$tmp/life.json" <<'PY' || fail "a verdict or a figure is wrong"
import json, sys
doc = json.load(open(sys.argv[1]))
frame = doc["frame"]["bytes"]
# strategy: frames per transfer (copy functions, pages written, observed)
want = {"copy_then_unmap": (0, 1, 1), "copy_then_madvise": (0, 1, 1), "copy_then_wipe": (0, 1, 1),
        "copy_then_free": (0, 1, 1), "late_worker": (0, 1, 1), "copy_in_release": (1, 1, 1)}
frames = lambda b: round(b / frame * 100) / 100
if any(r["pages_written"]["unavailable"] for r in doc["results"]):
    print("e2e_lifetime: pages written not counted here; skipped")
    sys.exit(0)
bad, seen = [], set()
for r in doc["results"]:
    name = r["strategy"]
    if name not in want:
        continue
    seen.add(name)
    c = r["copies"]
    got = tuple(frames(c[k]) for k in ("user_bytes_per_transfer", "pages_bytes_per_transfer",
                                       "bytes_per_transfer"))
    if got != want[name] or r["identity"]["verdict"] != "copy":
        bad.append(f"{name}: {r['identity']['verdict']}, frames {got}, want copy {want[name]}")
    if r["pages_written"]["late_threads"] != 0:
        bad.append(f"{name}: {r['pages_written']['late_threads']} transfers left a thread running")
# every_eighth: 1 of the 8 watched transfers copies a frame, 0.125 a transfer
e = next((r for r in doc["results"] if r["strategy"] == "every_eighth"), None)
if not e or abs(e["copies"]["pages_bytes_per_transfer"] / frame - 0.125) > 0.01 \
        or e["identity"]["verdict"] != "copy":
    bad.append(f"every_eighth: {e and e['copies']['pages_bytes_per_transfer'] / frame} frames, want 0.125")
for b in bad:
    print("e2e_lifetime:", b, file=sys.stderr)
sys.exit(1 if bad or seen != set(want) else 0)
PY
# thread: a consumer thread that copies the frame after it answered (word loop): the release
# waits for it, and the pages are counted after the release.
"$INJECT/bin/thread" --quick --quiet --processes 1 --strategy late_copy \
	--out "$tmp/thread.json" >/dev/null 2>"$tmp/err" || die "the thread run failed: $(cat "$tmp/err")"
check_json "$tmp/thread.json" \
	'all(round(r(n)["copies"]["pages_bytes_per_transfer"] / d["frame"]["bytes"], 2) == 1 and r(n)["identity"]["verdict"] == "copy" for n in ("late_copy@same", "late_copy@cross"))' \
	"a consumer thread copying after it answered is a copy of one frame"
for s in copy_then_unmap late_worker; do
	"$INJECT/bin/inproc" --quick --quiet --processes 1 --strategy $s --strict \
		--out "$tmp/strict.json" >/dev/null 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] || fail "--strict with a copy that went ($s) exited $rc, expected 1"
done
e2e_done
