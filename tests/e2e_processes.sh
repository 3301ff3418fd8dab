#!/bin/sh
# e2e_processes.sh: processes a transfer starts are measured with it (src/core/follow.h). The
# rows of scenarios/inproc/adversarial_processes.c (built only with -DZCBENCH_ADVERSARIAL)
# hand the producer's frame over like move (identity: shared) and have another process copy
# it: a forked child's memcpy (at once, and 20 ms after release()), a forked child's
# process_vm_readv of its parent, `tail -c 1` started with posix_spawn reading the frame
# from a pipe (the write and tail's reads: 2 frames, counted in tail by the preloaded hooks
# and the pipe's frame bytes shared by the group). Each must be a copy of exactly those
# frames, seen by the hooks. A static program run the same way is out of every hook's reach:
# its row must say so (unverified), and --strict must exit 1 on it. Shares
# e2e_adversarial.sh's build.
set -u
. tests/lib/e2e.sh
e2e_init processes
skip_sanitizer_build
tmp=$E2E_TMP

inject_build
make BUILD="$INJECT" CFLAGS="$INJECT_CFLAGS" "$INJECT/tests/progs/silent-static" \
	>"$tmp/static-build.log" 2>&1 || die "cannot build the static helper: $(tail -3 "$tmp/static-build.log")"
command -v tail >/dev/null || die "tail (coreutils) is missing"
export ZCBENCH_TEST_STATIC="$INJECT/tests/progs/silent-static copy"
"$INJECT/bin/inproc" --quick --quiet --processes 1 \
	--strategy forked_copy,forked_late,forked_readv,spawned_tail,spawned_static \
	--out "$tmp/proc.json" >/dev/null 2>"$tmp/err" || die "the run failed: $(cat "$tmp/err")"
python3 - "$tmp/proc.json" <<'PY' || fail "a verdict or a figure is wrong"
import json, sys
doc = json.load(open(sys.argv[1]))
frame = doc["frame"]["bytes"]
# strategy: frames per transfer (copy functions, kernel)
want = {"forked_copy": (1, 0), "forked_late": (1, 0), "forked_readv": (0, 1), "spawned_tail": (0, 2)}
frames = lambda b: round(b / frame * 100) / 100
bad, seen = [], set()
for r in doc["results"]:
    name, c, p = r["strategy"], r["copies"], r["pages_written"]
    seen.add(name)
    if name in want:
        got = (frames(c["user_bytes_per_transfer"]), frames(c["kernel_bytes_per_transfer"]))
        if got != want[name] or r["identity"]["verdict"] != "copy":
            bad.append(f"{name}: {r['identity']['verdict']}, frames {got}, want copy {want[name]}")
        if p["late_processes"] or p["unhooked_processes"]:
            bad.append(f"{name}: late {p['late_processes']}, unhooked {p['unhooked_processes']}")
        if frames(c["other_bytes_per_transfer"]) != 0:
            bad.append(f"{name}: {c['other_bytes_per_transfer']} bytes not the frame's")
    elif name == "spawned_static":
        if r["identity"]["verdict"] != "zero-copy" or "unverified" not in r["flags"] \
                or p["unhooked_processes"] != p["transfers"] or p["transfers"] == 0 \
                or "without the counting hooks" not in r["identity"]["evidence"]:
            bad.append(f"spawned_static: {r['identity']['verdict']} {r['flags']}, "
                       f"unhooked {p['unhooked_processes']} of {p['transfers']}")
for b in bad:
    print("e2e_processes:", b, file=sys.stderr)
sys.exit(1 if bad or (set(want) | {"spawned_static"}) - seen else 0)
PY
for s in forked_copy spawned_static; do
	"$INJECT/bin/inproc" --quick --quiet --processes 1 --strategy $s --strict \
		--out "$tmp/strict.json" >/dev/null 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] || fail "--strict with another process's copy ($s) exited $rc, expected 1"
done
e2e_done
