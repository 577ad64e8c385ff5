"""Screen tests of the console's truth rule at 80x24: what the title, the
DNS panel and the banners say about traffic is what DNS was observed to
answer, never what drtop only expects.

The world is real processes on loopback, all `drtop sim`:
  - tm-ns (authoritative): the traffic manager's own DNS, sim A (whose
    regions are the endpoints and whose /tm/force moves its answer);
  - isp-a: a caching resolver in front of a manager (sim B,
    --dns-caching): it keeps handing out its answer until the TTL runs out;
  - isp-b: a resolver that keeps answering eu20 whatever happens (sim C);
  - the client's-eye probe: the public name resolved through isp-a and
    probed at the region that answer points to (one single-region sim per
    region, bound to the region's simulated address).
The profile's manager is automatic, so a fault moves the expected route
at once while DNS answers what the sims were forced to answer.

Three situations, in UTF-8, in --ascii (pure ASCII on screen) and with
TERM=xterm in the C locale:
  (a) expected but not moved: eu20 fails, the expected route is us21,
      DNS still answers eu20 everywhere: the title says
      "DNS → eu20 3/3 · expected us21 for N s" with N growing, the DNS
      panel waits for the manager and counts nothing down; the failover
      dialog offers eu20 -> us21 and warns of no current route;
  (b) moving: tm-ns and isp-a are moved to us21: the title follows what
      DNS answers (tm-ns first, then isp-a), the panel counts down per
      resolver, isp-a converges when its cache runs out, the client's-eye
      probe is served by us21 once isp-a answers it;
  (c) diverged: isp-b answers eu20 past its TTL and two polls: the
      banner names it, what it answers and the expected route, and the
      panel says DIVERGED; the summary never says drained.
"""
import os
import re
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import drtest  # noqa: E402
from drtest import check  # noqa: E402
from screen import Screen, endpoint_rows, endpoint_state  # noqa: E402

TTL = 8
DNS_INTERVAL = 1
INTERVAL, TIMEOUT, TOLERATED = 0.5, 0.4, 1
START = 60
SLACK = 10.0
NAMES = ["eu20", "us21", "ap10"]
MMSS = re.compile(r"\d\d:\d\d")


