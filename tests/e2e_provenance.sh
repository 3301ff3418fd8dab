#!/bin/sh
# e2e_provenance.sh: only the frame's bytes count (src/instrument/provenance.h). The rows of
# scenarios/inproc/adversarial_provenance.c (built only with -DZCBENCH_ADVERSARIAL) hand the
# producer's frame over like move, then either move bytes that are not the frame's (another
# frame-sized buffer, 100 KiB of metadata, 1 MiB from /dev/urandom: each must stay zero-copy,
# its bytes in copies.other_bytes_per_transfer, --strict exiting 0), or copy the frame a way
# the older hooks missed (the string family, vmsplice + splice into a memfd, copy_file_range
# between memfds, process_vm_readv, a copy in release()): each must be a copy with its frame
# bytes exact to a hundredth of a frame, and --strict must exit 1. Shares e2e_adversarial.sh's
# build.
set -u
. tests/lib/e2e.sh
e2e_init provenance
skip_sanitizer_build
tmp=$E2E_TMP

inject_build
rows="other_buffer metadata urandom hidden_stpncpy hidden_strcat hidden_strncat hidden_wmempcpy
hidden_wcsncpy hidden_wcscpy hidden_wcpcpy hidden_splice_memfd hidden_copy_file_range
hidden_process_vm copy_in_release"
"$INJECT/bin/inproc" --quick --quiet --processes 1 --strategy "$(echo $rows | tr ' ' ,)" \
	--out "$tmp/prov.json" >/dev/null 2>"$tmp/err" || die "the run failed: $(cat "$tmp/err")"
python3 - "$tmp/prov.json" <<'PY' || fail "a verdict or a figure is wrong"
import json, sys
doc = json.load(open(sys.argv[1]))
frame = doc["frame"]["bytes"]
# strategy: frames per transfer (copy functions, kernel, pages written, observed, not the frame's)
want = {
    "other_buffer": (0, 0, 0, 0, 1), "metadata": (0, 0, 0, 0, 0.01), "urandom": (0, 0, 0, 0, 0.13),
    "hidden_stpncpy": (1, 0, 1, 1, 0), "hidden_strcat": (1, 0, 1, 1, 0),
    "hidden_strncat": (1, 0, 1, 1, 0), "hidden_wmempcpy": (1, 0, 1, 1, 0),
    "hidden_wcsncpy": (1, 0, 1, 1, 0), "hidden_wcscpy": (1, 0, 1, 1, 0),
    "hidden_wcpcpy": (1, 0, 1, 1, 0),
    # the page cache of a memfd is not this process's memory: no page written shows it
    "hidden_splice_memfd": (0, 1, 0, 1, 0), "hidden_copy_file_range": (0, 2, 0, 2, 0),
    "hidden_process_vm": (0, 1, 1, 1, 0),
    "copy_in_release": (1, 0, 1, 1, 0),
}
frames = lambda b: round(b / frame * 100) / 100
if any(r["pages_written"]["unavailable"] for r in doc["results"]):
    print("e2e_provenance: pages written not counted here; skipped")
    sys.exit(0)
bad, seen = [], set()
for r in doc["results"]:
    name = r["strategy"]
    if name not in want:
        continue
    seen.add(name)
    c, ident = r["copies"], r["identity"]
    got = tuple(frames(c[k]) for k in ("user_bytes_per_transfer", "kernel_bytes_per_transfer",
                                       "pages_bytes_per_transfer", "bytes_per_transfer",
                                       "other_bytes_per_transfer"))
    verdict = "copy" if want[name][3] else "zero-copy"
    if got != want[name] or ident["verdict"] != verdict:
        bad.append(f"{name}: {ident['verdict']}, frames {got}, want {verdict} {want[name]}")
    if verdict == "zero-copy" and "not the frame's" not in ident["evidence"]:
        bad.append(f"{name}: the evidence does not say what moved: {ident['evidence']}")
for b in bad:
    print("e2e_provenance:", b, file=sys.stderr)
sys.exit(1 if bad or seen != set(want) else 0)
PY
for s in hidden_wcscpy hidden_splice_memfd copy_in_release; do
	"$INJECT/bin/inproc" --quick --quiet --processes 1 --strategy $s --strict \
		--out "$tmp/strict.json" >/dev/null 2>"$tmp/err"
	rc=$?
	[ "$rc" -eq 1 ] || fail "--strict with a copy of the frame ($s) exited $rc, expected 1"
done
"$INJECT/bin/inproc" --quick --quiet --processes 1 --strategy other_buffer,urandom --strict \
	--out "$tmp/strict.json" >/dev/null 2>"$tmp/err" ||
	fail "--strict on bytes that are not the frame's failed: $(cat "$tmp/err")"
e2e_done
