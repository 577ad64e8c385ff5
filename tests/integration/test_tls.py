"""drtop watch --json against `openssl s_server` on loopback: every TLS
failure names its reason, in the probe event ("tls") and in the health
reason, and every https endpoint gets a `cert` event with its days left,
whether its certificate verifies or not.

Certificates are made here with `openssl ca` (explicit -startdate and
-enddate: expired, not yet valid, 10 and 20 days left), `openssl req
-x509` (self-signed) and a second CA nobody trusts (unknown issuer).
OpenSSL reports a certificate's dates and libcurl its host name only for
a chain it trusts, so drtop runs in a private mount namespace (`unshare
-rm`) where libcurl's CA bundle is this test's CA; the host's files are
not touched. Where no namespace can be made, the checks that need that
trust are reported as skipped.

Handshake failures: an s_server that offers only a NULL cipher, and a
plain TCP server that hangs up on the ClientHello."""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import drtest  # noqa: E402
from drtest import Watch, check  # noqa: E402

HOST = "svc.drtop.test"
INTERVAL = 1.0  # and the timeout
WAIT = 20  # bound for each expected event, seconds

CA_CNF = """[ ca ]
default_ca = d
[ d ]
dir = %(dir)s
database = $dir/index.txt
new_certs_dir = $dir/new
certificate = $dir/ca.pem
private_key = $dir/ca.key
serial = $dir/serial
default_md = sha256
policy = p
unique_subject = no
email_in_dn = no
[ p ]
commonName = supplied
"""

CLOSER = """
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
while True:
    c, _ = s.accept()
    c.settimeout(2)
    try:
        c.recv(4096)  # the ClientHello
    except OSError:
        pass
    c.close()
"""


def openssl(args, cwd):
    r = drtest.run(["openssl"] + args, cwd=cwd)
    if r.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (args[0], r.stderr[-500:]))


def utc(t):
    return time.strftime("%Y%m%d%H%M%SZ", time.gmtime(t))


class CA:
    def __init__(self, d, name):
        self.dir = os.path.join(d, name)
        os.makedirs(os.path.join(self.dir, "new"))
        open(os.path.join(self.dir, "index.txt"), "w").close()
        with open(os.path.join(self.dir, "serial"), "w") as f:
            f.write("1000\n")
        with open(os.path.join(self.dir, "ca.cnf"), "w") as f:
            f.write(CA_CNF % {"dir": self.dir})
        self.pem = os.path.join(self.dir, "ca.pem")
        openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:P-256", "-nodes", "-days", "30",
                 "-subj", "/CN=drtop test %s" % name,
                 "-keyout", os.path.join(self.dir, "ca.key"),
                 "-out", self.pem], self.dir)

    def issue(self, name, host, start, end):
        """A certificate for host, valid from start to end (epoch
        seconds); returns (cert, key) paths."""
        base = os.path.join(self.dir, name)
        with open(base + ".ext", "w") as f:
            f.write("subjectAltName=DNS:%s\n" % host)
        openssl(["req", "-new", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + host,
                 "-keyout", base + ".key", "-out", base + ".csr"], self.dir)
        openssl(["ca", "-batch", "-config",
                 os.path.join(self.dir, "ca.cnf"), "-notext",
                 "-startdate", utc(start), "-enddate", utc(end),
                 "-extfile", base + ".ext",
                 "-in", base + ".csr", "-out", base + ".pem"], self.dir)
        return base + ".pem", base + ".key"


