#!/usr/bin/env python3
"""Per-thread busy share over time, from a perf record of a whole process.

    perf record -F 4000 -o perf.data -- build/app/hivectl/hivectl shape sync …
    perf script -i perf.data -F tid,time > times.txt
    bench/shape/thread-timeline.py times.txt 4000 [BUCKET_MS]

Prints, for each BUCKET_MS (default 50) from the first sample, each thread's samples as a share
of the bucket at the sampling rate (100 % = a whole CPU): which thread a pipeline waits on, and
when (docs/benchmarks.md, "Retakes of session 14": hivectl's writer on a task-shaped shape).
"""
import collections
import sys


def main():
    path, rate = sys.argv[1], float(sys.argv[2])
    bucket = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.05
    samples = []
    for line in open(path):
        parts = line.split()
        if len(parts) >= 2 and parts[1].endswith(":"):
            samples.append((parts[0], float(parts[1][:-1])))
    if not samples:
        sys.exit("no samples (perf script -F tid,time)")
    start = min(at for _, at in samples)
    counts = collections.Counter((tid, int((at - start) / bucket)) for tid, at in samples)
    threads = sorted({tid for tid, _ in samples}, key=lambda t: -sum(
        n for (tid, _), n in counts.items() if tid == t))
    full = rate * bucket
    print("ms      " + "".join(f"{tid:>9}" for tid in threads))
    for b in range(max(b for _, b in counts) + 1):
        print(f"{b * bucket * 1000:5.0f}   " + "".join(
            f"{100 * counts[(tid, b)] / full:8.0f}%" for tid in threads))
    for tid in threads:
        n = sum(v for (t, _), v in counts.items() if t == tid)
        print(f"thread {tid}: {n} samples, {n / rate:.3f} CPU-s")


if __name__ == "__main__":
    main()
