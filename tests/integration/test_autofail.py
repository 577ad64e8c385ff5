"""Opt-in automatic failover: `drtop watch --json` against `drtop sim`
with routing.auto_failover, and real action scripts in the profile's
directory.

(a) eu20 fails: the failover action runs once, by "auto", with {from}
    and {to} substituted, and its action events are in the stream;
(b) eu20 and us21 take turns failing every second for ~10 s with
    hold_down 3 s: the route flaps, the action starts at most once per
    hold_down;
(c) auto_failover false: the route moves, no action runs;
(d) an action that exits 3 is reported with exit 3, watch goes on, and it
    is not repeated within hold_down;
(e) watch stopped while an action runs: the action's `finished` event is
    written before watch exits;
(f) an automatic runbook whose second step fails is aborted at once (no
    one can retry it in watch): the third step never runs;
(g) auto_failover without a failover action: an `error` event, no
    crash."""
import json
import os
import signal
import stat
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import drtest  # noqa: E402
from drtest import Watch, check  # noqa: E402

INTERVAL = 0.2
TIMEOUT = 0.15
SLACK = 4.0  # seconds of scheduling slack on a loaded 2-core machine
DETECT = INTERVAL * 2 + TIMEOUT  # tolerated_failures 1





def script(d, name, body):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return "./" + name


def make_profile(d, regions, dns_addr, name, auto=True, hold_down=3.0,
                 argv=None, tolerated=1):
    eps = []
    for i, (n, url) in enumerate(regions.items()):
        eps.append({"name": n, "target": url, "priority": i + 1,
                    "dns_answers": ["%s.sim.drtop.test" % n]})
    prof = {
        "service": "autofail-test",
        "dns": {"name": "demo.sim.drtop.test", "ttl": 5,
                "resolvers": [dns_addr], "interval": 0.5},
        "routing": {"method": "priority", "failback": "manual",
                    "hold_down": hold_down, "auto_failover": auto},
        "monitor": {"interval": INTERVAL, "timeout": TIMEOUT,
                    "tolerated_failures": tolerated,
                    "identify": {"header": "X-Region"}},
        "endpoints": eps,
        "actions": {"failover": {"argv": argv, "timeout": 20}},
    }
    sub = os.path.join(d, name)
    os.mkdir(sub)
    return drtest.write_json(os.path.join(sub, "p.json"), prof), sub


def recorder(sub):
    """The action: appends its argv to calls.txt in the profile's dir."""
    return script(sub, "record.sh",
                  'echo "moving $1 -> $2"\n'
                  'printf "%s|%s|%s\\n" "$1" "$2" "$3" >> calls.txt\n')


def calls(sub):
    try:
        with open(os.path.join(sub, "calls.txt")) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def reset(control):
    for r in ("eu20", "us21", "ap10"):
        drtest.sim_fault(control, r, "ok")


def first_route(w):
    r = w.wait(10, type="route")
    return r and r[0]["to"] == "eu20"


