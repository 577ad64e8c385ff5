"""drtop report on hand-written drill logs: phases and metrics equal an
independent computation of the report's definitions (failover = DNS
moved, restored from observations, every time from the drill's start);
Markdown and HTML carry the same numbers as the JSON; a log with
client's-eye probes and a diverged resolver, and one without resolvers
(failover expected, not observed); HTML parses as XML with exactly one
SVG; the reader rules and exit codes."""
import json
import math
import os
import resource
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from drtest import DRTOP, check, done, run, tmpdir  # noqa: E402

PROFILE = {
    "service": "cpi-prod",
    "dns": {"name": "cpi.example.com", "ttl": 60,
            "resolvers": ["127.0.0.1:5353", "system"]},
    "monitor": {"interval": 1, "timeout": 0.5, "tolerated_failures": 3},
    "endpoints": [{"name": "eu20", "target": "http://127.0.0.1:1/"},
                  {"name": "us21", "target": "http://127.0.0.1:2/"}],
    "drill": {"rto_target": 45, "dir": "drills"},
}
# What `drtop check` prints as eu20's worst case: detection
# (interval x (tolerated + 1) + timeout) plus the record's TTL.
BOUND = 1 * (3 + 1) + 0.5 + 60


def probe(t, ep, ok, total, error=None):
    return {"t": t, "type": "probe", "endpoint": ep, "ok": ok,
            "status": 200 if ok else (500 if error == "status" else None),
            "error": None if ok else error,
            "ms": {"dns": 0.5, "connect": 1.0, "tls": None, "ttfb": total,
                   "total": total},
            "served_by": ep}


def dns(t, resolver, ep):
    return {"t": t, "type": "dns", "resolver": resolver,
            "name": "cpi.example.com", "rcode": "NOERROR",
            "answers": ["10.0.0.%d" % (1 if ep == "eu20" else 2)],
            "endpoint": ep, "ttl": 60, "ms": 1.5}


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
        ev.append(dns(t + 0.5, "127.0.0.1:5353", "eu20"))
        ev.append(dns(t + 0.6, "system", "eu20"))
        t += 1.0
    ev.append({"t": 21.3, "type": "drill", "phase": "fault",
               "note": "iFlow health returns 500"})
    t = 21.5
    for i in range(4):
        ev.append(probe(t, "eu20", False, 15.5 + i, "status"))
        ev.append(probe(t + 0.1, "us21", True, 33.25))
        ev.append(dns(t + 0.5, "127.0.0.1:5353", "eu20"))
        ev.append(dns(t + 0.6, "system", "eu20"))
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
        # each resolver answers us21 from its convergence on
        ev.append(dns(t + 0.5, "127.0.0.1:5353", "us21" if i >= 3 else "eu20"))
        ev.append(dns(t + 0.6, "system", "us21" if i >= 7 else "eu20"))
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


def session_line(profile=PROFILE):
    return json.dumps({"type": "session", "v": 1, "version": "0.1.0",
                       "started": "2026-11-21T08:00:00.000Z", "mode": "live",
                       "profile": profile})


def nearest_rank(vals, p):
    vals = sorted(vals)
    if not vals:
        return None
    return vals[max(1, math.ceil(p / 100 * len(vals))) - 1]


