#!/bin/sh
# deps.sh: make sure the Debian packages zcbench builds and runs with are present.
#
# Usage: scripts/deps.sh [build|report|check|browser|bench|all]
#   build  (default) Google Benchmark, jansson, cmocka, elfutils' libdw (zctrace's names), cargo,
#          and what the tests run: valgrind, mimalloc and jemalloc (for --allocator)
#   report gnuplot and jq for charts and reports, xmllint to check the SVG charts
#   check  the build group and clang (libFuzzer, sanitizers)
#   browser chromium, for make check-report (headless screenshot of report.html)
#   bench  the programs make zctrace-bench traces (gzip, sqlite3, python3 with numpy, node) and
#          times (GNU time for the CPU time), and valgrind for DHAT beside them
#   all    everything above
#   runtime PACKAGE...  the Debian packages a runtime boundary names (its boundary.mk):
#          installed as they are, without a check first (the Makefile checks)
#
# Packages are looked up with pkg-config or command -v; whatever is missing is installed with
# apt-get when running as root, else with sudo, else the script names the packages and exits 3.
set -eu

want=${1:-build}
missing=""

need_pc() {   # need_pc PKGCONFIG-NAME DEBIAN-PACKAGE
	pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"
}
need_cmd() {  # need_cmd COMMAND DEBIAN-PACKAGE
	command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need_file() { # need_file PATH DEBIAN-PACKAGE
	[ -e "$1" ] || missing="$missing $2"
}

build_deps() {
	need_cmd pkg-config pkg-config
	need_cmd gcc gcc
	need_cmd g++ g++
	need_pc benchmark libbenchmark-dev
	need_pc jansson libjansson-dev
	need_pc cmocka libcmocka-dev
	# zctrace names call sites from .symtab and DWARF (tools/zctrace/symbolize.c)
	need_pc libdw libdw-dev
	# the Rust producer: Debian's cargo (and rustc) when no toolchain is on PATH
	need_cmd cargo cargo
	need_cmd python3 python3-minimal
	# what make test runs: memcheck (e2e_alloc_counts.sh) and the allocators of --allocator
	need_cmd valgrind valgrind
	need_file /usr/lib/x86_64-linux-gnu/libmimalloc.so.2 libmimalloc2.0
	need_file /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 libjemalloc2
}
report_deps() {
	need_cmd gnuplot gnuplot-nox
	need_cmd jq jq
	need_cmd xmllint libxml2-utils
}
check_deps() {
	build_deps
	need_cmd clang clang
}
browser_deps() {
	need_cmd chromium chromium
}
bench_deps() {
	need_cmd gzip gzip
	need_cmd sqlite3 sqlite3
	need_file /usr/bin/python3 python3-minimal
	/usr/bin/python3 -c 'import numpy' 2>/dev/null || missing="$missing python3-numpy"
	need_cmd node nodejs
	need_file /usr/bin/time time
	need_cmd valgrind valgrind
}

case "$want" in
build)   build_deps ;;
report)  report_deps ;;
check)   check_deps ;;
browser) browser_deps ;;
bench)   bench_deps ;;
all)     build_deps; report_deps; check_deps; browser_deps; bench_deps ;;
runtime) shift; missing=" $*" ;;
*)       echo "deps.sh: unknown group '$want' (build, report, check, browser, bench, all, runtime)" >&2; exit 2 ;;
esac

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo="sudo"
else
	echo "deps.sh: missing Debian packages:$missing (install them with: sudo apt-get install$missing)" >&2
	exit 3
fi

echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# apt-get install fails on a machine whose package lists were never fetched: they are fetched
# first, but once an hour at most. A first make bench asks up to nine times (the build, each
# runtime, the reports), and each fetch took about 2 s here. Lists that turn out too old
# for the install are fetched again, and the install tried once more.
stamp=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/zcbench/apt-lists-fetched
update() {
	$sudo apt-get update -qq >/dev/null || return
	mkdir -p "${stamp%/*}" 2>/dev/null && touch "$stamp" 2>/dev/null
	return 0
}
install() {
	# shellcheck disable=SC2086 # the package list is meant to split
	$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
if [ -n "$(find "$stamp" -mmin -60 2>/dev/null)" ]; then
	install || { update && install; }
else
	update
	install
fi
