"""Screen tests of the console on a live profile against `drtop sim`
(loopback only): mode LIVE, the title as DNS answers, a fault detected
while the simulated manager keeps answering eu20, the recommendation
banner, the operator's failover through the confirmation that shows the
action's arguments, the action's output and outcome in the event log,
us21 expected until DNS answers it,
secrets never on screen, SIGHUP restoring the terminal with --record
written, and a bad profile refused before the terminal is touched."""
import json
import os
import re
import signal
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
SECRET = "s3cr3t-live-header-value"
START = 60


def tm_force(control, what):
    """Make the simulated manager answer `what` ("auto": follow health)."""
    import urllib.request
    req = urllib.request.Request(control + "/tm/force", data=what.encode(),
                                 method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read()


def make_profile(d, regions, dns_addr):
    eps = []
    lat = {0: (50.1, 8.7), 1: (38.9, -77.0), 2: (-33.9, 151.2)}
    for i, (n, url) in enumerate(regions.items()):
        e = {"name": n, "target": url, "priority": i + 1,
             "dns_answers": ["%s.sim.drtop.test" % n]}
        if i in lat:
            e["lat"], e["lon"] = lat[i]
        eps.append(e)
    prof = {
        "service": "live-test",
        "dns": {"name": "demo.sim.drtop.test", "ttl": 5,
                "resolvers": [dns_addr], "interval": 0.5},
        "monitor": {"interval": INTERVAL, "timeout": TIMEOUT,
                    "tolerated_failures": TOLERATED,
                    "identify": {"header": "X-Region"},
                    "headers": {"X-Secret-Token": "${env:LIVE_TEST_SECRET}"}},
        "endpoints": eps,
        "actions": {"failover": {"argv": ["/bin/echo", "moving {from} to {to}",
                                          "service={service}"],
                                 "timeout": 10}},
    }
    return drtest.write_json(os.path.join(d, "live.json"), prof)


def weighted_and_schematic(d, regions, dns_addr):
    """Eight endpoints under weighted routing: the map shows shares; at
    80x24 the map gives way to a row of region boxes."""
    urls = list(regions.values())
    eps = []
    for i in range(8):
        eps.append({"name": "w%d" % i, "target": urls[i % len(urls)],
                    "lat": -40.0 + 10 * i, "lon": -160.0 + 40 * i,
                    "weight": 1 + (i == 0)})
    prof = drtest.write_json(os.path.join(d, "weighted.json"), {
        "service": "weighted-test",
        "routing": {"method": "weighted"},
        "monitor": {"interval": INTERVAL, "timeout": TIMEOUT},
        "endpoints": eps})
    scr = Screen([drtest.DRTOP, prof], x=200, y=60, tmp=d)
    try:
        s = scr.wait_for(lambda x: all(endpoint_state(x, "w%d" % i) == "ONLINE"
                                       for i in range(8)) and
                         "w0 ONLINE 22%" in x and "w7 ONLINE 11%" in x, START)
        check("weighted: eight endpoints ONLINE with shares on the map",
              s is not None, getattr(scr, "last", s))
        scr.resize(80, 24)
        s = scr.wait_for(lambda x: "Endpoints" in x and "\u250c" in x, 10)
        check("80x24 with eight endpoints: region boxes instead of the map",
              s is not None and
              not any(0x2800 <= ord(c) <= 0x28FF for c in s), getattr(scr, "last", s))
        if s:
            top = "\n".join(s.splitlines()[1:4])
            check("region boxes west to east with state",
                  "w0 ONLINE" in top and top.index("w0") < top.index("w1"), top)
        scr.keys("q")
        check("weighted: q exits 0", scr.exit_status() == 0)
    finally:
        scr.close()


def auto_failover(d, regions, dns_addr, control):
    """routing.auto_failover: the console runs the failover action by
    itself when the engine moves traffic, and says so."""
    names = list(regions)
    eps = [{"name": n, "target": u, "priority": i + 1}
           for i, (n, u) in enumerate(regions.items())]
    prof = drtest.write_json(os.path.join(d, "auto.json"), {
        "service": "auto-test",
        "routing": {"auto_failover": True, "hold_down": 1},
        "monitor": {"interval": INTERVAL, "timeout": TIMEOUT,
                    "tolerated_failures": TOLERATED},
        "endpoints": eps,
        "actions": {"failover": {"argv": ["/bin/echo", "auto {from} {to}"]}}})
    scr = Screen([drtest.DRTOP, prof], tmp=d)
    try:
        s = scr.wait_for(lambda x: all(endpoint_state(x, n) == "ONLINE"
                                       for n in names), START)
        check("auto: every endpoint ONLINE", s is not None,
              getattr(scr, "last", ""))
        drtest.sim_fault(control, names[0], "refuse")
        s = scr.wait_for(lambda x: "started by auto" in x and
                         "finished, exit 0" in x, BOUND + SLACK + 10)
        check("auto: the failover action ran by itself", s is not None,
              getattr(scr, "last", ""))
        if s:
            # no DNS in this profile: the route is only expected
            check("auto: the expected route and the action follow the "
                  "engine's route",
                  "expected \u2192 %s (DNS not observed)" % names[1] in
                  s.splitlines()[0] and
                  "auto %s %s" % (names[0], names[1]) in s, s)
        scr.keys("q")
        check("auto: q exits 0", scr.exit_status() == 0)
    finally:
        scr.close()
        drtest.sim_fault(control, names[0], "ok")


def main():
    d = drtest.tmpdir()
    sim, regions, control = drtest.sim_start()
    check("sim started", len(regions) >= 2 and control, regions)
    if len(regions) < 2 or not control:
        drtest.done()
    names = list(regions)
    first, second = names[0], names[1]
    prof = make_profile(d, regions, sim.dns_addr)
    record = os.path.join(d, "live.jsonl")
    env = {"LIVE_TEST_SECRET": SECRET}
    scr = Screen([drtest.DRTOP, "--record", record, prof], env=env, tmp=d)
    screens = []
    try:
        s = scr.wait_for(lambda x: all(endpoint_state(x, n) == "ONLINE"
                                       for n in names), START)
        check("live: every endpoint ONLINE", s is not None,
              getattr(scr, "last", ""))
        if s is None:
            return
        screens.append(s)
        check("live: mode LIVE in the status line", "LIVE" in s.splitlines()[-2])
        check("live: service named", "live-test" in s.splitlines()[-2])

        check("live: the title is what DNS answers",
              re.match(r"\W*DNS \u2192 %s 1/1" % first, s.splitlines()[0]),
              s.splitlines()[0])
        # the simulated manager keeps answering eu20: DNS does not move
        # by itself, so the operator is asked to fail over
        tm_force(control, first)
        t0 = time.monotonic()
        drtest.sim_fault(control, first, "status 500")
        s = scr.wait_for(lambda x: endpoint_state(x, first) == "DEGRADED",
                         BOUND + SLACK)
        check("live: %s DEGRADED within %.1fs + slack" % (first, BOUND),
              s is not None, getattr(scr, "last", ""))
        print("# degraded after %.2fs" % (time.monotonic() - t0))
        s = scr.wait_for(lambda x: "press f" in x, 10)
        check("live: recommendation banner", s is not None,
              getattr(scr, "last", ""))

        scr.keys("Enter")
        s = scr.wait_for(lambda x: "Last probes" in x, 10)
        check("details: header names only",
              s is not None and "X-Secret-Token" in s and SECRET not in s, s)
        if s:
            screens.append(s)
        scr.keys("Escape")
        scr.wait_for(lambda x: "Last probes" not in x, 10)

        scr.keys("f")
        s = scr.wait_for(lambda x: "Fail over" in x and "Type %s" % second in x,
                         10)
        check("f: confirmation for %s -> %s" % (first, second), s is not None,
              getattr(scr, "last", ""))
        if s:
            screens.append(s)
            check("f: every argument shown in full, one per line",
                  "argv[0] /bin/echo" in s and
                  "argv[1] moving %s to %s" % (first, second) in s and
                  "argv[2] service=live-test" in s, s)
        # a wrong name does nothing; the right one runs the action
        scr.keys(*list(first), "Enter")
        time.sleep(0.3)
        check("f: a wrong name does not run it", "Fail over" in scr.capture())
        for _ in first:
            scr.keys("BSpace")
        scr.keys(*list(second), "Enter")
        s = scr.wait_for(lambda x: "finished, exit 0" in x and "(manual)" in x,
                         20)
        check("f: action output, outcome and manual route in the log",
              s is not None and "moving %s to %s" % (first, second) in s,
              getattr(scr, "last", ""))
        if s:
            screens.append(s)
        # the action (an echo) moved nothing: us21 is expected, DNS
        # still answers eu20, and the title says both
        # (the action panel's title may come first: "Action")
        s = scr.wait_for(lambda x: re.match(
            r"\W*(Action\W+)?DNS \u2192 %s 1/1 \u00b7 expected %s"
            % (first, second), x.splitlines()[0]), 10)
        check("f: %s expected, DNS still on %s" % (second, first),
              s is not None, getattr(scr, "last", "").splitlines()[:1])
        # the manager moves: the title follows DNS
        tm_force(control, second)
        s = scr.wait_for(lambda x: re.match(
            r"\W*(Action\W+)?DNS \u2192 %s 1/1" % second,
            x.splitlines()[0]) and
            "expected" not in x.splitlines()[0], 15)
        check("f: traffic on %s once DNS answers it" % second,
              s is not None, getattr(scr, "last", "").splitlines()[:1])

        check("secret never on any captured screen (%d)" % len(screens),
              all(SECRET not in x for x in screens))

        pid = scr.drtop_pid()
        if pid:
            os.kill(pid, signal.SIGHUP)
        st = scr.exit_status()
        check("SIGHUP: exits 0", st == 0, st)
        s = scr.wait_for(lambda x: "drtop-test-prompt$" in x, 10)
        check("SIGHUP: terminal restored", s is not None and
              scr.display("#{alternate_on}") == "0")
        with open(record) as f:
            lines = [json.loads(l) for l in f if l.strip()]
        check("record: session header first, mode live",
              lines and lines[0].get("type") == "session" and
              lines[0].get("mode") == "live")
        kinds = {l.get("type") for l in lines}
        check("record: probes, health, route, action written",
              {"probe", "health", "route", "action"} <= kinds, kinds)
        with open(record) as f:
            check("record: no secret", SECRET not in f.read())
    finally:
        scr.close()

    drtest.sim_fault(control, first, "ok")
    tm_force(control, "auto")
    weighted_and_schematic(d, regions, sim.dns_addr)
    auto_failover(d, regions, sim.dns_addr, control)

    bad = drtest.write_json(os.path.join(d, "bad.json"),
                            {"service": "x", "endpoints": [{"name": "a"}]})
    r = drtest.run([drtest.DRTOP, bad])
    check("bad profile: exit 2", r.returncode == 2, r.returncode)
    check("bad profile: the error names the file", "bad.json" in r.stderr,
          r.stderr)
    check("bad profile: nothing written to stdout", r.stdout == "", r.stdout)
    drtest.done()


if __name__ == "__main__":
    main()
