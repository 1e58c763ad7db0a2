"""The secret origin header (BYP-002, BYP-003, BYP-004, BYP-009, BYP-010), per ALB.

The order is the whole fix. Turn the ALB's check on before CloudFront sends the header and
every request falls to the default action; remove an old value before every edge location
sends the new one and the same happens mid-deploy. So, per ALB:

1. a new secret, made by the shell at run time (never in the plan file);
2. the ALB accepts it, behaviour unchanged: rules that already check the header accept it
   beside their current values; each unguarded rule gets a guarded copy just before it,
   and a forwarding default action a guarded rule after every other;
3. CloudFront's origin(s) send it; the script waits for the distribution to deploy;
4. only then: the unguarded rules go, the default action becomes a fixed 403, and every
   header check keeps only the values the fronting origins send (old and weak ones out).

BYP-010 alone (an old value still accepted, CloudFront sending a good one) is step 4's
last part only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from auditor.fix.context import Context, distribution_edit
from auditor.fix.findings import Finding, listener_of
from auditor.fix.model import Call, Closes, Phase, Shell, Step
from auditor.session import GLOBAL_SERVICE_REGION as EDGE_REGION  # CloudFront's API

RULES = ("BYP-002", "BYP-003", "BYP-004", "BYP-009", "BYP-010")
DEFAULT_HEADER = "X-Origin-Verify"


@dataclass
class _Alb:
    arn: str
    name: str
    region: str
    account: str
    owner: Finding | None = None  # a result on the ALB itself (for its stack or location)
    origins: dict[tuple[str, str], str] = field(default_factory=dict)  # (dist, origin) -> acct
    headers: list[str] = field(default_factory=list)
    listeners: list[str] = field(default_factory=list)
    unguarded: list[dict] = field(default_factory=list)  # BYP-003 rule entries
    findings: list[Finding] = field(default_factory=list)
    bare: dict[tuple[str, str], Finding] = field(default_factory=dict)  # BYP-002's origins

    def rule_ids(self) -> set[str]:
        return {f.rule_id for f in self.findings}

    def closes(self, *rule_ids: str) -> list[Closes]:
        return [f.closes for f in self.findings if f.rule_id in rule_ids]

    def checks_exist(self) -> bool:
        """Whether some rule already checks the header (so it has values to keep)."""
        return bool(self.rule_ids() & {"BYP-004", "BYP-009", "BYP-010"}) or any(
            f.evidence.get("weak_checks") for f in self.findings if f.rule_id == "BYP-003")

    def header(self) -> str:
        return self.headers[0] if self.headers else DEFAULT_HEADER


def _add_listener(alb: _Alb, rule_arn: str) -> None:
    listener = listener_of(rule_arn)
    if listener not in alb.listeners:
        alb.listeners.append(listener)


def _origins(alb: _Alb, entries, account: str) -> None:
    for o in entries:
        alb.origins.setdefault((o["distribution"], o["origin_id"]),
                               o.get("distribution_account", account))


def _group(ctx: Context) -> list[_Alb]:
    albs: dict[str, _Alb] = {}

    def alb_of(arn: str, region: str, account: str, name: str) -> _Alb:
        return albs.setdefault(arn, _Alb(arn, name, region, account))

    for f in ctx.failures.of("BYP-002"):
        for o in f.evidence.get("origins", []):
            if o.get("custom_headers") or o.get("vpc_origin") or o.get("origin_mtls"):
                continue
            arn = o.get("load_balancer_arn") or next(
                (a for a in f.related if ":loadbalancer/" in a), "")
            if not arn:
                continue  # a report older than 0.8.0 that names no ALB: a manual step
            _, _, _, region, account, _ = arn.split(":", 5)
            alb = alb_of(arn, region, account, o["load_balancer"])
            if f not in alb.findings:
                alb.findings.append(f)
            alb.origins.setdefault((o["distribution"], o["origin_id"]), f.account)
            alb.bare[(o["distribution"], o["origin_id"])] = f
    for f in ctx.failures.of("BYP-003", "BYP-004", "BYP-009", "BYP-010"):
        alb = alb_of(f.arn, f.region, f.account, f.name)
        alb.owner = f
        alb.findings.append(f)
        ev = f.evidence
        _origins(alb, ev.get("origins", []), f.account)
        if f.rule_id == "BYP-003":
            alb.unguarded += ev.get("unguarded_rules", [])
            for rule in ev.get("unguarded_rules", []):
                _add_listener(alb, rule["rule_arn"])
            alb.headers += [h for h in ev.get("headers_sent", []) if h not in alb.headers]
        elif f.rule_id == "BYP-004":
            for route in ev.get("mismatched_routes", []):
                _origins(alb, [route], f.account)
                alb.headers[:0] = [h for h in route.get("headers", []) if h not in alb.headers]
                for rule in route.get("rules", []):
                    _add_listener(alb, rule["rule_arn"])
        elif f.rule_id == "BYP-009":
            for route in ev.get("weak_routes", []):
                _add_listener(alb, route["rule_arn"])
                alb.headers[:0] = [h["header"] for h in route.get("headers", [])
                                   if h["header"] not in alb.headers]
        else:
            for check in ev.get("stale_checks", []):
                if "rule_arn" in check:
                    _add_listener(alb, check["rule_arn"])
                    if check["header"] not in alb.headers:
                        alb.headers.insert(0, check["header"])
    return list(albs.values())


def build(ctx: Context) -> list[Step]:
    steps: list[Step] = []
    for n, alb in enumerate(_group(ctx), start=1):
        every = tuple(f.closes for f in alb.findings)
        steps += [replace(s, serves=tuple(c for c in every if c not in s.closes))
                  for s in _steps(ctx, alb, f"ORIGIN_SECRET_{n}")]
    return steps


def _steps(ctx: Context, alb: _Alb, var: str) -> list[Step]:
    owner = alb.owner or alb.findings[0]
    header = alb.header()
    rotate = bool(alb.rule_ids() & {"BYP-002", "BYP-003", "BYP-004", "BYP-009"})
    pairs = [f"{d}:{o}" for d, o in alb.origins]
    steps: list[Step] = []
    if rotate:
        steps.append(ctx.step(
            owner, Phase.HEADER_ACCEPT, f"Make a new origin secret for {alb.name}", (),
            "The value is made by the shell when the script runs and lives only in its "
            "environment: it is in no file, log or plan.",
            shell=[Shell("fix_secret", (var,))],
            change=f"Create an AWS::SecretsManager::Secret with GenerateSecretString "
                   f"(PasswordLength 32 or more, ExcludePunctuation true) for the {header} "
                   "header, and refer to it with {{resolve:secretsmanager:...}} in the "
                   "listener rules and the distribution's origin"))
        steps += _accept(ctx, alb, owner, header, var)
        steps += _send(ctx, alb, owner, header, var)
    steps += _close(ctx, alb, owner, header, var, pairs, rotate)
    return steps


def _accept(ctx: Context, alb: _Alb, owner: Finding, header: str, var: str) -> list[Step]:
    steps = []
    for listener in alb.listeners if alb.checks_exist() else ():
        steps.append(ctx.step(
            owner, Phase.HEADER_ACCEPT,
            f"{alb.name}: rules of listener {listener.rsplit('/', 1)[-1]} that check {header} "
            "also accept the new secret", (),
            "Adds a value beside the ones accepted now: nothing CloudFront sends today stops "
            "matching.",
            calls=[Call("elbv2", "ModifyRule", alb.region, {},
                        {"RuleArn": f"each rule of {listener} with an http-header condition "
                                    f"on {header}",
                         "Conditions": "its current conditions, the new secret added to "
                                       f"the {header} values"})],
            shell=[Shell("need_secret", (var,)),
                   Shell("alb_accept", (alb.region, listener, header, var))],
            change=f"In every listener rule of {listener.rsplit('/', 1)[-1]} with an "
                   f"http-header condition on {header}, add the new secret to Values "
                   "(deploy this change on its own first)"))
    for rule in alb.unguarded:
        if rule.get("default_action"):
            continue
        steps.append(ctx.step(
            owner, Phase.HEADER_ACCEPT,
            f"{alb.name}: a copy of rule {rule['rule_priority']} (port "
            f"{rule['listener_port']}) that requires {header}", (),
            "Requests with the header take the copy, the rest the original: behaviour is "
            "unchanged until CloudFront sends it. Stops if no priority is free just before "
            "the rule.",
            calls=[Call("elbv2", "CreateRule", alb.region,
                        {"ListenerArn": listener_of(rule["rule_arn"])},
                        {"Priority": f"the free priority just before {rule['rule_priority']}",
                         "Conditions": f"the conditions of {rule['rule_arn']} plus "
                                       f"http-header {header} = the new secret",
                         "Actions": f"the actions of {rule['rule_arn']}"})],
            shell=[Shell("need_secret", (var,)),
                   Shell("alb_guard_copy", (alb.region, rule["rule_arn"], header, var))],
            change=f"Add an http-header condition on {header} with the secret to the "
                   f"listener rule at priority {rule['rule_priority']}"))
    for rule in alb.unguarded:
        if not rule.get("default_action"):
            continue
        listener = listener_of(rule["rule_arn"])
        steps.append(ctx.step(
            owner, Phase.HEADER_ACCEPT,
            f"{alb.name}: a rule after all others that requires {header} and does what the "
            f"default action of port {rule['listener_port']} does", (),
            "Only requests that fell to the default action and carry the header take it: "
            "the same target as before.",
            calls=[Call("elbv2", "CreateRule", alb.region, {"ListenerArn": listener},
                        {"Priority": "the highest free priority",
                         "Conditions": f"http-header {header} = the new secret",
                         "Actions": "the listener's default actions"})],
            shell=[Shell("need_secret", (var,)),
                   Shell("alb_guard_default", (alb.region, listener, header, var))],
            change=f"Add a listener rule (highest priority number) with an http-header "
                   f"condition on {header} that forwards as the default action does"))
    return steps


def _send(ctx: Context, alb: _Alb, owner: Finding, header: str, var: str) -> list[Step]:
    steps = []
    for (dist, origin), account in alb.origins.items():
        closes = [f.closes for f in alb.findings
                  if f.rule_id == "BYP-002" and alb.bare.get((dist, origin)) is f]
        closes += alb.closes("BYP-004")
        edit = {"op": "origin_header", "origin": origin, "header": header, "env": var}
        calls, shell = distribution_edit(dist, edit, f"origin {origin}'s custom header "
                                                     f"{header} set to the new secret")
        steps.append(ctx.step(
            alb.bare.get((dist, origin)) or owner, Phase.HEADER_SEND,
            f"Distribution {dist}: origin {origin} sends {header}, then wait until it is "
            "deployed", closes,
            "Every edge location must send the new value before the ALB stops accepting "
            "anything else; the wait is `aws cloudfront wait distribution-deployed`.",
            calls=calls,
            shell=[Shell("need_secret", (var,)), *shell, Shell("cf_wait", (EDGE_REGION, dist))],
            change=f"Origin {origin}: OriginCustomHeaders {header} = the secret "
                   "(a {{resolve:secretsmanager:...}} reference); deploy after the ALB "
                   "change and before the next one",
            resource_type="AWS::CloudFront::Distribution", account=account,
            logical_id="" if alb.bare.get((dist, origin)) else f"the distribution {dist}",
            target=_distribution_arn(alb, dist, account)))
    return steps


def _close(ctx: Context, alb: _Alb, owner: Finding, header: str, var: str,
           pairs: list[str], rotated: bool) -> list[Step]:
    steps = []
    checks = [Shell("cf_sends", (EDGE_REGION, d, o, header, var)) for d, o in alb.origins]
    sends = (f"every fronting origin ({', '.join(pairs)}) sends {header}" +
             (" with the new secret" if rotated else ""))
    rules = [r for r in alb.unguarded if not r.get("default_action")]
    defaults = [r for r in alb.unguarded if r.get("default_action")]
    byp003 = alb.closes("BYP-003")
    for i, rule in enumerate(rules):
        last = i == len(rules) - 1 and not defaults
        steps.append(ctx.step(
            owner, Phase.HEADER_CLOSE,
            f"{alb.name}: delete the unguarded rule {rule['rule_priority']} (its guarded "
            "copy now carries CloudFront's requests)", byp003 if last else (),
            "A direct request without the header no longer reaches the function on this "
            "route. Stops if the guarded copy is missing.",
            calls=[Call("elbv2", "DeleteRule", alb.region, {"RuleArn": rule["rule_arn"]})],
            shell=[*checks, Shell("alb_drop_unguarded", (alb.region, rule["rule_arn"], header))],
            preconditions=[sends, "a copy of the rule that requires the header exists"],
            change=f"(Same deploy as the header condition above: the rule at priority "
                   f"{rule['rule_priority']} now has it.)"))
    for i, rule in enumerate(defaults):
        listener = listener_of(rule["rule_arn"])
        steps.append(ctx.step(
            owner, Phase.HEADER_CLOSE,
            f"{alb.name}: the default action of port {rule['listener_port']} answers a "
            "fixed 403", byp003 if i == len(defaults) - 1 else (),
            "A request without the header (anyone going around CloudFront) gets 403. "
            "Stops unless a rule requiring the header does what the default did.",
            calls=[Call("elbv2", "ModifyListener", alb.region,
                        {"ListenerArn": listener, "DefaultActions": [{
                            "Type": "fixed-response", "FixedResponseConfig": {
                                "StatusCode": "403", "ContentType": "text/plain",
                                "MessageBody": "Forbidden"}}]})],
            shell=[*checks, Shell("alb_default_deny", (alb.region, listener, header))],
            preconditions=[sends],
            change="DefaultActions: Type fixed-response, FixedResponseConfig StatusCode 403 "
                   "(deploy after the distribution sends the header)",
            resource_type="AWS::ElasticLoadBalancingV2::Listener",
            logical_id=f"the listener on port {rule['listener_port']}"))
    keep = alb.closes("BYP-009", "BYP-010")
    if alb.checks_exist():
        for j, listener in enumerate(alb.listeners):
            steps.append(ctx.step(
                owner, Phase.HEADER_CLOSE,
                f"{alb.name}: header checks on listener {listener.rsplit('/', 1)[-1]} keep "
                "only the values CloudFront sends", keep if j == len(alb.listeners) - 1 else (),
                "Old, weak and mistyped values stop opening the ALB. Stops, changing "
                "nothing, if a rule would be left accepting no value CloudFront sends.",
                calls=[Call("cloudfront", "GetDistributionConfig", EDGE_REGION,
                            {"Id": pairs[0].split(":")[0]} if pairs else {}),
                       Call("elbv2", "ModifyRule", alb.region, {},
                            {"RuleArn": f"each rule of {listener} that checks {header}",
                             "Conditions": f"its conditions, the {header} values cut to "
                                           "those the fronting origins send"})],
                shell=[*checks, Shell("alb_keep_sent", (alb.region, listener, header, *pairs))],
                preconditions=[sends],
                change=f"Remove every {header} value but the current secret from the "
                       "listener rules (the last deploy of the rotation)"))
    return steps


def _distribution_arn(alb: _Alb, dist: str, account: str) -> str:
    partition = alb.arn.split(":")[1] if alb.arn.count(":") >= 5 else "aws"
    return f"arn:{partition}:cloudfront::{account}:distribution/{dist}"

