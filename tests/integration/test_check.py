"""drtop check: the examples validate, bad profiles name every bad field,
hostile input never crashes it, secrets never reach its output."""
import glob
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from drtest import DRTOP, ROOT, check, done, run, tmpdir, write_json  # noqa

SECRET = "Basic czNjcjN0LXRva2VuLTk0MjE3"


def env_without(*names, **extra):
    env = {k: v for k, v in os.environ.items() if k not in names}
    env.update(extra)
    return env


def check_run(path, env=None):
    return run([DRTOP, "check", path], env=env or os.environ.copy())


# --- the examples -------------------------------------------------------
examples = sorted(glob.glob(os.path.join(ROOT, "examples", "*.json")))
check("three examples or more", len(examples) >= 3, examples)
for ex in examples:
    name = os.path.basename(ex)
    r = check_run(ex, env_without("CPI_HEALTH_TOKEN"))
    check("example %s is valid" % name, r.returncode == 0,
          r.stderr + r.stdout[-500:])
    check("example %s summary has detection and failover bounds" % name,
          "detection   <=" in r.stdout and "until clients follow" in r.stdout
          and r.stdout.rstrip().splitlines()[-1].startswith("OK: "),
          r.stdout[-300:])

cpi = os.path.join(ROOT, "examples", "cpi-two-region.json")
r = check_run(cpi, env_without("CPI_HEALTH_TOKEN"))
check("cpi without its token: exit 0", r.returncode == 0, r.stderr)
check("cpi without its token: warning names variable and path",
      "monitor.headers.Authorization: warning: environment variable "
      "CPI_HEALTH_TOKEN is not set" in r.stderr, r.stderr)
check("cpi summary: service, TTL, routing",
      "cpi-prod" in r.stdout and "TTL 60 s" in r.stdout
      and "priority, failback manual" in r.stdout, r.stdout[:400])
check("cpi summary: expected 401 and 200, header name only",
      "expect      401, 200" in r.stdout
      and "headers     Authorization (values hidden)" in r.stdout, r.stdout)
# eu20: 30 x (2 + 1) + 10 = 100 s; + TTL 60 = 160 s.
check("cpi detection bound 100 s, worst case 160 s",
      "detection   <= 100 s" in r.stdout and "failover    <= 160 s" in r.stdout,
      r.stdout)

r = check_run(cpi, env_without("CPI_HEALTH_TOKEN", CPI_HEALTH_TOKEN=SECRET))
check("cpi with its token: exit 0, no warning",
      r.returncode == 0 and "warning" not in r.stderr, r.stderr)
check("cpi with its token: the value never appears",
      SECRET not in r.stdout and SECRET not in r.stderr
      and "czNjcjN0" not in r.stdout + r.stderr)

demo = os.path.join(ROOT, "examples", "demo.json")
r = check_run(demo)
# 1 x (1 + 1) + 0.5 = 2.5 s; + TTL 30 = 32.5 s.
check("demo: detection 2.5 s, worst case 32.5 s, three regions",
      r.returncode == 0 and r.stdout.count("detection   <= 2.5 s") == 3
      and "worst-case failover a client sees: 32.5 s" in r.stdout, r.stdout)
check("demo: identify by header and the echo action shown in full",
      "response header X-Region" in r.stdout
      and "/bin/echo 'failover {from} -> {to}'" in r.stdout, r.stdout)
check("demo: priority and weight per endpoint",
      "priority    1, weight 1" in r.stdout
      and "priority    3, weight 1" in r.stdout, r.stdout)
check("demo: drill dir relative to the profile",
      os.path.join(ROOT, "examples", "drills") in r.stdout, r.stdout)

# --- a bad profile: every bad field named -------------------------------
d = tmpdir()
bad = write_json(os.path.join(d, "bad.json"), {
    "service": "svc",
    "dns": {"name": "svc.example.com", "ttl": -1},
    "routing": {"method": "round-robin"},
    "monitor": {"tolerated_failure": 2, "interval": 0.01,
                "headers": {"Authorization": SECRET}},
    "endpoints": [
        {"name": "eu20", "target": "https://eu20.example.com"},
        {"name": "us21", "target": "https://us21.example.com",
         "monitor": {"expected_status": ["2xx"], "timeout": 0}},
        {"name": "eu20", "target": "ftp://x.example.com", "lat": 100,
         "lon": 0},
        {"name": "bad name!", "target": "tcp://db.example.com"},
    ],
    "actions": {"failover": {"argv": []}},
})
r = check_run(bad)
check("bad profile: exit 2", r.returncode == 2, r.returncode)
check("bad profile: nothing on stdout", r.stdout == "", r.stdout[:200])
for path in ["dns.ttl", "routing.method", "monitor.tolerated_failure",
             "monitor.interval", "endpoints[1].monitor.expected_status[0]",
             "endpoints[1].monitor.timeout", "endpoints[2].name",
             "endpoints[2].target", "endpoints[2].lat", "endpoints[3].name",
             "endpoints[3].target", "actions.failover.argv"]:
    check("bad profile names %s" % path,
          ("%s: %s: " % (bad, path)) in r.stderr, r.stderr)
