"""Screen test of drill recording in the console (issue 7, "Recording"),
on `drtop --demo` in tmux (private socket), its cwd a temp dir so the
demo profile's drill.dir (`drills`) lands there: D + a name starts a
drill (DRILL REC in the status line); 1 breaks eu20, which goes DEGRADED;
f and us21 fail over (the demo's manager is manual), and the name server
moves at once (the failover phase); m adds a marker; D ends the drill and the status
line names the file. The log: every line JSON; `drtop report --format
json` has the phases start, fault, detected, failover in order, detect_s
>= 0, the marker and the typed name; `drtop replay --check` exits 0.
Then D + Esc writes no file."""
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(__file__))
import drtest  # noqa: E402
from drtest import check  # noqa: E402
from screen import Screen, endpoint_state  # noqa: E402

NAMES = ["eu20", "us21", "ap10"]
START = 60  # start-up on a loaded 2-core machine: polled, never slept
SLACK = 15.0


def status_line(s):
    """The status line: the line with the mode word (second to last)."""
    lines = s.splitlines()
    for l in lines:
        if " DEMO " in l:
            return l
    return ""


def all_online(s):
    return s if all(endpoint_state(s, n) == "ONLINE" for n in NAMES) else None


def console(work, tmp, x=160, y=40, extra=()):
    drtop = os.path.abspath(drtest.DRTOP)
    return Screen(["sh", "-c", 'cd "$1" && shift && exec "$@" --demo', "sh",
                   work, drtop] + list(extra), x=x, y=y, tmp=tmp)


def read_events(path):
    out = []
    with open(path) as f:
        for line in f:
            out.append(json.loads(line))
    return out


def drill_events(evs):
    return [(e.get("phase"), e.get("note")) for e in evs
            if e.get("type") == "drill" and
            e.get("phase") in ("start", "fault", "end")]


def drill_files(work):
    d = os.path.join(work, "drills")
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, f) for f in os.listdir(d))


def main():
    tmp = drtest.tmpdir()
    work = os.path.join(tmp, "work")
    os.mkdir(work)
    scr = console(work, tmp)
    try:
        path = run(scr, work)
    finally:
        scr.close()
    if path:
        check_log(path)

    # D then Esc: no drill, no file
    work2 = os.path.join(tmp, "work2")
    os.mkdir(work2)
    scr = console(work2, tmp)
    try:
        s = scr.wait_for(lambda x: "Endpoints" in x, START)
        check("esc: console up", s is not None, getattr(scr, "last", ""))
        scr.keys("D")
        s = scr.wait_for(lambda x: "Start a drill" in x, 10)
        check("esc: D asks for a name", s is not None, getattr(scr, "last", ""))
        scr.keys("x", "y", "Escape")
        s = scr.wait_for(lambda x: "Start a drill" not in x, 10)
        check("esc: the dialog closes", s is not None)
        check("esc: no DRILL REC", s is not None and "DRILL REC" not in s,
              s and status_line(s))
        scr.keys("q")
        check("esc: q exits 0", scr.exit_status() == 0)
        check("esc: no drill log written", drill_files(work2) == [],
              drill_files(work2))
    finally:
        scr.close()

    # drill.dir unusable (a file named drills): an error on the status
    # line, the console keeps running; then a drill with i and --record
    work3 = os.path.join(tmp, "work3")
    os.mkdir(work3)
    with open(os.path.join(work3, "drills"), "w") as f:
        f.write("not a directory\n")
    record = os.path.join(tmp, "session.jsonl")
    scr = console(work3, tmp, extra=["--record", record])
    try:
        errors_and_record(scr, work3, record)
    finally:
        scr.close()

    # a write error (the file size limit, like a full disk, with SIGXFSZ
    # ignored): shown on the status line, the console keeps running
    work4 = os.path.join(tmp, "work4")
    os.mkdir(work4)
    drtop = os.path.abspath(drtest.DRTOP)
    scr = Screen(["sh", "-c", 'cd "$1" && trap "" XFSZ && ulimit -f 16 && '
                  'exec "$2" --demo', "sh", work4, drtop], x=160, y=40,
                 tmp=tmp)
    try:
        write_error(scr, work4)
    finally:
        scr.close()
    drtest.done()


