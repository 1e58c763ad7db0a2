"""Catalogue 1.1's twelve new rules through their collectors, on API-shaped data (Stubber
validates every response against the service model), and the sealing of their verdicts."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import string

import pytest
from botocore.stub import Stubber
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.collect import certificates, vpc_origin_access
from auditor.collect.base import Calls
from auditor.engine import evaluate
from auditor.findings import Status
from auditor.headers import byte_match, seal
from auditor.inventory import IngressPermission, OriginHeader, VpcOriginServiceGroup
from auditor.secrets import Secret
from tests.rule_cases import SERVICE_SG, VPC, vpc_origin
from tests.scenario import (
    ACCOUNT,
    ALB_ARN,
    ALB_DNS,
    FIXED_403_DEFAULT,
    SECRET,
    TG_ARN,
    Scenario,
    header_condition,
    rule,
)
from tests.test_catalogue_1_1 import (
    REGION,
    RULES,
    _alb_acl,
    _header_rule,
    _listener_with,
    _web_acl,
)

# ------------------------------------------------------------------ ALB-012 (elbv2)

OIDC = {"Issuer": "https://idp", "AuthorizationEndpoint": "https://idp/a",
        "TokenEndpoint": "https://idp/t", "UserInfoEndpoint": "https://idp/u", "ClientId": "c"}


@pytest.mark.parametrize("on_unauthenticated, expect", [
    ("allow", Status.FAIL), ("authenticate", Status.PASS), ("deny", Status.PASS),
    (None, Status.PASS)])  # absent: AWS's default, authenticate
def test_on_unauthenticated_request_is_read_from_the_action(ctx, on_unauthenticated, expect):
    config = dict(OIDC, **({"OnUnauthenticatedRequest": on_unauthenticated}
                           if on_unauthenticated else {}))
    [listener] = _listener_with(ctx, [
        {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}], [
        {"Type": "authenticate-oidc", "Order": 1, "AuthenticateOidcConfig": config},
        {"Type": "forward", "Order": 2, "TargetGroupArn": TG_ARN}])
    [result] = evaluate(Scenario(listeners=(listener,)).build(), [RULES["ALB-012"]])
    assert result.status is expect, result.message


# ------------------------------------------------------------------ CF-008 (elbv2 + acm)

CERT = "arn:aws:acm:us-east-1:111122223333:certificate/5a5b5c5d"
IAM_CERT = "arn:aws:iam::111122223333:server-certificate/legacy"


def _certificate_names(ctx, listed: list[str], detail: dict | None = None):
    """The scenario's listener, its certificates read through the collector."""
    scenario = Scenario(certificate_names=None)
    inventory = scenario.build()
    calls = Calls(ctx, ACCOUNT)
    listener_arn = scenario.alb().listeners[0].arn
    with Stubber(ctx.client("elbv2", REGION)) as elb, Stubber(ctx.client("acm", REGION)) as acm:
        elb.add_response("describe_listener_certificates", {"Certificates": [
            {"CertificateArn": arn, "IsDefault": i == 0} for i, arn in enumerate(listed)]},
            {"ListenerArn": listener_arn})
        if detail is not None:
            acm.add_response("describe_certificate", {"Certificate": detail},
                             {"CertificateArn": CERT})
        [attached] = certificates.attach([inventory], {ACCOUNT: calls}, edge_paths=True)
        elb.assert_no_pending_responses()
        acm.assert_no_pending_responses()
    return attached


def test_certificate_names_come_from_acm_and_decide_cf008(ctx):
    attached = _certificate_names(ctx, [CERT], {
        "CertificateArn": CERT, "DomainName": "*.example.com",
        "SubjectAlternativeNames": ["*.example.com", "Example.com."]})
    listener = attached.regions[0].load_balancers[0].listeners[0]
    assert listener.certificate_names == ("*.example.com", "example.com")
    [result] = evaluate(attached, [RULES["CF-008"]])
    assert result.status is Status.PASS, result.message


