#!/bin/sh
# e2e_bad_input.sh: every scenario program refuses bad input with one line on stderr that names
# the bad value, exit status 2, and leaves the results directory exactly as it was (a valid
# previous results file is there to be harmed). Low memory under `ulimit -v` must end with
# exit 4 and "out of memory", not a crash. `make bench SCENARIO=` takes only known scenarios, and
# at least one; a refused or failed `make bench` run leaves the previous set as it was.
#
# To add a case: expect CODE 'TEXT THE MESSAGE MUST HOLD' COMMAND ARGS...
set -u
# Nested makes here are the test's own, not part of a parallel make test.
unset MAKEFLAGS MFLAGS MAKELEVEL
. tests/lib/e2e.sh
e2e_init bad-input
R=$E2E_TMP/results
mkdir -p "$R"

# expect CODE WANT CMD...: CMD exits CODE, prints one line on stderr holding WANT, and $R is
# unchanged.
expect() {
	code=$1 want=$2
	shift 2
	before=$(snapshot "$R")
	"$@" >"$E2E_TMP/stdout" 2>"$E2E_TMP/stderr"
	rc=$?
	msg=$(cat "$E2E_TMP/stderr")
	lines=$(wc -l <"$E2E_TMP/stderr")
	what="$* -> exit $rc, stderr: $msg"
	if [ "$rc" -ne "$code" ]; then
		fail "want exit $code: $what"
	elif [ "$lines" -ne 1 ]; then
		fail "want one line on stderr: $what"
	elif ! grep -qF -- "$want" "$E2E_TMP/stderr"; then
		fail "want '$want' in the message: $what"
	elif [ "$(snapshot "$R")" != "$before" ]; then
		fail "the results directory changed: $what"
	else
		pass
	fi
}

# The frame size given is named in the message.
bad_frames='0x0 -5x10 1920x x1080 abc 1920x1080x4 1x1 x 1920X 1920x-1 +5x5 0x1080 1920x0
99999999999999999999x1 1x99999999999999999999 4294967296x4294967296 65537x2'

# MemAvailable in KiB: a frame whose 8 frames in flight cannot fit is refused before setup.
avail_kib=$(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo)

check_scenario() {
	s=$1 p=$BUILD/bin/$1 out=$R/$1.json
	for f in $bad_frames; do
		expect 2 "'$f'" "$p" --frame "$f" --out "$out"
	done
	expect 2 "frame size ''" "$p" --out "$out" --frame ''
	if [ "${avail_kib:-0}" -gt 0 ] && [ "$avail_kib" -lt $((128 * 1024 * 1024)) ]; then
		expect 2 "frame '65536x65536' needs about" "$p" --frame 65536x65536 --out "$out"
	fi
	expect 2 "unknown strategy 'nope' (valid:" "$p" --strategy nope --out "$out"
	expect 2 "'--strategy'" "$p" --strategy , --out "$out"
	expect 2 "invalid run id 'a/b'" "$p" --run-id a/b --out "$out"
	expect 2 "unknown option '--bogus'" "$p" --bogus --out "$out"
	expect 2 "unknown option 'stray'" "$p" stray --out "$out"
	for o in --frame --strategy --out --mmap-threshold --run-id; do
		expect 2 "option '$o' needs a value" "$p" --out "$out" "$o"
	done
	expect 2 "'abc'" "$p" --mmap-threshold abc --out "$out"
	expect 2 "'-1'" "$p" --mmap-threshold -1 --out "$out"
	expect 2 "'$E2E_TMP/none'" "$p" --quick --out "$E2E_TMP/none/$s.json"
	expect 2 "'$R': it is a directory" "$p" --quick --out "$R"
	if [ "$(id -u)" -ne 0 ]; then
		mkdir -p "$E2E_TMP/ro" && chmod 555 "$E2E_TMP/ro"
		expect 2 "is not writable" "$p" --quick --out "$E2E_TMP/ro/$s.json"
	else
		expect 2 "'/proc/raw'" "$p" --quick --out "/proc/$s.json" # root may write anywhere else
	fi
	expect 2 "unknown option '--benchmark_nonsense'" "$p" --benchmark_nonsense --out "$out"
	expect 2 "'--benchmark_repetitions=abc'" "$p" --benchmark_repetitions=abc --out "$out"
	expect 2 "'--benchmark_min_time=x'" "$p" --benchmark_min_time=x --out "$out"
	expect 2 "'--benchmark_filter=['" "$p" --benchmark_filter='[' --out "$out"
	expect 2 "--benchmark_filter matches no row of $s" "$p" --quick \
		--benchmark_filter=zzz --out "$out"
	expect 2 "--transfers" "$p" --transfers 0 --out "$out"
	check_placement "$s" "$p" "$out"
}

