"""Screen test: `q` while an action runs asks first. Against `drtop sim`
(loopback only) with a failover action that runs until stopped: the
first q leaves the console running and says that q again stops the
action and quits; any other key in between withdraws the question (the
next q asks again); a second q in a row quits with status 0, the
terminal comes back, and the action's process is stopped."""
import os
import stat
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import drtest  # noqa: E402
from drtest import check  # noqa: E402
from screen import Screen, endpoint_state  # noqa: E402

START = 60
ASK = "an action is running: q again stops it and quits"


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def read_pid(path):
    try:
        with open(path) as f:
            v = f.read().strip()
        return int(v) if v else None
    except (FileNotFoundError, ValueError):
        return None


def main():
    d = drtest.tmpdir()
    sim, regions, control = drtest.sim_start()
    check("sim started", len(regions) >= 2, regions)
    if len(regions) < 2:
        drtest.done()
    names = list(regions)
    first, second = names[0], names[1]
    pidfile = os.path.join(d, "action.pid")
    slow = os.path.join(d, "slow.sh")
    with open(slow, "w") as f:
        # runs until stopped (bounded: 60 s), its pid where the test
        # can see it
        f.write('#!/bin/sh\necho $$ > "%s"\necho "failing over to $DRTOP_TO"\n'
                'i=0; while [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\n'
                % pidfile)
    os.chmod(slow, os.stat(slow).st_mode | stat.S_IXUSR)
    prof = drtest.write_json(os.path.join(d, "quit.json"), {
        "service": "quit-test",
        "monitor": {"interval": 0.5, "timeout": 0.4},
        "endpoints": [{"name": n, "target": u, "priority": i + 1}
                      for i, (n, u) in enumerate(regions.items())],
        "actions": {"failover": {"argv": [slow, "{from}", "{to}"],
                                 "timeout": 120}}})
    # wide enough for the whole status line with the question on it
    scr = Screen([drtest.DRTOP, prof], x=140, y=30, tmp=d)
    try:
        s = scr.wait_for(lambda x: all(endpoint_state(x, n) == "ONLINE"
                                       for n in names), START)
        check("every endpoint ONLINE", s is not None,
              getattr(scr, "last", ""))
        if s is None:
            return
        scr.keys("Down", "f")
        s = scr.wait_for(lambda x: "Type %s" % second in x, 10)
        check("f: the failover dialog", s is not None,
              getattr(scr, "last", ""))
        scr.keys(*list(second), "Enter")
        s = scr.wait_for(lambda x: "failover running" in x and
                         "failing over to %s" % second in x, 20)
        check("the action runs", s is not None, getattr(scr, "last", ""))
        ok = drtest.wait_for(lambda: read_pid(pidfile) is not None, 10)
        pid = read_pid(pidfile)
        check("the action's process is up", ok and pid and alive(pid), pid)

        # q asks first
        scr.keys("q")
        s = scr.wait_for(lambda x: ASK in x, 10)
        check("q: asks while the action runs", s is not None,
              getattr(scr, "last", ""))
        check("q: does not quit", scr.exit_status(timeout=2) is None)
        s = scr.capture()
        check("q: the console is still up", "Endpoints" in s and
              "failover running" in s, s)
        check("q: the action still runs", pid and alive(pid))

        # another key withdraws the question (and the notice): the next
        # q asks again
        time.sleep(1.5)
        check("the question stays until a key", ASK in scr.capture())
        scr.keys("j")
        s = scr.wait_for(lambda x: ASK not in x, 10)
        check("a key withdraws it", s is not None, getattr(scr, "last", ""))
        scr.keys("q")
        s = scr.wait_for(lambda x: ASK in x, 10)
        check("j then q: asks again", s is not None and "Endpoints" in s,
              getattr(scr, "last", ""))
        check("j then q: does not quit", scr.exit_status(timeout=2) is None)

        # q again, right away: stops the action and quits
        scr.keys("q")
        st = scr.exit_status(timeout=20)
        check("q q: exits with status 0", st == 0, st)
        s = scr.wait_for(lambda x: "drtop-test-prompt$" in x, 10)
        check("q q: back at the shell prompt", s is not None,
              getattr(scr, "last", ""))
        check("q q: alternate screen left",
              scr.display("#{alternate_on}") == "0")
        gone = drtest.wait_for(lambda: not (pid and alive(pid)), 15)
        check("q q: the action's process was stopped", gone, pid)
    finally:
        scr.close()
    drtest.done()


if __name__ == "__main__":
    main()
