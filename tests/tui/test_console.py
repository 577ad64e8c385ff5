"""Screen tests of the console on `drtop --demo` in a real terminal
(tmux, private socket): 80x24 shows the regions ONLINE and the map; a
fault makes eu20 DEGRADED within its detection bound while the title
still shows DNS answering eu20 (the demo's manager is manual: nothing
moves by itself); once the operator fails over, DNS is seen to move and
the TTL countdown appears; resizes (200x60, too small, back); help from
the key
table; q exits 0 with the terminal restored; SIGTERM does the same."""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import drtest  # noqa: E402
from drtest import check  # noqa: E402
from screen import Screen, endpoint_state, endpoint_rows, session_profile  # noqa: E402

NAMES = ["eu20", "us21", "ap10"]
# Start-up on a loaded 2-core machine: generous, polled, never slept.
START = 60


def braille_cells(s):
    return sum(1 for ch in s if 0x2800 <= ord(ch) <= 0x28FF)


def all_online(s):
    return s if all(endpoint_state(s, n) == "ONLINE" for n in NAMES) else None


def main():
    tmp = drtest.tmpdir()
    record = os.path.join(tmp, "demo.jsonl")
    scr = Screen([drtest.DRTOP, "--demo", "--record", record], tmp=tmp)
    try:
        run(scr, record)
    finally:
        scr.close()

    # SIGTERM: the terminal is restored and the process exits
    scr = Screen([drtest.DRTOP, "--demo"], tmp=tmp)
    try:
        up = scr.wait_for(lambda s: "Endpoints" in s, START)
        check("sigterm: console up", up is not None)
        pid = scr.drtop_pid()
        check("sigterm: found the process", pid is not None)
        if pid:
            os.kill(pid, signal.SIGTERM)
        st = scr.exit_status()
        check("sigterm: exits with status 0", st == 0, st)
        back = scr.wait_for(lambda s: "drtop-test-prompt$" in s, 10)
        check("sigterm: back at the shell prompt", back is not None)
        check("sigterm: alternate screen left",
              scr.display("#{alternate_on}") == "0")
    finally:
        scr.close()

    # Ctrl-C in the terminal: SIGINT, same clean exit
    scr = Screen([drtest.DRTOP, "--demo"], tmp=tmp)
    try:
        up = scr.wait_for(lambda s: "Endpoints" in s, START)
        check("ctrl-c: console up", up is not None)
        scr.keys("C-c")
        st = scr.exit_status()
        check("ctrl-c: exits with status 0", st == 0, st)
        back = scr.wait_for(lambda s: "drtop-test-prompt$" in s, 10)
        check("ctrl-c: terminal restored", back is not None and
              scr.display("#{alternate_on}") == "0")
    finally:
        scr.close()

    # bad usage and a bad theme are exit 2, before any terminal work
    r = drtest.run([drtest.DRTOP, "--theme", "no-such-theme", "--demo"])
    check("bad theme: exit 2", r.returncode == 2, r.returncode)
    check("bad theme: names it", "no-such-theme" in r.stderr, r.stderr)
    r = drtest.run([drtest.DRTOP, "--ascii"])
    check("no profile: exit 2", r.returncode == 2, r.returncode)
    r = drtest.run([drtest.DRTOP, "--demo", "--bogus"])
    check("unknown option: exit 2", r.returncode == 2, r.returncode)
    drtest.done()


