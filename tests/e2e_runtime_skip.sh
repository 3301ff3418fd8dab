#!/bin/sh
# e2e_runtime_skip.sh: a runtime boundary (a real Python, JVM... in the process) whose runtime
# is not installed is skipped with one line that names its Debian packages, and nothing of it
# is built (the Makefile's RUNTIME_SCENARIOS contract). Every runtime boundary is made to
# look absent at once (NAME_PRESENT and NAME_BUILDABLE set to false), in a build directory
# of its own, so that nothing else gets built.
set -u
# Nested makes here are the test's own, not part of a parallel make test (whose jobserver
# they cannot reach: make would warn so, on the lines counted below).
unset MAKEFLAGS MFLAGS MAKELEVEL
. tests/lib/e2e.sh
e2e_init runtime-skip

runtimes=$(printf 'zc-print-runtimes:\n\t@echo $(RUNTIME_SCENARIOS)\n' |
	make -s --no-print-directory -f Makefile -f - zc-print-runtimes 2>/dev/null)
[ -n "$runtimes" ] || fail "the Makefile names no runtime boundary (RUNTIME_SCENARIOS)"
absent=""
for r in $runtimes; do
	absent="$absent ${r}_PRESENT=false ${r}_BUILDABLE=false"
done
build="$E2E_TMP/build"
# shellcheck disable=SC2086 # one variable assignment per word
# SANITIZE= : a sanitizer build's make (in MAKEFLAGS) builds no runtime boundary at all.
if make -s --no-print-directory SANITIZE= BUILD="$build" $absent runtime-bins >"$E2E_TMP/out" 2>&1; then
	pass
else
	fail "make runtime-bins failed: $(cat "$E2E_TMP/out")"
fi
for r in $runtimes; do
	n=$(grep -c "^$r: skipped, its runtime is not installed (Debian packages: .*)$" "$E2E_TMP/out")
	[ "$n" -eq 1 ] && pass || fail "$r: expected one skip line naming its packages, got:
$(cat "$E2E_TMP/out")"
	[ -e "$build/bin/$r" ] && fail "$r was built although its runtime is absent" || pass
	[ -s "$build/runtimes/$r.skipped" ] && pass || fail "$r: no $build/runtimes/$r.skipped"
done
lines=$(wc -l <"$E2E_TMP/out")
[ "$lines" -eq "$(echo $runtimes | wc -w)" ] && pass ||
	fail "expected one line per runtime boundary, got $lines"
e2e_done
