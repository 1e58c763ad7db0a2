"""Results: one per (rule, resource) evaluated. Frozen: made once, never edited."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from auditor.inventory import ResourceRef


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical 4 .. info 0."""
        return list(reversed(Severity)).index(self)


@dataclass(frozen=True)
class Verdict:
    """What a rule says about one subject: passed or not, why, and the facts behind it."""

    passed: bool
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    related: tuple[str, ...] = ()

    @classmethod
    def ok(cls, message: str, related=(), **evidence: Any) -> Verdict:
        return cls(True, message, evidence, tuple(related))

    @classmethod
    def fail(cls, message: str, related=(), **evidence: Any) -> Verdict:
        return cls(False, message, evidence, tuple(related))


@dataclass(frozen=True)
class Result:
    rule_id: str
    rule: str  # slug
    title: str
    severity: Severity
    status: Status
    resource: ResourceRef
    message: str
    evidence: dict[str, Any]
    recommendation: str
    remediation: str
    related: tuple[str, ...] = ()

    @property
    def account(self) -> str:
        return self.resource.account

    @property
    def region(self) -> str:
        return self.resource.region
