"""Resident memory of this process: now, and the highest seen while a block runs (sampled)."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager


def rss_mb() -> float:
    """Resident set size now, in MB (Linux)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


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
