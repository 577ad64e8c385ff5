"""The action scripts in examples/actions/ and the example profiles that
use them: each script, run as drtop runs it (the profile's argv with
{from} and {to} substituted, in the profile's directory), passes exactly
the expected argv and stdin to the cloud's CLI. The CLIs are fakes on
PATH (aws, az, nsupdate) that record their argv and stdin. Then one
script runs through drtop itself: `drtop watch` with auto_failover
against `drtop sim`, eu20 fails, the Route 53 script runs with eu20 ->
us21."""
import json
import os
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import drtest  # noqa: E402
from drtest import DRTOP, ROOT, Watch, check, done, run, tmpdir  # noqa

EX = os.path.join(ROOT, "examples")
d = tmpdir()
fakebin = os.path.join(d, "bin")
os.mkdir(fakebin)
FAKE = r'''#!/bin/sh
# a fake %s: records argv (NUL-separated) and stdin, exits $FAKE_EXIT
i=1
while [ -e "$FAKE_DIR/%s.$i.argv" ]; do i=$((i + 1)); done
for a in "$@"; do printf '%%s\0' "$a"; done >"$FAKE_DIR/%s.$i.argv"
cat >"$FAKE_DIR/%s.$i.stdin"
exit "${FAKE_EXIT:-0}"
'''
for tool in ("aws", "az", "nsupdate"):
    p = os.path.join(fakebin, tool)
    with open(p, "w") as f:
        f.write(FAKE % ((tool,) * 4))
    os.chmod(p, 0o755)


def calls(fdir, tool):
    """[(argv list, stdin text)] of every call of tool, in order."""
    out, i = [], 1
    while os.path.exists(os.path.join(fdir, "%s.%d.argv" % (tool, i))):
        with open(os.path.join(fdir, "%s.%d.argv" % (tool, i))) as f:
            argv = f.read().split("\0")[:-1]
        with open(os.path.join(fdir, "%s.%d.stdin" % (tool, i))) as f:
            out.append((argv, f.read()))
        i += 1
    return out


def profile_argv(name, action, frm, to, replace=None):
    """The example's action argv as drtop runs it: placeholders
    substituted, a relative program resolved against examples/."""
    with open(os.path.join(EX, name)) as f:
        prof = json.load(f)
    argv = [a.replace("{from}", frm).replace("{to}", to)
            .replace("{service}", prof["service"])
            for a in prof["actions"][action]["argv"]]
    if argv[0].startswith("./"):
        argv[0] = os.path.normpath(os.path.join(EX, argv[0]))
    return [replace.get(a, a) if replace else a for a in argv]


n_run = [0]


def run_script(argv, exit_code=0):
    """Run argv as drtop would: cwd the profile's directory, stdin
    /dev/null, the fakes first on PATH. Returns (CompletedProcess, the
    directory the fakes recorded into)."""
    n_run[0] += 1
    fdir = os.path.join(d, "run%d" % n_run[0])
    os.mkdir(fdir)
    env = dict(os.environ, PATH=fakebin + ":/usr/bin:/bin", FAKE_DIR=fdir,
               FAKE_EXIT=str(exit_code))
    r = subprocess.run(argv, cwd=EX, env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=30)
    return r, fdir


# --- every example profile that uses a script is valid, its program there
for name in ("route53-three-region.json", "azure-tm-two-region.json",
             "bind-nsupdate.json"):
    r = run([DRTOP, "check", os.path.join(EX, name)])
    check("%s: drtop check exit 0, no warning" % name,
          r.returncode == 0 and r.stderr == "", r.stderr)
    for action in ("failover", "failback"):
        prog = profile_argv(name, action, "a", "b")[0]
        check("%s: %s runs %s, which is executable" % (name, action, prog),
              prog.startswith(os.path.join(EX, "actions") + "/")
              and os.access(prog, os.X_OK), prog)

for sh in sorted(os.listdir(os.path.join(EX, "actions"))):
    p = os.path.join(EX, "actions", sh)
    with open(p) as f:
        body = f.read()
    check("%s: POSIX sh with set -eu" % sh,
          body.startswith("#!/bin/sh\n") and "\nset -eu\n" in body)
    r = subprocess.run(["dash", "-n", p] if os.path.exists("/usr/bin/dash")
                       else ["sh", "-n", p], capture_output=True, text=True)
    check("%s: parses as POSIX sh" % sh, r.returncode == 0, r.stderr)
    r, fdir = run_script([p])
    check("%s without arguments: usage, exit 2, no CLI called" % sh,
          r.returncode == 2 and "usage:" in r.stderr
          and os.listdir(fdir) == [], (r.returncode, r.stderr))

