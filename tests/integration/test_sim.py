"""drtop sim as a user runs it: the printed lines, the control interface,
answers that change with the faults, clean exits, and usage errors."""
import json
import os
import signal
import socket
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import drtest  # noqa: E402
from drtest import check  # noqa: E402

TIMEOUT = 10  # seconds; generous for a shared 2-core machine


def start_sim(args):
    """Start drtop sim (bounded wait for "ready"); return (proc,
    regions {name: url} in printed order, control url, ready)."""
    p, regions, control = drtest.sim_start(args, timeout=TIMEOUT)
    return p, regions, control, bool(regions)


def http(method, url, body=None):
    """(status, headers, body text); HTTP errors are answers too."""
    data = body.encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def refused(url):
    host, port = url.split("//")[1].split("/")[0].split(":")
    s = socket.socket()
    s.settimeout(TIMEOUT)
    try:
        s.connect((host, int(port)))
        return False
    except ConnectionRefusedError:
        return True
    finally:
        s.close()


def dns_checks():
    """The simulated traffic manager's DNS, driven by the control API."""
    p, regions, control, ready = start_sim(
        ["--control", "0", "--base-port", "0", "--ttl", "7"])
    addr = getattr(p, "dns_addr", None)
    check("sim prints its DNS address and name",
          ready and addr is not None and addr.startswith("127.0.0.1:") and
          p.dns_name == "demo.sim.drtop.test", getattr(p, "dns_name", None))
    if addr is None:
        return
    r = drtest.dns_query(addr, p.dns_name)
    check("DNS answers NOERROR with a CNAME to eu20 and its A, TTL 7",
          r is not None and r[0] == 0 and
          (5, 7, "eu20.sim.drtop.test") in r[1] and
          any(t == 1 and a.startswith("127.0.0.") for t, _, a in r[1]), r)
    drtest.sim_fault(control, "eu20", "status 500")
    r = drtest.dns_query(addr, p.dns_name)
    check("a failing eu20 moves the answer to us21",
          r is not None and (5, 7, "us21.sim.drtop.test") in r[1], r)
    st, _, body = http("POST", control + "/tm/force", "ap10")
    r = drtest.dns_query(addr, p.dns_name)
    check("a forced answer (manual failover) is served",
          st == 200 and r is not None and
          (5, 7, "ap10.sim.drtop.test") in r[1], (st, r))
    st, _, body = http("POST", control + "/dns/mode", "servfail")
    r = drtest.dns_query(addr, p.dns_name)
    check("POST /dns/mode servfail makes the DNS answer SERVFAIL",
          st == 200 and json.loads(body)["mode"] == "servfail" and
          r is not None and r[0] == 2, (st, body, r))
    st, _, body = http("POST", control + "/dns/mode", "silent")
    check("silent mode never answers",
          st == 200 and drtest.dns_query(addr, p.dns_name, timeout=0.5)
          is None)
    st, _, body = http("POST", control + "/dns/mode", "sideways")
    check("an unknown DNS mode is a 400", st == 400, (st, body))
    http("POST", control + "/dns/mode", "normal")
    st, _, body = http("POST", control + "/dns/ttl", "3")
    r = drtest.dns_query(addr, p.dns_name)
    check("POST /dns/ttl changes the TTL served",
          st == 200 and r is not None and all(t == 3 for _, t, _ in r[1]),
          (st, r))
    st, _, body = http("GET", control + "/dns")
    check("GET /dns shows the DNS state",
          st == 200 and json.loads(body)["queries"] >= 5, body)
    rc = drtest.stop(p)
    check("sim with DNS stops cleanly on SIGTERM", rc == 0, rc)
    r = drtest.run([drtest.DRTOP, "sim", "--dns-port", "x"], timeout=TIMEOUT)
    check("a bad --dns-port is a usage error", r.returncode == 2,
          r.returncode)


def region_of(r):
    """The region a dns_query answer names, with its TTL: (name, ttl),
    or (None, None)."""
    for t, ttl, data in (r[1] if r else []):
        if t == 5 and data.endswith(".sim.drtop.test"):
            return data.split(".")[0], ttl
    return None, None


