"""BYP-009 and BYP-010: is the secret header a secret?

rec. 3's second lock is only as good as the values the ALB accepts. A short or wildcard
value is guessed (or is ``*``, which accepts anything once the name is known); a value
left accepted after a rotation is an old secret that still opens the ALB, and old secrets
are the ones that leaked. Both verdicts were computed when the inventory was sealed
(`auditor.headers`): the rules see counts and verdicts, never a value, a length or a hash.

A route counts as guarded by its strongest layer: a listener rule's header conditions
must all pass (one condition without a weak value is enough to keep guesses out), and the
ALB's web ACL guards every route before the rules (one check without a weak value there is
enough too).
"""

from __future__ import annotations

from auditor.findings import Severity, Verdict
from auditor.gaps import DataUnavailable, Unavailable
from auditor.inventory import LoadBalancer
from auditor.routes import private_only
from auditor.rule import Params, Rule, SubjectKind
from auditor.rules._common import path_evidence, path_related, rule_evidence, sent_header_names
from auditor.topology import Topology


def _threshold(topo: Topology, alb: LoadBalancer, params: Params) -> int:
    """The threshold asked for must be the one the inventory was sealed with: the values
    are gone, so a snapshot cannot be re-judged at another one."""
    asked, sealed = int(params["min_literals"]), topo.weak_threshold(alb)
    if sealed and sealed != asked:
        raise DataUnavailable(Unavailable(
            "edge-audit:seal", "ThresholdMismatch",
            f"weakness was judged at {sealed} literal characters when the data was "
            f"collected; collect again to judge at {asked}"))
    return asked


def _checks(items, names: set[str]) -> list:
    return [c for c in items if c.name.lower() in names]


UNTOLD = "untold"  # a layer whose only strong candidates are known only at deploy time


def _weak_layer(checks) -> bool | str | None:
    """True: the layer has checks and each holds a guessable value; False: some check
    holds none (guesses stay out); UNTOLD: no check is known to keep guesses out, but
    some accept a value only the deployment tells (a secret reference, a variable);
    None: the layer checks nothing CloudFront sends."""
    if not checks:
        return None
    if any(c.weak_values == 0 and c.undetermined_values == 0 for c in checks):
        return False
    if any(c.weak_values == 0 for c in checks):
        return UNTOLD
    return True


DEPLOY_TIME_STRENGTH = Unavailable(
    "edge-audit:template", "KnownOnlyAtDeploy",
    "whether the secret header value is guessable is known only at deploy time (a "
    "{{resolve:...}} reference or a Terraform variable: nothing in the source says how "
    "long or random it is)")


def check_origin_secret_weak(topo: Topology, alb: LoadBalancer, params: Params):
    paths = topo.edge_paths_of_alb(alb)
    if not paths:
        return None
    threshold = _threshold(topo, alb, params)
    names = sent_header_names(paths)
    acl = topo.alb_web_acl(alb)
    acl_checks = _checks(acl.header_checks, names) if acl else []
    acl_weak = _weak_layer(acl_checks)
    weak_rules, untold = [], False
    for listener, rule in topo.forwarding_rules(alb):
        if private_only(rule):
            continue
        checks = _checks(rule.header_conditions, names)
        rule_weak = _weak_layer(checks)
        if False in (rule_weak, acl_weak) or (rule_weak, acl_weak) == (None, None):
            continue  # a strong layer guards it, or nothing does (BYP-003's concern)
        if UNTOLD in (rule_weak, acl_weak):
            untold = True  # a weak layer may sit behind a strong one: the deploy tells
            continue
        weak_rules.append(dict(
            rule_evidence(listener.port, rule),
            headers=[{"header": c.name, "values_accepted": c.accepted_count,
                      "weak_values": c.weak_values} for c in checks]))
    related = path_related(paths, albs=False)
    evidence = {"min_literals": threshold, "weak_routes": weak_rules}
    if acl_checks:
        evidence["web_acl"] = {"name": acl.name, "checks": [
            {"header": c.name, "values_accepted": c.accepted_count,
             "weak_values": c.weak_values} for c in acl_checks]}
    if weak_rules:
        evidence["origins"] = [path_evidence(p) for p in paths]
        return Verdict.fail(
            f"{len(weak_rules)} route(s) to Lambda accept a guessable secret-header value "
            f"(fewer than {threshold} literal characters, or a wildcard): anyone who adds "
            "the header name, and a short guess, reaches the function", related, **evidence)
    if untold:
        raise DataUnavailable(DEPLOY_TIME_STRENGTH)
    return Verdict.ok("Every header check on a route to Lambda requires a value that "
                      "cannot be guessed", related, **evidence)


