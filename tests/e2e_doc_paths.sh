#!/bin/sh
# e2e_doc_paths.sh: every repository path named in the docs (README.md, docs/*.md,
# scenarios/*/README.md) and in the comments of the code (*.c, *.h, *.cc, *.sh, *.mk, Makefile)
# exists, so that a moved file cannot leave a stale name behind. A path is a word that starts
# with one of the source folders (src/, tests/, tools/, scenarios/, scripts/, docs/, mk/,
# bench/, include/); one with a placeholder (NAME, *, $, <, %) is a pattern, not checked. A bare
# file name (measure.c) must name a file somewhere in the tree. Other projects' files (a JDK's
# jni.h, CPython's Python.h, the kernel's include/uapi/, CPython's sources in zctrace's example
# output) are listed in OTHERS.
set -u
. tests/lib/e2e.sh
e2e_init doc-paths
git ls-files >"$E2E_TMP/files" || die "not a git checkout"
python3 - "$E2E_TMP/files" >"$E2E_TMP/stale" <<'PY' || die "the path scan failed"
import os, re, sys
tracked = open(sys.argv[1]).read().split()
names = {os.path.basename(f) for f in tracked}
docs = [f for f in tracked if f == "README.md" or re.fullmatch(r"(docs|scenarios/[^/]+)/[^/]+\.md", f)
        and (f.startswith("docs/") or f.endswith("/README.md"))]
code = [f for f in tracked if re.search(r"\.(c|h|cc|sh|mk)$", f) or os.path.basename(f) == "Makefile"]
PATH = re.compile(r"(?<![\w./-])((?:src|tests|tools|scenarios|scripts|docs|mk|bench|include)/[\w./*<>$%{}-]*)")
BARE = re.compile(r"(?<![\w./*-])(\w+\.(?:c|h|cc|sh|mk))\b(?![\w/-])")
PLACEHOLDER = re.compile(r"[*<>$%{}]|(?:^|/)[A-Z][A-Z_]*(?:/|\.|$)|^[A-Z]+_")
OTHERS = ("jni.h", "node_api.h", "Python.h", "include/uapi/", "memoryobject.c", "fileutils.c")

def comments(path):
    """The comment text of a code file, one (line number, text) a line."""
    in_block = False
    for n, line in enumerate(open(path, encoding="utf-8", errors="replace"), 1):
        if path.endswith((".sh", ".mk")) or os.path.basename(path) == "Makefile":
            m = re.search(r"(?:^|\s)#(?![!{])(.*)", line)
            if m:
                yield n, m.group(1)
            continue
        text = ""
        if in_block:
            end = line.find("*/")
            text, in_block = (line, True) if end < 0 else (line[:end], False)
        for m in re.finditer(r"/\*(.*?)(\*/|$)", line):
            text += " " + m.group(1)
            in_block = m.group(2) == "" and not line.rstrip().endswith("*/")
        m = re.search(r"(?<!:)//(.*)", line)
        if m:
            text += " " + m.group(1)
        if text:
            yield n, text

def check(path, n, text):
    for m in PATH.finditer(text):
        p = m.group(1).rstrip(".,:;)'`")
        if PLACEHOLDER.search(p) or p.startswith(OTHERS):
            continue
        if not os.path.exists(p):
            print(f"{path}:{n}: '{p}' does not exist")
    for m in BARE.finditer(text):
        if m.group(1) not in names and not PLACEHOLDER.search(m.group(1)) \
                and m.group(1) not in OTHERS:
            print(f"{path}:{n}: no file is named '{m.group(1)}'")

for f in docs:
    for n, line in enumerate(open(f, encoding="utf-8"), 1):
        check(f, n, line)
for f in code:
    for n, text in comments(f):
        check(f, n, text)
PY
while read -r stale; do fail "$stale"; done <"$E2E_TMP/stale"
pass
e2e_done
