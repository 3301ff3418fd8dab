#!/bin/sh
# e2e_zctrace_ci.sh: zctrace as a check in someone's CI. Expectations that pass and fail
# (exit status and the one line), per-label and per-run byte budgets, bad option values, the
# pairs of a whole run (in one process, a read back into the marked buffer copies and one
# after the marks does not; across processes, a pipe copies, a stream of frames pairs frame
# by frame, parallel workers pair within themselves, a memfd both map is shared as root and
# undecided without the physical pages), two runs with the same --out never merged,
# --out-dir, a sendfile labelled by its source, the summary's figures equal to the record's,
# and docs/zctrace.md against --help. Exit 0 when every check passes.
set -u
. tests/lib/e2e.sh
e2e_init zctrace-ci
ZCTRACE=$BUILD/bin/zctrace
DEMO=$BUILD/tests/progs/probe_demo
KINDS=$BUILD/tests/progs/copy_kinds
HANDOVER=$BUILD/tests/progs/handover
FRAME=8294400
tmp=$E2E_TMP
for f in "$ZCTRACE" "$DEMO" "$KINDS" "$HANDOVER" "$BUILD/lib/libzctrace.so"; do
	[ -e "$f" ] || die "'$f' is not built (make zctrace)"
done

# run NAME WANT ARGS...: zctrace --out $tmp/NAME.json ARGS; its status must be WANT
run() {
	name=$1 want=$2
	shift 2
	"$ZCTRACE" --out "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	got=$?
	if [ "$got" -eq "$want" ]; then pass; else fail "zctrace $* exited $got, not $want: $(cat "$tmp/$name.err")"; fi
}
# has NAME REGEX WHAT: a line of NAME's stderr matches
has() {
	if grep -Eq "$2" "$tmp/$1.err"; then pass; else fail "$3: no line like '$2' in: $(cat "$tmp/$1.err")"; fi
}
# lines NAME REGEX N WHAT: exactly N lines of NAME's stderr match
lines() {
	n=$(grep -Ec "$2" "$tmp/$1.err")
	if [ "$n" -eq "$3" ]; then pass; else fail "$4: $n lines like '$2', not $3: $(cat "$tmp/$1.err")"; fi
}

# --- an expectation that passes, and one that fails: exit 86 and one line naming the copy ----
run met 0 --expect frame=copied --max-copy-bytes frame=$FRAME --max-copy-bytes $FRAME -- "$DEMO" copy
has met '^zctrace: 3 expectations met$' "expectations met"
check_json "$tmp/met.json" "[e['met'] for e in d['expectations']]==[True]*3" "met: the record's expectations"
run shared_fails 86 --expect frame=shared -- "$DEMO" copy
lines shared_fails '^zctrace: expectation failed' 1 "a failed --expect"
has shared_fails "^zctrace: expectation failed: --expect frame=shared, but frame:producer \[pid [0-9]+\] and frame:consumer \[pid [0-9]+\] were copied: 8,294,400 bytes, memcpy from probe_demo[^ ]* \[pid [0-9]+\]$" \
	"a failed --expect names the label, the bytes and the call site"
check_json "$tmp/shared_fails.json" "d['expectations'][0]['met'] is False and 'frame=shared' in d['expectations'][0]['line']" \
	"a failed --expect: the record keeps its line"
run other_exit 3 --expect-exit 3 --expect frame=shared -- "$DEMO" copy
run view_shared 0 --expect frame=shared --max-copy-bytes frame=0 -- "$DEMO" view
run no_label 86 --expect frame=shared -- "$KINDS" rows
has no_label "^zctrace: expectation failed: --expect frame=shared, but no pair of marks has the label 'frame'$" \
	"a label nobody marked"
# the program's own failure comes first: its status, and the lines
run program_failed 7 --expect frame=shared -- sh -c 'exit 7'
has program_failed "^zctrace: 'sh' exited 7: its status is passed on, not --expect-exit's 86$" \
	"a failing program and a failed expectation"
run killed 137 --expect frame=copied -- sh -c 'kill -9 $$'
has killed "expectation failed: --expect frame=copied cannot be checked: no record of this run" \
	"a killed program: the expectation cannot be checked"

