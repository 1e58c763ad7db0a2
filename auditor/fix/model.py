"""A fix plan as data: ordered steps, each closing named findings, none of them run here.

A step is one of four kinds. ``aws``: AWS API calls the script makes (literal parameters,
or ones the script computes at run time from what it fetches, such as a distribution's
config and ETag or a rule's current conditions). ``template``: the change to a template or
stack (the resource is managed by CloudFormation, or the report came from ``edge-audit
iac``), so a direct call would drift from its source. ``manual``: a decision the plan
cannot take for a person (a web ACL to design, a certificate, a cost). ``warning``: what
to check before the steps that follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Phase(IntEnum):
    """The safety order. Each phase keeps every path working for the next one."""

    NETWORK_ADD = 10  # admit CloudFront's prefix list before anything is closed
    HEADER_ACCEPT = 20  # the ALB accepts the new secret, behaviour unchanged
    HEADER_SEND = 30  # CloudFront sends it; wait until every edge location has it
    HEADER_CLOSE = 40  # only now: drop unguarded rules, default 403, old values out
    NETWORK_REVOKE = 50  # the world-open ingress goes, CloudFront's list already admitted
    FUNCTIONS = 60  # scoped permission before the unscoped one goes; function URLs
    SETTINGS = 70  # one call per setting: health checks, attributes, timeouts, edge
    ALARMS = 80
    RISKY = 90  # changes the application must be ready for (``--accept-risk``)
    MANUAL = 100  # what a person decides


@dataclass(frozen=True)
class Closes:
    """A finding a step closes (or, for a manual step, addresses)."""

    rule_id: str
    resource_arn: str
    resource_name: str

    def as_dict(self) -> dict[str, str]:
        return {"rule_id": self.rule_id, "resource_arn": self.resource_arn,
                "resource_name": self.resource_name}


@dataclass(frozen=True)
class Call:
    """One AWS API call. ``computed`` names the parameters the script fills in at run time
    (from what it fetches first) and says how; everything else is literal."""

    service: str  # the botocore / CLI service name: elbv2, ec2, lambda, cloudfront, ...
    operation: str  # the API operation: ModifyTargetGroup
    region: str
    parameters: dict[str, Any]
    computed: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"service": self.service, "operation": self.operation,
                               "region": self.region, "parameters": self.parameters}
        if self.computed:
            out["computed"] = dict(self.computed)
        return out


@dataclass(frozen=True)
class Shell:
    """A step the script runs through one of its helpers (auditor/fix/helpers.sh), for
    calls whose parameters depend on the live state: ``args`` are shell words, quoted by
    the renderer. The helper ``CALL`` runs the step's literal call number ``args[0]``."""

    helper: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class TemplateChange:
    """The change to make in a template: the resource, the property, the new value."""

    logical_id: str
    resource_type: str
    change: str  # what to write, in the template's own terms
    stack: str = ""  # the stack that owns it (a deployed resource)
    file: str = ""  # where it is written (edge-audit iac)
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"logical_id": self.logical_id,
                               "resource_type": self.resource_type, "change": self.change}
        if self.stack:
            out["stack"] = self.stack
        if self.file:
            out.update(file=self.file, line=self.line)
        return out


@dataclass(frozen=True)
class Step:
    phase: Phase
    title: str
    closes: tuple[Closes, ...]
    risk: str  # why it matters, and what it could break
    calls: tuple[Call, ...] = ()  # what the step does, as API calls (json, md)
    shell: tuple[Shell, ...] = ()  # how the script does it when not a literal call
    preconditions: tuple[str, ...] = ()
    accept_risk: str | None = None  # the rule id whose --accept-risk turns it on
    accepted: bool = True  # False: written commented out
    template: TemplateChange | None = None  # set when the change belongs in a template
    manual: str = ""  # for a manual or warning step: what a person does
    kind_override: str = ""  # "warning" for a step that only tells
    account: str = ""  # the account whose credentials the step needs
    serves: tuple[Closes, ...] = ()  # findings the step is part of the fix of
    # findings that pass now and will fail after the step, said up front (CF-004 once the
    # only cached path stops being cached): a trade-off, never a surprise
    reveals: tuple[Closes, ...] = ()

    @property
    def kind(self) -> str:
        if self.kind_override:
            return self.kind_override
        if self.template is not None:
            return "template"
        return "aws" if (self.calls or self.shell) else "manual"


@dataclass(frozen=True)
class Plan:
    report_id: str
    source: str  # aws | iac
    steps: tuple[Step, ...]
    parameters: dict[str, str]  # run-time parameters the script needs (name -> purpose)
    values: dict[str, str]  # parameter values given to `edge-audit fix`
    notes: tuple[str, ...] = ()
    skipped: tuple[Closes, ...] = ()  # failures left out by --rules

    def numbered(self) -> list[tuple[int, Step]]:
        return list(enumerate(self.steps, start=1))
