#!/bin/sh
# e2e_zctrace.sh: zctrace on programs nobody here wrote (the system's python3, coreutils), on
# the tests' own probe_demo, and on the inproc scenario, whose per-strategy counts it must
# reproduce. Exit 0 when every check passes.
set -u
BUILD=${BUILD:-build}
ZCTRACE=$BUILD/bin/zctrace
DEMO=$BUILD/tests/progs/probe_demo
INPROC=$BUILD/bin/inproc
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
FRAME=8294400
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() { echo "e2e_zctrace: $*" >&2; failed=1; }

# jq-like checks with python3: check FILE 'python expression over d' MESSAGE
check() {
	"$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" \
		|| fail "$3 (in $1)"
}

trace() { # trace NAME ARGS... : runs zctrace --out $tmp/NAME.json ARGS, stderr to NAME.err
	name=$1; shift
	"$ZCTRACE" --out "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" \
		|| fail "zctrace $* exited $?: $(cat "$tmp/$name.err")"
}

for f in "$ZCTRACE" "$DEMO" "$INPROC" "$BUILD/lib/libzctrace.so"; do
	[ -e "$f" ] || { echo "e2e_zctrace: '$f' is not built (make zctrace)" >&2; exit 1; }
done

# --- the system's python3: bytes() copies, memoryview does not --------------------------------
trace pycopy -- "$PY" -c "b=bytearray(8*1024*1024); c=bytes(b)"
check "$tmp/pycopy.json" "d['schema']=='zctrace/1' and any(c['bytes']==8388608 and c['function'] in ('memcpy','__memcpy_chk') and c['caller'].startswith('python3') for c in d['copies'])" \
	"python3 bytes(bytearray) shows no 8 MiB memcpy from python3"
grep -q "zctrace: python3.* 1 copy of 8,388,608 bytes" "$tmp/pycopy.err" \
	|| fail "no summary line for python3 on stderr: $(cat "$tmp/pycopy.err")"
trace pyview -- "$PY" -c "b=bytearray(8*1024*1024); m=memoryview(b)"
check "$tmp/pyview.json" "d['summary']['large_copies']==0 and d['summary']['large_allocations']>=1" \
	"python3 memoryview shows a copy, or no allocation"

# --- coreutils: cp copies in the kernel (copy_file_range), dd through its own buffer --------
head -c 20000000 /dev/zero >"$tmp/in.bin"
trace cp -- cp "$tmp/in.bin" "$tmp/cp.bin"
check "$tmp/cp.json" "d['summary']['large_copies']==0 and d['process']['exe'].endswith('/cp')" \
	"cp shows a userspace copy"
cmp -s "$tmp/in.bin" "$tmp/cp.bin" || fail "cp under zctrace copied the file wrongly"
trace dd -- dd if="$tmp/in.bin" of="$tmp/dd.bin" bs=8M status=none
check "$tmp/dd.json" "d['summary']['large_copies']==0 and any(a['bytes']==8388608 for a in d['allocations'])" \
	"dd bs=8M: expected its 8 MiB buffer and no userspace copy"

# --- probe_demo: a copy with its size and caller, a view, a change, a fork --------------------
trace copy -- "$DEMO" copy
check "$tmp/copy.json" "[ (c['bytes'],c['function']) for c in d['copies'] ]==[($FRAME,'memcpy')] and d['copies'][0]['caller'].startswith('probe_demo')" \
	"probe_demo copy: expected one memcpy of $FRAME bytes from probe_demo"
check "$tmp/copy.json" "[p['verdict'] for p in d['probes']['pairs']]==['copied'] and d['probes']['pairs'][0]['copies'][0]['seq']==d['copies'][0]['seq'] and d['probes']['pairs'][0]['copies'][0]['from_first_mark']" \
	"probe_demo copy: the marks should pair as copied, by the recorded memcpy"
trace view -- "$DEMO" view
check "$tmp/view.json" "d['copies']==[] and [p['verdict'] for p in d['probes']['pairs']]==['shared']" \
	"probe_demo view: expected no copy and a shared pair"
trace changed -- "$DEMO" changed
check "$tmp/changed.json" "[p['verdict'] for p in d['probes']['pairs']]==['changed']" \
	"probe_demo changed: expected a changed pair"
trace fork -- "$DEMO" fork
child=$(ls "$tmp"/fork.*.json 2>/dev/null | head -n 1)
if [ -z "$child" ]; then
	fail "probe_demo fork: the child wrote no record of its own"
else
	check "$child" "d['summary']['large_copies']==1 and d['process']['pid']!=d['process']['root_pid']" \
		"probe_demo fork: the child's record should hold its one copy"
fi
check "$tmp/fork.json" "d['summary']['large_copies']==1" \
	"probe_demo fork: the parent's record should hold only its own copy"

# --- without zctrace the probe is a no-op --------------------------------------------------
"$DEMO" copy >/dev/null || fail "probe_demo copy fails without zctrace"

