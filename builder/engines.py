"""Engines: where shards are extracted. Every engine gives the same bytes.

- ``local``: this machine. One process extracts in place; more fork worker processes that
  share the loaded spaCy model copy-on-write.
- ``ray``: Ray tasks, on a local Ray instance or a cluster by address (``pip install
  'claimset[ray]'``). Articles are read and outputs written by this process; workers only
  need claimset and the spaCy model installed, not the input files.

Engines keep a bounded number of shards in flight (two per worker), so memory does not
grow with the corpus, and hand results back in shard order.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import chain, islice

from builder.errors import ClaimsetError, Errors
from builder.extract import ExtractConfig, load_model
from builder.shards import Shard, ShardResult, extract_shard

ENGINES = ("local", "ray")
IN_FLIGHT_PER_WORKER = 2


def default_processes() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_shards(
    shards: Iterable[Shard],
    config: ExtractConfig,
    processes: int,
    engine: str = "local",
    address: str | None = None,
) -> Iterator[tuple[Shard, ShardResult]]:
    """Extract each shard on ``engine``; yield (shard, result) in shard order."""
    if engine == "ray":
        yield from _ray(shards, config, processes, address)
        return
    if engine != "local":
        raise ClaimsetError(Errors.E208, engine=engine, engines=", ".join(ENGINES))
    shards = iter(shards)
    first = list(islice(shards, 2))
    if processes <= 1 or len(first) < 2:  # one shard: no worker is worth starting
        for shard in chain(first, shards):
            yield shard, extract_shard(shard.articles, config)
        return
    # fork shares the parent's loaded model copy-on-write; spawn (elsewhere) loads it per worker
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(
        processes, multiprocessing.get_context(method), initializer=_init_worker, initargs=(config,)
    )
    try:
        submitted = (
            (shard, pool.submit(_extract_in_worker, shard.articles)) for shard in chain(first, shards)
        )
        for shard, future in _bounded(submitted, processes * IN_FLIGHT_PER_WORKER):
            yield shard, future.result()
    except BrokenProcessPool:  # a worker killed (out of memory?) or crashed: say so, never hang
        raise ClaimsetError(Errors.E210, detail="killed, or crashed") from None
    finally:  # on an error or Ctrl-C, drop the queued shards; finished ones are already saved
        pool.shutdown(wait=True, cancel_futures=True)


def _bounded(submitted: Iterator, limit: int) -> Iterator:
    """Submit lazily, keeping at most ``limit`` items in flight; yield them in order."""
    window: deque = deque()
    for item in submitted:
        window.append(item)
        if len(window) >= limit:
            yield window.popleft()
    while window:
        yield window.popleft()


_config: ExtractConfig | None = None


def _init_worker(config: ExtractConfig) -> None:
    global _config
    _config = config
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    load_model(config.model, config.lean)  # once per worker (cached)


def _extract_in_worker(articles) -> ShardResult:
    assert _config is not None
    return extract_shard(articles, _config)


def _ray(
    shards: Iterable[Shard], config: ExtractConfig, processes: int, address: str | None
) -> Iterator[tuple[Shard, ShardResult]]:
    try:
        import ray
        from ray.exceptions import RayError, RayTaskError
    except ImportError:
        raise ClaimsetError(Errors.E209) from None
    address = address or os.environ.get("RAY_ADDRESS") or None
    # tasks still in flight when one fails would each log their error: the one raised is enough
    os.environ.setdefault("RAY_IGNORE_UNHANDLED_ERRORS", "1")
    started = not ray.is_initialized()
    if started:
        _check_reachable(address)
        try:
            if address:  # a running cluster: it has its own resources
                ray.init(address=address, logging_level="ERROR", log_to_driver=False)
            else:  # a local instance with ``processes`` CPUs, and a small object store: shards are small
                ray.init(
                    num_cpus=processes,
                    include_dashboard=False,
                    logging_level="ERROR",
                    log_to_driver=False,
                    object_store_memory=256 * 1024 * 1024,
                )
        except (ConnectionError, RayError, RuntimeError, ValueError, TimeoutError) as error:
            raise ClaimsetError(
                Errors.E211, address=address or "a local instance", detail=_one_line(error)
            ) from None
    try:
        remote = ray.remote(num_cpus=1, max_retries=3)(extract_shard)
        limit = IN_FLIGHT_PER_WORKER * max(1, int(ray.cluster_resources().get("CPU", processes)))
        submitted = ((shard, remote.remote(shard.articles, config)) for shard in shards)
        for shard, ref in _bounded(submitted, limit):
            try:
                result = ray.get(ref)
            except RayTaskError as error:  # the task's own error: a ClaimsetError says it in one line
                cause = getattr(error, "cause", None)
                if isinstance(cause, ClaimsetError):
                    raise cause from None
                raise ClaimsetError(Errors.E210, detail=_one_line(cause or error)) from None
            except RayError as error:  # a worker or node lost, after Ray's own retries
                raise ClaimsetError(Errors.E210, detail=_one_line(error)) from None
            yield shard, result
    finally:
        if started:
            ray.shutdown()


def _check_reachable(address: str | None, seconds: float = 5.0) -> None:
    """Fail fast on a HOST:PORT nobody listens on (ray.init would retry for minutes)."""
    if not address or address == "auto" or address.startswith("local"):
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        socket.create_connection((host, int(port)), timeout=seconds).close()
    except OSError as error:
        raise ClaimsetError(
            Errors.E211, address=address, detail=error.strerror or type(error).__name__
        ) from None


def _one_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    text = lines[-1] if lines else type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."
