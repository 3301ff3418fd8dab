#!/bin/sh
# e2e_alloc_counts.sh: an independent instrument agrees with the counting allocator.
#
# valgrind --trace-malloc lists every allocator call the program makes, in the parent and in
# the child that measures each strategy; the counting allocator prints each process's totals
# at exit (ZCBENCH_ALLOC_REPORT). Summed over the processes, the number of allocations and of
# frame-sized ones (at least half a 256x256 frame) must match exactly.
# somalloc=nouserintercepts keeps valgrind from replacing the program's own malloc, so the
# calls go through the counting allocator to libc, where valgrind sees them.
set -u
. tests/lib/e2e.sh
e2e_init alloc-counts
# valgrind cannot run a sanitizer build, whose allocator is the sanitizer's anyway.
skip_sanitizer_build
command -v valgrind >/dev/null || die "valgrind is missing (scripts/deps.sh build)"
tmp=$E2E_TMP
half=$((256 * 256 * 4 / 2))
ZCBENCH_ALLOC_REPORT=1 valgrind --soname-synonyms=somalloc=nouserintercepts --trace-malloc=yes \
	--log-file="$tmp/valgrind.%p" \
	"$BUILD/bin/inproc" --quick --quiet --frame 256x256 \
	--strategy copy,copy_into,borrow,move,shared,pool \
	--benchmark_repetitions=2 --benchmark_min_time=0.001 --out "$tmp/inproc.json" \
	>"$tmp/log" 2>&1 || { show_logs "$tmp/log"; die "inproc under valgrind failed"; }

ours=$(sed -n 's/^zcbench allocations: allocs=\([0-9]*\) frame_allocs=\([0-9]*\).*/\1 \2/p' "$tmp/log" |
	awk '{ a += $1; f += $2; n++ } END { if (n) printf "%d %d\n", a, f }')
[ -n "$ours" ] || die "the program printed no totals"
theirs=$(cat "$tmp"/valgrind.* | grep -E '^--[0-9]+-- (malloc|calloc|realloc|memalign|posix_memalign|aligned_alloc)\(' |
	sed -E 's/^--[0-9]+-- //' | awk -F'[(,)]' -v half="$half" '
	{ n = $2 }
	$1 == "calloc" { n = $2 * $3 }
	$1 == "realloc" || $1 == "memalign" || $1 == "aligned_alloc" { n = $3 }
	$1 == "posix_memalign" { n = $4 }
	{ total++; if (n + 0 >= half) frames++ }
	END { printf "%d %d\n", total, frames }')
echo "counting allocator: allocs, frame-sized = $ours; valgrind: $theirs"
[ "$ours" = "$theirs" ] && pass || fail "the counting allocator and valgrind disagree"
e2e_done