# --- byte budgets: per label (between the marks) and per run (the headline's call sites) -----
run label_over 86 --max-copy-bytes frame=$((FRAME - 1)) -- "$DEMO" copy
has label_over "^zctrace: expectation failed: --max-copy-bytes frame=$((FRAME - 1)), but 8,294,400 bytes were copied between the marks of 'frame': memcpy from probe_demo[^ ]* \[pid [0-9]+\]$" \
	"a label's budget exceeded"
run loop_over 86 --max-copy-bytes frame=0 -- "$DEMO" loop
has loop_over "8,294,400 bytes were copied between the marks of 'frame': not seen by the hooks" \
	"a copy no hook sees still counts against the label's budget"
run run_over 86 --max-copy-bytes $((FRAME - 1)) -- "$KINDS" rows
has run_over "^zctrace: expectation failed: --max-copy-bytes $((FRAME - 1)), but the run copied 8,294,400 bytes; the most: memcpy from copy_kinds[^ ]* \[pid [0-9]+\] \(8,294,400 bytes\)$" \
	"the run's budget exceeded"
run run_within 0 --max-copy-bytes $FRAME -- "$KINDS" rows

# --- bad option values: one line, exit 125, never a crash ----------------------------------
n=0
for args in "--min-bytes x" "--min-bytes 0" "--min-bytes -5" "--expect frame" \
	"--expect frame=same" "--expect =shared" "--expect frame:a=shared" "--expect frame=" \
	"--max-copy-bytes -1" "--max-copy-bytes frame=" "--max-copy-bytes 12abc" \
	"--max-copy-bytes =5" "--max-copy-bytes 99999999999999999999999" "--expect-exit 0" \
	"--expect-exit 256" "--expect-exit x" "--out" "--bogus" "--pages=1" "--out-dir=" \
	"--out-dir /proc/no/such"; do
	n=$((n + 1))
	# shellcheck disable=SC2086 # each case is words
	"$ZCTRACE" $args -- true >"$tmp/bad$n.out" 2>"$tmp/bad$n.err"
	rc=$?
	if [ "$rc" -eq 125 ] && [ "$(wc -l <"$tmp/bad$n.err")" -eq 1 ] && grep -q '^zctrace: ' "$tmp/bad$n.err"; then
		pass
	else
		fail "zctrace $args: expected exit 125 and one line, got $rc: $(cat "$tmp/bad$n.err")"
	fi
done
"$ZCTRACE" >/dev/null 2>"$tmp/noprog.err"
[ $? -eq 125 ] && [ "$(wc -l <"$tmp/noprog.err")" -eq 1 ] && pass || fail "no program: expected exit 125 and one line"
"$ZCTRACE" --help >"$tmp/help.out" 2>&1 && grep -q '^  --expect LABEL=shared|copied$' "$tmp/help.out" \
	&& pass || fail "--help: no --expect line: $(cat "$tmp/help.out")"

# --- the run's pairs equal each process's own for one process ------------------------------
for mode in copy view changed loop; do
	run "one_$mode" 0 -- "$DEMO" "$mode"
	check_json "$tmp/one_$mode.json" "[p['verdict'] for p in d['probe_pairs']['pairs']]==[p['verdict'] for p in d['probes']['pairs']] and len(d['probes']['pairs'])==1" \
		"probe_demo $mode: the run's pair and the process's own differ"
done
has one_copy "^zctrace:   pair frame: copied between frame:producer \[pid [0-9]+\] and frame:consumer \[pid [0-9]+\]: 8,294,400 bytes, memcpy from probe_demo" \
	"a pair's line: verdict, bytes, call site"
has one_view "^zctrace:   pair frame: shared between .*: the same address, and no copy wrote it between the marks$" \
	"a shared pair's line"

# --- in one process, a kernel read into the marked buffer between the marks is a copy, and one
# after them is not: the same address proves nothing by itself
run readback 0 -- "$HANDOVER" readback "$tmp/readback.bin"
check_json "$tmp/readback.json" "(lambda p, q: p['verdict']=='copied' and q['verdict']=='copied' and [(c['function'],c['kernel']) for c in p['copies']]==[('read','file')] and q['copies'][0]['kernel']=='file')(d['probe_pairs']['pairs'][0], d['probes']['pairs'][0])" \
	"a frame written to a file and read back to its own address: copied by the read"
run reread 0 -- "$HANDOVER" reread "$tmp/reread.bin"
check_json "$tmp/reread.json" "[p['verdict'] for p in d['probe_pairs']['pairs']]==['shared'] and [p['verdict'] for p in d['probes']['pairs']]==['shared']" \
	"a buffer read again after both marks: still shared between them"