def port_open(port):
    s = socket.socket()
    s.settimeout(0.5)
    try:
        s.connect(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def serve(cert, key, extra=()):
    """An openssl s_server answering HTTP (-www) on a fresh port."""
    port = drtest.free_port()
    drtest.spawn(["openssl", "s_server", "-quiet", "-www",
                  "-accept", "127.0.0.1:%d" % port, "-cert", cert,
                  "-key", key] + list(extra),
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not drtest.wait_for(lambda: port_open(port), 10):
        raise RuntimeError("s_server on %d did not start" % port)
    return port


def closer():
    port = drtest.free_port()
    drtest.spawn([sys.executable, "-c", CLOSER, str(port)])
    if not drtest.wait_for(lambda: port_open(port), 10):
        raise RuntimeError("closer on %d did not start" % port)
    return port


def ca_bundle_path():
    """The CA bundle libcurl reads by default (curl-config --ca)."""
    try:
        r = drtest.run(["curl-config", "--ca"])
        path = r.stdout.strip()
        if r.returncode == 0 and os.path.isfile(path):
            return path
    except OSError:
        pass
    path = "/etc/ssl/certs/ca-certificates.crt"
    return path if os.path.isfile(path) else None


def trusting_wrapper(d, ca_pem):
    """A script that runs drtop in a private mount namespace whose CA
    bundle is ca_pem, or None when that cannot be done here."""
    bundle = ca_bundle_path()
    if bundle is None:
        return None, "no CA bundle file found for libcurl"
    wrapper = os.path.join(d, "drtop-trusting-test-ca")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\n"
                "exec unshare -rm sh -c "
                "'mount --bind \"$0\" \"$1\" && shift && exec \"$@\"' "
                "'%s' '%s' '%s' \"$@\"\n" % (ca_pem, bundle, drtest.DRTOP))
    os.chmod(wrapper, 0o755)
    try:
        r = drtest.run(["unshare", "-rm", "sh", "-c",
                        'mount --bind "$0" "$1" && cat "$1"',
                        ca_pem, bundle], timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, str(e)
    with open(ca_pem) as f:
        if r.returncode != 0 or r.stdout != f.read():
            return None, "unshare -rm: %s" % r.stderr.strip()
    return wrapper, ""


def ep(name, port, insecure=False, scheme="https"):
    e = {"name": name, "target": "%s://%s:%d/" % (scheme, HOST, port),
         "connect_to": "127.0.0.1:%d" % port}
    if insecure:
        e["insecure"] = True
    return e


def main():
    d = drtest.tmpdir()
    now = time.time()
    day = 86400
    ca = CA(d, "ca")
    rogue = CA(d, "rogue")
    certs = {
        # An hour past the whole day: days_left is exactly -30, 400, 10
        # and 20 (whole days, rounded down).
        "expired": ca.issue("expired", HOST, now - 400 * day,
                            now - 30 * day + 3600),
        "notyet": ca.issue("notyet", HOST, now + 30 * day,
                           now + 400 * day + 3600),
        "wronghost": ca.issue("wronghost", "other.drtop.test",
                              now - day, now + 90 * day),
        "unknown": rogue.issue("unknown", HOST, now - day, now + 90 * day),
        "ten": ca.issue("ten", HOST, now - day, now + 10 * day + 3600),
        "twenty": ca.issue("twenty", HOST, now - day,
                           now + 20 * day + 3600),
    }
    self_key = os.path.join(d, "self.key")
    self_pem = os.path.join(d, "self.pem")
    openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:P-256", "-nodes", "-days", "30",
             "-subj", "/CN=" + HOST, "-addext", "subjectAltName=DNS:" + HOST,
             "-keyout", self_key, "-out", self_pem], d)
    certs["self"] = (self_pem, self_key)

    ports = {name: serve(*pk) for name, pk in certs.items()}
    # A cipher curl never offers: the handshake fails with an alert.
    ports["cipher"] = serve(*certs["ten"], extra=[
        "-tls1_2", "-cipher", "NULL-SHA256@SECLEVEL=0"])
    ports["hangup"] = closer()

    wrapper, why = trusting_wrapper(d, ca.pem)
    trusted = wrapper is not None
    if trusted:
        drtest.DRTOP = wrapper

    # Failing endpoints (verified) and the days endpoints, verified and
    # not; a tcp endpoint on an https server gets no cert event.
    eps = [ep("expired", ports["expired"]),
           ep("notyet", ports["notyet"]),
           ep("self", ports["self"]),
           ep("unknown", ports["unknown"]),
           ep("wronghost", ports["wronghost"]),
           ep("cipher", ports["cipher"]),
           ep("hangup", ports["hangup"]),
           ep("ten", ports["ten"]),
           ep("ten-insecure", ports["ten"], insecure=True),
           ep("twenty", ports["twenty"]),
           ep("twenty-insecure", ports["twenty"], insecure=True),
           ep("expired-insecure", ports["expired"], insecure=True),
           {"name": "tcp", "target": "tcp://127.0.0.1:%d" % ports["ten"]}]
    prof = drtest.write_json(os.path.join(d, "tls.json"), {
        "service": "tls-test",
        "monitor": {"interval": INTERVAL, "timeout": INTERVAL,
                    "tolerated_failures": 1},
        "endpoints": eps,
    })
    w = Watch(prof)
    first = w.wait(WAIT, type="probe")
    if not check("watch runs and probes", first,
                 w.p.stderr.read().decode() if w.p.poll() is not None
                 else "no probe event"):
        w.stop()
        return

    def skip(name):
        check("%s # SKIP no trusted test CA (%s)" % (name, why), True)

    # --- reasons: probe events and the health reason ----------------------
    want = [("expired", "expired", "certificate expired", True),
            ("notyet", "not_yet_valid", "certificate not yet valid", True),
            ("self", "untrusted",
             "certificate not trusted (self-signed or unknown issuer)",
             False),
            ("unknown", "untrusted",
             "certificate not trusted (self-signed or unknown issuer)",
             False),
            ("wronghost", "hostname", "certificate for another host name",
             True),
            ("cipher", "handshake", "handshake failed", False),
            ("hangup", "handshake", "handshake failed", False)]
    for name, reason, text, needs_trust in want:
        if needs_trust and not trusted:
            skip("%s: tls %s" % (name, reason))
            continue
        pr = w.wait(WAIT, type="probe", endpoint=name)
        check("%s: probe fails as tls, \"tls\": \"%s\"" % (name, reason),
              pr and pr[0]["ok"] is False and pr[0]["error"] == "tls"
              and pr[0].get("tls") == reason and pr[0]["status"] is None,
              pr[:1])
        h = w.wait(WAIT, type="health", endpoint=name, to="degraded")
        check("%s: health reason names it" % name,
              h and h[0]["reason"] ==
              "2 consecutive failures (last: tls: %s)" % text, h[:1])
    if not trusted:
        # Without the test CA every verified endpoint is untrusted, and
        # the handshake reasons stand.
        for name in ("expired", "notyet", "wronghost", "ten", "twenty"):
            pr = w.wait(WAIT, type="probe", endpoint=name)
            check("untrusted CA: %s is tls untrusted" % name,
                  pr and pr[0].get("tls") == "untrusted", pr[:1])

    # --- certificate days for every https endpoint -------------------------
    def cert(name):
        c = w.wait(WAIT, type="cert", endpoint=name)
        return c[0] if c else None

    for name in ("ten", "ten-insecure"):
        c = cert(name)
        check("%s: cert event, 10 days left, warning" % name,
              c and c["days_left"] == 10 and c["warning"] is True
              and HOST in (c["subject"] or ""), c)
    for name in ("twenty", "twenty-insecure"):
        c = cert(name)
        check("%s: cert event, 20 days left, no warning" % name,
              c and c["days_left"] == 20 and c["warning"] is False, c)
    for name in ("expired", "expired-insecure"):
        c = cert(name)
        check("%s: cert event, expired 30 days ago" % name,
              c and c["days_left"] == -30 and c["warning"] is True, c)
    c = cert("notyet")
    check("notyet: cert event, 400 days left", c and c["days_left"] == 400
          and c["warning"] is False, c)
    for name in ("self", "unknown", "wronghost"):
        c = cert(name)
        check("%s: cert event although it does not verify" % name,
              c and c["days_left"] in (29, 30, 89, 90), c)

    if trusted:
        for name in ("ten", "twenty"):
            pr = w.wait(WAIT, type="probe", endpoint=name, ok=True)
            check("%s: verified with the test CA, ok" % name,
                  pr and pr[0]["status"] == 200 and "tls" not in pr[0],
                  pr[:1])
    else:
        skip("ten, twenty: verified ok")
    for name in ("ten-insecure", "twenty-insecure", "expired-insecure"):
        pr = w.wait(WAIT, type="probe", endpoint=name)
        check("%s: insecure probes do not fail on the certificate" % name,
              pr and pr[0]["ok"] is True and "tls" not in pr[0], pr[:1])

    # Several probes later: one cert event each (days did not change),
    # none for the handshake failures or the tcp endpoint, and no "tls"
    # beside any other error.
    w.wait(WAIT, type="probe", endpoint="ten",
           pred=lambda e: len(w.events(type="probe", endpoint="ten")) >= 6)
    for name in ("ten", "ten-insecure", "twenty", "expired", "self"):
        n = len(w.events(type="cert", endpoint=name))
        check("%s: one cert event over %d probes" % (
            name, len(w.events(type="probe", endpoint=name))), n == 1, n)
    for name in ("cipher", "hangup", "tcp"):
        check("%s: no cert event" % name,
              not w.events(type="cert", endpoint=name),
              w.events(type="cert", endpoint=name))
    stray = [e for e in w.events(type="probe")
             if "tls" in e and e["error"] != "tls"]
    check("\"tls\" only beside error tls", not stray, stray[:2])
    reasons = {e.get("tls") for e in w.events(type="probe", error="tls")}
    check("every tls failure names a reason", None not in reasons, reasons)
    check("every line is JSON", not w.bad, w.bad[:2])
    rc = w.stop()
    check("watch exits 0 on SIGTERM", rc == 0, rc)


main()
drtest.done()
