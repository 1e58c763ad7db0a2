"""Collectors against moto in process (mock_aws) and, where moto lacks an API, Stubber."""

from __future__ import annotations

import datetime

import pytest
from botocore.stub import Stubber

from auditor.collect import awslambda, cloudwatch
from auditor.collect.account import collect_inventory, identify
from auditor.collect.base import Calls
from auditor.demo.seed import DEFAULT_HEALTH, AppSpec, FunctionSpec, Seeder
from auditor.engine import evaluate
from auditor.findings import Status
from auditor.gaps import Unavailable
from auditor.inventory import (
    LambdaFunction,
    LoadBalancer,
    TargetGroup,
    alb_dimensions,
    metric_key,
)
from auditor.rules import load_rules
from auditor.secrets import Secret
from auditor.session import AwsContext
from tests.moto_gaps import MOTO_LACKS

HARDENED = AppSpec("shop", "us-east-1", functions=(FunctionSpec("catalog", "/api/catalog/*"),))
LEGACY = AppSpec(
    "legacy",
    "us-east-1",
    functions=(
        FunctionSpec(
            "app", None, timeout=120, alias=None, url_auth="NONE", scoped_permission=False
        ),
    ),
    origin_protocol="http-only",
    origin_header=None,
    ingress="world",
    https=False,
    multi_value=False,
    health=DEFAULT_HEALTH,
    edge_waf=False,
)


@pytest.fixture
def seeded(moto_session):
    seeder = Seeder(moto_session)
    apps = {spec.name: seeder.seed(spec) for spec in (HARDENED, LEGACY)}
    ctx = AwsContext(moto_session)
    account, partition = identify(ctx)
    inventory = collect_inventory(ctx, ["us-east-1"], account, partition)
    return apps, inventory, ctx


def test_collects_the_request_path(seeded):
    apps, inventory, _ = seeded
    [region] = inventory.regions
    albs = {lb.name: lb for lb in region.load_balancers}
    assert set(albs) == {"shop-alb", "legacy-alb"}
    shop = albs["shop-alb"]
    [listener] = shop.listeners
    assert listener.port == 443
    forwarding = [r for r in listener.rules if r.forward_target_groups]
    [condition] = forwarding[0].header_conditions
    assert condition.name == "X-Origin-Verify" and isinstance(condition.values[0], Secret)
    dists = {d.origins[0].domain_name: d for d in inventory.distributions}
    origin = dists[shop.dns_name].origins[0]
    assert origin.protocol_policy == "https-only"
    assert [h.name for h in origin.custom_headers] == ["X-Origin-Verify"]
    edge_acl = inventory.edge_web_acls[dists[shop.dns_name].web_acl_id]
    assert edge_acl.has_rate_based_rule and edge_acl.has_managed_rule_group
    tg = next(t for t in region.target_groups if t.name == "shop-catalog")
    assert tg.attributes["lambda.multi_value_headers.enabled"] == "true"
    assert tg.targets == (apps["shop"].targets["catalog"],)
    fn = region.functions[apps["shop"].targets["catalog"]]
    assert fn.qualifier == "live" and fn.timeout_seconds == 25
    assert fn.policy[0].condition_keys == ("aws:sourcearn",)
    legacy_fn = region.functions[apps["legacy"].targets["app"]]
    # moto lacks ListFunctionUrlConfigs: an error, never "no URL" (the demo's layer serves it)
    assert isinstance(legacy_fn.urls, Unavailable)
    assert legacy_fn.provisioned_concurrency is None  # unqualified: no call needed
    assert region.cloudfront_prefix_list_id.startswith("pl-")


def test_moto_scan_is_complete_but_for_provisioned_concurrency(seeded):
    _apps, inventory, ctx = seeded
    assert {f.operation for f in inventory.failures} == MOTO_LACKS
    results = evaluate(inventory, load_rules())
    # the function URLs moto lacks decide BYP-006 and LMB-005; the listener certificates of
    # CF-008 are read for the whole run (scan.collect), not by one account's inventory
    assert {r.rule_id for r in results if r.status is Status.ERROR} == {
        "HC-006", "CF-006", "BYP-006", "LMB-005", "CF-008"}
    failing = {(r.rule_id, r.resource.name) for r in results
               if r.status is Status.FAIL and r.severity.value != "info"}
    assert not [f for f in failing if f[1].startswith("shop")]
    for expected in (
        "BYP-001",
        "BYP-002",
        "BYP-003",
        "BYP-007",
        "BYP-008",
        "WAF-001",
        "TG-001",
        "LIM-001",
        "LIM-002",
        "HC-001",
        "HC-003",
    ):
        assert any(rule == expected for rule, _ in failing), expected
    assert ctx.stats.calls == sum(ctx.stats.operations.values())


