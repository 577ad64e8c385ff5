"""Screen test of `drtop replay LOG` in the console: a drill recorded with
`drtop watch --record` against `drtop sim` plays back at virtual time;
the status line shows the mode and speed, Space pauses, G jumps to the
end (eu20 DEGRADED, traffic on us21), g goes back to the start, actions
are refused as read-only, `--ascii` stays ASCII, and q exits 0."""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import drtest  # noqa: E402
from drtest import Watch, check  # noqa: E402
from screen import Screen, endpoint_state  # noqa: E402

INTERVAL, TIMEOUT, TOLERATED = 0.3, 0.25, 1
BOUND = INTERVAL * (TOLERATED + 1) + TIMEOUT
SLACK = 10.0


def record(d):
    sim, regions, control = drtest.sim_start()
    lat = [(50.1, 8.7), (38.9, -77.0), (-33.9, 151.2)]
    eps = [{"name": n, "target": u, "priority": i + 1, "lat": lat[i][0],
            "lon": lat[i][1]} for i, (n, u) in enumerate(regions.items())]
    prof = drtest.write_json(os.path.join(d, "p.json"), {
        "service": "replay-test",
        "monitor": {"interval": INTERVAL, "timeout": TIMEOUT,
                    "tolerated_failures": TOLERATED},
        "endpoints": eps})
    log = os.path.join(d, "drill.jsonl")
    w = Watch(prof, ["--record", log])
    w.wait(10, type="route")
    drtest.wait_for(lambda: False, 1.5)  # some healthy history first
    drtest.sim_fault(control, "eu20", "status 500")
    moved = w.wait(BOUND + SLACK, type="route", to="us21")
    drtest.wait_for(lambda: False, 1.0)
    rc = w.stop(signal.SIGINT)
    drtest.stop(sim)
    return log, bool(moved) and rc == 0


def main():
    d = drtest.tmpdir()
    log, ok = record(d)
    if not check("a drill with a failover was recorded", ok and
                 os.path.getsize(log) > 0):
        drtest.done()

    scr = Screen([drtest.DRTOP, "replay", "--speed", "2", log], tmp=d)
    s = scr.wait_for(lambda t: "REPLAY x2" in t, 10)
    check("the status line says REPLAY x2", s is not None,
          getattr(scr, "last", ""))
    s = scr.wait_for(lambda t: endpoint_state(t, "eu20") == "ONLINE", 10)
    check("eu20 comes up ONLINE as recorded", s is not None,
          getattr(scr, "last", ""))
    scr.keys("Space")
    s = scr.wait_for(lambda t: "REPLAY PAUSED" in t, 5)
    check("Space pauses", s is not None, getattr(scr, "last", ""))
    scr.keys("G")
    s = scr.wait_for(lambda t: endpoint_state(t, "eu20") == "DEGRADED" and
                     "us21" in t and "REPLAY END" in t, 10)
    check("G jumps to the end: eu20 DEGRADED, REPLAY END", s is not None,
          getattr(scr, "last", ""))
    if s is not None:
        m = re.search(r"REPLAY END (\d\d:\d\d)/(\d\d:\d\d)", s)
        check("the status line shows the position: at the end it equals "
              "the log's length", m is not None and m.group(1) ==
              m.group(2) and m.group(2) != "00:00", m and m.group(0))
        # the recorded session observed no DNS: us21 is only expected
        check("the map's title: us21 expected, DNS not observed",
              "expected \u2192 us21 (DNS not observed)" in s.splitlines()[0],
              s.splitlines()[0])
    scr.keys("g")
    s = scr.wait_for(lambda t: endpoint_state(t, "eu20") != "DEGRADED" and
                     "REPLAY END" not in t, 10)
    check("g goes back to the start (eu20 not degraded yet)", s is not None,
          getattr(scr, "last", ""))
    check("after g the position is back near 00:00",
          s is not None and re.search(r"REPLAY \S+ 00:0\d/", s),
          s and [ln for ln in s.splitlines() if "REPLAY" in ln])
    scr.keys("f")
    s = scr.wait_for(lambda t: "read-only" in t, 5)
    check("f in a replay says the replay is read-only", s is not None,
          getattr(scr, "last", ""))
    # the replay's own keys: the key bar and ? list Space and the speed
    # and seek keys, and nothing that would act on a live session
    bar = scr.capture().splitlines()[-1]
    scr.keys("Escape")  # the notice gives the key bar back
    s = scr.wait_for(lambda t: "Space pause" in t.splitlines()[-1], 5)
    bar = s.splitlines()[-1] if s else scr.capture().splitlines()[-1]
    check("replay key bar: Space, speed, seek; no f, b, x, r",
          all(k in bar for k in ("Space pause", "+/- speed", "[/] change",
                                 "g/G start/end")) and
          not any(k in bar for k in ("failover", "failback", "disable",
                                     "probe")), bar)
    scr.keys("?")
    s = scr.wait_for(lambda t: "Help: keys" in t, 5)
    help_text = (s or "") + "\n"
    scr.keys("Down", "Down", "Down", "Down", "Down", "Down", "Down", "Down")
    time.sleep(0.5)
    help_text += scr.capture()
    # the text between the help box's sides
    rows = [re.split("[\u2502|]", ln)[1].strip() for ln in help_text.splitlines()
            if len(re.split("[\u2502|]", ln)) >= 3]
    check("replay help: Replay first, Space and the speed keys",
          s is not None and "Replay" in rows and
          any(r.startswith("Space ") for r in rows) and
          any(r.startswith("+ ") for r in rows) and
          any(r.startswith("- ") and "half" in r for r in rows), rows)
    check("replay help: no failover, failback, disable, probe or drill rows",
          not any(w in help_text for w in ("fail over", "fail back",
                                           "disable or enable",
                                           "probe the selected",
                                           "recorded drill")), rows)
    scr.keys("Escape")
    scr.keys("q")
    check("q exits 0", scr.exit_status() == 0)
    scr.close()

    scr = Screen([drtest.DRTOP, "replay", "--ascii", "--speed", "64", log],
                 tmp=d)
    s = scr.wait_for(lambda t: "REPLAY" in t and "eu20" in t, 10)
    raw = scr.capture_bytes()
    check("--ascii replay: no byte above 0x7F on screen",
          s is not None and all(b < 0x80 for b in raw),
          [b for b in raw if b >= 0x80][:5])
    scr.keys("q")
    check("the ASCII replay exits 0 on q", scr.exit_status() == 0)
    scr.close()

    r = drtest.run([drtest.DRTOP, "replay", os.path.join(d, "none.jsonl")])
    check("a missing log exits 2 naming it", r.returncode == 2 and
          "none.jsonl" in r.stderr, (r.returncode, r.stderr))
    with open(os.path.join(d, "bad.jsonl"), "w") as f:
        f.write('{"type":"session","v":1,"started":"2026-11-21T08:00:00.000Z"}\n')
        f.write("not json\n")
    r = drtest.run([drtest.DRTOP, "replay", os.path.join(d, "bad.jsonl")])
    check("a garbage line exits 2 with its line number before the terminal "
          "is touched", r.returncode == 2 and "bad.jsonl:2" in r.stderr,
          (r.returncode, r.stderr))
    drtest.done()


if __name__ == "__main__":
    main()
