"""drtop report on hand-written drill logs: metrics equal an independent
computation from DESIGN.md "Reports"; Markdown carries them; HTML parses
as XML with exactly one SVG; the reader rules and exit codes."""
import json
import math
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from drtest import DRTOP, check, done, run, tmpdir  # noqa: E402

PROFILE = {
    "service": "cpi-prod",
    "dns": {"name": "cpi.example.com", "ttl": 60,
            "resolvers": ["127.0.0.1:5353", "system"]},
    "endpoints": [{"name": "eu20", "target": "http://127.0.0.1:1/"},
                  {"name": "us21", "target": "http://127.0.0.1:2/"}],
    "drill": {"rto_target": 45, "dir": "drills"},
}


def probe(t, ep, ok, total, error=None):
    return {"t": t, "type": "probe", "endpoint": ep, "ok": ok,
            "status": 200 if ok else (500 if error == "status" else None),
            "error": None if ok else error,
            "ms": {"dns": 0.5, "connect": 1.0, "tls": None, "ttfb": total,
                   "total": total},
            "served_by": ep}


def build_events():
    ev = [{"t": 0.25, "type": "drill", "phase": "start",
           "note": "Q4 failover drill"}]
    t = 1.0
    ev.append({"t": 0.9, "type": "route", "from": None, "to": "eu20",
               "cause": "auto"})
    # steady state: both healthy
    for i in range(20):
        ev.append(probe(t, "eu20", True, 20 + i % 7))
        ev.append(probe(t + 0.1, "us21", True, 30 + i % 5))
        t += 1.0
    ev.append({"t": 21.3, "type": "drill", "phase": "fault",
               "note": "iFlow health returns 500"})
    t = 21.5
    for i in range(4):
        ev.append(probe(t, "eu20", False, 15.5 + i, "status"))
        ev.append(probe(t + 0.1, "us21", True, 33.25))
        t += 1.0
    det = t - 1.0  # the fourth failure
    ev.append({"t": det, "type": "health", "endpoint": "eu20",
               "from": "online", "to": "degraded",
               "reason": "4 consecutive failures (last: status 500)"})
    ev.append({"t": det, "type": "route", "from": "eu20", "to": "us21",
               "cause": "auto"})
    ev.append({"t": det + 0.2, "type": "futuristic", "what": "ignored"})
    ev.append({"t": det + 0.3, "type": "action", "name": "failover",
               "from": "eu20", "to": "us21", "by": "operator",
               "phase": "started"})
    ev.append({"t": det + 2.05, "type": "action", "name": "failover",
               "from": "eu20", "to": "us21", "by": "operator",
               "phase": "finished", "exit": 0})
    for i in range(10):
        ev.append(probe(t, "eu20", False, 5000, "timeout"))
        ev.append(probe(t + 0.37, "us21", True, 31 + i))
        if i == 3:
            ev.append({"t": t + 0.5, "type": "converged",
                       "resolver": "127.0.0.1:5353", "endpoint": "us21",
                       "after": 1})
        if i == 7:
            ev.append({"t": t + 0.6, "type": "converged",
                       "resolver": "system", "endpoint": "us21",
                       "after": 1, "extra_field": [1, 2]})
        t += 1.0
    ev.append({"t": t, "type": "marker", "note": "Postman <call> & served by us21"})
    ev.append({"t": t + 1, "type": "drill", "phase": "end", "note": None})
    return ev


def session_line():
    return json.dumps({"type": "session", "v": 1, "version": "0.1.0",
                       "started": "2026-11-21T08:00:00.000Z", "mode": "live",
                       "profile": PROFILE})


def nearest_rank(vals, p):
    vals = sorted(vals)
    if not vals:
        return None
    return vals[max(1, math.ceil(p / 100 * len(vals))) - 1]


def expected(events):
    """DESIGN.md "Reports", computed independently."""
    phases = {}
    for e in events:
        if e["type"] == "drill" and e["phase"] not in phases:
            phases[e["phase"]] = e["t"]
    fault = phases["fault"]
    route_to = None
    for e in events:
        if e["t"] > fault:
            break
        if e["type"] == "route":
            route_to = e["to"]
    old = route_to
    detected = next(e["t"] for e in events if e["type"] == "health" and
                    e["endpoint"] == old and e["to"] == "degraded" and
                    e["t"] >= fault)
    change = next(e for e in events if e["type"] == "route" and
                  e["from"] == old and e["t"] >= fault)
    new = change["to"]
    conv = {}
    for e in events:
        if (e["type"] == "converged" and e["t"] >= change["t"] and
                e["resolver"] not in conv):
            conv[e["resolver"]] = e["t"]
    resolvers = PROFILE["dns"]["resolvers"]
    restored = next(e["t"] for e in events if e["type"] == "probe" and
                    e["endpoint"] == new and e["ok"] and
                    e["t"] >= change["t"])
    m = {"detect_s": detected - fault, "failover_s": change["t"] - fault,
         "restored_s": restored - fault, "rto_s": restored - fault,
         "rto_target": PROFILE["drill"]["rto_target"]}
    m["rto_met"] = m["rto_s"] <= m["rto_target"]
    m["converged_s"] = {r: conv[r] - fault for r in resolvers}
    m["converged_s"]["all"] = max(conv.values()) - fault
    lo, hi = phases["start"], phases["end"]
    eps = {}
    for e in events:
        if e["type"] != "probe" or not (lo <= e["t"] <= hi):
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
    phases.update({"detected": detected, "failover": change["t"],
                   "converged": max(conv.values()), "restored": restored})
    return phases, m, eps


