"""The ``iac`` source of an inventory: templates in, the scan's `Collection` out.

The estate (`auditor.iac.estate`) answers the live collectors' calls
(`auditor.iac.client`), so the same collection, sealing and rules run as in a scan of an
account, and a rule's verdict on a template and on the account it becomes can be compared
one for one. Rules that need what no template holds (CloudWatch metrics, the account's
quotas and other resources) are not run: they are listed once as not applicable before
deploy, instead of one ``error`` per resource.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from auditor.findings import Result
from auditor.iac.answers import Answers
from auditor.iac.client import TemplateContext
from auditor.iac.estate import Estate, Options, Resource, build
from auditor.rule import Rule
from auditor.scan import Collection, Report, collect, evaluate

# Data a template cannot hold: the rules that need it are not applicable before deploy.
NOT_BEFORE_DEPLOY = {
    "region_metrics": "it reads CloudWatch metrics of the running functions and ALBs",
    "edge_metrics": "it reads CloudWatch metrics of the running distributions",
    "alb_limits": "it reads the account's applied rules-per-ALB quota",
    "rest_apis": "it judges the account's API Gateway REST APIs, not a template's",
}


@dataclass(frozen=True)
class NotApplicable:
    rule_id: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"rule_id": self.rule_id, "reason": self.reason}


def split_rules(rules: Sequence[Rule]) -> tuple[list[Rule], list[NotApplicable]]:
    """(the rules a template can answer, the others with why not)."""
    run, skipped = [], []
    for rule in rules:
        why = [NOT_BEFORE_DEPLOY[f] for f in rule.needs if f in NOT_BEFORE_DEPLOY]
        if why:
            skipped.append(NotApplicable(rule.id, why[0]))
        else:
            run.append(rule)
    return run, skipped


@dataclass(frozen=True)
class IacRun:
    collection: Collection
    secrets: tuple
    estate: Estate
    answers: Answers
    not_applicable: tuple[NotApplicable, ...]


def collect_templates(paths: Sequence[str], options: Options, rules: Sequence[Rule],
                      params: Mapping[str, Mapping[str, Any]] | None = None,
                      tag_keys: frozenset[str] = frozenset()) -> tuple[IacRun, list[Rule]]:
    estate = build(list(paths), options)
    answers = Answers(estate, options.account)
    run_rules, skipped = split_rules(rules)
    ctx = TemplateContext(answers, options.region)
    try:
        collection, secrets = collect(ctx, estate.regions or [options.region], params,
                                      run_rules, tag_keys=tag_keys)
    finally:
        ctx.close()
    return IacRun(collection, secrets, estate, answers, tuple(skipped)), run_rules


# resource type -> how its ARN is had (the ARN results carry)
ARN_OF = {"AWS::ElasticLoadBalancingV2::LoadBalancer": Resource.ref,
          "AWS::ElasticLoadBalancingV2::TargetGroup": Resource.ref,
          "AWS::ElasticLoadBalancingV2::Listener": Resource.ref,
          "AWS::Lambda::Alias": Resource.ref, "AWS::Lambda::Version": Resource.ref,
          "AWS::Lambda::Function": lambda r: r.attr("Arn"),
          "AWS::CloudFront::Distribution": lambda r: r.attr("Arn")}


def owners(estate: Estate) -> dict[str, Resource]:
    """ARN -> the template resource it stands for (a qualified ARN whose alias or version
    the template does not hold falls back to its function, in `named`)."""
    return {str(ARN_OF[r.type](r)): r for r in estate.resources() if r.type in ARN_OF}


def named(result: Result, by_arn: dict[str, Resource]) -> Result:
    """The result as the template writes it: the logical id and where it stands."""
    arn = result.resource.arn
    owner = by_arn.get(arn) or by_arn.get(":".join(arn.split(":")[:7]))
    if owner is None:
        return result
    return replace(result, resource=replace(result.resource, name=owner.logical,
                                            location=owner.location.as_dict()))


def evaluate_templates(run: IacRun, rules: Sequence[Rule],
                       params: Mapping[str, Mapping[str, Any]] | None = None,
                       suppressions: Sequence = ()) -> Report:
    report = evaluate(run.collection, rules, params, run.secrets, suppressions)
    by_arn = owners(run.estate)
    results = tuple(named(r, by_arn) for r in report.results)
    scan = replace(report.scan, source="iac",
                   inputs=tuple(sorted({s.path for s in run.estate.stacks})),
                   not_applicable=tuple(n.as_dict() for n in run.not_applicable),
                   warnings=tuple(run.estate.warnings))
    return replace(report, scan=scan, results=results)
