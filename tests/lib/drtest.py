"""Small harness for drtop's integration and screen tests.

Each check prints "ok - NAME" or "not ok - NAME" (tests/run.sh counts
them). Helpers start real processes on loopback and always clean up.
Run with /usr/bin/python3; DRTOP names the binary under test.
"""
import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.environ.get("DRTOP_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
DRTOP = os.environ.get("DRTOP") or os.path.join(ROOT, "drtop")
FAILED = 0
_procs = []
_tmpdirs = []


def check(name, cond, detail=""):
    """Record one assertion; never raises."""
    global FAILED
    if cond:
        print("ok - %s" % name, flush=True)
    else:
        FAILED += 1
        print("not ok - %s%s" % (name, (": " + str(detail)) if detail != "" else ""),
              flush=True)
    return bool(cond)


def done():
    """Exit with the status the checks call for."""
    sys.exit(1 if FAILED else 0)


def tmpdir():
    d = tempfile.mkdtemp(prefix="drtop-test-")
    _tmpdirs.append(d)
    return d


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def spawn(args, **kw):
    """Start a process in its own process group; killed at exit."""
    kw.setdefault("stdin", subprocess.DEVNULL)
    p = subprocess.Popen(args, start_new_session=True, **kw)
    _procs.append(p)
    return p


def stop(p, sig=signal.SIGTERM, timeout=10):
    """Signal a spawned process group and wait; returns the exit status."""
    if p.poll() is None:
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    return p.returncode


def run(args, timeout=60, **kw):
    """Run to completion; returns CompletedProcess with text output."""
    kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(args, capture_output=True, text=True,
                          timeout=timeout, **kw)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
    return path


def wait_for(pred, timeout, step=0.05):
    """Poll pred() until it returns a true value or timeout seconds pass."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= end:
            return v
        time.sleep(step)


@atexit.register
def _cleanup():
    for p in _procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
    for d in _tmpdirs:
        subprocess.run(["rm", "-rf", d])


def sim_start(args=("--control", "0", "--base-port", "0"), timeout=10):
    """Start `drtop sim ARGS` and wait (bounded) for its "ready" line.

    Returns (proc, regions, control): regions maps each name to its URL
    in priority order, control is the control URL or None. proc is
    stopped at exit like any spawn(); when "ready" did not come, regions
    is empty (read proc.stderr for the reason). The simulated DNS runs on
    an ephemeral port unless args name one: proc.dns_addr ("127.0.0.1:N")
    and proc.dns_name are set from its "dns" line; proc.resolvers lists
    (addr, role, name) from its "resolver" lines, proc.public maps each
    region to its public URL, proc.profile is the --write-profile path.
    """
    import select
    args = list(args)
    # never the fixed ports in tests: suites run side by side (CI runs
    # the plain and the sanitizer builds at once)
    if "--dns-port" not in args:
        args += ["--dns-port", "0"]
    if "--control" not in args:
        args += ["--control", "0"]
    if "--base-port" not in args:
        args += ["--base-port", "0"]
    p = spawn([DRTOP, "sim"] + args, stdout=subprocess.PIPE,
              stderr=subprocess.PIPE)
    out = b""
    end = time.monotonic() + timeout
    while b"ready\n" not in out and time.monotonic() < end:
        r, _, _ = select.select([p.stdout], [], [],
                                max(0, end - time.monotonic()))
        if not r:
            break
        chunk = os.read(p.stdout.fileno(), 4096)
        if not chunk:
            break
        out += chunk
    regions, control = {}, None
    p.resolvers, p.public, p.profile = [], {}, None
    if b"ready\n" in out:
        for line in out.decode().splitlines():
            w = line.split()
            if len(w) == 3 and w[0] == "region":
                regions[w[1]] = w[2]
            elif len(w) == 2 and w[0] == "control":
                control = w[1]
            elif len(w) == 3 and w[0] == "dns":
                p.dns_addr, p.dns_name = w[1], w[2]
            elif len(w) >= 4 and w[0] == "resolver":
                # The name is the rest of the line: it may hold spaces.
                p.resolvers.append((w[1], w[2], line.split(" ", 3)[3]))
            elif len(w) == 3 and w[0] == "public":
                p.public[w[1]] = w[2]
            elif len(w) >= 2 and w[0] == "profile":
                p.profile = line.split(" ", 1)[1]
    return p, regions, control


def sim_fault(control, region, text, timeout=10):
    """Set region's fault ("status 500", "refuse", ...) through drtop
    sim's control interface; returns (HTTP status, parsed JSON body)."""
    import urllib.error
    import urllib.request
    req = urllib.request.Request("%s/regions/%s/fault" % (control, region),
                                 data=text.encode(), method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read().decode())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode() or "{}")


