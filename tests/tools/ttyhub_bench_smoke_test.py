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
Then runs dev2net and many_ports on ttyhub and ttyhub-log (console logs on)
and checks that ttyhub-log's logs were written, read back and checked
against the devices' streams, and that the logging cost targets were
evaluated. A log that departs from the device's stream is a finding about
the server (exit status 3, as in the soak), not a failure of this test.
Then runs the chain scenario (not part of the default suite: device -> A
-> RFC 2217 -> B -> client against A alone) twice, so both orders of the
hop counts run, and checks that every case ran and verified and that the
report has its ratios.
Then runs a 5-second soak (not part of the default suite) on 2 ports and
checks that it ran the mix (sessions, kicks or closes, probes, bytes
verified), sampled the server's RSS and fds into its time series, and that
no client received corrupt or duplicated bytes. Stalls and client errors
are findings about the server, reported with exit status 3, not failures of
this test: a soak of seconds is too short to judge the server by.
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
    check(report["machine"]["pm_qos"].startswith("not held"),
          f"JSON: PM QoS without --cpu-latency-qos: {report['machine']['pm_qos']}")
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
    idle = [c for c in ttyhub_cases if c["scenario"] == "idle_ports"]
    for name in ("rss_per_port_KiB", "rss_per_port_after_message_KiB",
                 "rss_per_port_settled_KiB"):
        check(idle and idle[0]["medians"].get(name, {}).get("value") is not None,
              f"idle_ports: no {name}")
    limits = [c for c in report["cases"] if c["scenario"] == "limits"]
    for name in ("pty_echo_after_idle_cold_p50_us", "tcp_echo_after_idle_warm_p50_us",
                 "raw_echo_cold_over_warm_p50"):
        value = limits[0]["medians"].get(name, {}).get("value") if limits else None
        check(value is not None and value > 0, f"limits: no {name}")
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

    check_console_logs(args, env, tmp)
    check(os.listdir(tmp) == [], f"left in TMPDIR after ttyhub-log: {os.listdir(tmp)}")
    check(not processes_mentioning(tmp), "processes still running after ttyhub-log")

    check_chain(args, env, tmp, servers, ser2net)
    check(os.listdir(tmp) == [], f"left in TMPDIR after the chain: {os.listdir(tmp)}")
    check(not processes_mentioning(tmp), "processes still running after the chain")

    check_cpu_latency_qos(args, env)

    check_soak(args, env, tmp)
    check(os.listdir(tmp) == [], f"left in TMPDIR after the soak: {os.listdir(tmp)}")
    check(not processes_mentioning(tmp), "processes still running after the soak")
    print("PASS: ttyhub-bench smoke test")


def check_console_logs(args, env, tmp):
    json_path = os.path.join(args.work_dir, "console-logs.json")
    cmd = [args.bench, "--ttyhub", args.ttyhub, "--servers", "ttyhub,ttyhub-log",
           "--scenarios", "dev2net,many_ports", "--json", json_path] + TINY
    print("running:", " ".join(cmd), flush=True)
    try:
        run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        fail("ttyhub-bench with ttyhub-log did not finish within 120 s")
    print(run.stdout)
    print(run.stderr, file=sys.stderr)
    # 0: nothing found; 3: a log departed from its device's stream (a finding).
    check(run.returncode in (0, 3), f"ttyhub-bench with ttyhub-log exited {run.returncode}")
    check("Console logs written to: " in run.stdout, "the report does not say where logs went")
    with open(json_path) as f:
        report = json.load(f)
    found = []
    logs = report["console_logs"]
    check(logs and "timestamps: true" in logs["config"] and logs["filesystem"],
          f"JSON: console_logs {logs}")
    for scenario in ("dev2net", "many_ports"):
        cases = [c for c in report["cases"]
                 if c["scenario"] == scenario and c["server"] == "ttyhub-log"]
        check(len(cases) == 1, f"{scenario} did not run on ttyhub-log")
        c = cases[0]
        check(c["all_ok"], f"{scenario} on ttyhub-log failed: {c['first_failure']}")
        check(c["verification"]["clean"], f"{scenario} on ttyhub-log: {c['verification']}")
        for r in c["run_details"]:
            m = r["metrics"]
            check(m["log_written_bytes"] > 0, f"{scenario}: nothing logged")
            check(m["log_verified_bytes"] > 0, f"{scenario}: no logged byte verified")
            check("log_dropped_bytes" in m and "log_errors" in m and "log_missing_tail_bytes" in m,
                  f"{scenario}: log figures missing: {m}")
            if r["finding"]:
                found.append(f"{scenario}: {r['finding']}")
        targets = {t["id"]: t for t in report["targets"]}
        for kind in ("throughput", "cpu"):
            t = targets.get(f"{scenario}_logging_{kind}")
            check(t and t["status"] in ("met", "missed"),
                  f"target {scenario}_logging_{kind} not evaluated: {t}")
    check((run.returncode == 3) == bool(found),
          f"ttyhub-log: exit status {run.returncode} with findings {found}")
    for f in found:
        print(f"finding about the server (not a failure of this test): {f}", flush=True)


