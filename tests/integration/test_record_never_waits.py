"""The record never waits on a reader of stdout: `drtop watch --json
--record LOG` with 30 endpoints probed every 0.1 s against `drtop sim`.

(a) a reader that stops reading for 6 s: the record has no hole over 1 s
    between probe events; stdout missed events, and that gap is an `error`
    event (source "stdout", from/to/count) in the record and, once the
    reader is back, on stdout too; watch exits 0 on SIGINT.
(b) `drtop watch --json P | head -1` ends within 2 s (EPIPE: exit 0).
(c) `drtop watch --json P > /dev/full` exits 1 and says why.
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import drtest  # noqa: E402
from drtest import check  # noqa: E402


def make_profile(d, regions):
    urls = list(regions.values())
    eps = [{"name": "r%02d" % i, "target": urls[i % len(urls)]}
           for i in range(30)]
    prof = {"service": "never-waits",
            "monitor": {"interval": 0.1, "timeout": 0.08,
                        "tolerated_failures": 2},
            "endpoints": eps}
    return drtest.write_json(os.path.join(d, "p.json"), prof)


def read_log(path):
    evs = []
    with open(path) as f:
        for line in f:
            try:
                evs.append(json.loads(line))
            except ValueError:
                pass
    return evs


def max_probe_gap(evs):
    ts = [e["t"] for e in evs if e.get("type") == "probe"]
    return max((b - a for a, b in zip(ts, ts[1:])), default=None), len(ts)


def slow_reader(d, prof):
    log = os.path.join(d, "slow.jsonl")
    # Room for 200 events behind stdout (a test knob that can only shrink
    # it): a 6 s stall at ~300 events/s must miss some.
    env = dict(os.environ, DRTOP_TEST_OUT_CAPACITY="200")
    p = drtest.spawn([drtest.DRTOP, "watch", "--json", "--record", log, prof],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out = b""
    end = time.monotonic() + 2.0
    while time.monotonic() < end:  # read for 2 s
        out += os.read(p.stdout.fileno(), 65536)
    time.sleep(6.0)  # then stop reading: the pipe fills, writes block
    os.set_blocking(p.stdout.fileno(), False)
    end = time.monotonic() + 3.0
    while time.monotonic() < end:  # read again for 3 s
        try:
            chunk = os.read(p.stdout.fileno(), 65536)
        except BlockingIOError:
            time.sleep(0.02)
            continue
        if not chunk:
            break
        out += chunk
    rc = drtest.stop(p, signal.SIGINT)
    stderr = p.stderr.read().decode(errors="replace")
    check("(a) watch exits 0 on SIGINT", rc == 0, (rc, stderr[-300:]))
    evs = read_log(log)
    gap, n = max_probe_gap(evs)
    check("(a) the record kept probing while stdout was stuck: %d probes, "
          "no hole over 1 s (largest %.3f s)" % (n, gap or -1),
          n > 1000 and gap is not None and gap < 1.0, (n, gap))
    gaps = [e for e in evs if e.get("type") == "error" and
            e.get("source") == "stdout"]
    check("(a) the record says what stdout missed: an error event with "
          "the gap's span and count",
          gaps and all(g.get("gap", {}).get("count", 0) > 0 and
                       g["gap"]["from"] <= g["gap"]["to"] for g in gaps),
          gaps[:2])
    lines = [json.loads(x) for x in out.decode(errors="replace").splitlines()
             if x.startswith("{")]
    shown = [e for e in lines if e.get("type") == "error" and
             e.get("source") == "stdout"]
    check("(a) ... and stdout shows it once the reader is back",
          shown and shown[0].get("gap") == gaps[0].get("gap"),
          (shown[:1], gaps[:1]))
    probes_out = sum(1 for e in lines if e.get("type") == "probe")
    check("(a) stdout has fewer probes than the record (it missed some)",
          0 < probes_out < n, (probes_out, n))


def head_one(prof):
    t = time.monotonic()
    r = subprocess.run("'%s' watch --json '%s' | head -1" % (drtest.DRTOP,
                                                               prof),
                       shell=True, capture_output=True, text=True,
                       timeout=30)
    took = time.monotonic() - t
    check("(b) watch | head -1 ends within 2 s (took %.2f s)" % took,
          took < 2.0 and r.stdout.startswith('{"type":"session"'),
          (took, r.stdout[:80], r.stderr[-200:]))
    p = subprocess.Popen([drtest.DRTOP, "watch", "--json", prof],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.readline()
    p.stdout.close()  # the reader leaves
    try:
        rc = p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = None
    check("(b) a reader that leaves ends watch with exit 0", rc == 0, rc)


def dev_full(prof):
    with open("/dev/full", "w") as full:
        r = subprocess.run([drtest.DRTOP, "watch", "--json", prof],
                           stdout=full, stderr=subprocess.PIPE, text=True,
                           timeout=30)
    check("(c) watch > /dev/full exits 1 and says why",
          r.returncode == 1 and "writing to stdout" in r.stderr and
          "No space left on device" in r.stderr,
          (r.returncode, r.stderr[-300:]))


def main():
    d = drtest.tmpdir()
    sim, regions, _ = drtest.sim_start(("--base-port", "0"))
    check("sim started", regions, sim.stderr.read1(4096) if not regions
          else "")
    if not regions:
        drtest.done()
    prof = make_profile(d, regions)
    slow_reader(d, prof)
    head_one(prof)
    dev_full(prof)
    drtest.done()


main()
