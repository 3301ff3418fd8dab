# node_e2e.sh: the checks the node family's end-to-end scripts share (scenarios/node/,
# scenarios/node_addon_api/, scenarios/wasm/), sourced after e2e_init (tests/lib/e2e.sh: pass,
# fail, E2E_TMP, BUILD). Not a test of its own: tests/run.sh runs only e2e_*.sh.

# node_refuses_frame NAME ADDON MODULE STRATEGY TEXT: driver.js of build/lib/NAME/, run by hand
# with a frame of 2^32 + 4 bytes, answers bad input (code 2) in one line that says TEXT, and
# prints nothing: the node process refuses it before anything is allocated.
node_refuses_frame() {
	LD_PRELOAD="$BUILD/lib/libzchooks.so" node "$BUILD/lib/$1/driver.js" \
		"$PWD/$BUILD/lib/$1/$2" "$PWD/$BUILD/lib/$3" "$4" 4294967300 3 0.005 \
		3>"$E2E_TMP/big.json" >"$E2E_TMP/big.out" 2>&1
	if /usr/bin/python3 - "$E2E_TMP/big.json" "$5" <<'PY' 2>"$E2E_TMP/py"
import json, sys
a = json.load(open(sys.argv[1]))
assert a["ok"] is False and a["code"] == 2, a
assert sys.argv[2] in a["error"] and "\n" not in a["error"], a
PY
	then pass; else fail "$(cat "$E2E_TMP/py")"; fi
	[ ! -s "$E2E_TMP/big.out" ] && pass || fail "the refusal printed: $(cat "$E2E_TMP/big.out")"
}

# node_refuses_frames PROG FRAME...: the program with each --frame FRAME exits 2 with one
# line and writes no results.
node_refuses_frames() {
	node_prog=$1
	shift
	for frame; do
		"$node_prog" --quick --frame "$frame" --out "$E2E_TMP/bad.json" >"$E2E_TMP/bad.out" \
			2>"$E2E_TMP/bad.err"
		rc=$?
		[ "$rc" -eq 2 ] && [ "$(wc -l <"$E2E_TMP/bad.err")" -eq 1 ] &&
			[ ! -e "$E2E_TMP/bad.json" ] && pass ||
			fail "--frame $frame: exit $rc, $(cat "$E2E_TMP/bad.err"), want 2 and one line"
	done
}
