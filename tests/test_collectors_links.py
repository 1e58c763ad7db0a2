"""Phase 2 collection: Route 53 links, alarms, REST API stages (moto), VPC origins and
custom cache policies (Stubber: moto has neither API)."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from auditor.collect import cloudfront
from auditor.collect.account import collect_inventory, identify
from auditor.collect.base import Calls
from auditor.demo.operations import seed_rest_api
from auditor.demo.seed import AppSpec, FunctionSpec, Seeder
from auditor.engine import evaluate
from auditor.findings import Status
from auditor.gaps import Unavailable
from auditor.rules import load_rules
from auditor.session import AwsContext

RULES = {r.id: r for r in load_rules()}


def distribution_to(session, domain: str) -> None:
    """A distribution whose only origin is a custom domain."""
    session.client("cloudfront").create_distribution(DistributionConfig={
        "CallerReference": domain, "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "api", "DomainName": domain,
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                                   "OriginProtocolPolicy": "https-only"}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "api", "ViewerProtocolPolicy": "https-only",
                                 "CachePolicyId": cloudfront.CACHING_DISABLED_ID}})


@pytest.fixture
def aliased(moto_session):
    """An app whose distribution reaches its ALB through api.example.com, a Route 53 alias."""
    seeder = Seeder(moto_session)
    app = seeder.seed(AppSpec("web", "us-east-1", functions=(FunctionSpec("api", "/api/*"),),
                              cloudfront=False))
    elb = moto_session.client("elbv2")
    dns = elb.describe_load_balancers(LoadBalancerArns=[app.alb_arn])["LoadBalancers"][0]
    r53 = moto_session.client("route53")
    zone = r53.create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"]
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{
        "Action": "CREATE", "ResourceRecordSet": {
            "Name": "api.example.com", "Type": "A", "AliasTarget": {
                "HostedZoneId": dns["CanonicalHostedZoneId"],
                "DNSName": "dualstack." + dns["DNSName"], "EvaluateTargetHealth": False}}}]})
    distribution_to(moto_session, "api.example.com")
    seed_rest_api(seeder, "us-east-1", "shared", 8)
    ctx = AwsContext(moto_session)
    account, partition = identify(ctx)
    return app, collect_inventory(ctx, ["us-east-1"], account, partition), ctx


def test_route53_alias_links_the_distribution(aliased):
    app, inventory, ctx = aliased
    assert inventory.dns_targets["api.example.com"][0].startswith("dualstack.")
    [result] = evaluate(inventory, [RULES["BYP-005"]])
    assert result.resource.arn == app.alb_arn and result.status is Status.PASS
    assert ctx.stats.operations["route53:ListResourceRecordSets"] == 1


def test_alarms_and_stages_are_read(aliased):
    _, inventory, _ = aliased
    [region] = inventory.regions
    assert {a.metric for a in region.alarms} >= {"TargetResponseTime", "ConcurrentExecutions"}
    [api] = region.rest_apis
    assert (api.name, api.stage_count) == ("shared", 8)
    [result] = evaluate(inventory, [RULES["APIGW-001"]])
    assert result.status is Status.FAIL


def test_vpc_origins_follow_next_marker():
    ctx = AwsContext.from_options()
    client = ctx.client("cloudfront", "us-east-1")
    page = {"Marker": "", "MaxItems": 1, "Quantity": 1, "IsTruncated": True, "NextMarker": "m2"}
    item = {"Id": "vo-1", "Name": "n", "Status": "Deployed", "CreatedTime": "2026-01-01",
            "LastModifiedTime": "2026-01-01", "Arn": "arn:aws:cloudfront::1:vpcorigin/vo-1",
            "OriginEndpointArn": "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a/1"}
    with Stubber(client) as stub:
        stub.add_response("list_vpc_origins", {"VpcOriginList": {**page, "Items": [item]}}, {})
        stub.add_response("list_vpc_origins", {"VpcOriginList": {
            **page, "IsTruncated": False, "NextMarker": "",
            "Items": [{**item, "Id": "vo-2"}]}}, {"Marker": "m2"})
        found = cloudfront.vpc_origins(Calls(ctx, "1"))
    assert set(found) == {"vo-1", "vo-2"}


def test_custom_cache_policy_is_read_and_managed_ones_are_known():
    ctx = AwsContext.from_options()
    calls = Calls(ctx, "1")
    client = ctx.client("cloudfront", "us-east-1")
    with Stubber(client) as stub:
        stub.add_response("get_cache_policy", {"CachePolicy": {
            "Id": "custom-1", "LastModifiedTime": "2026-01-01", "CachePolicyConfig": {
                "Name": "api", "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 300}}},
            {"Id": "custom-1"})
        custom = cloudfront.cache_policy(calls, "custom-1")
        managed = cloudfront.cache_policy(calls, cloudfront.CACHING_DISABLED_ID)  # no call
    assert (custom.default_ttl, custom.max_ttl) == (60, 300)
    assert managed.max_ttl == 0


def test_denied_route53_errors_the_rules_that_need_the_link(moto_session):
    seeder = Seeder(moto_session)
    seeder.seed(AppSpec("web", "us-east-1", functions=(FunctionSpec("api", "/api/*"),),
                        cloudfront=False))
    distribution_to(moto_session, "api.example.com")
    ctx = AwsContext(moto_session)

    def deny(**_):
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}},
                          "ListHostedZones")

    ctx.client("route53", "us-east-1").meta.events.register(
        "before-call.route53.ListHostedZones", deny)
    inventory = collect_inventory(ctx, ["us-east-1"], "123456789012")
    assert isinstance(inventory.dns_targets, Unavailable)
    [result] = evaluate(inventory, [RULES["BYP-005"]])
    assert result.status is Status.ERROR and "route53:ListHostedZones" in result.message


# ------------------------------------------------- link 4: the listener's certificate


def _cert_scan(moto_session, origin_domain: str, deny: str | None = None):
    from auditor.scan import collect
    from auditor.scan import evaluate as evaluate_collection

    seeder = Seeder(moto_session)
    app = seeder.seed(AppSpec("certapp", "us-east-1", functions=(FunctionSpec("api", "/api/*"),),
                              cloudfront=False))
    distribution_to(moto_session, origin_domain)  # its DNS is elsewhere: no zone in the run
    ctx = AwsContext(moto_session)
    if deny:
        service, event = deny.split(":")

        def refuse(**_):
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}},
                              event)

        ctx.client(service, "us-east-1").meta.events.register(
            f"before-call.{service}.{event}", refuse)
    collection, _ = collect(ctx, ["us-east-1"], rules=[RULES["BYP-005"]])
    [result] = [r for r in evaluate_collection(collection, [RULES["BYP-005"]]).results
                if r.resource.arn == app.alb_arn]
    return result, collection


def test_an_https_origin_resolved_by_no_record_links_by_the_listener_certificate(moto_session):
    result, collection = _cert_scan(moto_session, "certapp.example.com")
    assert result.status is Status.PASS, result.message
    assert result.evidence["links"][0]["linked_by"] == "certificate"
    ops = collection.operations
    assert ops["elbv2:DescribeListenerCertificates"] == 1
    assert ops["acm:DescribeCertificate"] == 1


def test_a_domain_no_certificate_covers_links_nothing(moto_session):
    result, _ = _cert_scan(moto_session, "elsewhere.example.org")
    assert result.status is Status.FAIL


def test_an_unreadable_certificate_errors_the_link(moto_session):
    result, _ = _cert_scan(moto_session, "certapp.example.com", deny="acm:DescribeCertificate")
    assert result.status is Status.ERROR and "acm:DescribeCertificate" in result.message


def test_certificate_names_match_as_tls_does():
    from auditor.routes import certificate_covers

    assert certificate_covers("*.example.com", "api.example.com")
    assert not certificate_covers("*.example.com", "a.b.example.com")
    assert not certificate_covers("*.example.com", "example.com")
    assert certificate_covers("API.example.com.", "api.example.com")


@pytest.mark.parametrize("protocol, reads", [("https-only", 1), ("http-only", 0)])
def test_certificates_are_read_once_per_edge_https_listener(moto_session, protocol, reads):
    """CF-008 reads the certificates of the listener CloudFront completes TLS with, once per
    listener and once per certificate; an HTTP origin needs none, and the origin's domain
    resolving through Route 53 no longer matters (link 4 is not the only reader)."""
    from auditor.scan import collect

    Seeder(moto_session).seed(AppSpec("named", "us-east-1", origin_protocol=protocol,
                                      functions=(FunctionSpec("api", "/api/*"),)))
    collection, _ = collect(AwsContext(moto_session), ["us-east-1"])
    assert collection.operations.get("elbv2:DescribeListenerCertificates", 0) == reads
    assert collection.operations.get("acm:DescribeCertificate", 0) == reads


def test_no_certificate_call_when_no_selected_rule_needs_one(moto_session):
    from auditor.scan import collect

    Seeder(moto_session).seed(AppSpec("named", "us-east-1",
                                      functions=(FunctionSpec("api", "/api/*"),)))
    rules = [r for r in load_rules() if r.id == "CF-001"]
    collection, _ = collect(AwsContext(moto_session), ["us-east-1"], rules=rules)
    assert "elbv2:DescribeListenerCertificates" not in collection.operations
    assert "acm:DescribeCertificate" not in collection.operations