# --- across processes: a pipe copies; a memfd both map shares its pages -----------------------
run pipe 0 --expect frame=copied --max-copy-bytes frame=$FRAME -- "$HANDOVER" pipe
check_json "$tmp/pipe.json" "(lambda p: p['verdict']=='copied' and not p['same_process'] and p['copied_bytes']==$FRAME and [(c['function'],c['kernel'],c['bytes']) for c in p['copies']]==[('read','pipe',$FRAME)] and p['second']['pid']!=p['first']['pid'])(d['probe_pairs']['pairs'][0]) and d['probes']['unpaired']==['frame:parent']" \
	"a frame written into a pipe and read by a child: copied by the child's reads"
has pipe "^zctrace:   pair frame: copied between frame:parent \[pid [0-9]+\] and frame:child \[pid [0-9]+\]: 8,294,400 bytes, read from a pipe by handover[^ ]* \[pid [0-9]+\] \([0-9]+ calls\)$" \
	"the pipe pair's line names the child's reads"
# a stream of frames pairs each parent mark with the child's mark of the same frame; workers
# that each mark both sides pair within themselves, however their marks interleave
run stream 0 --expect frame=copied -- "$HANDOVER" stream 4
check_json "$tmp/stream.json" "len(d['probe_pairs']['pairs'])==4 and all(p['verdict']=='copied' and not p['same_process'] and p['copied_bytes']==$FRAME for p in d['probe_pairs']['pairs']) and d['probe_pairs']['unpaired']==[] and sorted(p['second']['seq'] for p in d['probe_pairs']['pairs'])==[p['second']['seq'] for p in d['probe_pairs']['pairs']]" \
	"a stream of 4 frames through a pipe: 4 pairs, each copied, in order"
run workers 0 --expect frame=shared -- "$HANDOVER" workers
check_json "$tmp/workers.json" "len(d['probe_pairs']['pairs'])==2 and all(p['same_process'] and p['verdict']=='shared' for p in d['probe_pairs']['pairs'])" \
	"two workers marking both sides, interleaved: each pair within its worker"
run memfd 0 -- "$HANDOVER" memfd
if python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d['probes']['frames_unavailable'] is None else 1)" "$tmp/memfd.json"; then
	check_json "$tmp/memfd.json" "(lambda p: p['verdict']=='shared' and not p['same_process'] and p['copied_bytes']==0 and 'physical pages: 2,025 of 2,025' in p['proof'])(d['probe_pairs']['pairs'][0])" \
		"a memfd mapped by two processes: shared, on the same physical pages"
	run memfd_expect 0 --expect frame=shared --max-copy-bytes frame=0 -- "$HANDOVER" memfd
else
	echo "$e2e_name: note: physical pages unreadable here (not root): the memfd pair is not proved shared"
fi
# without the physical pages nothing proves sharing: undecided, and every expectation fails
export ZCTRACE_PAGEMAP=0
run memfd_blind 86 --expect frame=shared --max-copy-bytes frame=0 -- "$HANDOVER" memfd
unset ZCTRACE_PAGEMAP
check_json "$tmp/memfd_blind.json" "(lambda p: p['verdict']=='undecided' and p['copied_bytes'] is None and 'ZCTRACE_PAGEMAP=0' in p['proof'])(d['probe_pairs']['pairs'][0])" \
	"a memfd pair without the physical pages: undecided"
lines memfd_blind '^zctrace: expectation failed' 2 "an undecided pair fails both expectations"
has memfd_blind "expectation failed: --max-copy-bytes frame=0, but the bytes copied between frame:parent .* cannot be told" \
	"an undecided pair's budget"

# --- two runs with the same --out: the second's summary holds only its own processes ---------
run first 0 -- "$DEMO" fork
ls "$tmp"/first.[0-9]*.json >/dev/null 2>&1 || fail "probe_demo fork: no child record"
cp "$tmp"/first.[0-9]*.json "$tmp/stale.json"
"$ZCTRACE" --out "$tmp/first.json" -- "$DEMO" copy >/dev/null 2>"$tmp/second.err" || fail "the second run failed"
check_json "$tmp/first.json" "len(d['process_tree'])==1 and len(d['probe_pairs']['pairs'])==1" \
	"a second run with the same --out merged the first run's child record"
