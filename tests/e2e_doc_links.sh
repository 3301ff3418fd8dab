#!/bin/sh
# e2e_doc_links.sh: every relative link in the Markdown files (README.md, docs/, each folder's
# README.md) names a file that exists, so that a moved file cannot leave a dead link.
exec python3 - <<'PY'
import glob, os, re, sys
files = ["README.md"] + glob.glob("docs/*.md") + glob.glob("*/**/README.md", recursive=True)
dead = []
for f in sorted(set(files)):
    if f.startswith("build"):
        continue
    for m in re.finditer(r"\]\(([^)#\s]+)(#[^)]*)?\)", open(f, encoding="utf-8").read()):
        target = m.group(1)
        if re.match(r"[a-z]+:", target):
            continue
        if not os.path.exists(os.path.normpath(os.path.join(os.path.dirname(f), target))):
            dead.append(f"{f}: dead link '{target}'")
for d in dead:
    print("e2e_doc_links:", d, file=sys.stderr)
sys.exit(1 if dead else 0)
PY
