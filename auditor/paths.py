"""Edge paths as pictures: for each Lambda ALB, what fronts it and where its rules lead.

``distributions -> ALB -> listener rules -> target groups -> functions``, as plain data
(no secrets: rules are labelled by listener, priority and path, and say only *whether*
they check a header). Computed once per evaluation from the topology, carried on the
report and in the JSON (``paths``), and drawn by the HTML report, which marks each
piece with the rules that fail on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.gaps import DataUnavailable, Unavailable
from auditor.topology import Topology


@dataclass(frozen=True)
class Piece:
    arn: str
    name: str


@dataclass(frozen=True)
class Route:
    """One listener rule that forwards to a Lambda target group, and what it reaches."""

    rule: Piece  # name: "HTTPS:443 #10 /api/*", or "... default"
    checks_header: bool
    target_group: Piece
    functions: tuple[Piece, ...]


@dataclass(frozen=True)
class PathPicture:
    account: str
    region: str
    alb: Piece
    distributions: tuple[Piece, ...]
    routes: tuple[Route, ...]
    complete: bool = True  # False: part of the path could not be read

    def arns(self) -> set[str]:
        found = {self.alb.arn, *(d.arn for d in self.distributions)}
        for route in self.routes:
            found |= {route.rule.arn, route.target_group.arn,
                      *(f.arn for f in route.functions)}
        return found


def _rule_label(listener, rule) -> str:
    where = "default" if rule.is_default else f"#{rule.priority} " + (
        ",".join(rule.path_patterns) or "(other conditions)")
    return f"{listener.protocol}:{listener.port} {where}".strip()


def _function_label(arn: str) -> str:
    """``name`` or ``name:qualifier`` from a function ARN as registered."""
    parts = arn.split(":")
    if len(parts) < 7:
        return arn
    return parts[6] + (f":{parts[7]}" if len(parts) > 7 else "")


def pictures(topology: Topology) -> list[PathPicture]:
    """One picture per Lambda ALB of the inventory, fronted or not."""
    found = []
    for alb in topology.lambda_albs().items:
        complete = True
        try:
            fronts = topology.edge_paths_of_alb(alb)
        except DataUnavailable:
            fronts, complete = [], False
        distributions = tuple(dict.fromkeys(
            Piece(p.distribution.arn, p.distribution.id) for p in fronts))
        routes = []
        groups = {tg.arn: tg for tg in topology.target_groups_of(alb)}
        try:
            forwarding = list(topology.forwarding_rules(alb))
        except DataUnavailable:
            forwarding, complete = [], False
        for listener, rule in forwarding:
            for tg_arn in rule.forward_target_groups:
                tg = groups.get(tg_arn)
                if tg is None:
                    continue
                targets = () if isinstance(tg.targets, Unavailable) else tg.targets
                complete = complete and not isinstance(tg.targets, Unavailable)
                routes.append(Route(Piece(rule.arn, _rule_label(listener, rule)),
                                    bool(rule.header_conditions), Piece(tg.arn, tg.name),
                                    tuple(Piece(t, _function_label(t)) for t in targets)))
        found.append(PathPicture(alb.account, alb.region, Piece(alb.arn, alb.name),
                                 distributions, tuple(routes), complete))
    return found
