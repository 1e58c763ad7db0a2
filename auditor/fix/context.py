"""What every step builder shares: the options of the run, and how a change becomes a
step (an AWS call, or a template change where a template owns the resource)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from auditor.fix.findings import Failures, Finding
from auditor.fix.model import Call, Closes, Phase, Shell, Step, TemplateChange
from auditor.session import GLOBAL_SERVICE_REGION

# Run-time parameters a step may need: name -> what it is. The script checks them all
# before its first change.
PARAMETERS = {
    "ALARM_TOPIC_ARN": "the SNS topic ARN the new alarms notify (MON-*)",
    "ALB_LOG_BUCKET": "the S3 bucket for ALB access logs (ALB-006); its policy must let "
                      "Elastic Load Balancing write",
    "CF_LOG_BUCKET": "the S3 bucket for CloudFront standard logs (CF-007); ACLs enabled, "
                     "CloudFront's log delivery allowed",
}


def compact(value) -> str:
    """JSON in one shell word's worth of text (an edit spec, a structure parameter)."""
    return json.dumps(value, separators=(",", ":"))


def distribution_edit(dist: str, edit: dict, what: str) -> tuple[list[Call], list[Shell]]:
    """A change to a distribution's config: the calls as the plan shows them, and the
    ``cf_edit`` helper that makes them (config and ETag fetched, --if-match)."""
    calls = [Call("cloudfront", "GetDistributionConfig", GLOBAL_SERVICE_REGION, {"Id": dist}),
             Call("cloudfront", "UpdateDistribution", GLOBAL_SERVICE_REGION, {"Id": dist},
                  {"IfMatch": "the ETag GetDistributionConfig returned",
                   "DistributionConfig": "the current config, " + what})]
    return calls, [Shell("cf_edit", (GLOBAL_SERVICE_REGION, dist, compact(edit)))]


@dataclass
class Context:
    failures: Failures
    accept_risk: frozenset[str] = frozenset()
    values: dict[str, str] = field(default_factory=dict)
    needed: set[str] = field(default_factory=set)  # PARAMETERS names the steps use

    @property
    def iac(self) -> bool:
        return self.failures.source == "iac"

    def parameter(self, name: str) -> str:
        """A run-time parameter, as the script refers to it."""
        self.needed.add(name)
        return "${" + name + "}"

    def step(self, owner: Finding, phase: Phase, title: str, closes: Sequence[Closes],
             risk: str, *, calls: Sequence[Call] = (), shell: Sequence[Shell] = (),
             change: str, resource_type: str = "", logical_id: str = "",
             preconditions: Sequence[str] = (), accept_risk: str | None = None,
             account: str = "", serves: Sequence[Closes] = (),
             reveals: Sequence[Closes] = (), target: str = "") -> Step:
        """A step that changes ``owner`` (or a resource next to it). ``change`` says the
        same change in template terms: it is the step where a template owns the
        resource (CloudFormation's tags, or a report of ``edge-audit iac``)."""
        template = self._template(owner, change, resource_type, logical_id, target)
        accepted = accept_risk is None or accept_risk in self.accept_risk
        common = dict(preconditions=tuple(preconditions), accept_risk=accept_risk,
                      accepted=accepted, account=account or owner.account,
                      serves=tuple(c for c in serves if c not in closes),
                      reveals=tuple(reveals))
        if template is not None:
            return Step(phase, title, tuple(closes), risk, template=template, **common)
        return Step(phase, title, tuple(closes), risk, calls=tuple(calls), shell=tuple(shell),
                    **common)

    def _template(self, owner: Finding, change: str, resource_type: str,
                  logical_id: str, target: str) -> TemplateChange | None:
        """``target``: the ARN of the resource the step changes, when it is not the
        finding's own; its stack (or place in the template) decides, when the report
        has a result about it."""
        kind = resource_type or owner.type
        name, location, stack = owner.name, owner.location, owner.stack
        if target and target in self.failures.resources:
            name, location, stack = self.failures.resources[target]
            logical_id = ""
        if self.iac:
            where = location or {}
            return TemplateChange(logical_id or name, kind, change,
                                  file=where.get("file", ""), line=where.get("line"))
        if stack:
            return TemplateChange(logical_id or stack.get("logical_id") or name,
                                  kind, change, stack=stack["name"])
        return None
