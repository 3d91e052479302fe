#!/usr/bin/env python3
"""The A/B table of two variants that bench/ui/alternate.sh ran in turn.

    bench/ui/ab-summary.py BASE NEW OUT_DIR [OUT_DIR…]

Reads OUT_DIR/BASE-N.txt and OUT_DIR/NEW-N.txt (the runs' whole output, paired by round N, over
every OUT_DIR given: a second alternate.sh run with the order swapped adds its pairs) and prints,
per figure, each variant's range and median and the median of the per-pair ratios NEW/BASE with
their spread: the A/B tables of docs/benchmarks.md.
"""
import glob
import re
import statistics
import sys

FIGURES = [  # name, pattern, group
    ("longest stall less machine pauses, ms", r"longest stall less machine pauses: ([\d.]+)", 1),
    ("wall stall, longest, ms", r"stall over \d+ probe ticks.*?longest ([\d.]+) ms", 1),
    ("wall stall p99, ms", r"stall over \d+ probe ticks.*?p99 ([\d.]+) ms", 1),
    ("GUI CPU per tick, longest, ms", r"GUI thread CPU time between ticks.*?longest ([\d.]+) ms", 1),
    ("GUI CPU per tick, p99, ms", r"GUI thread CPU time between ticks.*?p99 ([\d.]+) ms", 1),
    ("first event-loop iteration (first paint), CPU ms", r"ending at 0\.0\d s: CPU ([\d.]+) ms", 1),
    ("peak RSS, MiB", r"process: (\d+) MiB", 1),
    ("all live, s", r"in ([\d.]+) s; tasks all shown", 1),
    ("page faults, GUI thread", r"page faults: .*?GUI thread (\d+)", 1),
]


def runs(out_dirs, name):
    found = []
    for out in out_dirs:
        files = glob.glob(f"{out}/{name}-*.txt")
        files.sort(key=lambda f: int(re.search(r"-(\d+)\.txt$", f)[1]))
        found += [open(f, errors="replace").read() for f in files]
    return found


def value(text, pattern, group):
    m = re.search(pattern, text)
    return float(m[group]) if m else None


def main():
    base, new, out_dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    a, b = runs(out_dirs, base), runs(out_dirs, new)
    if not a or len(a) != len(b):
        sys.exit(f"{len(a)} runs of {base} against {len(b)} of {new}")
    print(f"{len(a)} pairs; | figure | {base} | {new} | median ratio {new}/{base} (spread) |")
    med = statistics.median
    for label, pattern, group in FIGURES:
        pairs = [(value(x, pattern, group), value(y, pattern, group)) for x, y in zip(a, b)]
        pairs = [(x, y) for x, y in pairs if x is not None and y is not None]
        if not pairs:
            continue
        xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
        ratios = [y / x for x, y in pairs if x]
        print(f"| {label} | {min(xs):g}-{max(xs):g} ({med(xs):g}) | {min(ys):g}-{max(ys):g} "
              f"({med(ys):g}) | {med(ratios):.3f} ({min(ratios):.2f}-{max(ratios):.2f}) |")


if __name__ == "__main__":
    main()
