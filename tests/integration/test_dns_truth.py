"""Expected against observed traffic on a real DNS path: an authoritative
dnsmasq (the traffic manager's name server: a hosts file the test
rewrites, then SIGHUP; a constant TTL from --local-ttl) and a second
dnsmasq caching in front of it (--server=127.0.0.1#PORT; its TTL counts
down), real regions from `drtop sim` (regions and their public listeners
only: the DNS is dnsmasq's), `drtop watch --json --record` with a profile
naming both resolvers (the first authoritative) and a client's-eye probe
through the caching one, then `drtop report --format json` of each log.

1. manager manual: a fault is detected (health degraded) but routes
   nothing; the zone is flipped by hand DELAY seconds later: the route
   follows DNS (cause dns), the authoritative resolver converges at once,
   the caching one after its TTL. The report's failover is the DNS move,
   not the detection; converged is the caching resolver's; detection,
   DNS move and convergence are clearly apart, in that order.
2. manager automatic, the zone never moves: the route moves at detection
   (cause auto); both resolvers are `diverged` (the authoritative after
   two answers, the caching one after the TTL of its first answer plus two
   polls); the report's failover, restored and RTO are null.
3. manager automatic, the zone flipped DELAY seconds after detection: the
   route moved at detection, but the failover (DNS moved) comes only with
   the flip.

Everything is on loopback with ephemeral ports; every wait is bounded.
"""
import json
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import drtest  # noqa: E402
from drtest import Watch, check, done  # noqa: E402

NAME = "cpi.dr.test"
TTL = 3  # the authoritative TTL (--local-ttl)
POLL = 0.5  # dns.interval
DELAY = 2.0  # seconds between detection and the zone flip, at least
WAIT = 15  # the bound on any single wait (a loaded 2-core machine)
EPS = 0.05  # the log's times are the same clock; this is rounding only


def write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def dnsmasq(d, tag, args):
    """Start a dnsmasq on a free loopback UDP port; (proc, port) once it
    answers for NAME, or (None, None)."""
    for _ in range(5):
        port = drtest.free_port(socket.SOCK_DGRAM)
        p = drtest.spawn(["dnsmasq", "--keep-in-foreground",
                          "--conf-file=/dev/null", "--pid-file=",
                          "--no-resolv", "--no-hosts", "--user=root",
                          "--bind-interfaces", "--listen-address=127.0.0.1",
                          "--port=%d" % port,
                          "--log-facility=" + os.path.join(d, tag + ".log")]
                         + args,
                         stdout=open(os.devnull, "w"),
                         stderr=open(os.devnull, "w"))
        addr = "127.0.0.1:%d" % port
        if drtest.wait_for(lambda: p.poll() is not None or
                           drtest.dns_query(addr, NAME, timeout=0.2), 10) \
                and p.poll() is None:
            return p, port
        drtest.stop(p, signal.SIGKILL)
    return None, None