def case_runs_once(d, regions, dns_addr, control):
    path, sub = make_profile(d, regions, dns_addr, "a",
                             argv=None, hold_down=3.0)
    prof = json.load(open(path))
    prof["actions"]["failover"]["argv"] = [recorder(sub), "{from}", "{to}",
                                           "svc={service}"]
    drtest.write_json(path, prof)
    w = Watch(path)
    check("(a) first route to eu20", first_route(w))
    drtest.sim_fault(control, "eu20", "status 500")
    fin = w.wait(DETECT + SLACK + 5, type="action", phase="finished")
    check("(a) the failover action ran to the end, exit 0, by auto",
          fin and fin[0]["exit"] == 0 and fin[0]["by"] == "auto" and
          fin[0]["name"] == "failover" and fin[0]["from"] == "eu20" and
          fin[0]["to"] == "us21" and fin[0].get("error") is None, fin)
    # Leave time for a (wrong) repeat: more than hold_down.
    time.sleep(3.5)
    c = calls(sub)
    check("(a) the action ran once with {from} {to} {service} substituted",
          c == ["eu20|us21|svc=autofail-test"], c)
    st = w.events(type="action", phase="started")
    out = w.events(type="action", phase="output")
    check("(a) one started event and its output line, by auto",
          len(st) == 1 and st[0]["by"] == "auto" and
          st[0]["from"] == "eu20" and st[0]["to"] == "us21" and
          any(o["line"] == "moving eu20 -> us21" for o in out), (st, out))
    routes = [e for e in w.events(type="route") if e["from"] is not None]
    check("(a) one route event for the move (cause auto), none added for "
          "the action", len(routes) == 1 and routes[0]["to"] == "us21" and
          routes[0]["cause"] == "auto", routes)
    evs = w.events()
    ri = evs.index(routes[0]) if routes else -1
    si = evs.index(st[0]) if st else -1
    check("(a) the action starts after the route event that asked for it",
          0 <= ri < si, (ri, si))
    rc = w.stop()
    check("(a) watch exits 0", rc == 0, (rc, w.p.stderr.read()))
    reset(control)


def case_flapping(d, regions, dns_addr, control):
    hold = 3.0
    path, sub = make_profile(d, regions, dns_addr, "b", hold_down=hold,
                             tolerated=0, argv=None)
    prof = json.load(open(path))
    prof["actions"]["failover"]["argv"] = [recorder(sub), "{from}", "{to}"]
    drtest.write_json(path, prof)
    # ap10 stays down: traffic can only flap between eu20 and us21.
    drtest.sim_fault(control, "ap10", "status 500")
    w = Watch(path)
    check("(b) first route to eu20", first_route(w))
    start = time.monotonic()
    bad = "eu20"
    flips = 0
    while time.monotonic() - start < 10.0 and flips < 12:
        good = "us21" if bad == "eu20" else "eu20"
        drtest.sim_fault(control, good, "ok")
        drtest.sim_fault(control, bad, "status 500")
        flips += 1
        bad = good
        time.sleep(1.0)
    elapsed = time.monotonic() - start
    reset(control)
    time.sleep(1.0)
    rc = w.stop()
    routes = [e for e in w.events(type="route") if e["from"] is not None and
              e["from"] != e["to"]]
    st = w.events(type="action", phase="started")
    fin = w.events(type="action", phase="finished")
    c = calls(sub)
    ts = [e["t"] for e in st]
    gaps = [b - a for a, b in zip(ts, ts[1:])]
    limit = int((elapsed + 1.0 + SLACK) / hold) + 1
    check("(b) the route flapped (%d moves in %.1f s)" % (len(routes),
                                                         elapsed),
          len(routes) >= 5, [(e["t"], e["to"]) for e in routes])
    check("(b) the action ran at least once and fewer times than the route "
          "moved", 1 <= len(st) < len(routes), (len(st), len(routes)))
    check("(b) started events are at least hold_down (%g s) apart" % hold,
          all(g >= hold - 1e-3 for g in gaps), gaps)
    check("(b) at most one action per hold_down over the run (%d <= %d)" %
          (len(st), limit), len(st) <= limit, ts)
    check("(b) the file has one line per started event, each a real move",
          len(c) == len(st) and
          all(x.split("|")[0] != x.split("|")[1] for x in c), (c, len(st)))
    check("(b) every started action finished with exit 0",
          len(fin) == len(st) and all(f["exit"] == 0 for f in fin), fin)
    check("(b) watch exits 0", rc == 0, rc)