# --- Route 53 -----------------------------------------------------------
argv = profile_argv("route53-three-region.json", "failover", "use1", "euc1")
r, fdir = run_script(argv)
c = calls(fdir, "aws")
check("route53: exit 0, one aws call", r.returncode == 0 and len(c) == 1,
      (r.returncode, r.stderr, c))
check("route53: the exact aws argv (batch on stdin, not on argv)",
      c and c[0][0] == ["route53", "change-resource-record-sets",
                        "--hosted-zone-id", "Z0123456789EXAMPLE",
                        "--change-batch", "file:///dev/stdin",
                        "--output", "text", "--query", "ChangeInfo.Id"],
      c and c[0][0])


def rrset(ident, weight):
    return {"Action": "UPSERT", "ResourceRecordSet": {
        "Name": "api.shop.example.com", "Type": "CNAME",
        "SetIdentifier": ident, "Weight": weight, "TTL": 60,
        "ResourceRecords": [{"Value": ident + ".api.shop.example.com"}]}}


try:
    batch = json.loads(c[0][1]) if c else None
except ValueError:
    batch = None
check("route53: the change batch on stdin: euc1 weight 1, use1 weight 0, "
      "in one batch",
      batch == {"Comment": "drtop: use1 -> euc1",
                "Changes": [rrset("euc1", 1), rrset("use1", 0)]},
      c and c[0][1])
check("route53: says what it does",
      "route53: api.shop.example.com weight euc1=1 use1=0" in r.stdout,
      r.stdout)
argv = profile_argv("route53-three-region.json", "failback", "euc1", "use1")
r, fdir = run_script(argv)
c = calls(fdir, "aws")
check("route53 failback: the same call with the weights swapped",
      r.returncode == 0 and len(c) == 1 and json.loads(c[0][1])["Changes"]
      == [rrset("use1", 1), rrset("euc1", 0)], c)
r, fdir = run_script(argv, exit_code=254)
check("route53: aws failing fails the action",
      r.returncode == 254, (r.returncode, r.stderr))
r, fdir = run_script(profile_argv("route53-three-region.json", "failover",
                                  'use1","Weight":9', "euc1"))
check("route53: an endpoint name that would break the JSON: exit 2, "
      "aws never called", r.returncode == 2 and calls(fdir, "aws") == []
      and "bad endpoint (from)" in r.stderr, (r.returncode, r.stderr))

# --- Azure Traffic Manager ----------------------------------------------
argv = profile_argv("azure-tm-two-region.json", "failover", "weu", "neu")
r, fdir = run_script(argv)
c = calls(fdir, "az")
base = ["network", "traffic-manager", "endpoint", "update",
        "--resource-group", "orders-dr", "--profile-name", "orders-tm",
        "--type", "externalEndpoints"]
check("azure: exit 0; enable neu, then disable weu, nothing on stdin",
      r.returncode == 0 and [a for a, _ in c] == [
          base + ["--name", "neu", "--endpoint-status", "Enabled",
                  "--output", "none"],
          base + ["--name", "weu", "--endpoint-status", "Disabled",
                  "--output", "none"]]
      and all(s == "" for _, s in c), (r.returncode, r.stderr, c))
r, fdir = run_script(argv, exit_code=1)
check("azure: the enable failing stops it: weu is never disabled",
      r.returncode == 1 and len(calls(fdir, "az")) == 1,
      (r.returncode, calls(fdir, "az")))
r, fdir = run_script(profile_argv("azure-tm-two-region.json", "failover",
                                  "weu", "weu"))
check("azure: FROM equal to TO: exit 2, az never called",
      r.returncode == 2 and calls(fdir, "az") == [], r.stderr)

# --- nsupdate (RFC 2136) --------------------------------------------------
key = os.path.join(d, "portal.key")
with open(key, "w") as f:
    f.write('key "portal-failover" {\n\talgorithm hmac-sha256;\n'
            '\tsecret "c2VjcmV0LXRlc3Qta2V5LW5vdC1yZWFs";\n};\n')
os.chmod(key, 0o600)
KEYARG = {"/etc/drtop/portal-failover.key": key}
argv = profile_argv("bind-nsupdate.json", "failover", "dc1", "dc2", KEYARG)
r, fdir = run_script(argv)
c = calls(fdir, "nsupdate")
check("nsupdate: exit 0, nsupdate -k KEYFILE (the secret stays in the file)",
      r.returncode == 0 and len(c) == 1 and c[0][0] == ["-k", key],
      (r.returncode, r.stderr, c))