def write_error(scr, work):
    s = scr.wait_for(lambda x: "Endpoints" in x, START)
    check("write error: console up", s is not None, getattr(scr, "last", ""))
    scr.keys("D")
    scr.wait_for(lambda x: "Start a drill" in x, 10)
    scr.keys("-l", "full")
    scr.keys("Enter")
    scr.keys("1")
    s = scr.wait_for(lambda x: "NOT RECORDED" in x, SLACK + 20)
    st = status_line(s or getattr(scr, "last", ""))
    check("write error: NOT RECORDED on the status line, beside the drill",
          "NOT RECORDED" in st and "REC" in st, st)
    note = (s or "").splitlines()[-1] if s else ""
    check("write error: the reason on the notice line",
          note.strip().startswith("drill log NOT RECORDED (") and "):" in note,
          note)
    scr.keys("q")
    check("write error: the console still quits with 0",
          scr.exit_status() == 0)
    files = drill_files(work)
    ok = len(files) == 1
    if ok:
        with open(files[0], "rb") as f:
            data = f.read()
        ok = data.endswith(b"\n") and all(
            json.loads(l) is not None for l in data.splitlines())
    check("write error: the drill log holds whole lines only", ok, files)


def errors_and_record(scr, work, record):
    s = scr.wait_for(lambda x: "Endpoints" in x, START)
    check("unusable dir: console up", s is not None, getattr(scr, "last", ""))
    scr.keys("D")
    scr.wait_for(lambda x: "Start a drill" in x, 10)
    scr.keys("-l", "nodir")
    scr.keys("Enter")
    s = scr.wait_for(lambda x: "DRILL NOT STARTED" in x, 10)
    check("unusable dir: the status line shows the error", s is not None,
          status_line(getattr(scr, "last", "")))
    check("unusable dir: no DRILL REC", s is not None and "DRILL REC" not in s)
    clock = re.search(r"\d\d:\d\d:\d\d", status_line(s or ""))
    s2 = scr.wait_for(lambda x: clock is not None and clock.group(0) not in
                      status_line(x), 10)
    check("unusable dir: the console keeps running (clock ticks)",
          s2 is not None, status_line(getattr(scr, "last", "")))

    os.unlink(os.path.join(work, "drills"))
    scr.keys("D")
    scr.wait_for(lambda x: "Start a drill" in x, 10)
    scr.keys("-l", "second")
    scr.keys("Enter")
    s = scr.wait_for(lambda x: "DRILL REC second" in x, 10)
    check("drill.dir is created when missing", s is not None and
          len(drill_files(work)) == 1, status_line(getattr(scr, "last", "")))
    scr.keys("i")
    s = scr.wait_for(lambda x: "Fault marked at" in x, 10)
    check("i marks the fault and asks for a note", s is not None,
          getattr(scr, "last", ""))
    time.sleep(2)  # the operator types slowly: the fault is when i was hit
    scr.keys("-l", "pulled the plug")
    scr.keys("Enter")
    s = scr.wait_for(lambda x: re.search(r"DRILL REC second .*fault \+", x),
                     10)
    check("i: the fault phase shows in the status line", s is not None,
          status_line(getattr(scr, "last", "")))
    scr.keys("D")
    s = scr.wait_for(lambda x: "drill second ended" in x, 10)
    check("D ends the second drill", s is not None,
          status_line(getattr(scr, "last", "")))
    scr.keys("q")
    check("record: q exits 0", scr.exit_status() == 0)
    files = drill_files(work)
    if len(files) != 1:
        check("record: one drill log", False, files)
        return
    want = [("start", "second"), ("fault", ""), ("end", "")]
    try:
        dl = drill_events(read_events(files[0]))
        rl = drill_events(read_events(record))
    except (OSError, ValueError) as e:
        check("record: both logs parse", False, e)
        return
    check("drill log: start, fault, end",
          [(p, n or "") for p, n in dl] == want, dl)
    evs = read_events(files[0])
    fault = [e for e in evs if e.get("phase") == "fault"]
    note = [e for e in evs if e.get("type") == "marker"
            and e.get("note") == "fault: pulled the plug"]
    check("the fault's note follows as a marker, and the fault's time is "
          "when i was pressed (>= 1.5 s before the note's Enter)",
          len(fault) == 1 and len(note) == 1
          and note[0]["t"] - fault[0]["t"] >= 1.5, (fault, note))
    check("--record got the same drill events", rl == dl, (rl, dl))


