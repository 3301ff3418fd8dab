#!/bin/sh
# e2e_wasm.sh: build/bin/wasm end to end: a quick run whose JSON gives each row, for the C and
# the Rust module alike, the verdict the instruments in the node process observed (the
# Uint8Array views share the module's bytes, read through JavaScript's own object; .slice()
# copies a frame, seen by the interposers and on the pages written; the module's memory is
# watched: the frame's own pages are seen written there); the module's account of every frame
# (handed over, given back once); view_after_grow's views detached by every memory.grow and
# view_recreated's never; and bad input refused with exit status 2 and one line: a frame no
# wasm32 memory holds, a frame size that is no size. Skipped, with one line, where the
# boundary is not built.
set -u
. tests/lib/e2e.sh
skip_unbuilt wasm
e2e_init wasm
. scenarios/runtimes/node_e2e.sh
prog="$BUILD/bin/wasm"

if "$prog" --quick --quiet --processes 1 --out "$E2E_TMP/wasm.json" \
	>"$E2E_TMP/out" 2>"$E2E_TMP/err"; then
	pass
else
	fail "the quick run exited $?: $(cat "$E2E_TMP/err")"
fi
/usr/bin/python3 - "$E2E_TMP/wasm.json" <<'PY' 2>"$E2E_TMP/py" && pass || fail "$(cat "$E2E_TMP/py")"
import json, sys
doc = json.load(open(sys.argv[1]))
frame = doc["frame"]["bytes"]
rows = {r["strategy"]: r for r in doc["results"]}
base_views = ("Uint8Array_view", "view_after_grow", "view_recreated")
views = base_views + tuple("rust_" + v for v in base_views)
copies = ("slice", "rust_slice")
assert set(rows) == {"reference_memcpy", *views, *copies}, sorted(rows)
for name in copies:
    r = rows[name]
    assert r["identity"]["verdict"] == "copy", (name, r["identity"])
    assert r["identity"]["aliasing_visible"] is False, (name, r["identity"])
    assert r["copies"]["user_bytes_per_transfer"] >= frame * 0.99, (name, r["copies"])
    assert r["allocations"]["frame_sized_per_transfer"] >= 1, (name, r["allocations"])
for name in views:
    r = rows[name]
    assert r["identity"]["verdict"] == "zero-copy", (name, r["identity"])
    assert r["identity"]["aliasing_visible"] is True, (name, r["identity"])
    assert r["identity"]["same_address"] is True, (name, r["identity"])
    assert r["copies"]["bytes_per_transfer"] < frame / 100, (name, r["copies"])
# The module's account: every frame it handed over came back to it once, none is out.
for name, r in rows.items():
    w = r["wasm"]
    assert w["taken"] > 0 and w["released"] == w["taken"], (name, w)
    assert w["double_releases"] == 0 and w["frames_out"] == 0, (name, w)
    assert r["allocations"]["live_at_end"] == 0, (name, r["allocations"])
    assert r["identity"]["checksum_ok"], name
# memory.grow detached the view taken before it, every time (its length 0, view[k]
# undefined); the view made after the call that grows is never found detached.
for prefix in ("", "rust_"):
    w = rows[prefix + "view_after_grow"]["wasm"]
    assert w["grows"] == w["taken"] and w["detached_views"] == w["taken"], w
    assert w["undefined_reads"] == w["taken"], w
    w = rows[prefix + "view_recreated"]["wasm"]
    assert w["grows"] == w["taken"] and w["detached_views"] == 0, w
    for name in (prefix + "Uint8Array_view", prefix + "slice"):
        assert rows[name]["wasm"]["grows"] == 0, (name, rows[name]["wasm"])
# Pages written in the node process: the module's memory is watched (the frame's own pages,
# rendered there, are seen written); a copy lands on pages that hold the frame's bytes; the
# views write none. Where the kernel has no uffd-wp, the reason is given.
for r in doc["results"]:
    p = r["pages_written"]
    if p["method"] is None:
        assert p["unavailable"], (r["strategy"], p)
        continue
    assert p["method"] == "uffd-wp", p
    assert p["transfers"] >= 8, p
    assert p["frame_per_transfer"] >= frame / 4096, (r["strategy"], p)
    assert not [u for u in p["unwatched"] if u["bytes"] >= frame / 100], (r["strategy"], p)
    if r["strategy"] in views:
        assert p["frame_bytes_per_transfer"] < 0.01 * frame / 4096, (r["strategy"], p)
    else:
        assert r["copies"]["pages_bytes_per_transfer"] >= frame * 0.99, (r["strategy"], p)
for r in doc["results"]:
    assert len(r["time"]["process_medians"]) == 1, r["time"]
    assert r["time"]["vs_memcpy"] > 0, r["time"]
PY
grep -q '^view_after_grow  *zero-copy' "$E2E_TMP/out" &&
	grep -q '^rust_slice  *copy' "$E2E_TMP/out" && pass ||
	fail "the table does not show the rows' verdicts: $(cat "$E2E_TMP/out")"
# The report after the table: each row's frames, each given back once, and the detached views.
n=$(grep -cE '^[A-Za-z0-9_]+: [0-9]+ frames handed over by the module, [0-9]+ given back, each once' \
	"$E2E_TMP/out")
[ "$n" -eq 9 ] && pass || fail "the report has $n rows whose frames came back once, want 9: $(cat "$E2E_TMP/out")"
n=$(grep -cE '^(rust_)?view_after_grow: ([0-9]+) frames .*memory grown \2 times, \2 views found detached' \
	"$E2E_TMP/out")
[ "$n" -eq 2 ] && pass || fail "the report does not show every view detached: $(cat "$E2E_TMP/out")"
"$BUILD/bin/zcgate" --invariants-only --quiet "$E2E_TMP/wasm.json" "$E2E_TMP/wasm.json" \
	>"$E2E_TMP/gate" 2>&1 && pass || fail "zcgate refused the results: $(cat "$E2E_TMP/gate")"

# A frame of 2^32 + 4 bytes is more than a wasm32 memory addresses: the node process refuses
# it before the module allocates anything. The program with such a frame, and with a size
# that is none: exit 2, one line, no results.
node_refuses_frame wasm zcwasm.node wasm/zcwasm_c.wasm slice "more than a wasm32 memory holds"
node_refuses_frames "$prog" 32800x32800 1920x
e2e_done
