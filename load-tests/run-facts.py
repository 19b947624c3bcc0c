#!/usr/bin/env python3
"""One SUMMARY.md row of what a simulation run cost and why it failed, from the harness's own records:
the process sample (sample-procs.py), /metrics scraped before and after the run, the server's -Xlog:gc file
and the run's Maven/Gatling output. Usage: run-facts.py TAG EXIT SAMPLE.json BEFORE.prom AFTER.prom GC.log RUN.out"""
import json
import re
import sys

tag, rc, sample_file, before_file, after_file, gc_file, out_file = sys.argv[1:8]
rc = int(rc)


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def series(prom):
    """{(name, frozenset(labels)): value} of a Prometheus text scrape."""
    out = {}
    for line in prom.splitlines():
        m = re.match(r"^([a-zA-Z_:]+)(\{([^}]*)\})? (\S+)$", line)
        if m:
            labels = frozenset(re.findall(r'([a-z_]+)="([^"]*)"', m.group(3) or ""))
            out[(m.group(1), labels)] = float(m.group(4))
    return out


before, after = series(read(before_file)), series(read(after_file))


def delta(key):
    return after.get(key, 0) - before.get(key, 0)


fallbacks = delta(("bulwark_events_total", frozenset({("event", "rate_limit_fallback")})))
by_code = {}
for (name, labels), _ in after.items():
    if name == "bulwark_problems_total":
        d = dict(labels)
        if d.get("status") in ("429", "503"):
            n = delta((name, labels))
            if n > 0:
                by_code[f'{d["status"]} {d["code"]}'] = int(n)
problems = ", ".join(f"{k}: {v:,}" for k, v in sorted(by_code.items())) or "none"

try:
    sample = json.loads(read(sample_file))
except ValueError:
    sample = {}
cpu = sample.get("cpu_seconds", {})
cpu_cell = " / ".join("–" if cpu.get(g) is None else f'{cpu[g]:.1f}' for g in ("server", "postgres", "redis", "gatling"))
rss = f'{sample["peak_rss_mib"]:,} MiB' if sample.get("peak_rss_mib") else "–"

# -Xlog:gc with the uptime decoration: "[12.345s] GC(3) Pause Young (Allocation Failure) 300M->50M(1024M) 3.456ms"
window = sample.get("jvm_uptime") or [None, None]
pauses = []
for line in read(gc_file).splitlines():
    m = re.match(r"^\[(\d+(?:\.\d+)?)s\].*\bPause\b.* (\d+(?:\.\d+)?)ms$", line)
    if m:
        at = float(m.group(1))
        if window[0] is None or (window[0] - 1 <= at <= window[1] + 1):
            pauses.append(float(m.group(2)))
gc = f"{len(pauses)} pauses, {sum(pauses):,.0f} ms (max {max(pauses):.0f})" if pauses else "none"

why = ""
if rc != 0:
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", read(out_file))
    failed = [l.strip() for l in text.splitlines() if re.search(r": false \(actual : ", l)]
    if failed:
        why = "; ".join(dict.fromkeys(failed))
    elif rc in (124, 137):
        why = "killed by the harness's time bound (timeout)"
    else:
        errors = [l.strip() for l in text.splitlines() if l.startswith("[ERROR]") and len(l.strip()) > 8]
        why = errors[0] if errors else f"exit {rc}, see logs/{tag}.out"
    why = why.replace("|", "\\|")

print(f"| {tag} | {rss} | {cpu_cell} | {gc} | {int(fallbacks):,} | {problems} | {why or '–'} |")
