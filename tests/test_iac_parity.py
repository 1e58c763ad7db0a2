"""Parity: a template judged by ``edge-audit iac`` and the same template deployed and
scanned give the same verdict per (rule, resource), for every rule both evaluate.

The template is deployed by moto's CloudFormation, in process. What moto's CloudFormation
does not do is completed with boto3 calls that set exactly the template's properties (test
helpers below): it registers no Lambda targets, and it has no CloudFront, so the
distribution is created with the DistributionConfig the template declares. A difference is
a bug in one of the two sources.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from auditor.findings import Status
from auditor.iac.estate import Options
from auditor.iac.source import collect_templates, evaluate_templates, split_rules
from auditor.packs import load_registry
from auditor.scan import collect, evaluate
from auditor.session import AwsContext
from tests.moto_gaps import MOTO_LACKS, answer_unserved

NAIVE = Path(__file__).parent / "iac_templates" / "naive.yaml"
REGION = "us-east-1"
STRONG = "Q7v-" * 8
JUDGED = (Status.PASS, Status.FAIL)


def _body() -> dict:
    from auditor.iac.template import decode

    body, _ = decode(str(NAIVE))
    return json.loads(json.dumps(body))


def register_targets(session, stack: str, body: dict) -> None:
    """moto's CloudFormation registers no Lambda targets: register the template's."""
    cfn, elb = session.client("cloudformation"), session.client("elbv2")
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
                for r in cfn.describe_stack_resources(StackName=stack)["StackResources"]}
    fn_arn = session.client("lambda").get_function(
        FunctionName=physical["ApiFunction"])["Configuration"]["FunctionArn"]
    assert body["Resources"]["ApiTargetGroup"]["Properties"]["Targets"] == [
        {"Id": {"Fn::GetAtt": ["ApiFunction", "Arn"]}}]
    elb.register_targets(TargetGroupArn=physical["ApiTargetGroup"], Targets=[{"Id": fn_arn}])


def create_distribution(session, stack: str, body: dict, secret: str) -> str:
    """moto's CloudFormation has no CloudFront: the template's distribution, field by field
    (CloudFormation's defaults where the template omits one: ports 80/443, SSL protocols
    TLSv1 and SSLv3, read timeout 30 s, keep-alive 5 s)."""
    config = body["Resources"]["Distribution"]["Properties"]["DistributionConfig"]
    origin, behavior = config["Origins"][0], config["DefaultCacheBehavior"]
    alb = session.client("elbv2").describe_load_balancers()["LoadBalancers"][0]
    made = session.client("cloudfront").create_distribution(DistributionConfig={
        "CallerReference": stack, "Comment": "", "Enabled": config["Enabled"],
        "Origins": {"Quantity": 1, "Items": [{
            "Id": origin["Id"], "DomainName": alb["DNSName"],
            "CustomHeaders": {"Quantity": 1, "Items": [
                {"HeaderName": origin["OriginCustomHeaders"][0]["HeaderName"],
                 "HeaderValue": secret}]},
            "CustomOriginConfig": {
                "HTTPPort": 80, "HTTPSPort": 443,
                "OriginProtocolPolicy": origin["CustomOriginConfig"]["OriginProtocolPolicy"],
                "OriginSslProtocols": {"Quantity": 2, "Items": ["TLSv1", "SSLv3"]},
                "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5}}]},
        "DefaultCacheBehavior": {
            "TargetOriginId": behavior["TargetOriginId"],
            "ViewerProtocolPolicy": behavior["ViewerProtocolPolicy"],
            "CachePolicyId": behavior["CachePolicyId"],
            "OriginRequestPolicyId": behavior["OriginRequestPolicyId"]}})
    return made["Distribution"]["ARN"]


def deploy_and_scan(secret: str, rules):
    """The live results of the deployed template, by (rule, logical id)."""
    body = _body()
    with mock_aws():
        session = answer_unserved(boto3.Session(aws_access_key_id="t",
                                                aws_secret_access_key="t",
                                                region_name=REGION))
        ec2 = session.client("ec2")
        vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2]
        role = session.client("iam").create_role(
            RoleName="lambda", AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]
        local = json.loads(json.dumps(body).replace("vpc-0123456789abcdef0", vpc)
                           .replace("subnet-0aaaaaaaaaaaaaaaa", subnets[0])
                           .replace("subnet-0bbbbbbbbbbbbbbbb", subnets[1])
                           .replace("arn:aws:iam::123456789012:role/lambda", role))
        deployed = {**local, "Resources": {k: v for k, v in local["Resources"].items()
                                           if k != "Distribution"}}  # the helper makes it
        cfn = session.client("cloudformation")
        cfn.create_stack(StackName="naive", TemplateBody=json.dumps(deployed),
                         Parameters=[{"ParameterKey": "OriginSecret",
                                      "ParameterValue": secret}])
        register_targets(session, "naive", local)
        logical = {r.get("PhysicalResourceId", ""): r["LogicalResourceId"]
                   for r in cfn.describe_stack_resources(StackName="naive")["StackResources"]}
        logical[create_distribution(session, "naive", local, secret)] = "Distribution"
        fn_name = next(p for p, name in logical.items() if name == "ApiFunction")
        logical[f"arn:aws:lambda:{REGION}:123456789012:function:{fn_name}"] = "ApiFunction"
        ctx = AwsContext(session)
        collection, secrets = collect(ctx, [REGION], rules=rules)
        report = evaluate(collection, rules, secrets=secrets)
    return {(r.rule_id, logical.get(r.resource.arn, r.resource.arn)): r
            for r in report.results}


@pytest.mark.parametrize("secret", ["let-me-in", STRONG], ids=["guessable", "strong"])
def test_the_template_and_the_deployed_stack_agree(secret):
    rules, _ = split_rules(list(load_registry(plugins=False).rules))
    live = deploy_and_scan(secret, rules)
    run, run_rules = collect_templates([str(NAIVE)], Options(parameters={
        "OriginSecret": secret}), rules)
    before = {(r.rule_id, r.resource.name): r for r in
              evaluate_templates(run, run_rules).results}
    compared, differ = 0, []
    for key, planned in before.items():
        deployed = live.get(key)
        if deployed is None or planned.status not in JUDGED or deployed.status not in JUDGED:
            continue
        compared += 1
        if planned.status is not deployed.status:
            differ.append((key, planned.status.value, planned.message,
                           deployed.status.value, deployed.message))
    assert not differ, differ
    assert compared >= 30, compared  # most of the catalogue, not a handful


def test_what_moto_cannot_serve_is_the_only_gap():
    """The results compared above leave out only those the live side could not see: the
    operations moto lacks (tests/moto_gaps.py), never a rule the template decided alone."""
    rules, _ = split_rules(list(load_registry(plugins=False).rules))
    live = deploy_and_scan("let-me-in", rules)
    unseen = {r.message.split(" failed")[0] for r in live.values()
              if r.status is Status.ERROR}
    assert unseen and all(any(op in m for op in MOTO_LACKS) for m in unseen), unseen
