"""Screen tests of the failover dialog and the action panel against
`drtop sim` (loopback only), with actions that are real scripts written
into a temp dir: a wrong name runs nothing, Esc cancels, the right name
runs the action and moves traffic, a target that is not ONLINE asks
twice, the dialog shows the TTL/drain line and its warnings, and a
runbook whose second of three steps fails stops there, names the step,
shows its output, and is retried with R or aborted with A."""
import os
import re
import stat
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import drtest  # noqa: E402
from drtest import check  # noqa: E402
from screen import Screen, endpoint_state  # noqa: E402

INTERVAL, TIMEOUT, TOLERATED = 0.5, 0.4, 1
BOUND = INTERVAL * (TOLERATED + 1) + TIMEOUT
SLACK = 10.0
START = 60
TTL = 7


def script(d, name, body):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


def lines_of(path):
    try:
        with open(path) as f:
            return [l.strip() for l in f if l.strip()]
    except FileNotFoundError:
        return []


def profile(d, name, regions, failover):
    eps = [{"name": n, "target": u, "priority": i + 1}
           for i, (n, u) in enumerate(regions.items())]
    return drtest.write_json(os.path.join(d, name), {
        "service": "fo-test",
        "dns": {"name": "demo.sim.drtop.test", "ttl": TTL},
        "monitor": {"interval": INTERVAL, "timeout": TIMEOUT,
                    "tolerated_failures": TOLERATED},
        "endpoints": eps,
        "actions": {"failover": failover}})


def top(s):
    return s.splitlines()[0] if s else ""


def expected(s, name):
    """The title says the expected route is name: "expected name" (DNS
    answers something else, or nothing maps: this profile's only
    resolver is the system's, which cannot resolve the sim's name), or
    DNS answers name and nothing else is expected."""
    t = top(s)
    return (re.search(r"expected (\u2192 |-> )?%s\b" % re.escape(name), t)
            is not None or
            (re.search(r"DNS (\u2192|->) %s \d" % re.escape(name), t)
             is not None and "expected" not in t))


def all_online(scr, names):
    return scr.wait_for(lambda x: all(endpoint_state(x, n) == "ONLINE"
                                      for n in names), START)