def run(scr, record):
    s = scr.wait_for(all_online, START)
    check("80x24: eu20, us21, ap10 ONLINE", s is not None,
          getattr(scr, "last", ""))
    if s is None:
        return
    lines = s.splitlines()
    check("80x24: exactly 24 rows drawn", len(lines) <= 24 and "Events" in s)
    check("80x24: braille world map", braille_cells("\n".join(lines[:8])) > 60,
          braille_cells(s))
    check("80x24: map markers with state", "eu20 ONLINE" in "\n".join(lines[:8]))
    check("80x24: mode DEMO in the status line", "DEMO" in lines[-2])
    check("80x24: key bar from the key table",
          "? help" in lines[-1] and "q quit" in lines[-1], lines[-1])
    check("80x24: timeline and events panes", "Probes" in s and "Events" in s)
    check("80x24: the title is what DNS answers: eu20",
          re.search(r"^\W*DNS \u2192 eu20 \d+/\d+", lines[0]) is not None and
          "expected" not in lines[0], lines[0])
    check("80x24: first endpoint selected",
          endpoint_rows(s)[0].lstrip().startswith(("\u25b8", ">")),
          endpoint_rows(s)[:1])

    # f asks first and shows what would run; Esc leaves the route alone
    scr.keys("f")
    f = scr.wait_for(lambda x: "Fail over" in x and "Type us21" in x, 10)
    check("f: failover dialog for eu20 -> us21", f is not None,
          getattr(scr, "last", ""))
    if f is not None:
        check("f: says exactly what runs",
              "argv[0] " in f or "No failover action is configured" in f, f)
    scr.keys("Escape")
    f = scr.wait_for(lambda x: "Fail over" not in x, 10)
    check("f: Esc cancels, DNS on eu20 and nothing else expected",
          f is not None and "DNS \u2192 eu20" in f.splitlines()[0] and
          "expected" not in f.splitlines()[0], f and f.splitlines()[0])

    prof = session_profile(record)
    check("record: session header with the profile", prof is not None)
    eu = [e for e in (prof or {}).get("endpoints", []) if e.get("name") == "eu20"]
    m = eu[0]["monitor"] if eu else {"interval": 5, "timeout": 5,
                                     "tolerated_failures": 3}
    bound = m["interval"] * (m["tolerated_failures"] + 1) + m["timeout"]
    slack = 10.0  # redraw, scheduling on a loaded machine
    t0 = time.monotonic()
    scr.keys("1")
    s = scr.wait_for(lambda x: endpoint_state(x, "eu20") == "DEGRADED",
                     bound + slack)
    took = time.monotonic() - t0
    check("fault 1: eu20 DEGRADED within %.1fs + %.0fs slack" % (bound, slack),
          s is not None, getattr(scr, "last", ""))
    if s is not None:
        check("fault 1: the fault is shown in the endpoint list",
              any("500" in l for l in endpoint_rows(s) if "eu20" in l),
              endpoint_rows(s))
        print("# eu20 degraded after %.2fs (bound %.1fs)" % (took, bound))
    # The demo's traffic manager is manual: nothing moves until the
    # operator fails over (f, the target's name); the title keeps showing
    # DNS on eu20 meanwhile, then its name server answers us21 at once
    # (DNS moved) and the resolvers' caches drain.
    top = scr.capture().splitlines()[0]
    check("fault 1: the title still shows DNS answering eu20 (manual "
          "manager: no route by itself)",
          "DNS \u2192 eu20" in top and "expected us21" not in top, top)
    scr.keys("f")
    f = scr.wait_for(lambda x: "Fail over" in x and "Type us21" in x, 10)
    check("fault 1: f asks to fail over to us21", f is not None,
          getattr(scr, "last", ""))
    scr.keys("u", "s", "2", "1", "Enter")

    def moved(x):
        top = x.splitlines()[0] if x else ""
        return "DNS \u2192 us21" in top and re.search(r"drain \d\d:\d\d", x)
    s = scr.wait_for(moved, 2 * slack + 5)
    check("fault 1: TTL countdown mm:ss appears once DNS moved",
          s is not None, getattr(scr, "last", ""))
    if s is not None:
        check("fault 1: traffic moved to us21: DNS answers it",
              re.search(r"DNS \u2192 us21 \d+/\d+", s.splitlines()[0]),
              s.splitlines()[0])
        check("fault 1: progress bar", "\u2588" in s or "\u2591" in s)
    # The failover's output pane covers the map: Esc hides it.
    scr.keys("Escape")
    scr.wait_for(lambda x: "Esc hides this" not in x, 10)

    # resize: large, too small, back
    scr.resize(200, 60)
    s = scr.wait_for(lambda x: len(x.splitlines()) > 40 and "j/k select" in x, 10)
    check("200x60: the console fills the larger screen", s is not None,
          getattr(scr, "last", ""))
    if s is not None:
        check("200x60: bigger map", braille_cells(s) > 600, braille_cells(s))
    scr.resize(60, 20)
    s = scr.wait_for(lambda x: "terminal too small (need 80x24)" in x, 10)
    check("60x20: too-small screen", s is not None, getattr(scr, "last", ""))
    check("60x20: still running", scr.exit_status(timeout=0.5) is None)
    scr.resize(80, 24)
    s = scr.wait_for(lambda x: "Endpoints" in x and "too small" not in x
                     and endpoint_state(x, "us21") is not None, 10)
    check("back to 80x24: console again", s is not None, getattr(scr, "last", ""))

    # help from the key table; Esc closes it
    scr.keys("?")
    s = scr.wait_for(lambda x: "Help: keys" in x, 10)
    check("?: help dialog", s is not None, getattr(scr, "last", ""))
    if s is not None:
        check("?: lists keys with their help",
              "this help" in s and "quit" in s and "region 1's fault" in s
              and "mark the drill's fault" in s, s)
    scr.keys("Escape")
    s = scr.wait_for(lambda x: "Help: keys" not in x and "Endpoints" in x, 10)
    check("Esc closes help", s is not None)

    # t: next theme, named in the status line
    scr.keys("t")
    s = scr.wait_for(lambda x: "theme light" in x, 10)
    check("t: next theme is light", s is not None,
          getattr(scr, "last", "").splitlines()[-2:])
    scr.keys("t", "t", "t")
    s = scr.wait_for(lambda x: "theme dark" in x, 10)
    check("t: the cycle comes back to dark", s is not None,
          getattr(scr, "last", ""))

    # Tab to the event log; Up scrolls it, End follows again
    scr.keys("Tab", "Tab", "Up")
    s = scr.wait_for(lambda x: "more below" in x, 10)
    check("events: Tab focuses the log and Up scrolls it", s is not None,
          getattr(scr, "last", ""))
    scr.keys("End", "Tab")
    s = scr.wait_for(lambda x: "more below" not in x, 10)
    check("events: End follows again", s is not None)

    # details: no header value ever, timings shown
    scr.keys("Enter")
    s = scr.wait_for(lambda x: "Last probes" in x, 10)
    check("Enter: details with the last probes", s is not None,
          getattr(scr, "last", ""))
    if s is not None:
        check("details: timing breakdown columns",
              "dns" in s and "connect" in s and "ttfb" in s and "total" in s)
    scr.keys("Escape")
    scr.wait_for(lambda x: "Last probes" not in x, 10)

    # x asks for the name; Esc cancels; the right name disables
    scr.keys("x")
    s = scr.wait_for(lambda x: "Type eu20" in x, 10)
    check("x: confirmation asks for the name", s is not None,
          getattr(scr, "last", ""))
    scr.keys("e", "u", "Escape")
    s = scr.wait_for(lambda x: "Type eu20" not in x, 10)
    check("x: Esc cancels", s is not None and
          endpoint_state(s, "eu20") != "DISABLED")
    scr.keys("x")
    scr.wait_for(lambda x: "Type eu20" in x, 10)
    scr.keys("e", "u", "2", "0", "Enter")
    s = scr.wait_for(lambda x: endpoint_state(x, "eu20") == "DISABLED", 10)
    check("x: typing the name disables eu20", s is not None,
          getattr(scr, "last", ""))

    scr.keys("q")
    st = scr.exit_status()
    check("q: exit status 0", st == 0, st)
    s = scr.wait_for(lambda x: "drtop-test-prompt$" in x, 10)
    check("q: back at the shell prompt", s is not None, getattr(scr, "last", ""))
    check("q: alternate screen left", scr.display("#{alternate_on}") == "0")
    check("q: cursor visible again", scr.display("#{cursor_flag}") == "1")
    with open(record) as f:
        kinds = [l.split('"type":"', 1)[1].split('"', 1)[0] for l in f if '"type":"' in l]
    check("record: probes, health and route events written",
          "probe" in kinds and "health" in kinds and "route" in kinds, kinds[:5])


if __name__ == "__main__":
    main()
