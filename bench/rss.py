"""Resident memory of this process: now, and the highest seen while a block runs (sampled)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from contextlib import contextmanager


def rss_mb(field: str = "VmRSS") -> float:
    """Resident set size now, in MB (Linux)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(f"{field}:")) / 1024


def peak_rss_mb() -> float:
    """The highest resident set size of this process image, in MB (Linux ``VmHWM``). Unlike
    ``ru_maxrss``, it does not count the parent's memory that a forked child shared before it
    ran a new program."""
    return rss_mb("VmHWM")


@contextmanager
def highest_rss(every: float = 0.005):
    """Yield a one-item list that holds, once the block ends, the highest RSS (MB) seen in it."""
    highest = [rss_mb()]
    running = True

    def sample() -> None:
        while running:
            highest[0] = max(highest[0], rss_mb())
            time.sleep(every)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield highest
    finally:
        running = False
        sampler.join()
        highest[0] = max(highest[0], rss_mb())


def measure_in_subprocess(script: str, count: int) -> list[float]:
    """Run ``script`` in a fresh interpreter, so its memory starts from nothing; return the
    last ``count`` numbers it printed."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return [float(value) for value in done.stdout.split()[-count:]]


def print_memory_ratio(one: tuple[float, float], ten: tuple[float, float], baseline: str) -> None:
    """The 10x / 1x line of a memory benchmark, from (peak, growth above ``baseline``) pairs in MB."""
    print(f"ratio 10x / 1x: peak {ten[0] / one[0]:.2f} (aim <= 1.2); growth above the {baseline} "
          f"{ten[1]:.0f} MB vs {one[1]:.0f} MB")  # fmt: skip
