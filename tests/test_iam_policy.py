"""The shipped IAM policy covers every operation a collector can call, and only reads."""

from __future__ import annotations

import re
from pathlib import Path

import botocore.session

from auditor.accounts import OPERATIONS as ACCOUNT_OPERATIONS
from auditor.cli import iam_policy
from auditor.collect.account import ALL_OPERATIONS

IAM_PREFIX = {"elbv2": "elasticloadbalancing", "resourcegroupstaggingapi": "tag"}
# API Gateway's management API is authorised by HTTP verb on resource paths.
VERB_ACTIONS = {"apigateway:GetRestApis": "apigateway:GET",
                "apigateway:GetStages": "apigateway:GET"}
READ_VERBS = ("Describe", "Get", "List")
CALL = re.compile(r'calls\.(?:call|paginate)\(\s*"(\w+)",\s*[^,]+,\s*"(\w+)"')
COLLECT = Path(__file__).parent.parent / "auditor" / "collect"
SOURCES = [*COLLECT.glob("*.py"), COLLECT.parent / "accounts.py"]


def iam_action(operation: str) -> str:
    if operation in VERB_ACTIONS:
        return VERB_ACTIONS[operation]
    service, name = operation.split(":")
    return f"{IAM_PREFIX.get(service, service)}:{name}"


def policy_actions() -> set[str]:
    actions = set()
    for statement in iam_policy()["Statement"]:
        assert statement["Effect"] == "Allow"
        actions.update(statement["Action"])
    return actions


def test_api_gateway_get_is_scoped_to_rest_apis_and_stages():
    [scoped] = [s for s in iam_policy()["Statement"] if s["Action"] == ["apigateway:GET"]]
    assert all(r.startswith("arn:aws:apigateway:*::/restapis") for r in scoped["Resource"])


def test_policy_is_exactly_the_declared_operations():
    declared = {iam_action(op) for op in (*ALL_OPERATIONS, *ACCOUNT_OPERATIONS)}
    assert policy_actions() == declared


def test_assume_role_is_scoped_to_the_audit_role():
    [statement] = [s for s in iam_policy()["Statement"] if "sts:AssumeRole" in s["Action"]]
    assert statement["Action"] == ["sts:AssumeRole"]
    assert statement["Resource"] == "arn:aws:iam::*:role/EdgeAuditorRole"


def test_policy_only_reads():
    for action in policy_actions() - {"sts:AssumeRole"}:  # credentials, not a change
        name = action.split(":")[1]
        assert name.startswith(READ_VERBS) or name == "GET", action
        assert "*" not in action, action


def test_every_call_in_the_collectors_is_declared():
    session = botocore.session.get_session()
    found = set()
    for path in SOURCES:
        for service, method in CALL.findall(path.read_text()):
            model = session.get_service_model(service)
            names = {_snake(op): op for op in model.operation_names}
            found.add(f"{service}:{names[method]}")
    assert found, "the pattern found no calls"
    declared = set(ALL_OPERATIONS) | set(ACCOUNT_OPERATIONS)
    assert found <= declared, found - declared


def _snake(name: str) -> str:
    from botocore import xform_name

    return xform_name(name)


def test_the_read_only_proof_catches_a_mutating_call():
    from tests.readonly import violations

    assert violations({"elbv2:DescribeRules"}) == []
    problems = violations({"elbv2:DeleteLoadBalancer", "lambda:UpdateFunctionConfiguration"})
    assert len(problems) == 4  # each: not in the policy, and not a read


def test_everything_recorded_so_far_only_reads():
    from auditor.demo import run_demo
    from auditor.rules import load_rules
    from tests.readonly import RECORDED, violations

    run_demo(load_rules())  # at least one full scan is recorded, whatever runs before
    assert len(RECORDED) > 20
    assert violations(RECORDED) == []
