"""``edge-audit demo``: the real scan, run against a fake estate seeded with the pattern.

Six applications in two accounts: one hardened as the deep-dive recommends (with AWS's
corrections: its origin is a name of its own that the ALB's certificate covers), one with
the classic mistakes, one caught mid-way through a header rotation, one whose guards can be
walked through (a guessable secret, an old one still accepted, sign-in that lets everyone
by, WAF that fails open, a route to nothing), one ALB serving Lambda with no CloudFront in
front, and one whose distribution lives in a separate edge account and
reaches the workload account's ALB through a Route 53 name, as AWS Organizations layouts
do (one graph across accounts: it is judged as fronted, and its match-viewer origin, whose
behaviours all redirect to HTTPS, passes BYP-008 for the right reason).
"""

from __future__ import annotations

import urllib.request
from collections.abc import Sequence

import boto3

from auditor.demo.operations import seed_dns, seed_rest_api
from auditor.demo.seed import (
    CACHING_OPTIMIZED,
    DEFAULT_HEALTH,
    AppSpec,
    FunctionSpec,
    SeededApp,
    Seeder,
)
from auditor.rule import Rule
from auditor.scan import Collection, Report, Targets, collect, evaluate
from auditor.session import AwsContext
from auditor.suppress import tag_keys

DEMO_REGIONS = ("us-east-1", "eu-west-1")
DEMO_SEED = 20261121
DEMO_CREDENTIALS = {"aws_access_key_id": "demo", "aws_secret_access_key": "demo"}
DEMO_WORKLOAD_ACCOUNT = "123456789012"  # moto's default: the caller's own
DEMO_EDGE_ACCOUNT = "210987654321"  # holds the partner app's distribution, through a role
PARTNER_DOMAIN = "api.partner.example.com"
SHOP_DOMAIN = "origin.shop.example.com"  # a Route 53 alias to the shop's ALB

DEMO_APPS = (
    # As the deep-dive recommends: prefix list, secret header checked on every rule, HTTPS
    # to the origin, edge WAF with rate limit and managed rules, tuned health checks,
    # multi-value headers, aliases with provisioned concurrency, timeouts that nest, a
    # cached catalogue, additional metrics, logs, alarms, and traffic above the break-even;
    # its origin is its own name, covered by the listener's certificate (CF-008).
    AppSpec("shop", "us-east-1", functions=(
        FunctionSpec("catalog", "/api/catalog/*", timeout=20, provisioned=2,
                     max_duration_ms=1800),
        FunctionSpec("orders", "/api/orders/*", timeout=25, provisioned=2, reserved=100),
        FunctionSpec("users", "/api/users/*", timeout=10, provisioned=1)),
        realtime_metrics=True, origin_domain=SHOP_DOMAIN),
    # The classic mistakes: world-open security group, no origin header, HTTP to the
    # origin, default health checks, 120 s timeout, public function URL, no WAF; and in
    # operation: HTTP to viewers, a cached account page, short keep-alive, no logs, no
    # alarms, throttles, and too little traffic for the pattern to pay; the bare function
    # registered, a streaming handler behind the ALB, runs that reach the timeout, failed
    # invocations, and an upload function whose reserved concurrency is 0.
    AppSpec("legacy", "us-east-1", functions=(
        FunctionSpec("app", None, timeout=120, alias=None, url_auth="NONE",
                     scoped_permission=False, invoke_mode="RESPONSE_STREAM",
                     max_duration_ms=119_400, errors=35),
        FunctionSpec("upload", "/upload/*", timeout=30, alias=None, methods=("POST",),
                     reserved=0)),
        origin_protocol="http-only", origin_header=None, ingress="world", https=False,
        multi_value=False, health=DEFAULT_HEALTH, edge_waf=False, alb_hardening=False,
        viewer_protocol="allow-all", keepalive=5,
        cached_paths=(("/account/*", CACHING_OPTIMIZED),), logging=False, alarms=False,
        monthly_requests=2_000_000, throttles=40, tags={"team": "legacy"}),
    # Half-way through a secret rotation: CloudFront sends the new value, the ALB still
    # accepts only the old one.
    AppSpec("billing", "us-east-1", functions=(
        FunctionSpec("invoices", "/invoices/*", timeout=20, provisioned=1),),
        alb_value_mismatch=True, realtime_metrics=True),
    # Guards that let requests by: a guessable secret, and the value before the last
    # rotation still accepted; sign-in with OnUnauthenticatedRequest allow; the ALB's web
    # ACL, the only one on the path, failing open; a route to a target group left empty.
    AppSpec("kiosk", "us-east-1", functions=(
        FunctionSpec("screens", "/screens/*", timeout=20, provisioned=1),),
        weak_secret=True, stale_value=True, unauthenticated="allow", edge_waf=False,
        alb_waf=True, waf_fail_open=True, empty_route="/legacy-screens/*",
        origin_domain="origin.kiosk.example.com"),
    # An ALB serving Lambda straight to the internet, with no CloudFront and no WAF.
    AppSpec("tools", "eu-west-1", functions=(
        FunctionSpec("admin", "/admin/*", timeout=30, provisioned=1),),
        cloudfront=False, ingress="world", edge_waf=False),
)
# Its distribution in the edge account; its origin a Route 53 name of the workload account.
PARTNER_APP = AppSpec("partner", "eu-west-1", functions=(
    FunctionSpec("orders", "/orders/*", timeout=20, provisioned=1),),
    origin_domain=PARTNER_DOMAIN, origin_protocol="match-viewer", realtime_metrics=True)
