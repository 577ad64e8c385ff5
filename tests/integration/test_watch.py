"""drtop watch --json against drtop sim: the whole live pipeline (probe
thread, DNS observer, queue, engine) on loopback.

Checks the error class of every fault, detection on exactly the
(tolerated+1)-th failed probe within the profile's detection bound, the
route change, DNS convergence, failback (manual: recommended only; auto:
after hold_down), memory under a huge body, and the exit codes."""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import drtest  # noqa: E402
from drtest import Watch, check  # noqa: E402

INTERVAL = 0.5
TIMEOUT = 0.4
TOLERATED = 2
SLACK = 3.0  # seconds of scheduling slack on a loaded 2-core machine
BOUND = INTERVAL * (TOLERATED + 1) + TIMEOUT





def make_profile(d, regions, dns_addr, failback="manual", hold_down=2.0,
                 name="p.json"):
    eps = []
    for i, (n, url) in enumerate(regions.items()):
        eps.append({"name": n, "target": url, "priority": i + 1,
                    "dns_answers": ["%s.sim.drtop.test" % n]})
    prof = {
        "service": "watch-test",
        "dns": {"name": "demo.sim.drtop.test", "ttl": 5,
                "resolvers": [dns_addr], "interval": 0.5},
        "routing": {"method": "priority", "failback": failback,
                    "hold_down": hold_down},
        "monitor": {"interval": INTERVAL, "timeout": TIMEOUT,
                    "tolerated_failures": TOLERATED,
                    "identify": {"header": "X-Region"},
                    "headers": {"X-Secret-Token": "${env:WATCH_TEST_SECRET}"}},
        "endpoints": eps,
    }
    return drtest.write_json(os.path.join(d, name), prof)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def detection_and_failover(w, control):
    first = w.wait(10, type="route")
    check("first route goes to eu20 with from null, cause auto",
          first and first[0]["to"] == "eu20" and first[0]["from"] is None and
          first[0]["cause"] == "auto", first)
    oks = w.wait(5, type="probe", endpoint="us21", ok=True)
    check("healthy probes: status 200, served_by from X-Region, timings",
          oks and oks[0]["status"] == 200 and oks[0]["served_by"] == "us21" and
          oks[0]["ms"]["total"] is not None and oks[0]["error"] is None, oks[:1])

    fault_at = w.session_t()
    drtest.sim_fault(control, "eu20", "status 500")
    deg = w.wait(BOUND + SLACK, type="health", endpoint="eu20", to="degraded")
    check("eu20 is declared degraded after the fault", deg, w.events(
        type="health"))
    if not deg:
        return
    h = deg[0]
    check("detected within the profile's bound (interval x (tolerated+1) "
          "+ timeout = %.1f s, plus slack)" % BOUND,
          h["t"] - fault_at <= BOUND + SLACK, (h["t"], fault_at))
    # Exactly the (tolerated+1)-th consecutive failure decides it.
    evs = w.events()
    idx = evs.index(h)
    run = []
    for e in reversed(evs[:idx]):
        if e.get("type") == "probe" and e.get("endpoint") == "eu20":
            if e["ok"]:
                break
            run.append(e)
    check("degraded on exactly the %d-th consecutive failed probe" %
          (TOLERATED + 1), len(run) == TOLERATED + 1 and
          all(e["error"] == "status" and e["status"] == 500 for e in run) and
          run[0]["t"] == h["t"], [(e["t"], e["error"]) for e in run])
    check("the health reason names the last failure",
          "status 500" in h["reason"], h["reason"])
    r = [e for e in evs[idx:] if e.get("type") == "route"]
    check("traffic moves to us21 (cause auto) at the health event's time",
          r and r[0]["from"] == "eu20" and r[0]["to"] == "us21" and
          r[0]["cause"] == "auto" and r[0]["t"] == h["t"], r[:1])
    conv = w.wait(5 + SLACK, type="converged")
    check("the simulated DNS resolver converges on us21 after the change",
          conv and conv[0]["endpoint"] == "us21" and conv[0]["after"] >= 0,
          conv)
    dns = [e for e in w.events(type="dns")
           if e["endpoint"] == "us21" and e["t"] >= h["t"]]
    check("dns events map the answer to us21 with the resolver's TTL (5)",
          dns and dns[0]["rcode"] == "NOERROR" and dns[0]["ttl"] == 5 and
          "us21.sim.drtop.test" in dns[0]["answers"], dns[:1])


def manual_failback(w, control):
    drtest.sim_fault(control, "eu20", "ok")
    on = w.wait(INTERVAL * 2 + SLACK, type="health", endpoint="eu20",
                to="online", **{"from": "degraded"})
    check("eu20 comes back online after the fault ends", on)
    if not on:
        return
    # hold_down is 2 s; give it 3 s: with failback manual nothing moves.
    time.sleep(3.0)
    back = [e for e in w.events(type="route") if e["to"] == "eu20" and
            e["t"] > on[0]["t"]]
    check("manual failback: no route back to eu20 by itself", not back, back)


