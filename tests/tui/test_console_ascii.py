"""Screen tests of the console's ASCII and no-colour renderings:
`--ascii` (and a non-UTF-8 locale) put no byte above 0x7F on screen, in
the console, the help, the details and the too-small screen; NO_COLOR=1
uses no colour at all, while the default theme does (so the check can
fail)."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import drtest  # noqa: E402
from drtest import check  # noqa: E402
from screen import Screen, endpoint_state  # noqa: E402

START = 60
NAMES = ["eu20", "us21", "ap10"]
# SGR parameters that select a colour (39/49 only reset to the default)
COLOUR = re.compile(r"^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$")


def up(s):
    return all(endpoint_state(s, n) is not None for n in NAMES) and "Events" in s


def high_bytes(b):
    return sorted({c for c in b if c > 0x7F})


def colour_codes(text):
    found = []
    for m in re.finditer(r"\x1b\[([0-9;:]*)m", text):
        for p in m.group(1).replace(":", ";").split(";"):
            if COLOUR.match(p):
                found.append(p)
    return found


def ascii_run(name, args, env=None):
    tmp = drtest.tmpdir()
    scr = Screen([drtest.DRTOP] + args, env=env, tmp=tmp)
    try:
        s = scr.wait_for(up, START)
        check("%s: console up" % name, s is not None, getattr(scr, "last", ""))
        if s is None:
            return
        scr.keys("1")  # failures and a route change draw more glyphs
        scr.wait_for(lambda x: endpoint_state(x, "eu20") == "DEGRADED", 30)
        b = scr.capture_bytes()
        check("%s: console is pure ASCII" % name, not high_bytes(b), high_bytes(b))
        check("%s: ASCII lines and map dots" % name,
              b"----" in b and b"..." in b)
        check("%s: state words still there" % name,
              b"ONLINE" in b and b"DEGRADED" in b)
        # a map label stands apart from the marks ("o us21", not "ous21"),
        # at the start and after the fault
        top = (s + "\n" + b.decode("ascii", "replace")).splitlines()
        top = top[1:6] + top[len(s.splitlines()) + 1:len(s.splitlines()) + 6]
        runs = [ln for ln in top for n in NAMES
                if re.search(r"[o*@]%s " % n, ln)]
        check("%s: map labels apart from the marks" % name, runs == [], runs)
        scr.keys("?")
        scr.wait_for(lambda x: "Help: keys" in x, 10)
        b = scr.capture_bytes()
        check("%s: help is pure ASCII" % name,
              b"Help: keys" in b and not high_bytes(b), high_bytes(b))
        check("%s: the help box is drawn with + - |" % name,
              b"+-" in b and b"-+" in b and b"|" in b)
        scr.keys("Escape", "Enter")
        scr.wait_for(lambda x: "Last probes" in x, 10)
        b = scr.capture_bytes()
        check("%s: details are pure ASCII" % name,
              b"Last probes" in b and not high_bytes(b), high_bytes(b))
        scr.keys("Escape")
        scr.resize(60, 20)
        scr.wait_for(lambda x: "too small" in x, 10)
        b = scr.capture_bytes()
        check("%s: too-small screen is pure ASCII" % name,
              b"too small" in b and not high_bytes(b), high_bytes(b))
        scr.resize(200, 60)
        scr.wait_for(lambda x: "Endpoints" in x and len(x.splitlines()) > 40, 10)
        b = scr.capture_bytes()
        check("%s: 200x60 is pure ASCII" % name,
              b"Endpoints" in b and not high_bytes(b), high_bytes(b))
        scr.keys("q")
        check("%s: q exits 0" % name, scr.exit_status() == 0)
    finally:
        scr.close()


def colour_run(name, env, expect_colour):
    tmp = drtest.tmpdir()
    scr = Screen([drtest.DRTOP, "--demo"], env=env, tmp=tmp)
    try:
        s = scr.wait_for(up, START)
        check("%s: console up" % name, s is not None, getattr(scr, "last", ""))
        if s is None:
            return
        text = scr.capture(escapes=True)
        codes = colour_codes(text)
        if expect_colour:
            check("%s: colour in use" % name, len(codes) > 0)
        else:
            check("%s: no colour at all" % name, codes == [], codes[:10])
            check("%s: attributes still mark state" % name,
                  "\x1b[" in text and "Endpoints" in text)
        scr.keys("t")
        scr.wait_for(lambda x: "theme" in x, 5)
        codes = colour_codes(scr.capture(escapes=True))
        if not expect_colour:
            check("%s: t keeps mono" % name, codes == [], codes[:10])
        scr.keys("q")
        check("%s: q exits 0" % name, scr.exit_status() == 0)
    finally:
        scr.close()


def main():
    ascii_run("--ascii", ["--ascii", "--demo"])
    ascii_run("C locale", ["--demo"], env={"LC_ALL": "C", "LANG": "C"})
    colour_run("default theme", {}, True)
    colour_run("NO_COLOR=1", {"NO_COLOR": "1"}, False)
    drtest.done()


if __name__ == "__main__":
    main()
