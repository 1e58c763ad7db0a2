"""What a process running a scan needs beyond the scan: stopping early on a deadline or a
signal with a report still written, and a lean heap."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading

from auditor.session import AwsContext


class UsageError(Exception):
    """Bad usage or configuration: one line on stderr, exit 2."""


@contextlib.contextmanager
def stoppable(ctx: AwsContext, timeout: float | None):
    """While collecting: ``--timeout`` and the first SIGINT or SIGTERM stop the scan early
    (the report is still written, marked incomplete); a second signal gives up at once."""
    if timeout is not None and timeout <= 0:
        raise UsageError("--timeout takes a number of seconds above 0")
    timer = None
    if timeout:
        timer = threading.Timer(timeout, ctx.stop.stop, (f"the --timeout of {timeout:g} s "
                                                          "passed before this call",))
        timer.daemon = True
        timer.start()

    def on_signal(signum, _frame):
        if ctx.stop.stopped:
            raise KeyboardInterrupt
        ctx.stop.stop(f"stopped by {signal.Signals(signum).name} before this call")

    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT,
                                                                    signal.SIGTERM)}
    try:
        yield
    finally:
        if timer is not None:
            timer.cancel()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def fewer_malloc_arenas() -> None:
    """glibc gives each thread that allocates its own malloc arena (up to 8 per core), and a
    long multi-threaded scan leaves freed memory spread over all of them. Two arenas keep
    the peak RSS of a large scan down at no measurable cost in speed."""
    if sys.platform != "linux":
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


