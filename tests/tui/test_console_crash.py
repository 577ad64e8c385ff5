"""Screen test: die() in a background thread while the console runs
puts the terminal back without curses. DRTOP_TEST_DIE_AFTER (a hook for
tests only, tui/term.h) makes a thread that is not the console's call
die() a few seconds after curses started; the die hook must leave the
alternate screen, show the cursor and restore the terminal's modes
(`stty -a` in the same terminal afterwards: icanon, echo), and die()'s
message must be readable at the shell prompt. A control run killed with
SIGKILL (no hook at all) shows that these checks do see a terminal left
raw."""
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import drtest  # noqa: E402
from drtest import check  # noqa: E402
from screen import Screen  # noqa: E402

START = 60
DIE_AFTER = 6  # seconds after curses started
MESSAGE = "drtop: test: die() from a background thread"


def console(d, name, env=None):
    """drtop --demo in a shell that runs `stty -a` in the same terminal
    once drtop is gone; returns (screen, path of stty's output)."""
    out = os.path.join(d, name + ".stty")
    script = ("'%s' --demo; st=$?; stty -a > '%s' 2>&1; exit $st"
              % (drtest.DRTOP, out))
    return Screen(["sh", "-c", script], tmp=d, env=env), out


def drtop_pid(scr):
    """drtop's pid: the child of the shell that runs it and stty."""
    sh = scr.drtop_pid()
    if sh is None:
        return None
    r = subprocess.run(["pgrep", "-P", str(sh)], capture_output=True,
                       text=True)
    pids = [int(p) for p in r.stdout.split()]
    return pids[0] if pids else None


def modes(path):
    """The words of `stty -a` ("icanon", "-echo", ...)."""
    end = drtest.wait_for(lambda: os.path.exists(path) and
                          os.path.getsize(path) > 0, 10)
    if not end:
        return set()
    with open(path) as f:
        return set(f.read().replace(";", " ").split())


def main():
    d = drtest.tmpdir()
    scr, stty = console(d, "die", {"DRTOP_TEST_DIE_AFTER": str(DIE_AFTER)})
    try:
        s = scr.wait_for(lambda x: "Endpoints" in x, START)
        check("die: the console is up", s is not None,
              getattr(scr, "last", ""))
        check("die: on the alternate screen, cursor hidden",
              scr.display("#{alternate_on}") == "1" and
              scr.display("#{cursor_flag}") == "0")
        st = scr.exit_status(timeout=DIE_AFTER + 20)
        check("die: aborted (status 134, SIGABRT)", st == 134, st)
        s = scr.wait_for(lambda x: "drtop-test-prompt$" in x, 10)
        check("die: back at the shell prompt", s is not None,
              getattr(scr, "last", ""))
        check("die: the message is readable", s is not None and
              MESSAGE in s, s)
        check("die: alternate screen left",
              scr.display("#{alternate_on}") == "0")
        check("die: cursor shown again", scr.display("#{cursor_flag}") == "1")
        m = modes(stty)
        check("die: stty -a shows icanon and echo (cooked again)",
              "icanon" in m and "echo" in m and "-icanon" not in m and
              "-echo" not in m, sorted(w for w in m if "icanon" in w or
                                       "echo" in w))
    finally:
        scr.close()

    # control: SIGKILL runs no hook; the same checks see a raw terminal
    scr, stty = console(d, "kill")
    try:
        s = scr.wait_for(lambda x: "Endpoints" in x, START)
        check("control: the console is up", s is not None,
              getattr(scr, "last", ""))
        pid = drtop_pid(scr)
        check("control: found the process", pid is not None)
        if pid:
            os.kill(pid, signal.SIGKILL)
        st = scr.exit_status()
        check("control: killed (status 137)", st == 137, st)
        m = modes(stty)
        check("control: the terminal is left raw (-icanon -echo)",
              "-icanon" in m and "-echo" in m,
              sorted(w for w in m if "icanon" in w or "echo" in w))
        check("control: still on the alternate screen",
              scr.display("#{alternate_on}") == "1")
    finally:
        scr.close()
    drtest.done()


if __name__ == "__main__":
    main()
