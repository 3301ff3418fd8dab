#!/bin/sh
# e2e_console.sh: what a scenario prints. Into a file or a pipe (a CI log): one progress line
# per strategy on stderr as it finishes, then the summary table on stdout with the cheapest
# share's saving, and nothing of Google Benchmark's (no banner, no DEBUG warning per process)
# unless --verbose, which also prints the evidence lines. --quiet prints no progress. On a
# terminal (a pseudo-terminal from script(1)) the progress is one line rewritten in place.
set -u
. tests/lib/e2e.sh
e2e_init console
tmp=$E2E_TMP
run() { # run NAME ARGS...: build/bin/inproc with a small frame, stdout and stderr apart
	name=$1; shift
	"$BUILD/bin/inproc" --quick --frame 256x256 --processes 2 --strategy copy,pool \
		--out "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" ||
		die "inproc $* failed: $(cat "$tmp/$name.err")"
}

run plain
for s in reference_memcpy copy pool; do
	grep -q "^inproc: $s measured (2 measuring processes, [0-9.]* s)$" "$tmp/plain.err" ||
		fail "no progress line for $s in: $(cat "$tmp/plain.err")"
done
grep -q "^inproc: wrote $tmp/plain.json$" "$tmp/plain.err" || fail "no 'wrote' line"
[ "$(wc -l <"$tmp/plain.err")" -eq 4 ] || fail "stderr is not 4 lines: $(cat "$tmp/plain.err")"
for noise in 'Load Average' '\*\*\*WARNING\*\*\*' 'Running ' 'consumer reads'; do
	! grep -q "$noise" "$tmp/plain.out" "$tmp/plain.err" || fail "'$noise' printed without --verbose"
done
grep -q '^strategy  *verdict  *median ns  *x memcpy  *cv ' "$tmp/plain.out" || fail "no table header"
for s in reference_memcpy copy pool; do
	grep -q "^$s " "$tmp/plain.out" || fail "no row for $s"
done
# The saving line says what the results say: copy's median over pool's, as printed.
python3 - "$tmp/plain.json" "$tmp/plain.out" <<'PY' || fail "the saving line is wrong"
import json, re, sys
doc = json.load(open(sys.argv[1]))
med = {r["strategy"]: r["time"]["ns_per_transfer"]["median"] for r in doc["results"]}
line = next(l for l in open(sys.argv[2]) if l.startswith("the cheapest share"))
m = re.match(r"the cheapest share \(pool, (\d+) ns\) is ([\d.]+)x cheaper than the cheapest "
             r"copy \(copy, (\d+) ns\)", line)
assert m, line
x = med["copy"] / med["pool"]
assert abs(float(m.group(2)) - x) <= (0.01 if x < 10 else 0.5), (m.group(2), x)
assert doc["context"]["benchmark_library_build"] in ("debug", "release")
PY

run verbose --verbose
grep -q "consumer reads the producer's bytes in place" "$tmp/verbose.out" ||
	fail "--verbose printed no evidence lines"
grep -q 'Load Average' "$tmp/verbose.out" "$tmp/verbose.err" ||
	fail "--verbose printed nothing of Google Benchmark's"

run quiet --quiet
[ ! -s "$tmp/quiet.err" ] || fail "--quiet printed: $(cat "$tmp/quiet.err")"
grep -q '^pool ' "$tmp/quiet.out" || fail "--quiet printed no table"

# On a terminal: the progress line is rewritten in place (carriage return, erase line).
if command -v script >/dev/null 2>&1; then
	script -qec "'$BUILD/bin/inproc' --quick --frame 256x256 --processes 2 --strategy pool \
		--out '$tmp/tty.json'" /dev/null >"$tmp/tty.log" 2>&1 || fail "inproc under script failed"
	grep -q "$(printf '\r\033\\[K')inproc: pool, process 2 of 2" "$tmp/tty.log" ||
		fail "no in-place progress on a terminal"
else
	echo "$e2e_name: no script(1): the terminal case is not checked"
fi
e2e_done
