"""Results: one per (rule, resource) evaluated. Frozen: made once, never edited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from auditor.inventory import ResourceRef


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SUPPRESSED = "suppressed"  # a failure a suppression in --config accepts, until it expires


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
class PackRef:
    """Which rule pack a rule (and so its results) came from: ``rule_pack`` in reports."""

    name: str
    version: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "version": self.version}


@dataclass(frozen=True)
class Suppression:
    """Why a failure is accepted, and until when. An expired one no longer hides the
    failure; it is kept on the result so the report can say it expired."""

    reason: str
    expires: date
    matched_by: str  # "resource arn:...:loadbalancer/app/pub-*" or "tags team=legacy"
    expired: bool = False


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
    suppression: Suppression | None = None
    baseline: str | None = None  # "new" or "unchanged" when the scan had a --baseline
    rule_pack: PackRef | None = None  # the pack the rule came from (None: a pre-0.4 report)

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies a result across scans: (rule, account, resource)."""
        return (self.rule_id, self.account, self.resource.arn)

    @property
    def failing(self) -> bool:
        return self.status is Status.FAIL

    @property
    def account(self) -> str:
        return self.resource.account

    @property
    def region(self) -> str:
        return self.resource.region
