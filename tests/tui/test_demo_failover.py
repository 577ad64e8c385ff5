"""Issue 6's "done when", as a screen test: in `drtop --demo`, `f` on us21,
typing `us21` runs the demo's failover action (a real curl process that
forces the simulated traffic manager), traffic moves to us21 as a manual
route, and the DNS panel's drain countdown runs while the resolver's cache
still points at eu20."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import drtest  # noqa: E402
from drtest import check  # noqa: E402
from screen import Screen  # noqa: E402


def main():
    d = drtest.tmpdir()
    scr = Screen([drtest.DRTOP, "--demo"], tmp=d)
    s = scr.wait_for(lambda t: "traffic → eu20" in t and
                     t.count("ONLINE") >= 3, 15)
    check("the demo starts with traffic on eu20", s is not None,
          getattr(scr, "last", ""))
    scr.keys("Down")
    scr.keys("f")
    s = scr.wait_for(lambda t: "Fail over" in t and "us21" in t, 5)
    check("f on us21 opens the failover dialog for us21", s is not None,
          getattr(scr, "last", ""))
    scr.keys("u", "s", "2", "1", "Enter")
    s = scr.wait_for(lambda t: "traffic → us21" in t and
                     "(manual)" in t, 15)
    check("typing us21 runs the action and moves traffic (manual route)",
          s is not None, getattr(scr, "last", ""))
    s = scr.wait_for(lambda t: re.search(r"drain \d\d:\d\d", t), 10)
    check("the DNS panel shows the drain countdown", s is not None,
          getattr(scr, "last", ""))
    if s is not None:
        first = re.search(r"drain (\d\d):(\d\d)", s)
        later = scr.wait_for(lambda t: (m := re.search(
            r"drain (\d\d):(\d\d)", t)) and m.group(0) != first.group(0), 5)
        check("the countdown runs", later is not None,
              getattr(scr, "last", ""))
    s = scr.wait_for(lambda t: "exit 0" in t, 5)
    check("the action's outcome (exit 0) is on screen", s is not None,
          getattr(scr, "last", ""))
    scr.keys("Escape")
    scr.keys("q")
    check("q exits 0", scr.exit_status() == 0)
    scr.close()
    drtest.done()


if __name__ == "__main__":
    main()
