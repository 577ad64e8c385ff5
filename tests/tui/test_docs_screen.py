"""The documents show the screen as it is: every key bar drawn in a
screen sample of doc/console.md and README.md equals the last line of
the real console at 80x24, for a live profile (on `drtop sim --write-
profile`, UTF-8 and --ascii) and for --demo; and every line of an 80x24
sample is at most 80 columns wide. The key bar comes from the key
tables, so a change there fails here until the documents follow."""
import os
import re
import sys
import unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import drtest  # noqa: E402
from drtest import ROOT, check  # noqa: E402
from screen import Screen  # noqa: E402

START = 60
DOCS = [os.path.join(ROOT, "doc", "console.md"), os.path.join(ROOT, "README.md")]


def blocks(path):
    """The fenced code blocks of a Markdown file, as lists of lines."""
    with open(path) as f:
        text = f.read()
    return [b.split("\n") for b in re.findall(r"^```[a-z]*\n(.*?)^```", text,
                                               re.S | re.M)]


def is_screen(block):
    """A sample screen: a block of about a terminal's height whose first
    line is the title bar ("─ DNS" or "- DNS")."""
    return len(block) >= 20 and re.match(r"^[─-] (DNS|expected)", block[0])


def width(line):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in line)


def key_bar(scr):
    s = scr.wait_for(lambda t: "Endpoints" in t and
                     t.rstrip("\n").split("\n")[-1].strip() != "", START)
    if s is None:
        return None
    return s.rstrip("\n").split("\n")[-1].rstrip()


def main():
    tmp = drtest.tmpdir()
    sim, regions, control = drtest.sim_start(
        ("--control", "0", "--base-port", "0", "--write-profile",
         os.path.join(tmp, "sim.json")))
    check("sim ready with a profile", len(regions) == 3 and sim.profile,
          sim.stderr)
    bars = {}
    for name, args in (("live", [sim.profile]),
                       ("live --ascii", ["--ascii", sim.profile]),
                       ("demo", ["--demo"])):
        scr = Screen([drtest.DRTOP] + args, tmp=tmp)
        try:
            bars[name] = key_bar(scr)
        finally:
            scr.close()
        check("%s: the console shows a key bar" % name,
              bars[name] and "? help" in bars[name], bars[name])
    check("the key bar is the same in UTF-8 and ASCII",
          bars["live"] == bars["live --ascii"], bars)

    nscreens = 0
    for path in DOCS:
        rel = os.path.relpath(path, ROOT)
        for b in blocks(path):
            if not is_screen(b):
                continue
            nscreens += 1
            lines = [l for l in b if l != ""]
            wide = [l for l in lines if width(l) > 80]
            check("%s: sample \"%s\" fits 80 columns" % (rel, lines[0][:30]),
                  wide == [], wide)
            demo = any("DEMO" in l for l in lines)
            want = bars["demo" if demo else "live"]
            check("%s: sample \"%s\": its key bar is the screen's" % (
                rel, lines[0][:30]), lines[-1].rstrip() == want,
                (lines[-1], want))
    check("doc/console.md and README.md hold 80x24 samples", nscreens >= 4,
          nscreens)
    # Key bars quoted outside a sample (e.g. "the key bar starts with")
    for path in DOCS:
        with open(path) as f:
            text = f.read()
        for m in re.finditer(r"`(\? help  q quit[^`]*)`", text):
            check("%s: quoted key bar is a prefix of the screen's" %
                  os.path.relpath(path, ROOT),
                  bars["live"].strip().startswith(m.group(1)), m.group(1))
    drtest.stop(sim)
    drtest.done()


main()
