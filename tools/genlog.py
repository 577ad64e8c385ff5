#!/usr/bin/python3
"""Generate a synthetic drill log of N events for `make bench`.

The lines have exactly the shape drtop's recorder writes (event_to_json):
a session header, a `start` phase, probes of three endpoints every 0.5 s
each plus DNS polls, then a fault on the endpoint with traffic, its
detection, the route change, convergence, restoration, and `end`.
Deterministic (fixed seed). Usage: genlog.py N OUT
"""
import json
import random
import sys


def num(v, digits):
    """jsonw_num: fixed digits, trailing zeros trimmed, "1.0" kept."""
    s = "%.*f" % (digits, v)
    if digits > 0:
        s = s.rstrip("0")
        if s.endswith("."):
            s += "0"
    return s


def probe(t, ep, ok, total):
    status = "200" if ok else "500"
    err = "null" if ok else '"status"'
    return ('{"t":%s,"type":"probe","endpoint":"%s","ok":%s,"status":%s,'
            '"error":%s,"ms":{"dns":%s,"connect":%s,"tls":%s,"ttfb":%s,'
            '"total":%s},"served_by":"%s"}\n' % (
                num(t, 6), ep, "true" if ok else "false", status, err,
                num(total * 0.02, 3), num(total * 0.05, 3),
                num(total * 0.3, 3), num(total * 0.95, 3), num(total, 3),
                ep))


def main():
    n = int(sys.argv[1])
    out = open(sys.argv[2], "w")
    rnd = random.Random(7)
    eps = ["eu20", "us21", "ap10"]
    profile = {"service": "bench-svc",
               "dns": {"name": "bench.example.com", "ttl": 60,
                       "resolvers": ["127.0.0.1:5353"], "interval": 2},
               "endpoints": [{"name": e, "target": "http://127.0.0.1:1/"}
                             for e in eps],
               "drill": {"rto_target": 300}}
    out.write('{"type":"session","v":1,"version":"0.1.0",'
              '"started":"2026-11-21T08:00:00.000Z","mode":"live",'
              '"profile":%s}\n' % json.dumps(profile, separators=(",", ":")))
    out.write('{"t":0.0,"type":"drill","phase":"start","note":"bench"}\n')
    out.write('{"t":0.1,"type":"route","from":null,"to":"eu20",'
              '"cause":"auto"}\n')
    fault_at = n // 2
    written = 2
    t = 0.0
    i = 0
    state = "before"
    fails = 0
    while written < n - 1:
        t += 0.0005 + rnd.random() * 0.0001
        ep = eps[i % 3]
        i += 1
        if i == fault_at:
            out.write('{"t":%s,"type":"drill","phase":"fault","note":'
                      '"eu20 returns 500"}\n' % num(t, 6))
            written += 1
            state = "fault"
            continue
        if i % 50 == 0:
            want = "eu20" if state in ("before", "fault") else "us21"
            out.write('{"t":%s,"type":"dns","resolver":"127.0.0.1:5353",'
                      '"name":"bench.example.com","rcode":"NOERROR",'
                      '"answers":["%s.example.net"],"endpoint":"%s",'
                      '"ttl":60,"ms":0.8}\n' % (num(t, 6), want, want))
            written += 1
            if state == "moved" and rnd.random() < 0.5:
                out.write('{"t":%s,"type":"converged","resolver":'
                          '"127.0.0.1:5353","endpoint":"us21","after":'
                          '1.0}\n' % num(t, 6))
                written += 1
                state = "converged"
            continue
        ok = not (state != "before" and ep == "eu20")
        total = rnd.lognormvariate(3.0, 0.4)
        out.write(probe(t, ep, ok, total))
        written += 1
        if state == "fault" and ep == "eu20":
            fails += 1
            if fails == 4:
                out.write('{"t":%s,"type":"health","endpoint":"eu20",'
                          '"from":"online","to":"degraded","reason":'
                          '"4 consecutive failures"}\n' % num(t, 6))
                out.write('{"t":%s,"type":"route","from":"eu20",'
                          '"to":"us21","cause":"auto"}\n' % num(t, 6))
                written += 2
                state = "moved"
    out.write('{"t":%s,"type":"drill","phase":"end","note":null}\n'
              % num(t + 0.001, 6))
    out.close()


if __name__ == "__main__":
    main()