def single_action(d, regions, control):
    names = list(regions)
    first, second, third = names[0], names[1], names[2]
    marker = os.path.join(d, "moved")
    fo = script(d, "fo.sh", 'echo "moving $DRTOP_FROM to $DRTOP_TO"\n'
                'echo "$DRTOP_FROM $DRTOP_TO" >> "%s"\n' % marker)
    prof = profile(d, "single.json", regions,
                   {"argv": [fo, "{from}", "{to}"], "timeout": 10})
    scr = Screen([drtest.DRTOP, prof], x=100, y=30, tmp=d)
    try:
        s = all_online(scr, names)
        check("single: every endpoint ONLINE", s is not None,
              getattr(scr, "last", ""))
        if s is None:
            return
        check("single: %s expected first" % first, expected(s, first), top(s))

        # Esc cancels
        scr.keys("Down", "f")
        s = scr.wait_for(lambda x: "Type %s" % second in x, 10)
        check("f: dialog for %s" % second, s is not None,
              getattr(scr, "last", ""))
        if s:
            check("f: from -> to with state words and latency",
                  "%s ONLINE" % first in s and "%s ONLINE" % second in s and
                  " ms" in s, s)
            check("f: TTL and drain line",
                  "TTL %ds: clients follow within ~%ds after DNS changes"
                  % (TTL, TTL) in s, s)
            check("f: no warning for an ONLINE target", "WARNING" not in s, s)
        scr.keys("Escape")
        s = scr.wait_for(lambda x: "Type %s" % second not in x and
                         "cancelled" in x, 10)
        check("Esc: the dialog closes", s is not None,
              getattr(scr, "last", ""))
        time.sleep(1.0)
        check("Esc: nothing ran", lines_of(marker) == [], lines_of(marker))

        # a wrong name does nothing; the right one runs it
        scr.keys("f")
        scr.wait_for(lambda x: "Type %s" % second in x, 10)
        scr.keys(*list(first), "Enter")
        time.sleep(1.0)
        s = scr.capture()
        check("wrong name: the dialog stays", "Type %s" % second in s, s)
        check("wrong name: nothing ran", lines_of(marker) == [],
              lines_of(marker))
        for _ in first:
            scr.keys("BSpace")
        scr.keys(*list(second), "Enter")
        ok = drtest.wait_for(lambda: lines_of(marker) != [], 20)
        check("right name: the action ran once with from/to",
              ok and lines_of(marker) == ["%s %s" % (first, second)],
              lines_of(marker))
        s = scr.wait_for(lambda x: expected(x, second) and "done: exit 0" in x,
                         20)
        check("right name: the title expects %s, panel the result" % second,
              s is not None, getattr(scr, "last", ""))
        if s:
            check("panel: the action's output",
                  "moving %s to %s" % (first, second) in s, s)
        scr.keys("Escape")
        s = scr.wait_for(lambda x: "done: exit 0" not in x, 10)
        check("Esc hides the result panel", s is not None,
              getattr(scr, "last", ""))

        # a DEGRADED target asks twice
        drtest.sim_fault(control, third, "status 500")
        s = scr.wait_for(lambda x: endpoint_state(x, third) == "DEGRADED",
                         BOUND + SLACK)
        check("%s DEGRADED" % third, s is not None, getattr(scr, "last", ""))
        scr.keys("Down", "f")
        s = scr.wait_for(lambda x: "Type %s" % third in x, 10)
        check("f: dialog for the degraded %s" % third, s is not None,
              getattr(scr, "last", ""))
        if s:
            check("f: warning target not ONLINE on its own line",
                  any(l.strip(" \u2502|").startswith(
                      "WARNING: %s is DEGRADED" % third)
                      for l in s.splitlines()), s)
        scr.keys(*list(third), "Enter")
        s = scr.wait_for(lambda x: "type yes" in x, 10)
        check("degraded: a second confirmation", s is not None,
              getattr(scr, "last", ""))
        time.sleep(1.0)
        check("degraded: the first confirmation alone runs nothing",
              len(lines_of(marker)) == 1, lines_of(marker))
        scr.keys(*list(third), "Enter")  # the name again is not "yes"
        time.sleep(0.5)
        check("degraded: only yes confirms", len(lines_of(marker)) == 1,
              lines_of(marker))
        for _ in third:
            scr.keys("BSpace")
        scr.keys("y", "e", "s", "Enter")
        ok = drtest.wait_for(lambda: len(lines_of(marker)) == 2, 20)
        check("degraded: yes runs it",
              ok and lines_of(marker)[1] == "%s %s" % (second, third),
              lines_of(marker))
        scr.keys("q")
        check("single: q exits 0", scr.exit_status() == 0)
    finally:
        scr.close()
        drtest.sim_fault(control, third, "ok")