def test_access_denied_on_one_call_errors_only_what_needs_it(seeded, moto_session):
    _apps, _, _ = seeded
    ctx = AwsContext(moto_session)
    client = ctx.client("lambda", "us-east-1")

    def deny(model, **_):
        if model.name == "GetPolicy":
            from botocore.exceptions import ClientError

            raise ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetPolicy"
            )

    client.meta.events.register("before-call.lambda.GetPolicy", deny)
    inventory = collect_inventory(ctx, ["us-east-1"], "123456789012")
    results = evaluate(inventory, load_rules())
    errors = {(r.rule_id, r.status) for r in results if r.rule_id == "BYP-007"}
    assert errors == {("BYP-007", Status.ERROR)}
    assert all("AccessDeniedException" in r.message for r in results if r.rule_id == "BYP-007")
    # (BYP-006 and LMB-005 error anyway on plain moto, which lacks ListFunctionUrlConfigs;
    # CF-008's certificates are read for a whole run)
    assert {r.rule_id for r in results if r.status is Status.ERROR} == {
        "BYP-006", "BYP-007", "HC-006", "CF-006", "LMB-005", "CF-008"}


# Read APIs moto does not serve (tests/moto_gaps.py): a scan of plain moto reports the rules
# needing them as error.
ALIAS = "arn:aws:lambda:us-east-1:123456789012:function:orders:live"


def _stub_reserved(stub: Stubber, response=None, error=None):
    if error:
        stub.add_client_error("get_function_concurrency", error, http_status_code=403,
                              expected_params={"FunctionName": "orders"})
    else:
        stub.add_response("get_function_concurrency", response, {"FunctionName": "orders"})


def _stub_function(stub: Stubber, pc_response=None, pc_error=None):
    stub.add_response(
        "get_function",
        {"Configuration": {"FunctionName": "orders", "Timeout": 20}},
        {"FunctionName": "orders", "Qualifier": "live"},
    )
    stub.add_client_error(
        "get_policy",
        "ResourceNotFoundException",
        http_status_code=404,
        expected_params={"FunctionName": "orders", "Qualifier": "live"},
    )
    stub.add_response("list_function_url_configs", {"FunctionUrlConfigs": []},
                      {"FunctionName": "orders"})
    params = {"FunctionName": "orders", "Qualifier": "live"}
    if pc_error:
        stub.add_client_error(
            "get_provisioned_concurrency_config",
            pc_error,
            http_status_code=404 if "NotFound" in pc_error else 403,
            expected_params=params,
        )
    else:
        stub.add_response("get_provisioned_concurrency_config", pc_response, params)
    _stub_reserved(stub, {})


@pytest.mark.parametrize(
    "response, error, expected",
    [
        (
            {
                "RequestedProvisionedConcurrentExecutions": 5,
                "AllocatedProvisionedConcurrentExecutions": 5,
                "Status": "READY",
            },
            None,
            5,
        ),
        ({"RequestedProvisionedConcurrentExecutions": 5, "Status": "FAILED"}, None, 0),
        (None, "ProvisionedConcurrencyConfigNotFoundException", None),
        (None, "AccessDeniedException", Unavailable),
    ],
)
def test_provisioned_concurrency_with_stubber(response, error, expected):
    ctx = AwsContext.from_options()
    calls = Calls(ctx, "123456789012")
    client = ctx.client("lambda", "us-east-1")
    with Stubber(client) as stub:
        _stub_function(stub, response, error)
        fn = awslambda.collect_function(calls, "us-east-1", "123456789012", ALIAS)
        stub.assert_no_pending_responses()
    assert fn.policy == () and fn.urls == () and fn.timeout_seconds == 20
    if expected is Unavailable:
        assert isinstance(fn.provisioned_concurrency, Unavailable)
        assert [f.operation for f in calls.failures] == ["lambda:GetProvisionedConcurrencyConfig"]
    else:
        assert fn.provisioned_concurrency == expected
        assert calls.failures == []