def force(control, what):
    req = urllib.request.Request(control + "/tm/force", data=what.encode(),
                                 method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read()


def world(d):
    """Start the sims; returns (profile path, controls {tm, isp_a, isp_b})."""
    args = ("--control", "0", "--base-port", "0", "--ttl", str(TTL))
    tm, regions, c_tm = drtest.sim_start(args)
    isp_a, _, c_a = drtest.sim_start(args + ("--dns-caching",))
    isp_b, _, c_b = drtest.sim_start(args)
    ok = bool(regions) and all(getattr(p, "dns_addr", None)
                               for p in (tm, isp_a, isp_b))
    check("world: three sims with DNS", ok, regions)
    if not ok:
        drtest.done()
    controls = {"tm": c_tm, "isp_a": c_a, "isp_b": c_b}
    for c in controls.values():
        force(c, "eu20")
    # the client's eye: each region's simulated address, one port
    port = drtest.free_port()
    public_ok = True
    for n in NAMES:
        r = drtest.dns_query(tm.dns_addr, "%s.sim.drtop.test" % n)
        addrs = [a for t, _, a in (r[1] if r else []) if t == 1]
        if not addrs:
            public_ok = False
            break
        p, reg, _ = drtest.sim_start(("--regions", n, "--bind", addrs[0],
                                      "--base-port", str(port),
                                      "--dns-port", "off",
                                      "--control", "0"))
        public_ok = public_ok and bool(reg)
    check("world: the regions the public name points to", public_ok)
    lat = {"eu20": (50.1, 8.7), "us21": (38.9, -77.0),
           "ap10": (-33.9, 151.2)}
    eps = [{"name": n, "target": u, "priority": i + 1,
            "lat": lat[n][0], "lon": lat[n][1],
            "dns_answers": ["%s.sim.drtop.test" % n]}
           for i, (n, u) in enumerate(regions.items())]
    prof = {
        "service": "truth-test",
        "dns": {"name": "demo.sim.drtop.test", "ttl": TTL,
                "interval": DNS_INTERVAL,
                "resolvers": [
                    {"addr": tm.dns_addr, "name": "tm-ns",
                     "authoritative": True},
                    {"addr": isp_a.dns_addr, "name": "isp-a"},
                    {"addr": isp_b.dns_addr, "name": "isp-b"}]},
        "routing": {"manager": "automatic"},
        "monitor": {"interval": INTERVAL, "timeout": TIMEOUT,
                    "tolerated_failures": TOLERATED,
                    "identify": {"header": "X-Region"}},
        "public": {"url": "http://demo.sim.drtop.test:%d/health" % port,
                   "interval": 1, "resolver": isp_a.dns_addr},
        "endpoints": eps,
    }
    return drtest.write_json(os.path.join(d, "truth.json"), prof), controls


def reset(controls):
    """Back to every resolver answering eu20, eu20 healthy."""
    drtest.sim_fault(controls["tm"], "eu20", "ok")
    for c in controls.values():
        force(c, "eu20")


def title(s):
    return s.splitlines()[0] if s else ""


def dns_panel(s):
    """The DNS panel's text: the right part of the rows above the
    endpoint list (the map is 44 columns wide at 80)."""
    out = []
    for line in s.splitlines()[1:]:
        if "Endpoints" in line:
            break
        out.append(line[44:].rstrip())
    return out


def resolver_line(s, name):
    """The DNS panel's row of resolver name, with the row under it when
    the panel gives each resolver two (its state, indented), as one
    string; None when it is not shown."""
    rows = dns_panel(s)
    for i, l in enumerate(rows):
        if re.match(r"^ [* ]%s " % re.escape(name), l):
            nxt = rows[i + 1] if i + 1 < len(rows) else ""
            return l + (" /" + nxt if nxt.startswith("   ") else "")
    return None


def keep(label, name, s):
    """With TRUTH_SCREENS=DIR, keep a capture for the documentation."""
    d = os.environ.get("TRUTH_SCREENS")
    if d and s:
        tag = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        with open(os.path.join(d, "%s-%s.txt" % (tag, name)), "w") as f:
            f.write(s)


def high_bytes(b):
    return sorted({c for c in b if c > 0x7F})


def run(d, prof, controls, label, args, env=None, utf8=True):
    arrow = "\u2192" if utf8 else "->"
    sep = " \u00b7 " if utf8 else " | "
    scr = Screen(args + [prof], x=80, y=24, env=env, tmp=d)
    try:
        # the start: everything answers eu20
        s = scr.wait_for(lambda x: all(endpoint_state(x, n) == "ONLINE"
                                       for n in NAMES) and
                         ("DNS %s eu20 3/3" % arrow) in title(x), START)
        check("%s: start: title DNS %s eu20 3/3" % (label, arrow),
              s is not None, getattr(scr, "last", ""))
        if s is None:
            return
        check("%s: start: nothing expected apart" % label,
              "expected" not in title(s), title(s))
        rows = endpoint_rows(s)
        check("%s: the client's-eye probe has its own row" % label,
              any(r.split()[:1] == ["public"] or " public " in r
                  for r in rows), rows)
        s = scr.wait_for(lambda x: any(" public " in r and "eu20" in r
                                       for r in endpoint_rows(x)), 20)
        check("%s: public row: served by eu20" % label, s is not None,
              getattr(scr, "last", ""))
        if s is not None:
            check("%s: timeline has a public row" % label,
                  any(l.startswith("public") for l in s.splitlines()), s)
        if not utf8:
            b = scr.capture_bytes()
            check("%s: start: pure ASCII" % label, not high_bytes(b),
                  high_bytes(b))

        # (a) expected but not moved
        drtest.sim_fault(controls["tm"], "eu20", "status 500")
        pat = re.compile(r"DNS %s eu20 3/3%sexpected us21 for (\d+) s"
                         % (re.escape(arrow), re.escape(sep)))
        s = scr.wait_for(lambda x: pat.search(title(x)), SLACK + 5)
        check("%s: (a) title: DNS %s eu20 3/3%sexpected us21 for N s"
              % (label, arrow, sep), s is not None,
              title(getattr(scr, "last", "")))
        if s is None:
            return
        keep(label, "a-expected", s)
        n1 = int(pat.search(title(s)).group(1))
        panel = "\n".join(dns_panel(s))
        m = re.search(r"manager has not moved yet, (\d+) s", panel)
        check("%s: (a) the DNS panel waits for the manager" % label,
              m is not None, panel)
        check("%s: (a) no countdown in the DNS panel" % label,
              not MMSS.search(panel) and "drain" not in panel, panel)
        check("%s: (a) each resolver waits" % label,
              panel.count("waiting") >= 2, panel)
        check("%s: (a) the map marks eu20 as DNS's and us21 as expected"
              % label, ("\u25c9eu20" if utf8 else "*eu20") in s and
              ("\u25ceus21" if utf8 else "@us21") in s, s)
        time.sleep(2.2)
        s = scr.capture()
        m2 = pat.search(title(s))
        w = re.search(r"manager has not moved yet, (\d+) s",
                      "\n".join(dns_panel(s)))
        check("%s: (a) the time since the route change grows, in the title "
              "and the panel" % label,
              m2 is not None and int(m2.group(1)) >= n1 + 1 and
              w is not None and m is not None and
              int(w.group(1)) >= int(m.group(1)) + 1,
              (title(s), dns_panel(s)))
        check("%s: (a) still no countdown" % label,
              not MMSS.search("\n".join(dns_panel(s))), dns_panel(s))
        if not utf8:
            b = scr.capture_bytes()
            check("%s: (a) pure ASCII" % label, not high_bytes(b),
                  high_bytes(b))
        # the dialog moves what DNS answers: eu20 -> us21
        scr.keys("Down", "f")
        s = scr.wait_for(lambda x: "Fail over" in x and "Type us21" in x, 10)
        check("%s: (a) f: the dialog offers eu20 -> us21" % label,
              s is not None, getattr(scr, "last", ""))
        if s is not None:
            flat = " ".join(l.strip(" \u2502|") for l in s.splitlines())
            check("%s: (a) f: from is where DNS answers" % label,
                  re.search(r"Traffic: eu20 DEGRADED .*%s us21 ONLINE"
                            % re.escape(arrow), flat) is not None, flat)
            check("%s: (a) f: DNS and the expected route named" % label,
                  "DNS answers eu20 (3/3 resolvers); expected route us21."
                  in flat, flat)
            check("%s: (a) f: us21 is not 'the current route already'"
                  % label, "route already" not in flat, flat)
        scr.keys("Escape")
        scr.wait_for(lambda x: "Fail over" not in x, 10)

        # (b) moving: the manager and isp-a's manager move to us21
        force(controls["tm"], "us21")
        force(controls["isp_a"], "us21")
        s = scr.wait_for(lambda x: ("DNS %s us21 " % arrow) in title(x),
                         SLACK)
        check("%s: (b) the title follows DNS: DNS %s us21" % (label, arrow),
              s is not None, title(getattr(scr, "last", "")))
        if s is None:
            return
        check("%s: (b) title: the authoritative answer, not all resolvers"
              % label, re.search(r"DNS %s us21 [12]/3" % re.escape(arrow),
                                 title(s)) is not None, title(s))
        s = scr.wait_for(lambda x: re.search(
            r"eu20 %s us21 drain \d\d:\d\d" % re.escape(arrow),
            "\n".join(dns_panel(x))) and
            resolver_line(x, "isp-a") is not None and
            MMSS.search(resolver_line(x, "isp-a")), 5)
        check("%s: (b) the panel counts down to the latest drain and per "
              "resolver" % label, s is not None,
              dns_panel(getattr(scr, "last", "")))
        keep(label, "b-moving", s)
        if s is not None:
            a1 = resolver_line(s, "isp-a")
            check("%s: (b) isp-a still answers the old endpoint" % label,
                  "eu20" in a1 and ("old" in a1 or "still answers eu20" in a1),
                  a1)
            tmn = resolver_line(s, "tm-ns")
            check("%s: (b) tm-ns converged" % label,
                  tmn is not None and "us21" in tmn and
                  ("converged" in tmn or re.search(r"\+\d", tmn)), tmn)
            c1 = MMSS.findall(a1)[-1]
            time.sleep(2.2)
            a2 = resolver_line(scr.capture(), "isp-a") or ""
            c2 = MMSS.findall(a2)[-1] if MMSS.findall(a2) else None
            check("%s: (b) isp-a's own countdown runs down" % label,
                  (c2 is not None and c2 < c1) or "us21" in a2, (a1, a2))
            check("%s: (b) never drained while resolvers answer eu20"
                  % label, "drained" not in "\n".join(dns_panel(s)),
                  dns_panel(s))
        s = scr.wait_for(lambda x: resolver_line(x, "isp-a") and
                         "us21" in resolver_line(x, "isp-a") and
                         ("DNS %s us21 2/3" % arrow) in title(x),
                         TTL + SLACK)
        check("%s: (b) isp-a converges when its cache runs out; title 2/3"
              % label, s is not None,
              (title(getattr(scr, "last", "")),
               dns_panel(getattr(scr, "last", ""))))
        s = scr.wait_for(lambda x: any(" public " in r and "us21" in r
                                       for r in endpoint_rows(x)),
                         SLACK)
        check("%s: (b) the client's-eye probe is served by us21" % label,
              s is not None, endpoint_rows(getattr(scr, "last", "")))

        # (c) diverged: isp-b answers eu20 past its TTL and two polls
        want = re.compile(r"isp-b still answers eu20 \(expected us21\) "
                          r"\d+ s after its TTL")
        s = scr.wait_for(lambda x: want.search(x), TTL + SLACK)
        check("%s: (c) the diverged banner names isp-b, eu20 and the "
              "expected us21" % label, s is not None,
              getattr(scr, "last", ""))
        keep(label, "c-diverged", s)
        if s is not None:
            b = resolver_line(s, "isp-b")
            check("%s: (c) the panel says DIVERGED" % label,
                  b is not None and "DIVERGED" in b, dns_panel(s))
            check("%s: (c) never drained" % label,
                  "drained" not in "\n".join(dns_panel(s)), dns_panel(s))
            check("%s: (c) the title stays with what DNS answers" % label,
                  ("DNS %s us21 2/3" % arrow) in title(s) and
                  "expected" not in title(s), title(s))
        if not utf8:
            b = scr.capture_bytes()
            check("%s: (c) pure ASCII" % label, not high_bytes(b),
                  high_bytes(b))
        scr.keys("q")
        rc = scr.exit_status()
        check("%s: q exits 0" % label, rc == 0, rc)
    finally:
        scr.close()
        reset(controls)


def main():
    d = drtest.tmpdir()
    prof, controls = world(d)
    run(d, prof, controls, "utf-8", [drtest.DRTOP])
    # isp-a's cache may still hold us21: a new session starts once it
    # answers eu20 again (the start waits for 3/3)
    run(d, prof, controls, "--ascii", [drtest.DRTOP, "--ascii"], utf8=False)
    run(d, prof, controls, "TERM=xterm LC_ALL=C",
        ["env", "TERM=xterm", "LC_ALL=C", "LANG=C", drtest.DRTOP],
        utf8=False)
    drtest.done()


if __name__ == "__main__":
    main()
