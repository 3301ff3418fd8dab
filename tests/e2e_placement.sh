#!/bin/sh
# e2e_placement.sh: thread and process rows are measured where --placement says. With one
# CPU allowed (taskset), the default placement is same alone and the rows name that CPU;
# with two, same and cross rows each ran on the CPUs they were pinned to.
set -u
. tests/lib/e2e.sh
e2e_init placement

# rows FILE: "name producer_cpu consumer_cpu seen_producer seen_consumer", one per placed row.
rows() {
	python3 - "$1" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    p = r.get("placement")
    if p:
        seen = lambda k: ",".join(map(str, p[k])) or "-"
        print(r["strategy"], p["producer_cpu"], p["consumer_cpu"],
              seen("producer_cpus_seen"), seen("consumer_cpus_seen"))
PY
}

for s in thread:move process:shm; do
	row=${s#*:}
	s=${s%%:*}
	out=$E2E_TMP/$s.json
	if ! command -v taskset >/dev/null; then
		fail "taskset is missing (util-linux)"
		continue
	fi
	cpu=$(taskset -pc $$ | sed 's/.*: *//; s/[,-].*//') # the first CPU this shell may use
	if taskset -c "$cpu" "$BUILD/bin/$s" --quick --quiet --frame 64x64 --strategy "$row" \
		--out "$out" >/dev/null 2>"$E2E_TMP/err"; then
		got=$(rows "$out" | sort)
		want=$(printf '%s %s %s %s %s\n' "reference_handover@same" "$cpu" "$cpu" "$cpu" "$cpu" \
			"$row@same" "$cpu" "$cpu" "$cpu" "$cpu" | sort)
		[ "$got" = "$want" ] && pass || fail "$s on CPU $cpu alone: want rows
$want
got
$got"
	else
		fail "$s under taskset -c $cpu failed: $(cat "$E2E_TMP/err")"
	fi
done
e2e_done
