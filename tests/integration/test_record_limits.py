"""The record under a file-size limit and under kill -9.

(a) `ulimit -f` (RLIMIT_FSIZE 64 KiB): drtop is not killed by SIGXFSZ;
    the log ends on a whole line, every line parses, and drtop says why
    it stopped recording (exit 1: a write that failed while running);
(b) kill -9 in the first 50 ms of `drtop watch --record`, 50 times, with
    500 endpoints (a ~170 KB session header): every log left behind is
    either empty, or readable by `drtop report`, or refused with a
    message that names the torn session header.
"""
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import drtest  # noqa: E402
from drtest import check  # noqa: E402


def profile(d, regions, n, name):
    urls = list(regions.values())
    return drtest.write_json(os.path.join(d, name), {
        "service": "record-limits",
        "monitor": {"interval": 0.1, "timeout": 0.08},
        "endpoints": [{"name": "e%03d" % i, "region": "region number %d" % i,
                       "target": urls[i % len(urls)]} for i in range(n)]})


def fsize_limit():
    resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))


def file_size_limit(d, prof):
    log = os.path.join(d, "fsize.jsonl")
    r = subprocess.run([drtest.DRTOP, "watch", "--json", "--duration", "3",
                        "--record", log, prof],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, timeout=30, preexec_fn=fsize_limit)
    check("(a) not killed by SIGXFSZ: exit 1, not 128+25",
          r.returncode == 1, (r.returncode, r.stderr[-300:]))
    check("(a) it says why it stopped recording",
          "recording" in r.stderr and "File too large" in r.stderr,
          r.stderr[-300:])
    data = open(log, "rb").read()
    lines = data.split(b"\n")
    bad = []
    for x in lines[:-1]:
        try:
            json.loads(x)
        except ValueError:
            bad.append(x[:80])
    check("(a) the log ends on a whole line and every line parses "
          "(%d bytes)" % len(data),
          data.endswith(b"\n") and not bad and len(data) <= 65536 and
          len(lines) > 10, (len(data), bad[:2], data[-80:]))
    rep = subprocess.run([drtest.DRTOP, "report", "--format", "json", log],
                         capture_output=True, text=True, timeout=30)
    check("(a) drtop report reads it", rep.returncode == 0, rep.stderr)


def kill_nine(d, prof):
    rng = random.Random(7)
    outcomes = {"empty": 0, "read": 0, "torn": 0}
    other = []
    for i in range(50):
        log = os.path.join(d, "k%02d.jsonl" % i)
        p = subprocess.Popen([drtest.DRTOP, "watch", "--json", "--record",
                              log, prof], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, 0.05))
        p.send_signal(signal.SIGKILL)
        p.wait()
        if not os.path.exists(log) or os.path.getsize(log) == 0:
            outcomes["empty"] += 1
            continue
        r = subprocess.run([drtest.DRTOP, "report", "--format", "json", log],
                           capture_output=True, text=True, timeout=60)
        if r.returncode == 0:
            outcomes["read"] += 1
        elif r.returncode == 2 and "session header" in r.stderr and \
                log in r.stderr:
            outcomes["torn"] += 1
        else:
            other.append((i, r.returncode, r.stderr[-200:]))
    check("(b) 50 kills in the first 50 ms: every log is empty, readable, "
          "or refused naming the torn header (%s)" % outcomes,
          not other and outcomes["read"] > 0, other[:3])


def main():
    d = drtest.tmpdir()
    sim, regions, _ = drtest.sim_start(("--base-port", "0"))
    check("sim started", regions, "")
    if not regions:
        drtest.done()
    file_size_limit(d, profile(d, regions, 30, "small.json"))
    kill_nine(d, profile(d, regions, 500, "big.json"))
    drtest.done()


main()