def expected(events, profile=PROFILE, bound=BOUND):
    """The report's definitions, computed independently: phases from the
    drill's start, metrics from the fault."""
    phases = {}
    for e in events:
        if e["type"] == "drill" and e["phase"] not in phases:
            phases[e["phase"]] = e["t"]
    t0 = phases.get("start", 0)
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
    resolvers = profile.get("dns", {}).get("resolvers", [])
    conv = {}
    for e in events:
        if (e["type"] == "converged" and e["t"] >= change["t"] and
                e["endpoint"] == new and e["resolver"] not in conv):
            conv[e["resolver"]] = e["t"]
    # failover: DNS moved (the first resolver on new); without resolvers
    # the route change stands in, expected, not observed
    failover = min(conv.values()) if resolvers else change["t"]
    converged = (max(conv.values()) if resolvers and
                 all(r in conv for r in resolvers) else None)
    public = [e for e in events if e["type"] == "probe" and
              e.get("via") == "public"]
    health = {}

    def healthy(ep, t):
        st = None
        for e in events:
            if e["type"] == "health" and e["endpoint"] == ep and e["t"] <= t:
                st = e["to"]
        return st not in ("degraded", "disabled")
    if public:
        restored_by = "public"
        restored = next((e["t"] for e in public if e["t"] >= fault and
                         e["ok"] and e["served_by"] not in (None, old) and
                         healthy(e["served_by"], e["t"])), None)
    else:
        restored_by = "converged"
        first_ok = next((e["t"] for e in events if e["type"] == "probe" and
                         e["endpoint"] == new and e["ok"] and
                         e["t"] >= failover), None)
        restored = (max(converged, first_ok) if converged is not None and
                    first_ok is not None else None)
    if restored is None:
        restored_by = None

    def since(x):
        return None if x is None else x - fault
    m = {"detect_s": detected - fault, "failover_s": failover - fault,
         "restored_s": since(restored), "rto_s": since(restored),
         "rto_target": profile["drill"]["rto_target"]}
    m["rto_met"] = m["rto_s"] is not None and m["rto_s"] <= m["rto_target"]
    if m["rto_s"] is None and not resolvers and not any(
            e["type"] == "probe" and e.get("via") == "public"
            for e in events):
        m["rto_met"] = None  # nothing could observe a restore
    m["converged_s"] = {r: since(conv.get(r)) for r in resolvers}
    m["converged_s"]["all"] = since(converged)
    m["bound_s"] = bound
    if not resolvers:
        m["bound_exceeded"] = None
    elif converged is not None:
        m["bound_exceeded"] = converged - fault > bound
    else:
        m["bound_exceeded"] = (True if events[-1]["t"] - fault > bound
                               else None)
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
    phases.update({"detected": detected, "failover": failover,
                   "converged": converged, "restored": restored})
    rel = {k: (None if v is None else v - t0) for k, v in phases.items()}
    truth = {"t0": t0, "failover_observed": bool(resolvers),
             "route_change": change["t"] - t0, "restored_by": restored_by}
    return rel, m, eps, truth


def s3(v):
    return "—" if v is None else "%.3f" % v


def md_tables(md):
    """{title: [row cells...]} of a Markdown report (escapes undone)."""
    out, title = {}, None
    for line in md.splitlines():
        if line.startswith("## "):
            title = line[3:]
            out[title] = []
        elif title and line.startswith("|") and not line.startswith("|---"):
            cells, cur, i = [], "", 1
            while i < len(line):
                c = line[i]
                if c == "\\":
                    cur += line[i + 1]
                    i += 2
                    continue
                if c == "|":
                    cells.append(cur.strip())
                    cur = ""
                else:
                    cur += c
                i += 1
            out[title].append(cells)
    return out


def html_tables(path):
    """{title: [row cells...]} of an HTML report, as md_tables."""
    ns = "{http://www.w3.org/1999/xhtml}"
    body = ET.parse(path).getroot().find(ns + "body")
    out, title = {}, None
    for el in body:
        if el.tag == ns + "h2" and el.text != "Timeline":
            title = el.text
            out[title] = []
        elif el.tag == ns + "table" and title:
            for tr in el.iter(ns + "tr"):
                out[title].append(["".join(td.itertext()).strip()
                                   for td in tr])
    return out


def check_agree(tag, rep, md, html_path):
    """md and html carry the JSON's numbers: every phase (from start,
    session t), every metric; both have the same tables."""
    mt, ht = md_tables(md), html_tables(html_path)
    check(tag + ": md and html have the same tables", mt == ht,
          (sorted(mt), sorted(ht)))
    rows = {r[0]: r for r in mt.get("Phases", [])[1:]}
    ok = True
    for name, v in rep["phases"].items():
        want = [s3(v), s3(None if v is None else v + rep["t0"])]
        if rows.get(name, [None] * 3)[1:3] != want:
            ok = False
    check(tag + ": md phases from start and session t equal the json's",
          ok, (rows, rep["phases"]))
    exp = rows.get("failover", ["", "", "", "", ""])[4]
    check(tag + ": failover source says expected exactly when not observed",
          ("expected, not observed" in exp) ==
          (not rep["failover_observed"] and rep["phases"]["failover"]
           is not None), exp)
    metr = {r[0]: r[1] for r in mt.get("Metrics", [])[1:]}
    m = rep["metrics"]
    want = {"detect_s (fault → detected)": s3(m["detect_s"]),
            "converged_s, all resolvers": s3(m["converged_s"]["all"]),
            "restored_s (fault → restored)": s3(m["restored_s"]),
            "rto_s": s3(m["rto_s"]),
            "bound_s (drtop check's worst case)": s3(m["bound_s"])}
    fo = ("failover_s (fault → DNS moved)" if rep["failover_observed"] else
          "failover_s (fault → route change; expected, not observed)")
    want[fo] = s3(m["failover_s"])
    names = rep.get("resolver_names", {})
    for r, v in m["converged_s"].items():
        if r != "all":
            want["converged_s, resolver " + names.get(r, r)] = s3(v)
    got = {k: metr.get(k) for k in want}
    check(tag + ": md metrics equal the json's", got == want, (got, want))
    dv = [[d["name"] or d["resolver"], s3(d["t"]), s3(d["t"] + rep["t0"]),
           d["endpoint"], d["expected"]] for d in rep["diverged"]]
    check(tag + ": md diverged resolvers equal the json's",
          mt.get("Diverged resolvers", [[]])[1:] == dv,
          (mt.get("Diverged resolvers"), dv))