# A REST API shared by nine environments: one stage short of the quota of 10.
DEMO_REST_API = ("us-east-1", "partner-api", 9)


def seed_demo_account(endpoint_url: str) -> list[SeededApp]:
    # moto draws ids (ALB ARNs, distribution ids) from one random source; a fixed seed
    # gives the same account every run, so demo reports can serve as each other's baseline.
    urllib.request.urlopen(urllib.request.Request(
        f"{endpoint_url}/moto-api/seed?a={DEMO_SEED}", method="POST"), timeout=10).close()
    session = boto3.Session(region_name="us-east-1", **DEMO_CREDENTIALS)
    seeder = Seeder(session, endpoint_url)
    apps = [seeder.seed(spec) for spec in DEMO_APPS]
    partner = seeder.seed(PARTNER_APP, edge=_edge_seeder(session, endpoint_url))
    seed_dns(seeder, "partner.example.com", {PARTNER_DOMAIN: ["dualstack." + partner.dns_name]})
    for app in apps:  # the apps whose origin is a name of their own
        if app.spec.origin_domain:
            seed_dns(seeder, app.spec.origin_domain.split(".", 1)[1],
                     {app.spec.origin_domain: ["dualstack." + app.dns_name]})
    seed_rest_api(seeder, *DEMO_REST_API)
    return [*apps, partner]


def _edge_seeder(session: boto3.Session, endpoint_url: str) -> Seeder:
    """The edge account, entered the way the scan enters it: its role."""
    creds = session.client("sts", endpoint_url=endpoint_url).assume_role(
        RoleArn=f"arn:aws:iam::{DEMO_EDGE_ACCOUNT}:role/EdgeAuditorRole",
        RoleSessionName="demo-seed")["Credentials"]
    inside = boto3.Session(region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                           aws_secret_access_key=creds["SecretAccessKey"],
                           aws_session_token=creds["SessionToken"])
    return Seeder(inside, endpoint_url)


def serve_demo(port: int, announce, stop) -> None:
    """Seed the fake account and serve it on 127.0.0.1:``port`` until ``stop()`` returns
    (Ctrl-C): a rehearsal of a real scan, with the real ``scan`` command against it."""
    from auditor.demo.server import FakeAwsServer

    with FakeAwsServer(port) as server:
        seed_demo_account(server.endpoint)
        announce(server.endpoint)
        stop()


def run_demo(rules: Sequence[Rule], params=None, suppressions=(),
             pack_facets=()) -> Report:
    collection, secrets = collect_demo(params, rules, tag_keys(suppressions), pack_facets)
    return evaluate(collection, rules, params, secrets, suppressions)


def collect_demo(params=None, rules=None, keys=frozenset(),
                 pack_facets=()) -> tuple[Collection, tuple]:
    """Seed a fresh fake account and collect it: (collection, secrets)."""
    from auditor.demo.server import FakeAwsServer

    with FakeAwsServer() as server:
        seed_demo_account(server.endpoint)
        session = boto3.Session(region_name="us-east-1", **DEMO_CREDENTIALS)
        ctx = AwsContext(session, endpoint_url=server.endpoint)
        return collect(ctx, DEMO_REGIONS, params, rules, tag_keys=keys,
                       targets=Targets((DEMO_WORKLOAD_ACCOUNT, DEMO_EDGE_ACCOUNT)),
                       pack_facets=pack_facets)
