#!/bin/sh
# e2e_machine.sh: the machine's state said once, and never silent (scripts/bench.sh). A busy
# machine is one line at the top of summary.txt however many scenarios found it busy, with
# the lowest and highest load and the highest steal (ZCBENCH_TEST_MACHINE, test only, stands
# for what /proc said); a quiet one says nothing. Every scenario gets a progress line, with an
# estimate once a run of the same length is known. A results directory on a full device is
# exit 5 (ZC_EXIT_NOSPACE) with one line, before anything runs, and a scenario program whose
# results do not fit says "no space left on device writing X" with exit 5; the previous
# results stay as they were; a results directory it cannot write is exit 2 (bad input). As
# non-root, one line says that physical pages are not compared and why. The full device and
# non-root checks need root (mount, setpriv).
set -u
. tests/lib/e2e.sh
e2e_init machine
NOSPACE=$(sed -n 's/.*X(NOSPACE, \([0-9]*\),.*/\1/p' src/util/error.h)
check "error.h has ZC_EXIT_NOSPACE, 5" test "$NOSPACE" = 5

# Two fake scenarios, each inproc on a machine of its own, as bench.sh finds them in BUILD/bin.
fake=$E2E_TMP/build
mkdir -p "$fake/bin"
real=$(readlink -f "$BUILD/bin/inproc")
for s in first:3.42,4.08,0.031 second:2.5,3.0,0.0; do
	cat >"$fake/bin/${s%%:*}" <<-EOS
	#!/bin/sh
	ZCBENCH_TEST_MACHINE=\${QUIET_MACHINE:-${s#*:}} exec "$real" "\$@"
	EOS
	chmod +x "$fake/bin/${s%%:*}"
done
ARGS="--processes 1 --strategy copy --benchmark_min_time=0.001 --benchmark_repetitions=2"
R=$E2E_TMP/results
cpus=$(nproc)
plural=s; [ "$cpus" -eq 1 ] && plural=

# shellcheck disable=SC2086
check "bench.sh on two busy scenarios" sh -c "scripts/bench.sh '$fake' '$R' 64x64 quick 'first second' \
	--frame 64x64 --quick $ARGS >'$E2E_TMP/busy.out' 2>'$E2E_TMP/busy.err'"
want="machine busy: load 2.5-4.1 on $cpus CPU$plural, steal 3%: timings vary; compare ratios in one run"
check "summary.txt: the busy line, combined, is the second line" \
	test "$(sed -n 2p "$R/summary.txt")" = "$want"
check "summary.txt: one busy line for two busy scenarios" \
	test "$(grep -c '^machine busy' "$R/summary.txt")" -eq 1
check "summary.txt: both tables follow" sh -c "test \"\$(grep -c '^inproc: 64x64 RGBA' '$R/summary.txt')\" -eq 2"
check_json "$R/first.json" 'd["context"]["machine_busy"] is True and d["context"]["steal"] == 0.031' \
	"the results say the machine was busy, with the figures"
check "a progress line before each scenario" sh -c "grep -q '^\[1/2\] first' '$E2E_TMP/busy.err' &&
	grep -q '^\[2/2\] second: \(about [0-9]* s\|a few seconds\) left' '$E2E_TMP/busy.err'"
check "bench.sh keeps each scenario's duration" grep -q '^quick 64x64 second [0-9]*$' "$fake/bench-durations"

# shellcheck disable=SC2086
check "bench.sh on a quiet machine" sh -c "QUIET_MACHINE=0.1,0.2,0 scripts/bench.sh '$fake' '$R' 64x64 \
	quick 'first second' --frame 64x64 --quick $ARGS >'$E2E_TMP/quiet.out' 2>'$E2E_TMP/quiet.err'"
check "a quiet machine: no busy line" sh -c "! grep -q 'machine busy' '$R/summary.txt'"
check_json "$R/second.json" 'd["context"]["machine_busy"] is False' "the results say it was quiet"
check "the second run estimates from the first from its first scenario" \
	grep -q '^\[1/2\] first: \(about [0-9]* s\|a few seconds\) left' "$E2E_TMP/quiet.err"

if [ "$(id -u)" -ne 0 ]; then
	echo "machine: the full device and non-root checks need root: skipped"
	e2e_done
fi

# --- a full device: exit 5, one line, the previous results untouched --------------------------
D=$E2E_TMP/tiny
mkdir -p "$D"
if mount -t tmpfs -o size=4m tmpfs "$D" 2>/dev/null; then
	trap 'umount "$D" 2>/dev/null; rm -rf "$E2E_TMP"' EXIT
	mkdir -p "$D/results"
	seed_results "$D/results" inproc
	before=$(snapshot "$D/results")
	scripts/bench.sh "$BUILD" "$D/results" 64x64 quick inproc --frame 64x64 --quick $ARGS \
		>"$E2E_TMP/full.out" 2>"$E2E_TMP/full.err"
	rc=$?
	check "bench.sh on a device without room: exit 5 (got $rc)" test "$rc" -eq "$NOSPACE"
	check "bench.sh says so in one line, before measuring" sh -c "test \"\$(wc -l <'$E2E_TMP/full.err')\" -eq 1 &&
		grep -q '^bench.sh: no space left for a run: [0-4] MiB free on the device of .*, a run needs 16 MiB: nothing measured$' '$E2E_TMP/full.err' &&
		! grep -q '\[1/1\]' '$E2E_TMP/full.err'"
	check "the previous results are untouched" test "$(snapshot "$D/results")" = "$before"

	# Filled to the last byte: a scenario program's results do not fit.
	dd if=/dev/zero of="$D/fill" bs=4k 2>/dev/null
	before=$(snapshot "$D/results")
	# shellcheck disable=SC2086
	"$BUILD/bin/inproc" --frame 64x64 --quick --quiet $ARGS --out "$D/results/inproc.json" \
		>/dev/null 2>"$E2E_TMP/enospc.err"
	rc=$?
	check "a results file that does not fit: exit 5 (got $rc)" test "$rc" -eq "$NOSPACE"
	check "... and 'no space left on device writing' it" grep -q \
		"^inproc: no space left on device writing '$D/results/.*'$" "$E2E_TMP/enospc.err"
	check "... the previous results file untouched" test "$(snapshot "$D/results")" = "$before"
	umount "$D"
else
	echo "machine: cannot mount a tmpfs here: the full device checks are skipped"
fi

# --- not root: which evidence is unavailable, and why ---------------------------------------
N=$E2E_TMP/nobody
mkdir -p "$N"
chmod 755 "$E2E_TMP"
chmod 777 "$N"
nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
if nobody true 2>/dev/null; then
	# shellcheck disable=SC2086
	check "bench.sh as nobody" nobody sh -c "scripts/bench.sh '$fake' '$N/results' 64x64 quick \
		'first second' --frame 64x64 --quick $ARGS >'$N/out' 2>'$N/err'"
	why="evidence unavailable: physical pages not compared (pagemap: page frame numbers read as 0 (needs CAP_SYS_ADMIN)): run as root to compare them"
	check "summary.txt: once, at the top, which evidence is unavailable and why" sh -c \
		"test \"\$(grep -c '^evidence unavailable' '$N/results/summary.txt')\" -eq 1 &&
		 test \"\$(sed -n 3p '$N/results/summary.txt')\" = '$why'"
	check_json "$N/results/first.json" \
		'"CAP_SYS_ADMIN" in d["context"]["pages_unavailable"]' "the results keep the reason"
	check "as root, nothing said" sh -c "! grep -q '^evidence unavailable' '$R/summary.txt'"
	mkdir -p "$E2E_TMP/theirs"
	nobody scripts/bench.sh "$fake" "$E2E_TMP/theirs" 64x64 quick first --quick >/dev/null \
		2>"$N/ro.err"
	rc=$?
	check "a results directory it cannot write: exit 2, bad input (got $rc)" test "$rc" -eq 2
	check "... in one line, before anything runs" sh -c "test \"\$(wc -l <'$N/ro.err')\" -eq 1 &&
		grep -q '^bench.sh: cannot write to .*/theirs/: nothing measured$' '$N/ro.err'"
else
	echo "machine: cannot run as nobody (setpriv): the non-root checks are skipped"
fi
e2e_done
