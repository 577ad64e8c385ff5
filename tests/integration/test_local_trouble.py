"""This machine's trouble is never a region's. `drtop watch --json`
against `drtop sim` under an open-file limit the probes outgrow: 60
endpoints on a region that answers after 300 ms (healthy, but each
probe holds its socket) and 20 on a fast one, every 0.5 s, with the
hard limit at 40 descriptors.

(a) hard limit 40: sockets cannot be opened for every probe; those
    probes are not counted: no endpoint ever goes degraded, and an
    `error` event with source "local" says why (EMFILE);
(b) soft limit 40, hard 4096: drtop raises the soft limit itself, so no
    probe meets the limit at all;
(c) `drtop check` says how many endpoints the limit allows, and warns
    when the profile has more.
"""
import json
import os
import resource
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import drtest  # noqa: E402
from drtest import check  # noqa: E402


def limit(soft, hard):
    def set_it():
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return set_it


def run_watch(prof, soft, hard, seconds):
    p = subprocess.Popen([drtest.DRTOP, "watch", "--json", "--duration",
                          str(seconds), prof],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         preexec_fn=limit(soft, hard))
    try:
        out, err = p.communicate(timeout=seconds + 20)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    evs = []
    for line in out.decode(errors="replace").splitlines():
        try:
            evs.append(json.loads(line))
        except ValueError:
            pass
    return p.returncode, evs, err.decode(errors="replace")


def main():
    d = drtest.tmpdir()
    sim, regions, control = drtest.sim_start()
    check("sim started", len(regions) >= 2, regions)
    if len(regions) < 2:
        drtest.done()
    names = list(regions)
    slow, fast = names[0], names[1]
    st, _ = drtest.sim_fault(control, slow, "slow 300")
    check("the slow region answers after 300 ms", st == 200, st)
    eps = [{"name": "s%02d" % i, "target": regions[slow]} for i in range(60)]
    eps += [{"name": "f%02d" % i, "target": regions[fast]} for i in range(20)]
    prof = drtest.write_json(os.path.join(d, "p.json"), {
        "service": "local-trouble",
        "monitor": {"interval": 0.5, "timeout": 0.45,
                    "tolerated_failures": 1},
        "endpoints": eps})

    rc, evs, err = run_watch(prof, 40, 40, 6)
    check("(a) watch runs to its duration and exits 0", rc == 0,
          (rc, err[-300:]))
    degraded = [e for e in evs if e.get("type") == "health" and
                e.get("to") == "degraded"]
    check("(a) no endpoint is declared degraded for this machine's trouble",
          not degraded, degraded[:3])
    local = [e for e in evs if e.get("type") == "error" and
             e.get("source") == "local"]
    check("(a) an error event with source local says why",
          local and "Too many open files" in local[0].get("message", ""),
          local[:2])
    online = {e["endpoint"] for e in evs if e.get("type") == "health" and
              e.get("to") == "online"}
    check("(a) endpoints still go online from the probes that could run",
          len(online) >= 20, len(online))
    bad = [e for e in evs if e.get("type") == "probe" and not e.get("ok") and
           e.get("error") == "refused"]
    check("(a) no probe is reported refused for want of a descriptor",
          not bad, bad[:2])

    rc, evs, err = run_watch(prof, 40, 4096, 4)
    local = [e for e in evs if e.get("type") == "error" and
             e.get("source") == "local"]
    probes = [e for e in evs if e.get("type") == "probe"]
    failed = [e for e in probes if not e.get("ok")]
    check("(b) with room under the hard limit drtop raises its soft limit: "
          "no local trouble, every probe answered",
          rc == 0 and not local and len(probes) > 300 and not failed,
          (rc, local[:1], len(probes), failed[:2]))

    r = subprocess.run([drtest.DRTOP, "check", prof], capture_output=True,
                       text=True, timeout=30, preexec_fn=limit(40, 40))
    check("(c) check says how many endpoints the limit allows, and that "
          "it is fewer than the profile has",
          r.returncode == 0 and "open files  40 here" in r.stdout and
          "FEWER than this profile has" in r.stdout, r.stdout[-400:])
    drtest.done()


main()
