"""Screen tests of every theme on the terminals people have: TERM=xterm,
screen and linux (8 colours), vt100 (none), xterm-256color and
tmux-256color, and NO_COLOR. No non-blank cell is ever black text on the
default background (invisible on a dark terminal), after a fault too;
colour is in use where the terminal has it, so the check can fail."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import drtest  # noqa: E402
from drtest import check  # noqa: E402
from screen import Screen, endpoint_state  # noqa: E402

START = 60
THEMES = ["dark", "light", "high-contrast", "mono"]
TERMS = ["xterm", "screen", "linux", "vt100", "xterm-256color", "tmux-256color"]
SGR = re.compile(r"\x1b\[([0-9;:]*)m")
BLACK = {0, 16, 232}


def cells(text):
    """(char, fg, bg, reverse) of every non-blank character of a
    `capture-pane -e` text; fg/bg None for the default colour."""
    fg = bg = None
    rev = False
    out = []
    pos = 0
    for m in list(SGR.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        for ch in text[pos:end]:
            if not ch.isspace():
                out.append((ch, fg, bg, rev))
        if m is None:
            break
        pos = m.end()
        ps = [int(p) if p else 0 for p in m.group(1).replace(":", ";").split(";")]
        i = 0
        while i < len(ps):
            p = ps[i]
            if p == 0:
                fg = bg = None
                rev = False
            elif p == 7:
                rev = True
            elif p == 27:
                rev = False
            elif 30 <= p <= 37:
                fg = p - 30
            elif 90 <= p <= 97:
                fg = p - 90 + 8
            elif p == 39:
                fg = None
            elif 40 <= p <= 47:
                bg = p - 40
            elif 100 <= p <= 107:
                bg = p - 100 + 8
            elif p == 49:
                bg = None
            elif p in (38, 48) and i + 2 < len(ps) and ps[i + 1] == 5:
                if p == 38:
                    fg = ps[i + 2]
                else:
                    bg = ps[i + 2]
                i += 2
            elif p in (38, 48) and i + 4 < len(ps) and ps[i + 1] == 2:
                v = 0 if ps[i + 2:i + 5] == [0, 0, 0] else 255
                if p == 38:
                    fg = v
                else:
                    bg = v
                i += 4
            i += 1
    return out


def invisible(cs):
    bad = []
    for ch, fg, bg, rev in cs:
        if rev:
            fg, bg = bg, fg
        if fg in BLACK and bg is None:
            bad.append(ch)
    return bad


def up(s):
    return all(endpoint_state(s, n) is not None for n in ("eu20", "us21", "ap10")) \
        and "Events" in s


def start(theme, term, env=None):
    args = ["env", "TERM=" + term]
    if env:
        args += ["%s=%s" % kv for kv in env.items()]
    return Screen(args + [drtest.DRTOP, "--demo", "--theme", theme],
                  tmp=drtest.tmpdir())


def main():
    runs = []
    for theme in THEMES:
        for term in TERMS:
            runs.append(("%s on %s" % (theme, term), start(theme, term), term))
        runs.append(("%s with NO_COLOR" % theme,
                     start(theme, "xterm", {"NO_COLOR": "1"}), "NO_COLOR"))
    try:
        for name, scr, _ in runs:
            s = scr.wait_for(up, START)
            check("%s: console up" % name, s is not None, getattr(scr, "last", ""))
            if s is not None:
                scr.keys("1")  # a fault: degraded rows, the banner, timeline marks
        for name, scr, term in runs:
            s = scr.wait_for(lambda x: endpoint_state(x, "eu20") == "DEGRADED", 30)
            check("%s: the fault shows" % name, s is not None, getattr(scr, "last", ""))
            cs = cells(scr.capture(escapes=True))
            check("%s: something drawn" % name, len(cs) > 500, len(cs))
            bad = invisible(cs)
            check("%s: no black text on the default background" % name,
                  bad == [], "%d cells: %r" % (len(bad), "".join(bad[:60])))
            coloured = [c for c in cs if c[1] is not None or c[2] is not None]
            if term in ("vt100", "NO_COLOR") or name.startswith("mono"):
                check("%s: no colour" % name, coloured == [], len(coloured))
            else:
                check("%s: colour in use" % name, len(coloured) > 50, len(coloured))
            if term in ("xterm", "screen", "linux"):
                high = [c for c in cs if (c[1] or 0) > 7 or (c[2] or 0) > 7]
                check("%s: only the 8 colours" % name, high == [], high[:5])
            scr.keys("q")
            check("%s: q exits 0" % name, scr.exit_status() == 0)
    finally:
        for _, scr, _ in runs:
            scr.close()
    drtest.done()


if __name__ == "__main__":
    main()
