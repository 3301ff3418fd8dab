#!/bin/sh
# e2e_cxx.sh: build/bin/cxx end to end: a quick run whose JSON gives each cxx row the verdict
# the instruments observed (rust::Slice, a rust::Vec returned and a CxxVector Rust filled in
# place share the frame; the copy into a CxxVector is a memcpy the interposers see; the
# std::vector made from a rust::Vec is a loop the compiler inlined, which only the pages
# written see); every frame-sized block allocated freed once and none left; and bad input
# refused with exit status 2 and one line. Skipped, with one line, where the boundary is not
# built.
set -u
. tests/lib/e2e.sh
skip_unbuilt cxx
e2e_init cxx
prog="$BUILD/bin/cxx"

if "$prog" --quick --quiet --out "$E2E_TMP/cxx.json" >"$E2E_TMP/out" 2>"$E2E_TMP/err"; then
	pass
else
	fail "the quick run exited $?: $(cat "$E2E_TMP/err")"
fi
/usr/bin/python3 - "$E2E_TMP/cxx.json" <<'PY' 2>"$E2E_TMP/py" && pass || fail "$(cat "$E2E_TMP/py")"
import json, sys
doc = json.load(open(sys.argv[1]))
frame = doc["frame"]["bytes"]
rows = {r["strategy"]: r for r in doc["results"]}
views = ("Slice_view", "Vec_returned", "CxxVector_filled")
copies = ("CxxVector_copied", "Vec_to_std_vector")
assert set(rows) == {"reference_memcpy", *views, *copies}, sorted(rows)
for name in views:
    r = rows[name]
    assert r["identity"]["verdict"] == "zero-copy", (name, r["identity"])
    assert r["identity"]["aliasing_visible"] is True, (name, r["identity"])
    assert r["identity"]["same_address"] is True, (name, r["identity"])
    assert r["copies"]["bytes_per_transfer"] < frame / 100, (name, r["copies"])
for name in copies:
    r = rows[name]
    assert r["identity"]["verdict"] == "copy", (name, r["identity"])
    assert r["identity"]["aliasing_visible"] is False, (name, r["identity"])
    assert r["copies"]["bytes_per_transfer"] >= frame * 0.99, (name, r["copies"])
# The copy into the C++ vector is Rust's copy_from_slice, a memcpy the interposers count; the
# std::vector built from the rust::Vec's iterators is a loop gcc inlined: no copy function
# sees it, the pages written hold the frame.
assert rows["CxxVector_copied"]["copies"]["user_bytes_per_transfer"] >= frame * 0.99
p = rows["Vec_to_std_vector"]["pages_written"]
if p["method"] is not None:
    assert rows["Vec_to_std_vector"]["copies"]["user_bytes_per_transfer"] < frame / 100
    assert rows["Vec_to_std_vector"]["copies"]["pages_bytes_per_transfer"] >= frame * 0.99
# Each frame-sized block made for a transfer is freed once (the Vec by ~Vec, Rust's drop; the
# vector by the unique_ptr), none left; the slice allocates none.
for name, r in rows.items():
    a = r["allocations"]
    assert a["live_at_end"] == 0, (name, a)
    assert a["frame_sized_per_transfer"] == a["frame_sized_frees_per_transfer"], (name, a)
    assert r["identity"]["checksum_ok"], name
assert rows["Slice_view"]["allocations"]["frame_sized_per_transfer"] == 0
for name in ("Vec_returned", "CxxVector_filled", "CxxVector_copied"):
    assert rows[name]["allocations"]["frame_sized_per_transfer"] == 1, rows[name]["allocations"]
assert rows["Vec_to_std_vector"]["allocations"]["frame_sized_per_transfer"] == 2
PY
"$BUILD/bin/zcgate" --invariants-only --quiet "$E2E_TMP/cxx.json" "$E2E_TMP/cxx.json" \
	>"$E2E_TMP/gate" 2>&1 && pass || fail "zcgate refused the results: $(cat "$E2E_TMP/gate")"
# A frame size that is none, and one with no pixels: exit 2, one line, no results.
for frame in 1920x 0x1080; do
	"$prog" --quick --frame "$frame" --out "$E2E_TMP/bad.json" >"$E2E_TMP/bad.out" \
		2>"$E2E_TMP/bad.err"
	rc=$?
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$E2E_TMP/bad.err")" -eq 1 ] && [ ! -e "$E2E_TMP/bad.json" ] &&
		pass || fail "--frame $frame: exit $rc, $(cat "$E2E_TMP/bad.err"), want 2 and one line"
done
e2e_done
