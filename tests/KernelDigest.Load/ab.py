#!/usr/bin/env python3
"""Runs shell commands in turn, N rounds (A, B, A, B, ...), so a shared machine's load falls on all of them alike, and
prints per command the median wall time, the median CPU time (user + sys of the children, from getrusage: what other
processes' load barely changes) and the 1-minute load average seen. Used for docs/benchmarks.md, round 5.

usage: ab.py N name1 'cmd1' name2 'cmd2' ..."""
import os, resource, subprocess, sys, time, statistics
n = int(sys.argv[1]); pairs = list(zip(sys.argv[2::2], sys.argv[3::2]))
res = {name: [] for name, _ in pairs}
for i in range(n):
    for name, cmd in pairs:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        p = subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        res[name].append((wall, cpu, os.getloadavg()[0], p.returncode))
for name, rows in res.items():
    w = statistics.median(r[0] for r in rows); c = statistics.median(r[1] for r in rows)
    loads = [r[2] for r in rows]
    print(f"{name}: n={len(rows)} wall median {w:.3f} s (min {min(r[0] for r in rows):.3f}), cpu median {c:.3f} s "
          f"(min {min(r[1] for r in rows):.3f}), load {min(loads):.1f}-{max(loads):.1f}, exit codes {set(r[3] for r in rows)}")