# --placement: only thread and process have two sides to place; on one CPU (taskset), cross
# is refused, and the default narrows to same.
check_placement() {
	case $1 in
	thread | process)
		expect 2 "unknown placement 'near' (valid: same cross free)" "$2" --placement near \
			--out "$3"
		expect 2 "placement 'same' given twice" "$2" --placement same,same --out "$3"
		expect 2 "'--placement' needs at least one" "$2" --placement , --out "$3"
		if command -v taskset >/dev/null; then
			expect 2 "placement 'cross' needs two CPUs" taskset -c 0 "$2" \
				--placement same,cross --out "$3"
		fi ;;
	*)
		expect 2 "--placement: the $1 boundary has no consumer thread or process" "$2" \
			--placement same --out "$3" ;;
	esac
}

# Under a small address-space limit the program starts but its frames do not fit.
check_low_memory() {
	sanitized_build && return 0 # sanitizers reserve terabytes of address space
	for kib in 16000 30000; do
		expect 4 "out of memory" sh -c 'ulimit -v "$1" && shift && exec "$@"' sh "$kib" \
			"$BUILD/bin/$1" --quick --quiet --frame 1920x1080 --out "$R/$1.json"
	done
}

for s in $(scenarios); do
	seed_results "$R" "$s" || continue
	check_scenario "$s"
	check_low_memory "$s"
done
[ -n "$(scenarios)" ] || fail "no scenario program in $BUILD/bin"

# make bench SCENARIO=NAME runs only known scenarios (comma-separated list).
# (QUICK and a small frame: should the check ever be lost, the run stays short.)
bench="make -s --no-print-directory bench QUICK=1 FRAME=64x64 RESULTS=$R"
expect 2 "unknown scenario 'nope' (valid:" $bench SCENARIO=nope
expect 2 "unknown scenario 'nope' (valid:" $bench SCENARIO="$(scenarios | head -n 1),nope"
expect 2 "SCENARIO=',' names no scenario (valid:" $bench SCENARIO=,

# make bench's run (scripts/bench.sh) refused or failed leaves the previous set and its summary
# as they were: the scenario's one line, its exit status (after bench.sh's progress line
# "[1/2] inproc", which --quiet leaves out as the scenarios do theirs).
echo "run 20261207T000000Z-1: the previous run's summary" >"$R/summary.txt"
bench_sh() { # bench_sh FRAME SCENARIOS ARGS...
	f=$1 list=$2
	shift 2
	scripts/bench.sh "$BUILD" "$R" "$f" quick "$list" --frame "$f" --quick --processes 1 --quiet "$@"
}
expect 2 "frame '0x0' has no pixels" bench_sh 0x0 inproc
expect 2 "unknown strategy 'nope' (valid:" bench_sh 64x64 inproc --strategy nope
expect 2 "--placement: the inproc boundary has no consumer" bench_sh 64x64 "inproc thread" --placement same
# A run that fails after a scenario ran shows that scenario's table, says the set is kept, and
# keeps it.
before=$(snapshot "$R")
bench_sh 64x64 "inproc managed" --quiet --strategy pool >"$E2E_TMP/stdout" 2>"$E2E_TMP/stderr"
rc=$?
check "a failed run exits with the failing scenario's status (got $rc)" test "$rc" -eq 2
check "a failed run leaves the results directory as it was" test "$(snapshot "$R")" = "$before"
check "a failed run shows the tables of what ran" grep -q '^inproc: 64x64 RGBA frame' "$E2E_TMP/stdout"
check "a failed run names the failure" grep -q "^managed: unknown strategy 'pool'" "$E2E_TMP/stderr"
check "a failed run says the set was kept" grep -qx "bench.sh: managed exited 2: $R/ left as it was" \
	"$E2E_TMP/stderr"

# The tools: a bad option is one line with a hint, never the whole usage (zctrace exits 125,
# its own status, apart from its program's: docs/zctrace.md); an output that
# cannot be written is refused before any work.
expect 125 "unknown option '--bogus' (see zctrace --help)" "$BUILD/bin/zctrace" --bogus -- true
expect 125 "no program to run (usage: zctrace [OPTIONS] -- PROGRAM ARGS...)" "$BUILD/bin/zctrace" --pages
expect 2 "unknown option '--bogus' (see zcgate --help)" "$BUILD/bin/zcgate" --bogus "$R" "$R"
expect 2 "cannot write '/missing-zcbench/x.md'" "$BUILD/bin/zcgate" "$R" "$R" \
	--markdown /missing-zcbench/x.md

e2e_done
