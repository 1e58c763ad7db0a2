"""How missing data is represented, so that no rule can read it as a pass.

A collector that cannot fetch something stores an `Unavailable` where the data would be.
Rules read such fields through `need()`, which raises `DataUnavailable`; the engine turns
that into an ``error`` result for exactly the resource being judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Unavailable:
    """Data a collector could not fetch, and why."""

    operation: str  # "elbv2:DescribeTargetGroupAttributes"
    code: str  # "AccessDenied", "Throttling", "EndpointConnectionError", ...
    message: str

    @property
    def reason(self) -> str:
        return f"{self.operation} failed: {self.code}: {self.message}"


class DataUnavailable(Exception):
    """Raised when a rule needs data that was not collected."""

    def __init__(self, gap: Unavailable) -> None:
        super().__init__(gap.reason)
        self.gap = gap


def need(value: T | Unavailable) -> T:
    """Return ``value``, or raise `DataUnavailable` when it was not collected."""
    if isinstance(value, Unavailable):
        raise DataUnavailable(value)
    return value
