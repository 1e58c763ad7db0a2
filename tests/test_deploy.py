"""deploy/: the nightly job's CloudFormation (cfn-lint clean, created in moto's
CloudFormation, its task role the shipped policy) and the Lambda entry point."""

from __future__ import annotations

import ast
import importlib
import json
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
from cfnlint.decode import cfn_yaml

from auditor.arguments import build_parser, env_name
from auditor.cli import iam_policy
from auditor.lambda_handler import AuditFailed, handler

ROOT = Path(__file__).parent.parent
TEMPLATE = ROOT / "deploy" / "edge-auditor.yaml"
# moto's CloudFormation warns for the two types it skips; the stack fixture asserts which.
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse")


def template() -> dict:
    return json.loads(json.dumps(cfn_yaml.load(str(TEMPLATE))))


def test_template_passes_cfn_lint():
    lint = shutil.which("cfn-lint")
    assert lint, "cfn-lint is a test dependency"
    proc = subprocess.run([lint, str(TEMPLATE)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _role_policy(name: str) -> dict:
    role = template()["Resources"]["TaskRole"]["Properties"]
    [policy] = [p for p in role["Policies"] if p["PolicyName"] == name]
    return policy["PolicyDocument"]


def test_task_role_reads_with_exactly_the_shipped_policy():
    assert _role_policy("EdgeAuditorReadOnly")["Statement"] == iam_policy()["Statement"]


def test_task_role_writes_only_its_reports_and_findings():
    statements = _role_policy("EdgeAuditorReports")["Statement"]
    writes = statements[0]
    assert writes["Action"] == ["s3:PutObject", "s3:GetObject"]
    assert writes["Resource"] == {"Fn::Sub": "${ReportBucket.Arn}/edge-audit/*"}
    hub = statements[1]["Fn::If"]
    assert hub[0] == "Publish" and hub[2] == {"Ref": "AWS::NoValue"}
    assert hub[1]["Action"] == ["securityhub:BatchImportFindings",
                                "securityhub:BatchUpdateFindings", "securityhub:GetFindings"]


def test_the_task_is_configured_only_with_variables_scan_reads():
    scan = build_parser()._subparsers._group_actions[0].choices["scan"]
    known = {env_name(a) for a in scan._actions} - {None}
    [container] = template()["Resources"]["TaskDefinition"]["Properties"][
        "ContainerDefinitions"]
    names = set()
    for item in container["Environment"]:
        entry = item["Fn::If"][1] if "Fn::If" in item else item
        names.add(entry["Name"])
    assert names and names <= known, names - known
    assert container["Command"] == ["scan"]
    assert container["ReadonlyRootFilesystem"] is True


@pytest.fixture
def stack(moto_session):
    ec2 = moto_session.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    cfn = moto_session.client("cloudformation")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        cfn.create_stack(StackName="edge-auditor", TemplateBody=TEMPLATE.read_text(),
                     Capabilities=["CAPABILITY_IAM"], Parameters=[
                             {"ParameterKey": "ImageUri",
                              "ParameterValue": "123456789012.dkr.ecr.us-east-1.amazonaws.com/"
                                                "edge-auditor:1"},
                             {"ParameterKey": "VpcId", "ParameterValue": vpc},
                             {"ParameterKey": "SubnetIds", "ParameterValue": subnet},
                             {"ParameterKey": "PublishToSecurityHub", "ParameterValue": "true"}])
    # moto's CloudFormation does not implement these two; the Schedule's properties are
    # checked against the Scheduler API below, the bucket policy by cfn-lint.
    skipped = {str(w.message).split()[3] for w in seen if "not supported by moto" in str(
        w.message)}
    assert skipped == {"AWS::S3::BucketPolicy", "AWS::Scheduler::Schedule"}
    [described] = cfn.describe_stacks(StackName="edge-auditor")["Stacks"]
    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                 for r in cfn.list_stack_resources(StackName="edge-auditor")[
                     "StackResourceSummaries"] if "LogicalResourceId" in r}
    return described, resources, subnet


def test_moto_creates_the_stack(stack, moto_session):
    described, resources, _ = stack
    assert described["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    bucket = outputs["ReportBucket"]
    s3 = moto_session.client("s3")
    blocked = template()["Resources"]["ReportBucket"]["Properties"][
        "PublicAccessBlockConfiguration"]  # moto's CloudFormation does not apply this one
    assert set(blocked.values()) == {True} and len(blocked) == 4
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert rules["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert outputs["LatestReport"] == f"s3://{bucket}/edge-audit/latest.json"

    ecs = moto_session.client("ecs")
    task = ecs.describe_task_definition(taskDefinition=resources["TaskDefinition"])[
        "taskDefinition"]
    env = {e["name"]: e["value"] for e in task["containerDefinitions"][0]["environment"]}
    assert env["EDGE_AUDIT_OUTPUT"] == f"s3://{bucket}/edge-audit/"
    assert env["EDGE_AUDIT_BASELINE"] == f"s3://{bucket}/edge-audit/latest.json"
    assert env["EDGE_AUDIT_PUBLISH"] == "securityhub"

    iam = moto_session.client("iam")
    role = resources["TaskRole"]
    names = iam.list_role_policies(RoleName=role)["PolicyNames"]
    assert set(names) == {"EdgeAuditorReadOnly", "EdgeAuditorReports"}
    read = iam.get_role_policy(RoleName=role, PolicyName="EdgeAuditorReadOnly")["PolicyDocument"]
    if isinstance(read, str):  # moto's CloudFormation stores the policy as Python's repr
        read = ast.literal_eval(read)
    assert read["Statement"] == iam_policy()["Statement"]


def _resolve(value, refs: dict, attrs: dict):
    """Just enough of CloudFormation's intrinsics for the Schedule's properties."""
    if isinstance(value, list):
        return [_resolve(v, refs, attrs) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        return refs[value["Ref"]]
    if set(value) == {"Fn::GetAtt"}:
        return attrs[tuple(value["Fn::GetAtt"])]
    # The one name CloudFormation spells differently from the Scheduler API:
    return {("awsvpcConfiguration" if k == "AwsvpcConfiguration" else k):
            _resolve(v, refs, attrs) for k, v in value.items()}


def test_the_schedule_is_valid_scheduler_input(stack, moto_session):
    """moto's CloudFormation skips AWS::Scheduler::Schedule, so its properties are sent
    to the Scheduler API itself (botocore validates them, moto stores them)."""
    _, resources, subnet = stack
    ecs, iam = moto_session.client("ecs"), moto_session.client("iam")
    cluster = ecs.describe_clusters(clusters=[resources["Cluster"]])["clusters"][0]
    refs = {"ScheduleExpression": "cron(0 3 * * ? *)", "ScheduleTimezone": "UTC",
            "TaskDefinition": resources["TaskDefinition"], "SubnetIds": [subnet],
            "TaskSecurityGroup": resources["TaskSecurityGroup"], "AssignPublicIp": "DISABLED"}
    attrs = {("Cluster", "Arn"): cluster["clusterArn"],
             ("SchedulerRole", "Arn"): iam.get_role(RoleName=resources["SchedulerRole"])[
                 "Role"]["Arn"]}
    props = _resolve(template()["Resources"]["Schedule"]["Properties"], refs, attrs)
    scheduler = moto_session.client("scheduler")
    scheduler.create_schedule(Name="edge-auditor-nightly", **props)
    stored = scheduler.get_schedule(Name="edge-auditor-nightly")
    assert stored["Target"]["EcsParameters"]["LaunchType"] == "FARGATE"
    assert stored["Target"]["Arn"] == cluster["clusterArn"]


# ------------------------------------------------------------------ the Lambda handler

def test_lambda_handler_runs_the_scan_from_the_event(tmp_path):
    out = tmp_path / "report.json"
    answer = handler({"args": ["demo", "--format", "json", "--output", str(out),
                               "--rules", "BYP-001"]}, None)
    assert answer == {"exit_code": 0, "outcome": "passed"}
    assert json.loads(out.read_text())["scan"]["rules"] == ["BYP-001"]


def test_lambda_handler_returns_findings_as_an_outcome(tmp_path):
    answer = handler({"args": ["demo", "--fail-on", "high", "-o", str(tmp_path / "t.txt")]})
    assert answer == {"exit_code": 1, "outcome": "findings"}


def test_lambda_handler_reads_variables_when_the_event_has_no_args(monkeypatch, tmp_path):
    out = tmp_path / "r.csv"
    monkeypatch.setenv("EDGE_AUDIT_FORMAT", "csv")
    monkeypatch.setenv("EDGE_AUDIT_OUTPUT", str(out))
    monkeypatch.setenv("EDGE_AUDIT_RULES", "SG-001")
    assert handler({"args": ["demo"]})["exit_code"] == 0
    assert out.read_text().startswith("rule_id,")


@pytest.mark.parametrize("event", [{"args": ["scan", "--region", "nowhere-9"]},
                                   {"args": "scan"}])
def test_lambda_handler_raises_when_the_audit_cannot_run(event):
    with pytest.raises(AuditFailed):
        handler(event)


def test_lambda_handler_is_what_the_lambda_image_runs():
    text = (ROOT / "deploy" / "lambda.Dockerfile").read_text()
    assert 'CMD ["auditor.lambda_handler.handler"]' in text
    module, name = ["auditor.lambda_handler", "handler"]
    assert getattr(importlib.import_module(module), name) is handler
