"""Delivery: S3 (date-partitioned keys, latest.json, baselines read back) and Security Hub
(stable ids, batches of 100, resolved findings archived), against a moto server over HTTP;
the batch and refusal paths with Stubber."""

from __future__ import annotations

import json
import re
from datetime import date

import boto3
import pytest
from botocore.stub import ANY, Stubber

from auditor.cli import run
from auditor.demo.seed import AppSpec, FunctionSpec, Seeder
from auditor.findings import Status, Suppression
from auditor.publish import Delivery, DeliveryError
from auditor.publish.securityhub import publish
from auditor.report.asff import findings
from auditor.report.json_report import validate
from tests.reports import report, result

BUCKET = "audit-results"
RULES = "BYP-001,BYP-003,SG-001,TG-001"  # rules whose data moto serves in full
APPS = (AppSpec("shop", "us-east-1", functions=(FunctionSpec("catalog", "/api/*"),),
                multi_value=False),
        AppSpec("legacy", "us-east-1", functions=(FunctionSpec("app", None),),
                ingress="world", origin_header=None, multi_value=False))


@pytest.fixture(scope="module")
def account(moto_server):
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="testing",
                            aws_secret_access_key="testing")
    seeder = Seeder(session, moto_server)
    apps = {spec.name: seeder.seed(spec) for spec in APPS}
    session.client("s3", endpoint_url=moto_server).create_bucket(Bucket=BUCKET)
    return moto_server, apps, session


def scan(endpoint: str, *extra: str) -> int:
    return run(["--quiet", "scan", "--endpoint-url", endpoint, "--region", "us-east-1",
                "--rules", RULES, "--fail-on", "none", *extra])


def s3_json(session, endpoint, key):
    s3 = session.client("s3", endpoint_url=endpoint)
    return json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())


def test_s3_output_is_date_partitioned_with_a_latest_pointer(account):
    endpoint, _, session = account
    assert scan(endpoint, "--format", "json", "--output", f"s3://{BUCKET}/nightly/") == 0
    pointer = s3_json(session, endpoint, "nightly/latest.json")
    doc = s3_json(session, endpoint, pointer["key"])
    validate(doc)
    day = doc["scan"]["started_at"][:10].split("-")
    assert pointer["key"] == (f"nightly/year={day[0]}/month={day[1]}/day={day[2]}/"
                              f"123456789012-{doc['scan']['id']}.json")
    assert pointer["uri"] == f"s3://{BUCKET}/{pointer['key']}"
    assert pointer["scan_id"] == doc["scan"]["id"] and pointer["complete"] is True
    assert pointer["summary"] == doc["summary"]


@pytest.mark.parametrize(("fmt", "suffix"), [("csv", ".csv"), ("ocsf", ".ocsf.json")])
def test_s3_keys_carry_the_format(account, fmt, suffix):
    endpoint, _, session = account
    assert scan(endpoint, "--format", fmt, "--output", f"s3://{BUCKET}/{fmt}") == 0
    pointer = s3_json(session, endpoint, f"{fmt}/latest.json")
    assert re.fullmatch(rf"{fmt}/year=\d{{4}}/month=\d\d/day=\d\d/123456789012-[0-9a-f-]+"
                        + re.escape(suffix), pointer["key"])


def test_a_baseline_is_read_back_through_the_s3_pointer(account):
    endpoint, _, session = account
    assert scan(endpoint, "--format", "json", "--output", f"s3://{BUCKET}/base/") == 0
    first = s3_json(session, endpoint, "base/latest.json")
    assert scan(endpoint, "--format", "json", "--output", f"s3://{BUCKET}/base/",
                "--baseline", f"s3://{BUCKET}/base/latest.json", "--fail-on", "high") == 0
    second = s3_json(session, endpoint, s3_json(session, endpoint, "base/latest.json")["key"])
    assert second["scan"]["baseline"]["scan_id"] == first["scan_id"]
    failing = [r for r in second["results"] if r["status"] == "fail"]
    assert failing and all(r["baseline"] == "unchanged" for r in failing)


def test_a_bucket_that_is_not_there_fails_the_run(account, capsys):
    endpoint, _, _ = account
    assert scan(endpoint, "--format", "json", "--output", "s3://no-such-bucket/x/") == 3
    assert "no-such-bucket" in capsys.readouterr().err


# ---------------------------------------------------------------- Security Hub

def hub_findings(session, endpoint):
    hub = session.client("securityhub", endpoint_url=endpoint)
    pages = hub.get_paginator("get_findings").paginate()
    return {f["Id"]: f for page in pages for f in page["Findings"]}