check("nsupdate: the exact update on stdin",
      c and c[0][1] == "server 10.0.0.53\nzone example.com\n"
      "update delete portal.example.com. CNAME\n"
      "update add portal.example.com. 60 CNAME dc2.portal-dr.example.com.\n"
      "send\n", c and c[0][1])
check("nsupdate: no secret on any argv",
      "c2VjcmV0" not in " ".join(argv + (c[0][0] if c else [])))
argv2 = list(argv)
argv2[1] = "10.0.0.53:5353"
r, fdir = run_script(argv2)
c = calls(fdir, "nsupdate")
check("nsupdate: SERVER host:port becomes \"server host port\"",
      r.returncode == 0 and c and
      c[0][1].startswith("server 10.0.0.53 5353\n"), c)
r, fdir = run_script(profile_argv("bind-nsupdate.json", "failover", "dc1",
                                  "dc2"))
check("nsupdate: a key file that is not there: exit 2, nsupdate never "
      "called", r.returncode == 2 and calls(fdir, "nsupdate") == []
      and "cannot read key file" in r.stderr, (r.returncode, r.stderr))
r, fdir = run_script(profile_argv("bind-nsupdate.json", "failover", "dc1",
                                  "dc2\nupdate delete example.com", KEYARG))
check("nsupdate: an endpoint name with a newline: exit 2, nothing sent",
      r.returncode == 2 and calls(fdir, "nsupdate") == [], r.stderr)

# --- through drtop: watch runs the Route 53 script by itself -----------
sim, regions, control = drtest.sim_start()
check("sim ready", len(regions) == 3, sim.stderr)
if len(regions) == 3:
    sub = os.path.join(d, "prof")
    os.mkdir(sub)
    fdir = os.path.join(d, "watchrun")
    os.mkdir(fdir)
    script = os.path.join(EX, "actions", "route53-weighted-swap.sh")
    prof = {
        "service": "scripts-test",
        "dns": {"name": sim.dns_name, "ttl": 5, "resolvers": [sim.dns_addr],
                "interval": 0.5},
        "routing": {"method": "priority", "failback": "manual",
                    "hold_down": 30, "auto_failover": True},
        "monitor": {"interval": 0.2, "timeout": 0.15,
                    "tolerated_failures": 1,
                    "identify": {"header": "X-Region"}},
        "endpoints": [{"name": n, "target": u, "priority": i + 1,
                       "dns_answers": ["%s.sim.drtop.test" % n]}
                      for i, (n, u) in enumerate(regions.items())],
        "actions": {"failover": {"argv": [
            script, "Z0123456789EXAMPLE", "demo.sim.drtop.test", "5",
            "sim.drtop.test", "{from}", "{to}"], "timeout": 20}},
    }
    path = drtest.write_json(os.path.join(sub, "p.json"), prof)
    old_env = dict(os.environ)
    os.environ["PATH"] = fakebin + ":" + os.environ.get("PATH", "/usr/bin")
    os.environ["FAKE_DIR"] = fdir
    os.environ["FAKE_EXIT"] = "0"
    w = Watch(path)
    os.environ.clear()
    os.environ.update(old_env)
    first = w.wait(10, type="route")
    check("watch: first route to eu20", first and first[0]["to"] == "eu20",
          first)
    drtest.sim_fault(control, "eu20", "status 500")
    fin = w.wait(15, type="action", phase="finished")
    check("watch: the script ran by itself (auto), eu20 -> us21, exit 0",
          fin and fin[0]["exit"] == 0 and fin[0]["by"] == "auto"
          and fin[0]["from"] == "eu20" and fin[0]["to"] == "us21", fin)
    out = [e["line"] for e in w.events(type="action", phase="output")]
    check("watch: the script's output is in the action's events",
          "route53: demo.sim.drtop.test weight us21=1 eu20=0 in zone "
          "Z0123456789EXAMPLE" in out, out)
    c = calls(fdir, "aws")
    check("watch: aws got the batch for eu20 -> us21 on stdin",
          len(c) == 1 and c[0][0][:4] == ["route53",
                                          "change-resource-record-sets",
                                          "--hosted-zone-id",
                                          "Z0123456789EXAMPLE"]
          and [ch["ResourceRecordSet"]["SetIdentifier"] for ch in
               json.loads(c[0][1])["Changes"]] == ["us21", "eu20"], c)
    check("watch exits 0", w.stop() == 0)
done()
