#!/bin/sh
# e2e_content.sh: zctrace --pages finds a copy no hook saw by its content. content_copy marks
# an 8 MiB random buffer twice at one address; between the marks a word loop copies it to a
# misaligned destination (found by content in an anonymous mapping, the pair copied), or
# writes 8 MiB of other bytes (nothing found, the pair shared). Where userfaultfd's
# write-protection is missing, the watch says so and nothing is searched. Exit 0 when every
# check passes.
set -u
. tests/lib/e2e.sh
e2e_init zctrace-content
ZCTRACE=$BUILD/bin/zctrace
PROG=$BUILD/tests/progs/content_copy
BYTES=8388608
tmp=$E2E_TMP

for f in "$ZCTRACE" "$PROG" "$BUILD/lib/libzctrace.so"; do
	[ -e "$f" ] || die "'$f' is not built (make zctrace)"
done

trace() { # trace NAME ARGS...: zctrace --out $tmp/NAME.json ARGS, stderr to NAME.err
	name=$1; shift
	"$ZCTRACE" --out "$tmp/$name.json" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" \
		|| fail "zctrace $* exited $?: $(cat "$tmp/$name.err")"
}

trace copy --pages -- "$PROG" copy
if python3 -c "import json,sys; sys.exit(json.load(open(sys.argv[1]))['pages_written']['pages'] is None)" "$tmp/copy.json"; then
	# 63 of a page's 64 blocks at worst (a misaligned copy): over 98% of the bytes
	check_json "$tmp/copy.json" "[p['verdict'] for p in d['probes']['pairs']]==['copied'] and [(c['mapping'],c['bytes']>=$BYTES*98//100) for c in d['probes']['pairs'][0]['content_copies']]==[('[anonymous]',True)] and d['copies']==[]" \
		"copy: the word loop's copy should be found by content in an anonymous mapping, the pair copied"
	check_json "$tmp/copy.json" "[(p['verdict'],p['unseen_copy'],[c['mapping'] for c in p['content_copies']]) for p in d['probe_pairs']['pairs']]==[('copied',True,['[anonymous]'])]" \
		"copy: the run's pair should be copied by content, unseen by the hooks"
	grep -q "zctrace:     8,[0-9,]* bytes of buf found by content in \[anonymous\] (no hook saw them)" "$tmp/copy.err" \
		|| fail "copy: no 'found by content' line in the summary: $(cat "$tmp/copy.err")"
	check_json "$tmp/copy.json" "[m['content'] for m in d['probes']['marks']]==['searched','searched'] and d['probes']['marks'][0]['content_found']==[]" \
		"copy: both marks should be searched, nothing found at the first"

	trace control --pages -- "$PROG" control
	check_json "$tmp/control.json" "[(p['verdict'],p['content_copies']) for p in d['probes']['pairs']]==[('shared',[])] and all(m['content_found']==[] for m in d['probes']['marks']) and d['probes']['pairs'][0]['pages_written_between']>=$BYTES//4096" \
		"control: 8 MiB of other bytes written between the marks: nothing found, the pair shared"
	check_json "$tmp/control.json" "[(p['verdict'],p['content_copies']) for p in d['probe_pairs']['pairs']]==[('shared',[])]" \
		"control: the run's pair should be shared"
	grep -q "found by content" "$tmp/control.err" && fail "control: a copy found by content: $(cat "$tmp/control.err")"
else
	check_json "$tmp/copy.json" "'userfaultfd' in (d['pages_written']['unavailable'] or '') and [m['content'] for m in d['probes']['marks']]==['not searched','not searched']" \
		"no page watch here: the marks should say they were not searched"
fi

# Without --pages nothing is searched: the pair is shared, as before.
trace plain -- "$PROG" copy
check_json "$tmp/plain.json" "[(p['verdict'],p['content_copies']) for p in d['probes']['pairs']]==[('shared',[])] and [m['content'] for m in d['probes']['marks']]==['not searched','not searched']" \
	"copy without --pages: nothing searched, the pair shared"

e2e_done
