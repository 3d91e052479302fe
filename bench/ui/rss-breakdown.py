#!/usr/bin/env python3
"""Where a process's resident memory is at its highest: polls /proc/PID/status every 30 ms and,
at each new high (2 MiB above the last), sums /proc/PID/smaps' Rss by mapping (the store file,
other files and libraries, [heap], anonymous). Prints the highest sample when the process ends.

    bench/ui/rss-breakdown.py PID

Beside bench_ui_stall (docs/benchmarks.md, "The log-rate chart read every line"): start the
bench in the background, then this on its pid.
"""
import collections
import re
import sys
import time


def breakdown(pid):
    groups = collections.Counter()
    name = None
    with open(f'/proc/{pid}/smaps') as smaps:
        for line in smaps:
            if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
                parts = line.split(None, 5)
                path = parts[5].strip() if len(parts) > 5 else ''
                if path.endswith('.sqlite') or '.sqlite-' in path:
                    name = 'store file'
                elif path.startswith('/'):
                    name = 'files and libraries'
                else:
                    name = path or 'anonymous'
            elif line.startswith('Rss:'):
                groups[name] += int(line.split()[1])
    return groups


def main():
    pid = int(sys.argv[1])
    best, start, report = 0, time.time(), None
    while True:
        try:
            with open(f'/proc/{pid}/status') as status:
                rss = int(re.search(r'VmRSS:\s+(\d+)', status.read()).group(1))
        except (OSError, AttributeError):
            break
        if rss > best + 2048:
            best = rss
            try:
                report = (time.time() - start, rss, breakdown(pid))
            except OSError:
                pass
        time.sleep(0.03)
    if report:
        at, rss, groups = report
        parts = ', '.join(f'{k} {v / 1024:.0f}' for k, v in groups.most_common(6) if v >= 1024)
        print(f'highest sample {rss / 1024:.0f} MiB at {at:.2f} s (MiB): {parts}')


if __name__ == '__main__':
    main()
