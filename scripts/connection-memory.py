#!/usr/bin/env python3
"""Memory of idle keep-alive connections on a running Bulwark: opens N connections to 127.0.0.1:PORT, sends one
GET /health on each (HTTP/1.1, keep-alive), reads the answer, and holds them open. Prints the server's RSS and its
heap after a full GC (jcmd) before and after, and per 10,000 connections. Memory only: it sends N requests in all.

  scripts/connection-memory.py PID PORT [N]      (the server needs http.idleTimeout longer than the run, and a
                                                  file-descriptor limit above N; so does this script)
"""
import re
import socket
import subprocess
import sys
import time

pid, port = int(sys.argv[1]), int(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 10000


def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def heap_kib():
    subprocess.run(["jcmd", str(pid), "GC.run"], check=True, capture_output=True)
    time.sleep(1)
    out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], check=True, capture_output=True, text=True).stdout
    # every generation's (or G1's whole heap's) used, not the spaces inside them
    used = re.findall(
        r"^\s*(?:PSYoungGen|ParOldGen|garbage-first heap|def new generation|tenured generation)\s+total \d+K, used (\d+)K",
        out,
        re.M,
    )
    return sum(int(u) for u in used)


request = f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
# warm the path once per event loop, then measure the baseline
for _ in range(8):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(request)
        s.recv(4096)
time.sleep(1)
rss0, heap0 = rss_kib(), heap_kib()
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(request)
    data = s.recv(4096)
    assert b" 200 " in data.split(b"\r\n", 1)[0], data[:80]
    socks.append(s)
time.sleep(2)
rss1, heap1 = rss_kib(), heap_kib()
# every connection still open and answering
for s in socks[:: max(1, n // 100)]:
    s.sendall(request)
    assert b" 200 " in s.recv(4096).split(b"\r\n", 1)[0]
per10k = lambda a, b: (b - a) * 10000 / n / 1024
print(f"connections: {n}")
print(f"RSS  before {rss0 / 1024:.1f} MiB, after {rss1 / 1024:.1f} MiB: {per10k(rss0, rss1):.1f} MiB per 10,000")
print(f"heap before {heap0 / 1024:.1f} MiB, after {heap1 / 1024:.1f} MiB: {per10k(heap0, heap1):.1f} MiB per 10,000 (after full GC)")
for s in socks:
    s.close()
