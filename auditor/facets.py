"""Facets: extra read-only data a rule pack declares, collected with the rest of a scan.

A pack whose checks need something the built-in collectors do not read (the tags of the
target groups, a function's environment, a certificate's expiry) declares a `Facet`: the
IAM actions it needs and a collector. The collector runs once per scanned account and
region, after that region's request path is read, and is given

- a `ReadOnlyClients` factory whose clients refuse every operation that is not a
  ``Describe*``, ``Get*`` or ``List*`` call among the facet's declared actions (so the
  shipped IAM policy, extended by ``edge-audit iam-policy``, is exactly what it uses), and
- a `FacetScope`: the ARNs of the pattern's resources in that region, so it reads only
  what is on a request path (calls are the cost of an audit).

It returns JSON-shaped data (dicts, lists, strings, numbers), which travels in snapshots;
checks read it with ``topology.facet(name, account, region)``. A collector that fails (an
AWS error, a refused operation, a bug) leaves a gap: every check that reads the facet there
reports ``error``, never a pass.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from auditor.gaps import Unavailable

log = logging.getLogger(__name__)

READ_VERBS = ("Describe", "Get", "List")
NAME_PATTERN = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*$")
ACTION_PATTERN = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9]+$")
# boto3 service name -> IAM action prefix, where they differ
IAM_PREFIX = {"elbv2": "elasticloadbalancing", "resourcegroupstaggingapi": "tag"}


class ReadOnlyViolation(Exception):
    """A pack collector asked for an operation that is not a declared read."""


@dataclass(frozen=True)
class FacetScope:
    """Where a collector runs, and the pattern's resources there (ARNs)."""

    account: str
    region: str
    load_balancers: tuple[str, ...]  # the ALBs with a Lambda target group
    target_groups: tuple[str, ...]  # their Lambda target groups
    functions: tuple[str, ...]  # the functions (qualified ARNs as registered) behind them


@dataclass(frozen=True)
class Facet:
    """A pack's declared data: its name (what ``Rule.needs`` names), the IAM actions its
    collector needs (``service:Operation``, reads only), and the collector."""

    name: str
    actions: tuple[str, ...]
    collect: Callable[[ReadOnlyClients, FacetScope], Any]
    description: str = ""

    def __post_init__(self) -> None:
        if not NAME_PATTERN.match(self.name):
            raise ValueError(f"bad facet name {self.name!r}")
        if not self.actions:
            raise ValueError(f"facet {self.name} declares no IAM actions")
        for action in self.actions:
            if not ACTION_PATTERN.match(action) or not action.split(":")[1].startswith(
                    READ_VERBS):
                raise ValueError(f"facet {self.name}: {action!r} is not a read action "
                                 f"(service:Describe*, Get* or List*)")
        if not callable(self.collect):
            raise ValueError(f"facet {self.name}: collect is not callable")


class _ReadOnlyClient:
    """A boto3 client that answers only the declared read operations."""

    def __init__(self, client: Any, allowed: frozenset[str], facet: str) -> None:
        self._client, self._allowed, self._facet = client, allowed, facet
        model = client.meta.service_model
        self._prefixes = {model.service_name, IAM_PREFIX.get(model.service_name, ""),
                          model.metadata.get("signingName", ""),
                          model.metadata.get("endpointPrefix", "")} - {""}

    def _check(self, method: str) -> None:
        operation = self._client.meta.method_to_api_mapping.get(method)
        if operation is None:
            return  # not an operation (meta, exceptions, can_paginate, ...)
        declared = any(a.split(":")[1] == operation and a.split(":")[0] in self._prefixes
                       for a in self._allowed)
        if not operation.startswith(READ_VERBS) or not declared:
            raise ReadOnlyViolation(
                f"facet {self._facet} may not call {operation}: not a declared read "
                f"({', '.join(sorted(self._allowed))})")

    def get_paginator(self, method: str) -> Any:
        self._check(method)
        return self._client.get_paginator(method)

    def get_waiter(self, name: str) -> Any:
        raise ReadOnlyViolation(f"facet {self._facet}: waiters are not available")

    def __getattr__(self, name: str) -> Any:
        self._check(name)
        return getattr(self._client, name)


class ReadOnlyClients:
    """The client factory a collector receives: ``clients("elbv2")`` for its region."""

    def __init__(self, make: Callable[[str, str], Any], region: str, facet: Facet) -> None:
        self._make, self._region, self._facet = make, region, facet

    def __call__(self, service: str, region: str | None = None) -> Any:
        client = self._make(service, region or self._region)
        return _ReadOnlyClient(client, frozenset(self._facet.actions), self._facet.name)


def _json_shaped(data: Any, facet: str) -> Any:
    """The data as it will come back from a snapshot (tuples become lists), or an error."""
    try:
        return json.loads(json.dumps(data, default=_refuse))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"facet {facet} returned data that is not JSON: {exc}") from exc


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


def collect_facet(facet: Facet, make: Callable[[str, str], Any], scope: FacetScope,
                  failed: Callable[[str, str, Exception], Unavailable]) -> Any:
    """The facet's data for one account and region, or `Unavailable` (recorded by
    ``failed(operation, region, exc)`` so the scan says it is incomplete)."""
    operation = f"facet:{facet.name}"
    try:
        return _json_shaped(facet.collect(ReadOnlyClients(make, scope.region, facet), scope),
                            facet.name)
    except ClientError as exc:
        meta = exc.operation_name if hasattr(exc, "operation_name") else ""
        return failed(f"{operation} ({meta})" if meta else operation, scope.region, exc)
    except (BotoCoreError, ReadOnlyViolation, ValueError) as exc:
        return failed(operation, scope.region, exc)
    except Exception as exc:  # a pack bug: a gap, never a silent pass
        log.exception("facet %s failed in %s", facet.name, scope.region)
        return failed(operation, scope.region, exc)


def facet_actions(facets: Sequence[Facet]) -> list[str]:
    return sorted({a for f in facets for a in f.actions})
