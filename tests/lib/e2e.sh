# e2e.sh: helpers for the end-to-end scripts (sourced, POSIX sh), used by every tests/e2e_*.sh,
# tools/*/e2e_*.sh and scenarios/*/e2e_*.sh. Run from the repository root (tests/run.sh).
#
#   BUILD          build directory under test (default build); run.sh exports it
#   e2e_init NAME  makes $E2E_TMP (removed on exit); NAME starts every message
#   pass / fail MSG     report one check (counted in files: a subshell's checks count too)
#   die MSG        report one failed check and stop: what follows depends on it
#   check WHAT CMD...   CMD succeeds, else one failure that shows its output
#   check_json FILE 'EXPR' WHAT   a Python expression over the JSON document d holds; r(NAME)
#                  is the results row of strategy NAME
#   show_logs FILE...   the last 20 lines of each non-empty FILE on stderr, after a failure
#   e2e_done       one closing line; exit status 0 when no check failed
#   skip_unbuilt NAME   exits 0 with one line (the Makefile's reason) when $BUILD/bin/NAME,
#                  a runtime boundary, is not built here
#   sanitized_build     is $BUILD built with a sanitizer?
#   skip_sanitizer_build   ends the script (e2e_done) when it is: its allocator moves every
#                  realloc by copying and its runtime copies for itself, so exact copy counts
#                  and the committed baseline (a glibc build's) do not apply
#   inject_build   builds $INJECT, the tree with the test-only switches (inproc's move copies
#                  the frame once more; the adversarial strategies), shared by every script
#                  that uses it (same flags, so built once)
#   scenarios      the scenario programs this build has, one name a line
#   seed_results DIR SCENARIO   a valid previous results file (and raw/) to protect
#   snapshot DIR   a listing of every file under DIR, hidden ones included, with checksums
#   json_ok FILE   FILE is valid JSON
BUILD=${BUILD:-build}
INJECT=build-inject
INJECT_CFLAGS="-DZCBENCH_INJECT_MOVE_COPY -DZCBENCH_ADVERSARIAL"

e2e_init() {
	e2e_name=$1
	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/zcbench-$1.XXXXXX") || exit 1
	: >"$E2E_TMP/.checks"
	: >"$E2E_TMP/.failed"
	trap 'rm -rf "$E2E_TMP"' EXIT
	trap 'rm -rf "$E2E_TMP"; exit 130' INT TERM
}

pass() {
	echo >>"$E2E_TMP/.checks"
}

fail() {
	echo >>"$E2E_TMP/.checks"
	echo >>"$E2E_TMP/.failed"
	echo "$e2e_name: FAIL: $*" >&2
}

die() {
	fail "$@"
	exit 1
}

check() {
	e2e_what=$1
	shift
	if "$@" >"$E2E_TMP/.check.out" 2>&1; then
		pass
	else
		fail "$e2e_what"
		sed 's/^/    /' "$E2E_TMP/.check.out" >&2
	fi
}

check_json() {
	if python3 - "$1" "$2" <<'PY' 2>"$E2E_TMP/.check.err"; then pass; else fail "$3 (in $1): $(tail -n 3 "$E2E_TMP/.check.err")"; fi
import json, sys
d = doc = json.load(open(sys.argv[1]))
try:
    rows = {x["strategy"]: x for x in d["results"]}
except (KeyError, TypeError):
    rows = {}
def r(name):
    return rows[name]
assert eval(sys.argv[2]), sys.argv[2]
PY
}

show_logs() {
	for f; do
		[ -s "$f" ] && tail -n 20 "$f" | sed "s|^|  ${f##*/}: |" >&2
	done
	return 0
}

e2e_done() {
	n=$(wc -l <"$E2E_TMP/.checks")
	f=$(wc -l <"$E2E_TMP/.failed")
	if [ "$f" -ne 0 ]; then
		echo "$e2e_name: $f of $n checks failed"
		return 1
	fi
	echo "$e2e_name: all checks passed$([ "$n" -eq 0 ] || echo " ($n)")"
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

sanitized_build() {
	case "$BUILD" in *address* | *thread* | *memory* | *undefined*) return 0 ;; esac
	ldd "$BUILD/bin/inproc" 2>/dev/null | grep -q 'lib[at]san'
}

skip_sanitizer_build() {
	sanitized_build || return 0
	echo "$e2e_name: $BUILD is a sanitizer build; the rest is skipped"
	e2e_done
	exit
}

inject_build() {
	make BUILD="$INJECT" CFLAGS="$INJECT_CFLAGS" all >"$E2E_TMP/inject-build.log" 2>&1 && return 0
	show_logs "$E2E_TMP/inject-build.log"
	die "cannot build $INJECT with $INJECT_CFLAGS"
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
