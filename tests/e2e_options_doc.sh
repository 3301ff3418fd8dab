#!/bin/sh
# e2e_options_doc.sh: docs/options.md and the programs' --help list the same options. For every
# scenario program, the options its --help prints ("--frame WxH", "--help, -h") are exactly
# those of the page's section "Every scenario" plus those of its own section ("## `managed`"),
# and every section of the page that lists options names a program (or a runtime boundary
# this machine skipped, $BUILD/runtimes/NAME.skipped). inproc and managed (both with options
# of their own) must be among the programs checked.
set -u
. tests/lib/e2e.sh
e2e_init options-doc
DOC=${OPTIONS_DOC:-docs/options.md} # another page to check, for testing this script

# The option column of PROGRAM --help: what an option line holds before its two-space gap.
printed() {
	"$BUILD/bin/$1" --help | awk '/^  -/ {
		sub(/^  /, ""); gap = index($0, "  ")
		print gap ? substr($0, 1, gap - 1) : $0
	}' | LC_ALL=C sort
}

# "SECTION OPTION" for every option row of the page: SECTION is "all" under "## Every
# scenario", the program's name under "## `NAME`"; OPTION is the first cell without backticks.
documented() {
	awk -F'|' '
		/^## / { s = $0; sub(/^## /, "", s); gsub(/`/, "", s)
			 section = s == "Every scenario" ? "all" : s }
		/^\| `-/ { o = $2; gsub(/`/, "", o); gsub(/^ +| +$/, "", o); print section " " o }
	' "$DOC"
}

# The options of SECTION in the page, sorted.
section() {
	documented | awk -v s="$1" '$1 == s { sub(/^[^ ]* /, ""); print }' | LC_ALL=C sort
}

# PROGRAM's --help against the page's shared options and its own section.
check_program() {
	(section all; section "$1") | LC_ALL=C sort >"$E2E_TMP/want"
	printed "$1" >"$E2E_TMP/got"
	if [ ! -s "$E2E_TMP/got" ]; then
		fail "$1 --help printed no option"
	elif cmp -s "$E2E_TMP/got" "$E2E_TMP/want"; then
		pass
	else
		fail "$1 --help and $DOC differ (< only in --help, > only in $DOC):
$(diff "$E2E_TMP/got" "$E2E_TMP/want" | sed -n 's/^[<>] .*/  &/p')"
	fi
}

[ -f "$DOC" ] || fail "$DOC is missing"
for s in inproc managed; do
	[ -x "$BUILD/bin/$s" ] || fail "$BUILD/bin/$s is not built"
done
for s in $(scenarios); do
	check_program "$s"
done
# A section for a program that does not exist documents options nobody has.
for s in $(documented | awk '$1 != "all" { print $1 }' | LC_ALL=C sort -u); do
	if [ -x "$BUILD/bin/$s" ] || [ -e "$BUILD/runtimes/$s.skipped" ]; then
		pass
	else
		fail "$DOC has a section '$s' but there is no program $BUILD/bin/$s"
	fi
done
[ -n "$(section all)" ] || fail "$DOC has no option under '## Every scenario'"
e2e_done