class World:
    """dnsmasq x 2 and drtop sim, shared by the three runs."""

    def __init__(self):
        self.d = drtest.tmpdir()
        self.hosts = os.path.join(self.d, "hosts")
        self.sim, self.regions, self.control = drtest.sim_start(
            ["--control", "0", "--base-port", "0", "--dns-port", "off",
             "--public-port", "0"])
        self.addr = {n: u.split("//")[1].split(":")[0]
                     for n, u in self.sim.public.items()}
        self.pub_port = int(list(self.sim.public.values())[0]
                            .rsplit(":", 1)[1].split("/")[0]) \
            if self.sim.public else 0
        self.point("eu20")
        self.auth, ap = dnsmasq(self.d, "auth", [
            "--addn-hosts=" + self.hosts, "--local-ttl=%d" % TTL,
            "--local=/dr.test/"])
        self.cache, cp = (None, None) if self.auth is None else dnsmasq(
            self.d, "cache", ["--server=127.0.0.1#%d" % ap,
                              "--cache-size=100"])
        self.auth_addr = "127.0.0.1:%s" % ap
        self.cache_addr = "127.0.0.1:%s" % cp

    def ok(self):
        return self.regions and self.sim.public and self.auth and self.cache

    def point(self, region):
        """The zone: NAME -> region's address (SIGHUP to take it)."""
        write_atomic(self.hosts, "%s %s\n" % (self.addr[region], NAME))

    def flip(self, region):
        self.point(region)
        self.auth.send_signal(signal.SIGHUP)

    def reset(self):
        """Between runs: eu20 fine, the zone on eu20, the cache empty."""
        drtest.sim_fault(self.control, "eu20", "ok")
        self.flip("eu20")
        self.cache.send_signal(signal.SIGHUP)  # clears its cache
        drtest.wait_for(lambda: region_of(self.cache_addr) == "eu20", 5)

    def profile(self, manager, tag):
        eps = [{"name": n, "target": self.regions[n], "priority": i + 1,
                "dns_answers": [self.addr[n]]}
               for i, n in enumerate(["eu20", "us21"])]
        return drtest.write_json(os.path.join(self.d, tag + ".json"), {
            "service": "dns-truth-" + tag,
            "dns": {"name": NAME, "ttl": TTL, "interval": POLL,
                    "resolvers": [
                        {"addr": self.auth_addr, "name": "auth",
                         "authoritative": True},
                        {"addr": self.cache_addr, "name": "isp"}]},
            "routing": {"method": "priority", "manager": manager},
            "public": {"url": "http://%s:%d/health" % (NAME, self.pub_port),
                       "resolver": "isp", "interval": POLL},
            "monitor": {"protocol": "http", "path": "/health",
                        "interval": 0.3, "timeout": 0.25,
                        "tolerated_failures": 1,
                        "identify": {"header": "X-Region"}},
            "endpoints": eps,
            "drill": {"rto_target": 60},
        })


def region_of(addr):
    """The address's region ("eu20") of NAME's answer on addr, or None."""
    r = drtest.dns_query(addr, NAME, timeout=0.5)
    for t, _, a in (r[1] if r else []):
        if t == 1:
            return {"127.0.0.118": "eu20", "127.0.0.119": "us21"}.get(a, a)
    return None


def report(log):
    r = drtest.run([drtest.DRTOP, "report", "--format", "json", log])
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {"error": r.stderr}


def wait_refetch(w, resolver, after):
    """Wait for the caching resolver to fetch again (its TTL back to the
    full TTL after a lower one) at session t > after; so that, flipped
    now, it holds the old answer for about a whole TTL."""
    def fresh():
        evs = [e for e in w.events(type="dns", resolver=resolver)
               if e["ttl"] is not None]
        for a, b in zip(evs, evs[1:]):
            if b["t"] > after and a["ttl"] < TTL and b["ttl"] == TTL:
                return b
        return None
    return drtest.wait_for(fresh, TTL + WAIT)


def start(world, manager, tag):
    log = os.path.join(world.d, tag + ".jsonl")
    w = Watch(world.profile(manager, tag), ["--record", log])
    first = w.wait(WAIT, type="route")
    ok = w.wait(WAIT, lambda e: e["ok"], type="probe", endpoint="eu20")
    pub = w.wait(WAIT, lambda e: e["ok"] and e.get("served_by") == "eu20",
                 type="probe", via="public")
    check("%s: first route eu20, probes and the client's-eye probe ok" % tag,
          first and first[0]["to"] == "eu20" and ok and pub,
          (first, w.p.stderr if w.p.poll() is not None else ""))
    return w, log, first


def fault(world, w, tag):
    drtest.sim_fault(world.control, "eu20", "status 500")
    deg = w.wait(WAIT, type="health", endpoint="eu20", to="degraded")
    check("%s: the fault is detected (eu20 degraded)" % tag, deg)
    return deg[0] if deg else None