def run(scr, work):
    s = scr.wait_for(all_online, START)
    check("console up, every region ONLINE", s is not None,
          getattr(scr, "last", ""))
    if s is None:
        return None
    check("DNS answers eu20 first",
          re.match(r"\W*DNS (\u2192|->) eu20 \d+/\d+", s.splitlines()[0]),
          s.splitlines()[0])

    scr.keys("D")
    s = scr.wait_for(lambda x: "Start a drill" in x, 10)
    check("D asks for the drill's name", s is not None,
          getattr(scr, "last", ""))
    scr.keys("-l", "gameday 7")
    s = scr.wait_for(lambda x: "gameday 7" in x, 10)
    check("the typed name shows in the dialog", s is not None)
    scr.keys("Enter")
    s = scr.wait_for(
        lambda x: re.search(r"DRILL REC gameday 7 \d\d:\d\d", x), 10)
    check("status line: DRILL REC name mm:ss", s is not None,
          getattr(scr, "last", ""))
    check("the drill log exists at once", len(drill_files(work)) == 1,
          drill_files(work))

    scr.keys("1")
    s = scr.wait_for(lambda x: endpoint_state(x, "eu20") == "DEGRADED",
                     SLACK + 20)
    check("fault 1: eu20 DEGRADED", s is not None, getattr(scr, "last", ""))
    # The demo's traffic manager is manual: the operator fails over;
    # traffic moved when DNS is seen answering us21.
    scr.keys("f")
    s = scr.wait_for(lambda x: "Fail over" in x and "Type us21" in x, 10)
    check("f asks to fail over to us21", s is not None,
          getattr(scr, "last", ""))
    scr.keys("u", "s", "2", "1", "Enter")
    s = scr.wait_for(lambda x: re.search(r"DNS (\u2192|->) us21 ",
                                         x.splitlines()[0]), SLACK + 20)
    check("fault 1: traffic moved to us21: DNS answers it", s is not None,
          getattr(scr, "last", "").splitlines()[:1])
    s = scr.wait_for(lambda x: re.search(r"DRILL REC .*failover \+", x), 10)
    check("status line shows the failover phase", s is not None,
          status_line(getattr(scr, "last", "")))

    scr.keys("m")
    s = scr.wait_for(lambda x: "Marker text" in x, 10)
    check("m asks for the marker's text", s is not None,
          getattr(scr, "last", ""))
    scr.keys("-l", "paged the DNS team")
    scr.keys("Enter")
    s = scr.wait_for(lambda x: "Marker text" not in x and
                     "paged the DNS team" in x, 10)
    check("the marker shows in the event log", s is not None,
          getattr(scr, "last", ""))

    scr.keys("D")
    s = scr.wait_for(lambda x: re.search(r"drill gameday 7 ended .*log drills/", x),
                     10)
    check("D ends the drill: the status line names the file", s is not None,
          status_line(getattr(scr, "last", "")))
    files = drill_files(work)
    check("one drill log in drill.dir", len(files) == 1, files)
    if s is not None and files:
        check("the status line names that file",
              os.path.basename(files[0])[:40] in s, status_line(s))
    scr.keys("q")
    check("q exits 0", scr.exit_status() == 0)
    return files[0] if files else None


