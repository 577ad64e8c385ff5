"""Screen test: a stopped terminal never stops the record. The console
records 30 endpoints probed every 0.1 s against `drtop sim` in a 200x60
tmux pane; Ctrl-S (XOFF, what a stalled SSH session does) freezes the
pane's output for 20 s, until the pty buffer is full and the console's
writes to its terminal block; then Ctrl-Q. The --record log must have
no hole over 1 s between probe events, and must hold the probes made
while the terminal was stopped. The console then quits with status 0."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import drtest  # noqa: E402
from drtest import check  # noqa: E402
from screen import Screen  # noqa: E402

STOPPED = 20.0


def main():
    d = drtest.tmpdir()
    sim, regions, _ = drtest.sim_start(("--base-port", "0"))
    check("sim started", regions, "")
    if not regions:
        drtest.done()
    urls = list(regions.values())
    prof = drtest.write_json(os.path.join(d, "p.json"), {
        "service": "ctrl-s",
        "monitor": {"interval": 0.1, "timeout": 0.08,
                    "tolerated_failures": 2},
        "endpoints": [{"name": "r%02d" % i, "target": urls[i % len(urls)]}
                      for i in range(30)]})
    log = os.path.join(d, "rec.jsonl")
    s = Screen([drtest.DRTOP, "--record", log, prof], x=200, y=60, tmp=d)
    try:
        up = s.wait_for(lambda t: "r29" in t and "ONLINE" in t, 15)
        check("console up, recording", up is not None,
              getattr(s, "last", "")[:300])
        s.keys("C-s")
        t_stop = time.monotonic()
        time.sleep(STOPPED)
        s.keys("C-q")
        t_go = time.monotonic()
        time.sleep(2.0)
        s.keys("q")
        rc = s.exit_status(20)
        check("the console quits with status 0", rc == 0, rc)
    finally:
        s.close()
    evs = []
    with open(log) as f:
        for line in f:
            try:
                evs.append(json.loads(line))
            except ValueError:
                pass
    ts = [e["t"] for e in evs if e.get("type") == "probe"]
    gap = max((b - a for a, b in zip(ts, ts[1:])), default=None)
    check("the record has no hole over 1 s between probes (largest %.3f s, "
          "%d probes)" % (gap or -1, len(ts)),
          gap is not None and gap < 1.0 and len(ts) > 3000, (gap, len(ts)))
    hdr = evs[0] if evs else {}
    check("the record begins with its session header",
          hdr.get("type") == "session")
    # probes in the middle of the stop: the terminal was stopped from
    # about t_stop to t_go, which the session's clock places near the
    # end minus the 2 s after Ctrl-Q
    if ts:
        last = ts[-1]
        mid = last - 2.0 - (t_go - t_stop) / 2
        near = [t for t in ts if abs(t - mid) < 1.0]
        check("probes were recorded while the terminal was stopped",
              len(near) > 100, (mid, len(near)))
    drtest.done()


main()
