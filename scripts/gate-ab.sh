#!/bin/sh
# gate-ab.sh: the quick suite of two builds measured side by side on this machine, their
# measuring processes interleaved, so that a noisy minute hits both sides alike.
#
# Usage: scripts/gate-ab.sh BASE_BIN HEAD_BIN OUT N SCENARIO...
#   BASE_BIN, HEAD_BIN  the bin/ directories of the two builds; BASE_BIN may be '' (head only)
#   OUT                 written: OUT/base/ and OUT/head/ (one results file per invocation),
#                       OUT/order.log ("I SIDE SCENARIO STRATEGY", one line per invocation),
#                       OUT/base.log and OUT/head.log (what the programs printed)
#   N                   invocations per strategy and side
# For each scenario, for each strategy either side lists (--list), N times: base, then head,
# each a scenario program measuring that strategy and reference_memcpy in one process each
# (--processes 1). A strategy one side lacks is run on the other side only.
#
# Only options every revision of the scenario programs knows are used (--quick --quiet
# --processes --strategy --out): the base may be an old commit.
# Exit: 0, 2 when a head invocation failed, 3 when a base invocation failed.
set -u
base=$1 head=$2 out=$3 n=$4
shift 4

strategies() { # strategies BIN SCENARIO: the names --list prints, one a line
	[ -n "$1" ] && [ -x "$1/$2" ] || return 0
	"$1/$2" --list 2>/dev/null | awk 'NF { print $1 }'
}

listed() { # listed NAME LIST
	printf '%s\n' "$2" | grep -Fqx "$1"
}

run() { # run SIDE BIN SCENARIO STRATEGY I
	echo "$5 $1 $3 $4" >>"$out/order.log"
	"$2/$3" --quick --quiet --processes 1 --strategy "$4" \
		--out "$out/$1/$3.$4.$5.json" >>"$out/$1.log" 2>&1 && return 0
	echo "gate: $1 '$3 --strategy $4' failed (log: $out/$1.log)" >&2
	return 1
}

mkdir -p "$out/base" "$out/head" || exit 2
: >"$out/order.log"
for sc; do
	bs=$(strategies "$base" "$sc")
	hs=$(strategies "$head" "$sc")
	for st in $(printf '%s\n%s\n' "$bs" "$hs" | awk 'NF && !seen[$0]++'); do
		i=1
		while [ "$i" -le "$n" ]; do
			if listed "$st" "$bs"; then run base "$base" "$sc" "$st" "$i" || exit 3; fi
			if listed "$st" "$hs"; then run head "$head" "$sc" "$st" "$i" || exit 2; fi
			i=$((i + 1))
		done
	done
done
exit 0