check("bad profile: DESIGN.md's 2xx message",
      '%s: endpoints[1].monitor.expected_status[0]: "2xx" is not a status '
      'range (use "200-299")' % bad in r.stderr, r.stderr)
check("bad profile: did you mean",
      'did you mean "tolerated_failures"?' in r.stderr, r.stderr)
check("bad profile: the header value never appears",
      SECRET not in r.stderr + r.stdout)

# A missing variable outside check mode is still only a warning in check.
envp = write_json(os.path.join(d, "env.json"), {
    "service": "s", "monitor": {"headers": {"X-Key": "${env:DRTOP_NOPE_1}"}},
    "endpoints": [{"name": "a", "target": "http://127.0.0.1:9/"}]})
r = check_run(envp, env_without("DRTOP_NOPE_1"))
check("missing env var in check: warning, exit 0",
      r.returncode == 0 and "DRTOP_NOPE_1" in r.stderr
      and "warning" in r.stderr, r.stderr)

# Warnings: exit 0, said on stderr, summary still printed.
warnp = write_json(os.path.join(d, "warn.json"), {
    "service": "s",
    "endpoints": [{"name": "db", "target": "tcp://127.0.0.1:5432",
                   "monitor": {"expected_status": ["200"]}}],
    "actions": {"failover": {"argv": ["./no-such-script.sh", "{to}"]}}})
r = check_run(warnp)
check("warnings: exit 0 with a summary", r.returncode == 0
      and "OK: 1 endpoint;" in r.stdout, r.stderr)
check("warnings: tcp ignores expected_status",
      "%s: endpoints[0]: warning: monitor.expected_status is ignored" % warnp
      in r.stderr, r.stderr)

check("warnings: missing program",
      "actions.failover: warning: %s/no-such-script.sh is not an executable"
      " file here" % d in r.stderr, r.stderr)

# --- mistakes a user makes, said in the user's words ---------------------
# An unknown placeholder would run the failover with the literal text.
placep = write_json(os.path.join(d, "place.json"), {
    "service": "s",
    "endpoints": [{"name": "a", "target": "http://127.0.0.1:9/"}],
    "actions": {"failover": {"argv": ["/bin/echo", "{from}", "{form}"]}}})
r = check_run(placep)
check("unknown placeholder {form}: exit 2, names the place and the known "
      "ones", r.returncode == 2 and r.stderr ==
      "%s: actions.failover.argv[2]: unknown placeholder {form} (the known "
      "placeholders are {from}, {to} and {service})\n" % placep,
      (r.returncode, r.stderr))
# A target without a scheme: what to add, not curl's words.
nos = write_json(os.path.join(d, "noscheme.json"), {
    "service": "s",
    "endpoints": [{"name": "a", "target": "127.0.0.1:8080/health"}]})
r = check_run(nos)
check("target without a scheme: add http:// or https://", r.returncode == 2
      and r.stderr == '%s: endpoints[0].target: "127.0.0.1:8080/health" has '
      "no scheme: add http:// or https:// (or tcp:// for a TCP connect "
      'check), e.g. "http://127.0.0.1:8080/health"\n' % nos,
      (r.returncode, r.stderr))
check("target without a scheme: not curl's words",
      "slashes" not in r.stderr and "curl" not in r.stderr, r.stderr)
# A trailing comma: at the comma's line and column, not at the end.
tc = os.path.join(d, "comma.json")
with open(tc, "w") as f:
    f.write('{\n  "service": "s",\n  "endpoints": [\n'
            '    {"name": "a", "target": "http://127.0.0.1:9/"},\n'
            '  ]\n}\n')
r = check_run(tc)
check("trailing comma: at its line:column", r.returncode == 2
      and r.stderr == "%s:4:51: malformed JSON: a comma before ']' (JSON "
      "allows no trailing comma; remove it)\n" % tc, (r.returncode, r.stderr))

