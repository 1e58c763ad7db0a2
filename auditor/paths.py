"""Edge paths as pictures: for each Lambda ALB, what fronts it and where its rules lead.

``distributions -> ALB -> listener rules -> target groups -> functions``, as plain data
(no secrets: rules are labelled by listener, priority and path, and say only *whether*
they check a header). Computed once per evaluation from the topology, carried on the
report and in the JSON (``paths``), and drawn by the HTML report, which marks each
piece with the rules that fail on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from auditor.findings import Result, Status
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
class Door:
    """A way around CloudFront, open on this path, and the failing rules that show it."""

    door: str  # one of DOORS
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Exposure:
    """The answer the pattern exists for: can the path's functions be reached without
    going through CloudFront? ``yes`` (by the open ``doors``), ``no``, or ``unknown`` (a
    rule that would say could not see its data, or was not run: never a silent no)."""

    verdict: str  # yes | no | unknown
    doors: tuple[Door, ...] = ()
    # open, but another guard still stops a request (an open security group behind an
    # enforced header check): reachable at the network, not to the functions
    weakened: tuple[Door, ...] = ()
    unknown: tuple[str, ...] = ()  # door rules that gave error, or were not run
    worst: tuple[str, ...] = ()  # the path's worst failing rule ids, worst first


# door -> the rules whose failure opens it (catalogue 1.1)
DOORS = {
    "header check": ("BYP-002", "BYP-003", "BYP-009"),  # missing, not enforced, guessable
    "function URL": ("BYP-006",),  # a public function URL: around the ALB altogether
    "no CloudFront": ("BYP-005",),  # an internet-facing Lambda ALB nothing fronts
    "security group": ("BYP-001", "SG-001"),  # the ALB admits more than CloudFront
}
# With the header enforced, an open security group lets requests reach the ALB, which
# rejects them: the door is weakened (one guard left), not open.
NEEDS_ANOTHER = {"security group"}


@dataclass(frozen=True)
class PathPicture:
    account: str
    region: str
    alb: Piece
    distributions: tuple[Piece, ...]
    routes: tuple[Route, ...]
    complete: bool = True  # False: part of the path could not be read
    exposure: Exposure | None = None  # set once the rules have run (with_exposure)

    def arns(self) -> set[str]:
        found = {self.alb.arn, *(d.arn for d in self.distributions)}
        for route in self.routes:
            found |= {route.rule.arn, route.target_group.arn,
                      *(f.arn for f in route.functions)}
        return found


def _relevant(door: str, path: PathPicture) -> bool:
    """The header check matters where CloudFront fronts the ALB; "no CloudFront" where
    nothing does."""
    if door == "header check":
        return bool(path.distributions)
    if door == "no CloudFront":
        return not path.distributions
    return True


def exposure_of(path: PathPicture, results: Iterable[Result], ran: Iterable[str]
                ) -> Exposure:
    """The path's verdict from the results on its pieces (``ran``: the rule ids the scan
    ran). A door rule that errored there, or was not run, makes a "no" an "unknown". A
    suppressed failure still opens its door: a suppression accepts a risk, it does not
    close the way in."""
    arns, ran = path.arns(), set(ran)
    mine = [r for r in results if r.resource.arn in arns]
    failing = [r for r in mine if r.status in (Status.FAIL, Status.SUPPRESSED)]
    failed_ids = {r.rule_id for r in failing}
    errored = {r.rule_id for r in mine if r.status is Status.ERROR}
    open_doors, weakened, unknown = [], [], []
    for door, rules in DOORS.items():
        hit = tuple(r for r in rules if r in failed_ids)
        if hit:
            (weakened if door in NEEDS_ANOTHER else open_doors).append(Door(door, hit))
        if _relevant(door, path):
            unknown += [r for r in rules if r in errored or r not in ran]
    if open_doors:
        # an open security group is a door too when another door is open with it
        open_doors += weakened
        weakened = []
        verdict = "yes"
    else:
        verdict = "unknown" if unknown else "no"
    worst = sorted({(r.severity.rank, r.rule_id) for r in failing if r.severity.rank > 0},
                   key=lambda x: (-x[0], x[1]))
    return Exposure(verdict, tuple(open_doors), tuple(weakened), tuple(dict.fromkeys(unknown)),
                    tuple(rule for _, rule in worst[:3]))


def with_exposure(paths: Iterable[PathPicture], results: Iterable[Result],
                  ran: Iterable[str]) -> tuple[PathPicture, ...]:
    results, ran = list(results), tuple(ran)
    return tuple(replace(p, exposure=exposure_of(p, results, ran)) for p in paths)


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


def distribution_label(dist) -> str:
    """A distribution as people know it: its first alias, else its domain (the id says
    nothing to whoever reads the report)."""
    return dist.aliases[0] if dist.aliases else (dist.domain_name or dist.id)


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
            Piece(p.distribution.arn, distribution_label(p.distribution)) for p in fronts))
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
