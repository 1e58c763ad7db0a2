"""Fan-out for per-resource calls: a thread pool whose size hides per-call latency.

The pacer (`auditor.pacing`) keeps the rate inside AWS's buckets; the pool only keeps
enough calls in flight that waiting on the network is not what takes the time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
DEFAULT_WORKERS = 16
PHASE_WORKERS = 8  # independent lookups of one region, run side by side


class Runner:
    def __init__(self, workers: int = DEFAULT_WORKERS) -> None:
        self.workers = max(1, workers)
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="edge-audit")

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``[fn(i) for i in items]``, run concurrently, in order."""
        items = list(items)
        if len(items) <= 1 or self.workers == 1:
            return [fn(i) for i in items]
        return list(self._pool.map(fn, items))

    def submit(self, fn: Callable[..., R], *args) -> Future[R]:
        return self._pool.submit(fn, *args)

    def gather(self, **tasks: Callable[[], R]) -> dict[str, R]:
        """Run independent thunks side by side; their results by name."""
        futures = {name: self._pool.submit(fn) for name, fn in tasks.items()}
        return {name: future.result() for name, future in futures.items()}

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
