"""Issue 7's end-to-end drill tests, on loopback only.

A drill recorded headless (`drtop watch --json --record` against `drtop
sim` with its DNS, a fault switched on through the control API): `drtop
report --format json` gives the metrics computed here independently from
the same file (DESIGN.md "Reports"); `--format html` is XML with one
<svg>; `drtop replay --check` re-derives the recorded health/route
events (and a what-if differs); `kill -9` of the recorder at random
moments leaves a log whose every complete line parses and that still
reports; a truncated last line is tolerated; garbage in the middle exits
2 with its line number."""
import json
import math
import os
import random
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import drtest  # noqa: E402
from drtest import Watch, check  # noqa: E402

INTERVAL = 0.5
TIMEOUT = 0.4
TOLERATED = 2
DNS_INTERVAL = 0.5
TTL = 1
SLACK = 4.0  # seconds of scheduling slack on a loaded 2-core machine
BOUND = INTERVAL * (TOLERATED + 1) + TIMEOUT
RTO_TARGET = 30





def make_profile(d, regions, dns_addr):
    eps = []
    for i, (n, url) in enumerate(regions.items()):
        eps.append({"name": n, "target": url, "priority": i + 1,
                    "dns_answers": ["%s.sim.drtop.test" % n]})
    return drtest.write_json(os.path.join(d, "drill.json"), {
        "service": "drill-test",
        "dns": {"name": "demo.sim.drtop.test", "ttl": TTL,
                "resolvers": [dns_addr], "interval": DNS_INTERVAL},
        "routing": {"method": "priority", "failback": "manual"},
        "monitor": {"interval": INTERVAL, "timeout": TIMEOUT,
                    "tolerated_failures": TOLERATED,
                    "identify": {"header": "X-Region"}},
        "endpoints": eps,
        "drill": {"rto_target": RTO_TARGET, "dir": "drills"},
    })


def read_log(path):
    """(header, events, error): every complete line parsed; a last line
    without a newline is ignored (a recorder killed mid-write)."""
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    complete = lines[:-1]  # the part after the last newline is incomplete
    objs = []
    for i, raw in enumerate(complete, 1):
        if not raw.strip():
            continue
        try:
            o = json.loads(raw)
        except ValueError as e:
            return None, None, "line %d: %s" % (i, e)
        if not isinstance(o, dict) or "type" not in o:
            return None, None, "line %d: not an event" % i
        objs.append(o)
    if not objs or objs[0]["type"] != "session":
        return None, None, "no session header"
    return objs[0], objs[1:], None


def nearest_rank(vals, p):
    vals = sorted(vals)
    if not vals:
        return None
    return vals[max(1, math.ceil(p / 100 * len(vals))) - 1]


