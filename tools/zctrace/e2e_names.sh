#!/bin/sh
# e2e_names.sh: zctrace names call sites with their function and source line (libdw, in the
# wrapper), for a non-PIE and a PIE executable and a shared library; a stripped program keeps
# "module+0xOFFSET", an offset addr2line reads; without the wrapper, the dynamic symbols name
# what they can; the system's python3 and node (when installed) get real symbols. The oracle
# is the source (the lines marked "site:" in tools/zctrace/progs/names*.c) and binutils'
# addr2line, which shares no code with libdw. Exit 0 when every check passes.
set -u
. tests/lib/e2e.sh
e2e_init zctrace-names
ZCTRACE=$BUILD/bin/zctrace
PROGS=$BUILD/tests/progs
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
tmp=$E2E_TMP

for f in "$ZCTRACE" "$PROGS/names-nopie" "$PROGS/names-pie" "$PROGS/names-stripped"; do
	[ -e "$f" ] || die "'$f' is not built (make zctrace)"
done
command -v addr2line >/dev/null || die "addr2line (binutils) is missing"

site_line() { # site_line FILE WHAT: the line marked "site: WHAT"
	grep -n "site: $2 " "tools/zctrace/progs/$1" | cut -d: -f1
}
PROGRAM=$(site_line names.c program)
INLINED=$(site_line names.c inlined)
LIBRARY=$(site_line names_lib.c library)

trace() { # trace NAME ARGS...: zctrace --out $tmp/NAME.json ARGS, stderr to NAME.err
	name=$1; shift
	"$ZCTRACE" --out "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" \
		|| fail "zctrace $* exited $?: $(cat "$tmp/$name.err")"
}

# site NAME BYTES MEMBER: a member of the call site of BYTES bytes in NAME.json
site() {
	"$PY" - "$tmp/$1.json" "$2" "$3" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = [s for s in d["call_sites"] if s["bytes"] == int(sys.argv[2])]
print(s[0].get(sys.argv[3]) if s else "no such site")
PYEOF
}

# --- names from DWARF: non-PIE (at its link address) and PIE, and their shared library -------
for v in nopie pie; do
	prog=names-$v
	case $v in nopie) type=EXEC ;; pie) type=DYN ;; esac
	readelf -h "$PROGS/$prog" | grep -q "Type: *$type" || fail "$prog is not an ET_$type file"
	trace "$v" -- "$PROGS/$prog"
	check_json "$tmp/$v.json" "[(s['caller'], s['source'].endswith('/tools/zctrace/progs/names.c:$PROGRAM'), s['inlined_into']) for s in d['call_sites'] if s['bytes']==8<<20]==[('$prog:names_program_copy', True, None)]" \
		"$prog: the 8 MiB copy should be named names_program_copy at names.c:$PROGRAM"
	check_json "$tmp/$v.json" "[(s['caller'], s['source'].endswith('/tools/zctrace/progs/names.c:$INLINED'), s['inlined_into']) for s in d['call_sites'] if s['bytes']==4<<20]==[('$prog:names_inlined_copy', True, 'main')]" \
		"$prog: the 4 MiB copy should be names_inlined_copy at names.c:$INLINED, inlined into main"
	check_json "$tmp/$v.json" "[(s['caller'], s['source'].endswith('/tools/zctrace/progs/names_lib.c:$LIBRARY')) for s in d['call_sites'] if s['bytes']==2<<20]==[('libzcnames.so:library_copy', True)]" \
		"$prog: the library's 2 MiB copy should be library_copy at names_lib.c:$LIBRARY"
	check_json "$tmp/$v.json" "[c['caller'] for c in d['copies']]==['$prog:names_program_copy', '$prog:names_inlined_copy', 'libzcnames.so:library_copy']" \
		"$prog: the large copies should carry the same names as their sites"
	grep -q "memcpy from $prog:names_program_copy (tools/zctrace/progs/names.c:$PROGRAM)" "$tmp/$v.err" \
		|| fail "$prog: the summary should name the site with its line: $(cat "$tmp/$v.err")"
	grep -q "memcpy from $prog:names_inlined_copy (tools/zctrace/progs/names.c:$INLINED, inlined into main)" "$tmp/$v.err" \
		|| fail "$prog: the summary should say where the copy was inlined: $(cat "$tmp/$v.err")"
	# binutils reads the same function and line at the record's offset
	offset=$(site "$v" 8388608 offset)
	got=$(addr2line -f -e "$PROGS/$prog" "$offset" | tr '\n' ' ')
	case $got in
	"names_program_copy "*"/tools/zctrace/progs/names.c:$PROGRAM "*) pass ;;
	*) fail "$prog: addr2line reads '$got' at the record's offset $offset" ;;
	esac
