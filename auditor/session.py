"""Building boto3 clients the way an audit needs them.

One `AwsContext` per account: the standard credential chain (or a profile), one client per
(service, region) built on first use, botocore's adaptive retry mode with timeouts, the
tool's version in the user agent, an optional endpoint override (moto, LocalStack), and
counters of the calls made, attempts sent and operations used.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

from auditor import TOOL_NAME, __version__

GLOBAL_SERVICE_REGION = "us-east-1"  # CloudFront and CLOUDFRONT-scope WAFv2 live here
DEFAULT_REGION = "us-east-1"


@dataclass
class CallStats:
    """What was sent: operations called and HTTP attempts (retries included)."""

    operations: Counter = field(default_factory=Counter)  # "elbv2:DescribeRules" -> n
    attempts: int = 0
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

    @property
    def calls(self) -> int:
        return sum(self.operations.values())

    @property
    def retries(self) -> int:
        return max(0, self.attempts - self.calls)


DEFAULT_MAX_ATTEMPTS = 8  # throttles are normal in an audit: outlast them


def max_attempts() -> int:
    """botocore's own ``AWS_MAX_ATTEMPTS`` wins; else 8 attempts (7 retries)."""
    try:
        return max(1, int(os.environ["AWS_MAX_ATTEMPTS"]))
    except (KeyError, ValueError):
        return DEFAULT_MAX_ATTEMPTS


def client_config() -> Config:
    return Config(
        retries={"mode": "adaptive", "max_attempts": max_attempts()},
        connect_timeout=5,
        read_timeout=30,
        user_agent_extra=f"{TOOL_NAME}/{__version__}",
    )


class AwsContext:
    """The clients of one account, and the counters of what they sent."""

    def __init__(
        self, session: boto3.Session, endpoint_url: str | None = None, config: Config | None = None
    ) -> None:
        self.session = session
        self.endpoint_url = endpoint_url
        self.config = config or client_config()
        self.stats = CallStats()
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        session.events.register("before-call", self.stats.on_call)
        session.events.register("before-send", self.stats.on_send)

    @classmethod
    def from_options(
        cls, profile: str | None = None, endpoint_url: str | None = None, **credentials: str
    ) -> AwsContext:
        session = boto3.Session(profile_name=profile, **credentials)
        return cls(session, endpoint_url)

    @property
    def default_region(self) -> str:
        return self.session.region_name or DEFAULT_REGION

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                kwargs: dict[str, Any] = {"region_name": region, "config": self.config}
                if self.endpoint_url:
                    kwargs["endpoint_url"] = self.endpoint_url
                self._clients[key] = self.session.client(service, **kwargs)
            return self._clients[key]