def runbook(d, regions):
    names = list(regions)
    first, second, third = names[0], names[1], names[2]
    s1, s3 = os.path.join(d, "step1"), os.path.join(d, "step3")
    gate = os.path.join(d, "gate")
    go = os.path.join(d, "go")
    # step 1 prints, then waits (bounded: 60 s) for the test's go file
    st1 = script(d, "s1.sh", 'echo "preparing $DRTOP_TO"\n'
                 'i=0; while [ ! -f "%s" ] && [ $i -lt 600 ]; do '
                 'sleep 0.1; i=$((i+1)); done\n'
                 'echo prepared >> "%s"\n' % (go, s1))
    st2 = script(d, "s2.sh", 'echo "checking the gate"\n'
                 'if [ -f "%s" ]; then echo gate open; exit 0; fi\n'
                 'echo "gate file missing for $DRTOP_TO"\nexit 3\n' % gate)
    st3 = script(d, "s3.sh", 'echo "$DRTOP_TO" >> "%s"\n' % s3)
    prof = profile(d, "runbook.json", regions, [
        {"name": "prepare", "argv": [st1]},
        {"name": "switch dns", "argv": [st2, "{to}"]},
        {"name": "verify", "argv": [st3]}])
    scr = Screen([drtest.DRTOP, prof], x=80, y=24, tmp=d)
    try:
        s = all_online(scr, names)
        check("runbook: every endpoint ONLINE", s is not None,
              getattr(scr, "last", ""))
        if s is None:
            return
        scr.keys("Down", "f")
        s = scr.wait_for(lambda x: "Type %s" % second in x, 10)
        check("runbook: dialog", s is not None, getattr(scr, "last", ""))
        scr.keys(*list(second), "Enter")
        s = scr.wait_for(lambda x: "running" in x and
                         "step 1/3 prepare" in x and
                         "preparing %s" % second in x, 20)
        check("runbook: the panel shows the running step and its live output",
              s is not None, getattr(scr, "last", ""))
        check("runbook: nothing after step 1 while it runs",
              lines_of(s1) == [] and lines_of(s3) == [],
              (lines_of(s1), lines_of(s3)))
        with open(go, "w") as f:
            f.write("go\n")
        s = scr.wait_for(lambda x: "FAILED" in x and
                         "gate file missing for %s" % second in x, 20)
        check("runbook: the panel names the failed step and its output",
              s is not None and "step 2/3" in s and "switch dns" in s,
              getattr(scr, "last", s))
        check("runbook: the events pane says the step failed and waits",
              s is not None and re.search(
                  r"step switch dns failed \(exit \d+\): waits for R", s),
              getattr(scr, "last", s))
        if s:
            check("runbook: R and A in the key bar",
                  "R retry step" in s.splitlines()[-1] and
                  "A abort" in s.splitlines()[-1], s.splitlines()[-1])
            check("runbook: the expected route unchanged", expected(s, first),
                  top(s))
        time.sleep(1.0)
        check("runbook: step 1 ran, step 3 did not",
              lines_of(s1) == ["prepared"] and lines_of(s3) == [],
              (lines_of(s1), lines_of(s3)))

        # R retries the failed step; it succeeds now and the rest runs
        with open(gate, "w") as f:
            f.write("open\n")
        scr.keys("R")
        ok = drtest.wait_for(lambda: lines_of(s3) == [second], 20)
        check("R: step 2 retried, step 3 ran", ok, lines_of(s3))
        check("R: step 1 not run again", lines_of(s1) == ["prepared"],
              lines_of(s1))
        s = scr.wait_for(lambda x: "done: exit 0" in x and expected(x, second),
                         20)
        check("R: the runbook done, %s expected" % second, s is not None,
              getattr(scr, "last", ""))
        if s:
            check("R: key bar without R/A once done",
                  "R retry step" not in s.splitlines()[-1],
                  s.splitlines()[-1])

        # A aborts a failed runbook
        os.unlink(gate)
        os.unlink(s3)
        scr.keys("Escape", "Down", "f")
        s = scr.wait_for(lambda x: "Type %s" % third in x, 10)
        check("runbook 2: dialog for %s" % third, s is not None,
              getattr(scr, "last", ""))
        scr.keys(*list(third), "Enter")
        s = scr.wait_for(lambda x: "gate file missing for %s" % third in x,
                         20)
        check("runbook 2: step 2 failed again", s is not None,
              getattr(scr, "last", ""))
        scr.keys("A")
        s = scr.wait_for(lambda x: "aborted" in x and "FAILED" in x and
                         "R retry step" not in x.splitlines()[-1], 20)
        check("A: the runbook is aborted", s is not None,
              getattr(scr, "last", ""))
        if s:
            check("A: %s stays expected" % second, expected(s, second),
                  top(s))
        time.sleep(1.0)
        check("A: step 3 never ran", lines_of(s3) == [], lines_of(s3))
        scr.keys("q")
        check("runbook: q exits 0", scr.exit_status() == 0)
    finally:
        scr.close()


def main():
    d = drtest.tmpdir()
    sim, regions, control = drtest.sim_start()
    check("sim started with three regions", len(regions) >= 3 and control,
          regions)
    if len(regions) < 3 or not control:
        drtest.done()
    single_action(d, regions, control)
    runbook(d, regions)
    drtest.done()


if __name__ == "__main__":
    main()
