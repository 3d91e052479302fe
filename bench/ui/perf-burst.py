#!/usr/bin/env python3
"""Where one long GUI tick went, from a perf record of the GUI thread.

    perf record -k mono -F 1500 --call-graph dwarf,16384 -t GUI_TID -o perf.data   (beside a run)
    perf script -i perf.data -F time,ip,sym --no-inline > perf.txt
    bench/ui/perf-burst.py perf.txt 'hivewatch::BatchCoalescer::flush' [GAP_MS]
    bench/ui/perf-burst.py perf.txt --count 'FRAME' ['WITHIN']
    bench/ui/perf-burst.py perf.txt --window TIME0_S END_S CPU_MS

Groups the samples whose stack holds FUNCTION into bursts (a gap over GAP_MS, default 3, ends
one), takes the longest burst, and prints for each frame how many of its samples hold it
(inclusive), most first: the shares docs/benchmarks.md quotes for the 104 ms flush.
With --count: how many of all the samples hold a frame containing FRAME (of those holding WITHIN,
if given), over the whole record: the rehash and list-copy counts of session 13.
With --window: the frames' shares in one event-loop iteration the bench listed ("ending at END_S
s: CPU CPU_MS ms"), from the run's "time 0" on CLOCK_MONOTONIC: the session-13 flush shares.
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


def count(path, frame, within):
    total = held = 0
    for _, stack in samples(path):
        if within and not any(within in f for f in stack):
            continue
        total += 1
        held += any(frame in f for f in stack)
    print(f"{held} of {total} samples hold {frame}" + (f" (of those holding {within})" if within else ""))


def shares(stacks):
    counts = collections.Counter()
    for stack in stacks:
        counts.update(set(stack))
    for frame, n in counts.most_common(60):
        print(f"{n:6d} {100 * n / len(stacks):5.1f} %  {frame}")


def window(path, time0, end, cpu_ms):
    # A little either side: the iteration's CPU time is not its wall span.
    low, high = time0 + end - cpu_ms / 1000 - 0.003, time0 + end + 0.002
    stacks = [stack for at, stack in samples(path) if low <= at <= high]
    if not stacks:
        sys.exit("no sample in that window")
    print(f"{len(stacks)} samples, {low:.3f}-{high:.3f} s")
    shares(stacks)


def main():
    if len(sys.argv) > 5 and sys.argv[2] == "--window":
        window(sys.argv[1], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]))
        return
    if len(sys.argv) > 3 and sys.argv[2] == "--count":
        count(sys.argv[1], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
        return
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
    shares([stack for _, stack in longest])


if __name__ == "__main__":
    main()
