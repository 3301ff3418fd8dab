#!/bin/sh
# busy.sh: run a command while every CPU of this machine is kept busy, the way a shared CI
# runner or a developer's machine is while other work runs. `make test-busy` runs `make test`
# under it, and CI does the same: a test whose outcome depends on how much work a timer let
# through fails here, not on a user's runner.
#
# Usage: scripts/busy.sh COMMAND [ARG...]
#   BUSY_LOOPS=N   busy loops to run (default: the number of CPUs, nproc)
# Exit: the command's status; the loops are stopped however the command ends.
set -u
[ $# -gt 0 ] || { echo "usage: scripts/busy.sh COMMAND [ARG...]" >&2; exit 2; }
n=${BUSY_LOOPS:-$(nproc)}
pids=
stop() { [ -n "$pids" ] && kill $pids 2>/dev/null; wait 2>/dev/null; }
trap 'stop; exit 130' INT TERM
i=0
while [ "$i" -lt "$n" ]; do
	sh -c 'while :; do :; done' &
	pids="$pids $!"
	i=$((i + 1))
done
echo "busy: $n busy loops beside '$*'" >&2
"$@"
rc=$?
stop
echo "busy: '$*' exited $rc with $n busy loops beside it" >&2
exit "$rc"