def write_log(d, name, lines, end="\n", tail=""):
    path = os.path.join(d, name)
    with open(path, "w", newline="") as f:
        f.write(end.join(lines) + end + tail)
    return path


def truth_logs(d):
    """A log with client's-eye probes and a diverged, named resolver; a
    log without resolvers. Each against the independent computation, and
    md and html against the json."""
    base = [{"t": 0.5, "type": "drill", "phase": "start", "note": "truth"},
            {"t": 1, "type": "route", "from": None, "to": "eu20",
             "cause": "auto"},
            probe(2, "eu20", True, 10),
            {"t": 5, "type": "drill", "phase": "fault", "note": "kill"},
            probe(6, "eu20", False, 10, "status"),
            {"t": 8, "type": "health", "endpoint": "eu20", "from": "online",
             "to": "degraded", "reason": "x"},
            {"t": 8, "type": "route", "from": "eu20", "to": "us21",
             "cause": "auto"},
            probe(9, "us21", True, 12)]

    def pub(t, ok, by):
        e = probe(t, "public", ok, 40, None if ok else "timeout")
        e.update({"via": "public", "served_by": by})
        return e
    ev = base + [
        pub(9.5, True, "eu20"),  # served by the faulted endpoint
        pub(10, True, "us21"),  # restored
        {"t": 11, "type": "converged", "resolver": "127.0.0.1:5353",
         "endpoint": "us21", "after": 3},
        {"t": 12, "type": "diverged", "resolver": "system",
         "resolver_name": "isp", "endpoint": "eu20", "expected": "us21",
         "after": 4},
        {"t": 20, "type": "converged", "resolver": "system",
         "resolver_name": "isp", "endpoint": "us21", "after": 12},
        {"t": 30, "type": "drill", "phase": "end", "note": None}]
    # client's-eye probes are in a log whose profile has `public`
    with_public = dict(PROFILE, public={"url": "http://cpi.example.com/"})
    path = write_log(d, "truth.jsonl",
                     [session_line(with_public)] + [json.dumps(e) for e in ev])
    phases, metrics, _, truth = expected(ev)
    r = run([DRTOP, "report", "--format", "json", path])
    rep = json.loads(r.stdout) if r.returncode == 0 else {}
    check("public: phases, metrics, restored by the client's eye",
          rep.get("phases") == phases and rep.get("metrics") == metrics and
          {k: rep.get(k) for k in truth} == truth and
          truth["restored_by"] == "public",
          (rep.get("phases"), phases, rep.get("metrics"), metrics))
    check("public: the client's-eye statistics beside the endpoints",
          rep.get("public", {}).get("probes") == 2 and
          "public" not in rep.get("endpoints", {}), rep.get("public"))
    check("public: the diverged resolver, its display name",
          rep.get("diverged") == [{"resolver": "system", "name": "isp",
                                   "t": 11.5, "endpoint": "eu20",
                                   "expected": "us21"}] and
          rep.get("resolver_names") == {"system": "isp"}, rep.get("diverged"))
    md = run([DRTOP, "report", path]).stdout
    out = os.path.join(d, "truth.html")
    run([DRTOP, "report", "--format", "html", "-o", out, path])
    check("public: md names the definition and the client's-eye row",
          "by the first client's-eye probe served by another healthy "
          "endpoint" in md and "| public (client's eye) | 2 |" in md, md)
    check_agree("public", rep, md, out)

    nodns = {"service": "cpi-prod", "drill": {"rto_target": 45},
             "monitor": PROFILE["monitor"],
             "endpoints": PROFILE["endpoints"]}
    ev = base + [{"t": 100, "type": "drill", "phase": "end", "note": None}]
    path = write_log(d, "nodns.jsonl", [json.dumps(
        {"type": "session", "v": 1, "started": "x", "profile": nodns})] +
        [json.dumps(e) for e in ev])
    phases, metrics, _, truth = expected(ev, nodns, 1 * 4 + 0.5 + 60)
    r = run([DRTOP, "report", "--format", "json", path])
    rep = json.loads(r.stdout) if r.returncode == 0 else {}
    check("no resolvers: failover is the route change, not observed",
          rep.get("phases") == phases and rep.get("metrics") == metrics and
          rep.get("failover_observed") is False and
          rep["phases"]["failover"] == 8 - 0.5,
          (rep.get("phases"), phases, rep.get("metrics"), metrics))
    check("no resolvers: restored not observable, the bound not judged",
          rep["phases"]["restored"] is None and
          rep["metrics"]["bound_exceeded"] is None, rep.get("metrics"))
    md = run([DRTOP, "report", path]).stdout
    out = os.path.join(d, "nodns.html")
    run([DRTOP, "report", "--format", "html", "-o", out, path])
    body = open(out).read()
    check("no resolvers: md and html say expected, not observed",
          "**expected, not observed**" in md and
          "<strong class=\"na\">expected, not observed</strong>" in body and
          "not observable: the log has no resolver and no client's-eye "
          "probe" in md, md)
    check_agree("no resolvers", rep, md, out)


