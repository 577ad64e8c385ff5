"""tests/run.sh: the runner itself must not pass by accident. A test
program that checks nothing, one that crashes after reporting nothing,
and one whose checks fail are failures; a tree with only passing tests
passes; the summary line counts what ran."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from drtest import ROOT, check, done, tmpdir  # noqa: E402


def tree(programs, sourceless=()):
    """A fake checkout: tests/run.sh and build/tests/test_* programs."""
    d = tmpdir()
    os.makedirs(os.path.join(d, "tests", "unit"))
    os.makedirs(os.path.join(d, "build", "tests"))
    shutil.copy(os.path.join(ROOT, "tests", "run.sh"), os.path.join(d, "tests"))
    for name, body in programs.items():
        p = os.path.join(d, "build", "tests", name)
        with open(p, "w") as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(p, 0o755)
        if name not in sourceless:
            open(os.path.join(d, "tests", "unit", name + ".c"), "w").close()
    return d


def run(d):
    r = subprocess.run(["sh", os.path.join(d, "tests", "run.sh"), "--unit-only",
                        "build", "x"], capture_output=True, text=True,
                       timeout=60, cwd=d)
    return r.returncode, r.stdout


rc, out = run(tree({"test_good": "echo 'ok - a'; echo 'ok - b'\n"}))
check("only passing tests: exit 0", rc == 0, out)
check("only passing tests: summary counts both", "tests: 2 passed, 0 failed" in out, out)

rc, out = run(tree({"test_good": "echo 'ok - a'\n",
                    "test_empty": "echo 'starting'; exit 0\n"}))
check("a test that ran no checks fails the run", rc != 0, out)
check("... and is named", "FAIL unit/test_empty" in out, out)
check("... summary counts it as failed", "tests: 1 passed, 1 failed" in out, out)

rc, out = run(tree({"test_crash": "kill -SEGV $$\n"}))
check("a test that crashes before reporting fails", rc != 0 and
      "tests: 0 passed, 1 failed" in out, out)

rc, out = run(tree({"test_bad": "echo 'ok - a'; echo 'not ok - b'; exit 1\n"}))
check("a failed check fails the run", rc != 0 and
      "tests: 1 passed, 1 failed" in out, out)

# a binary left from a test that was renamed or split (no source) is not run
rc, out = run(tree({"test_good": "echo 'ok - a'\n",
                    "test_old": "echo 'not ok - stale'; exit 1\n"},
                   sourceless=("test_old",)))
check("a binary without a source file is not run", rc == 0 and
      "test_old" not in out and "tests: 1 passed, 0 failed" in out, out)

rc, out = run(tree({}))
check("no tests at all fails the run", rc != 0, out)
done()
