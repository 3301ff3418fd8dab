# sanitizer.sh: sourced by the e2e checks that compare exact figures with a glibc build's
# (the committed baseline, an exact copy count): they skip a sanitizer build, whose allocator
# moves every realloc by copying and whose runtime copies for itself. make test runs them on
# the normal build. Usage: . tests/lib/sanitizer.sh; skip_sanitizer_build NAME
skip_sanitizer_build() {
	if ldd "${BUILD:-build}/bin/inproc" 2>/dev/null | grep -q 'lib[at]san'; then
		echo "$1: ${BUILD:-build} is a sanitizer build; skipped"
		exit 0
	fi
}