# --- malformed and hostile input ----------------------------------------
def hostile(name, data, want=None):
    p = os.path.join(d, name)
    with open(p, "wb") as f:
        f.write(data)
    r = run([DRTOP, "check", p], timeout=60)
    check("hostile %s: exit 2" % name, r.returncode == 2,
          "rc=%s %s" % (r.returncode, r.stderr[-300:]))
    if want is not None:
        check("hostile %s: message" % name, want in r.stderr, r.stderr[-300:])
    check("hostile %s: short stderr" % name, len(r.stderr) < 64 * 1024,
          len(r.stderr))


hostile("trunc.json", b'{\n  "service": "x",\n  "endpoints": [\n',
        "trunc.json:4:1: malformed JSON")
hostile("linecol.json", b'{\n  "a": [1,\n  }', "linecol.json:3:3: malformed JSON near '}'")
hostile("empty.json", b"", "malformed JSON: empty file")
hostile("trailing.json", b'{"service":"x"} {"y":1}',
        "trailing.json:1:17: unexpected text after the JSON object")
rnd = random.Random(1234)
hostile("binary.bin", bytes(rnd.getrandbits(8) for _ in range(100000)))
hostile("nul.json", b'{"service":"a\x00b","endpoints":[]}')
hostile("deep-arrays.json", b"[" * 200000, "nested more than 1000 levels deep")
hostile("deep-objects.json", b'{"a":' * 100000 + b"1" + b"}" * 100000,
        "nested more than 1000 levels deep")
hostile("huge.json", b" " * (17 << 20) + b"{}", "larger than 16 MiB")
many_keys = b"{" + b",".join(b'"k%d":%d' % (i, i) for i in range(50000)) + b"}"
hostile("many-keys.json", many_keys, "more errors not shown")
long_key = b'{"' + b"x" * 100000 + b'":1}'
hostile("long-key.json", long_key, "unknown key")
esc = b'{"service":"\\u001b[2J\\u001b]0;pwned\\u0007","endpoints":[{"name":"a","target":"http://a:1"}]}'
p = os.path.join(d, "escape.json")
with open(p, "wb") as f:
    f.write(esc)
r = run([DRTOP, "check", p])
check("terminal escapes refused and never echoed raw",
      r.returncode == 2 and "\x1b" not in r.stderr + r.stdout
      and "service: contains a control character" in r.stderr, r.stderr)
many_eps = {"service": "s", "endpoints": [
    {"name": "e%d" % i, "target": "http://h%d.example.com:80/" % i}
    for i in range(4097)]}
r = check_run(write_json(os.path.join(d, "many.json"), many_eps))
check("4097 endpoints refused", r.returncode == 2
      and "endpoints: holds 4097 endpoints (at most 4096)" in r.stderr,
      r.stderr[-300:])
many_eps["endpoints"].pop()
r = check_run(write_json(os.path.join(d, "max.json"), many_eps))
check("4096 endpoints accepted", r.returncode == 0
      and "OK: 4096 endpoints" in r.stdout, r.stderr[-300:])

missing = os.path.join(d, "nope.json")
r = check_run(missing)
check("missing file: exit 2 and FILE: No such file or directory",
      r.returncode == 2
      and r.stderr.strip() == "%s: No such file or directory" % missing,
      r.stderr)
r = check_run(d)
check("directory: exit 2", r.returncode == 2 and "Is a directory" in r.stderr,
      r.stderr)

# --- NUL and bidirectional controls: refused at their JSON path ---------
def refused(name, data, want):
    """A profile refused with exactly the messages want (a list), exit 2
    and no summary."""
    p = os.path.join(d, name)
    with open(p, "wb") as f:
        f.write(data)
    r = run([DRTOP, "check", p])
    got = r.stderr.splitlines()
    check("%s: exit 2, exactly %s" % (name, want),
          r.returncode == 2 and got == [w % p for w in want] and
          r.stdout == "", (r.returncode, got, r.stdout[-200:]))


EP = b'{"name":"eu20","target":"https://a.example.com"}'
refused("nul-escape.json",
        b'{"service":"cpi\\u0000-prod","endpoints":[' + EP + b']}',
        ["%s: service: contains a NUL character (\\u0000), which no "
         "profile string may hold"])
refused("nul-raw.json",
        b'{"service":"cpi","endpoints":[{"name":"eu\x0020",'
        b'"target":"https://a.example.com"}]}',
        ["%s: endpoints[0].name: contains a NUL byte (0x00), which no "
         "profile string may hold"])