def run_manual(world):
    tag = "manual"
    w, log, first = start(world, "manual", tag)
    check("manual: the first route is what DNS answers (cause dns)",
          first and first[0]["cause"] == "dns", first)
    det = fault(world, w, tag)
    if det is None:
        w.stop()
        return
    time.sleep(DELAY)
    check("manual: detection routes nothing (no route but the first, "
          "%g s after)" % DELAY,
          len(w.events(type="route")) == 1, w.events(type="route"))
    fresh = wait_refetch(w, world.cache_addr, det["t"])
    flip_t = w.session_t()
    world.flip("us21")
    route = w.wait(WAIT, type="route", to="us21")
    conv = w.wait(TTL + WAIT, lambda e: len(w.events(type="converged")) >= 2,
                  type="converged")
    conv = {e["resolver_name"]: e for e in w.events(type="converged")}
    pub = w.wait(WAIT, lambda e: e["ok"] and e.get("served_by") == "us21",
                 type="probe", via="public")
    w.stop()
    r = route[0] if route else {}
    check("manual: the route follows the flipped zone, cause dns",
          r.get("from") == "eu20" and r.get("cause") == "dns" and
          r["t"] >= flip_t, (r, flip_t))
    a, c = conv.get("auth"), conv.get("isp")
    # the caching resolver's copy expires a TTL after it was fetched
    # (fresh), which on a loaded machine may be well before the flip
    check("manual: the authoritative resolver converges at the DNS move, "
          "the caching one when its copy's TTL runs out",
          a and c and fresh and abs(a["t"] - r.get("t", -1)) < EPS and
          c["t"] > a["t"] and
          abs(c["t"] - (fresh["t"] + TTL)) <= 2 * POLL + EPS,
          (a, c, fresh))
    check("manual: the client's-eye probe reaches us21 once isp answers it",
          pub and c and pub[0]["t"] >= c["t"] - POLL - EPS, (pub[:1], c))
    rep = report(log)
    ph, m = rep.get("phases", {}), rep.get("metrics", {})
    check("manual report: failover is the DNS move, not the detection",
          abs((ph.get("failover") or -1) - (r.get("t", 0) - rep["t0"]))
          < EPS and rep.get("failover_observed") is True and
          rep.get("fault_endpoint") == "eu20" and
          rep.get("failover_to") == "us21", rep)
    check("manual report: detection, DNS move, convergence apart and in "
          "order; failover - detected >= the delay (%g s)" % DELAY,
          ph.get("detected") is not None and ph.get("failover") is not None
          and ph.get("converged") is not None and
          ph["failover"] - ph["detected"] >= DELAY and
          ph["converged"] > ph["failover"] + EPS, ph)
    check("manual report: converged is the caching resolver's",
          c and abs(ph.get("converged", -1) - (c["t"] - rep["t0"])) < EPS and
          m["converged_s"].get(world.cache_addr) is not None and
          m["converged_s"]["all"] == m["converged_s"][world.cache_addr] and
          m["converged_s"][world.auth_addr] < m["converged_s"]["all"], m)
    check("manual report: restored by the client's-eye probe, with an RTO",
          rep.get("restored_by") == "public" and m.get("rto_s") is not None
          and m["rto_s"] >= m["failover_s"], (rep.get("restored_by"), m))