def test_the_raw_elb_name_never_matches_a_certificate(ctx):
    attached = _certificate_names(ctx, [CERT], {"CertificateArn": CERT,
                                                "DomainName": "*.example.com"})
    raw = Scenario(origin_domain=ALB_DNS).distribution()
    [result] = evaluate(dataclasses.replace(attached, distributions=(raw,)), [RULES["CF-008"]])
    assert result.status is Status.FAIL
    assert "elb.amazonaws.com" in result.message


def test_an_iam_server_certificate_is_an_error_not_a_verdict(ctx):
    attached = _certificate_names(ctx, [IAM_CERT])  # no acm call: its names are not in ACM
    [result] = evaluate(attached, [RULES["CF-008"]])
    assert result.status is Status.ERROR and "NotInAcm" in result.message


def test_a_denied_certificate_read_is_an_error(ctx):
    scenario = Scenario(certificate_names=None)
    calls = Calls(ctx, ACCOUNT)
    with Stubber(ctx.client("elbv2", REGION)) as elb:
        elb.add_client_error("describe_listener_certificates", "AccessDenied",
                             http_status_code=403)
        [attached] = certificates.attach([scenario.build()], {ACCOUNT: calls}, edge_paths=True)
    [result] = evaluate(attached, [RULES["CF-008"]])
    assert result.status is Status.ERROR and "AccessDenied" in result.message


# ------------------------------------------------------------------ SG-003 (cloudfront + ec2)

def _vpc_origin_read(ctx, ingress, enis=None, endpoint_error=None):
    scenario = vpc_origin(ingress=ingress, vpc_origin_endpoints={}, vpc_origin_groups=None)
    calls = Calls(ctx, ACCOUNT)
    with Stubber(ctx.client("cloudfront", REGION)) as cf, \
            Stubber(ctx.client("ec2", REGION)) as ec2:
        if endpoint_error:
            cf.add_client_error("get_vpc_origin", endpoint_error, http_status_code=403)
        else:
            cf.add_response("get_vpc_origin", {"VpcOrigin": {
                "Id": "vo-1", "Arn": f"arn:aws:cloudfront::{ACCOUNT}:vpcorigin/vo-1",
                "Status": "Deployed", "CreatedTime": "2026-11-01",
                "LastModifiedTime": "2026-11-01", "VpcOriginEndpointConfig": {
                    "Name": "web", "Arn": ALB_ARN, "HTTPPort": 80, "HTTPSPort": 443,
                    "OriginProtocolPolicy": "https-only"}}, "ETag": "E1"}, {"Id": "vo-1"})
        ec2.add_response("describe_security_groups", {"SecurityGroups": [{
            "GroupId": SERVICE_SG, "GroupName": vpc_origin_access.SERVICE_GROUP,
            "VpcId": VPC, "OwnerId": ACCOUNT, "Description": "CloudFront"}]}, {
            "Filters": [{"Name": "group-name", "Values": [vpc_origin_access.SERVICE_GROUP]},
                        {"Name": "vpc-id", "Values": [VPC]}]})
        if enis is not None:
            ec2.add_response("describe_network_interfaces", {"NetworkInterfaces": [
                {"NetworkInterfaceId": f"eni-{i}", "PrivateIpAddresses": [
                    {"PrivateIpAddress": address, "Primary": True}]}
                for i, address in enumerate(enis)]},
                {"Filters": [{"Name": "group-id", "Values": [SERVICE_SG]}]})
        [attached] = vpc_origin_access.attach([scenario.build()], {ACCOUNT: calls})
        cf.assert_no_pending_responses()
        ec2.assert_no_pending_responses()
    [result] = evaluate(attached, [RULES["SG-003"]])
    return result


