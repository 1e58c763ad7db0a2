"""Linking the accounts of one run: the request path crosses account boundaries.

In an AWS Organization the distribution usually lives in an edge (or network) account,
the ALB in a workload account and the public zone in a DNS account. Each account is
collected on its own first (`collect_inventory`); then this module follows the origins'
Route 53 chains through every account's zones, and reads the edge details of the
distributions that only another account's ALB made part of an edge path. Nothing is read
twice: each account's zones are listed once, each domain is asked once per account, and
details are read only for distributions that lack them.
"""

from __future__ import annotations

from dataclasses import replace

from auditor.collect.account import _Collector, resolve_dns
from auditor.collect.plan import Plan
from auditor.collect.route53 import Zones
from auditor.collect.runner import DEFAULT_WORKERS, PHASE_WORKERS, Runner
from auditor.inventory import Inventory


def _edge_arns(*inventories: Inventory) -> set[str]:
    from auditor.topology import Topology

    return {d.arn for d in Topology(*inventories).edge_distributions().items}


def link_accounts(found: list[tuple[Inventory, Zones]], plan: Plan, metric_days: int,
                  workers: int = DEFAULT_WORKERS) -> list[Inventory]:
    """The inventories of a run, linked across accounts (unsealed, like their input)."""
    inventories = [inv for inv, _ in found]
    if len(found) < 2 or not plan.path:
        return inventories
    zones = {inv.account: z for inv, z in found}
    read = {inv.account: _edge_arns(inv) for inv in inventories}  # details already read
    inventories = resolve_dns(inventories, zones)
    from auditor.topology import Topology

    edge = Topology(*inventories).edge_distributions().items
    linked = []
    for inv in inventories:
        calls = zones[inv.account].calls
        missing = [d for d in edge if d.account == inv.account and d.arn not in read[inv.account]]
        if missing:
            collector = _Collector(calls, inv.account, plan, metric_days, workers)
            with Runner(PHASE_WORKERS) as phase, Runner(workers) as edge_pool:
                collector.edge_pool = edge_pool
                inv = collector.finish_edge(inv, collector.start_edge(inv, phase, missing))
        linked.append(replace(inv, failures=tuple(calls.failures)))
    return linked