def truth_checks():
    """The DNS path: a manual manager's name server and two resolvers in
    front of it (one caching, one serving stale), public listeners, and
    the profile --write-profile writes for them."""
    d = drtest.tmpdir()
    prof = os.path.join(d, "sim profile.json")
    p, regions, control, ready = start_sim(
        ["--control", "0", "--base-port", "0", "--manager", "manual",
         "--resolvers", "isp-a=caching,isp-b stale=stale", "--ttl", "2",
         "--stale", "2", "--public-port", "0", "--write-profile", prof])
    check("sim with resolvers prints ready", ready, p.stderr)
    if not ready:
        return
    res = {name: (addr, role) for addr, role, name in p.resolvers}
    check("resolver lines: address, role, name (with a space)",
          set(res) == {"isp-a", "isp-b stale"} and
          res["isp-a"][1] == "caching" and res["isp-b stale"][1] == "stale" and
          all(a.startswith("127.0.0.1:") for a, _ in res.values()),
          p.resolvers)
    check("the profile line names the file written before ready",
          p.profile == prof and os.path.exists(prof), p.profile)
    with open(prof) as f:
        pj = json.load(f)
    rs = pj["dns"]["resolvers"]
    check("the profile's resolvers: the name server (authoritative), "
          "then the resolvers by name",
          [r["name"] for r in rs] == ["tm-ns", "isp-a", "isp-b stale"] and
          rs[0] == {"addr": p.dns_addr, "name": "tm-ns",
                    "authoritative": True} and
          rs[1]["addr"] == res["isp-a"][0] and
          "authoritative" not in rs[1], rs)
    check("the profile: manager manual, TTL 2, public probe through isp-a",
          pj["routing"]["manager"] == "manual" and pj["dns"]["ttl"] == 2 and
          pj["public"]["resolver"] == "isp-a" and
          pj["public"]["url"].startswith("http://demo.sim.drtop.test:"),
          (pj["routing"], pj.get("public")))
    r = drtest.run([drtest.DRTOP, "check", prof], timeout=TIMEOUT)
    check("drtop check accepts the written profile",
          r.returncode == 0 and "isp-b stale" in r.stdout and
          "[authoritative]" in r.stdout, (r.returncode, r.stderr))
    port = pj["public"]["url"].rsplit(":", 1)[1].split("/")[0]
    st, hdr, body = http("GET", p.public["us21"])
    check("a region answers on its DNS address at the public port",
          st == 200 and hdr.get("X-Region") == "us21" and
          p.public["us21"].endswith(":%s/health" % port) and
          not p.public["us21"].startswith("http://127.0.0.1:"),
          (p.public, st, hdr))
    isp_a, isp_b = res["isp-a"][0], res["isp-b stale"][0]
    # Prime both caches with eu20.
    for a in (isp_a, isp_b):
        drtest.dns_query(a, p.dns_name)
    drtest.sim_fault(control, "eu20", "status 500")
    rc, ans, flags = drtest.dns_query(p.dns_addr, p.dns_name, flags=True)
    check("a manual manager's name server keeps eu20 while it fails (AA)",
          region_of((rc, ans)) == ("eu20", 2) and flags & 0x0400, ans)
    st, _, body = http("POST", control + "/tm/force", "us21")
    t0 = time.monotonic()
    check("told us21, the name server answers it at once",
          st == 200 and
          region_of(drtest.dns_query(p.dns_addr, p.dns_name)) == ("us21", 2),
          body)
    rc, ans, flags = drtest.dns_query(isp_a, p.dns_name, flags=True)
    check("the caching resolver still holds eu20 (not AA, RA)",
          region_of((rc, ans))[0] == "eu20" and not flags & 0x0400 and
          flags & 0x0080, ans)
    moved_a = moved_b = None
    stale_seen = False
    while time.monotonic() - t0 < 10 and moved_b is None:
        now = time.monotonic() - t0
        ra = region_of(drtest.dns_query(isp_a, p.dns_name))
        rb = region_of(drtest.dns_query(isp_b, p.dns_name))
        if moved_a is None and ra[0] == "us21":
            moved_a = now
        if moved_b is None and rb[0] == "us21":
            moved_b = now
        if moved_a is not None and moved_b is None and rb == ("eu20", 1):
            stale_seen = True
        time.sleep(0.1)
    check("isp-a follows within its TTL (2 s)",
          moved_a is not None and moved_a < 3.0, moved_a)
    check("isp-b serves the expired eu20 with TTL 1 after isp-a moved, "
          "then follows after its stale window",
          stale_seen and moved_b is not None and moved_a is not None and
          moved_b > moved_a + 1.0 and moved_b < 6.0, (moved_a, moved_b))
    st, _, body = http("GET", control + "/dns")
    dj = json.loads(body)
    check("GET /dns shows the name server and each resolver's cache",
          st == 200 and dj["server"] == "tm-ns" and
          dj["role"] == "authoritative" and
          [(r["name"], r["role"]) for r in dj["resolvers"]] ==
          [("isp-a", "caching"), ("isp-b stale", "stale")] and
          all(r["cached"] == "us21" and r["fetches"] >= 2
              for r in dj["resolvers"]), dj)
    st, _, body = http("POST", control + "/tm/manager", "automatic")
    check("POST /tm/manager switches it: automatic follows health",
          st == 200 and json.loads(body)["manager"] == "automatic", body)
    rc = drtest.stop(p)
    check("sim with resolvers stops cleanly", rc == 0, rc)
    for args, what in [
            (["--manager", "auto"], "bad manager"),
            (["--resolvers", "isp-a=recursive"], "bad resolver role"),
            (["--resolvers", "a=caching,a=stale"], "duplicate resolver"),
            (["--resolvers", "tm-ns=caching"], "the name server's name"),
            (["--resolvers", "caching", "--dns-port", "off"],
             "resolvers without DNS"),
            (["--public-port", "x"], "bad public port"),
            (["--stale", "-1"], "bad stale window")]:
        r = drtest.run([drtest.DRTOP, "sim", "--control", "0",
                        "--base-port", "0", "--dns-port", "0"] + args,
                       timeout=TIMEOUT)
        check("bad usage exits 2: %s" % what,
              r.returncode == 2 and r.stderr.startswith("drtop sim:"),
              (r.returncode, r.stderr))


