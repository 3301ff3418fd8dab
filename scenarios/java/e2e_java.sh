#!/bin/sh
# e2e_java.sh: build/bin/java end to end: a quick run whose JSON gives each strategy the
# verdict the instruments observed (the three byte[] ways copy, the direct buffer shares),
# and a frame no Java array can hold refused as bad input (exit 2) with one line. Skipped,
# with one line, where the java boundary is not built (no JDK).
set -u
. tests/lib/e2e.sh
skip_unbuilt java
e2e_init java

if "$BUILD/bin/java" --quick --quiet --processes 1 --out "$E2E_TMP/java.json" \
	>"$E2E_TMP/out" 2>"$E2E_TMP/err"; then
	pass
else
	fail "the quick run exited $?: $(cat "$E2E_TMP/err")"
fi
/usr/bin/python3 - "$E2E_TMP/java.json" <<'PY' 2>"$E2E_TMP/py" && pass || fail "$(cat "$E2E_TMP/py")"
import json, sys
doc = json.load(open(sys.argv[1]))
frame = doc["frame"]["bytes"]
rows = {r["strategy"]: r for r in doc["results"]}
for name in ("byte_array", "array_elements", "critical"):
    r = rows[name]
    assert r["identity"]["verdict"] == "copy", (name, r["identity"])
    assert r["copies"]["bytes_per_transfer"] >= frame, (name, r["copies"])
d = rows["direct_buffer"]
assert d["identity"]["verdict"] == "zero-copy", d["identity"]
assert d["identity"]["aliasing_visible"] is True, d["identity"]
assert d["copies"]["bytes_per_transfer"] < frame / 100, d["copies"]
assert d["jvm"]["direct_buffer"]["frames_given_back"] > 0, d["jvm"]
assert rows["array_elements"]["jvm"]["jni_is_copy"]["true"] > 0, rows["array_elements"]["jvm"]
assert all(r["identity"]["checksum_ok"] for r in doc["results"])
PY
grep -q '^direct_buffer  *zero-copy' "$E2E_TMP/out" && pass ||
	fail "the table has no zero-copy row for direct_buffer: $(cat "$E2E_TMP/out")"

# 32768x16384 RGBA is 2^31 bytes, one more than a Java array's int index reaches.
"$BUILD/bin/java" --quick --frame 32768x16384 --out "$E2E_TMP/big.json" \
	>"$E2E_TMP/big.out" 2>"$E2E_TMP/big.err"
rc=$?
[ "$rc" -eq 2 ] && pass || fail "a 2 GiB frame exited $rc, expected 2"
[ "$(wc -l <"$E2E_TMP/big.err")" -eq 1 ] && pass ||
	fail "a 2 GiB frame printed other than one line: $(cat "$E2E_TMP/big.err")"
grep -q "^java: frame '32768x16384' is 2147483648 bytes: a Java array" "$E2E_TMP/big.err" &&
	pass || fail "unexpected message: $(cat "$E2E_TMP/big.err")"
[ ! -e "$E2E_TMP/big.json" ] && [ ! -s "$E2E_TMP/big.out" ] && pass ||
	fail "a refused run wrote results"
e2e_done
