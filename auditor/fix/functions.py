"""The functions (BYP-006, BYP-007, LIM-001, LIM-002, LMB-003).

A scoped invoke permission is added before the unscoped one goes (the other way round,
the ALB cannot invoke the function in between). A public function URL is switched to
AWS_IAM rather than deleted: whoever relies on it gets 403s they can trace, and the URL
stays for signed callers (CloudFront's origin access control among them).
"""

from __future__ import annotations

from auditor.fix.context import Context
from auditor.fix.findings import Finding, name_of_arn
from auditor.fix.model import Call, Phase, Step

ELB = "elasticloadbalancing.amazonaws.com"


def _qualifier(arn: str) -> dict:
    """The Qualifier parameter of a registered function ARN (alias or version), if any."""
    parts = arn.split(":")
    return {"Qualifier": parts[7]} if len(parts) > 7 else {}


def _function_name(f: Finding) -> str:
    parts = f.arn.split(":")
    return parts[6] if len(parts) > 6 else f.name


def build(ctx: Context) -> list[Step]:
    steps: list[Step] = []
    for f in ctx.failures.of("BYP-006"):
        steps += _url(ctx, f)
    for f in ctx.failures.of("BYP-007"):
        steps += _permission(ctx, f)
    steps += _timeouts(ctx)
    for f in ctx.failures.of("LMB-003"):
        steps.append(ctx.step(
            f, Phase.RISKY, f"{f.name}: remove the reserved concurrency of 0", (f.closes,),
            "Reserved concurrency 0 is how a function is switched off on purpose: removing "
            "it lets the function run again, from the account's unreserved pool. Written "
            "commented out unless --accept-risk LMB-003.",
            calls=[Call("lambda", "DeleteFunctionConcurrency", f.region,
                        {"FunctionName": _function_name(f)})],
            change="Remove ReservedConcurrentExecutions (or set it to the concurrency the "
                   "function needs)", accept_risk="LMB-003"))
    return steps


def _url(ctx: Context, f: Finding) -> list[Step]:
    steps = []
    name = _function_name(f)
    public = [u for u in f.evidence.get("function_urls", []) if u.get("public_grants")]
    for i, url in enumerate(public):
        qualifier = {} if url["qualifier"] == "(unqualified)" else {"Qualifier": url["qualifier"]}
        calls = []
        if url["auth_type"] == "NONE":
            calls.append(Call("lambda", "UpdateFunctionUrlConfig", f.region,
                              {"FunctionName": name, **qualifier, "AuthType": "AWS_IAM"}))
        calls += [Call("lambda", "RemovePermission", f.region,
                       {"FunctionName": name, "StatementId": sid, **qualifier})
                  for sid in url["public_grants"] if sid != "(no sid)"]
        steps.append(ctx.step(
            f, Phase.FUNCTIONS,
            f"{name}: function URL {url['qualifier']} requires IAM (AWS_IAM), and the grant "
            "to everyone goes", (f.closes,) if i == len(public) - 1 else (),
            "What breaks: every unsigned call of the URL (browsers, webhooks, scripts) now "
            "gets 403. Callers that must keep it sign with SigV4, or reach it through "
            "CloudFront with an origin access control. Nothing is deleted.",
            serves=[f.closes],
            calls=calls,
            change="AWS::Lambda::Url AuthType: AWS_IAM, and remove the AWS::Lambda::"
                   "Permission granting lambda:InvokeFunctionUrl to *"))
    return steps


def _permission(ctx: Context, f: Finding) -> list[Step]:
    name = _function_name(f)
    groups = f.evidence.get("target_groups", [])
    if not groups:
        return [Step(Phase.MANUAL, f"{name}: scope the invoke permission", (f.closes,),
                     "The report names no target group registering the function.",
                     manual=f.remediation)]
    steps = []
    qualifier = _qualifier(groups[0]["registered"])
    for tg in groups:
        steps.append(ctx.step(
            f, Phase.FUNCTIONS,
            f"{name}: let only target group {name_of_arn(tg['target_group_arn'])} invoke it",
            (), "Adds a permission; removes none: the ALB keeps invoking the function.",
            serves=[f.closes],
            calls=[Call("lambda", "AddPermission", f.region, {
                "FunctionName": name, **_qualifier(tg["registered"]),
                "StatementId": f"elb-{name_of_arn(tg['target_group_arn'])}"[:100],
                "Action": "lambda:InvokeFunction", "Principal": ELB,
                "SourceArn": tg["target_group_arn"]})],
            change="AWS::Lambda::Permission with Principal elasticloadbalancing.amazonaws.com "
                   f"and SourceArn the target group ({tg['target_group_arn']})",
            resource_type="AWS::Lambda::Permission"))
    sids = [s for s in f.evidence.get("statements", []) if s != "(no sid)"]
    steps.append(ctx.step(
        f, Phase.FUNCTIONS, f"{name}: remove the unscoped permission(s) {', '.join(sids)}",
        (f.closes,), "Any other target group of the account can no longer invoke the "
        "function; the scoped permission above covers its own.",
        calls=[Call("lambda", "RemovePermission", f.region,
                    {"FunctionName": name, "StatementId": sid, **qualifier}) for sid in sids],
        preconditions=["the scoped permission above exists"],
        change="Remove the AWS::Lambda::Permission without SourceArn",
        resource_type="AWS::Lambda::Permission"))
    return steps


def _timeouts(ctx: Context) -> list[Step]:
    """LIM-001 and LIM-002 on the same function are one change: the lowest bound wins."""
    by_function: dict[str, list[Finding]] = {}
    for f in ctx.failures.of("LIM-001", "LIM-002"):
        by_function.setdefault(f.arn, []).append(f)
    steps = []
    for found in by_function.values():
        bounds = []
        for f in found:
            if f.rule_id == "LIM-001":
                bounds += [lb["idle_timeout_seconds"]
                           for lb in f.evidence.get("load_balancers", [])]
            else:
                bounds += [o["origin_read_timeout_seconds"]
                           for o in f.evidence.get("origins", [])]
        f = found[0]
        current = f.evidence.get("function_timeout_seconds")
        closes = tuple(x.closes for x in found)
        if not bounds:
            continue
        timeout = max(1, min(bounds))
        if len(f.arn.split(":")) > 7:  # an alias or version: its code is published
            steps.append(Step(Phase.MANUAL, f"{f.name}: timeout {current} s -> {timeout} s",
                              closes, "The function is registered as an alias or version, "
                              "whose configuration is published, not edited.",
                              manual=f"Set Timeout to {timeout} on the function, publish a "
                              "version and move the alias to it (your deploy does this)."))
            continue
        steps.append(ctx.step(
            f, Phase.SETTINGS, f"{f.name}: timeout {current} s -> {timeout} s", closes,
            f"Invocations longer than {timeout} s are stopped by Lambda; they already fail "
            "at the edge (CloudFront or the ALB answers first), so viewers see no change, "
            "and the function stops working for answers nobody receives.",
            calls=[Call("lambda", "UpdateFunctionConfiguration", f.region,
                        {"FunctionName": _function_name(f), "Timeout": timeout})],
            change=f"Timeout: {timeout}"))
    return steps
