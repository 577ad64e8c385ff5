"""Screen test: when the event queue overflows, the count is on the
status line. The queue is made small with DRTOP_TEST_QUEUE_CAPACITY (a
knob for tests only: it can only shrink the queue) and fed honestly by
the real producers: two hundred endpoints probed every 0.1 s on a loopback
port that refuses, faster than a one-event queue is drained. Without the
knob the same profile shows no overflow."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import drtest  # noqa: E402
from drtest import check  # noqa: E402
from screen import Screen  # noqa: E402

START = 60
WORDING = re.compile(r" queue overflow (\d+) ")


def status_line(s):
    lines = s.splitlines()
    return lines[-2] if len(lines) >= 2 else ""


def shown(s):
    """The count on the status line, or None."""
    m = WORDING.search(status_line(s))
    return int(m.group(1)) if m else None


def main():
    d = drtest.tmpdir()
    port = drtest.free_port()  # nothing listens: every probe is refused
    prof = drtest.write_json(os.path.join(d, "many.json"), {
        "service": "ovf",
        "monitor": {"interval": 0.1, "timeout": 0.1,
                    "tolerated_failures": 1},
        "endpoints": [{"name": "e%03d" % i,
                       "target": "tcp://127.0.0.1:%d" % port,
                       "priority": i + 1} for i in range(200)]})

    scr = Screen([drtest.DRTOP, prof], x=100, y=30, tmp=d,
                 env={"DRTOP_TEST_QUEUE_CAPACITY": "1"})
    try:
        s = scr.wait_for(lambda x: (shown(x) or 0) > 0, START)
        check("overflow: the count is on the status line", s is not None,
              getattr(scr, "last", ""))
        if s is not None:
            n = shown(s)
            check("overflow: the count is > 0", n > 0, status_line(s))
            check("overflow: worded \"queue overflow N\" after the clock",
                  re.search(r"\d\d:\d\d:\d\d  in flight \d+  "
                            r"queue overflow \d+ ", status_line(s)),
                  status_line(s))
            later = scr.wait_for(lambda x: (shown(x) or 0) > n, 20)
            check("overflow: the count follows the queue (grows)",
                  later is not None, getattr(scr, "last", ""))
        scr.keys("q")
        check("overflow: q exits 0", scr.exit_status() == 0)
    finally:
        scr.close()

    # the same profile with the queue's own capacity: nothing dropped
    scr = Screen([drtest.DRTOP, prof], x=100, y=30, tmp=d)
    try:
        s = scr.wait_for(lambda x: "FAIL-OPEN" in status_line(x) and
                         "in flight" in status_line(x), START)
        check("control: the console runs the same profile", s is not None,
              getattr(scr, "last", ""))
        # a few seconds of the same load
        s = scr.wait_for(lambda x: "queue overflow" in x, 3)
        check("control: no overflow shown", s is None,
              status_line(s or ""))
        scr.keys("q")
        check("control: q exits 0", scr.exit_status() == 0)
    finally:
        scr.close()
    drtest.done()


if __name__ == "__main__":
    main()
