#!/bin/sh
# e2e_node.sh: build/bin/node end to end: a quick run whose JSON gives each strategy the
# verdict the instruments in the node process observed (buffer_copy copies a frame, the
# external Buffer and ArrayBuffer share it, read through JavaScript's own objects; the copy
# seen by the interposers and by the pages written), every
# frame given back by the finalizers at the end; and a frame no Node.js Buffer holds
# refused by the node process as bad input (exit code 2 in its answer), with one line.
# Skipped, with one line, where the node boundary is not built.
set -u
. tests/lib/e2e.sh
skip_unbuilt node
e2e_init node
. scenarios/runtimes/node_e2e.sh

if "$BUILD/bin/node" --quick --quiet --processes 2 --out "$E2E_TMP/node.json" \
	>"$E2E_TMP/out" 2>"$E2E_TMP/err"; then
	pass
else
	fail "the quick run exited $?: $(cat "$E2E_TMP/err")"
fi
/usr/bin/python3 - "$E2E_TMP/node.json" <<'PY' 2>"$E2E_TMP/py" && pass || fail "$(cat "$E2E_TMP/py")"
import json, sys
doc = json.load(open(sys.argv[1]))
frame = doc["frame"]["bytes"]
rows = {r["strategy"]: r for r in doc["results"]}
assert set(rows) == {"reference_memcpy", "buffer_copy", "external_buffer",
                     "external_arraybuffer"}, sorted(rows)
c = rows["buffer_copy"]
assert c["identity"]["verdict"] == "copy", c["identity"]
assert c["identity"]["aliasing_visible"] is False, c["identity"]
assert c["copies"]["user_bytes_per_transfer"] >= frame, c["copies"]
for name in ("external_buffer", "external_arraybuffer"):
    r = rows[name]
    assert r["identity"]["verdict"] == "zero-copy", (name, r["identity"])
    assert r["identity"]["aliasing_visible"] is True, (name, r["identity"])
    assert r["copies"]["bytes_per_transfer"] < frame / 100, (name, r["copies"])
    assert r["gc"]["finalizers_run"] > 0, (name, r["gc"])
    assert r["gc"]["external_fallbacks"] == 0, (name, r["gc"])
# Pages written, counted in the node process: the copy lands on pages that hold the frame's
# bytes; the external rows write none. Where the kernel has no uffd-wp, the reason is given.
for r in doc["results"]:
    p = r["pages_written"]
    if p["method"] is None:
        assert p["unavailable"], (r["strategy"], p)
        continue
    assert p["method"] == "uffd-wp", p
    if r["strategy"] in ("reference_memcpy", "buffer_copy"):
        assert r["copies"]["pages_bytes_per_transfer"] >= frame * 0.99, (r["strategy"], p)
    else:
        assert p["frame_bytes_per_transfer"] < 0.01 * frame / 4096, (r["strategy"], p)
for r in doc["results"]:
    assert r["identity"]["checksum_ok"], r["strategy"]
    assert r["gc"]["frames_out_at_end"] == 0, (r["strategy"], r["gc"])
    assert r["allocations"]["live_at_end"] == 0, r["strategy"]
    assert len(r["time"]["process_medians"]) == 2, r["time"]
    assert r["time"]["vs_memcpy"] > 0, r["time"]
PY
grep -q '^external_buffer  *zero-copy' "$E2E_TMP/out" && pass ||
	fail "the table has no zero-copy row for external_buffer: $(cat "$E2E_TMP/out")"
"$BUILD/bin/zcgate" --invariants-only --quiet "$E2E_TMP/node.json" "$E2E_TMP/node.json" \
	>"$E2E_TMP/gate" 2>&1 && pass || fail "zcgate refused the results: $(cat "$E2E_TMP/gate")"

# A frame of 2^32 + 4 bytes is one more word than buffer.constants.MAX_LENGTH (Node 20):
# the node process refuses it before the addon allocates anything. (The program's own
# memory check refuses such frames first on a machine without 8 of them free.) The program
# with such a frame: exit 2, one line, no results file.
node_refuses_frame node zcnode.node libzcproducer.so buffer_copy "more than a Node.js Buffer holds"
node_refuses_frames "$BUILD/bin/node" 32800x32800
e2e_done
