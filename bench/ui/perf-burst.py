#!/usr/bin/env python3
"""Where one long GUI tick went, from a perf record of the GUI thread.

    perf record -k mono -F 1500 --call-graph dwarf,16384 -t GUI_TID -o perf.data   (beside a run)
    perf script -i perf.data -F time,ip,sym --no-inline > perf.txt
    bench/ui/perf-burst.py perf.txt 'hivewatch::BatchCoalescer::flush' [GAP_MS]

Groups the samples whose stack holds FUNCTION into bursts (a gap over GAP_MS, default 3, ends
one), takes the longest burst, and prints for each frame how many of its samples hold it
(inclusive), most first: the shares docs/benchmarks.md quotes for the 104 ms flush.
"""
import collections
import sys


def samples(path):
    stack, at = [], None
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        if not line:
            if at is not None:
                yield at, stack
            stack, at = [], None
        elif not line[0].isspace():
            at = float(line.split(":")[0])
        else:
            parts = line.split(None, 1)
            stack.append(parts[1] if len(parts) > 1 else "?")
    if at is not None:
        yield at, stack


def main():
    path, function = sys.argv[1], sys.argv[2]
    gap = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.003
    bursts, burst = [], []
    for at, stack in samples(path):
        if not any(function in frame for frame in stack):
            continue
        if burst and at - burst[-1][0] > gap:
            bursts.append(burst)
            burst = []
        burst.append((at, stack))
    if burst:
        bursts.append(burst)
    if not bursts:
        sys.exit(f"no sample holds {function}")
    longest = max(bursts, key=len)
    print(f"longest burst: {len(longest)} samples, {longest[0][0]:.3f}-{longest[-1][0]:.3f} s")
    counts = collections.Counter()
    for _, stack in longest:
        counts.update(set(stack))
    for frame, n in counts.most_common(60):
        print(f"{n:6d} {100 * n / len(longest):5.1f} %  {frame}")


if __name__ == "__main__":
    main()
