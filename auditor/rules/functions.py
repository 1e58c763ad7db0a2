"""LMB: the target functions as they run behind the ALB.

The Common Failure Modes table of the deep-dive lists what the viewer sees when the
function cannot answer: 503 when Lambda throttles, 502 when the invocation fails or times
out. AWS's "Lambda functions as targets" guide adds what the tables leave out: every failed
invocation counts in the ALB's ``LambdaUserError``, whatever its cause; a function whose
reserved concurrency is 0 never runs; and the ALB buffers the response and expects its own
response format, so a handler written for response streaming does not belong behind it.
"""

from __future__ import annotations

from auditor.findings import Severity, Verdict
from auditor.gaps import need
from auditor.inventory import (
    LambdaFunction,
    LoadBalancer,
    alb_dimensions,
    function_dimensions,
    metric_key,
)
from auditor.rule import Params, Rule, SubjectKind
from auditor.rules._common import alb_arns_of
from auditor.topology import Topology

STREAMING = "RESPONSE_STREAM"


def check_throttles(topo: Topology, fn: LambdaFunction, params: Params):
    days = params["window_days"]
    total = topo.region_metrics(fn).total(
        metric_key("Throttles", function_dimensions(fn)), days
    )
    evidence = {"window_days": days, "Throttles": total}
    if total > 0:
        return Verdict.fail(
            f"{total:g} throttled invocations in the last {days} days: the ALB answered 503",
            **evidence,
        )
    return Verdict.ok(f"No throttles in the last {days} days", **evidence)


ERROR_CAUSES = (
    "an unhandled exception", "a throttle", "the function timing out",
    "a response not in the ALB's format or over 1 MB", "a missing invoke permission",
    "a KMS or network error")


def check_target_errors(topo: Topology, alb: LoadBalancer, params: Params):
    """LMB-002 (1.1, replaces LIM-003): ``LambdaUserError`` counts every failed invocation,
    so the message names the causes it may stand for, not one."""
    days = params["window_days"]
    series = topo.region_metrics(alb)
    groups = topo.target_groups_of(alb)
    by_group = {tg.name: series.total(metric_key("LambdaUserError",
                                                 alb_dimensions(alb.arn, tg.arn)), days)
                for tg in groups}
    total = series.total(metric_key("LambdaUserError", alb_dimensions(alb.arn)), days)
    evidence = {"window_days": days, "LambdaUserError": total,
                "LambdaUserError_by_target_group": by_group,
                "HTTPCode_ELB_502_Count": series.total(
                    metric_key("HTTPCode_ELB_502_Count", alb_dimensions(alb.arn)), days)}
    related = [tg.arn for tg in groups]
    failing = sorted(name for name, count in by_group.items() if count > 0)
    if total > 0 or failing:
        where = f" (target groups: {', '.join(failing)})" if failing else ""
        return Verdict.fail(
            f"{max(total, sum(by_group.values())):g} failed Lambda invocations in the last "
            f"{days} days{where}; each was an error answer to a viewer. LambdaUserError "
            f"does not say which cause: {', '.join(ERROR_CAUSES)}",
            related, **evidence)
    return Verdict.ok(f"No failed Lambda invocation in the last {days} days", related,
                      **evidence)


def check_reserved_concurrency_zero(topo: Topology, fn: LambdaFunction, params: Params):
    reserved = need(fn.reserved_concurrency)
    albs = alb_arns_of(topo, fn)
    if reserved == 0:
        return Verdict.fail(
            f"Reserved concurrency of {fn.name} is 0: the function cannot run, and every "
            "request routed to it fails", albs, reserved_concurrency=0)
    if reserved is None:
        return Verdict.ok("No reserved concurrency: the function draws on the account's pool",
                          albs, reserved_concurrency=None)
    return Verdict.ok(f"Reserved concurrency {reserved}", albs, reserved_concurrency=reserved)


def check_timeout_reached(topo: Topology, fn: LambdaFunction, params: Params):
    timeout = need(fn.timeout_seconds)
    days, share = params["window_days"], params["percent_of_timeout"]
    values = topo.region_metrics(fn).values(metric_key("Duration", function_dimensions(fn)),
                                            days)
    albs = alb_arns_of(topo, fn)
    evidence = {"window_days": days, "timeout_seconds": timeout,
                "percent_of_timeout": share}
    if not values:
        return Verdict.ok(f"No invocation recorded in the last {days} days", albs,
                          max_duration_ms=None, **evidence)
    longest = max(values)
    reached = round(100 * longest / (timeout * 1000), 1)
    evidence.update(max_duration_ms=longest, reached_percent=reached)
    if reached >= share:
        return Verdict.fail(
            f"The longest invocation in the last {days} days ran {longest / 1000:.1f} s, "
            f"{reached:g} % of the {timeout} s timeout: invocations that reach it end in "
            "502, and CloudFront may retry them", albs, **evidence)
    return Verdict.ok(f"The longest invocation used {reached:g} % of the {timeout} s timeout",
                      albs, **evidence)