def test_a_rule_for_the_service_group_admits_the_vpc_origin(ctx):
    admitted = IngressPermission("tcp", 443, 443, group_ids=(SERVICE_SG,))
    assert _vpc_origin_read(ctx, (admitted,)).status is Status.PASS  # no ENI lookup needed


def test_the_prefix_list_does_not_admit_a_vpc_origin(ctx):
    result = _vpc_origin_read(ctx, (IngressPermission("tcp", 443, 443,
                                                      prefix_list_ids=("pl-3b927c52",)),))
    assert result.status is Status.FAIL


@pytest.mark.parametrize("enis, expect", [(["10.0.3.17", "10.0.9.4"], Status.PASS),
                                          (["10.0.3.17", "172.16.0.9"], Status.FAIL)])
def test_cidrs_are_judged_by_the_service_groups_interfaces(ctx, enis, expect):
    cidr = IngressPermission("tcp", 443, 443, ipv4_cidrs=("10.0.0.0/16",))
    assert _vpc_origin_read(ctx, (cidr,), enis=enis).status is expect


def test_a_denied_vpc_origin_read_is_an_error(ctx):
    admitted = IngressPermission("tcp", 443, 443, group_ids=(SERVICE_SG,))
    result = _vpc_origin_read(ctx, (admitted,), endpoint_error="AccessDenied")
    assert result.status is Status.ERROR and "cloudfront:GetVpcOrigin" in result.message


def test_no_vpc_origin_calls_without_a_vpc_origin(ctx):
    calls = Calls(ctx, ACCOUNT)
    inventory = Scenario().build()
    with Stubber(ctx.client("cloudfront", REGION)), Stubber(ctx.client("ec2", REGION)):
        assert vpc_origin_access.attach([inventory], {ACCOUNT: calls}) == [inventory]


def test_an_unread_service_group_is_not_a_pass():
    scenario = vpc_origin(vpc_origin_groups={VPC: VpcOriginServiceGroup(SERVICE_SG)},
                          ingress=(IngressPermission("tcp", 443, 443,
                                                     ipv4_cidrs=("10.0.0.0/16",)),))
    [result] = evaluate(scenario.build(), [RULES["SG-003"]])
    assert result.status is Status.ERROR  # CIDRs only, and the interfaces not looked up


# ------------------------------------------------------------------ BYP-009 / BYP-010

@pytest.mark.parametrize("search, positional, transforms, sent, expect", [
    (SECRET, "EXACTLY", ("NONE",), SECRET, True),
    (SECRET, "EXACTLY", (), SECRET + "x", False),
    (SECRET[:20], "STARTS_WITH", ("NONE",), SECRET, True),
    (SECRET[-8:], "ENDS_WITH", (), SECRET, True),
    (SECRET[5:15], "CONTAINS", (), SECRET, True),
    (SECRET.lower(), "EXACTLY", ("LOWERCASE",), SECRET.upper(), True),
    ("a b", "EXACTLY", ("COMPRESS_WHITE_SPACE",), "a  \t b", True),
    (SECRET, "EXACTLY", ("URL_DECODE",), SECRET, None),  # not modelled: undetermined
])
def test_byte_match_applies_transformations_then_the_constraint(search, positional,
                                                               transforms, sent, expect):
    assert byte_match(search, positional, transforms, sent) is expect


def test_a_waf_check_read_through_the_collector_keeps_the_old_value_verdict(ctx):
    old = "waf-origin-secret-the-old-one-4d2e"
    acl = _web_acl([_header_rule("Allow", SECRET), dict(_header_rule("Allow", old),
                                                        Name="verify-old", Priority=1)],
                   default="Block")
    parsed = _alb_acl(ctx, acl)
    inventory = Scenario(alb_acl=parsed, rules=(rule(headers=()), FIXED_403_DEFAULT)).build()
    [stale] = evaluate(inventory, [RULES["BYP-010"]])
    assert stale.status is Status.FAIL
    assert stale.evidence["stale_checks"][0]["values_no_distribution_sends"] == 1
    [weak] = evaluate(inventory, [RULES["BYP-009"]])
    assert weak.status is Status.PASS


