# python_e2e.sh: what the Python family's end-to-end scripts share (e2e_python.sh,
# e2e_cffi.sh, e2e_dlpack.sh, e2e_pyo3.sh, e2e_pybind11.sh), sourced after tests/lib/e2e.sh
# and e2e_init. Not an e2e_*.sh itself: tests/run.sh does not run it.

# expect CODE WANT CMD...: CMD exits CODE with one line on stderr holding WANT, writing nothing.
expect() {
	code=$1 want=$2
	shift 2
	"$@" --out "$E2E_TMP/out.json" >"$E2E_TMP/stdout" 2>"$E2E_TMP/stderr"
	rc=$?
	what="$* -> exit $rc, stderr: $(cat "$E2E_TMP/stderr")"
	if [ "$rc" -ne "$code" ]; then
		fail "want exit $code: $what"
	elif [ "$(wc -l <"$E2E_TMP/stderr")" -ne 1 ]; then
		fail "want one line on stderr: $what"
	elif ! grep -qF -- "$want" "$E2E_TMP/stderr"; then
		fail "want '$want' in the message: $what"
	elif [ -e "$E2E_TMP/out.json" ]; then
		fail "a refused run wrote its results: $what"
	else
		pass
	fi
}

# limited CMD...: CMD under 250 MB of address space (ulimit -v).
limited() {
	sh -c 'ulimit -v 250000 && exec "$@"' sh "$@"
}

# fits_under_limit PROGRAM STRATEGY: STRATEGY, a copy, moves a 3840x2160 frame (33 MB) under
# the limit: the run passes, its verdict copy.
fits_under_limit() {
	if limited "$1" --quick --quiet --processes 1 --frame 3840x2160 --strategy "$2" \
		--out "$E2E_TMP/4k.json" >/dev/null 2>"$E2E_TMP/4k.err"; then
		pass
		check_json "$E2E_TMP/4k.json" "r('$2')['identity']['verdict'] == 'copy'" \
			"$2 of a 4K frame under the limit"
	else
		fail "$2 of a 4K frame did not fit in 250 MB: $(cat "$E2E_TMP/4k.err")"
	fi
}

# readme_lists PROGRAM NAME: scenarios/NAME/README.md's table names the strategies PROGRAM
# --list prints, in its order, each with its verdict.
readme_lists() {
	"$1" --list | awk '{ print $1, $2 }' >"$E2E_TMP/listed"
	sed -n 's/^| `\([A-Za-z0-9_]*\)` | .* | \(copy\|zero-copy\) |$/\1 \2/p' \
		"scenarios/$2/README.md" >"$E2E_TMP/documented"
	if [ -s "$E2E_TMP/listed" ] && cmp -s "$E2E_TMP/listed" "$E2E_TMP/documented"; then
		pass
	else
		fail "the README's strategies differ from --list (< --list, > README):
$(diff "$E2E_TMP/listed" "$E2E_TMP/documented")"
	fi
}
