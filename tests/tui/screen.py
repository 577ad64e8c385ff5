"""tmux-driven screen helpers for the console's screen tests.

Each Screen is a private tmux server (-L drtop-test-PID-N, -f /dev/null)
running one drtop in a wrapper shell that writes drtop's exit status to a
file and then prints a marker prompt, so a test can check both the status
and that the terminal came back. Everything is bounded in time.
"""
import json
import os
import re
import subprocess
import time

_count = 0


class Screen:
    def __init__(self, args, x=80, y=24, env=None, tmp="/tmp"):
        global _count
        _count += 1
        self.sock = "drtop-test-%d-%d" % (os.getpid(), _count)
        self.status_file = os.path.join(tmp, "status-%d" % _count)
        self.args = args
        e = dict(os.environ)
        e.pop("TMUX", None)
        e.setdefault("LC_ALL", "C.UTF-8")
        if env:
            e.update(env)
        self.env = e
        quoted = " ".join("'%s'" % a.replace("'", "'\\''") for a in args)
        # like an interactive shell, the wrapper survives a Ctrl-C aimed
        # at its child (a trapped signal is default again in the child)
        inner = ("trap : INT; %s; echo $? > '%s'; "
                 "printf 'drtop-test-prompt$ '; exec sleep 600") % (
            quoted, self.status_file)
        self.tmux("new-session", "-d", "-x", str(x), "-y", str(y),
                  "sh", "-c", inner)

    def tmux(self, *a, check=True):
        r = subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null"] + list(a),
                           capture_output=True, env=self.env, timeout=20)
        if check and r.returncode != 0:
            raise RuntimeError("tmux %s: %s" % (a, r.stderr.decode(errors="replace")))
        return r.stdout

    def capture(self, escapes=False):
        a = ["capture-pane", "-p"]
        if escapes:
            a.append("-e")
        return self.tmux(*a).decode("utf-8", errors="replace")

    def capture_bytes(self):
        return self.tmux("capture-pane", "-p")

    def display(self, fmt):
        return self.tmux("display-message", "-p", fmt).decode().strip()

    def keys(self, *k):
        self.tmux("send-keys", *k)

    def resize(self, x, y):
        self.tmux("resize-window", "-x", str(x), "-y", str(y))

    def wait_for(self, pred, timeout, step=0.1):
        """Poll pred(screen_text) until true or timeout; returns the last
        screen text when it matched, else None."""
        end = time.monotonic() + timeout
        while True:
            s = self.capture()
            if pred(s):
                return s
            if time.monotonic() >= end:
                self.last = s
                return None
            time.sleep(step)

    def drtop_pid(self):
        shell = self.display("#{pane_pid}")
        r = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True)
        pids = [int(p) for p in r.stdout.split()]
        return pids[0] if pids else None

    def exit_status(self, timeout=15):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                with open(self.status_file) as f:
                    v = f.read().strip()
                if v:
                    return int(v)
            except FileNotFoundError:
                pass
            time.sleep(0.1)
        return None

    def close(self):
        self.tmux("kill-server", check=False)


def rows_with(screen, word):
    return [l for l in screen.splitlines() if word in l]


def endpoint_rows(screen):
    """The endpoint list's rows: the lines between its column header
    (NAME ... STATE) and the timeline's title."""
    out, inside = [], False
    for l in screen.splitlines():
        if "NAME" in l and "STATE" in l:
            inside = True
            continue
        if inside and "Probes" in l:
            break
        if inside:
            out.append(l)
    return out


def endpoint_state(screen, name):
    """The state word of endpoint name in the endpoint list, or None."""
    for l in endpoint_rows(screen):
        m = re.search(r"%s\s.*?\b(ONLINE|DEGRADED|CHECKING|DISABLED)\b" % re.escape(name), l)
        if m:
            return m.group(1)
    return None


def session_profile(record_path, timeout=10):
    """The profile of a --record file's session header."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(record_path) as f:
                first = f.readline()
            if first.endswith("\n"):
                return json.loads(first)["profile"]
        except (FileNotFoundError, ValueError, KeyError):
            pass
        time.sleep(0.1)
    return None
