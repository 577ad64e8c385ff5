"""Issue 6's "done when", as a screen test: in `drtop --demo`, `f` on us21,
typing `us21` runs the demo's failover action (a real curl process that
forces the simulated traffic manager), us21 is the expected route (manual)
at once, and once the resolver's cache runs out DNS is seen answering
us21 and the DNS panel's drain countdown runs."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import drtest  # noqa: E402
from drtest import check  # noqa: E402
from screen import Screen, endpoint_state  # noqa: E402


def main():
    d = drtest.tmpdir()
    scr = Screen([drtest.DRTOP, "--demo"], tmp=d)
    # the manager is manual: the first route is what DNS answers (the
    # events pane scrolls with DNS answers, so the title says it)
    s = scr.wait_for(lambda t: re.match(r"\W*DNS → eu20 3/3", t) and
                     all(endpoint_state(t, n) == "ONLINE"
                         for n in ("eu20", "us21", "ap10")), 15)
    check("the demo starts with DNS answering eu20", s is not None,
          getattr(scr, "last", ""))
    scr.keys("Down")
    scr.keys("f")
    s = scr.wait_for(lambda t: "Fail over" in t and "us21" in t, 5)
    check("f on us21 opens the failover dialog for us21", s is not None,
          getattr(scr, "last", ""))
    scr.keys("u", "s", "2", "1", "Enter")
    # the action moves the manager's answer; the expected route is us21
    # (manual) at once, and DNS is seen to move when the resolver's
    # cached eu20 runs out (the demo's TTL, 30 s)
    s = scr.wait_for(lambda t: "(manual)" in t and
                     ("expected us21" in t.splitlines()[0] or
                      "DNS → us21" in t.splitlines()[0]), 15)
    check("typing us21 runs the action: us21 expected (manual route)",
          s is not None, getattr(scr, "last", ""))
    s = scr.wait_for(lambda t: "DNS → us21" in t.splitlines()[0] and
                     re.search(r"drain \d\d:\d\d", t), 45)
    check("DNS moves to us21 and the DNS panel shows the drain countdown",
          s is not None, getattr(scr, "last", ""))
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