def refused(d, name, lines, want, raw=None):
    """A log drtop report refuses: exit 2, exactly "LOG:LINE: want" on
    stderr, nothing on stdout, and -o FILE never created."""
    path = os.path.join(d, name)
    if raw is not None:
        with open(path, "wb") as f:
            f.write(raw)
    else:
        write_log(d, name, lines)
    out = os.path.join(d, name + ".md")
    r = run([DRTOP, "report", "-o", out, path])
    check("%s: exit 2, exactly the message, no report" % name,
          r.returncode == 2 and r.stderr == want % path + "\n" and
          r.stdout == "" and not os.path.exists(out),
          (r.returncode, r.stderr, os.path.exists(out)))


def hostile_logs(d, lines):
    """What a log may not hold: each an error naming its line."""
    head = lines[:3]  # session, start, route
    refused(d, "stranger.jsonl",
            head + [json.dumps(probe(2, "x0000001", True, 10))] + lines[3:],
            "%s:4: endpoint \"x0000001\" is not in the session's profile")
    refused(d, "stranger-health.jsonl",
            head + [json.dumps({"t": 2, "type": "health", "endpoint":
                                "\x1b[2J", "from": "online",
                                "to": "degraded"})],
            "%s:4: endpoint \"\\x1b[2J\" is not in the session's profile")
    refused(d, "stranger-resolver.jsonl",
            head + [json.dumps(dns(2, "10.9.9.9", "eu20"))],
            "%s:4: resolver \"10.9.9.9\" is not in the session's profile")
    refused(d, "public-without-section.jsonl",
            head + [json.dumps(dict(probe(2, "public", True, 10),
                                    via="public"))],
            "%s:4: endpoint \"public\" is not in the session's profile")
    refused(d, "negative-t.jsonl",
            head + [json.dumps(probe(-1.5, "eu20", True, 10))],
            "%s:4: field \"t\" is negative (it counts seconds from the "
            "session's start)")
    nul = "\n".join(head).encode() + b'\n{"t":2,"type":"marker","note":"a\x00b"}\n'
    refused(d, "nul-byte.jsonl", None,
            "%s:4: a NUL byte (0x00) at column 33", raw=nul)
    refused(d, "nul-escape.jsonl",
            head + ['{"t":2,"type":"marker","note":"a\\u0000b"}'],
            "%s:4: a NUL character (\\u0000) in a string at column 33")
    # Without a profile: names as they come, up to 4096, then an error.
    nop = [json.dumps({"type": "session", "v": 1, "started": "x",
                       "profile": None})]
    names = [json.dumps(probe(i, "x%07d" % i, True, 10)) for i in range(4097)]
    r = run([DRTOP, "report", "--format", "json",
             write_log(d, "open-4096.jsonl", nop + names[:4096])])
    check("no profile: 4096 endpoint names are a report",
          r.returncode == 0 and
          len(json.loads(r.stdout)["endpoints"]) == 4096, r.stderr[-300:])
    refused(d, "open-4097.jsonl", nop + names,
            "%s:4098: more than 4096 endpoint names, and no profile in the "
            "session header to check them against")