def dns_query(addr, name, qtype=1, timeout=2.0, flags=False):
    """Send one DNS query over UDP to "host:port"; returns (rcode,
    [(type, ttl, rdata text)]) for the answer section, or None on
    timeout; with flags, (rcode, answers, the header's flags word).
    Enough of RFC 1035 for tests: A (1), CNAME (5), AAAA (28)."""
    import random
    import struct
    want_flags = flags
    host, port = addr.rsplit(":", 1)
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(q, (host.strip("[]"), int(port)))
        data, _ = s.recvfrom(4096)
    except socket.timeout:
        return None
    finally:
        s.close()

    def read_name(off):
        labels, jumps = [], 0
        while True:
            n = data[off]
            if n & 0xC0 == 0xC0:
                if jumps > 16:
                    raise ValueError("pointer loop")
                off, jumps = ((n & 0x3F) << 8) | data[off + 1], jumps + 1
                continue
            if n == 0:
                return ".".join(labels), off + 1
            labels.append(data[off + 1:off + 1 + n].decode())
            off += 1 + n

    def skip_name(off):
        while True:
            n = data[off]
            if n & 0xC0 == 0xC0:
                return off + 2
            if n == 0:
                return off + 1
            off += 1 + n

    rid, hflags, qd, an = struct.unpack(">HHHH", data[:8])
    off = 12
    for _ in range(qd):
        off = skip_name(off) + 4
    answers = []
    for _ in range(an):
        off = skip_name(off)
        rtype, _, ttl, rdlen = struct.unpack(">HHIH", data[off:off + 10])
        off += 10
        rdata = data[off:off + rdlen]
        if rtype == 1:
            text = socket.inet_ntop(socket.AF_INET, rdata)
        elif rtype == 28:
            text = socket.inet_ntop(socket.AF_INET6, rdata)
        elif rtype == 5:
            text = read_name(off)[0]
        else:
            text = rdata.hex()
        answers.append((rtype, ttl, text))
        off += rdlen
    if want_flags:
        return hflags & 0xF, answers, hflags
    return hflags & 0xF, answers


class Watch:
    """A running `drtop watch --json [EXTRA...] PROFILE`, its stdout events
    collected by a thread. Lines that are not JSON are kept in .bad."""

    def __init__(self, profile_path, extra=()):
        import threading
        self.p = spawn([DRTOP, "watch", "--json"] + list(extra) +
                       [profile_path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines = []
        self.bad = []
        self.lock = threading.Lock()
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for raw in self.p.stdout:
            try:
                obj = json.loads(raw)
            except ValueError:
                self.bad.append(raw)
                continue
            with self.lock:
                self.lines.append(obj)

    def events(self, **match):
        """Events so far whose fields equal every given one."""
        with self.lock:
            evs = list(self.lines)
        return [e for e in evs
                if all(e.get(k) == v for k, v in match.items())]

    def wait(self, timeout, pred=None, **match):
        """Wait (bounded) for matching events; returns them or []."""
        def found():
            return [e for e in self.events(**match)
                    if pred is None or pred(e)]
        return wait_for(found, timeout) or []

    def session_t(self):
        """Seconds since the session started, by the header's clock."""
        from datetime import datetime, timezone
        hdr = self.lines[0]
        started = datetime.strptime(hdr["started"], "%Y-%m-%dT%H:%M:%S.%fZ")
        started = started.replace(tzinfo=timezone.utc).timestamp()
        return time.time() - started

    def stop(self, sig=signal.SIGTERM, timeout=20):
        rc = stop(self.p, sig, timeout=timeout)
        self.t.join(5)
        return rc
