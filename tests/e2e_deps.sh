#!/bin/sh
# e2e_deps.sh: scripts/deps.sh fetches the package lists once an hour at most (a first make
# bench asks for packages up to nine times), and fetches them again when an install fails on
# lists it did not fetch. apt-get is a stub on PATH that logs its calls; nothing is installed.
set -u
. tests/lib/e2e.sh
e2e_init deps

if [ "$(id -u)" != 0 ]; then # deps.sh would go through sudo, which the stub cannot stand in for
	echo "deps: skipped (not root)"
	e2e_done
	exit 0
fi
mkdir -p "$E2E_TMP/bin" "$E2E_TMP/home"
cat >"$E2E_TMP/bin/apt-get" <<'EOF'
#!/bin/sh
# The stub: logs "update" or "install PKG..."; an install fails once while fail-once exists.
dir=$(dirname "$0")
case $1 in
update) echo update >>"$dir/log" ;;
install)
	shift
	while [ "${1#-}" != "$1" ]; do shift; done
	echo "install $*" >>"$dir/log"
	[ -e "$dir/fail-once" ] && rm "$dir/fail-once" && exit 100
	;;
esac
exit 0
EOF
chmod +x "$E2E_TMP/bin/apt-get"
log=$E2E_TMP/bin/log
deps() {
	: >"$log"
	env PATH="$E2E_TMP/bin:$PATH" HOME="$E2E_TMP/home" XDG_CACHE_HOME= \
		scripts/deps.sh runtime zc-no-such-package >/dev/null 2>&1
}

deps
check "a first install fetches the lists first" \
	[ "$(cat "$log")" = "update
install zc-no-such-package" ]
deps
check "a second one within the hour does not fetch them again" \
	[ "$(cat "$log")" = "install zc-no-such-package" ]
touch "$E2E_TMP/bin/fail-once"
deps
check "an install that fails on those lists fetches them and tries once more" \
	[ "$(cat "$log")" = "install zc-no-such-package
update
install zc-no-such-package" ]
touch -d '2 hours ago' "$E2E_TMP/home/.cache/zcbench/apt-lists-fetched"
deps
check "lists fetched over an hour ago are fetched again" \
	[ "$(cat "$log")" = "update
install zc-no-such-package" ]
e2e_done
