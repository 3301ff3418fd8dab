#!/bin/sh
# e2e_zctrace.sh: zctrace on programs nobody here wrote (the system's python3, coreutils), on
# the tests' own probe_demo, and on the inproc scenario, whose per-strategy counts it must
# reproduce. Exit 0 when every check passes.
set -u
. tests/lib/e2e.sh
e2e_init zctrace
ZCTRACE=$BUILD/bin/zctrace
DEMO=$BUILD/tests/progs/probe_demo
KINDS=$BUILD/tests/progs/copy_kinds
INPROC=$BUILD/bin/inproc
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
FRAME=8294400
tmp=$E2E_TMP

trace() { # trace NAME ARGS... : runs zctrace --out $tmp/NAME.json ARGS, stderr to NAME.err
	name=$1; shift
	"$ZCTRACE" --out "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" \
		|| fail "zctrace $* exited $?: $(cat "$tmp/$name.err")"
}

for f in "$ZCTRACE" "$DEMO" "$KINDS" "$INPROC" "$BUILD/lib/libzctrace.so"; do
	[ -e "$f" ] || die "'$f' is not built (make zctrace)"
done

# --- the system's python3: bytes() copies, memoryview does not --------------------------------
trace pycopy -- "$PY" -c "b=bytearray(8*1024*1024); c=bytes(b)"
check_json "$tmp/pycopy.json" "d['schema']=='zctrace/1' and any(c['bytes']==8388608 and c['function'] in ('memcpy','__memcpy_chk') and c['caller'].startswith('python3') for c in d['copies'])" \
	"python3 bytes(bytearray) shows no 8 MiB memcpy from python3"
grep -q "zctrace: python3.* 8,388,608 bytes copied at 1 call site" "$tmp/pycopy.err" \
	|| fail "no summary line for python3 on stderr: $(cat "$tmp/pycopy.err")"
trace pyview -- "$PY" -c "b=bytearray(8*1024*1024); m=memoryview(b)"
check_json "$tmp/pyview.json" "d['summary']['large_copies']==0 and d['summary']['large_allocations']>=1" \
	"python3 memoryview shows a copy, or no allocation"

# --- coreutils: cp copies in the kernel (copy_file_range), dd through its own buffer --------
head -c 20000000 /dev/zero >"$tmp/in.bin"
trace cp -- cp "$tmp/in.bin" "$tmp/cp.bin"
check_json "$tmp/cp.json" "d['summary']['large_copies']==0 and d['process']['exe'].endswith('/cp')" \
	"cp shows a userspace copy"
cmp -s "$tmp/in.bin" "$tmp/cp.bin" || fail "cp under zctrace copied the file wrongly"
trace dd -- dd if="$tmp/in.bin" of="$tmp/dd.bin" bs=8M status=none
check_json "$tmp/dd.json" "d['summary']['large_copies']==0 and any(a['bytes']==8388608 for a in d['allocations'])" \
	"dd bs=8M: expected its 8 MiB buffer and no userspace copy"

# --- the kernel's copies, per call site and kind of descriptor: file, pipe, socket ------------
check_json "$tmp/cp.json" "any(k['function']=='copy_file_range' and k['direction']=='move' and k['descriptor']=='file' and k['bytes']==20000000 for k in d['kernel_copies'])" \
	"cp: expected copy_file_range moving the 20,000,000 bytes between files"
grep -q "kernel: 20,000,000 bytes moved from a file" "$tmp/cp.err" \
	|| fail "cp: no kernel line in the summary: $(cat "$tmp/cp.err")"
check_json "$tmp/dd.json" "[(k['direction'],k['descriptor'],k['bytes']) for k in d['kernel_copies'] if k['function'] in ('read','write')]==[('read','file',20000000),('write','file',20000000)] or [(k['direction'],k['descriptor'],k['bytes']) for k in d['kernel_copies'] if k['function'] in ('read','write')]==[('write','file',20000000),('read','file',20000000)]" \
	"dd: expected 20,000,000 bytes read from a file and written to one"
trace pipe -- sh -c "dd if='$tmp/in.bin' bs=1M status=none | dd of=/dev/null bs=1M status=none"
"$PY" - "$tmp/pipe.json" <<'PYEOF' || fail "a pipe between two dd: expected 20,000,000 bytes written to and read from a pipe"
import json, sys
root = json.load(open(sys.argv[1]))
kinds = {}
for p in root["process_tree"]:
    for k in json.load(open(p["record"]))["kernel_copies"]:
        kinds[(k["direction"], k["descriptor"])] = kinds.get((k["direction"], k["descriptor"]), 0) + k["bytes"]