def case_disabled(d, regions, dns_addr, control):
    path, sub = make_profile(d, regions, dns_addr, "c", auto=False,
                             argv=None)
    prof = json.load(open(path))
    prof["actions"]["failover"]["argv"] = [recorder(sub), "{from}", "{to}"]
    drtest.write_json(path, prof)
    w = Watch(path)
    check("(c) first route to eu20", first_route(w))
    drtest.sim_fault(control, "eu20", "status 500")
    moved = w.wait(DETECT + SLACK, type="route", to="us21")
    check("(c) auto_failover false: the route still moves to us21 (auto)",
          moved and moved[0]["cause"] == "auto", moved)
    time.sleep(2.0)
    check("(c) no action runs at all",
          not w.events(type="action") and not calls(sub),
          (w.events(type="action"), calls(sub)))
    rc = w.stop()
    check("(c) watch exits 0", rc == 0, rc)
    reset(control)


def case_failing(d, regions, dns_addr, control):
    hold = 6.0
    path, sub = make_profile(d, regions, dns_addr, "d", hold_down=hold,
                             argv=None, tolerated=0)
    prof = json.load(open(path))
    fail = script(sub, "fail.sh",
                  'echo "cannot reach the traffic manager" >&2\n'
                  'echo "$1 $2" >> calls.txt\nexit 3\n')
    prof["actions"]["failover"]["argv"] = [fail, "{from}", "{to}"]
    drtest.write_json(path, prof)
    # ap10 stays down: traffic can only go between eu20 and us21.
    drtest.sim_fault(control, "ap10", "status 500")
    w = Watch(path)
    check("(d) first route to eu20", first_route(w))
    drtest.sim_fault(control, "eu20", "status 500")
    fin = w.wait(DETECT + SLACK + 5, type="action", phase="finished")
    check("(d) the failing action is reported with exit 3",
          fin and fin[0]["exit"] == 3 and fin[0]["by"] == "auto", fin)
    out = w.events(type="action", phase="output")
    check("(d) its stderr is in the stream",
          any("cannot reach" in o["line"] for o in out), out)
    # Move the route again at once (us21 fails, eu20 back): inside
    # hold_down nothing may run again.
    st = w.events(type="action", phase="started")
    t_fail = fin[0]["t"] if fin else 0
    drtest.sim_fault(control, "eu20", "ok")
    drtest.sim_fault(control, "us21", "status 500")
    back = drtest.wait_for(lambda: [
        e for e in w.events(type="route", to="eu20") if e["from"]],
        DETECT + SLACK)
    check("(d) the route moved back to eu20 within hold_down",
          back and st and back[0]["t"] - st[0]["t"] < hold, (back, st[:1]))
    if st:
        drtest.wait_for(lambda: w.events()[-1]["t"] >= st[0]["t"] + hold - 0.5,
                        hold + SLACK)
    st2 = w.events(type="action", phase="started")
    check("(d) no second action within hold_down", len(st2) == 1,
          [e["t"] for e in st2])
    probes = w.events(type="probe")
    check("(d) watch goes on probing after the failure",
          w.p.poll() is None and probes and probes[-1]["t"] > t_fail + 1,
          t_fail)
    # After hold_down the pending move (us21 -> eu20) runs, once.
    later = drtest.wait_for(
        lambda: len(w.events(type="action", phase="finished")) >= 2,
        hold + SLACK)
    fins = w.events(type="action", phase="finished")
    st2 = w.events(type="action", phase="started")
    check("(d) after hold_down the coalesced move runs once (us21 -> eu20)",
          later and fins[1]["from"] == "us21" and fins[1]["to"] == "eu20" and
          fins[1]["exit"] == 3 and len(st2) == 2 and
          st2[1]["t"] - st2[0]["t"] >= hold - 1e-3,
          (fins, [e["t"] for e in st2]))
    rc = w.stop()
    check("(d) watch exits 0", rc == 0, rc)
    reset(control)


