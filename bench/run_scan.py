"""Runs ``edge-audit`` with the given arguments and reports its own peak RSS."""

from __future__ import annotations

import json
import resource
import sys
import time

from auditor.cli import run
from auditor.process import fewer_malloc_arenas


def main() -> None:
    report = sys.argv[1]
    fewer_malloc_arenas()  # as the edge-audit console script does
    started = time.perf_counter()
    code = run(sys.argv[2:])
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(report, "w") as handle:
        json.dump({"exit": code, "wall_s": wall, "peak_rss_mb": peak_rss_mb(),
                   "cpu_s": usage.ru_utime + usage.ru_stime}, handle)


def peak_rss_mb() -> float:
    """This process's own high-water RSS (VmHWM). Not ``ru_maxrss``: Linux carries the
    forking parent's high-water mark across exec into it, so a scan started by a large
    benchmark process would report the benchmark's size."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
