"""README.md's commands work as written: the "first session" runs as a
user would type it (./drtop replaced by the binary under test, in a
scratch directory): sim on free ports writing its profile, check, watch,
and the curl that breaks eu20 moves the route; the README's command-line
block matches `drtop --help`; the modes it names exist; `make` targets it
names are in the Makefile."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import drtest  # noqa: E402
from drtest import DRTOP, ROOT, check, done, run, tmpdir  # noqa

with open(os.path.join(ROOT, "README.md")) as f:
    readme = f.read()

sec = readme[readme.index("## A first session without a cloud"):]
sec = sec[:sec.index("\n## ", 5)]
blocks = re.findall(r"^```\n(.*?)^```", sec, re.S | re.M)
cmds = [[l[2:] for l in b.splitlines() if l.startswith("$ ")]
        for b in blocks]
cmds = [c for c in cmds if c]
check("first session: two blocks of commands", len(cmds) == 2, cmds)
setup, breakit = (cmds + [[], []])[:2]
check("first session: no fixed port in any command",
      not any(re.search(r"\b1[58]0[0-9]{2}\b", c) for c in setup + breakit),
      setup + breakit)


def shell(cmd):
    # "# comment" after a command is for the reader
    cmd = re.sub(r"\s+#.*$", "", cmd)
    return cmd.replace("./drtop ", DRTOP + " ")


d = tmpdir()
sim_cmd, watch_cmd, others = None, None, []
for c in setup:
    if " sim " in c:
        sim_cmd = shell(c)
    elif " watch " in c:
        watch_cmd = shell(c)
    else:
        others.append(shell(c))
check("first session starts sim in the background",
      sim_cmd is not None and sim_cmd.rstrip().endswith("&"), sim_cmd)
check("first session runs watch", watch_cmd is not None, watch_cmd)
if sim_cmd and watch_cmd:
    sim = drtest.spawn(["sh", "-c", "exec " + sim_cmd.rstrip().rstrip("&")],
                       cwd=d)
    ready = drtest.wait_for(lambda: os.path.exists(os.path.join(d, "sim.out"))
                            and "\nready\n" in open(os.path.join(d, "sim.out"))
                            .read(), 15)
    check("sim: ready, its ports in sim.out", ready,
          open(os.path.join(d, "sim.out")).read()
          if os.path.exists(os.path.join(d, "sim.out")) else "no sim.out")
    for c in others:
        r = run(["sh", "-c", c], cwd=d)
        check("README: `%s` exits 0" % c, r.returncode == 0,
              (r.returncode, r.stderr[-300:]))
        if " check " in c:
            check("README: check prints the summary",
                  "OK: 3 endpoints" in r.stdout, r.stdout[-300:])
    w = drtest.spawn(["sh", "-c", watch_cmd], cwd=d, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
    import threading
    lines = []
    t = threading.Thread(target=lambda: lines.extend(w.stdout), daemon=True)
    t.start()
    check("watch: first route to eu20", drtest.wait_for(
        lambda: any('"type":"route"' in l and '"to":"eu20"' in l
                    for l in list(lines)), 20))
    check("watch: no probe lines (grep -v)",
          not any('"type":"probe"' in l for l in list(lines)))
    script = "\n".join(breakit)
    r = run(["sh", "-c", script], cwd=d)
    check("README: the curl that breaks eu20 exits 0 (%s)" % breakit,
          r.returncode == 0 and '"fault":"status 500"' in r.stdout,
          (r.returncode, r.stdout, r.stderr))
    moved = drtest.wait_for(
        lambda: any('"type":"route"' in l and '"from":"eu20"' in l
                    and '"to":"us21"' in l for l in list(lines)), 20)
    check("watch: the route moves eu20 -> us21", moved)
    check("watch: the name server converged on us21", drtest.wait_for(
        lambda: any('"type":"converged"' in l and '"endpoint":"us21"' in l
                    for l in list(lines)), 10))
    drtest.stop(w)
    drtest.stop(sim)
    check("sim wrote the profile the README checks",
          os.path.exists(os.path.join(d, "sim.json")))

# --- the command-line block and the modes ------------------------------
r = run([DRTOP, "--help"])
cl = readme[readme.index("## Command line"):]
cl = re.search(r"```\n(.*?)```", cl, re.S).group(1)
for line in cl.splitlines():
    m = re.match(r"drtop (check|watch|sim|replay|report)\b", line)
    if m:
        r2 = run([DRTOP, m.group(1), "--help"])
        check("README mode `%s` answers --help" % m.group(1),
              r2.returncode == 0 and "drtop %s" % m.group(1) in r2.stdout)
for opt in sorted(set(re.findall(r"--[a-z][a-z-]+", cl))):
    check("README option %s is in drtop --help" % opt, opt in r.stdout, opt)
with open(os.path.join(ROOT, "Makefile")) as f:
    mk = f.read()
for target in sorted(set(re.findall(r"`make ([a-z][a-z-]*)", readme))):
    check("README's `make %s` is a Makefile target" % target,
          re.search(r"^%s:" % re.escape(target), mk, re.M) is not None)
for ex in re.findall(r"`(examples/[^`*]+\.json)`", readme):
    r = run([DRTOP, "check", os.path.join(ROOT, ex)])
    check("README's %s passes drtop check" % ex, r.returncode == 0, r.stderr)
for link in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", readme):
    check("README link %s exists" % link,
          os.path.exists(os.path.join(ROOT, link)), link)
done()
