"""Progress on stderr for long scans: accounts done, calls sent, throttles absorbed.

Shown only when stderr is a terminal and ``--quiet`` is not given; a scheduled job's logs
stay clean. Drawn by tqdm.
"""

from __future__ import annotations

import sys
import threading

from auditor.session import AwsContext


class Progress:
    def __init__(self, accounts: int, enabled: bool) -> None:
        self.enabled = enabled
        self._contexts: list[AwsContext] = []
        self._stop = threading.Event()
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=accounts, unit="account", desc="edge-audit", file=sys.stderr,
                             leave=False, dynamic_ncols=True)
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()

    @classmethod
    def for_terminal(cls, accounts: int, quiet: bool) -> Progress:
        return cls(accounts, not quiet and sys.stderr.isatty())

    def attach(self, ctx: AwsContext) -> None:
        self._contexts.append(ctx)

    def account_done(self) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            calls = sum(c.stats.attempts for c in self._contexts)
            throttles = sum(c.stats.throttles for c in self._contexts)
            self._bar.set_postfix(calls=calls, throttles_absorbed=throttles, refresh=True)

    def close(self) -> None:
        self._stop.set()
        if self._bar is not None:
            self._bar.close()
