#!/bin/sh
# e2e_node_addon_api.sh: build/bin/node_addon_api end to end: a quick run whose JSON gives
# each node-addon-api row the verdict the instruments in the node process observed
# (Buffer_Copy and NewOrCopy built without external buffers copy a frame; Buffer::New,
# NewOrCopy on Node 20 and ArrayBuffer::New share it, read through JavaScript's own objects;
# the copy seen by the interposers and by the pages written), the addon's account of every
# frame (handed over, given back once, by the finalizer V8 ran or inside NewOrCopy's call);
# and bad input refused with exit status 2 and one line: a frame no Node.js Buffer holds,
# a frame size that is no size. Skipped, with one line, where the boundary is not built.
set -u
. tests/lib/e2e.sh
skip_unbuilt node_addon_api
e2e_init node_addon_api
. scenarios/runtimes/node_e2e.sh
prog="$BUILD/bin/node_addon_api"

# NODE_EXTRA_CA_CERTS, which node would read at every start, is not passed on (node_runner.c):
# a file that is not there would make node warn.
if NODE_EXTRA_CA_CERTS=/nonexistent-zcbench "$prog" --quick --quiet --processes 2 \
	--out "$E2E_TMP/naa.json" >"$E2E_TMP/out" 2>"$E2E_TMP/err"; then
	pass
else
	fail "the quick run exited $?: $(cat "$E2E_TMP/err")"
fi
grep -q "extra certs" "$E2E_TMP/err" && fail "node read NODE_EXTRA_CA_CERTS: $(cat "$E2E_TMP/err")" || pass
/usr/bin/python3 - "$E2E_TMP/naa.json" <<'PY' 2>"$E2E_TMP/py" && pass || fail "$(cat "$E2E_TMP/py")"
import json, sys
doc = json.load(open(sys.argv[1]))
frame = doc["frame"]["bytes"]
rows = {r["strategy"]: r for r in doc["results"]}
views = ("Buffer_New_external", "Buffer_NewOrCopy", "ArrayBuffer_New_external")
copies = ("Buffer_Copy", "Buffer_NewOrCopy_no_externals")
assert set(rows) == {"reference_memcpy", *views, *copies}, sorted(rows)
for name in copies:
    r = rows[name]
    assert r["identity"]["verdict"] == "copy", (name, r["identity"])
    assert r["identity"]["aliasing_visible"] is False, (name, r["identity"])
    assert r["copies"]["user_bytes_per_transfer"] >= frame, (name, r["copies"])
for name in views:
    r = rows[name]
    assert r["identity"]["verdict"] == "zero-copy", (name, r["identity"])
    assert r["identity"]["aliasing_visible"] is True, (name, r["identity"])
    assert r["identity"]["same_address"] is True, (name, r["identity"])
    assert r["copies"]["bytes_per_transfer"] < frame / 100, (name, r["copies"])
# Every frame handed over was given back exactly once, and by whom: V8's finalizer for the
# views (none inside the call), NewOrCopy's finalizer inside the call where it copied,
# nobody's for Buffer_Copy (the addon gives it back after the copy).
for name in views + copies:
    g = rows[name]["gc"]
    assert g["taken"] > 0 and g["given_back"] == g["taken"], (name, g)
    assert g["double_releases"] == 0, (name, g)
    if name in views:
        assert g["finalizers_run"] == g["taken"] and g["finalizers_in_call"] == 0, (name, g)
        assert g["views"] == g["taken"] and g["copies"] == 0, (name, g)
    else:
        assert g["views"] == 0 and g["copies"] == g["taken"], (name, g)
g = rows["Buffer_NewOrCopy_no_externals"]["gc"]
assert g["finalizers_run"] == g["finalizers_in_call"] == g["taken"], g
assert rows["Buffer_Copy"]["gc"]["finalizers_run"] == 0, rows["Buffer_Copy"]["gc"]
# Pages written, counted in the node process: a copy lands on pages that hold the frame's
# bytes; the views write none. Where the kernel has no uffd-wp, the reason is given.
for r in doc["results"]:
    p = r["pages_written"]
    if p["method"] is None:
        assert p["unavailable"], (r["strategy"], p)
        continue
    assert p["method"] == "uffd-wp", p
    assert p["transfers"] >= 8, p  # as many as every scenario's pass: a copy every 8th is seen
    if r["strategy"] in views:
        assert p["frame_bytes_per_transfer"] < 0.01 * frame / 4096, (r["strategy"], p)
    else:
        assert r["copies"]["pages_bytes_per_transfer"] >= frame * 0.99, (r["strategy"], p)
for r in doc["results"]:
    assert r["identity"]["checksum_ok"], r["strategy"]
    assert r["gc"]["frames_out_at_end"] == 0, (r["strategy"], r["gc"])
    assert r["allocations"]["live_at_end"] == 0, r["strategy"]
    assert len(r["time"]["process_medians"]) == 2, r["time"]
    assert r["time"]["vs_memcpy"] > 0, r["time"]
PY
grep -q '^Buffer_NewOrCopy  *zero-copy' "$E2E_TMP/out" &&
	grep -q '^Buffer_NewOrCopy_no_externals  *copy' "$E2E_TMP/out" && pass ||
	fail "the table does not show NewOrCopy shared and, without externals, copied: $(cat "$E2E_TMP/out")"
# The report after the table: each row's frames, each given back once.
n=$(grep -cE '^(Buffer_|ArrayBuffer_)[A-Za-z_]*: [0-9]+ frames handed over, .*, each once$' \
	"$E2E_TMP/out")
[ "$n" -eq 5 ] && pass || fail "the report has $n rows whose frames came back once, want 5: $(cat "$E2E_TMP/out")"
"$BUILD/bin/zcgate" --invariants-only --quiet "$E2E_TMP/naa.json" "$E2E_TMP/naa.json" \
	>"$E2E_TMP/gate" 2>&1 && pass || fail "zcgate refused the results: $(cat "$E2E_TMP/gate")"

# A frame of 2^32 + 4 bytes is one more word than buffer.constants.MAX_LENGTH (Node 20):
# the node process refuses it before the addon allocates anything. The program with such a
# frame, and with a size that is none: exit 2, one line, no results.
node_refuses_frame node_addon_api zcnapi.node libzcproducer.so Buffer_Copy \
	"more than a Node.js Buffer holds"
node_refuses_frames "$prog" 32800x32800 1920x
e2e_done