sys.exit(0 if kinds.get(("write", "pipe")) == 20000000 and kinds.get(("read", "pipe")) == 20000000 else 1)
PYEOF
trace socket -- "$PY" -c "
import socket, threading
a, b = socket.socketpair()
got = []
r = threading.Thread(target=lambda: got.append(b''.join(iter(lambda: b.recv(1 << 16), b''))))
r.start(); a.sendall(b'x' * 3000000); a.shutdown(socket.SHUT_WR); r.join()
assert len(got[0]) == 3000000"
check_json "$tmp/socket.json" "sum(k['bytes'] for k in d['kernel_copies'] if k['descriptor']=='socket' and k['direction']=='write')==3000000 and sum(k['bytes'] for k in d['kernel_copies'] if k['descriptor']=='socket' and k['direction']=='read')==3000000" \
	"a socket pair: expected 3,000,000 bytes written to and read from a socket"

# --- one answer per command: a shim with subshells, then exec (pyenv's python3 is one) -------
printf '#!/bin/sh\nv=$(echo one)\nw=$(echo two | tr a-z A-Z)\nexec "%s" "$@"\n' "$PY" >"$tmp/shim"
chmod +x "$tmp/shim"
trace shim -- "$tmp/shim" -c "b=bytearray(8*1024*1024); c=bytes(b)"
[ "$(grep -c '^zctrace: [^ ]' "$tmp/shim.err")" -eq 1 ] \
	|| fail "a shim: expected one summary for the whole command: $(cat "$tmp/shim.err")"
grep -q "other process.* copied nothing of 1,048,576 bytes or more" "$tmp/shim.err" \
	|| fail "a shim: expected one line for the processes that copied nothing: $(cat "$tmp/shim.err")"
check_json "$tmp/shim.json" "len(d['process_tree'])>=3 and d['process_tree'][0]['pid']==d['process']['pid'] and [p['copied'] for p in d['process_tree']].count(True)==1 and all(__import__('os').path.exists(p['record']) for p in d['process_tree'])" \
	"a shim: expected the process tree, the python3 that copied and the shell's children, each with its record"

# --- the oracle: zctrace's bytes per call site equal valgrind DHAT's in copy mode ------------
trace sites -- "$KINDS" sites
if command -v valgrind >/dev/null; then
	valgrind -q --tool=dhat --mode=copy --dhat-out-file="$tmp/dhat.json" "$KINDS" sites \
		2>"$tmp/dhat.err" || fail "valgrind --tool=dhat failed: $(cat "$tmp/dhat.err")"
	"$PY" - "$tmp/sites.json" "$tmp/dhat.json" <<'PYEOF' || fail "zctrace and DHAT disagree on the bytes copied per call site"
import json, re, sys
zc, dhat = (json.load(open(f)) for f in sys.argv[1:])
ours = {s["caller"].split(":")[-1]: (s["bytes"], s["count"]) for s in zc["call_sites"]
        if s["caller"].split(":")[-1].startswith("site_")}
theirs = {}
for pp in dhat["pps"]:
    for f in pp["fs"]:
        m = re.search(r": (site_\w+) \(", dhat["ftbl"][f])
        if m:
            b, n = theirs.get(m.group(1), (0, 0))
            theirs[m.group(1)] = (b + pp["tb"], n + pp["tbk"])
            break
print(f"  call sites, zctrace: {sorted(ours.items())}; DHAT: {sorted(theirs.items())}")
sys.exit(0 if ours == theirs and len(ours) == 3 else 1)
PYEOF
else
	fail "valgrind is missing (scripts/deps.sh check installs it)"
fi

# --- probe_demo: a copy with its size and caller, a view, a change, a fork --------------------
trace copy -- "$DEMO" copy
check_json "$tmp/copy.json" "[ (c['bytes'],c['function']) for c in d['copies'] ]==[($FRAME,'memcpy')] and d['copies'][0]['caller'].startswith('probe_demo')" \
	"probe_demo copy: expected one memcpy of $FRAME bytes from probe_demo"
check_json "$tmp/copy.json" "[p['verdict'] for p in d['probes']['pairs']]==['copied'] and d['probes']['pairs'][0]['copies'][0]['seq']==d['copies'][0]['seq'] and d['probes']['pairs'][0]['copies'][0]['from_first_mark']" \
	"probe_demo copy: the marks should pair as copied, by the recorded memcpy"
trace view -- "$DEMO" view
check_json "$tmp/view.json" "d['copies']==[] and [p['verdict'] for p in d['probes']['pairs']]==['shared']" \
	"probe_demo view: expected no copy and a shared pair"
trace changed -- "$DEMO" changed
check_json "$tmp/changed.json" "[p['verdict'] for p in d['probes']['pairs']]==['changed']" \
	"probe_demo changed: expected a changed pair"
trace fork -- "$DEMO" fork
child=$(ls "$tmp"/fork.*.json 2>/dev/null | head -n 1)
if [ -z "$child" ]; then
	fail "probe_demo fork: the child wrote no record of its own"
else
	check_json "$child" "d['summary']['large_copies']==1 and d['process']['pid']!=d['process']['root_pid']" \
		"probe_demo fork: the child's record should hold its one copy"
fi
check_json "$tmp/fork.json" "d['summary']['large_copies']==1" \
	"probe_demo fork: the parent's record should hold only its own copy"

# --- without zctrace the probe is a no-op --------------------------------------------------
"$DEMO" copy >/dev/null || fail "probe_demo copy fails without zctrace"

