#!/usr/bin/env python3
"""One SUMMARY.md table row per request/group of a Gatling report: reads the stats table of its index.html
(Gatling 3.15 writes no stats.json; its simulation.log is binary). Usage: summarize.py REPORT_DIR SIM VERDICT OPTS"""
import html
import re
import sys

report, sim, verdict, opts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else ""
with open(report + "/index.html", encoding="utf-8") as f:
    page = f.read()

rows = re.findall(r'<tr id="([^"]+)"(?: data-parent="([^"]*)")?\s*>(.*?)</tr>', page, re.S)
depth = {"ROOT": 0}
name_of = {}
for rid, parent, body in rows:
    name = re.search(r'class="ellipsed-name">(.*?)</span>', body, re.S)
    cells = dict(re.findall(r'class="value [a-z]+ col-(\d+)">([^<]*)</td>', body))
    if not name or not cells:
        continue
    label = html.unescape(name.group(1).strip())
    depth[rid] = depth.get(parent, 0) + 1 if parent else 0
    ko_pct = cells.get("5", "0")
    failed = f'{cells.get("4", "?")} ({ko_pct} %)'
    if rid == "ROOT":
        first = f"**{sim}**" + (f" <br><sub>{html.escape(opts)}</sub>" if opts else "")
        label_cell, result = first, verdict
    else:
        label_cell, result = "&nbsp;" * 4 * depth[rid] + "↳ " + html.escape(label), ""
    link = f"[report]({report.rstrip('/').split('/')[-1]}/index.html)" if rid == "ROOT" else ""
    print(f'| {label_cell} | {result} | {cells.get("2", "?")} | {cells.get("6", "?")} | {cells.get("8", "?")} | '
          f'{cells.get("10", "?")} | {cells.get("11", "?")} | {cells.get("12", "?")} | {failed} | {link} |')
