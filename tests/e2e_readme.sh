#!/bin/sh
# e2e_readme.sh: the README's sample table is what the current code prints. The first code block
# of README.md that opens with "inproc: WxH RGBA frame" is compared with a short inproc run of
# the same rows: the heading, the column header and the legend lines exactly; each row's
# strategy and verdict exactly and its figures by shape (a time with its unit, a ratio "Nx" or
# "1/Nx", a percentage, counts), flags aside (they follow the machine); and the saving line by
# shape (strategy names and figures stand for any). A column renamed, a unit printed another
# way or a verdict that changed fails here, not in a reader's hands.
set -u
. tests/lib/e2e.sh
e2e_init readme
skip_sanitizer_build # its allocator copies on realloc: a sample row's verdict is a glibc build's

awk 'prev ~ /^```/ && /^inproc: [0-9]+x[0-9]+ RGBA frame/ { inside = 1 }
     inside && /^```/ { exit }
     inside { print }
     { prev = $0 }' README.md>"$E2E_TMP/sample"
[ -s "$E2E_TMP/sample" ] || die "README.md has no sample block opening with 'inproc: WxH RGBA frame'"

frame=$(sed -n '1s/^inproc: \([0-9]*x[0-9]*\) .*/\1/p' "$E2E_TMP/sample")
# The rows the sample shows, reference_memcpy aside (inproc always measures it).
rows=$(awk 'NR > 2 && /^[a-z_]+ +(reference|copy|zero-copy) / && $1 != "reference_memcpy" { print $1 }' \
	"$E2E_TMP/sample" | paste -sd, -)
[ -n "$rows" ] || die "the README's sample block has no strategy rows"

# A fixed count of transfers: the figures' shapes do not depend on the machine's speed.
"$BUILD/bin/inproc" --quick --quiet --processes 1 --transfers 8 --frame "$frame" \
	--strategy "$rows" --no-pages --out "$E2E_TMP/inproc.json" >"$E2E_TMP/out" 2>"$E2E_TMP/err" ||
	{ show_logs "$E2E_TMP/err"; die "inproc --strategy $rows failed"; }
sed -n '/^inproc: [0-9]*x[0-9]* RGBA frame/,$p' "$E2E_TMP/out" >"$E2E_TMP/table"

# Shape of a line: figures become N, a time's unit T (the machine's speed picks it), keeping the
# "1/" of a ratio and the "%"; strategy names in the saving line become S, runs of spaces one;
# a row's flags are dropped.
shape() {
	sed -E -e 's/^(the cheapest share \()[a-z_@]+,/\1S,/' -e 's/(cheapest copy \()[a-z_@]+,/\1S,/' \
		-e 's/[0-9][0-9,]*(\.[0-9]+)?/N/g' -e 's/N (ns|us|ms|s)([ ,)]|$)/N T\2/g' \
		-e 's/ +/ /g' -e 's/ $//' |
		awk '/^[a-z_]+ (reference|copy|zero-copy) / { NF = NF > 10 ? 10 : NF } { print }'
}
shape <"$E2E_TMP/sample" >"$E2E_TMP/sample.shape"
shape <"$E2E_TMP/table" >"$E2E_TMP/table.shape"
if cmp -s "$E2E_TMP/sample.shape" "$E2E_TMP/table.shape"; then
	pass
else
	fail "README.md's sample table is not what inproc prints now (< README, > inproc):"
	diff "$E2E_TMP/sample.shape" "$E2E_TMP/table.shape" >&2
fi

# The check itself can fail: a renamed column in the sample is caught.
sed 's/frame allocs/frame mallocs/' "$E2E_TMP/sample" | shape >"$E2E_TMP/broken.shape"
check "a renamed column is told apart" sh -c "! cmp -s '$E2E_TMP/broken.shape' '$E2E_TMP/table.shape'"
e2e_done
