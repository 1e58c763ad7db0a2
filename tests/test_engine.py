"""The engine fails closed: gaps and rule bugs become ``error`` results, never passes."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from auditor.engine import UnknownRule, evaluate, select_rules
from auditor.findings import Severity, Status
from auditor.rule import Rule, SubjectKind
from auditor.rules import load_rules
from auditor.secrets import Secret, scrub
from tests.scenario import ALB_ARN, ALB_DNS, Scenario, denied

RULES = load_rules()


def test_region_listing_denied_errors_every_alb_rule_at_region_scope():
    inventory = Scenario(load_balancers=denied("elbv2:DescribeLoadBalancers")).build()
    results = evaluate(inventory, RULES)
    alb_rules = {r.id for r in RULES
                 if r.subject not in (SubjectKind.EDGE_DISTRIBUTION, SubjectKind.REST_API)}
    errors = {r.rule_id for r in results if r.status is Status.ERROR}
    assert alb_rules <= errors
    scoped = [r for r in results if r.rule_id == "BYP-001"]
    assert [r.resource.arn for r in scoped] == [
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/*"
    ]
    assert not any(r.status is Status.PASS and r.rule_id in alb_rules for r in results)


def test_distribution_listing_denied_errors_distribution_rules_once():
    inventory = Scenario(distributions=denied("cloudfront:ListDistributions")).build()
    results = [r for r in evaluate(inventory, RULES) if r.rule_id == "WAF-001"]
    assert [(r.status, r.resource.arn) for r in results] == [
        (Status.ERROR, "arn:aws:cloudfront::111122223333:distribution/*")
    ]


def test_origin_to_unlisted_region_makes_distribution_rules_error():
    inventory = Scenario(origin_domain=ALB_DNS,  # the listing that failed would name it
                         target_groups=denied("elbv2:DescribeTargetGroups")).build()
    results = [r for r in evaluate(inventory, RULES) if r.rule_id == "BYP-008"]
    assert [r.status for r in results] == [Status.ERROR]
    assert results[0].resource.arn.endswith("distribution/E1EXAMPLE")


def test_a_rule_that_raises_yields_error_not_pass():
    def broken(topo, alb, params):
        raise RuntimeError("bug")

    rule = replace(RULES[0], check=broken)
    [result] = evaluate(Scenario().build(), [rule])
    assert result.status is Status.ERROR
    assert "internal error" in result.message


def test_results_are_unique_per_rule_and_resource():
    inventory = Scenario(alb_attributes={}, timeout=120).build()
    results = evaluate(inventory, RULES)
    keys = [(r.rule_id, r.resource.arn) for r in results]
    assert len(keys) == len(set(keys))
    assert all(r.resource.arn not in r.related for r in results)


def test_hardened_scenario_fails_nothing_but_info():
    results = evaluate(Scenario().build(), RULES)
    assert results
    # An internet-facing ALB: true, and info only (reuse article); three target groups in all,
    # so ALB-009 (1.1) does not call it a single-function ALB.
    assert [r.rule_id for r in results if r.status is not Status.PASS] == ["ALB-011"]


def test_select_rules_only_and_skip():
    chosen = select_rules(RULES, ["byp-001", "SG-001"], ["SG-001"])
    assert [r.id for r in chosen] == ["BYP-001"]
    with pytest.raises(UnknownRule, match="XYZ-999"):
        select_rules(RULES, ["XYZ-999"])


def test_rule_metadata_is_validated():
    with pytest.raises(ValueError):
        Rule(
            "bad",
            "x",
            Severity.LOW,
            "t",
            "c",
            "r",
            "r",
            "r",
            SubjectKind.LAMBDA_ALB,
            lambda t, s, p: None,
        )


def test_secret_never_prints():
    secret = Secret("hunter2-very-secret")
    assert "hunter2" not in repr(secret) + str(secret) + f"{secret}" + f"{[secret]}"
    with pytest.raises(TypeError):
        json.dumps({"v": secret})
    assert "hunter2" not in repr(Scenario().build())
    assert scrub("a hunter2-very-secret b", [secret]) == "a *** b"


def test_alb_arn_is_the_subject_of_alb_rules():
    results = evaluate(Scenario().build(), [r for r in RULES if r.id == "BYP-005"])
    assert [r.resource.arn for r in results] == [ALB_ARN]
