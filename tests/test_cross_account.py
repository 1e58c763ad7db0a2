"""One graph across accounts: a distribution in an edge account fronts an ALB in a workload
account, through Route 53 records in a DNS account (a weighted set and two hops), all in
one moto server on 127.0.0.1. The ALB must be judged as fronted (BYP-005 and WAF-006
quiet), and the rules of the real path (BYP-001, BYP-003, BYP-004, LIM-002) must run on it.
"""

from __future__ import annotations

import boto3
import pytest

from auditor.demo.operations import seed_dns
from auditor.demo.seed import AppSpec, FunctionSpec, Seeder
from auditor.findings import Status
from auditor.gaps import Unavailable
from auditor.rules import load_rules
from auditor.scan import Targets, collect, evaluate
from auditor.session import AwsContext

pytestmark = pytest.mark.server

EDGE, WORKLOAD, DNS = "111111111111", "222222222222", "333333333333"
ORIGIN = "api.shop.example.com"
ZONES: dict[str, str] = {}  # zone name -> id, as seeded
RULES = [r for r in load_rules() if r.id in (
    "BYP-001", "BYP-002", "BYP-003", "BYP-004", "BYP-005", "WAF-001", "WAF-006", "LIM-002",
    "WAF-004")]


def _inside(session: boto3.Session, endpoint: str, account: str) -> Seeder:
    creds = session.client("sts", endpoint_url=endpoint).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/EdgeAuditorRole",
        RoleSessionName="seed")["Credentials"]
    inside = boto3.Session(aws_access_key_id=creds["AccessKeyId"],
                           aws_secret_access_key=creds["SecretAccessKey"],
                           aws_session_token=creds["SessionToken"], region_name="us-east-1")
    return Seeder(inside, endpoint)


@pytest.fixture(scope="module")
def organization(moto_server):
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="testing",
                            aws_secret_access_key="testing")
    edge, workload, dns = (_inside(session, moto_server, a) for a in (EDGE, WORKLOAD, DNS))
    app = workload.seed(AppSpec("shop", "us-east-1", functions=(
        FunctionSpec("api", "/api/*", timeout=20),), origin_domain=ORIGIN), edge=edge)
    # The DNS account: a weighted blue/green set whose members point on into a zone that
    # the workload account owns, where an alias names the ALB (two hops, two accounts).
    ZONES["example.com"] = seed_dns(dns, "example.com", {
        ORIGIN: ["blue.shop.example.net", "green.shop.example.net"]})
    alias = ["dualstack." + app.dns_name]
    ZONES["example.net"] = seed_dns(workload, "example.net", {
        "blue.shop.example.net": alias, "green.shop.example.net": alias})
    return session, app, moto_server


def _scan(organization, accounts=(EDGE, WORKLOAD, DNS), deny_zone=None):
    session, app, endpoint = organization
    ctx = AwsContext(session, endpoint_url=endpoint)

    def deny(params, **_):  # one account's zone refuses: a real per-account failure
        if params.get("HostedZoneId", "").endswith(deny_zone.rsplit("/", 1)[-1]):
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}},
                              "ListResourceRecordSets")

    event = "before-parameter-build.route53.ListResourceRecordSets"
    if deny_zone:
        session.events.register(event, deny)  # clients made from now on carry it
    try:
        collection, secrets = collect(ctx, ["us-east-1"], rules=RULES,
                                      targets=Targets(accounts))
    finally:
        session.events.unregister(event, deny)
    return collection, evaluate(collection, RULES, secrets=secrets), app


def _by_rule(report, arn):
    return {r.rule_id: r for r in report.results if r.resource.arn == arn}


def test_three_accounts_make_one_path(organization):
    _, report, app = _scan(organization)
    alb = _by_rule(report, app.alb_arn)
    assert alb["BYP-005"].status is Status.PASS
    assert "WAF-006" not in alb  # fronted: the edge WAF rules judge it instead
    for rule in ("BYP-001", "BYP-003", "BYP-004"):
        assert alb[rule].status is Status.PASS, (rule, alb[rule].message)
    dist = _by_rule(report, app.distribution_arn)
    assert dist["BYP-002"].status is Status.PASS
    assert dist["WAF-001"].status is Status.PASS
    assert dist["WAF-004"].status is Status.PASS  # its web ACL read in the edge account
    assert dist["BYP-002"].resource.account == EDGE and alb["BYP-005"].account == WORKLOAD
    [link] = alb["BYP-005"].evidence["links"]
    assert link["linked_by"] == "route53"
    assert link["via"][0] == ORIGIN and link["distribution_account"] == EDGE
    assert report.complete


def test_the_weighted_set_is_read_whole_and_each_domain_asked_once(organization):
    collection, _, _ = _scan(organization)
    dns = next(i for i in collection.inventories if i.account == DNS)
    assert set(dns.dns_targets[ORIGIN]) == {"blue.shop.example.net", "green.shop.example.net"}
    # zones listed once per account that was asked; each name asked once where it lives
    assert collection.operations["route53:ListHostedZones"] == 3
    assert collection.operations["route53:ListResourceRecordSets"] == 3


def test_without_the_workload_account_the_alb_is_not_seen(organization):
    _, report, app = _scan(organization, accounts=(EDGE, DNS))
    assert not [r for r in report.results if r.resource.arn == app.alb_arn]
    assert not [r for r in report.results if r.resource.arn == app.distribution_arn]


def test_without_the_dns_account_only_the_certificate_links_the_path(organization):
    """No zone of the run has the origin domain, so link 4 decides: the workload ALB's
    listener certificate (*.shop.example.com) is the only one CloudFront could complete TLS
    with."""
    _, report, app = _scan(organization, accounts=(EDGE, WORKLOAD))
    byp005 = _by_rule(report, app.alb_arn)["BYP-005"]
    assert byp005.status is Status.PASS
    assert [link["linked_by"] for link in byp005.evidence["links"]] == ["certificate"]


def test_a_denied_lookup_errors_exactly_what_the_link_decides(organization):
    collection, report, app = _scan(organization, deny_zone=ZONES["example.com"])
    dns = next(i for i in collection.inventories if i.account == DNS)
    assert isinstance(dns.dns_targets, Unavailable)
    alb = _by_rule(report, app.alb_arn)
    assert alb["BYP-005"].status is Status.ERROR
    assert "route53:ListResourceRecordSets" in alb["BYP-005"].message
    dist = _by_rule(report, app.distribution_arn)
    assert {r.status for r in dist.values()} == {Status.ERROR}
    assert not report.complete
