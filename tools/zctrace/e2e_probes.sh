#!/bin/sh
# e2e_probes.sh: the probe modules (tools/zctrace/probes/) in their runtimes, Python, Node.js
# and Java, each driven by a test program of its own runtime (a unittest file, a node --test
# file, a main class) under zctrace's CI mode and without zctrace:
#   shared     one 4 MiB buffer marked twice through two objects: --expect LABEL=shared passes
#              (exit 0), each pair at one address
#   copied     a buffer and its copy: --expect frame=shared fails with 86 and one line naming
#              the label, while --expect LABEL=copied on the other label passes
#   arguments  the test's checks of what mark accepts and refuses, under zctrace
#   without zctrace, every case passes: the module is unavailable and marks do nothing
# A runtime whose module is not built here is skipped with the Makefile's line (make probes).
# Exit 0 when every check passes.
set -u
. tests/lib/e2e.sh
e2e_init zctrace-probes
ZCTRACE=$BUILD/bin/zctrace
PROBES=$BUILD/lib/probes
FRAME=4194304
tmp=$E2E_TMP
for f in "$ZCTRACE" "$BUILD/lib/libzctrace.so"; do
	[ -e "$f" ] || die "'$f' is not built (make zctrace)"
done
export PYTHONPATH="$PROBES/python" NODE_PATH="$PROBES/node"

# built NAME FILE: the module of runtime NAME is built (FILE); else its skip line, or a failure
built() {
	[ -e "$2" ] && return 0
	if [ -s "$PROBES/$1.skipped" ]; then
		echo "$e2e_name: $(cat "$PROBES/$1.skipped")"
	else
		fail "the $1 probe module is not built: no $2 and no $PROBES/$1.skipped (make probes)"
	fi
	return 1
}
# run NAME WANT ARGS...: zctrace --out $tmp/NAME.json ARGS; its status must be WANT
run() {
	name=$1 want=$2
	shift 2
	"$ZCTRACE" --out "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	got=$?
	if [ "$got" -eq "$want" ]; then pass; else
		fail "zctrace $* exited $got, not $want:"
		show_logs "$tmp/$name.out" "$tmp/$name.err"
	fi
}
# plain NAME ARGS...: ARGS without zctrace (nothing preloaded) must exit 0
plain() {
	name=$1
	shift
	if env -u LD_PRELOAD "$@" >"$tmp/$name.out" 2>&1; then pass; else
		fail "without zctrace, $* exited $?:"
		show_logs "$tmp/$name.out"
	fi
}
# has NAME REGEX WHAT: a line of NAME's stderr matches
has() {
	if grep -Eq "$2" "$tmp/$1.err"; then pass; else fail "$3: no line like '$2' in: $(cat "$tmp/$1.err")"; fi
}
# failed_once NAME LABEL FIRST SECOND: the one failed expectation is --expect LABEL=shared, on
# the pair FIRST, SECOND copied, with the frame's bytes
failed_once() {
	n=$(grep -c '^zctrace: expectation failed' "$tmp/$1.err")
	if [ "$n" -eq 1 ]; then pass; else fail "$1: $n failed expectations, not 1: $(cat "$tmp/$1.err")"; fi
	has "$1" "^zctrace: expectation failed: --expect $2=shared, but $3 \[pid [0-9]+\] and $4 \[pid [0-9]+\] were copied: 4,194,304 bytes" \
		"$1: the failed expectation's line"
}
# pair NAME LABEL VERDICT: the run's one pair of LABEL has VERDICT and the frame's bytes; a
# shared pair is at one address, a copied one at two
pair() {
	check_json "$tmp/$1.json" "(lambda ps: len(ps)==1 and ps[0]['verdict']=='$3' and ps[0]['bytes']==$FRAME and (ps[0]['first']['address']==ps[0]['second']['address'])==('$3'=='shared'))([p for p in d['probe_pairs']['pairs'] if p['label']=='$2'])" \
		"$1: expected one pair '$2', $3, of $FRAME bytes: $(grep "pair $2:" "$tmp/$1.err")"
}

# --- Python: tools/zctrace/probes/python/test_zcprobe.py, one unittest class per case --------
PY=/usr/bin/python3
PYTEST=tools/zctrace/probes/python/test_zcprobe.py
set -- "$PROBES"/python/zcprobe*.so # the name Python gives it, or the pattern when it is not built
if built python "$1"; then
	# numpy's case runs where /usr/bin/python3 has numpy (python3-numpy)
	numpy=""
	"$PY" -c 'import numpy' 2>/dev/null && numpy="--expect array=shared"
	# shellcheck disable=SC2086 # $numpy is empty or two words
	run py_shared 0 --expect frame=shared --expect ro=shared $numpy -- "$PY" "$PYTEST" Available Shared
	has py_shared "^zctrace: [23] expectations met$" "python shared"
	pair py_shared frame shared
	pair py_shared ro shared
	[ -z "$numpy" ] && echo "$e2e_name: note: no numpy for $PY: its case is skipped"
	run py_copied 86 --expect frame=shared --expect slice=copied -- "$PY" "$PYTEST" Available Copied
	failed_once py_copied frame frame:bytearray frame:bytes
	pair py_copied frame copied
	pair py_copied slice copied
	run py_arguments 0 -- "$PY" "$PYTEST" Available Arguments
	plain py_plain "$PY" "$PYTEST"
fi

# --- Node.js: tools/zctrace/probes/node/zcprobe.test.js, run by node --test ------------------
NODETEST=tools/zctrace/probes/node/zcprobe.test.js
if built node "$PROBES/node/zcprobe.node"; then
	run node_shared 0 --expect frame=shared --expect view=shared --expect wide=shared -- \
		node --test --test-name-pattern='^(available|shared):' "$NODETEST"
	has node_shared "^zctrace: 3 expectations met$" "node shared"
	if grep -q '^# pass 4$' "$tmp/node_shared.out"; then pass; else
		fail "node shared: 4 tests should pass: $(cat "$tmp/node_shared.out")"
	fi
	for label in frame view wide; do pair node_shared $label shared; done
	run node_copied 86 --expect frame=shared --expect slice=copied -- \
		node --test --test-name-pattern='^(available|copied):' "$NODETEST"
	failed_once node_copied frame frame:buffer frame:copy
	pair node_copied frame copied
	pair node_copied slice copied
	run node_arguments 0 -- node --test --test-name-pattern='^(available|arguments):' "$NODETEST"
	plain node_plain node --test "$NODETEST"
fi

# --- Java: tools/zctrace/probes/java/ZcProbeTest.java, a main class ---------------------------
if built java "$PROBES/java/libzcprobe.so"; then
	JAVA=$(dirname "$(readlink -f "$(command -v javac)")")/java
	set -- "$JAVA" -Djava.library.path="$PROBES/java" -cp "$PROBES/java/zcprobe.jar:$BUILD/tests/probes" ZcProbeTest
	run java_shared 0 --expect frame=shared --expect array=shared -- "$@" shared
	has java_shared "^zctrace: 2 expectations met$" "java shared"
	pair java_shared frame shared
	pair java_shared array shared
	run java_copied 86 --expect frame=shared --expect array=copied -- "$@" copied
	failed_once java_copied frame frame:array frame:direct
	pair java_copied frame copied
	pair java_copied array copied
	run java_arguments 0 -- "$@" arguments
	for c in shared copied arguments; do plain "java_plain_$c" "$@" $c; done
fi

e2e_done