def write_log(d, name, lines, end="\n", tail=""):
    path = os.path.join(d, name)
    with open(path, "w", newline="") as f:
        f.write(end.join(lines) + end + tail)
    return path


def main():
    d = tmpdir()
    events = build_events()
    lines = [session_line()] + [json.dumps(e) for e in events]
    log = write_log(d, "q4.jsonl", lines)
    phases, metrics, eps = expected([e for e in events
                                     if e["type"] != "futuristic"])

    r = run([DRTOP, "report", "--format", "json", log])
    check("json: exit 0", r.returncode == 0, r.stderr)
    rep = json.loads(r.stdout) if r.returncode == 0 else {}
    check("json: drill name from the start phase's note",
          rep.get("drill") == "Q4 failover drill", rep.get("drill"))
    check("json: service and started", rep.get("service") == "cpi-prod" and
          rep.get("started") == "2026-11-21T08:00:00.000Z")
    check("json: rto_target from the profile", rep.get("rto_target") == 45)
    check("json: phases equal the independent computation",
          rep.get("phases") == phases, (rep.get("phases"), phases))
    check("json: metrics equal the independent computation",
          rep.get("metrics") == metrics, (rep.get("metrics"), metrics))
    got_eps = {k: {f: v[f] for f in ("probes", "ok", "failures", "p50_ms",
                                     "p95_ms", "availability")}
               for k, v in rep.get("endpoints", {}).items()}
    check("json: endpoint statistics equal the independent computation",
          got_eps == eps, (got_eps, eps))
    acts = rep.get("actions", [])
    check("json: the finished action with exit status and duration",
          len(acts) == 1 and acts[0]["exit"] == 0 and
          acts[0]["by"] == "operator" and acts[0]["from"] == "eu20" and
          abs(acts[0]["duration_s"] - 1.75) < 1e-9, acts)
    check("json: markers", [m["note"] for m in rep.get("markers", [])] ==
          ["Postman <call> & served by us21"])
    check("json: unknown type skipped and counted",
          rep.get("log", {}).get("skipped_unknown") == 1)

    # The same log with CRLF line ends reads the same.
    crlf = write_log(d, "crlf.jsonl", lines, end="\r\n")
    r2 = run([DRTOP, "report", "--format", "json", crlf])
    check("crlf: same phases and metrics", r2.returncode == 0 and
          json.loads(r2.stdout)["metrics"] == rep.get("metrics"), r2.stderr)

    r = run([DRTOP, "report", log])
    md = r.stdout
    check("md: exit 0 and a title", r.returncode == 0 and
          md.startswith("# Drill report: Q4 failover drill"), r.stderr)
    for key in ("detect_s", "failover_s", "restored_s", "rto_s"):
        check("md: carries %s" % key, "%.3f" % metrics[key] in md)
    check("md: carries per-resolver convergence",
          all("%.3f" % v in md for v in metrics["converged_s"].values()))
    check("md: endpoint table row", "| us21 | %d |" % eps["us21"]["probes"]
          in md)
    check("md: RTO verdict", "**met**" in md)

    out = os.path.join(d, "report.html")
    r = run([DRTOP, "report", "--format", "html", "-o", out, log])
    check("html: exit 0, nothing on stdout", r.returncode == 0 and
          r.stdout == "", r.stderr)
    try:
        root = ET.parse(out).getroot()
        svgs = list(root.iter("{http://www.w3.org/2000/svg}svg"))
        check("html: well-formed XML with exactly one svg", len(svgs) == 1)
        texts = " ".join(t.text or "" for t in
                         svgs[0].iter("{http://www.w3.org/2000/svg}text"))
        check("html: timeline labels the phases",
              all(p in texts for p in ("fault", "detected", "restored")),
              texts[:200])
        check("html: a strip per endpoint", "eu20" in texts and
              "us21" in texts)
        body = open(out).read()
        check("html: self-contained", "<script" not in body and
              "<link" not in body and "src=" not in body)
    except ET.ParseError as e:
        check("html: well-formed XML with exactly one svg", False, e)

    # Reader rules and exit codes.
    trunc = write_log(d, "trunc.jsonl", lines, tail='{"t":99,"type":"pro')
    r = run([DRTOP, "report", "--format", "json", trunc])
    check("truncated last line: exit 0 with a warning",
          r.returncode == 0 and "warning" in r.stderr and
          "trunc.jsonl:%d:" % (len(lines) + 1) in r.stderr, r.stderr)
    check("truncated last line: report unchanged", r.returncode == 0 and
          json.loads(r.stdout)["metrics"] == rep.get("metrics"))

    bad = lines[:4] + ["{this is not json"] + lines[4:]
    garbage = write_log(d, "garbage.jsonl", bad)
    r = run([DRTOP, "report", garbage])
    check("garbage in the middle: exit 2 with LOG:5:",
          r.returncode == 2 and garbage + ":5:" in r.stderr, r.stderr)
    notype = write_log(d, "notype.jsonl", lines[:3] + ['{"t": 5}'] + lines[3:])
    r = run([DRTOP, "report", notype])
    check("object without a type: exit 2 with LOG:4:",
          r.returncode == 2 and notype + ":4:" in r.stderr, r.stderr)
    nohdr = write_log(d, "nohdr.jsonl", lines[1:])
    r = run([DRTOP, "report", nohdr])
    check("first line not a session: exit 2 with LOG:1:",
          r.returncode == 2 and nohdr + ":1:" in r.stderr, r.stderr)
    missing = os.path.join(d, "nope.jsonl")
    r = run([DRTOP, "report", missing])
    check("missing file: exit 2 naming it",
          r.returncode == 2 and missing in r.stderr, r.stderr)
    for args, why in (([], "no LOG"), (["--format", "pdf", log], "bad format"),
                      ([log, log], "two LOGs"), (["--bogus", log], "option"),
                      (["--format"], "missing value")):
        r = run([DRTOP, "report"] + args)
        check("bad usage (%s): exit 2" % why, r.returncode == 2 and
              "usage" in r.stderr, r.stderr)
    # What-if: the engine re-run with tolerated_failures=0 fails over on
    # the first failed probe after the fault (one probe instead of four).
    r = run([DRTOP, "report", "--format", "json", "--set",
             "monitor.tolerated_failures=0", log])
    w = json.loads(r.stdout).get("whatif", {}) if r.returncode == 0 else {}
    first_fail = next(e["t"] for e in events if e["type"] == "probe" and
                      e["endpoint"] == "eu20" and not e["ok"] and
                      e["t"] >= phases["fault"])
    first_ok = next(e["t"] for e in events if e["type"] == "probe" and
                    e["endpoint"] == "us21" and e["ok"] and
                    e["t"] >= first_fail)
    check("what-if: exit 0 and the settings echoed", r.returncode == 0 and
          w.get("set") == ["monitor.tolerated_failures=0"], r.stderr)
    wm = w.get("metrics", {})
    check("what-if: detection on the first failed probe",
          wm.get("detect_s") == first_fail - phases["fault"] and
          wm.get("failover_s") == first_fail - phases["fault"], wm)
    check("what-if: restored by the next probe of the new endpoint",
          wm.get("rto_s") == first_ok - phases["fault"], wm)
    check("what-if: the engine's route change",
          {"t": first_fail, "from": "eu20", "to": "us21", "cause": "auto"}
          in w.get("routes", []), w.get("routes"))
    check("what-if: recorded metrics unchanged next to it",
          json.loads(r.stdout).get("metrics") == metrics)
    r = run([DRTOP, "report", "--set", "monitor.tolerated_failures=0", log])
    check("what-if: markdown shows both columns", r.returncode == 0 and
          "| Metric | Recorded (s) | What-if (s) |" in r.stdout and
          "%.3f" % (first_fail - phases["fault"]) in r.stdout, r.stderr)
    r = run([DRTOP, "report", "--set", "monitor.bogus=1", log])
    check("what-if: a bad key is exit 2 naming it", r.returncode == 2 and
          "monitor.bogus" in r.stderr, r.stderr)
    r = run([DRTOP, "report", "--set", "novalue", log])
    check("what-if: --set without = is bad usage", r.returncode == 2 and
          "usage" in r.stderr, r.stderr)

    # Without a profile target or drill phases: nulls, name from the file.
    plain = [json.dumps({"type": "session", "v": 1, "started": "x",
                         "profile": {"service": "s"}}),
             json.dumps({"t": 1, "type": "route", "from": None, "to": "a",
                         "cause": "auto"}),
             json.dumps(probe(2, "a", True, 10))]
    p = write_log(d, "plain-run.jsonl", plain)
    r = run([DRTOP, "report", "--format", "json", p])
    rep = json.loads(r.stdout) if r.returncode == 0 else {}
    check("quiet log: name from the file, null phases and metrics",
          rep.get("drill") == "plain-run.jsonl" and
          all(v is None for v in rep.get("phases", {"x": 1}).values()) and
          rep.get("metrics", {}).get("detect_s", 0) is None and
          rep.get("metrics", {}).get("rto_met", 0) is None and
          rep.get("metrics", {}).get("converged_s") == {"all": None},
          r.stdout[:300])
    done()


main()
