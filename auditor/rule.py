"""A rule: its contract metadata (id, slug, severity, citation) beside its logic.

A rule names the kind of subject it judges; the engine asks the topology for those
subjects and calls ``check(topology, subject, params)`` on each, ``params`` being the
rule's named thresholds (defaults, overridden by ``--config``). ``check`` returns a
`Verdict`, or ``None`` when the subject is outside the rule's scope (an internal ALB for a
rule about internet-facing ones). Rules are pure: they read the topology, never AWS.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from auditor.findings import PackRef, Severity, Verdict


class SubjectKind(StrEnum):
    LAMBDA_ALB = "lambda_alb"
    LAMBDA_TARGET_GROUP = "lambda_target_group"
    TARGET_FUNCTION = "target_function"
    HEALTH_CHECKED_FUNCTION = "health_checked_function"
    EDGE_DISTRIBUTION = "edge_distribution"
    REST_API = "rest_api"


Params = Mapping[str, Any]

ID_PATTERN = re.compile(r"^[A-Z]{2,5}-\d{3}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Rule:
    id: str
    slug: str
    severity: Severity
    title: str
    cites: str  # "rec. 3", "FM", "WAF placement": the catalogue's citation
    recommendation: str  # the article's recommendation it enforces, in our words
    rationale: str  # why a failure matters
    remediation: str  # what to change
    subject: SubjectKind
    check: Callable[[Any, Any, Mapping[str, Any]], Verdict | None]
    params: dict[str, Any] = field(default_factory=dict)  # name -> default; --config overrides
    needs: tuple[str, ...] = ()  # optional data it reads (auditor.collect.plan.FACETS, or
    # the name of a facet its pack declares: auditor.facets.Facet)
    # Set by the loader (auditor.packs), not by the rule's author: the pack it came from.
    pack: PackRef | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not ID_PATTERN.match(self.id):
            raise ValueError(f"bad rule id {self.id!r}")
        if not SLUG_PATTERN.match(self.slug):
            raise ValueError(f"bad slug {self.slug!r} for {self.id}")

    @property
    def area(self) -> str:
        return self.id.split("-")[0]


@dataclass(frozen=True)
class RetiredRule:
    """An id whose meaning had to change: it is never reused, and naming it says what
    replaced it (catalogue, "Retired")."""

    id: str
    slug: str
    retired_in: str  # catalogue version
    replaced_by: str
    why: str

    def notice(self) -> str:
        return (f"{self.id} ({self.slug}) was retired in catalogue {self.retired_in}: "
                f"{self.why}; use {self.replaced_by}")
