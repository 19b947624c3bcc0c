#!/usr/bin/env python3
"""Samples the processes of one simulation run every second, until the load generator exits:
the server's peak RSS, and the CPU time spent by the server, PostgreSQL (the postmaster listening on
PG_PORT and all its children), Redis (the redis-server on REDIS_PORT) and the load generator (every
descendant of LOAD_PID: Maven and the Gatling JVM), from /proc/<pid>/stat utime + stime. A process
that started during the run counts from zero; one that exits keeps its last sample (so up to a
second of its CPU can be missed). Also records the server JVM's uptime at the first and last sample,
to pick the run's window out of its -Xlog:gc file.

Usage: sample-procs.py OUT.json SERVER_PID PG_PORT REDIS_PORT LOAD_PID"""
import json
import os
import signal
import sys
import time

out, server, pg_port, redis_port, load = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
TICK = os.sysconf("SC_CLK_TCK")
stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)


def stat(pid):
    """(ppid, cpu ticks, start tick) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def uptime():
    with open("/proc/uptime") as f:
        return float(f.read().split()[0])


def processes():
    table = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            s = stat(int(name))
            if s:
                table[int(name)] = s
    return table


def descendants(table, root):
    children = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


postmaster = redis = None
for pid in processes():
    args = cmdline(pid)
    if postmaster is None and "bin/postgres" in args and f"-p {pg_port}" in args:
        postmaster = pid
    if redis is None and "redis-server" in args and f":{redis_port}" in args:
        redis = pid

first, last = {}, {}  # (group, pid) -> ticks
peak_rss = 0
start_tick = stat(server)[2] if stat(server) else None
jvm_up_start = jvm_up_end = None
started = time.time()
first_sample = True
while True:
    table = processes()
    groups = {"server": {server} & table.keys(), "gatling": descendants(table, load) | ({load} & table.keys())}
    if postmaster and postmaster in table:
        groups["postgres"] = {postmaster} | descendants(table, postmaster)
    if redis and redis in table:
        groups["redis"] = {redis}
    for group, pids in groups.items():
        for pid in pids:
            ticks = table[pid][1]
            key = (group, pid)
            if key not in first:
                # present at the first sample: count from here; born later (or the load generator's own
                # processes, all started for this run): count everything
                first[key] = ticks if first_sample and group != "gatling" else 0
            last[key] = ticks
    peak_rss = max(peak_rss, rss_kib(server))
    if start_tick is not None and server in table:
        up = uptime() - start_tick / TICK
        jvm_up_start = up if jvm_up_start is None else jvm_up_start
        jvm_up_end = up
    first_sample = False
    if stop or load not in table:
        break
    time.sleep(1)

cpu = {}
for (group, pid), ticks in last.items():
    cpu[group] = cpu.get(group, 0) + (ticks - first[(group, pid)]) / TICK
with open(out, "w") as f:
    json.dump(
        {
            "seconds": round(time.time() - started, 1),
            "peak_rss_mib": round(peak_rss / 1024),
            "cpu_seconds": {g: round(cpu.get(g, 0), 1) if g in cpu else None for g in ("server", "postgres", "redis", "gatling")},
            "found": {"postgres": postmaster is not None, "redis": redis is not None},
            "jvm_uptime": [jvm_up_start, jvm_up_end],
        },
        f,
    )