def main():
    dns_checks()
    truth_checks()
    log = os.path.join(drtest.tmpdir(), "sim.log")
    p, regions, control, ready = start_sim(["--control", "0",
                                            "--base-port", "0",
                                            "--debug-log", log])
    check("sim prints ready", ready)
    check("sim prints the default regions in order",
          list(regions) == ["eu20", "us21", "ap10"], regions)
    check("sim prints a loopback control URL",
          control is not None and control.startswith("http://127.0.0.1:"),
          control)
    if not (ready and control and len(regions) == 3):
        drtest.stop(p)
        drtest.done()

    st, hdr, body = http("GET", regions["us21"])
    check("region answers 200 with its name", st == 200 and
          body.splitlines()[0] == "us21" and hdr.get("X-Region") == "us21",
          (st, hdr, body))

    st, _, body = http("GET", control + "/regions")
    state = json.loads(body)
    check("control lists the regions",
          st == 200 and [r["name"] for r in state["regions"]] ==
          ["eu20", "us21", "ap10"] and
          all(r["fault"] == "ok" for r in state["regions"]), body)
    check("control shows the URLs that were printed",
          [r["url"] for r in state["regions"]] == list(regions.values()))
    check("control shows the traffic manager choice",
          state["tm"] == {"manager": "automatic", "forced": None,
                          "choice": "eu20", "healthy": True}, state.get("tm"))
    check("requests are counted",
          state["regions"][1]["requests"] == 1, state["regions"])

    st, body = drtest.sim_fault(control, "eu20", "status 500")
    check("POST fault answers the new state",
          st == 200 and body["fault"] == "status 500", body)
    st, _, body = http("GET", regions["eu20"])
    check("the region now answers 500", st == 500, st)
    st, _, body = http("GET", control + "/")
    check("the traffic manager moves to the next healthy region",
          json.loads(body)["tm"]["choice"] == "us21", body)

    st, _, _ = http("POST", control + "/regions/eu20/fault", "refuse")
    check("refuse closes the port", st == 200 and refused(regions["eu20"]))
    st, _, _ = http("GET", control + "/regions/eu20/fault?set=ok")
    st2, _, body = http("GET", regions["eu20"])
    check("ok listens again on the same port",
          st == 200 and st2 == 200 and body.startswith("eu20"), (st, st2))

    st, _, body = http("POST", control + "/regions/eu20/fault", "status 42")
    check("a bad fault text is a 400 with a message",
          st == 400 and "200-599" in json.loads(body)["error"], body)
    st, _, body = http("POST", control + "/regions/mars/fault", "ok")
    check("an unknown region is a 404", st == 404, (st, body))

    st, _, body = http("POST", control + "/tm/force", "ap10")
    check("tm force", st == 200 and json.loads(body) ==
          {"manager": "automatic", "forced": "ap10", "choice": "ap10",
           "healthy": True}, body)
    st, _, body = http("POST", control + "/tm/force", "auto")
    check("tm auto", st == 200 and json.loads(body)["forced"] is None, body)

    rc = drtest.stop(p, signal.SIGTERM)
    check("SIGTERM exits 0", rc == 0, rc)
    check("SIGTERM leaves nothing on stderr", p.stderr.read() == b"")
    with open(log) as f:
        lines = [line.split(" ", 1)[1].rstrip("\n") for line in f]
    want = ["sim: region eu20 " + regions["eu20"],
            "sim: eu20: fault status 500", "sim: eu20: fault refuse",
            "sim: eu20: fault ok", "sim: tm: forced ap10",
            "sim: tm: automatic", "sim: stopped"]
    check("--debug-log records every change",
          all(w in lines for w in want) and
          not any("status 42" in line for line in lines), lines)

    r = drtest.run([drtest.DRTOP, "sim", "--control", "0", "--base-port",
                    "0", "--dns-port", "0", "--debug-log",
                    "/nonexistent/dir/sim.log"],
                   timeout=TIMEOUT)
    check("an unwritable --debug-log exits 1 naming it",
          r.returncode == 1 and "/nonexistent/dir/sim.log" in r.stderr,
          (r.returncode, r.stderr))

    # SIGINT too, with explicit ports and an IPv6 loopback bind.
    p, regions, control, ready = start_sim(
        ["--regions", "a1,b2", "--control", "0", "--base-port", "0",
         "--bind", "::1"])
    ok6 = ready and list(regions) == ["a1", "b2"] and \
        all(u.startswith("http://[::1]:") for u in regions.values())
    check("--regions and --bind ::1", ok6, regions)
    rc = drtest.stop(p, signal.SIGINT)
    check("SIGINT exits 0", rc == 0, rc)

    # A port in use is a runtime failure naming the port.
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    r = drtest.run([drtest.DRTOP, "sim", "--control", "0", "--base-port",
                    str(port), "--dns-port", "0"], timeout=TIMEOUT)
    check("port in use exits 1 naming the port",
          r.returncode == 1 and (":%d" % port) in r.stderr,
          (r.returncode, r.stderr))
    busy.close()

    for args, what in [
            (["--bogus"], "unknown flag"),
            (["--control"], "missing value"),
            (["--control", "x"], "bad port"),
            (["--base-port", "70000"], "port out of range"),
            (["--base-port", "65535", "--regions", "a,b"], "ports overflow"),
            (["--regions", ""], "no regions"),
            (["--regions", "a,a"], "duplicate region"),
            (["--regions", "bad name"], "bad region name"),
            (["--bind", "0.0.0.0"], "non-loopback bind"),
            (["--bind", "192.168.1.1"], "non-loopback bind (private)"),
            (["--bind", "localhost"], "non-numeric bind")]:
        r = drtest.run([drtest.DRTOP, "sim"] + args, timeout=TIMEOUT)
        check("bad usage exits 2: %s" % what,
              r.returncode == 2 and r.stderr.startswith("drtop sim:") and
              r.stdout == "", (r.returncode, r.stderr))
    drtest.done()


main()
