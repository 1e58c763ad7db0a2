"""Building boto3 clients the way an audit needs them.

One `AwsContext` per account: the standard credential chain (or a profile, or assumed-role
credentials), one client per (service, region) built on first use, botocore's adaptive
retry mode with timeouts, the tool's version in the user agent, an optional endpoint
override (moto, LocalStack), a connection pool as large as the scan's fan-out, client-side
pacing inside AWS's rate limits, and counters of the calls made, attempts sent and
operations used. ``--verbose`` logs every call with its latency.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from auditor import TOOL_NAME, __version__
from auditor.pacing import Pacer

GLOBAL_SERVICE_REGION = "us-east-1"  # CloudFront and CLOUDFRONT-scope WAFv2 live here
DEFAULT_REGION = "us-east-1"
DEFAULT_MAX_ATTEMPTS = 8  # throttles are normal in an audit: outlast them
POOL_CONNECTIONS = 32

calls_log = logging.getLogger("auditor.calls")


@dataclass
class CallStats:
    """What was sent: operations called and HTTP attempts (retries included)."""

    operations: Counter = field(default_factory=Counter)  # "elbv2:DescribeRules" -> n
    attempts: int = 0
    throttles: int = 0  # throttling errors botocore saw (each then retried)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def on_call(self, model: Any = None, **_: Any) -> None:
        if model is None:
            return
        key = f"{model.service_model.service_name}:{model.name}"
        with self._lock:
            self.operations[key] += 1

    def on_send(self, **_: Any) -> None:
        with self._lock:
            self.attempts += 1

    def on_response(self, parsed: Any = None, **_: Any) -> None:
        code = ((parsed or {}).get("Error") or {}).get("Code", "")
        if code in THROTTLE_CODES:
            with self._lock:
                self.throttles += 1

    @property
    def calls(self) -> int:
        return sum(self.operations.values())

    @property
    def retries(self) -> int:
        return max(0, self.attempts - self.calls)


THROTTLE_CODES = {"Throttling", "ThrottlingException", "ThrottledException",
                  "RequestThrottledException", "TooManyRequestsException",
                  "RequestLimitExceeded", "RequestThrottled", "SlowDown",
                  "PriorRequestNotComplete", "EC2ThrottledException", "BandwidthLimitExceeded"}


def max_attempts() -> int:
    """botocore's own ``AWS_MAX_ATTEMPTS`` wins; else 8 attempts (7 retries)."""
    try:
        return max(1, int(os.environ["AWS_MAX_ATTEMPTS"]))
    except (KeyError, ValueError):
        return DEFAULT_MAX_ATTEMPTS


def client_config(attempts: int | None = None, pool: int = POOL_CONNECTIONS) -> Config:
    return Config(
        retries={"mode": "adaptive", "max_attempts": attempts or max_attempts()},
        connect_timeout=5,
        read_timeout=30,
        max_pool_connections=pool,
        user_agent_extra=f"{TOOL_NAME}/{__version__}",
    )


class StopFlag:
    """Set once, when the run must stop early (``--timeout`` passed, SIGINT or SIGTERM):
    every call not yet sent then returns at once as not collected, so the scan still ends
    with a complete report, marked incomplete."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason = ""

    def stop(self, reason: str) -> None:
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    @property
    def stopped(self) -> bool:
        return self._event.is_set()


class AwsContext:
    """The clients of one account, and the counters of what they sent."""

    def __init__(self, session: boto3.Session, endpoint_url: str | None = None,
                 config: Config | None = None, pacer: Pacer | None = None,
                 account: str = "", credentials: dict[str, str] | None = None) -> None:
        self.session = session
        self.endpoint_url = endpoint_url
        self.config = config or client_config()
        self.pacer = pacer
        self.account = account
        self.credentials = credentials or {}  # an assumed role's, on the shared session
        self.stop = StopFlag()
        self.stats = CallStats()
        self._clients: dict[tuple[str, str, bool], Any] = {}
        self._lock = threading.Lock()

    def for_account(self, account: str, credentials: dict[str, str]) -> AwsContext:
        """A context in another account on the same session: the service models are
        loaded once for the whole run, however many accounts it scans."""
        other = AwsContext(self.session, self.endpoint_url, self.config, self.pacer, account,
                           credentials)
        other.stop = self.stop  # one run, one stop
        return other

    def close(self) -> None:
        """Release the clients (their connection pools); the counters stay."""
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

    def _count_throttle(self, response: Any = None, **_: Any) -> None:
        if response and isinstance(response, tuple) and len(response) == 2:
            self.stats.on_response(response[1])

    @classmethod
    def from_options(cls, profile: str | None = None, endpoint_url: str | None = None,
                     pacer: Pacer | None = None, **credentials: str) -> AwsContext:
        session = boto3.Session(profile_name=profile, **credentials)
        return cls(session, endpoint_url, pacer=pacer)

    @property
    def default_region(self) -> str:
        return self.session.region_name or DEFAULT_REGION

    def client(self, service: str, region: str, retries: bool = True) -> Any:
        """The client for (service, region); ``retries=False`` for one-shot probes that
        have a fallback (a retried 5xx would only delay it)."""
        key = (service, region, retries)
        with self._lock:
            if key not in self._clients:
                config = self.config if retries else self.config.merge(
                    Config(retries={"mode": "standard", "max_attempts": 1}))
                kwargs: dict[str, Any] = {"region_name": region, "config": config,
                                          **self.credentials}
                if self.endpoint_url:
                    kwargs["endpoint_url"] = self.endpoint_url
                client = self.session.client(service, **kwargs)
                self._instrument(client, service, region)
                self._clients[key] = client
            return self._clients[key]

    def _instrument(self, client: Any, service: str, region: str) -> None:
        def before(model: Any = None, context: Any = None, **_: Any) -> None:
            if self.pacer is not None and model is not None:
                self.pacer.wait(self.account, region, service, model.name)
            if context is not None:
                context["edge_audit_started"] = time.monotonic()

        def after(model: Any = None, context: Any = None, http_response: Any = None,
                  **_: Any) -> None:
            if calls_log.isEnabledFor(logging.DEBUG) and context:
                took = (time.monotonic() - context.get("edge_audit_started", time.monotonic()))
                status = getattr(http_response, "status_code", "-")
                calls_log.debug("%s:%s %s %s %.0f ms", service, getattr(model, "name", "?"),
                                region, status, took * 1000)

        events = client.meta.events  # per client: each context counts only its own calls
        events.register("before-call", self.stats.on_call)
        events.register("before-send", self.stats.on_send)
        events.register("needs-retry", self._count_throttle)
        events.register("before-call", before)
        events.register("after-call", after)
        events.register("after-call-error", after)