ls "$tmp"/first.[0-9]*.json >/dev/null 2>&1 && fail "the first run's child record was left beside the second's"
# a record of another run appearing during this one is ignored, and said
run foreign 0 -- sh -c "cp '$tmp/stale.json' '$tmp/foreign.99999.json'"
check_json "$tmp/foreign.json" "not any(p['record'].endswith('.99999.json') for p in d['process_tree']) and d['process']['run']!=json.load(open('$tmp/stale.json'))['process']['run']" \
	"a record of another run was gathered into this one"
has foreign "^zctrace:   1 record of another run ignored$" "a foreign record is said"

# --- --out-dir: every other process's record in one folder ----------------------------------
"$ZCTRACE" --out-dir "$tmp/records" -- "$DEMO" fork >/dev/null 2>"$tmp/dir.err" || fail "--out-dir: $(cat "$tmp/dir.err")"
check_json "$tmp/records/zctrace.json" "len(d['process_tree'])==2 and all(p['record'].startswith('$tmp/records/zctrace.') for p in d['process_tree'])" \
	"--out-dir: expected DIR/zctrace.json and DIR/zctrace.PID.json"
"$ZCTRACE" --out "$tmp/root.json" --out-dir "$tmp/kids" -- "$DEMO" fork >/dev/null 2>&1 || fail "--out with --out-dir"
check_json "$tmp/root.json" "len(d['process_tree'])==2 and d['process_tree'][1]['record'].startswith('$tmp/kids/root.')" \
	"--out FILE --out-dir DIR: the root record at FILE, the others in DIR"

# --- sendfile(pipe, file) is labelled by its source, with its destination ---------------------
head -c 2000000 /dev/urandom >"$tmp/in.bin"
run sendfile 0 --min-bytes 1000000 -- "$HANDOVER" sendfile "$tmp/in.bin"
check_json "$tmp/sendfile.json" "[(k['direction'],k['descriptor'],k['to'],k['bytes']) for k in d['kernel_copies'] if k['function']=='sendfile']==[('move','file','pipe',1048576)]" \
	"sendfile from a file into a pipe: expected a move from a file to a pipe"
has sendfile "kernel: 1,048,576 bytes moved from a file to a pipe in 1 call: sendfile from handover" \
	"the sendfile line"

# --- the summary says what the record says -------------------------------------------------
run figures 0 --pages --min-bytes 100000 -- "$KINDS" sites
python3 - "$tmp/figures.json" "$tmp/figures.err" <<'PY' || fail "the summary's figures differ from the record's"
import json, re, sys
d = json.load(open(sys.argv[1]))
err = open(sys.argv[2]).read()
head = re.search(r"^zctrace: \S+ \[pid \d+\]: ([\d,]+) bytes copied at (\d+) call sites?", err, re.M)
n = lambda s: int(s.replace(",", ""))
listed = [n(m) for m in re.findall(r"^zctrace:   [\d,]+ cop(?:y|ies) of ([\d,]+) bytes", err, re.M)]
sites = [s["bytes"] for s in d["call_sites"] if s["bytes"] >= d["process"]["min_bytes"]]
sc = d["summary"]["site_copies"]
ok = head and n(head.group(1)) == sum(listed) == sum(sites) == sc["bytes"] and int(head.group(2)) == len(listed) == sc["sites"]
pages = re.search(r"pages: ([\d,]+) written", err)
pw = d["pages_written"]["pages"]
ok = ok and (pw is None and not pages or pages and n(pages.group(1)) == pw)
ok = ok and all(l in err for l in d["summary_lines"])
print(f"  headline {head and head.group(0)!r}, lines {listed}, record {sc}, pages {pw}")
sys.exit(0 if ok else 1)
PY

# --- docs/zctrace.md lists every option and exit status --help gives --------------------------
for o in $(sed -n 's/^  \(--[a-z-]*\).*/\1/p' "$tmp/help.out"); do
	grep -q -- "| \`$o" docs/zctrace.md && pass || fail "docs/zctrace.md has no row for $o"
done
for c in $(awk '/^exit status/ {on = 1; next} on && /^  [0-9]+$/ {print $1}' "$tmp/help.out"); do
	grep -q "^| $c |" docs/zctrace.md && pass || fail "docs/zctrace.md has no row for exit status $c"
done

e2e_done