# --- copy_kinds: small copies summed per call site, every copy function, mremap no copy -------
trace rows -- "$KINDS" rows
check_json "$tmp/rows.json" "d['summary']['large_copies']==0 and (lambda s: s['bytes']==$FRAME and s['count']==1080 and s['largest']==7680 and s['function']=='memcpy' and s['caller'].startswith('copy_kinds') and s['histogram']==[{'below':8192,'count':1080}] and s['multiple_of_allocation']=={'bytes':$FRAME,'times':1})(d['call_sites'][0])" \
	"a frame copied row by row: expected one call site of 1,080 memcpys adding up to the frame's block"
grep -q "zctrace:   1,080 copies of 8,294,400 bytes in all (largest 7,680): memcpy from copy_kinds" "$tmp/rows.err" \
	|| fail "no call-site line for the row-by-row copy on stderr: $(cat "$tmp/rows.err")"
trace threads -- "$KINDS" threads
check_json "$tmp/threads.json" "[(s['count'],s['bytes']) for s in d['call_sites'] if s['caller'].endswith(':site_threads')]==[(4000,16384000)]" \
	"4 threads (64 KiB stacks) copying from one call site: expected 4,000 copies of 16,384,000 bytes there, exactly"
trace functions -- "$KINDS" functions
check_json "$tmp/functions.json" "sorted(c['function'] for c in d['copies'] if c['bytes']>=8388608)==sorted(['mempcpy','__mempcpy_chk','__memmove_chk','bcopy','memccpy','strcpy','__strcpy_chk','stpcpy','__stpcpy_chk','strncpy','__strncpy_chk','wmemcpy','__wmemcpy_chk','wmemmove','__wmemmove_chk','strdup','strndup'])" \
	"8 MiB through each copy function: expected one large copy of each"
trace remap -- "$KINDS" remap
check_json "$tmp/remap.json" "d['summary']['realloc_moves']==0 and not [c for c in d['copies'] if c['function']=='realloc'] and not [s for s in d['call_sites'] if s['function']=='realloc']" \
	"a realloc served by mremap moved pages, not bytes: expected no copy"

# --- --pages: the pages written between two marks, whoever wrote them -------------------------
trace loop -- "$DEMO" loop
check_json "$tmp/loop.json" "d['copies']==[] and [(p['verdict'],p['pages_written_between']) for p in d['probes']['pairs']]==[('copied',None)] and d['pages_written']['pages'] is None" \
	"probe_demo loop without --pages: expected no copy seen, a copied pair and no page count"
trace loop_pages --pages -- "$DEMO" loop
# (where the kernel has no userfaultfd write-protection, Linux < 6.7, the record says why)
check_json "$tmp/loop_pages.json" "d['copies']==[] and ((d['probes']['pairs'][0]['pages_written_between']>=$FRAME//4096 and d['pages_written']['method']=='uffd-wp') or (d['pages_written']['pages'] is None and 'userfaultfd' in (d['pages_written']['unavailable'] or '')))" \
	"probe_demo loop --pages: a loop's copy of the frame should show as a frame's pages written between the marks"

trace bss --pages -- "$KINDS" loop
check_json "$tmp/bss.json" "(d['pages_written']['method']=='uffd-wp' and any(m['pages']>=2048 and m['name']=='[anonymous]' for m in d['pages_written']['mappings']) and d['pages_written']['pages']>=2048) or (d['pages_written']['pages'] is None and 'userfaultfd' in (d['pages_written']['unavailable'] or ''))" \
	"copy_kinds loop --pages: expected the 2,048 pages its loop wrote, in its anonymous mapping"

# --- the reuse trap: marked, written to a file, freed, the same address back, read, marked ---
trace reuse -- "$DEMO" reuse "$tmp/reuse.bin"
if grep -q same-address "$tmp/reuse.out"; then want=reused_address; else want=copied; fi
check_json "$tmp/reuse.json" "[p['verdict'] for p in d['probes']['pairs']]==['$want'] and d['probes']['pairs'][0]['released_between']['by']=='free' and d['probes']['pairs'][0]['released_between']['seq']>d['probes']['marks'][0]['seq']" \
	"probe_demo reuse: a block freed between the marks must not read as shared (expected $want)"
grep -q same-address "$tmp/reuse.out" || echo "$e2e_name: note: the allocator did not hand the address back; the trap was not set"

# --- a missing or non-executable program: exit 127 or 126 with a message (as env's) ----------
"$ZCTRACE" --out "$tmp/x.json" -- "$tmp/no-such-program" 2>"$tmp/missing.err"
[ $? -eq 127 ] && grep -q "cannot run" "$tmp/missing.err" || fail "missing program: expected exit 127"
"$ZCTRACE" --out "$tmp/x.json" -- "$tmp/in.bin" 2>/dev/null
[ $? -eq 126 ] || fail "non-executable program: expected exit 126"
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
if sanitized_build; then
	echo "$e2e_name: $INPROC is a sanitizer build; skipping the inproc comparison"
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

e2e_done
