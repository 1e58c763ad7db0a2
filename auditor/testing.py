"""A kit for rule-pack authors: build a topology from API-shaped data, then assert what a
rule does with it. Part of the public API (auditor.api's stability promise covers it).

Three ways to a topology, all through the real collectors (so a check sees exactly what
a scan would give it):

- `topology_from_moto`: inside ``moto.mock_aws()`` (or against a moto server), after the
  test has created its resources with boto3; ``deny`` answers chosen operations with
  ``AccessDenied``, to prove the rule reports ``error`` when its data is missing;
- `topology_from_snapshot`: a snapshot written by ``edge-audit collect`` (recorded
  responses of a real account, secrets already sealed away);
- `demo_topology`: the built-in demo estate (needs ``pip install 'edge-auditor[demo]'``).

Then `assert_fires`, `assert_quiet`, `assert_out_of_scope` and `assert_errors` judge one
rule on one subject (the subject whose ARN or name contains ``resource``); and the
``CASES`` a pack declares (`auditor.packs.Case`) are run by ``edge-audit rules
--check-pack`` through `run_cases`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.engine import evaluate_rule, topology_of
from auditor.findings import Result, Status
from auditor.rule import Rule
from auditor.topology import Topology

MOTO_ACCOUNT = "123456789012"  # moto's default account


def _topology(collection: Any) -> Topology:
    return topology_of(*collection.inventories)


def topology_from_snapshot(source: str | Path) -> Topology:
    """A topology from a snapshot file (``edge-audit collect -o FILE``)."""
    from auditor.snapshot import loads

    return _topology(loads(Path(source).read_text(encoding="utf-8")))


def _denier(denied: frozenset[str]) -> Callable[..., Any]:
    """A ``before-call`` hook answering the denied operations with AccessDenied, the way
    AWS answers a caller whose policy lacks the action."""
    from botocore.awsrequest import AWSResponse

    def deny(model=None, **_: Any) -> Any:
        if model is None:
            return None
        name = f"{model.service_model.service_name}:{model.name}"
        if name not in denied:
            return None
        error = {"Error": {"Code": "AccessDenied",
                           "Message": f"not authorized to perform {name} (auditor.testing)"},
                 "ResponseMetadata": {"HTTPStatusCode": 403}}
        return AWSResponse("https://denied.invalid/", 403, {}, None), error

    return deny


def topology_from_moto(regions: Sequence[str] = ("us-east-1",), *,
                       rules: Sequence[Rule] | None = None, facets: Iterable[Any] = (),
                       deny: Iterable[str] = (), endpoint_url: str | None = None,
                       accounts: Sequence[str] = ()) -> Topology:
    """Collect what the test created in moto (in process under ``mock_aws()``, or the
    server at ``endpoint_url``) and return the topology the rules read.

    ``rules``: read only what they need (default: everything); ``facets``: the pack's
    facets to collect; ``deny``: operations (``"elbv2:DescribeTags"``, boto3's service
    name and the API's operation name) answered with AccessDenied; ``accounts``: other
    moto accounts to read through their ``EdgeAuditorRole``."""
    import boto3

    from auditor.scan import Targets, collect
    from auditor.session import AwsContext

    session = boto3.Session(region_name=regions[0])
    denied = frozenset(deny)
    if denied:
        session.events.register("before-call", _denier(denied))
    ctx = AwsContext(session, endpoint_url=endpoint_url)
    collection, _ = collect(ctx, list(regions), None, rules,
                            targets=Targets(tuple(accounts)), pack_facets=tuple(facets))
    return _topology(collection)


def demo_topology(rules: Sequence[Rule] | None = None, facets: Iterable[Any] = ()
                  ) -> Topology:
    """The built-in demo estate (six applications, two accounts) as a topology."""
    from auditor.demo import collect_demo

    collection, _ = collect_demo(rules=rules, pack_facets=tuple(facets))
    return _topology(collection)


def results_for(topology: Topology, rule: Rule, params: Mapping[str, Any] | None = None
                ) -> list[Result]:
    """The rule's results on the topology, as a scan would give them."""
    return evaluate_rule(rule, topology, params)


def _about(results: list[Result], resource: str | None) -> list[Result]:
    if resource is None:
        return results
    return [r for r in results if resource in r.resource.arn or resource in r.resource.name]


def _describe(results: list[Result]) -> str:
    return "; ".join(f"{r.resource.name}: {r.status.value} ({r.message})"
                     for r in results) or "no result at all"


def _expect(status: Status, topology: Topology, rule: Rule, resource: str | None,
            params: Mapping[str, Any] | None) -> list[Result]:
    found = _about(results_for(topology, rule, params), resource)
    if not found or any(r.status is not status for r in found):
        where = f" on {resource!r}" if resource else ""
        raise AssertionError(f"{rule.id}{where}: expected {status.value}, got "
                             f"{_describe(found)}")
    return found


def assert_fires(topology: Topology, rule: Rule, resource: str | None = None,
                 params: Mapping[str, Any] | None = None) -> list[Result]:
    """The rule fails for the subject(s) (every subject of its kind when ``resource`` is
    omitted); returns the results, for asserting on message and evidence."""
    return _expect(Status.FAIL, topology, rule, resource, params)


def assert_quiet(topology: Topology, rule: Rule, resource: str | None = None,
                 params: Mapping[str, Any] | None = None) -> list[Result]:
    """The rule passes for the subject(s)."""
    return _expect(Status.PASS, topology, rule, resource, params)


def assert_errors(topology: Topology, rule: Rule, resource: str | None = None,
                  params: Mapping[str, Any] | None = None) -> list[Result]:
    """The rule could not judge the subject(s): ``error``, with the reason in evidence."""
    return _expect(Status.ERROR, topology, rule, resource, params)


def assert_out_of_scope(topology: Topology, rule: Rule, resource: str,
                        params: Mapping[str, Any] | None = None) -> None:
    """The rule gives no result at all for the subject (its check returned None, or the
    subject is not of the rule's kind)."""
    found = _about(results_for(topology, rule, params), resource)
    if found:
        raise AssertionError(f"{rule.id} on {resource!r}: expected out of scope, got "
                             f"{_describe(found)}")


ASSERTIONS = {"fail": assert_fires, "pass": assert_quiet, "error": assert_errors,
              "out-of-scope": assert_out_of_scope}


@dataclass(frozen=True)
class CaseOutcome:
    case: Any  # auditor.packs.Case
    passed: bool
    detail: str

    def line(self) -> str:
        label = self.case.name or f"{self.case.rule} {self.case.expect}" + (
            f" on {self.case.resource}" if self.case.resource else "")
        return f"{'ok  ' if self.passed else 'FAIL'} {label}" + (
            "" if self.passed else f": {self.detail}")


def run_cases(pack: Any) -> list[CaseOutcome]:
    """Run a pack's declared CASES; a topology built once per builder function."""
    by_id = {r.id: r for r in pack.rules}
    built: dict[Any, Topology] = {}
    outcomes = []
    for case in pack.cases:
        try:
            if case.topology not in built:
                built[case.topology] = case.topology()
            ASSERTIONS[case.expect](built[case.topology], by_id[case.rule], case.resource,
                                    case.params)
            outcomes.append(CaseOutcome(case, True, ""))
        except AssertionError as exc:
            outcomes.append(CaseOutcome(case, False, str(exc)))
        except Exception as exc:  # the builder failed: the case proves nothing
            outcomes.append(CaseOutcome(case, False, f"{type(exc).__name__}: {exc}"))
    return outcomes
