"""Compares a generated header with its golden file. The plan's hash and size and kiln's
version change with every code generator change; they are masked on both sides, so the
golden file pins the API (names, fields, macros, signatures, comments) and nothing else.
Usage: check_golden.py GENERATED GOLDEN [--update]"""
import re
import sys


def normalize(text):
    text = re.sub(r"sha256 [0-9a-f]{64}, \d+ bytes", "sha256 <plan>, <n> bytes", text)
    text = re.sub(r'_PLAN_SHA256 "[0-9a-f]{64}"', '_PLAN_SHA256 "<plan>"', text)
    text = re.sub(r"kiln \d+\.\d+\.\d+", "kiln <version>", text)
    text = re.sub(r"\d+ kernels, \d+ launches", "<k> kernels, <l> launches", text)
    return text


generated, golden = sys.argv[1], sys.argv[2]
got = normalize(open(generated).read())
if "--update" in sys.argv:
    open(golden, "w").write(got)
    sys.exit(0)
want = normalize(open(golden).read())
if got != want:
    import difflib
    sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), got.splitlines(True), golden, generated))
    print(f"\n{generated} differs from {golden}; if the change is intended, rerun with --update")
    sys.exit(1)
print(f"{generated} matches {golden}")
