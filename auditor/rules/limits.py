"""LIM: timeouts that disagree along the path, and the 1 MB payload limit.

The three timeouts on the path (Lambda's, the ALB idle timeout, CloudFront's origin read
timeout) must nest: a function allowed to run longer than a layer in front of it keeps
working after that layer has already answered 504. ALB caps Lambda requests and responses
at 1 MB (rec. 7).
"""

from __future__ import annotations

from auditor.findings import Severity, Verdict
from auditor.gaps import DataUnavailable, Unavailable, need
from auditor.inventory import LambdaFunction, LoadBalancer
from auditor.rule import Params, Rule, SubjectKind
from auditor.rules._common import path_evidence, rule_evidence
from auditor.topology import Topology

IDLE_TIMEOUT = "idle_timeout.timeout_seconds"
IDLE_TIMEOUT_DEFAULT = 60


def check_timeout_over_idle(topo: Topology, fn: LambdaFunction, params: Params) -> Verdict | None:
    timeout = need(fn.timeout_seconds)
    albs = topo.albs_of_function(fn)
    if not albs:
        return None
    seen = []
    for alb in albs:
        attributes = need(alb.attributes)
        raw = attributes.get(IDLE_TIMEOUT)
        if raw and not raw.strip().isdigit():
            raise DataUnavailable(Unavailable("elbv2:DescribeLoadBalancerAttributes",
                                              "Malformed", f"{IDLE_TIMEOUT} is not a number"))
        idle = int(raw) if raw else IDLE_TIMEOUT_DEFAULT
        seen.append(
            {"load_balancer": alb.name, "idle_timeout_seconds": idle, "aws_default": not raw}
        )
    over = [s for s in seen if timeout > s["idle_timeout_seconds"]]
    related = [a.arn for a in albs]
    if over:
        limit = min(s["idle_timeout_seconds"] for s in over)
        return Verdict.fail(
            f"Function timeout {timeout} s exceeds the ALB idle timeout of {limit} s. "
            "The deep-dive says the ALB then answers 504; AWS documents that for a Lambda "
            "target the ALB waits for the invocation, and a function that times out is a "
            "502. Either way a request may run longer than the idle timeout the rest of the "
            "path was sized for: align them",
            related,
            function_timeout_seconds=timeout,
            load_balancers=seen,
        )
    return Verdict.ok(
        f"Function timeout {timeout} s fits the ALB idle timeout",
        related,
        function_timeout_seconds=timeout,
        load_balancers=seen,
    )


def check_timeout_over_origin(topo: Topology, fn: LambdaFunction, params: Params) -> Verdict | None:
    timeout = need(fn.timeout_seconds)
    paths = topo.edge_paths_of_function(fn)
    if not paths:
        return None
    seen = [
        dict(path_evidence(p), origin_read_timeout_seconds=p.origin.read_timeout_seconds,
             connection_attempts=p.origin.connection_attempts,
             response_completion_timeout_seconds=p.origin.response_completion_timeout_seconds)
        for p in paths
    ]
    over = [s for s in seen if timeout > s["origin_read_timeout_seconds"]]
    related = sorted({p.distribution.arn for p in paths})
    if over:
        limit = min(s["origin_read_timeout_seconds"] for s in over)
        attempts = max(s["connection_attempts"] for s in over)
        return Verdict.fail(
            f"Function timeout {timeout} s exceeds CloudFront's origin read timeout of "
            f"{limit} s: CloudFront answers 504 first, and it retries a timed-out GET or "
            f"HEAD up to {attempts} time(s) (ConnectionAttempts), so the function may run "
            "that many times for one viewer request",
            related,
            function_timeout_seconds=timeout,
            origins=seen,
        )
    return Verdict.ok(
        f"Function timeout {timeout} s fits the origin read timeout",
        related,
        function_timeout_seconds=timeout,
        origins=seen,
    )


def _upload_segment(pattern: str, words: set[str]) -> bool:
    """1.1: a path segment that is an upload word (``/files/*``, ``/api/upload*``), not a
    word inside a segment (``/api/profile/*`` holds "file" but is no upload route)."""
    return any(segment.strip("*?").lower() in words for segment in pattern.split("/"))


def check_upload_route(topo: Topology, alb: LoadBalancer, params: Params) -> Verdict | None:
    words = {w.lower() for word in params["path_words"] for w in (word, word + "s")}
    body_methods = {m.upper() for m in params["methods"]}
    routes = []
    for listener, rule in topo.forwarding_rules(alb):
        methods = sorted(body_methods & {m.upper() for m in rule.methods})
        paths = [p for p in rule.path_patterns if _upload_segment(p, words)]
        if methods or paths:
            routes.append(
                dict(rule_evidence(listener.port, rule), methods=methods, path_patterns=paths)
            )
    related = [tg.arn for tg in topo.target_groups_of(alb)]
    if routes:
        return Verdict.fail(
            "Upload-style routes go to Lambda, where requests over 1 MB fail: "
            "hand out presigned S3 URLs instead",
            related,
            routes=routes,
        )
    return Verdict.ok("No upload-style route forwards to Lambda", related)


RULES = (
    Rule(
        "LIM-001",
        "lambda-timeout-over-idle-timeout",
        Severity.MEDIUM,
        "Function may run longer than the ALB waits",
        "FM, AWS",
        "FM: ALB 504 when Lambda outlasts the idle timeout (default 60 s)",
        "The deep-dive says the ALB closes the request at its idle timeout with a 504 while "
        "the function keeps running and billing. AWS's documentation for Lambda targets "
        "says otherwise: the ALB waits for the invocation, and a function that reaches its "
        "own timeout is a 502. The tool asserts neither as observed; either way the "
        "timeouts on the path should nest.",
        "Lower the function timeout below the ALB idle timeout, or raise "
        "idle_timeout.timeout_seconds.",
        SubjectKind.TARGET_FUNCTION,
        check_timeout_over_idle,
        needs=("targets", "function_config", "lb_attributes"),
    ),
    Rule(
        "LIM-002",
        "lambda-timeout-over-origin-timeout",
        Severity.MEDIUM,
        "Function may run longer than CloudFront waits",
        "FM, AWS",
        "FM: CloudFront 504 when the origin outlasts OriginReadTimeout (default 30 s)",
        "CloudFront gives up at the origin read timeout and answers 504 while the function "
        "still runs; for GET and HEAD it retries up to ConnectionAttempts times (default 3), "
        "so one viewer request can run the function that many times (CloudFront's origin "
        "settings reference).",
        "Lower the function timeout below the origin read timeout, or raise "
        "OriginReadTimeout (up to 60 s, more by quota request).",
        SubjectKind.TARGET_FUNCTION,
        check_timeout_over_origin,
        needs=("targets", "function_config"),
    ),
    Rule(
        "LIM-004",
        "upload-route-to-lambda",
        Severity.LOW,
        "Upload route served by Lambda behind the ALB",
        "rec. 7",
        "rec. 7: presigned S3 URLs for uploads",
        "Request bodies over 1 MB are rejected before the function runs; uploads are where "
        "that limit is met first.",
        "Have the function return a presigned S3 URL and let the client upload straight to S3.",
        SubjectKind.LAMBDA_ALB,
        check_upload_route,
        params={
            "methods": ["POST", "PUT"],
            "path_words": ["upload", "file", "import", "attachment"],
        },
    ),
)
