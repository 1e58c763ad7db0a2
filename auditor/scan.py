"""A scan is a collection evaluated: ``scan = evaluate(collect())``.

`collect` reads the accounts and returns a `Collection` (sealed inventories, no secrets)
that can be saved as a snapshot; `evaluate` runs the rules over one. The scan command runs
both in one process, the collect and evaluate commands one each; the results are the same.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from auditor.accounts import DEFAULT_ROLE, assume
from auditor.collect import certificates, vpc_origin_access
from auditor.collect.account import METRIC_DAYS_DEFAULT, collect_inventory, identify
from auditor.collect.across import link_accounts
from auditor.collect.base import Calls
from auditor.collect.plan import Plan
from auditor.collect.route53 import Zones
from auditor.collect.tagging import stack_of
from auditor.engine import evaluate_topology, topology_of, unreachable
from auditor.findings import Result, Status
from auditor.gaps import Unavailable
from auditor.headers import seal_all, weak_threshold
from auditor.inventory import CallFailure, Inventory
from auditor.paths import PathPicture, pictures, with_exposure
from auditor.rule import Rule
from auditor.secrets import Secret
from auditor.session import AwsContext
from auditor.suppress import Entry, Usage, apply, tag_keys, tags_of


@dataclass(frozen=True)
class Collection:
    """What a collect run saw, and what it cost. Holds no secret."""

    id: str
    started_at: datetime
    finished_at: datetime
    regions: tuple[str, ...]
    api_calls: int
    api_retries: int
    operations: dict[str, int]
    inventories: tuple[Inventory, ...]
    unreached: tuple[CallFailure, ...] = ()  # accounts whose role could not be assumed
    partition: str = "aws"

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(sorted({i.account for i in self.inventories}
                            | {f.account for f in self.unreached}))

    @property
    def failures(self) -> tuple[CallFailure, ...]:
        return tuple(f for i in self.inventories for f in i.failures) + self.unreached


@dataclass(frozen=True)
class ScanInfo:
    id: str
    started_at: datetime
    finished_at: datetime
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    api_calls: int
    api_retries: int
    errors: tuple[CallFailure, ...]
    rules: tuple[str, ...]
    operations: dict[str, int] = field(default_factory=dict)
    suppressions: tuple[dict[str, Any], ...] = ()  # each entry's reason, expiry, matches
    baseline: dict[str, Any] | None = None  # set by auditor.baseline
    # ``edge-audit iac``: "iac", the template files read, the rules not applicable
    # before deploy ({rule_id, reason}) and the warnings of reading the templates
    source: str = "aws"
    inputs: tuple[str, ...] = ()
    not_applicable: tuple[dict[str, str], ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    scan: ScanInfo
    results: tuple[Result, ...]
    secrets: tuple[Secret, ...] = ()  # for the reporters' last-line scrub; never rendered
    paths: tuple[PathPicture, ...] = ()  # the edge paths, for pictures (auditor.paths)
    rules: tuple[Rule, ...] = ()  # the rules run (their texts for the HTML report)

    @property
    def complete(self) -> bool:
        """True when every result could see its data.

        A failed call always reaches the results that needed its data (as ``error``); one
        that no selected rule needed is still listed in ``scan.errors``.
        """
        return all(r.status is not Status.ERROR for r in self.results)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def metric_days(params: Mapping[str, Mapping[str, Any]] | None = None) -> int:
    """The longest look-back any built-in rule asks for (its ``window_days`` parameter):
    the built-in metric collectors read that window, whichever rules are selected."""
    from auditor.rules import load_rules

    days = [int({**r.params, **(params or {}).get(r.id, {})}["window_days"])
            for r in load_rules() if "window_days" in r.params]
    return max(days, default=METRIC_DAYS_DEFAULT)


@dataclass(frozen=True)
class Targets:
    """Which accounts to scan, and how to get into each."""

    accounts: tuple[str, ...] = ()  # empty: the caller's own account
    role_name: str = DEFAULT_ROLE
    external_id: str | None = None
    parallel: int = 4


def collect(ctx: AwsContext, regions: Sequence[str],
            params: Mapping[str, Mapping[str, Any]] | None = None,
            rules: Sequence[Rule] | None = None, targets: Targets | None = None,
            progress=None, tag_keys: frozenset[str] = frozenset(),
            pack_facets: Sequence[Any] = (),
            ) -> tuple[Collection, tuple[Secret, ...]]:
    """Read the accounts; return the sealed collection and the secrets it read (in memory
    only, for the reporters' scrub). With ``rules``, only what those rules need is read;
    ``pack_facets`` are the loaded rule packs' facets (auditor.facets), of which those the
    rules need (all of them without ``rules``) are collected too.

    Accounts are read in parallel; one whose role cannot be assumed is recorded as
    unreached (its results become ``error``), and the others go on.
    """
    started = now()
    caller, partition = identify(ctx)
    ctx.account = caller
    targets = targets or Targets()
    plan = (Plan.for_rules(rules, pack_facets) if rules is not None
            else Plan.everything(pack_facets))
    plan = replace(plan, tag_keys=frozenset(tag_keys))
    days = metric_days(params)
    contexts: list[AwsContext] = [ctx]

    def one(account: str):
        context = ctx if account == caller else assume(
            ctx, account, partition, targets.role_name, targets.external_id)
        if isinstance(context, CallFailure):
            return context
        if context is not ctx:
            contexts.append(context)
        if progress is not None:
            progress.attach(context)
        zones = Zones(Calls(context, account))
        try:
            return collect_inventory(context, list(regions), account, partition, days, plan,
                                     zones=zones), zones
        finally:
            if progress is not None:
                progress.account_done()

    accounts = list(targets.accounts) or [caller]
    try:
        with ThreadPoolExecutor(max(1, min(targets.parallel, len(accounts)))) as pool:
            outcomes = list(pool.map(one, accounts))
        found = [o for o in outcomes if not isinstance(o, CallFailure)]
        # One graph across the run: DNS chains and edge details that cross accounts.
        linked = link_accounts(found, plan, days)
        if plan.path:  # link 4: certificates, where an HTTPS origin resolves through no record
            every = {z.calls.account: z.calls for _, z in found}
            linked = certificates.attach(linked, every, "listener_certificates" in plan)
            if "vpc_origin_access" in plan:  # SG-003: once the paths are known
                linked = vpc_origin_access.attach(linked, every)
        inventories, secrets = seal_all(linked, weak_threshold(params))
    finally:
        for context in contexts[1:]:
            context.close()  # its counters stay; its clients go
    operations: Counter = Counter()
    for context in contexts:
        operations.update(context.stats.operations)
    collection = Collection(
        id=str(uuid.uuid4()), started_at=started, finished_at=now(), regions=tuple(regions),
        api_calls=sum(c.stats.attempts for c in contexts),
        api_retries=sum(c.stats.retries for c in contexts),
        operations=dict(sorted(operations.items())),
        inventories=inventories,
        unreached=tuple(o for o in outcomes if isinstance(o, CallFailure)),
        partition=partition)
    return collection, tuple(secrets)


def evaluate(collection: Collection, rules: Sequence[Rule],
             params: Mapping[str, Mapping[str, Any]] | None = None,
             secrets: Sequence[Secret] = (), suppressions: Sequence[Entry] = (),
             today: date | None = None) -> Report:
    """Run the rules over a collection, then the suppressions over the failures (each
    account's against its own tags)."""
    today = today or now().date()
    results: list[Result] = []
    matched = [0] * len(suppressions)
    topo = topology_of(*collection.inventories)  # one graph: paths cross accounts
    paths = pictures(topo)
    evaluated = evaluate_topology(topo, rules, params)
    for inv in collection.inventories:  # each account's results against its own tags
        found, usage = apply([with_stack(r, inv.tags) for r in evaluated
                              if r.account == inv.account], suppressions, inv.tags, today)
        results += found
        matched = [m + u.matched for m, u in zip(matched, usage, strict=True)]
    for failure in collection.unreached:
        results += [unreachable(rule, failure.account, collection.partition,
                                f"{failure.operation} failed: {failure.code}: {failure.message}")
                    for rule in rules]
    info = ScanInfo(
        id=collection.id, started_at=collection.started_at,
        finished_at=collection.finished_at, accounts=collection.accounts,
        regions=collection.regions, api_calls=collection.api_calls,
        api_retries=collection.api_retries, errors=collection.failures,
        rules=tuple(r.id for r in rules), operations=dict(collection.operations),
        suppressions=tuple(Usage(e, e.expired(today), n).as_dict()
                           for e, n in zip(suppressions, matched, strict=True)))
    paths = with_exposure(paths, results, info.rules)
    return Report(info, tuple(results), tuple(secrets), paths, tuple(rules))


def with_stack(result: Result, tags) -> Result:
    """The result with the CloudFormation stack its resource belongs to, when tagged."""
    if isinstance(tags, Unavailable) or not tags:
        return result
    stack = stack_of(dict(tags_of(result.resource.arn, tags)))
    return replace(result, resource=replace(result.resource, stack=stack)) if stack else result


def scan_account(ctx: AwsContext, regions: Sequence[str], rules: Sequence[Rule],
                 params: Mapping[str, Mapping[str, Any]] | None = None,
                 suppressions: Sequence[Entry] = ()) -> Report:
    collection, secrets = collect(ctx, regions, params, rules,
                                  tag_keys=tag_keys(suppressions))
    return evaluate(collection, rules, params, secrets, suppressions)
