"""Screen test of what must never be cut at 80x24, with names as long as
real ones (a Traffic Manager name, regions named by their city, a drill
with a long name), over TERM=xterm in a C locale: the DNS title keeps
its TTL, every resolver line its rcode, the banner its verb and target,
the drill's status its phase and, once ended, its log path whole; long
notes go to the notice line, which stays until a key."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import drtest  # noqa: E402
from drtest import check  # noqa: E402
from screen import Screen  # noqa: E402

START = 60
FIRST, SECOND = "eu-central-frankfurt", "us-east-virginia-2"
NAME = "checkout.contoso-production.trafficmanager.test"
DRILL = "gameday-2026-12-regional-failover"
ENV = {"TERM": "xterm", "LC_ALL": "C", "LANG": "C"}


def lines(s):
    return s.splitlines()


def status(s):
    return lines(s)[-2] if len(lines(s)) >= 2 else ""


def main():
    work = drtest.tmpdir()
    sim, regions, control = drtest.sim_start([
        "--control", "0", "--base-port", "0", "--manager", "manual",
        "--regions", "%s,%s,ap10" % (FIRST, SECOND), "--dns-name", NAME,
        "--resolvers", "isp-caching-resolver-a=caching,isp-b=stale",
        "--write-profile", os.path.join(work, "p.json")])
    check("sim up", len(regions) == 3, sim.stderr.read1(4096) if not regions else "")
    if not regions:
        drtest.done()
    prof = os.path.join(work, "p.json")
    with open(prof) as f:
        p = json.load(f)
    p.setdefault("drill", {})["dir"] = "drills"
    drtest.write_json(prof, p)
    args = ["env"] + ["%s=%s" % kv for kv in ENV.items()] + [drtest.DRTOP, prof]
    scr = Screen(["sh", "-c", 'cd "$1" && shift && exec "$@"', "sh", work] + args,
                 tmp=work)
    try:
        s = scr.wait_for(lambda x: "Events" in x and "NOERROR" in x, START)
        check("console up", s is not None, getattr(scr, "last", ""))
        if s is None:
            return
        scr.keys("D")
        scr.wait_for(lambda x: "Start a drill" in x, 10)
        scr.keys("-l", DRILL)
        scr.keys("Enter")
        scr.wait_for(lambda x: "REC" in status(x), 10)
        scr.keys("i")
        scr.keys("Enter")
        drtest.sim_fault(control, FIRST, "status 500")
        s = scr.wait_for(lambda x: "press f" in x and "detected" in status(x), 30)
        check("after the fault: banner and detection", s is not None,
              getattr(scr, "last", ""))
        s = s or scr.last
        top = lines(s)[0]
        check("the DNS title keeps its TTL", top.rstrip().endswith("ttl 30s"), top)
        rows = [l for l in lines(s)[1:8] if "isp-" in l or "tm-ns" in l or "~" in l]
        rr = [l for l in lines(s)[1:8] if "NOERROR" in l]
        check("three resolver lines, each with its rcode", len(rr) == 3,
              "\n".join(lines(s)[:8]))
        check("resolver names shortened, not the rcode",
              all(l.rstrip().endswith("NOERROR") or "NOERROR " in l for l in rr),
              rows)
        banner = [l for l in lines(s) if "press f" in l]
        check("the banner keeps its verb and target",
              banner and ("fail over to %s? press f" % SECOND) in banner[0],
              banner)
        check("the drill line keeps its phase", "detected +" in status(s), status(s))
        check("no line wider than 80", all(len(l) <= 80 for l in lines(s)))

        # D ends the drill: the log path whole on the status line
        scr.keys("D")
        s = scr.wait_for(lambda x: " log drills/" in status(x), 10)
        check("the ended drill shows its log path", s is not None,
              getattr(scr, "last", ""))
        files = os.listdir(os.path.join(work, "drills")) if os.path.isdir(
            os.path.join(work, "drills")) else []
        check("one drill log", len(files) == 1, files)
        if s and files:
            check("... whole on the status line",
                  ("log drills/%s" % files[0]) in status(s), status(s))
            note = lines(s)[-1]
            check("... and on the notice line", ("drills/%s" % files[0]) in note,
                  note)
            scr.keys("Escape")
            s = scr.wait_for(lambda x: "? help" in lines(x)[-1], 10)
            check("a key gives the key bar back", s is not None,
                  getattr(scr, "last", ""))
        scr.keys("q")
        check("q exits 0", scr.exit_status() == 0)
    finally:
        scr.close()
    drtest.done()


if __name__ == "__main__":
    main()