def unwritable(d, log):
    """A report that cannot be written says why, exit 1; -o FILE is left
    as it was and nothing is left beside it."""
    with open("/dev/full", "w") as full:
        r = subprocess.run([DRTOP, "report", log], stdin=subprocess.DEVNULL,
                           stdout=full, stderr=subprocess.PIPE, text=True,
                           timeout=60)
    check("report > /dev/full: exit 1 saying why", r.returncode == 1 and
          r.stderr == "drtop report: writing the report: No space left on "
          "device\n", (r.returncode, r.stderr))
    r = run([DRTOP, "report", "-o", "/dev/full", log])
    check("report -o /dev/full: exit 1 saying why", r.returncode == 1 and
          r.stderr == "drtop report: writing /dev/full: No space left on "
          "device\n" and r.stdout == "", (r.returncode, r.stderr))
    sub = tmpdir()
    out = os.path.join(sub, "report.html")
    with open(out, "w") as f:
        f.write("the report of last week\n")

    def small_disk():
        # A file size limit: the disk fills up as the process sees it.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    r = run([DRTOP, "report", "--format", "html", "-o", out, log],
            preexec_fn=small_disk)
    check("report -o FILE past the disk's room: exit 1 saying why",
          r.returncode == 1 and r.stderr ==
          "drtop report: writing %s: File too large\n" % out,
          (r.returncode, r.stderr))
    check("report -o FILE past the disk's room: FILE as it was, no other",
          open(out).read() == "the report of last week\n" and
          os.listdir(sub) == ["report.html"], os.listdir(sub))
    r = run([DRTOP, "report", "--format", "html", "-o", out, log])
    check("report -o FILE: replaced whole when it fits",
          r.returncode == 0 and open(out).read().startswith("<?xml") and
          os.listdir(sub) == ["report.html"], (r.stderr, os.listdir(sub)))
    missing = os.path.join(sub, "nope", "r.md")
    r = run([DRTOP, "report", "-o", missing, log])
    check("report -o in a missing directory: exit 1 saying why",
          r.returncode == 1 and r.stderr == "drtop report: writing %s: No "
          "such file or directory\n" % missing, r.stderr)