def test_security_hub_gets_stable_findings_and_archives_the_resolved(account):
    endpoint, apps, session = account
    assert scan(endpoint, "--publish", "securityhub", "-o", "/dev/null") == 0
    first = hub_findings(session, endpoint)
    active = {i for i, f in first.items() if f["RecordState"] == "ACTIVE"}
    assert active and all(f["Compliance"]["Status"] in ("FAILED", "NOT_AVAILABLE")
                          for f in first.values())
    assert any("legacy-alb" in i for i in active)

    assert scan(endpoint, "--publish", "securityhub", "-o", "/dev/null") == 0
    again = hub_findings(session, endpoint)
    assert set(again) == set(first)  # updated in place, not duplicated

    # The legacy ALB goes away: the findings about it and its target group (no longer on a
    # request path) are resolved, and archived on the next run; the others stay active.
    elb = session.client("elbv2", endpoint_url=endpoint)
    elb.delete_load_balancer(LoadBalancerArn=apps["legacy"].alb_arn)
    assert scan(endpoint, "--publish", "securityhub", "-o", "/dev/null") == 0
    after = hub_findings(session, endpoint)
    gone = {i for i in active if "legacy-" in i}
    assert gone and all(after[i]["RecordState"] == "ARCHIVED" for i in gone)
    still = {i: after[i]["RecordState"] for i in active - gone}
    assert any("shop-" in i for i in still)
    assert all(s == "ACTIVE" for s in still.values()), still


class StubbedDelivery(Delivery):
    """Hands out pre-stubbed clients, one per service."""

    def __init__(self, clients):
        super().__init__(session=boto3.Session(region_name="us-east-1",
                                               aws_access_key_id="a", aws_secret_access_key="b"))
        self.clients = clients

    def client(self, service, region=None):
        return self.clients[service]


def _stubbed(many, failed=(), active=()):
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="a",
                            aws_secret_access_key="b")
    sts, hub = session.client("sts"), session.client("securityhub")
    sts_stub, hub_stub = Stubber(sts), Stubber(hub)
    sts_stub.add_response("get_caller_identity", {
        "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:role/auditor",
        "UserId": "AROAEXAMPLE"})
    hub_stub.add_response("get_findings", {"Findings": list(active)})
    sizes = [min(100, many - start) for start in range(0, many, 100)]
    for n in sizes:
        answer_failed = list(failed)[:n]
        hub_stub.add_response("batch_import_findings", {
            "FailedCount": len(answer_failed), "SuccessCount": n - len(answer_failed),
            "FailedFindings": answer_failed})
    return StubbedDelivery({"sts": sts, "securityhub": hub}), sts_stub, hub_stub, sizes


def test_imports_go_in_batches_of_at_most_100():
    results = [result(arn=f"arn:aws:elasticloadbalancing:us-east-1:123456789012:"
                          f"loadbalancer/app/a{i}/1") for i in range(250)]
    delivery, sts_stub, hub_stub, sizes = _stubbed(250)
    with sts_stub, hub_stub:
        done = publish(delivery, report(*results))
        hub_stub.assert_no_pending_responses()
    assert sizes == [100, 100, 50] and done.imported == 250


def test_findings_security_hub_refuses_make_the_delivery_fail():
    refused = [{"Id": "x", "ErrorCode": "AccessDeniedException", "ErrorMessage": "not admin"}]
    delivery, sts_stub, hub_stub, _ = _stubbed(1, refused)
    with sts_stub, hub_stub, pytest.raises(DeliveryError, match="refused 1 of 1"):
        publish(delivery, report(result()))


def _active(result_, workflow: str) -> dict:
    """The finding Security Hub holds for a result, with a workflow state."""
    [finding] = findings(report(result_), "us-east-1", "123456789012")
    return {**finding, "Workflow": {"Status": workflow}}


@pytest.mark.parametrize(("expired", "held", "sent"), [
    (False, "NEW", "SUPPRESSED"),      # suppressed after the finding was first imported
    (True, "SUPPRESSED", "NEW"),       # the suppression ran out: the finding reopens
])
def test_workflow_changes_on_existing_findings_use_batch_update(expired, held, sent):
    """BatchImportFindings ignores Workflow on a finding that exists already."""
    status = Status.FAIL if expired else Status.SUPPRESSED
    suppressed = result(status=status, suppression=Suppression(
        "accepted", date(2027, 1, 1), "resource *", expired))
    delivery, sts_stub, hub_stub, _ = _stubbed(1, active=[_active(suppressed, held)])
    [finding] = findings(report(suppressed), "us-east-1", "123456789012")
    hub_stub.add_response("batch_update_findings", {"ProcessedFindings": [
        {"Id": finding["Id"], "ProductArn": finding["ProductArn"]}], "UnprocessedFindings": []},
        {"FindingIdentifiers": [{"Id": finding["Id"], "ProductArn": finding["ProductArn"]}],
         "Workflow": {"Status": sent},
         "Note": {"Text": ANY, "UpdatedBy": "edge-auditor"}})
    with sts_stub, hub_stub:
        done = publish(delivery, report(suppressed))
        hub_stub.assert_no_pending_responses()
    assert done.workflow_updates == 1


def test_a_workflow_already_in_step_is_left_alone():
    suppressed = result(status=Status.SUPPRESSED, suppression=Suppression(
        "accepted", date(2027, 1, 1), "resource *"))
    delivery, sts_stub, hub_stub, _ = _stubbed(1, active=[_active(suppressed, "SUPPRESSED")])
    with sts_stub, hub_stub:
        done = publish(delivery, report(suppressed))
        hub_stub.assert_no_pending_responses()  # no batch_update_findings was expected
    assert done.workflow_updates == 0