def check_cpu_latency_qos(args, env):
    """--cpu-latency-qos holds /dev/cpu_dma_latency and says so; where it
    cannot (not root, no such file), the tool refuses to run, naming it."""
    cmd = [args.bench, "--ttyhub", args.ttyhub, "--servers", "ttyhub", "--scenarios", "echo",
           "--reps", "1", "--duration", "0.3", "--cpu-latency-qos"]
    print("running:", " ".join(cmd), flush=True)
    try:
        run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        fail("ttyhub-bench --cpu-latency-qos did not finish within 60 s")
    if os.access("/dev/cpu_dma_latency", os.W_OK):
        check(run.returncode == 0, f"ttyhub-bench --cpu-latency-qos exited {run.returncode}: "
              f"{run.stderr[-500:]}")
        check("PM QoS: CPU latency PM QoS held at 0 us (/dev/cpu_dma_latency)" in run.stdout,
              "the report does not say the PM QoS was held")
    else:
        check(run.returncode != 0 and "/dev/cpu_dma_latency" in run.stderr,
              f"--cpu-latency-qos without access: exit {run.returncode}, {run.stderr[-300:]}")


def check_chain(args, env, tmp, servers, ser2net):
    json_path = os.path.join(args.work_dir, "chain.json")
    cmd = [args.bench, "--ttyhub", args.ttyhub, "--servers", ",".join(servers),
           "--scenarios", "chain", "--reps", "2", "--duration", "0.4", "--json", json_path]
    if ser2net:
        cmd += ["--ser2net", ser2net]
    print("running:", " ".join(cmd), flush=True)
    try:
        run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        fail("ttyhub-bench --scenarios chain did not finish within 120 s")
    print(run.stdout)
    print(run.stderr, file=sys.stderr)
    check(run.returncode == 0, f"ttyhub-bench --scenarios chain exited {run.returncode}")
    check("== chain: 2 hops" in run.stdout, "no chain ratios in the text report")
    with open(json_path) as f:
        report = json.load(f)
    for server in servers:
        cases = {c["case"]: c for c in report["cases"] if c["server"] == server}
        check(set(cases) == {"chain_1hop_dev2net", "chain_1hop_echo", "chain_2hop_dev2net",
                             "chain_2hop_echo"}, f"chain cases on {server}: {sorted(cases)}")
        for c in cases.values():
            v = c["verification"]
            check(c["all_ok"], f"{c['case']} on {server} failed: {c['first_failure']}")
            check(c["runs"] == 2, f"{c['case']} on {server}: {c['runs']} runs, not 2")
            check(v["verified_bytes"] > 0, f"{c['case']} on {server}: no bytes verified")
            check(v["clean"], f"{c['case']} on {server}: departures from the pattern: {v}")
    rows = report["chain_comparison"]
    for server in servers:
        mbps = [r for r in rows if r["server"] == server and r["figure"] == "dev2net throughput"]
        check(len(mbps) == 1 and mbps[0]["two_over_one"] is not None,
              f"chain_comparison: no 2 hops / 1 hop throughput for {server}: {mbps}")
        if server != "ttyhub":
            check(mbps[0]["ttyhub_over_this_two_hops"] is not None,
                  f"chain_comparison: no ttyhub / {server} ratio: {mbps}")


def check_soak(args, env, tmp):
    json_path = os.path.join(args.work_dir, "soak.json")
    cmd = [args.bench, "--ttyhub", args.ttyhub, "--scenarios", "soak", "--soak-seconds", "5",
           "--soak-ports", "2", "--soak-sample-seconds", "1", "--json", json_path]
    print("running:", " ".join(cmd), flush=True)
    try:
        run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        fail("the soak did not finish within 120 s")
    print(run.stdout)
    print(run.stderr, file=sys.stderr)
    # 0: nothing found; 3: the soak found stalls or client errors (findings).
    check(run.returncode in (0, 3), f"the soak exited {run.returncode}")
    check("t_s" in run.stdout and "Totals:" in run.stdout, "no soak time series in the report")
    with open(json_path) as f:
        report = json.load(f)
    check([s["name"] for s in report["servers"]] == ["ttyhub"], "soak: not ttyhub alone")
    check(report["options"]["reps"] == 1, "soak: more than one repetition by default")
    cases = [c for c in report["cases"] if c["scenario"] == "soak"]
    check(len(cases) == 1 and len(cases[0]["run_details"]) == 1, "soak: not one run")
    run_details = cases[0]["run_details"][0]
    m = run_details["metrics"]
    check(run_details["ok"], f"soak failed to run: {run_details['failure']}")
    check((run.returncode == 3) == bool(run_details["finding"]),
          f"soak: exit status {run.returncode} with finding '{run_details['finding']}'")
    check(m["soak_s"] >= 4.5, f"soak ran {m['soak_s']} s")
    check(m["client_slots"] == 12, f"soak: {m['client_slots']} client slots, not 12")
    check(m["sessions_started"] >= 12, f"soak: {m['sessions_started']} sessions started")
    check(m["probes"] >= 3, f"soak: {m['probes']} stall probes")
    check(m["verified_bytes"] > 100_000, f"soak: {m['verified_bytes']} bytes verified")
    check(m["corrupt_bytes"] == 0 and m["duplicate_jumps"] == 0,
          f"soak: corrupt {m['corrupt_bytes']} B, {m['duplicate_jumps']} backward jumps")
    check(m["rss_max_MiB"] > 0 and m["fds_max"] > 0, "soak: no RSS or fd samples")
    series = {s["name"]: s for s in run_details["series"]}
    for name in ("rss_MiB", "fds", "stalls", "client_errors", "sessions_completed"):
        check(name in series and len(series[name]["y"]) >= 4, f"soak: series {name} missing")


if __name__ == "__main__":
    main()
