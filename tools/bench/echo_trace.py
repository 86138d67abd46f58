#!/usr/bin/env python3
"""Where an echo's time goes: a phase-by-phase breakdown from ftrace.

Runs `ttyhub-bench --scenarios echo` for one server, traces the tool's
thread and the server's threads for a short window in the middle of the
echo (raw syscalls, scheduler wake-ups and switches, and the tty flip
buffer's work items), and splits each round trip at the system calls that
mark its hand-overs:

  M0 tool writes the message to its TCP socket
  M1 server's first system call returns after M0: it woke (or, polling,
     its io_uring_enter found the completion)
  M2 server's write of it to the device (pty slave) returns
  M3 tool starts reading it from the pty master
  M4 tool's write of the answer to the master returns
  M5 server's first system call returns after M4 (woke, or found it)
  M6 server has sent it (ttyhub: the io_uring_enter that submits the SEND
     returns; ser2net: its write to the socket returns)
  M7 tool's read of the answer from its TCP socket returns

and counts, per echo, the server's wake-ups (sched_switch to a server
thread), its io_uring_enter calls, and the flip-buffer work items
(flush_to_ldisc) the pty ran. Needs root and tracefs (/sys/kernel/tracing).

Usage: echo_trace.py BENCH_BINARY SERVER [--qos] [--seconds S] [--trace-ms MS]
       [--budget PCT]
SERVER is a ttyhub-bench server name (ttyhub, ttyhub-lowlat, ser2net-tuned).
Prints a table of median and p90 per phase, in microseconds.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

TRACEFS = "/sys/kernel/tracing"
SYS_READ, SYS_WRITE, SYS_READV, SYS_WRITEV = 0, 1, 19, 20
SYS_SENDTO, SYS_RECVFROM, SYS_SENDMSG, SYS_RECVMSG, SYS_IO_URING_ENTER = 44, 45, 46, 47, 426
READS = {SYS_READ, SYS_READV, SYS_RECVFROM, SYS_RECVMSG}
WRITES = {SYS_WRITE, SYS_WRITEV, SYS_SENDTO, SYS_SENDMSG}


def tf(path, value):
    with open(os.path.join(TRACEFS, path), "w") as f:
        f.write(value)


def threads_of(pid):
    return [int(t) for t in os.listdir(f"/proc/{pid}/task")]


def fd_kinds(pid):
    """fd -> 'pty' (a pts or ptmx), 'socket', or other."""
    kinds = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("/dev/pts/") or target == "/dev/ptmx":
            kinds[int(fd)] = "pty"
        elif target.startswith("socket:"):
            kinds[int(fd)] = "socket"
    return kinds


def children(pid):
    out = subprocess.run(["ps", "-o", "pid=,comm=", "--ppid", str(pid)],
                         capture_output=True, text=True).stdout
    return [(int(l.split()[0]), l.split()[1]) for l in out.splitlines() if l.strip()]


LINE = re.compile(r"^\s*(?P<comm>.+?)-(?P<tid>\d+)\s+\[\d+\]\s+\S+\s+(?P<ts>[\d.]+):\s+"
                  r"(?P<event>\w+):\s+(?P<rest>.*)$")


def parse(trace_text):
    events = []
    for line in trace_text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        events.append((float(m["ts"]) * 1e6, int(m["tid"]), m["event"], m["rest"]))
    return events


def analyse(events, tool_tid, tool_fds, server_tids, server_fds):
    """Splits the trace into echoes at the tool's writes to its socket."""
    pending = {}  # tid -> (nr, fd, ts) of the syscall it is in
    marks = []  # per echo: dict of M0..M7 and counts
    cur = None
    for ts, tid, event, rest in events:
        if event == "sys_enter":
            m = re.match(r"NR (\d+) \((\w+),", rest)
            if not m:
                continue
            nr, fd = int(m[1]), int(m[2], 16)
            pending[tid] = (nr, fd, ts)
            if tid == tool_tid and nr in WRITES and tool_fds.get(fd) == "socket":
                cur = {"M0": ts, "wakeups": 0, "enters": 0, "flushes": 0}
                marks.append(cur)
            elif cur is not None and tid == tool_tid and nr in READS and \
                    tool_fds.get(fd) == "pty" and "M3" not in cur:
                cur["M3"] = ts
            elif cur is not None and tid in server_tids:
                if nr == SYS_IO_URING_ENTER:
                    cur["enters"] += 1
        elif event == "sys_exit":
            m = re.match(r"NR (\d+) = (-?\d+)", rest)
            if not m or tid not in pending:
                continue
            nr, fd, entered = pending.pop(tid)
            ret = int(m[2])
            if cur is None:
                continue
            if tid in server_tids and "M1" not in cur:
                cur["M1"] = ts  # the server's first return after M0: it woke (or its poll saw it)
            elif tid in server_tids and "M4" in cur and "M5" not in cur:
                cur["M5"] = ts
            if tid == tool_tid:
                if nr in WRITES and tool_fds.get(fd) == "pty" and "M3" in cur and "M4" not in cur:
                    cur["M4"] = ts
                elif nr in READS and tool_fds.get(fd) == "socket" and ret > 0 and "M6" in cur:
                    cur.setdefault("M7", ts)
            elif tid in server_tids:
                kind = server_fds.get(fd)
                if nr in WRITES and kind == "pty" and "M1" in cur and "M2" not in cur:
                    cur["M2"] = ts
                elif nr in READS and kind == "pty" and "M5" in cur and "M5r" not in cur:
                    cur["M5r"] = ts  # poll mode: the read(2) after the poll fired
                elif "M5" in cur and "M6" not in cur and entered > cur["M5"] and (
                        nr == SYS_IO_URING_ENTER or (nr in WRITES and kind == "socket")):
                    cur["M6"] = ts
        elif event == "sched_switch" and cur is not None:
            m = re.search(r"next_pid=(\d+)", rest)
            if m and int(m[1]) in server_tids:
                cur["wakeups"] += 1
        elif event == "workqueue_execute_start" and cur is not None and "flush_to_ldisc" in rest:
            cur["flushes"] += 1
    keys = [f"M{i}" for i in range(8)]
    return [m for m in marks if all(k in m for k in keys)
            and all(m[keys[i]] <= m[keys[i + 1]] for i in range(7))]


