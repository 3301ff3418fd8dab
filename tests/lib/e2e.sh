# e2e.sh: helpers for the end-to-end scripts (sourced, POSIX sh).
#
#   BUILD          build directory under test (default build); run.sh exports it
#   e2e_init NAME  makes $E2E_TMP (removed on exit) and resets the failure count
#   scenarios      the scenario programs this build has, one name a line
#   skip_unbuilt NAME   exits 0 with one line (the Makefile's reason) when $BUILD/bin/NAME,
#                  a runtime boundary, is not built here
#   seed_results DIR SCENARIO   a valid previous results file (and raw/) to protect
#   snapshot DIR   a listing of every file under DIR, hidden ones included, with checksums
#   pass MSG / fail MSG         report one check
#   e2e_done       exit status: 0 when no check failed
BUILD=${BUILD:-build}
e2e_failed=0
e2e_checks=0

e2e_init() {
	e2e_name=$1
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/zcbench-$1.XXXXXX") || exit 1
	trap 'rm -rf "$E2E_TMP"' EXIT
	trap 'rm -rf "$E2E_TMP"; exit 130' INT TERM
}

pass() {
	e2e_checks=$((e2e_checks + 1))
}

fail() {
	e2e_checks=$((e2e_checks + 1))
	e2e_failed=$((e2e_failed + 1))
	echo "$e2e_name: FAIL: $*" >&2
}

e2e_done() {
	echo "$e2e_name: $((e2e_checks - e2e_failed))/$e2e_checks checks passed"
	[ "$e2e_failed" -eq 0 ]
}

skip_unbuilt() {
	[ -x "$BUILD/bin/$1" ] && return 0
	if [ -s "$BUILD/runtimes/$1.skipped" ]; then
		sed "s/^$1: /e2e_$1: /" "$BUILD/runtimes/$1.skipped"
	else
		echo "e2e_$1: skipped, $BUILD/bin/$1 is not built"
	fi
	exit 0
}

scenarios() {
	for f in scenarios/*/main.c; do
		s=$(basename "$(dirname "$f")")
		[ -x "$BUILD/bin/$s" ] && echo "$s"
	done
}

# A quick run on a small frame: a results file the refused runs must not touch.
seed_results() {
	"$BUILD/bin/$2" --quick --quiet --frame 64x64 --benchmark_min_time=0.001 \
		--benchmark_repetitions=2 --out "$1/$2.json" >/dev/null 2>"$1/.seed-err" ||
		{ fail "$2: seeding $1/$2.json failed: $(cat "$1/.seed-err")"; return 1; }
	rm -f "$1/.seed-err"
}

snapshot() {
	(cd "$1" && find . -print | LC_ALL=C sort | while read -r f; do
		if [ -f "$f" ]; then echo "$f $(cksum < "$f")"; else echo "$f"; fi
	done)
}

json_ok() {
	python3 -m json.tool "$1" >/dev/null 2>&1
}

# Is this build instrumented by a sanitizer (address space limits do not apply)?
sanitized_build() {
	case "$BUILD" in *address* | *thread* | *memory* | *undefined*) return 0 ;; esac
	return 1
}
