"""AWS's answers, as AWS would give them for the estate once deployed.

The live collectors run unchanged against a template: each botocore call they make is
answered here from the resolved resources, in the response shape of the real API (so the
same parsers read it), with AWS's defaults where a property is omitted. What the estate
cannot answer fails as a call fails: ``KnownOnlyAtDeploy`` for a value only a deployment
can tell, ``NotApplicableBeforeDeploy`` for data a template cannot hold (CloudWatch
metrics, the account's quotas), and the rules that needed it say ``error`` with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.iac.estate import Estate, Resource
from auditor.iac.values import NOT_APPLICABLE_CODE, NOT_KNOWN_CODE, DeployTimeSecret, Unknown


class ApiError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def deploy_time(what: str) -> ApiError:
    return ApiError(NOT_KNOWN_CODE, f"{what} is known only at deploy time")


def not_applicable(what: str) -> ApiError:
    return ApiError(NOT_APPLICABLE_CODE, f"{what}: not applicable before deploy (a template "
                                         "cannot hold it)")


def not_found(code: str, what: str) -> ApiError:
    return ApiError(code, f"{what} is not in the templates", 404)


def known(value: Any, what: str) -> Any:
    """``value``, or the call fails: a rule must not pass on what the template leaves open."""
    if isinstance(value, Unknown):
        raise deploy_time(f"{what} ({value.why})")
    return value


def text(value: Any) -> str:
    """A string field; an unknown one reads as its reason (an id nothing will match)."""
    if isinstance(value, DeployTimeSecret):
        return value.reveal()
    return str(value) if value is not None else ""


def number(value: Any, what: str, default: int | None = None) -> int | None:
    if value is None:
        return default
    try:
        return int(known(value, what))
    except (TypeError, ValueError) as exc:
        raise deploy_time(f"{what} ({value!r} is not a number)") from exc


def flag(value: Any, what: str, default: bool) -> bool:
    if value is None:
        return default
    value = known(value, what)
    return value if isinstance(value, bool) else str(value).lower() == "true"


def strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [] if value is None else [value]
    return [text(v) for v in items]


def plain(value: Any) -> Any:
    """A resolved property as API data: secrets named by reference become their sentinel,
    unknowns their reason (fields a parser compares, never trusts)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (Unknown, DeployTimeSecret)):
        return text(value)
    return value


class Answers:
    """The estate as a set of AWS API operations, keyed by (service, operation)."""

    def __init__(self, estate: Estate, account: str) -> None:
        from auditor.iac.answers import edge, elb, functions, network, other

        self.estate, self.account = estate, account
        self.handlers: dict[tuple[str, str], Callable[..., dict]] = {}
        for module in (elb, functions, network, edge, other):
            module.register(self)

    def of_type(self, kind: str, region: str | None = None) -> list[Resource]:
        return [r for r in self.estate.resources(kind)
                if region is None or r.place.region == region]

    def answer(self, service: str, operation: str, region: str, params: dict) -> dict:
        handler = self.handlers.get((service, operation))
        if handler is None:
            raise not_applicable(f"{service}:{operation}")
        try:
            return handler(region=region, **params)
        except (TypeError, AttributeError) as exc:
            # A whole list or block the template leaves open (an imported list, a
            # Terraform block known after apply) where the answer reads its items: the
            # call fails as `known` would have it, never as a pass on an empty list.
            if "'Unknown'" not in str(exc):
                raise
            raise deploy_time(f"a list or block {service}:{operation} reads") from exc