def test_a_snapshot_cannot_be_rejudged_at_another_threshold():
    """The values are gone once sealed: asking for another min_literals is an error that
    says to collect again, never a verdict at the old threshold."""
    inventory = Scenario(rules=(rule(headers=(header_condition("twenty-chars-long-xx"),)),
                                FIXED_403_DEFAULT)).build()
    sealed, _ = seal(inventory, min_literals=16)
    [kept] = evaluate(sealed, [RULES["BYP-009"]], {"BYP-009": {"min_literals": 16}})
    assert kept.status is Status.PASS
    [asked] = evaluate(sealed, [RULES["BYP-009"]], {"BYP-009": {"min_literals": 32}})
    assert asked.status is Status.ERROR and "ThresholdMismatch" in asked.message
    resealed, _ = seal(inventory, min_literals=32)  # collecting again judges at 32
    [strict] = evaluate(resealed, [RULES["BYP-009"]], {"BYP-009": {"min_literals": 32}})
    assert strict.status is Status.FAIL


# Distinctive values (see test_properties): long enough to be strong at 16 literals.
STRONG = st.text(string.ascii_letters + string.digits + "-_", min_size=20,
                 max_size=64).map(lambda s: "k" + s)


def _sealed_text(sent: str, accepted: tuple[str, ...]) -> tuple[str, list]:
    from auditor.scan import Collection, now
    from auditor.snapshot import dumps

    scenario = Scenario(origin_headers=(OriginHeader("X-Origin-Verify", Secret(sent)),),
                        rules=(rule(headers=(header_condition(*accepted),)),
                               FIXED_403_DEFAULT))
    sealed, _ = seal(scenario.build())
    results = evaluate(sealed, [RULES["BYP-009"], RULES["BYP-010"]])
    stamp = now()
    text = dumps(Collection("id", stamp, stamp, (REGION,), 0, 0, {}, (sealed,)))
    return text, results


def _traces(value: str) -> list[str]:
    raw = value.encode()
    return [value, raw.hex(), base64.b64encode(raw).decode(),
            *(getattr(hashlib, name)(raw).hexdigest() for name in ("md5", "sha1", "sha256"))]


@settings(max_examples=30, deadline=None)
@given(sent=STRONG, old=STRONG,
       short=st.text(string.ascii_letters, max_size=6).map(lambda s: "qZw" + s))
def test_sealed_verdicts_hold_no_value_length_or_digest(sent, old, short):
    """The new verdicts (weak, sent by some distribution) survive sealing; nothing of a
    value does: not the value, its hex or base64, a digest, nor its length (two secrets
    of different lengths with the same verdicts seal to the same snapshot)."""
    for accepted in ((sent,), (sent, old), (short,)):
        text, results = _sealed_text(sent, accepted)
        output = text + json.dumps([r.evidence for r in results]) + "".join(
            r.message for r in results)
        for value in {sent, old, short} & set(accepted + (sent,)):
            assert not [t for t in _traces(value) if t in output]
    same_verdicts = [_sealed_text(v, (v,))[0] for v in (sent, sent + "-and-longer-still")]
    assert same_verdicts[0] == same_verdicts[1]
    by_rule = {r.rule_id: r.status for r in _sealed_text(sent, (sent, old))[1]}
    assert by_rule == {"BYP-009": Status.PASS, "BYP-010": (
        Status.PASS if old == sent else Status.FAIL)}


def test_an_unsealed_verdict_is_not_read_as_a_pass():
    """A sealed inventory from before 1.1 (no sent-value verdicts) cannot pass BYP-010."""
    sealed, _ = seal(Scenario().build())
    stripped = dataclasses.replace(sealed, header_values_sent={})
    [result] = evaluate(stripped, [RULES["BYP-010"]])
    assert result.status is Status.ERROR