refused("nul-between.json",
        b'{"service":"cpi",\n\x00"endpoints":[' + EP + b']}',
        ["%s:2:1: malformed JSON near byte 0x00"])
BIDI = ("contains a bidirectional control character (U+%s): it can make "
        "text display as something other than what it is")
refused("bidi-service.json",  # as a JSON escape
        b'{"service":"cpi\\u202e","endpoints":[%s]}' % EP,
        ["%s: service: " + BIDI % "202E"])
refused("bidi-region.json",  # the characters themselves, in UTF-8
        '{"service":"cpi","endpoints":[{"name":"eu20","region":"\u2067x",'
        '"target":"https://a.example.com"}]}'.encode(),
        ["%s: endpoints[0].region: " + BIDI % "2067"])
refused("bidi-resolver.json",
        '{"service":"cpi","endpoints":[%s],"dns":{"resolvers":[{"addr":'
        '"10.0.0.2","name":"corp\u200e"}]}}'.encode() % EP,
        ["%s: dns.resolvers[0].name: " + BIDI % "200E"])

# --- a summary that cannot be written says why ---------------------------
with open("/dev/full", "w") as full:
    r = subprocess.run([DRTOP, "check", demo], stdin=subprocess.DEVNULL,
                       stdout=full, stderr=subprocess.PIPE, text=True,
                       timeout=60)
check("check > /dev/full: exit 1 saying why",
      r.returncode == 1 and r.stderr ==
      "drtop check: writing the summary: No space left on device\n",
      (r.returncode, r.stderr))

# --- usage --------------------------------------------------------------
r = run([DRTOP, "check", "--debug-log", os.path.join(d, "dbg.log"), demo])
check("check takes --debug-log like every mode", r.returncode == 0
      and "OK: 3 endpoints" in r.stdout, r.stderr)
# Every mode answers --help with its own usage on stdout and exit 0.
MODE_HELP = {
    "check": "drtop check PROFILE",
    "watch": "drtop watch --json [--duration S] [--record FILE] PROFILE",
    "sim": "drtop sim [OPTION]...",
    "replay": "drtop replay --check [--set KEY=VALUE]... LOG",
    "report": "drtop report [--format md|json|html] [-o FILE]",
    "--demo": "drtop [--theme NAME] [--ascii] [--record FILE] (PROFILE | "
              "--demo)",
}
for mode, want in MODE_HELP.items():
    for flag in ("--help", "-h"):
        r = run([DRTOP, mode, flag])
        others = [w for m, w in MODE_HELP.items() if m != mode]
        check("drtop %s %s: its own usage on stdout, exit 0" % (mode, flag),
              r.returncode == 0 and r.stdout.startswith("usage:\n")
              and want in r.stdout and r.stderr == ""
              and not any(o in r.stdout for o in others),
              (r.returncode, r.stdout, r.stderr))
r = run([DRTOP, "sim", "--regions", "a,b", "--help"])
check("drtop sim --regions a,b --help: usage, exit 0, no simulator started",
      r.returncode == 0 and "--write-profile FILE" in r.stdout
      and "\nregion " not in r.stdout and "\nready\n" not in r.stdout,
      (r.returncode, r.stdout[-200:]))
r = run([DRTOP, "--help"])
check("drtop --help: every mode, exit 0", r.returncode == 0 and all(
    w in r.stdout for w in MODE_HELP.values()) and r.stderr == "", r.stdout)
check("drtop --help: no \"sim --help lists them all\" any more",
      "lists them all" not in r.stdout, r.stdout)
# every option the simulator parses (read from its source) is listed
with open(os.path.join(ROOT, "tui", "cmd_sim.c")) as f:
    import re
    sim_opts = sorted(set(re.findall(r'strcmp\(a, "(--[a-z-]+)"\)',
                                     f.read())))
check("cmd_sim.c parses ten options or more", len(sim_opts) >= 10, sim_opts)
for opt in sim_opts:
    if opt in ("--help", "--debug-log"):
        continue
    check("drtop --help lists sim's %s" % opt,
          re.search(r"^\s+%s\b" % re.escape(opt), r.stdout, re.M)
          is not None, opt)
check("drtop --help: --debug-log for any mode",
      "Any mode also takes --debug-log FILE" in r.stdout, r.stdout)
for args in ([], [demo, demo], ["--bogus"], ["--bogus", demo],
             ["--debug-log"]):
    r = run([DRTOP, "check"] + args)
    check("usage error %r: exit 2 with usage on stderr" % (args,),
          r.returncode == 2 and "usage:" in r.stderr and r.stdout == "",
          r.stderr)

done()