def main():
    d = tmpdir()
    events = build_events()
    lines = [session_line()] + [json.dumps(e) for e in events]
    log = write_log(d, "q4.jsonl", lines)
    phases, metrics, eps, truth = expected(
        [e for e in events if e["type"] != "futuristic"])

    r = run([DRTOP, "report", "--format", "json", log])
    check("json: exit 0", r.returncode == 0, r.stderr)
    rep = json.loads(r.stdout) if r.returncode == 0 else {}
    check("json: drill name from the start phase's note",
          rep.get("drill") == "Q4 failover drill", rep.get("drill"))
    check("json: service and started", rep.get("service") == "cpi-prod" and
          rep.get("started") == "2026-11-21T08:00:00.000Z")
    check("json: rto_target from the profile", rep.get("rto_target") == 45)
    check("json: phases (from the start) equal the independent computation",
          rep.get("phases") == phases, (rep.get("phases"), phases))
    check("json: t0, failover_observed, route_change, restored_by",
          {k: rep.get(k) for k in truth} == truth, (rep, truth))
    check("json: failover is DNS moving, after the route change",
          phases["failover"] > truth["route_change"] and
          phases["detected"] < truth["route_change"] + 1e-9, phases)
    check("json: metrics equal the independent computation",
          rep.get("metrics") == metrics, (rep.get("metrics"), metrics))
    check("json: no client's eye, no diverged resolver, no names",
          rep.get("public", 0) is None and rep.get("diverged") == [] and
          rep.get("resolver_names") == {})
    got_eps = {k: {f: v[f] for f in ("probes", "ok", "failures", "p50_ms",
                                     "p95_ms", "availability")}
               for k, v in rep.get("endpoints", {}).items()}
    check("json: endpoint statistics equal the independent computation",
          got_eps == eps, (got_eps, eps))
    t0 = truth["t0"]
    acts = rep.get("actions", [])
    check("json: the finished action with exit status and duration",
          len(acts) == 1 and acts[0]["exit"] == 0 and
          acts[0]["by"] == "operator" and acts[0]["from"] == "eu20" and
          abs(acts[0]["duration_s"] - 1.75) < 1e-9, acts)
    check("json: routes, actions and markers count from the start",
          rep.get("routes", [{}])[0].get("t") == 0.9 - t0 and
          abs(acts[0]["t"] - (phases["detected"] + t0 + 2.05 - t0)) < 1e-9
          and rep["markers"][0]["t"] == 35.5 - t0,
          (rep.get("routes"), acts, rep.get("markers")))
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
    check("md: the restored definition",
          "by the later of every resolver converging and us21's first "
          "successful probe" in md, md[:1500])
    check("md: the bound", "drtop check bound for eu20: %.3f s — **within "
          "the bound**" % BOUND in md, md[:1500])
    check("md: no needless escapes", "Postman \\<call> & served by us21"
          in md and "\\_" not in md and "\\-" not in md, md[-300:])

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
        ticks = [t.text for t in svgs[0].iter("{http://www.w3.org/2000/svg}text")
                 if t.get("class") == "tick"]
        check("html: the axis starts at the drill's start (0s)",
              ticks[:1] == ["0s"], ticks)
        body = open(out).read()
        check("html: self-contained", "<script" not in body and
              "<link" not in body and "src=" not in body)
        check_agree("q4", rep, md, out)
    except ET.ParseError as e:
        check("html: well-formed XML with exactly one svg", False, e)

    truth_logs(d)

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
    # What-if: the engine re-run with tolerated_failures=0 changes the
    # route on the first failed probe after the fault (one probe instead
    # of four); DNS, replayed from the log's dns answers, moves when it
    # did, so failover, convergence and restore stay as recorded.
    r = run([DRTOP, "report", "--format", "json", "--set",
             "monitor.tolerated_failures=0", log])
    w = json.loads(r.stdout).get("whatif", {}) if r.returncode == 0 else {}
    fault_t = phases["fault"] + t0
    first_fail = next(e["t"] for e in events if e["type"] == "probe" and
                      e["endpoint"] == "eu20" and not e["ok"] and
                      e["t"] >= fault_t)
    check("what-if: exit 0 and the settings echoed", r.returncode == 0 and
          w.get("set") == ["monitor.tolerated_failures=0"], r.stderr)
    wm = w.get("metrics", {})
    check("what-if: detection on the first failed probe",
          wm.get("detect_s") == first_fail - fault_t, wm)
    check("what-if: failover and restore when DNS moved, as recorded",
          wm.get("failover_s") == metrics["failover_s"] and
          wm.get("rto_s") == metrics["rto_s"] and
          wm.get("converged_s") == metrics["converged_s"], wm)
    check("what-if: the engine's route change, from the start",
          {"t": first_fail - t0, "from": "eu20", "to": "us21",
           "cause": "auto"} in w.get("routes", []) and
          w.get("route_change") == first_fail - t0 and
          w.get("failover_observed") is True, w.get("routes"))
    check("what-if: recorded metrics unchanged next to it",
          json.loads(r.stdout).get("metrics") == metrics)
    r = run([DRTOP, "report", "--set", "monitor.tolerated_failures=0", log])
    check("what-if: markdown shows both columns", r.returncode == 0 and
          "| Metric | Recorded (s) | What-if (s) |" in r.stdout and
          "%.3f" % (first_fail - fault_t) in r.stdout, r.stderr)
    r = run([DRTOP, "report", "--set", "monitor.bogus=1", log])
    check("what-if: a bad key is exit 2 naming it", r.returncode == 2 and
          "monitor.bogus" in r.stderr, r.stderr)
    r = run([DRTOP, "report", "--set", "novalue", log])
    check("what-if: --set without = is bad usage", r.returncode == 2 and
          "usage" in r.stderr, r.stderr)

    hostile_logs(d, lines)
    unwritable(d, log)

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
          rep.get("metrics", {}).get("converged_s") == {"all": None} and
          rep.get("t0") == 0 and rep.get("failover_observed") is False and
          rep.get("restored_by", 0) is None,
          r.stdout[:300])
    done()


main()
