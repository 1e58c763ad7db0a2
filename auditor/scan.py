"""A scan: collect an account, evaluate the rules, and describe the run itself."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from auditor.collect.account import collect_inventory, identify
from auditor.engine import evaluate
from auditor.findings import Result, Status
from auditor.inventory import CallFailure
from auditor.rule import Rule
from auditor.secrets import Secret
from auditor.session import AwsContext


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


@dataclass(frozen=True)
class Report:
    scan: ScanInfo
    results: tuple[Result, ...]
    secrets: tuple[Secret, ...] = ()  # for the reporters' last-line scrub; never rendered

    @property
    def complete(self) -> bool:
        """True when every result could see its data.

        A failed call always reaches the results that needed its data (as ``error``); one
        that no selected rule needed is still listed in ``scan.errors``.
        """
        return all(r.status is not Status.ERROR for r in self.results)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def scan_account(ctx: AwsContext, regions: Sequence[str], rules: Sequence[Rule]) -> Report:
    started = now()
    account, partition = identify(ctx)
    inventory = collect_inventory(ctx, list(regions), account, partition)
    results = evaluate(inventory, rules)
    info = ScanInfo(
        id=str(uuid.uuid4()),
        started_at=started,
        finished_at=now(),
        accounts=(account,),
        regions=tuple(regions),
        api_calls=ctx.stats.attempts,
        api_retries=ctx.stats.retries,
        errors=inventory.failures,
        rules=tuple(r.id for r in rules),
        operations=dict(sorted(ctx.stats.operations.items())),
    )
    return Report(info, tuple(results), tuple(inventory.secrets()))
