#!/bin/sh
# e2e_doc_links.sh: every relative link in the Markdown files (README.md, docs/, each folder's
# README.md) names a file that exists, so that a moved file cannot leave a dead link.
set -u
. tests/lib/e2e.sh
e2e_init doc-links
python3 - >"$E2E_TMP/dead" <<'PY' || die "the link scan failed"
import glob, os, re
files = ["README.md"] + glob.glob("docs/*.md") + glob.glob("*/**/README.md", recursive=True)
for f in sorted(set(files)):
    if f.startswith("build"):
        continue
    for m in re.finditer(r"\]\(([^)#\s]+)(#[^)]*)?\)", open(f, encoding="utf-8").read()):
        target = m.group(1)
        if re.match(r"[a-z]+:", target):
            continue
        if not os.path.exists(os.path.normpath(os.path.join(os.path.dirname(f), target))):
            print(f"{f}: dead link '{target}'")
PY
while read -r dead; do fail "$dead"; done <"$E2E_TMP/dead"
pass
e2e_done
