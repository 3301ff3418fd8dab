#!/bin/sh
# e2e_interrupt.sh: SIGINT (or SIGTERM) in the middle of a run, of a scenario program and of
# `make bench`, leaves the previous results files intact and valid, and no temporary file, child
# process or shared-memory object behind. Each is interrupted early (while it validates) and
# while Google Benchmark writes its raw JSON (once raw/.NAME.json.PID appears; for node, once
# a measuring node process runs).
set -u
. tests/lib/e2e.sh
e2e_init interrupt
R=$E2E_TMP/results
mkdir -p "$R"

# start_bg CMD...: CMD in a session and process group of its own, SIGINT at its default (a
# background job of a non-interactive shell would ignore it). $bg: its pid and group id.
start_bg() {
	setsid env --default-signal=INT "$@" >"$E2E_TMP/bg.out" 2>&1 &
	bg=$!
}

# wait_raw_tmp SCENARIO: until Google Benchmark's temporary file exists (make bench's in the
# run's staging directory, $R/.run-ID/raw/), or, for a scenario
# whose measuring processes run another program (node), until one of them does (at most 60 s).
wait_raw_tmp() {
	i=0
	self=$(readlink -f "$BUILD/bin/$1")
	while [ $i -lt 600 ]; do
		for f in "$R/raw/.$1.json".* "$R"/.run-*/raw/".$1.json".*; do
			[ -e "$f" ] && return 0
		done
		for c in $(pgrep -P "$bg"); do
			exe=$(readlink "/proc/$c/exe" 2>/dev/null) || continue
			[ "$exe" != "$self" ] && return 0
		done
		kill -0 "$bg" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# group_alive PGID: "pid stat args" of each process of process group PGID not yet dead.
group_alive() {
	ps -eo pgid=,pid=,stat=,args= | awk -v g="$1" '$1 == g && $3 !~ /^Z/ { $1 = ""; print }'
}

shm_list() {
	ls -A /dev/shm 2>/dev/null | LC_ALL=C sort
}

# interrupt LABEL [SIGNAL]: SIGINT (or SIGNAL) to the group of $bg, then every check on what
# it left.
interrupt() {
	label=$1 sig=${2:-INT}
	want=130
	[ "$sig" = TERM ] && want=143
	kill -"$sig" "-$bg" 2>/dev/null || fail "$label: finished before it could be interrupted"
	wait "$bg" 2>/dev/null # dash reports a job killed by SIGTERM as "Terminated"
	rc=$?
	# GNU make kills itself with the signal once its recipe is gone (130), but when the
	# recipe's shell dies of it before make's own handler runs (seen in CI with every CPU
	# busy), make reports the recipe's status instead: exit 2 and "Error 130" (or
	# "Interrupt"). That is make's way of saying the same thing; anything else fails.
	case $label in make*)
		[ "$rc" -eq 2 ] && grep -Eq "Error $want|Interrupt" "$E2E_TMP/bg.out" && rc=$want ;;
	esac
	[ "$rc" -eq "$want" ] && pass ||
		fail "$label: exit status $rc, want $want (SIG$sig): $(tail -n 3 "$E2E_TMP/bg.out")"
	# Nothing of the group may be left running (a process still exiting gets 2 s). A zombie
	# is dead already: one whose parent died with the group is init's to reap, which this
	# VM's init does not do at once (seen once under ASan: "[inproc] <defunct>").
	i=0
	while [ $i -lt 20 ] && [ -n "$(group_alive "$bg")" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	left=$(group_alive "$bg" | tr '\n' ';')
	if [ -n "$left" ]; then
		fail "$label: processes left in its group: $left"
	else
		pass
	fi
	[ "$(snapshot "$R")" = "$before" ] && pass ||
		fail "$label: results directory changed: $(snapshot "$R" | tr '\n' ' ')"
	for f in "$R"/*.json "$R"/raw/*.json; do
		name=${f#"$R"/}
		cmp -s "$f" "$E2E_TMP/saved/$name" && pass || fail "$label: $name changed"
		json_ok "$f" && pass || fail "$label: $name is not valid JSON"
	done
	[ "$(shm_list)" = "$shm_before" ] && pass ||
		fail "$label: shared-memory objects left: $(shm_list | tr '\n' ' ')"
}

for s in $(scenarios); do
	seed_results "$R" "$s" || continue
done
[ -n "$(scenarios)" ] || fail "no scenario program in $BUILD/bin"
mkdir -p "$E2E_TMP/saved" && cp -R "$R/." "$E2E_TMP/saved/"
before=$(snapshot "$R")
shm_before=$(shm_list)

for s in $(scenarios); do
	start_bg "$BUILD/bin/$s" --frame 1920x1080 --quiet --out "$R/$s.json"
	sleep 0.3
	interrupt "$s (early)"
	start_bg "$BUILD/bin/$s" --frame 1920x1080 --quiet --out "$R/$s.json"
	wait_raw_tmp "$s" || fail "$s: raw/.$s.json.PID never appeared"
	sleep 0.3
	interrupt "$s (benchmarking)"
	start_bg "$BUILD/bin/$s" --frame 1920x1080 --quiet --out "$R/$s.json"
	wait_raw_tmp "$s" || fail "$s: raw/.$s.json.PID never appeared"
	interrupt "$s (SIGTERM)" TERM
done

# make bench as Ctrl-C would stop it: SIGINT to make's whole process group. -o all: run what
# this build has, never rebuild it with other flags.
first=$(scenarios | head -n 1)
start_bg make -s --no-print-directory -o all bench BUILD="$BUILD" RESULTS="$R" ARGS=--quiet
sleep 1
interrupt "make bench (early)"
start_bg make -s --no-print-directory -o all bench BUILD="$BUILD" RESULTS="$R" ARGS=--quiet
wait_raw_tmp "$first" || fail "make bench: raw/.$first.json.PID never appeared"
sleep 0.3
interrupt "make bench (benchmarking)"

e2e_done
