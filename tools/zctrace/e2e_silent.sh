#!/bin/sh
# e2e_silent.sh: zctrace is never silent (docs/zctrace.md, "Never silent"). A static program,
# run directly and inside `sh -c`, is named "not traced" with its reason in the summary and in
# the root record's "process_tree", and so is one started with an environment that drops the
# tracer (env -i). A program that copies then aborts leaves its record, and
# the summary shows its copy. 8 MiB written with fwrite (inside libc, unseen by the hooks) is
# counted from /proc/PID/io. Exit 0 when every check passes.
set -u
. tests/lib/e2e.sh
e2e_init zctrace-silent
ZCTRACE=$BUILD/bin/zctrace
SILENT=$BUILD/tests/progs/silent
STATIC=$BUILD/tests/progs/silent-static
tmp=$E2E_TMP
for f in "$ZCTRACE" "$SILENT" "$STATIC" "$BUILD/lib/libzctrace.so"; do
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

# --- a static program: named, with its reason, run directly and by a shell ---------------------
untraced="^zctrace:   silent-static \[pid [0-9]+\]: not traced: static program /.*/silent-static \(LD_PRELOAD cannot reach it\)$"
run static 0 -- "$STATIC" copy
has static "$untraced" "a static program run directly"
check_json "$tmp/static.json" "[p.get('not_traced','').split(' ')[:2] for p in d['process_tree']]==[['static','program']]" \
	"a static program run directly: its process_tree entry"
run static_sh 0 -- sh -c "$STATIC copy; true"
has static_sh "$untraced" "a static program a shell forks and execs"
check_json "$tmp/static_sh.json" "[p['exe'].endswith('silent-static') for p in d['process_tree'] if 'not_traced' in p]==[True] and len(d['process_tree'])==2" \
	"a static program a shell forks and execs: its process_tree entry"
run static_exec 0 -- sh -c "exec $STATIC copy"
has static_exec "$untraced" "a static program a shell execs in its own place"
# a program started with an environment that drops the tracer (env -i clears it, then execvp)
run env_i 0 -- sh -c "env -i $SILENT copy; true"
has env_i "^zctrace:   silent \[pid [0-9]+\]: not traced: program without LD_PRELOAD /.*/silent \(LD_PRELOAD cannot reach it\)$" \
	"a program env -i starts"
if ls zctrace.*.json >/dev/null 2>&1; then fail "a record left in the working folder: $(ls zctrace.*.json)"; else pass; fi
# a program that can be traced is not named
run dynamic 0 -- sh -c "$SILENT copy; true"
if grep -q "]: not traced:" "$tmp/dynamic.err"; then fail "a dynamic program named not traced: $(cat "$tmp/dynamic.err")"; else pass; fi

# --- a crash: the record is written on the fatal signal, then the program dies of it -----------
run abort 134 -- "$SILENT" abort
has abort "^zctrace:   1 copy of 8,388,608 bytes: memcpy from silent" "an aborting program's copy"
has abort "^zctrace: '.*silent' was killed by signal 6; its record was written before$" "an aborting program"
check_json "$tmp/abort.json" "d['summary']['large_copy_bytes']==8388608" "an aborting program's record"
run abort_sh 134 -- sh -c "$SILENT abort; exit 134"
has abort_sh "^zctrace:   silent \[pid [0-9]+\]: 1 copy of 8,388,608 bytes" "an aborting child's copy"

# --- stdio: the kernel's bytes no hook attributed, from /proc/PID/io ----------------------------
run stdio 0 -- "$SILENT" fwrite "$tmp/stdio.bin"
has stdio "^zctrace:   kernel: 8,[0-9]{3},[0-9]{3} bytes read or written that no hook attributed \(stdio's fread/fwrite, syscall\(\): /proc/[0-9]+/io\)$" \
	"fwrite's 8 MiB in the summary"
check_json "$tmp/stdio.json" "d['summary']['io']['wchar']>=8388608 and d['summary']['io']['unattributed_kernel_bytes']>=8388608" \
	"fwrite's 8 MiB in the record"
run quiet_io 0 -- "$SILENT" copy
if grep -q "no hook attributed" "$tmp/quiet_io.err"; then fail "a program without stdio I/O: $(cat "$tmp/quiet_io.err")"; else pass; fi

# --- input read through mmap: listed, since no read call copies it ---------------------------
KINDS=$BUILD/tests/progs/copy_kinds
head -c 8388608 /dev/urandom >"$tmp/input.bin"
run mapped 0 -- "$KINDS" mapfile "$tmp/input.bin"
has mapped "^zctrace:   mapped: 8,388,608 bytes of .*/input.bin with mmap \(read in place: no read or write call copies them\)$" \
	"a file read through mmap in the summary"
check_json "$tmp/mapped.json" "[(m['path'].endswith('/input.bin'), m['bytes'], m['writable']) for m in d['mapped_files']]==[(True, 8388608, False)] and d['dropped_mapped_files']==0" \
	"a file read through mmap in the record"
run unmapped 0 -- "$SILENT" copy
if grep -q "mapped:" "$tmp/unmapped.err"; then fail "a program that maps no file: $(cat "$tmp/unmapped.err")"; else pass; fi

e2e_done