def fault_classes(w, control):
    cases = [("refuse", "refused"), ("blackhole", "timeout"),
             ("reset", "reset"), ("garbage", "status"),
             ("slow 900", "timeout"), ("status 301", "status")]
    for fault, want in cases:
        start = w.session_t()
        drtest.sim_fault(control, "ap10", fault)

        def got():
            return [e for e in w.events(type="probe", endpoint="ap10")
                    if e["t"] > start + 0.05 and not e["ok"]]
        bad = drtest.wait_for(got, INTERVAL * 3 + SLACK)
        check("fault %r gives error %r" % (fault, want),
              bad and bad[0]["error"] == want,
              [(e["error"], e["status"]) for e in (bad or [])[:3]])
        if fault in ("blackhole", "slow 900") and bad:
            check("%s ends at the timeout, not later" % fault,
                  bad[0]["ms"]["total"] <= (TIMEOUT + 0.25) * 1000,
                  bad[0]["ms"])
    drtest.sim_fault(control, "ap10", "ok")
    # A refused region is seen on its first probe.
    start = w.session_t()
    drtest.sim_fault(control, "ap10", "refuse")
    first = drtest.wait_for(lambda: [e for e in w.events(
        type="probe", endpoint="ap10") if e["t"] > start + 0.05],
        INTERVAL * 2 + SLACK)
    check("refused is classified on the first probe after the fault",
          first and first[0]["error"] == "refused", first[:1])
    drtest.sim_fault(control, "ap10", "huge")
    before = rss_kb(w.p.pid)
    time.sleep(INTERVAL * 8)
    after = rss_kb(w.p.pid)
    huge = [e for e in w.events(type="probe", endpoint="ap10")
            if e["t"] > start + INTERVAL * 3]
    check("a huge body: probes complete (status 200) and memory stays flat",
          huge and huge[-1]["status"] == 200 and after - before < 8 * 1024,
          (before, after, [e["ok"] for e in huge[-3:]]))
    drtest.sim_fault(control, "ap10", "ok")


def auto_failback(d, regions, dns_addr, control):
    path = make_profile(d, regions, dns_addr, failback="auto", hold_down=2.0,
                        name="auto.json")
    w = Watch(path)
    first = w.wait(10, type="route")
    drtest.sim_fault(control, "eu20", "status 503")
    away = w.wait(BOUND + SLACK, type="route", to="us21")
    drtest.sim_fault(control, "eu20", "ok")
    on = w.wait(INTERVAL * 2 + SLACK, type="health", endpoint="eu20",
                to="online", **{"from": "degraded"})
    back = w.wait(2.0 + INTERVAL * 2 + SLACK, type="route", to="eu20",
                  cause="failback")
    check("auto failback: back to eu20 with cause failback after hold_down",
          first and away and on and back and
          back[0]["t"] - on[0]["t"] >= 2.0 - 1e-6,
          (on[:1], back[:1]))
    rc = w.stop(signal.SIGTERM)
    check("watch exits 0 on SIGTERM", rc == 0, rc)


def main():
    d = drtest.tmpdir()
    os.environ["WATCH_TEST_SECRET"] = "s3cr3t-never-printed"
    sim, regions, control = drtest.sim_start(
        ["--control", "0", "--base-port", "0", "--ttl", "5"])
    if not check("sim started", len(regions) == 3):
        drtest.done()
    path = make_profile(d, regions, sim.dns_addr)

    w = Watch(path)
    hdr = drtest.wait_for(lambda: w.lines[:1], 10)
    check("the first line is the session header with the redacted profile",
          hdr and hdr[0]["type"] == "session" and hdr[0]["mode"] == "live" and
          hdr[0]["profile"]["service"] == "watch-test", hdr)
    detection_and_failover(w, control)
    manual_failback(w, control)
    fault_classes(w, control)
    rc = w.stop(signal.SIGINT)
    check("watch exits 0 on SIGINT", rc == 0, (rc, w.p.stderr.read()))
    raw = json.dumps(w.lines)
    check("every stdout line is JSON and the secret never appears",
          not w.bad and "s3cr3t" not in raw, w.bad[:2])
    ts = [e["t"] for e in w.lines[1:]]
    check("event times never go backwards", ts == sorted(ts))

    auto_failback(d, regions, sim.dns_addr, control)

    dlog = os.path.join(d, "debug.log")
    r = drtest.run([drtest.DRTOP, "watch", "--json", "--duration", "1.5",
                    "--debug-log", dlog, path], timeout=20)
    n = len([ln for ln in r.stdout.splitlines() if '"probe"' in ln])
    check("--duration ends the run by itself with exit 0 after some probes",
          r.returncode == 0 and n >= 3, (r.returncode, n, r.stderr))
    with open(dlog) as f:
        text = f.read()
    check("--debug-log gets timestamped lines, never the secret",
          "watch: stopping (duration)" in text and "3 endpoints" in text and
          "s3cr3t" not in text and text.startswith("20"), text)
    for args, what in [(["--json", os.path.join(d, "missing.json")],
                        "a missing profile"),
                       ([path], "no --json"),
                       (["--json"], "no profile"),
                       (["--json", "--duration", "-1", path], "bad duration"),
                       (["--json", "--bogus", path], "unknown option")]:
        r = drtest.run([drtest.DRTOP, "watch"] + args, timeout=20)
        check("watch with %s exits 2" % what, r.returncode == 2,
              (r.returncode, r.stderr))
    bad = drtest.write_json(os.path.join(d, "bad.json"), {
        "service": "x", "endpoints": [{"name": "a", "target": "ftp://x"}]})
    r = drtest.run([drtest.DRTOP, "watch", "--json", bad], timeout=20)
    check("a bad profile exits 2 naming the field",
          r.returncode == 2 and "endpoints[0].target" in r.stderr, r.stderr)
    drtest.done()


if __name__ == "__main__":
    main()
