#!/usr/bin/env python3
"""Smoke test of ttyhub-bench (registered by tests/tools/CMakeLists.txt).

Runs the whole suite for a few seconds with tiny sizes against ttyhub, and
against tuned ser2net if `ser2net` is on PATH, then checks:
  - the tool exits 0 and prints its report;
  - the JSON report parses and has the expected shape;
  - every scenario ran on ttyhub, every ttyhub run succeeded, and bytes were
    verified (nonzero) with no loss, corruption or reordering;
  - every target is reported as met, missed or not evaluated;
  - nothing is left behind: no temporary directory, no server process.
Exits 0 on success, 1 with a reason on failure.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

SCENARIOS = ["limits", "dev2net", "net2dev", "echo", "many_ports", "fanout",
             "slow_viewer", "idle_ports", "connect_storm"]
TINY = ["--reps", "1", "--duration", "0.4", "--many-ports", "4", "--fanout", "1,4",
        "--idle-ports", "16", "--idle-seconds", "0.5", "--storm-clients", "20",
        "--storm-seconds", "0.5"]


def fail(why):
    print(f"FAIL: {why}", file=sys.stderr)
    sys.exit(1)


def check(condition, why):
    if not condition:
        fail(why)


def processes_mentioning(text):
    """PIDs whose command line contains `text`."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if text.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", required=True)
    parser.add_argument("--ttyhub", required=True)
    parser.add_argument("--work-dir", required=True)
    args = parser.parse_args()

    shutil.rmtree(args.work_dir, ignore_errors=True)
    tmp = os.path.join(args.work_dir, "tmp")
    os.makedirs(tmp)
    json_path = os.path.join(args.work_dir, "report.json")
    servers = ["ttyhub"]
    ser2net = shutil.which("ser2net")
    if ser2net:
        servers.append("ser2net-tuned")
    cmd = [args.bench, "--ttyhub", args.ttyhub, "--servers", ",".join(servers),
           "--json", json_path] + TINY
    if ser2net:
        cmd += ["--ser2net", ser2net]
    print("running:", " ".join(cmd), flush=True)
    env = dict(os.environ, TMPDIR=tmp)
    started = time.monotonic()
    try:
        run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    except subprocess.TimeoutExpired:
        fail("ttyhub-bench did not finish within 240 s")
    print(run.stdout)
    print(run.stderr, file=sys.stderr)
    print(f"ttyhub-bench took {time.monotonic() - started:.1f} s", flush=True)
    check(run.returncode == 0, f"ttyhub-bench exited {run.returncode}")
    check("== Targets" in run.stdout, "no targets section in the text report")

    with open(json_path) as f:
        report = json.load(f)
    check(report.get("tool") == "ttyhub-bench", "JSON: tool is not ttyhub-bench")
    check(report["machine"]["online_cpus"] >= 1, "JSON: no machine description")
    check(report["machine"]["placement"], "JSON: placement not stated")
    check([s["name"] for s in report["servers"]] == servers, "JSON: servers differ")
    check(not report["interrupted"], "JSON: interrupted")

    ttyhub_cases = [c for c in report["cases"] if c["server"] == "ttyhub"]
    ran = {c["scenario"] for c in ttyhub_cases}
    ran |= {c["scenario"] for c in report["cases"] if c["server"] == "none"}
    check(ran == set(SCENARIOS), f"JSON: scenarios run on ttyhub: {sorted(ran)}")
    for c in ttyhub_cases + [c for c in report["cases"] if c["server"] == "none"]:
        v = c["verification"]
        check(c["all_ok"], f"{c['case']} on {c['server']} failed: {c['first_failure']}")
        check(v["streams"] > 0, f"{c['case']}: no stream verified")
        check(v["verified_bytes"] > 0, f"{c['case']}: no bytes verified")
        check(v["clean"], f"{c['case']}: departures from the pattern: {v}")
        check(c["medians"], f"{c['case']}: no figures")
    if ser2net:
        check(any(c["server"] == "ser2net-tuned" for c in report["cases"]),
              "JSON: ser2net-tuned did not run")
    total = report["summary"]["verification"]
    check(total["verified_bytes"] > 1_000_000, f"JSON: only {total['verified_bytes']} B verified")
    statuses = {t["status"] for t in report["targets"]}
    check(report["targets"] and statuses <= {"met", "missed", "not evaluated"},
          f"JSON: target statuses {statuses}")

    # Nothing left behind.
    check(os.listdir(tmp) == [], f"left in TMPDIR: {os.listdir(tmp)}")
    leftovers = processes_mentioning(tmp)
    check(not leftovers, f"processes still running from the benchmark: {leftovers}")
    print("PASS: ttyhub-bench smoke test")


if __name__ == "__main__":
    main()