def _stale(topo: Topology, alb: LoadBalancer, owner: str, index: int, check
           ) -> tuple[int, bool]:
    """(accepted values no fronting distribution sends, whether some are undetermined)."""
    verdicts = [topo.value_sent(alb, owner, index, j) for j in range(check.accepted_count)]
    return verdicts.count(False), None in verdicts


UNDETERMINED = Unavailable(
    "elbv2:DescribeRules", "Undetermined",
    "whether an accepted RegexValue (or a web ACL match with a text transformation this "
    "tool does not model) matches what CloudFront sends is undetermined")


def check_stale_origin_secret(topo: Topology, alb: LoadBalancer, params: Params):
    paths = topo.edge_paths_of_alb(alb)
    if not paths:
        return None
    names = sent_header_names(paths)
    reachable = {rule.arn for path in paths for _, rule in topo.reachable_rules(path)}
    stale, open_question = [], False
    for listener, rule in topo.forwarding_rules(alb):
        if rule.arn not in reachable:
            continue
        for index, condition in enumerate(rule.header_conditions):
            if condition.name.lower() not in names:
                continue
            unsent, unknown = _stale(topo, alb, rule.arn, index, condition)
            open_question |= unknown
            if unsent:
                stale.append(dict(rule_evidence(listener.port, rule), header=condition.name,
                                  values_accepted=condition.accepted_count,
                                  values_no_distribution_sends=unsent))
    acl = topo.alb_web_acl(alb)
    for index, check in enumerate(acl.header_checks if acl and reachable else ()):
        if check.name.lower() not in names:
            continue
        unsent, unknown = _stale(topo, alb, acl.arn, index, check)
        open_question |= unknown
        if unsent:
            stale.append({"web_acl": acl.name, "header": check.name,
                          "values_accepted": check.accepted_count,
                          "values_no_distribution_sends": unsent})
    related = path_related(paths, albs=False)
    if stale:
        return Verdict.fail(
            "A header check accepts a value that no fronting distribution sends: an old "
            "secret still opens the ALB. In the middle of a rotation this is expected; "
            "otherwise finish it", related, stale_checks=stale,
            distributions=sorted({p.distribution.id for p in paths}),
            origins=[path_evidence(p) for p in paths])
    if open_question:
        raise DataUnavailable(UNDETERMINED)
    return Verdict.ok("Every accepted secret-header value is one a fronting distribution "
                      "sends", related, distributions=sorted({p.distribution.id for p in paths}))


ROTATION = (
    "Rotate without an outage: add the new value to the ALB's check first (a second value "
    "in the condition, or a second rule), then change the distribution's origin header, "
    "wait until the change is deployed everywhere, and only then remove the old value. "
    "Removing or changing the accepted value first sends every request to the default "
    "action.")

RULES = (
    Rule(
        "BYP-009",
        "origin-secret-weak",
        Severity.HIGH,
        "Secret origin header accepts a guessable value",
        "rec. 3",
        "rec. 3: a secret header that only CloudFront knows",
        "The header check is the lock that keeps requests that skipped CloudFront (and its "
        "WAF) out. A value with few literal characters, a wildcard such as *, or a regex "
        "such as .* is not a secret: anyone who learns the header name, which is often "
        "X-Origin-Verify, passes it. AWS's own pattern uses a generated value rotated by "
        "Secrets Manager.",
        "Generate a long random value (32 characters or more, from Secrets Manager) and "
        "accept only it. " + ROTATION,
        SubjectKind.LAMBDA_ALB,
        check_origin_secret_weak,
        params={"min_literals": 16},
        needs=("alb_waf",),
    ),
    Rule(
        "BYP-010",
        "stale-origin-secret-accepted",
        Severity.MEDIUM,
        "Old secret origin header value still accepted",
        "rec. 3, FM",
        "rec. 3: rotate the secret header, and finish each rotation",
        "After a rotation the ALB should accept only what CloudFront sends. A value no "
        "fronting distribution sends is a former secret, and former secrets are the ones "
        "that have been in logs, tickets and old templates: it still opens the ALB to "
        "anyone who has it.",
        "Confirm that every distribution fronting the ALB sends the new value (its "
        "deployment is complete), then remove the old value from the listener rule or web "
        "ACL. Removing it before then breaks the distributions still sending it.",
        SubjectKind.LAMBDA_ALB,
        check_stale_origin_secret,
        needs=("alb_waf",),
    ),
)