PHASES = [
    ("M0", "M1", "client -> server: TCP hop, server wakes"),
    ("M1", "M2", "server: recv, write to the device"),
    ("M2", "M3", "pty hop to the device end, device program wakes"),
    ("M3", "M4", "device program: read, write the answer"),
    ("M4", "M5", "pty hop back, server wakes"),
    ("M5", "M6", "server: read the device, send to the client"),
    ("M5r", "M6", "  of which after the device read(2) returned (poll mode)"),
    ("M6", "M7", "server -> client: TCP hop, client wakes, reads"),
    ("M0", "M7", "round trip (traced)"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bench")
    ap.add_argument("server")
    ap.add_argument("--qos", action="store_true")
    ap.add_argument("--seconds", type=float, default=6)
    ap.add_argument("--trace-ms", type=int, default=300)
    ap.add_argument("--budget", type=int, default=0)
    a = ap.parse_args()
    cmd = [a.bench, "--servers", a.server, "--scenarios", "echo", "--reps", "1",
           "--duration", str(a.seconds)]
    if a.qos:
        cmd.append("--cpu-latency-qos")
    if a.budget:
        cmd += ["--busy-poll-budget", str(a.budget)]
    bench = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    server = None
    deadline = time.time() + 30
    while server is None and time.time() < deadline:
        time.sleep(0.2)
        for pid, comm in children(bench.pid):
            if comm.startswith("ttyhub") or comm.startswith("ser2net"):
                server = pid
    if server is None:
        sys.exit("no server process appeared")
    time.sleep(2.5)  # past the warm-up, into the timed window
    tool_tid = bench.pid
    server_tids = set(threads_of(server))
    tool_fds, server_fds = fd_kinds(bench.pid), fd_kinds(server)
    pids = " || ".join(f"common_pid == {t}" for t in [tool_tid, *server_tids])
    switch_pids = " || ".join(f"next_pid == {t}" for t in server_tids)
    tf("tracing_on", "0")
    tf("trace", "")
    tf("buffer_size_kb", "65536")
    for ev in ["raw_syscalls/sys_enter", "raw_syscalls/sys_exit"]:
        tf(f"events/{ev}/filter", pids)
        tf(f"events/{ev}/enable", "1")
    tf("events/sched/sched_switch/filter", switch_pids)
    tf("events/sched/sched_switch/enable", "1")
    try:
        tf("events/workqueue/workqueue_execute_start/filter", "function == flush_to_ldisc")
    except OSError:
        pass  # an older kernel: unfiltered, matched by name below
    tf("events/workqueue/workqueue_execute_start/enable", "1")
    tf("tracing_on", "1")
    time.sleep(a.trace_ms / 1000)
    tf("tracing_on", "0")
    with open(os.path.join(TRACEFS, "trace")) as f:
        text = f.read()
    for ev in ["raw_syscalls/sys_enter", "raw_syscalls/sys_exit", "sched/sched_switch",
               "workqueue/workqueue_execute_start"]:
        tf(f"events/{ev}/enable", "0")
        tf(f"events/{ev}/filter", "0")
    tf("trace", "")
    out, _ = bench.communicate(timeout=120)
    echoes = analyse(parse(text), tool_tid, tool_fds, server_tids, server_fds)
    if not echoes:
        sys.exit("no complete echo in the trace")
    rtt = [l for l in out.splitlines() if "RTT p50" in l or "RTT p99 " in l]
    print(f"server {a.server}, PM QoS {'held at 0' if a.qos else 'not held'}, "
          f"{len(echoes)} echoes traced over {a.trace_ms} ms (tracing slows each a little)")
    print("bench (untraced most of the window):", "; ".join(x.strip() for x in rtt))
    print(f"| phase | median us | p90 us |")
    print("|---|---:|---:|")
    for start, end, what in PHASES:
        d = sorted(e[end] - e[start] for e in echoes if start in e and end in e)
        if not d:
            continue
        p90 = d[min(len(d) - 1, int(len(d) * 0.9))]
        print(f"| {start}->{end} {what} | {statistics.median(d):.1f} | {p90:.1f} |")
    for key, what in [("wakeups", "server threads switched in"),
                      ("enters", "server io_uring_enter calls"),
                      ("flushes", "pty flip-buffer work items (flush_to_ldisc)")]:
        print(f"| per echo: {what} | {statistics.mean(e[key] for e in echoes):.2f} (mean) | |")


if __name__ == "__main__":
    main()