def expected(hdr, events):
    """DESIGN.md "Reports" for a log without drill events: the fault time
    F is the first failed probe of the endpoint the route pointed at."""
    prof = hdr["profile"]
    route_to, fault, old = None, None, None
    for e in events:
        if e["type"] == "route":
            route_to = e["to"]
        elif (e["type"] == "probe" and not e["ok"] and route_to is not None
              and e["endpoint"] == route_to):
            fault, old = e["t"], e["endpoint"]
            break
    phases = {"start": None, "fault": fault, "detected": None,
              "failover": None, "converged": None, "restored": None,
              "end": None}
    if fault is None:
        return phases, None, None
    phases["detected"] = next((e["t"] for e in events
                               if e["type"] == "health" and
                               e["endpoint"] == old and
                               e["to"] == "degraded" and e["t"] >= fault),
                              None)
    change = next((e for e in events if e["type"] == "route" and
                   e["from"] == old and e["to"] != old and
                   e["t"] >= fault), None)
    new = change["to"] if change else None
    resolvers = [r if isinstance(r, str) else r["addr"]
                 for r in prof["dns"]["resolvers"]] \
        if prof["dns"].get("name") else []
    for e in events:
        r = e.get("resolver")
        if e["type"] in ("dns", "converged", "diverged") and \
                r not in resolvers:
            resolvers.append(r)
    conv = {}
    if change:
        for e in events:
            if (e["type"] == "converged" and e["t"] >= change["t"] and
                    e["endpoint"] in (new, None) and
                    e["resolver"] not in conv):
                conv[e["resolver"]] = e["t"]
        # failover is when DNS moved: the first resolver on the new
        # endpoint; only without resolvers the route change stands in.
        phases["failover"] = min(conv.values()) if conv else \
            (None if resolvers else change["t"])
    all_conv = bool(resolvers) and all(r in conv for r in resolvers)
    if all_conv:
        phases["converged"] = max(conv.values())
    public = [e for e in events
              if e["type"] == "probe" and e.get("via") == "public"]
    if public:
        health = {}
        for e in events:
            if e["type"] == "health":
                health.setdefault(e["endpoint"], []).append(e)

        def unhealthy(ep, t):
            st = [h["to"] for h in health.get(ep, []) if h["t"] <= t]
            return bool(st) and st[-1] in ("degraded", "disabled")
        phases["restored"] = next(
            (e["t"] for e in public if e["t"] >= fault and e["ok"] and
             e.get("served_by") not in (None, old) and
             not unhealthy(e["served_by"], e["t"])), None)
    elif phases["converged"] is not None and phases["failover"] is not None:
        ok = next((e["t"] for e in events
                   if e["type"] == "probe" and e["endpoint"] == new and
                   e["ok"] and e["t"] >= phases["failover"]), None)
        if ok is not None:
            phases["restored"] = max(ok, phases["converged"])

    def since(t):
        return None if t is None else t - fault
    ep = next(x for x in prof["endpoints"] if x["name"] == old)
    mon = ep["monitor"]
    bound = (mon["interval"] * (mon["tolerated_failures"] + 1) +
             mon["timeout"] + prof["dns"]["ttl"])
    m = {"detect_s": since(phases["detected"]),
         "failover_s": since(phases["failover"]),
         "restored_s": since(phases["restored"]),
         "rto_s": since(phases["restored"]),
         "rto_target": prof["drill"]["rto_target"]}
    if m["rto_s"] is None and not resolvers and not public:
        m["rto_met"] = None
    else:
        m["rto_met"] = m["rto_s"] is not None and \
            m["rto_s"] <= m["rto_target"]
    m["converged_s"] = {r: since(conv.get(r)) for r in resolvers}
    m["converged_s"]["all"] = since(phases["converged"])
    m["bound_s"] = bound
    if not resolvers:
        m["bound_exceeded"] = None
    elif m["converged_s"]["all"] is not None:
        m["bound_exceeded"] = m["converged_s"]["all"] > bound
    else:
        m["bound_exceeded"] = events[-1]["t"] - fault > bound or None
    eps = {}
    for e in events:
        if e["type"] != "probe":
            continue
        s = eps.setdefault(e["endpoint"], {"probes": 0, "ok": 0,
                                           "failures": {}, "lat": []})
        s["probes"] += 1
        if e["ok"]:
            s["ok"] += 1
        else:
            s["failures"][e["error"]] = s["failures"].get(e["error"], 0) + 1
        if e["ms"]["total"] is not None:
            s["lat"].append(e["ms"]["total"])
    for s in eps.values():
        s["p50_ms"] = nearest_rank(s["lat"], 50)
        s["p95_ms"] = nearest_rank(s["lat"], 95)
        s["availability"] = s["ok"] / s["probes"]
        del s["lat"]
    return phases, m, eps


