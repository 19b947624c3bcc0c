#!/usr/bin/env python3
"""Where the server's CPU samples went, from a JFR recording (run-benchmark.sh --server-jvm "... -XX:StartFlightRecording=
filename=/tmp/x.jfr,settings=profile"). Each sample is charged to the first category of the list below that appears
anywhere in its stack, so "JSON" means time inside Jackson/TaskJson whoever called it. Usage: profile-summary.py FILE.jfr"""
import collections
import re
import subprocess
import sys

CATEGORIES = [  # (name, pattern in a frame), in priority order
    ("bcrypt", r"at\.favre\.lib\.crypto\.bcrypt"),
    ("JSON encode/decode", r"com\.fasterxml\.jackson|dev\.bulwark\.tasks\.TaskJson|io\.vertx\.core\.json"),
    ("logging (access log, JSON lines)", r"ch\.qos\.logback|net\.logstash|dev\.bulwark\.http\.AccessLog"),
    ("metrics", r"io\.micrometer|io\.vertx\.micrometer"),
    ("JWT / HMAC", r"io\.vertx\.ext\.auth|javax\.crypto|sun\.security|com\.sun\.crypto"),
    ("PostgreSQL client (rows, protocol)", r"io\.vertx\.pgclient|io\.vertx\.sqlclient"),
    ("Redis client", r"io\.vertx\.redis"),
    ("HTTP codec + Netty I/O", r"io\.netty|io\.vertx\.core\.http|io\.vertx\.core\.net"),
    ("routing + handlers (vertx-web)", r"io\.vertx\.ext\.web"),
    ("Bulwark code", r"dev\.bulwark"),
    ("futures / event loop plumbing", r"io\.vertx\.core"),
]

out = subprocess.run(["jfr", "print", "--stack-depth", "64", "--events", "jdk.ExecutionSample", sys.argv[1]],
                     capture_output=True, text=True, check=True).stdout
counts = collections.Counter()
total = 0
for event in out.split("jdk.ExecutionSample")[1:]:
    frames = re.findall(r"^\s+([\w.$<>/]+\.[\w$<>]+)\(", event, re.M)
    if not frames:
        continue
    total += 1
    for name, pattern in CATEGORIES:
        if any(re.match(pattern, f) for f in frames):
            counts[name] += 1
            break
    else:
        counts["other (JDK, GC-adjacent, compiler)"] += 1
print(f"{total} CPU samples")
for name, n in counts.most_common():
    print(f"  {100.0 * n / total:5.1f} %  {name}")