def check_streaming_behind_alb(topo: Topology, fn: LambdaFunction, params: Params):
    urls = need(fn.urls)
    streaming = [u.qualifier or "(unqualified)" for u in urls if u.invoke_mode == STREAMING]
    albs = alb_arns_of(topo, fn)
    if streaming:
        return Verdict.fail(
            f"Function URL {', '.join(streaming)} streams its response (InvokeMode "
            f"{STREAMING}): the handler is written for streaming, but the ALB buffers the "
            "whole response and expects its own response format", albs,
            streaming_urls=streaming)
    return Verdict.ok("No function URL of the target streams", albs,
                      function_urls=len(urls))


WINDOW = {"window_days": 14}

RULES = (
    Rule(
        "LMB-001",
        "throttles-observed",
        Severity.MEDIUM,
        "Target function throttled",
        "FM",
        "FM: ALB 503 when Lambda is throttled by its concurrency limit",
        "Each throttle is a request the ALB answered with 503.",
        "Raise the function's reserved concurrency (or the account limit), or add provisioned "
        "concurrency for predictable peaks.",
        SubjectKind.TARGET_FUNCTION,
        check_throttles,
        params=dict(WINDOW),
        needs=("targets", "region_metrics"),
    ),
    Rule(
        "LMB-002",
        "target-errors-observed",
        Severity.MEDIUM,
        "Lambda invocations behind the ALB are failing",
        "FM, AWS",
        "FM: 502 when the function fails; AWS: LambdaUserError counts every failed invocation",
        "The deep-dive ties 502s to responses over 1 MB; AWS's metrics for Lambda targets "
        "count every failed invocation in LambdaUserError (exceptions, throttles, timeouts, "
        "malformed or oversized responses, permission, KMS and network errors), and each "
        "one is an error page for a viewer. This rule replaces LIM-003, which named one "
        "cause for all of them.",
        "Read the function's own logs and metrics (Errors, Throttles, Duration against its "
        "timeout) for the window, and fix the cause they show; LMB-001 and LMB-004 name two "
        "of them.",
        SubjectKind.LAMBDA_ALB,
        check_target_errors,
        params=dict(WINDOW),
        needs=("region_metrics",),
    ),
    Rule(
        "LMB-003",
        "reserved-concurrency-zero",
        Severity.HIGH,
        "Target function can never run (reserved concurrency 0)",
        "FM, AWS",
        "FM: the function must be able to run when the ALB invokes it",
        "A reserved concurrency of 0 throttles every invocation (AWS, \"Configuring reserved "
        "concurrency\"): it is how Lambda is switched off in an emergency, and it is "
        "easily left behind. Every request on the function's routes fails.",
        "If the function was stopped on purpose, take its routes off the ALB first; "
        "otherwise remove the reservation (aws lambda delete-function-concurrency) or set "
        "one sized for the traffic. Check LMB-001 afterwards: a reservation too small "
        "throttles too.",
        SubjectKind.TARGET_FUNCTION,
        check_reserved_concurrency_zero,
        needs=("targets", "function_concurrency"),
    ),
    Rule(
        "LMB-004",
        "timeout-reached",
        Severity.MEDIUM,
        "Target function runs up to its timeout",
        "FM, AWS",
        "FM: a function that times out is a 502 at the ALB",
        "When the function reaches its timeout, Lambda stops it and the ALB answers 502 "
        "(AWS, \"Lambda functions as targets\"); CloudFront may retry a GET or HEAD on an "
        "error, so a slow path can be invoked several times for one viewer. The maximum "
        "Duration is the one figure that shows a function living at its limit.",
        "Find what makes the slow invocations slow (cold starts, a dependency's latency) "
        "and fix that, or raise the timeout, keeping it below the ALB idle timeout and "
        "CloudFront's origin read timeout (LIM-001, LIM-002).",
        SubjectKind.TARGET_FUNCTION,
        check_timeout_reached,
        params={**WINDOW, "percent_of_timeout": 95},
        needs=("targets", "function_config", "region_metrics"),
    ),
    Rule(
        "LMB-005",
        "streaming-behind-alb",
        Severity.LOW,
        "Target function streams its responses",
        "deep-dive \"Response streaming\"",
        "deep-dive \"Response streaming\": the ALB does not stream Lambda responses",
        "A function URL in RESPONSE_STREAM mode means the handler writes a stream. Behind "
        "the ALB that stream is buffered whole and must be in the ALB's response format "
        "and under 1 MB: time to first byte and the size limit are the ALB's, not the "
        "stream's.",
        "Serve the streaming handler from its function URL (behind CloudFront with origin "
        "access control) and keep a buffered handler behind the ALB; or drop the streaming "
        "URL if nothing uses it.",
        SubjectKind.TARGET_FUNCTION,
        check_streaming_behind_alb,
        needs=("targets", "function_urls"),
    ),
)