def close(a, b, eps):
    """Equal structures, numbers within eps."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], eps)
                                            for k in a)
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= eps
    return a == b


def record_drill(d, profile, control):
    """The headless drill; returns the log path, or None."""
    log = os.path.join(d, "drill.jsonl")
    w = Watch(profile, ["--record", log])
    first = w.wait(10 + SLACK, lambda e: e.get("type") == "route")
    check("drill: a first route to eu20", first and first[0]["to"] == "eu20",
          first)
    # A few healthy probes of each region before the fault.
    drtest.wait_for(lambda: len(w.events(type="probe", ok=True)) >= 6,
                    INTERVAL * 6 + SLACK)
    st, _ = drtest.sim_fault(control, "eu20", "status 500")
    check("drill: the fault is switched on through the control API",
          st == 200, st)
    away = w.wait(BOUND + SLACK, lambda e: e.get("type") == "route" and
                  e["from"] == "eu20" and e["to"] == "us21")
    check("drill: the route changes to us21", away, w.events(type="route"))
    conv = w.wait(TTL + DNS_INTERVAL * 4 + SLACK,
                  lambda e: e.get("type") == "converged" and
                  e["endpoint"] == "us21")
    check("drill: the simulated DNS converges on us21", conv)
    if conv:
        # restored needs us21's first success after DNS moved
        w.wait(INTERVAL * 2 + SLACK, lambda e: e.get("type") == "probe" and
               e["endpoint"] == "us21" and e["ok"] and
               e["t"] >= conv[0]["t"])
    rc = drtest.stop(w.p, signal.SIGINT)
    w.t.join(5)
    check("drill: watch --record exits 0 on SIGINT", rc == 0,
          (rc, w.p.stderr.read()))
    return log if away and conv else None


def report_checks(d, log):
    hdr, events, err = read_log(log)
    check("log: every line parses, the first is the session header",
          err is None, err)
    if err:
        return
    check("log: the recorded profile carries the service",
          hdr["profile"]["service"] == "drill-test")
    phases, metrics, eps = expected(hdr, events)
    check("independent: the drill has a fault, detection, failover, "
          "convergence and restoration",
          None not in (phases["fault"], phases["detected"],
                       phases["failover"], phases["converged"],
                       phases["restored"]), phases)
    r = drtest.run([drtest.DRTOP, "report", "--format", "json", log])
    check("report json: exit 0", r.returncode == 0, r.stderr)
    rep = json.loads(r.stdout) if r.returncode == 0 else {}
    check("report json: service and rto_target",
          rep.get("service") == "drill-test" and
          rep.get("rto_target") == RTO_TARGET, rep.get("service"))
    check("report json: phases equal the independent computation",
          close(rep.get("phases"), phases, 1e-6), (rep.get("phases"), phases))
    check("report json: detect_s, failover_s, converged_s (per resolver "
          "and all), restored_s, rto equal the independent computation",
          close(rep.get("metrics"), metrics, 1e-6),
          (rep.get("metrics"), metrics))
    got = {k: {f: v.get(f) for f in ("probes", "ok", "failures", "p50_ms",
                                     "p95_ms", "availability")}
           for k, v in rep.get("endpoints", {}).items()}
    # latencies: the report keeps microseconds
    check("report json: per-endpoint probes, failures, p50/p95, "
          "availability equal the independent computation",
          close(got, eps, 1e-3), (got, eps))
    check("report json: detection within the profile's bound",
          metrics and metrics["detect_s"] is not None and
          0 <= metrics["detect_s"] <= BOUND + SLACK, metrics)

    out = os.path.join(d, "drill.html")
    r = drtest.run([drtest.DRTOP, "report", "--format", "html", "-o", out,
                    log])
    try:
        root = ET.parse(out).getroot()
        svgs = list(root.iter("{http://www.w3.org/2000/svg}svg"))
        check("report html: well-formed XML with exactly one <svg>",
              r.returncode == 0 and len(svgs) == 1, (r.returncode, len(svgs)))
    except (ET.ParseError, OSError) as e:
        check("report html: well-formed XML with exactly one <svg>", False, e)

    # Reader rules on a copy of the drill log.
    with open(log) as f:
        lines = f.read().splitlines()
    trunc = os.path.join(d, "trunc.jsonl")
    with open(trunc, "w") as f:
        f.write("\n".join(lines) + "\n" + '{"t":999,"type":"probe","endp')
    r = drtest.run([drtest.DRTOP, "report", "--format", "json", trunc])
    check("truncated last line: report exits 0 with a warning naming it",
          r.returncode == 0 and
          "trunc.jsonl:%d:" % (len(lines) + 1) in r.stderr and
          json.loads(r.stdout)["metrics"] == rep.get("metrics"), r.stderr)
    bad_at = min(7, len(lines))
    garbage = os.path.join(d, "garbage.jsonl")
    with open(garbage, "w") as f:
        f.write("\n".join(lines[:bad_at - 1] + ["this is { not json"] +
                          lines[bad_at - 1:]) + "\n")
    r = drtest.run([drtest.DRTOP, "report", "--format", "json", garbage])
    check("garbage in the middle: report exits 2 naming line %d" % bad_at,
          r.returncode == 2 and "garbage.jsonl:%d:" % bad_at in r.stderr,
          (r.returncode, r.stderr))
    # The recorder's log passed the reader's name rules above (every
    # endpoint and resolver it names is the header profile's); a line
    # naming another is an error naming it, and no report is written.
    stranger = os.path.join(d, "stranger.jsonl")
    with open(stranger, "w") as f:
        f.write("\n".join(lines[:bad_at - 1] + [json.dumps(
            {"t": 1, "type": "health", "endpoint": "zz99", "from": "online",
             "to": "degraded", "reason": "forged"})] + lines[bad_at - 1:]) +
            "\n")
    out = os.path.join(d, "stranger.md")
    r = drtest.run([drtest.DRTOP, "report", "-o", out, stranger])
    check("an endpoint not in the profile: report exits 2 naming the line",
          r.returncode == 2 and r.stderr == "%s:%d: endpoint \"zz99\" is "
          "not in the session's profile\n" % (stranger, bad_at) and
          not os.path.exists(out), (r.returncode, r.stderr))
    r = drtest.run([drtest.DRTOP, "replay", "--check", stranger])
    check("an endpoint not in the profile: replay --check exits 2 naming "
          "the line", r.returncode == 2 and r.stdout == "" and
          r.stderr == "drtop replay: %s:%d: endpoint \"zz99\" is not in "
          "the session's profile\n" % (stranger, bad_at),
          (r.returncode, r.stderr))
    return trunc, garbage


def replay_checks(log, trunc, garbage):
    if not os.path.exists(drtest.DRTOP):
        return
    r = drtest.run([drtest.DRTOP, "replay", "--check", log])
    lines = r.stdout.splitlines()
    last = json.loads(lines[-1]) if lines else {}
    check("replay --check: exit 0, the re-derived events equal the "
          "recorded ones", r.returncode == 0 and
          last.get("type") == "replay_check" and last.get("equal") is True and
          last.get("mismatches") == 0 and last.get("recorded", 0) > 0,
          (r.returncode, last, r.stderr))
    _, events, _ = read_log(log)
    rec = [e for e in events if e["type"] in ("health", "route")]
    got = [json.loads(ln) for ln in lines[:-1]]
    check("replay --check: prints the re-derived health/route events, "
          "equal to the recorded ones", got == rec, (len(got), len(rec)))
    r = drtest.run([drtest.DRTOP, "replay", "--check", "--set",
                    "monitor.tolerated_failures=0", log])
    lines = r.stdout.splitlines()
    last = json.loads(lines[-1]) if lines else {}
    deg = [json.loads(ln) for ln in lines[:-1]]
    deg = [e for e in deg if e.get("type") == "health" and
           e.get("endpoint") == "eu20" and e.get("to") == "degraded"]
    rec_deg = [e for e in rec if e["type"] == "health" and
               e["endpoint"] == "eu20" and e["to"] == "degraded"]
    check("replay --check --set tolerated_failures=0: exit 1, the what-if "
          "detects earlier than the recording",
          r.returncode == 1 and last.get("equal") is False and deg and
          rec_deg and deg[0]["t"] < rec_deg[0]["t"],
          (r.returncode, last, deg[:1], rec_deg[:1]))
    r = drtest.run([drtest.DRTOP, "replay", "--check", trunc])
    check("replay --check: a truncated last line is tolerated",
          r.returncode == 0 and "warning" in r.stderr, (r.returncode,
                                                        r.stderr))
    r = drtest.run([drtest.DRTOP, "replay", "--check", garbage])
    check("replay --check: garbage in the middle exits 2 with its line",
          r.returncode == 2 and "garbage.jsonl:7:" in r.stderr,
          (r.returncode, r.stderr))
    for args, what in [(["--check"], "no log"),
                       (["--check", "--speed", "100", log], "speed 100"),
                       (["--check", "--set", "monitor.bogus=1", log],
                        "an unknown --set key"),
                       (["--check", "--bogus", log], "an unknown option"),
                       (["--check", log + ".missing"], "a missing log")]:
        r = drtest.run([drtest.DRTOP, "replay"] + args)
        check("replay with %s exits 2" % what, r.returncode == 2 and
              r.stderr, (r.returncode, r.stderr))


def kill_nine(d, profile, control):
    """kill -9 the recorder at random moments, bounded."""
    rnd = random.Random(int.from_bytes(os.urandom(4), "little"))
    drtest.sim_fault(control, "eu20", "flap")  # keep health and routes busy
    bad = []
    for i in range(10):
        log = os.path.join(d, "killed%d.jsonl" % i)
        p = drtest.spawn([drtest.DRTOP, "watch", "--json", "--record", log,
                          profile], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)

        def has_header():
            try:
                with open(log, "rb") as f:
                    return b"\n" in f.read(65536)
            except OSError:
                return False
        started = drtest.wait_for(has_header, 10)
        delay = rnd.uniform(0, 2.0)
        drtest.wait_for(lambda: p.poll() is not None, delay)
        drtest.stop(p, signal.SIGKILL)
        if not started:
            bad.append((i, "no header written"))
            continue
        _, events, err = read_log(log)
        if err:
            bad.append((i, delay, err))
            continue
        r = drtest.run([drtest.DRTOP, "report", "--format", "json", log])
        if r.returncode != 0:
            bad.append((i, delay, r.returncode, r.stderr))
    drtest.sim_fault(control, "eu20", "ok")
    check("kill -9 at 10 random moments: every complete line parses and "
          "the report exits 0", not bad, bad)


def main():
    d = drtest.tmpdir()
    sim, regions, control = drtest.sim_start(
        ["--regions", "eu20,us21", "--control", "0", "--base-port", "0",
         "--ttl", str(TTL)])
    if not check("sim started with DNS", len(regions) == 2 and
                 getattr(sim, "dns_addr", None)):
        drtest.done()
    profile = make_profile(d, regions, sim.dns_addr)
    log = record_drill(d, profile, control)
    drtest.sim_fault(control, "eu20", "ok")
    if log:
        res = report_checks(d, log)
        if res:
            replay_checks(log, *res)
    kill_nine(d, profile, control)
    drtest.done()


if __name__ == "__main__":
    main()
