#!/bin/sh
# run.sh: run every cmocka test program given and every e2e_*.sh script (tests/, each wing's
# folder tools/NAME/ and each boundary's scenarios/NAME/), then print one closing line
# "N passed, N failed" over all of them. Exit status 1 when anything failed.
set -u
passed=0
failed=0
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	# A program that crashed or printed no summary counts as one failure.
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then failed=$((failed + 1)); fi
done
for s in tests/e2e_*.sh tools/*/e2e_*.sh scenarios/*/e2e_*.sh; do
	[ -e "$s" ] || continue
	if sh "$s"; then
		echo "[       OK ] $s"; passed=$((passed + 1))
	else
		echo "[  FAILED  ] $s"; failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