@pytest.mark.parametrize("response, error, expected", [
    ({"ReservedConcurrentExecutions": 0}, None, 0),
    ({"ReservedConcurrentExecutions": 25}, None, 25),
    ({}, None, None),  # nothing reserved: the account's unreserved pool
    (None, "AccessDeniedException", Unavailable),
])
def test_reserved_concurrency_with_stubber(response, error, expected):
    """One GetFunctionConcurrency per target: the unqualified name, since every version and
    alias shares the function's reservation (LMB-003)."""
    from auditor.collect.plan import Plan

    ctx = AwsContext.from_options()
    calls = Calls(ctx, "123456789012")
    with Stubber(ctx.client("lambda", "us-east-1")) as stub:
        stub.add_response("get_function",
                          {"Configuration": {"FunctionName": "orders", "Timeout": 20}},
                          {"FunctionName": "orders", "Qualifier": "live"})
        _stub_reserved(stub, response, error)
        plan = Plan(True, frozenset({"function_config", "function_concurrency"}))
        fn = awslambda.collect_function(calls, "us-east-1", "123456789012", ALIAS, plan)
        stub.assert_no_pending_responses()
    if expected is Unavailable:
        assert isinstance(fn.reserved_concurrency, Unavailable)
        assert fn.reserved_concurrency.code == "AccessDeniedException"
    else:
        assert fn.reserved_concurrency == expected


def test_daily_series_batches_and_keys_with_stubber():
    ctx = AwsContext.from_options()
    calls = Calls(ctx, "123456789012")
    alb_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/abc"
    tg_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/def"
    alb = LoadBalancer(alb_arn, "web", "web.elb.amazonaws.com", "internet-facing",
                       "123456789012", "us-east-1", (), (), {})
    tg = TargetGroup(tg_arn, "api", "lambda", "123456789012", "us-east-1", (alb_arn,), None)
    queries = cloudwatch.region_queries([alb], [tg], [])
    assert [q.metric for q in queries] == ["LambdaUserError", "HTTPCode_ELB_502_Count",
                                           "RequestCount", "LambdaUserError"]
    now = datetime.datetime(2026, 11, 21, 8, 30, tzinfo=datetime.UTC)
    day1 = datetime.datetime(2026, 11, 19, tzinfo=datetime.UTC)
    day2 = datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC)
    client = ctx.client("cloudwatch", "us-east-1")
    with Stubber(client) as stub:
        stub.add_response("get_metric_data", {"MetricDataResults": [
            {"Id": "q0", "Values": [1.0, 2.0], "Timestamps": [day1, day2],
             "StatusCode": "Complete"},
            {"Id": "q3", "Values": [3.0], "Timestamps": [day2], "StatusCode": "Complete"}]})
        series = cloudwatch.daily_series(calls, "us-east-1", queries, 14, now=now)
    assert series.end_date == "2026-11-20"
    key = metric_key("LambdaUserError", alb_dimensions(alb_arn))
    assert series.total(key, 14) == 3.0 and series.total(key, 1) == 2.0
    assert series.total(metric_key("LambdaUserError", alb_dimensions(alb_arn, tg_arn)), 14) == 3
    assert alb_dimensions(alb_arn, tg_arn) == {"LoadBalancer": "app/web/abc",
                                               "TargetGroup": "targetgroup/api/def"}


def test_function_queries_read_the_alias_resource_and_the_longest_run():
    """LMB-004 needs the day's Maximum Duration of the registered qualifier (the alias's
    ``Resource`` dimension), in the same batch as the other series: no call per function."""
    fn = LambdaFunction(ALIAS, "orders", "live", "123456789012", "us-east-1", 30, (), (), None)
    unqualified = LambdaFunction("arn:aws:lambda:us-east-1:123456789012:function:jobs", "jobs",
                                 None, "123456789012", "us-east-1", 30, (), (), None)
    queries = cloudwatch.region_queries([], [], [fn, unqualified])
    assert [(q.metric, q.stat, q.dimensions) for q in queries] == [
        ("Throttles", "Sum", {"FunctionName": "orders", "Resource": "orders:live"}),
        ("Duration", "Maximum", {"FunctionName": "orders", "Resource": "orders:live"}),
        ("Throttles", "Sum", {"FunctionName": "jobs"}),
        ("Duration", "Maximum", {"FunctionName": "jobs"})]


def test_a_function_deleted_mid_scan_is_unknown_not_policy_free():
    ctx = AwsContext.from_options()
    calls = Calls(ctx, "123456789012")
    with Stubber(ctx.client("lambda", "us-east-1")) as stub:
        stub.add_client_error("get_function", "ResourceNotFoundException", http_status_code=404,
                              expected_params={"FunctionName": "orders", "Qualifier": "live"})
        fn = awslambda.collect_function(calls, "us-east-1", "123456789012", ALIAS)
        stub.assert_no_pending_responses()  # no GetPolicy, URL or concurrency call after it
    for facet in (fn.timeout_seconds, fn.policy, fn.urls, fn.provisioned_concurrency):
        assert isinstance(facet, Unavailable) and facet.code == "ResourceNotFoundException"