# --- a missing or non-executable program: exit 2 with a message -------------------------------
"$ZCTRACE" --out "$tmp/x.json" -- "$tmp/no-such-program" 2>"$tmp/missing.err"
[ $? -eq 2 ] && grep -q "cannot run" "$tmp/missing.err" || fail "missing program: expected exit 2"
"$ZCTRACE" --out "$tmp/x.json" -- "$tmp/in.bin" 2>/dev/null
[ $? -eq 2 ] || fail "non-executable program: expected exit 2"
"$ZCTRACE" --out "$tmp/x.json" -- sh -c 'exit 7' 2>/dev/null
[ $? -eq 7 ] || fail "zctrace should return the program's exit status"

# --- inproc: zctrace's counts per transfer equal the scenario's, strategy by strategy ---------
# Each Google Benchmark repetition runs 2 warm-up transfers and, with --benchmark_min_time=0,
# one timed one. Validation, setup and teardown happen once per run whatever the number of
# repetitions, so the difference between a run of 6 repetitions and one of 2 holds exactly the
# transfers of 4 repetitions: zctrace's per-transfer figures are that difference / transfers.
inproc_run() { # inproc_run STRATEGY REPS
	mkdir -p "$tmp/sc_$1_$2"
	"$ZCTRACE" --min-bytes 131072 --out "$tmp/zc_$1_$2.json" -- "$INPROC" --quiet \
		--frame 256x256 --processes 1 --strategy "$1" --benchmark_filter="^inproc/$1/" \
		--benchmark_repetitions="$2" --benchmark_min_time=0 \
		--out "$tmp/sc_$1_$2/inproc.json" >/dev/null 2>"$tmp/sc_$1_$2.err" \
		|| fail "inproc --strategy $1 under zctrace failed: $(cat "$tmp/sc_$1_$2.err")"
}
strategies="copy copy_into serialize borrow move shared pool"
# a sanitizer build's runtime must come first in the library list: LD_PRELOAD cannot go there
if ldd "$INPROC" 2>/dev/null | grep -q 'lib[at]san'; then
	echo "e2e_zctrace: $INPROC is a sanitizer build; skipping the inproc comparison"
	strategies=""
fi
for s in $strategies; do
	inproc_run "$s" 2
	inproc_run "$s" 6
	"$PY" - "$tmp" "$s" <<'PYEOF' || fail "inproc $s: zctrace disagrees with the scenario"
import glob, json, sys
tmp, s = sys.argv[1], sys.argv[2]
WARMUP = 2
def traces(r):
    # The scenario measures each strategy in a forked child: one record per process.
    parts = [json.load(open(f)) for f in sorted(glob.glob(f"{tmp}/zc_{s}_{r}*.json"))]
    zc = {"copies": [], "summary": {"large_allocations": 0, "dropped_copies": 0,
                                    "dropped_allocations": 0}}
    for p in parts:
        zc["copies"] += p["copies"]
        for k in zc["summary"]:
            zc["summary"][k] += p["summary"][k]
    return zc
def load(r):
    zc = traces(r)
    raw = json.load(open(f"{tmp}/sc_{s}_{r}/raw/inproc.json"))
    runs = [b for b in raw["benchmarks"] if b.get("run_type") == "iteration"]
    assert len(runs) == r and all(b["iterations"] == 1 for b in runs), "iterations not 1"
    memcpys = [c for c in zc["copies"] if c["function"] != "realloc"]
    big_moves = [c for c in zc["copies"] if c["function"] == "realloc"]
    return (sum(b["iterations"] + WARMUP for b in runs), len(memcpys),
            sum(c["bytes"] for c in memcpys), zc["summary"]["large_allocations"], len(big_moves),
            zc["summary"]["dropped_copies"] + zc["summary"]["dropped_allocations"])
a, b = load(2), load(6)
assert a[5] == 0 and b[5] == 0, "records dropped"
n = b[0] - a[0]
per = [(b[i] - a[i]) / n for i in range(1, 5)]
sc = json.load(open(f"{tmp}/sc_{s}_6/inproc.json"))
res = next(r for r in sc["results"] if r["strategy"] == s)
frame = sc["frame"]["bytes"]
want_copies = res["copies"]["hook_bytes_per_transfer"] / frame
want = [want_copies, res["copies"]["hook_bytes_per_transfer"],
        res["allocations"]["frame_sized_per_transfer"]]
got = per[:3]
print(f"  inproc {s:10s} per transfer: zctrace memcpy {got[0]:.2f} ({got[1]:.0f} B), "
      f"frame-sized allocs {got[2]:.2f}, realloc moves >= half a frame {per[3]:.2f}; "
      f"scenario memcpy {want[0]:.2f} ({want[1]:.0f} B), frame-sized allocs {want[2]:.2f}, "
      f"realloc moves (any size) {res['allocations']['realloc_moves_per_transfer']:.2f}")
ok = all(abs(g - w) < 1e-9 for g, w in zip(got, want))
ok = ok and per[3] <= res["allocations"]["realloc_moves_per_transfer"] + 1e-9
sys.exit(0 if ok else 1)
PYEOF
done

[ "$failed" -eq 0 ]
