#!/bin/sh
# zctrace_bench.sh: wall time of a copy-heavy program natively, under zctrace, under valgrind's
# DHAT and under heaptrack; medians of RUNS runs (fewer for the slow tools) and ratios to
# native. Also one small-allocation-heavy program (python3) natively and under zctrace, to show
# the cost below the threshold, and one made of nothing but small copies (call-site aggregation).
#
#   BUILD=build FRAMES=100 RUNS=7 scripts/zctrace_bench.sh
set -eu
BUILD=${BUILD:-build}
FRAMES=${FRAMES:-100}
RUNS=${RUNS:-7}
SLOW_RUNS=${SLOW_RUNS:-3}
DEMO=$BUILD/tests/progs/probe_demo
KINDS=$BUILD/tests/progs/copy_kinds
ZCTRACE=$BUILD/bin/zctrace
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median_ms RUNS CMD...: runs CMD RUNS times (output discarded), prints the median in ms
median_ms() {
	n=$1; shift
	i=0
	: >"$tmp/times"
	while [ "$i" -lt "$n" ]; do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $(( (t1 - t0) / 1000000 )) >>"$tmp/times"
		i=$((i + 1))
	done
	sort -n "$tmp/times" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'
}

row() { # row NAME MS NATIVE_MS
	awk -v n="$1" -v t="$2" -v b="$3" 'BEGIN {printf "  %-26s %9.0f ms  %7.2fx\n", n, t, t / b}'
}

echo "zctrace_bench: $DEMO frames $FRAMES (one 8,294,400-byte malloc + memcpy + free per frame)"
native=$(median_ms "$RUNS" "$DEMO" frames "$FRAMES")
traced=$(median_ms "$RUNS" "$ZCTRACE" --out "$tmp/t.json" -- "$DEMO" frames "$FRAMES")
traced_bt=$(median_ms "$RUNS" "$ZCTRACE" --backtrace --out "$tmp/t.json" -- "$DEMO" frames "$FRAMES")
traced_pages=$(median_ms "$RUNS" "$ZCTRACE" --pages --out "$tmp/t.json" -- "$DEMO" frames "$FRAMES")
row native "$native" "$native"
row zctrace "$traced" "$native"
row "zctrace --backtrace" "$traced_bt" "$native"
row "zctrace --pages" "$traced_pages" "$native"
if command -v valgrind >/dev/null 2>&1; then
	dhat=$(median_ms "$SLOW_RUNS" valgrind --tool=dhat --dhat-out-file="$tmp/dhat.out" \
		"$DEMO" frames "$FRAMES")
	row "valgrind --tool=dhat" "$dhat" "$native"
fi
if command -v heaptrack >/dev/null 2>&1; then
	heap=$(median_ms "$SLOW_RUNS" heaptrack -o "$tmp/heaptrack" "$DEMO" frames "$FRAMES")
	row heaptrack "$heap" "$native"
fi

echo "zctrace_bench: $PY, 1,000,000 bytes(1000): one malloc each, all below the threshold"
small="
for i in range(1000000): bytes(1000)"
pnative=$(median_ms "$RUNS" "$PY" -c "$small")
ptraced=$(median_ms "$RUNS" "$ZCTRACE" --out "$tmp/p.json" -- "$PY" -c "$small")
row native "$pnative" "$pnative"
row zctrace "$ptraced" "$pnative"

# The worst case for call-site aggregation: nothing but small copies, every one of them added
# to its site. DHAT in copy mode, the other tool that sums copies per site, beside it.
echo "zctrace_bench: $KINDS small 10000000 (10^7 memcpys of 64 bytes from one call site)"
knative=$(median_ms "$RUNS" "$KINDS" small 10000000)
ktraced=$(median_ms "$RUNS" "$ZCTRACE" --out "$tmp/k.json" -- "$KINDS" small 10000000)
row native "$knative" "$knative"
row zctrace "$ktraced" "$knative"
if command -v valgrind >/dev/null 2>&1; then
	kdhat=$(median_ms "$SLOW_RUNS" valgrind --tool=dhat --mode=copy \
		--dhat-out-file="$tmp/kdhat.out" "$KINDS" small 10000000)
	row "valgrind --tool=dhat --mode=copy" "$kdhat" "$knative"
fi
