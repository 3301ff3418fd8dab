#!/bin/sh
# zctrace_bench.sh: zctrace's overhead on five programs (issue 28): each run natively, under
# zctrace, under zctrace --pages and under valgrind's DHAT, interleaved (native, zctrace,
# pages, dhat, native, zctrace, ...) so that the machine's load falls on all of them alike.
# Prints two tables, wall time and CPU time (user + system of the program and of zctrace's
# wrapper, from GNU time: what the machine's other load inflates least): the median of each,
# its ratio to native's median, the range of the rounds' ratios (each run over the native run
# of its round), and the targets (zctrace at most 1.10x, --pages at most 1.35x). The load
# average is printed before and after.
#
#   BUILD=build RUNS=7 DHAT_RUNS=1 ONLY="node gzip" scripts/zctrace_bench.sh
#
# Every workload is fixed in size and checks its own result (a wrong one stops the script):
#   probe_demo  probe_demo frames 100: 100 x malloc 8,294,400 + memcpy + free
#   gzip        gzip -c of a 64 MiB file of repeated text
#   sqlite3     sqlite3 in memory: 16 random blobs of 8 MiB inserted, then copied to a table
#   python      /usr/bin/python3 with numpy: an 8 MiB array copied 200 times (a new one each)
#   node        node: an 8 MiB Buffer copied 400 times into another (Buffer.copy)
# A workload whose program is missing is skipped with a line saying so (scripts/deps.sh
# bench installs them).
set -eu
BUILD=${BUILD:-build}
RUNS=${RUNS:-7}
DHAT_RUNS=${DHAT_RUNS:-1}
ONLY=${ONLY:-probe_demo gzip sqlite3 python node}
ZCTRACE=$BUILD/bin/zctrace
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

yes "zcbench gzip workload: the same line again and again, 0123456789" 2>/dev/null |
	head -c 67108864 >"$tmp/gzip.in"
cat >"$tmp/blobs.sql" <<'EOF'
CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 16)
INSERT INTO t(b) SELECT randomblob(8388608) FROM n;
CREATE TABLE u AS SELECT id, b FROM t;
SELECT count(*), sum(length(b)) FROM u;
EOF
cat >"$tmp/copy_array.py" <<'EOF'
import numpy as np
a = np.ones(1 << 20)
s = 0.0
for i in range(200):
    b = a.copy()
    s += b[i]
assert s == 200.0, s
EOF
cat >"$tmp/copy_buffer.js" <<'EOF'
const a = Buffer.alloc(8 << 20, 1);
const b = Buffer.alloc(8 << 20);
let s = 0;
for (let i = 0; i < 400; i++) {
	a[i] = 2;
	s += a.copy(b) === a.length ? b[i] : -1;
}
if (s !== 800) throw new Error(`sum ${s}`);
EOF

# The command line of workload $1 (words; the files have no spaces), or nothing when missing.
workload() {
	case $1 in
	probe_demo) echo "$BUILD/tests/progs/probe_demo frames 100" ;;
	gzip) command -v gzip >/dev/null && echo "gzip -c $tmp/gzip.in" ;;
	sqlite3) command -v sqlite3 >/dev/null && echo "sqlite3 -bail -init $tmp/blobs.sql :memory: .quit" ;;
	python) "$PY" -c 'import numpy' 2>/dev/null && echo "$PY $tmp/copy_array.py" ;;
	node) command -v node >/dev/null && echo "node $tmp/copy_buffer.js" ;;
	*) echo "zctrace_bench: unknown workload '$1'" >&2; exit 2 ;;
	esac
}

# What the workload must print on stdout, when it checks its result by printing it (the
# others fail when wrong; their output is discarded).
expected() {
	case $1 in
	probe_demo) echo "frames 100 25644000" ;;
	sqlite3) echo "16|134217728" ;;
	esac
}