def case_stop_while_running(d, regions, dns_addr, control):
    path, sub = make_profile(d, regions, dns_addr, "e", argv=None)
    prof = json.load(open(path))
    slow = script(sub, "slow.sh", 'echo "switching"\nexec sleep 60\n')
    prof["actions"]["failover"]["argv"] = [slow, "{from}", "{to}"]
    drtest.write_json(path, prof)
    w = Watch(path)
    check("(e) first route to eu20", first_route(w))
    drtest.sim_fault(control, "eu20", "status 500")
    out = w.wait(DETECT + SLACK + 5, type="action", phase="output")
    check("(e) the slow action is running", out, w.events(type="action"))
    t = time.monotonic()
    rc = w.stop(signal.SIGTERM)
    took = time.monotonic() - t
    fin = w.events(type="action", phase="finished")
    check("(e) on SIGTERM watch stops the action and writes its finished "
          "event before exiting 0",
          rc == 0 and len(fin) == 1 and fin[0]["signal"] == 15 and
          "exiting" in (fin[0].get("error") or ""), (rc, fin))
    check("(e) ... without waiting for the action's 60 s", took < 20, took)
    reset(control)


def case_runbook(d, regions, dns_addr, control):
    path, sub = make_profile(d, regions, dns_addr, "f", argv=None)
    prof = json.load(open(path))
    ok = script(sub, "step.sh", 'echo "$1" >> steps.txt\nexit "$2"\n')
    prof["actions"]["failover"] = [
        {"name": "drain", "argv": [ok, "drain", "0"]},
        {"name": "switch", "argv": [ok, "switch {to}", "4"]},
        {"name": "verify", "argv": [ok, "verify", "0"]}]
    drtest.write_json(path, prof)
    w = Watch(path)
    check("(f) first route to eu20", first_route(w))
    drtest.sim_fault(control, "eu20", "status 500")
    fin = drtest.wait_for(lambda: [e for e in w.events(
        type="action", phase="finished") if e.get("step") is None],
        DETECT + SLACK + 10)
    steps = w.events(type="action", phase="finished")
    check("(f) the runbook ends failed at step 2 (exit 4) and is aborted",
          fin and fin[0]["by"] == "auto" and fin[0].get("error") and
          "switch" in fin[0]["error"] and
          [e.get("step") for e in steps] == ["drain", "switch", None] and
          steps[1]["exit"] == 4, steps)
    try:
        ran = open(os.path.join(sub, "steps.txt")).read().splitlines()
    except FileNotFoundError:
        ran = []
    check("(f) the third step never ran", ran == ["drain", "switch us21"],
          ran)
    rc = w.stop()
    check("(f) watch exits 0", rc == 0, rc)
    reset(control)


def case_no_action(d, regions, dns_addr, control):
    path, sub = make_profile(d, regions, dns_addr, "g", argv=None)
    prof = json.load(open(path))
    del prof["actions"]
    drtest.write_json(path, prof)
    w = Watch(path)
    check("(g) first route to eu20", first_route(w))
    drtest.sim_fault(control, "eu20", "status 500")
    err = w.wait(DETECT + SLACK, type="error", source="autofail")
    check("(g) no failover action: an error event names the move",
          err and "eu20" in err[0]["message"] and
          "us21" in err[0]["message"] and
          "no failover action" in err[0]["message"], err)
    rc = w.stop()
    check("(g) watch exits 0 and ran no action",
          rc == 0 and not w.events(type="action"), rc)
    reset(control)


def main():
    d = drtest.tmpdir()
    sim, regions, control = drtest.sim_start(
        ["--control", "0", "--base-port", "0", "--ttl", "5"])
    if not check("sim started", len(regions) == 3):
        drtest.done()
    case_runs_once(d, regions, sim.dns_addr, control)
    case_disabled(d, regions, sim.dns_addr, control)
    case_failing(d, regions, sim.dns_addr, control)
    case_flapping(d, regions, sim.dns_addr, control)
    case_stop_while_running(d, regions, sim.dns_addr, control)
    case_runbook(d, regions, sim.dns_addr, control)
    case_no_action(d, regions, sim.dns_addr, control)
    drtest.done()


if __name__ == "__main__":
    main()