def check_log(path):
    base = os.path.basename(path)
    check("file name <service>-<UTC>-<name>.jsonl",
          re.match(r"^[A-Za-z0-9._-]+-\d{8}T\d{6}Z-gameday_7\.jsonl$", base),
          base)
    with open(path) as f:
        lines = f.read().split("\n")
    check("the log ends with a newline", lines[-1] == "", lines[-1:])
    evs, bad = [], []
    for i, l in enumerate(lines[:-1]):
        try:
            evs.append(json.loads(l))
        except ValueError:
            bad.append(i + 1)
    check("every line parses as JSON", not bad and len(evs) > 3, bad)
    if not evs:
        return
    check("first line: the session header, mode demo",
          evs[0].get("type") == "session" and evs[0].get("mode") == "demo",
          evs[0].get("type"))
    check("then the engine's state when D was pressed",
          len(evs) > 1 and evs[1].get("type") == "state" and
          evs[1].get("route", {}).get("to") == "eu20" and
          [e.get("name") for e in evs[1].get("endpoints", [])] ==
          ["eu20", "us21", "ap10"], evs[1:2])
    check("then the drill's start, note = the name",
          len(evs) > 2 and evs[2].get("type") == "drill" and
          evs[2].get("phase") == "start" and
          evs[2].get("note") == "gameday 7", evs[2:3])
    phases = [e.get("phase") for e in evs if e.get("type") == "drill"]
    check("the drill's phases are in the log in order",
          phases[:1] == ["start"] and phases[-1:] == ["end"] and
          "fault" in phases and "detected" in phases and
          "failover" in phases, phases)
    faults = [e for e in evs if e.get("type") == "drill" and
              e.get("phase") == "fault"]
    check("the demo marked the fault automatically",
          len(faults) == 1 and "eu20" in faults[0].get("note", ""), faults)

    r = subprocess.run([drtest.DRTOP, "report", "--format", "json", path],
                       capture_output=True, text=True, timeout=60)
    check("report exits 0", r.returncode == 0, r.stderr)
    try:
        rep = json.loads(r.stdout)
    except ValueError:
        rep = None
    check("report is JSON", rep is not None, r.stdout[:200])
    if rep:
        ph = rep.get("phases", {})
        seq = [ph.get(k) for k in ("start", "fault", "detected", "failover")]
        check("report: start, fault, detected, failover present",
              all(isinstance(v, (int, float)) for v in seq), ph)
        if all(isinstance(v, (int, float)) for v in seq):
            check("report: phase times increase",
                  seq[0] <= seq[1] <= seq[2] and seq[1] <= seq[3], seq)
        d = rep.get("metrics", {}).get("detect_s")
        check("report: detect_s >= 0", isinstance(d, (int, float)) and d >= 0,
              d)
        check("report: the drill is named as typed",
              rep.get("drill") == "gameday 7", rep.get("drill"))
        check("report: the marker is listed",
              any("paged the DNS team" in json.dumps(m)
                  for m in rep.get("markers", [])), rep.get("markers"))
    # The drill log starts at D with the engine's state then: replay
    # --check starts from it and re-derives what the live engine did.
    r = subprocess.run([drtest.DRTOP, "replay", "--check", path],
                       capture_output=True, text=True, timeout=120)
    verdict = None
    for line in r.stdout.splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if o.get("type") == "replay_check":
            verdict = o
    check("replay --check of the drill log (begun mid-session) is equal",
          r.returncode == 0 and verdict is not None and
          verdict.get("equal") is True and verdict.get("mismatches") == 0 and
          verdict.get("events") == len(evs) - 2,
          (r.returncode, verdict, r.stderr[-300:]))


if __name__ == "__main__":
    main()
