"""Lambda: what the rules need of each target function, for the qualifier registered.

Aliases and versions have their own configuration, resource policy and provisioned
concurrency, so every call names the qualifier that the target group registered.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.collect.base import ABSENT, Calls
from auditor.collect.plan import Plan, skipped
from auditor.gaps import Unavailable
from auditor.inventory import FunctionUrl, LambdaFunction, PolicyStatement

OPERATIONS = (
    "lambda:GetFunction",
    "lambda:GetFunctionConfiguration",
    "lambda:GetPolicy",
    "lambda:ListFunctionUrlConfigs",
    "lambda:GetProvisionedConcurrencyConfig",
    "lambda:GetFunctionConcurrency",
)
NOT_FOUND = ("ResourceNotFoundException",)
DENIED = ("AccessDenied", "AccessDeniedException")


def split_arn(arn: str) -> tuple[str, str | None]:
    """(function name, qualifier) of ``arn:aws:lambda:r:acct:function:NAME[:QUALIFIER]``."""
    parts = arn.split(":")
    name = parts[6] if len(parts) > 6 else arn
    qualifier = parts[7] if len(parts) > 7 else None
    return name, qualifier


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_policy(document: str) -> tuple[PolicyStatement, ...]:
    policy = json.loads(document)
    statements = []
    for raw in _as_list(policy.get("Statement")):
        principal = raw.get("Principal")
        if principal == "*":
            principals = ["*"]
        elif isinstance(principal, dict):
            principals = [p for v in principal.values() for p in _as_list(v)]
        else:
            principals = _as_list(principal)
        conditions = {k.lower(): _as_list(v) for op in (raw.get("Condition") or {}).values()
                      for k, v in op.items()}
        auth = conditions.get("lambda:functionurlauthtype")
        statements.append(
            PolicyStatement(
                sid=str(raw.get("Sid", "")),
                effect=raw.get("Effect", ""),
                actions=tuple(_as_list(raw.get("Action"))),
                principals=tuple(principals),
                condition_keys=tuple(conditions),
                source_arns=tuple(str(v) for v in conditions.get("aws:sourcearn", [])),
                url_auth_type=str(auth[0]) if auth else None,
            )
        )
    return tuple(statements)


def _qualified(qualifier: str | None) -> dict[str, str]:
    return {"Qualifier": qualifier} if qualifier else {}


def _policy(calls: Calls, region: str, arn: str, name: str, qualifier: str | None
            ) -> tuple[PolicyStatement, ...] | Unavailable:
    raw = calls.call("lambda", region, "get_policy", resource=arn, absent=NOT_FOUND,
                     FunctionName=name, **_qualified(qualifier))
    return () if raw is ABSENT else raw if isinstance(raw, Unavailable) else parse_policy(
        raw.get("Policy") or "{}")


def _urls(
    calls: Calls, region: str, arn: str, name: str, qualifier: str | None, plan: Plan
) -> tuple[FunctionUrl, ...] | Unavailable:
    """Every function URL of the function, the unqualified one and any alias's, in one
    listing (1.1: another alias's URL is a door to the same code). A URL whose qualifier is
    not the registered one carries that qualifier's resource policy, which decides who may
    call it."""
    configs = calls.paginate("lambda", region, "list_function_url_configs",
                             "FunctionUrlConfigs", resource=arn, FunctionName=name)
    if isinstance(configs, Unavailable):
        return configs
    urls = []
    for config in configs:
        q = split_arn(config.get("FunctionArn", ""))[1]
        own = None
        if q != qualifier and "function_policy" in plan:
            own = _policy(calls, region, arn, name, q)
        urls.append(FunctionUrl(q, config.get("AuthType", ""), own,
                                config.get("InvokeMode") or "BUFFERED"))
    return tuple(urls)


def _provisioned(
    calls: Calls, region: str, arn: str, name: str, qualifier: str | None
) -> int | Unavailable | None:
    if qualifier in (None, "$LATEST"):
        return None
    response = calls.call(
        "lambda",
        region,
        "get_provisioned_concurrency_config",
        resource=arn,
        absent=("ProvisionedConcurrencyConfigNotFoundException",),
        FunctionName=name,
        Qualifier=qualifier,
    )
    if isinstance(response, Unavailable) or response is ABSENT:
        return None if response is ABSENT else response
    if response.get("Status") == "FAILED":
        return 0
    return int(response.get("RequestedProvisionedConcurrentExecutions") or 0)


def _reserved(calls: Calls, region: str, arn: str, name: str) -> int | Unavailable | None:
    """The function's reserved concurrency (shared by every version and alias); None when
    nothing is reserved. GetFunction carries it too, but not the GetFunctionConfiguration
    that read-only roles fall back to, so the dedicated call answers for both."""
    response = calls.call("lambda", region, "get_function_concurrency", resource=arn,
                          FunctionName=name)
    if isinstance(response, Unavailable):
        return response
    reserved = response.get("ReservedConcurrentExecutions")
    return None if reserved is None else int(reserved)


def bare_function(arn: str) -> LambdaFunction:
    """A target function known only by its ARN (enough to name its metrics)."""
    name, qualifier = split_arn(arn)
    skip = skipped("function_config")
    return LambdaFunction(arn, name, qualifier, "", "", skip, skip, skip, skip, skip)


def collect_function(calls: Calls, region: str, account: str, arn: str,
                     plan: Plan | None = None) -> LambdaFunction:
    """What the selected rules need of one target function, for the qualifier registered."""
    plan = plan or Plan.everything()
    name, qualifier = split_arn(arn)
    timeout: int | Unavailable = skipped("function_config")
    if "function_config" in plan:
        # GetFunction, not GetFunctionConfiguration: same configuration, but AWS serves it
        # from a 100-per-second bucket instead of the control plane's shared 15 per second.
        found = calls.call("lambda", region, "get_function", resource=arn, absent=DENIED,
                           FunctionName=name, **_qualified(qualifier))
        if found is ABSENT:
            # Some read-only roles (SecurityAudit among them) grant GetFunctionConfiguration
            # but not GetFunction, which also hands out a code download URL: fall back.
            found = calls.call("lambda", region, "get_function_configuration", resource=arn,
                               FunctionName=name, **_qualified(qualifier))
            if not isinstance(found, Unavailable):
                found = {"Configuration": found}
        timeout = found if isinstance(found, Unavailable) else int(
            (found.get("Configuration") or {}).get("Timeout", 3))
        if isinstance(found, Unavailable) and found.code in NOT_FOUND:
            # Deleted since its target group was read: nothing else about it can be known,
            # and "no policy" or "no URL" must not pass for a function that is not there.
            return LambdaFunction(arn, name, qualifier, account, region, found, found, found,
                                  found, found)
    policy: tuple[PolicyStatement, ...] | Unavailable = skipped("function_policy")
    if "function_policy" in plan:
        policy = _policy(calls, region, arn, name, qualifier)
    return LambdaFunction(
        arn=arn, name=name, qualifier=qualifier, account=account, region=region,
        timeout_seconds=timeout, policy=policy,
        urls=_urls(calls, region, arn, name, qualifier, plan) if "function_urls" in plan
        else skipped("function_urls"),
        provisioned_concurrency=_provisioned(calls, region, arn, name, qualifier)
        if "provisioned" in plan else skipped("provisioned"),
        reserved_concurrency=_reserved(calls, region, arn, name)
        if "function_concurrency" in plan else skipped("function_concurrency"))