# run WORKLOAD TOOL CMD...: runs CMD once, appends its wall time and its CPU time in ms to
# $tmp/WORKLOAD.TOOL and $tmp/WORKLOAD.TOOL.cpu; a failure or a wrong output stops the benchmark.
run() {
	w=$1 tool=$2
	shift 2
	want=$(expected "$w")
	out=/dev/null
	[ -z "$want" ] || out=$tmp/stdout
	t0=$(date +%s%N)
	if ! /usr/bin/time -f '%U %S' -o "$tmp/cpu" "$@" >"$out" 2>"$tmp/stderr"; then
		echo "zctrace_bench: $w under $tool failed: $*" >&2
		tail -5 "$tmp/stderr" >&2
		exit 1
	fi
	t1=$(date +%s%N)
	if [ -n "$want" ] && [ "$(cat "$tmp/stdout")" != "$want" ]; then
		echo "zctrace_bench: $w under $tool printed '$(head -c 200 "$tmp/stdout")'," \
			"not '$want'" >&2
		exit 1
	fi
	echo $(((t1 - t0) / 1000000)) >>"$tmp/$w.$tool"
	awk '{printf "%.0f\n", ($1 + $2) * 1000}' "$tmp/cpu" >>"$tmp/$w.$tool.cpu"
}

# median FILE: the median of the numbers in FILE
median() {
	sort -n "$1" | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

# cell WORKLOAD TOOL TARGET [.cpu]: "MS RATIOx (MIN-MAX) met|NOT MET" against native's runs
cell() {
	f=$tmp/$1.$2$4 base=$tmp/$1.native$4
	[ -s "$f" ] || { printf '%-36s' "-"; return; }
	paste "$f" "$base" | awk -F '\t' -v m="$(median "$f")" -v b="$(median "$base")" -v target="$3" '
		$1 != "" { r = $1 / $2; lo = (NR == 1 || r < lo) ? r : lo; hi = (NR == 1 || r > hi) ? r : hi }
		END {
			ratio = m / b
			verdict = target == "" ? "" : (ratio <= target ? " met" : " NOT MET")
			printf "%6.0f ms %5.2fx (%.2f-%.2f)%-8s", m, ratio, lo, hi, verdict
		}'
}

# table WHAT SUFFIX: one row per workload
table() {
	echo
	echo "$1: median, its ratio to native's median, (the range of the rounds' ratios)"
	printf '%-11s %9s  %-36s %-36s %s\n' workload native "zctrace (target 1.10x)" \
		"zctrace --pages (target 1.35x)" "valgrind --tool=dhat"
	for w in $ran; do
		printf '%-11s %6.0f ms  %s  %s  %s\n' "$w" "$(median "$tmp/$w.native$2")" \
			"$(cell "$w" zctrace 1.10 "$2")" "$(cell "$w" pages 1.35 "$2")" \
			"$(cell "$w" dhat "" "$2")"
	done
}

echo "zctrace_bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, RUNS=$RUNS DHAT_RUNS=$DHAT_RUNS"
echo "zctrace_bench: load at start:$(uptime | sed 's/.*load average://')"
have_dhat=false
command -v valgrind >/dev/null 2>&1 && have_dhat=true
ran=""
for w in $ONLY; do
	cmd=$(workload "$w") || true
	if [ -z "$cmd" ]; then
		echo "zctrace_bench: $w skipped: its program is missing (scripts/deps.sh bench)"
		continue
	fi
	ran="$ran $w"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		# shellcheck disable=SC2086 # cmd is words
		run "$w" native $cmd
		# shellcheck disable=SC2086
		run "$w" zctrace "$ZCTRACE" --out "$tmp/z.json" -- $cmd
		# shellcheck disable=SC2086
		run "$w" pages "$ZCTRACE" --pages --out "$tmp/z.json" -- $cmd
		if $have_dhat && [ "$i" -lt "$DHAT_RUNS" ]; then
			# shellcheck disable=SC2086
			run "$w" dhat valgrind --tool=dhat --dhat-out-file="$tmp/dhat.out" $cmd
		fi
		i=$((i + 1))
	done
done
echo "zctrace_bench: load at end:$(uptime | sed 's/.*load average://')"
table "wall time" ""
table "CPU time (user + system)" .cpu