def run_never(world):
    tag = "never"
    w, log, first = start(world, "automatic", tag)
    det = fault(world, w, tag)
    route = w.wait(WAIT, type="route", to="us21")
    div = w.wait(TTL + 4 * POLL + WAIT,
                 lambda e: len(w.events(type="diverged")) >= 2,
                 type="diverged")
    time.sleep(POLL)
    w.stop()
    r = route[0] if route else {}
    check("never: the route moves at detection (cause auto)",
          det and r.get("cause") == "auto" and
          abs(r.get("t", -1) - det["t"]) < EPS, (r, det))
    div = {e["resolver_name"]: e for e in w.events(type="diverged")}
    a, c = div.get("auth"), div.get("isp")
    after = [e for e in w.events(type="dns", resolver=world.cache_addr)
             if r and e["t"] >= r["t"]]
    ttl0 = after[0]["ttl"] if after else None
    # Its second answer after the route change: one poll later at least.
    check("never: the authoritative resolver diverges at its second "
          "answer for eu20 after the route change",
          a and r and a["endpoint"] == "eu20" and a["expected"] == "us21" and
          POLL - EPS <= a["t"] - r["t"] <= 2 * POLL + 1.0, (a, r))
    check("never: the caching one after the TTL of its first answer "
          "(%s) plus two polls" % ttl0,
          c and r and ttl0 is not None and
          c["t"] - r["t"] > ttl0 + 2 * POLL - EPS and
          c["t"] - r["t"] <= ttl0 + 3 * POLL + 1.0, (c, r, ttl0))
    check("never: no converged event", not w.events(type="converged"))
    rep = report(log)
    m = rep.get("metrics", {})
    check("never report: failover, restored and RTO are null; the route "
          "change is known",
          rep.get("phases", {}).get("failover") is None and
          rep["phases"].get("restored") is None and
          rep["phases"].get("converged") is None and
          m.get("failover_s") is None and m.get("rto_s") is None and
          rep.get("restored_by") is None and
          rep.get("route_change") is not None, rep)
    check("never report: both resolvers listed as diverged",
          sorted(x["name"] for x in rep.get("diverged", [])) ==
          ["auth", "isp"] and
          all(x["endpoint"] == "eu20" and x["expected"] == "us21"
              for x in rep["diverged"]), rep.get("diverged"))


def run_auto(world):
    tag = "auto"
    w, log, first = start(world, "automatic", tag)
    check("auto: the first route is the rules' (cause auto)",
          first and first[0]["cause"] == "auto", first)
    det = fault(world, w, tag)
    route = w.wait(WAIT, type="route", to="us21")
    time.sleep(DELAY)
    wait_refetch(w, world.cache_addr, det["t"] if det else 0)
    flip_t = w.session_t()
    world.flip("us21")
    w.wait(TTL + WAIT, lambda e: len(w.events(type="converged")) >= 2,
           type="converged")
    w.stop()
    r = route[0] if route else {}
    check("auto: the route moves at detection (cause auto)",
          det and r.get("cause") == "auto" and
          abs(r.get("t", -1) - det["t"]) < EPS, (r, det))
    conv = {e["resolver_name"]: e for e in w.events(type="converged")}
    a, c = conv.get("auth"), conv.get("isp")
    check("auto: DNS moves only with the flip, resolver by resolver",
          a and c and a["t"] >= flip_t and c["t"] > a["t"], (a, c, flip_t))
    rep = report(log)
    ph = rep.get("phases", {})
    check("auto report: failover is the DNS move, after the route change "
          "by at least the delay",
          a and rep.get("route_change") is not None and
          abs(ph.get("detected", -1) - rep["route_change"]) < EPS and
          abs((ph.get("failover") or -1) - (a["t"] - rep["t0"])) < EPS and
          ph["failover"] - rep["route_change"] >= DELAY and
          ph.get("converged") is not None and
          ph["converged"] > ph["failover"], (ph, rep.get("route_change")))


def main():
    t0 = time.monotonic()
    world = World()
    if not check("dnsmasq (authoritative and caching) and drtop sim start",
                 world.ok(), (world.regions, world.sim.public)):
        done()
    check("the caching dnsmasq answers from the authoritative one, TTL "
          "counting down from %d" % TTL,
          region_of(world.cache_addr) == "eu20")
    run_manual(world)
    world.reset()
    run_never(world)
    world.reset()
    run_auto(world)
    drtest.stop(world.sim)
    check("the whole test ran in under 60 s", time.monotonic() - t0 < 60,
          time.monotonic() - t0)
    done()


main()
