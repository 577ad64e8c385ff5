"""The manual and `make install`: the KEYS section is what the key tables
say (drtop --keys-man), the page renders without groff warnings, and
`make install DESTDIR=... PREFIX=...` puts the binary, the manual, the
themes and every document the manual points to under the prefix."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from drtest import DRTOP, ROOT, check, done, run, tmpdir  # noqa

MAN = os.path.join(ROOT, "man", "drtop.1")
with open(MAN) as f:
    page = f.read()

# --- KEYS: one source of truth ------------------------------------------
r = run([DRTOP, "--keys-man"])
check("drtop --keys-man: exit 0, roff on stdout",
      r.returncode == 0 and r.stdout.startswith(".SS Console\n"), r.stderr)
m = re.search(r'^\.\\" keys: begin[^\n]*\n(.*?)^\.\\" keys: end', page,
              re.S | re.M)
check("the manual has the generated KEYS block", m is not None)
check("the manual's keys equal the key tables (run `make man-keys`)",
      m is not None and m.group(1) == r.stdout,
      "" if m is None else "\n".join(
          l for l in __import__("difflib").unified_diff(
              m.group(1).splitlines(), r.stdout.splitlines(), lineterm="")))
for sect in ("KEYS", "EXIT STATUS", "FILES", "ENVIRONMENT"):
    check("the manual has %s" % sect, "\n.SH %s\n" % sect in page)
for word in ("NO_COLOR", "TERM", "LC_ALL", "DRTOP_THEMES", "drill.dir",
             "replay \\-\\-check", ".B report", "make man\\-keys"):
    check("the manual mentions %s" % word, word in page, word)
# every variable drtop reads (but its tests') is in ENVIRONMENT
env = set()
for d in ("core", "tui"):
    for dirpath, _, files in os.walk(os.path.join(ROOT, d)):
        for fn in files:
            if fn.endswith(".c"):
                with open(os.path.join(dirpath, fn)) as f:
                    env |= set(re.findall(r'getenv\("([A-Z_]+)"\)', f.read()))
env = {e for e in env if not e.startswith("DRTOP_TEST_")}
check("drtop reads NO_COLOR and TERM", {"NO_COLOR", "TERM"} <= env, env)
envsec = page[page.index(".SH ENVIRONMENT"):page.index(".SH SEE ALSO")]
for e in sorted(env - {"DRTOP_NO_FASTPROBE"}):
    check("ENVIRONMENT names %s" % e, e in envsec, e)

if shutil.which("groff"):
    g = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", MAN],
                       capture_output=True, text=True, timeout=60)
    check("groff renders the manual without a warning",
          g.returncode == 0 and g.stderr == "", g.stderr[:600])

# --- make install DESTDIR PREFIX ----------------------------------------
d = tmpdir()
dest = os.path.join(d, "stage")
prefix = "/opt/drtop-test"
rel = os.path.relpath(DRTOP, ROOT)
build = "build" if rel == "drtop" else os.path.dirname(rel)
r = run(["make", "--no-print-directory", "-C", ROOT, "install",
         "DESTDIR=" + dest, "PREFIX=" + prefix, "BUILD=" + build],
        timeout=600)
check("make install DESTDIR PREFIX: exit 0", r.returncode == 0,
      r.stderr[-800:])
top = dest + prefix
binp = os.path.join(top, "bin", "drtop")
check("installs bin/drtop, executable", os.access(binp, os.X_OK), binp)
manp = os.path.join(top, "share", "man", "man1", "drtop.1")
check("installs the manual", os.path.isfile(manp), manp)
if os.path.isfile(manp):
    with open(manp) as f:
        inst = f.read()
    check("the installed manual names PREFIX, not /usr/local",
          prefix + "/share/doc/drtop/" in inst and "/usr/local" not in inst,
          [l for l in inst.splitlines() if "share" in l][:4])
    for docname in sorted(set(re.findall(r"\\fI([a-z0-9]+\.md)\\fR", page))):
        check("the installed %s the manual points to" % docname,
              os.path.isfile(os.path.join(top, "share", "doc", "drtop", "doc",
                                          docname)), docname)
for t in ("dark", "light", "high-contrast", "mono"):
    check("installs theme %s" % t, os.path.isfile(
        os.path.join(top, "share", "drtop", "themes", t)))
docdir = os.path.join(top, "share", "doc", "drtop")
check("installs README.md", os.path.isfile(os.path.join(docdir, "README.md")))
for md in os.listdir(os.path.join(ROOT, "doc")):
    if md.endswith(".md"):
        check("installs doc/%s" % md,
              os.path.isfile(os.path.join(docdir, "doc", md)))
for ex in os.listdir(os.path.join(ROOT, "examples")):
    if ex.endswith(".json"):
        check("installs examples/%s" % ex,
              os.path.isfile(os.path.join(docdir, "examples", ex)))
acts = os.path.join(ROOT, "examples", "actions")
for sh in sorted(os.listdir(acts)) if os.path.isdir(acts) else []:
    p = os.path.join(docdir, "examples", "actions", sh)
    check("installs examples/actions/%s%s" % (
        sh, " executable" if sh.endswith(".sh") else ""),
        os.path.isfile(p) and (not sh.endswith(".sh") or os.access(p, os.X_OK)))
# the README's and the docs' relative links resolve in the installed tree
for base, names in ((docdir, ["README.md"]),
                    (os.path.join(docdir, "doc"),
                     sorted(os.listdir(os.path.join(docdir, "doc"))))):
    for n in names:
        with open(os.path.join(base, n)) as f:
            links = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", f.read())
        bad = [l for l in links
               if not os.path.exists(os.path.join(base, l))]
        check("installed %s: every relative link resolves" % n, bad == [], bad)
# the installed binary runs and finds its installed themes
if os.access(binp, os.X_OK):
    r = run([binp, "--version"])
    check("installed drtop --version", r.returncode == 0
          and r.stdout.startswith("drtop "), r.stderr)
    r = run([binp, "check", os.path.join(docdir, "examples", "demo.json")])
    check("installed drtop checks the installed demo.json",
          r.returncode == 0 and "OK: 3 endpoints" in r.stdout, r.stderr)
check("nothing installed outside DESTDIR+PREFIX",
      sorted(os.listdir(dest)) == [prefix.split("/")[1]], os.listdir(dest))
done()