done

# --- stripped: no .symtab, no DWARF: module+offset, the offset the PIE build has --------------
trace stripped -- "$PROGS/names-stripped"
offset=$(site pie 8388608 offset)
check_json "$tmp/stripped.json" "[(s['caller'], s['offset'], s['source']) for s in d['call_sites'] if s['bytes']==8<<20]==[('names-stripped+$offset', '$offset', None)]" \
	"names-stripped: the 8 MiB copy should be names-stripped+$offset, as the PIE build places it"
check_json "$tmp/stripped.json" "[s['caller'] for s in d['call_sites'] if s['bytes']==2<<20]==['libzcnames.so:library_copy']" \
	"names-stripped: its library, not stripped, should still be named"
grep -q "memcpy from names-stripped+$offset\$" "$tmp/stripped.err" \
	|| fail "names-stripped: the summary should say names-stripped+$offset: $(cat "$tmp/stripped.err")"

# --- without the wrapper: the process names its sites from the dynamic symbols (none here) ---
LD_PRELOAD=$BUILD/lib/libzctrace.so ZCTRACE_OUT=$tmp/alone.json "$PROGS/names-nopie" \
	>/dev/null 2>"$tmp/alone.err" || fail "names-nopie under LD_PRELOAD failed: $(cat "$tmp/alone.err")"
offset=$(site nopie 8388608 offset)
check_json "$tmp/alone.json" "[(s['caller'], s['offset']) for s in d['call_sites'] if s['bytes']==8<<20]==[('names-nopie+$offset', '$offset')]" \
	"names-nopie without the wrapper: expected names-nopie+$offset (the address addr2line reads)"
grep -q "memcpy from names-nopie+$offset\$" "$tmp/alone.err" \
	|| fail "names-nopie without the wrapper: no summary line with names-nopie+$offset: $(cat "$tmp/alone.err")"

# --- python3: Debian strips it; its dynamic symbols name what dladdr named ------------------
exe=$(readlink -f "$PY")
if readelf -S -W "$exe" | grep -q ' \.symtab '; then
	echo "$e2e_name: note: $exe has a .symtab"
else
	echo "$e2e_name: note: $exe is stripped (no .symtab): its names are its dynamic symbols"
fi
trace py -- "$PY" -c "b=bytearray(8*1024*1024); c=bytes(b)"
LD_PRELOAD=$BUILD/lib/libzctrace.so ZCTRACE_OUT=$tmp/py-alone.json "$PY" \
	-c "b=bytearray(8*1024*1024); c=bytes(b)" 2>/dev/null || fail "python3 under LD_PRELOAD failed"
"$PY" - "$tmp/py.json" "$tmp/py-alone.json" <<'PYEOF' || fail "python3: libdw and dladdr name the exported functions differently"
import json, sys
ours, alone = (json.load(open(f)) for f in sys.argv[1:])
dladdr = {s["offset"]: s["caller"] for s in alone["call_sites"] if ":" in s["caller"]}
named = [s for s in ours["call_sites"] if "source" in s]
same = [s for s in named if s["offset"] in dladdr]
print(f"  python3: {len(named)} sites named, {len(same)} of them by a dynamic symbol, e.g. "
      f"{same[0]['caller'] if same else None}")
sys.exit(0 if same and all(dladdr[s["offset"]] == s["caller"] for s in same) else 1)
PYEOF

# --- node: a big program; named from its .symtab when it has one ------------------------------
NODE=$(command -v node || true)
if [ -z "$NODE" ]; then
	echo "$e2e_name: note: node is not installed; its names are not checked"
elif ! readelf -S -W "$(readlink -f "$NODE")" | grep -q ' \.symtab '; then
	echo "$e2e_name: note: $NODE has no .symtab; its names are not checked"
else
	trace node -- "$NODE" -e "Buffer.alloc(8<<20).slice().toString().length"
	"$PY" - "$tmp/node.json" <<'PYEOF' || fail "node: its sites should be named as binutils' addr2line names them"
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
top = d["call_sites"][0]
sites = [s for s in d["call_sites"] if "source" in s and s["source"] is None
         and s["caller"].startswith("node:")][:10]
ok = not top["caller"].startswith("node+")
for s in sites: # symbol table only: the same name as binutils reads, demangled
    a2l = subprocess.run(["addr2line", "-f", "-C", "-e", s["module"], s["offset"]],
                         capture_output=True, text=True).stdout.split("\n")[0]
    ok = ok and s["caller"] == "node:" + a2l
print(f"  node: top site {top['caller'][:100]}; {len(sites)} named as addr2line does")
sys.exit(0 if ok and sites else 1)
PYEOF
fi

e2e_done
