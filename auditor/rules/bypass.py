"""BYP: can a request reach the Lambda functions without passing through CloudFront?

The deep-dive's rec. 3 asks for two locks on every fronted ALB: a security group that only
admits CloudFront's origin-facing prefix list, and a secret header that CloudFront adds and
a listener rule checks. These rules check both locks, the ways around them (function URLs,
loose invoke permissions) and whether the secret travels in clear text.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from auditor.findings import Severity, Verdict
from auditor.gaps import DataUnavailable, Unavailable, need
from auditor.headers import condition_checks
from auditor.inventory import (
    Distribution,
    FunctionUrl,
    LambdaFunction,
    LoadBalancer,
    PolicyStatement,
)
from auditor.routes import private_only
from auditor.rule import Params, Rule, SubjectKind
from auditor.rules._common import (
    alb_arns_of,
    fronted_internet_paths,
    is_world,
    path_evidence,
    path_related,
    rule_evidence,
    sg_arn,
)
from auditor.topology import Topology

ELB_SERVICE = "elasticloadbalancing.amazonaws.com"


def check_alb_open_to_internet(topo: Topology, alb: LoadBalancer, params: Params) -> Verdict | None:
    paths = fronted_internet_paths(topo, alb)
    if paths is None:
        return None
    ports = topo.listener_ports(alb)
    openings = []
    for group in topo.security_groups_of(alb):
        for perm in group.ingress:
            world = [c for c in (*perm.ipv4_cidrs, *perm.ipv6_cidrs) if is_world(c)]
            admitted = [p for p in ports if perm.admits_port(p)]
            if world and admitted:
                # the whole permission, as RevokeSecurityGroupIngress must name it
                openings.append(
                    {"security_group": group.group_id, "ports": admitted, "sources": world,
                     "protocol": perm.protocol, "from_port": perm.from_port,
                     "to_port": perm.to_port}
                )
    related = path_related(paths, albs=False)
    related += [sg_arn(topo, alb, g) for g in alb.security_group_ids]
    if openings:
        return Verdict.fail(
            f"Security group admits listener port(s) {_ports(openings)} from the whole internet, "
            "so CloudFront, WAF and Shield can be skipped",
            related,
            open_permissions=openings,
            listener_ports=ports,
            **_cloudfront_lists(topo, alb),
        )
    return Verdict.ok(
        "No security group admits a listener port from 0.0.0.0/0 or ::/0",
        related,
        listener_ports=ports,
    )


def _cloudfront_lists(topo: Topology, alb: LoadBalancer) -> dict:
    """The origin-facing prefix lists of the ALB's region, which the fix admits instead
    (absent when they were not read: the plan then looks the id up itself)."""
    try:
        lists = topo.cloudfront_sources(alb)
    except DataUnavailable:
        return {}
    found = {"cloudfront_prefix_list": lists["ipv4"]} if lists["ipv4"] else {}
    if lists["ipv6"]:
        found["cloudfront_ipv6_prefix_list"] = lists["ipv6"]
    return found


def _ports(openings: list[dict]) -> str:
    return ", ".join(str(p) for p in sorted({p for o in openings for p in o["ports"]}))


def check_origin_header_missing(
    topo: Topology, dist: Distribution, params: Params
) -> Verdict | None:
    paths = topo.edge_paths_of_distribution(dist)
    if not paths:
        return None
    origins = [
        dict(
            path_evidence(p),
            custom_headers=[h.name for h in p.origin.custom_headers],
            vpc_origin=p.via_vpc_origin,
            origin_mtls=_mtls_verified(topo, p),
        )
        for p in paths
    ]
    # A VPC origin cannot be reached from the internet, and an origin that presents
    # CloudFront's client certificate to a listener verifying it proves itself: 1.1.
    bare = [o for o in origins
            if not o["custom_headers"] and not o["vpc_origin"] and not o["origin_mtls"]]
    related = path_related(paths, dists=False)
    if bare:
        names = ", ".join(o["origin_id"] for o in bare)
        return Verdict.fail(
            f"Origin(s) {names} send no custom header the ALB could verify",
            related,
            origins=origins,
        )
    return Verdict.ok("Every ALB origin sends a custom header", related, origins=origins)


def _mtls_verified(topo: Topology, path) -> bool:
    """Origin mTLS: CloudFront presents a client certificate, and the ALB's listener on the
    origin's port verifies client certificates (mutual authentication mode ``verify``)."""
    if not path.origin.mtls_certificate:
        return False
    port = topo.origin_port(path)
    return any(li.port == port and li.mutual_auth_mode == "verify"
               for li in need(path.alb.listeners))


def check_origin_header_not_enforced(
    topo: Topology, alb: LoadBalancer, params: Params
) -> Verdict | None:
    """1.1: judged per ALB, over every fronting distribution's header names at once."""
    paths = fronted_internet_paths(topo, alb)
    if paths is None:
        return None
    sent = sorted({h.name for p in paths for h in p.origin.custom_headers}, key=str.lower)
    names = {n.lower() for n in sent}
    unguarded, weak, private = [], [], []
    for listener, rule in topo.forwarding_rules(alb):
        where = dict(rule_evidence(listener.port, rule), default_action=rule.is_default)
        if private_only(rule):
            private.append(where)  # the internet (CloudFront too) cannot match it
            continue
        checks = [c for c in rule.header_conditions if c.name.lower() in names]
        if any(not c.all_weak for c in checks):
            continue
        if checks:
            weak.append(dict(where, headers=sorted({c.name for c in checks})))
        unguarded.append(where)
    related = path_related(paths, albs=False)
    evidence = {"headers_sent": sent, "weak_checks": weak, "private_only_rules": private}
    if unguarded:
        # The check may sit in the ALB's web ACL instead (AWS's published pattern, with
        # Secrets Manager rotation): it then guards every rule of the ALB.
        acl = topo.alb_web_acl(alb)
        checks = [c for c in acl.header_checks if c.name.lower() in names] if acl else []
        if any(not c.all_weak for c in checks):
            return Verdict.ok(
                f"The ALB's web ACL {acl.name} requires a header CloudFront sends before any "
                "rule is reached", related, web_acl=acl.name,
                web_acl_header_checks=sorted({c.name for c in checks}), **evidence)
        if checks:
            evidence["weak_web_acl_checks"] = sorted({c.name for c in checks})
        return Verdict.fail(
            f"{len(unguarded)} internet-reachable rule(s) forward to Lambda without a header "
            "check on a name CloudFront sends (or with one that accepts only guessable "
            "values): a direct request reaches the function",
            related,
            unguarded_rules=unguarded,
            origins=[path_evidence(p) for p in paths],
            **evidence,
        )
    return Verdict.ok(
        "Every internet-reachable rule that forwards to Lambda checks a header CloudFront "
        "sends",
        related,
        **evidence,
    )


UNDETERMINED = Unavailable(
    "elbv2:DescribeRules", "Undetermined",
    "whether the ALB's RegexValues accept the value CloudFront sends depends on regex "
    "semantics AWS does not document (anchoring, case); the readings disagree")


def check_origin_header_mismatch(
    topo: Topology, alb: LoadBalancer, params: Params
) -> Verdict | None:
    """1.1: only routes the distribution can reach are compared (its listener, its Host)."""
    paths = topo.edge_paths_of_alb(alb)
    if not paths:
        return None
    broken = []
    checked = 0
    for path in paths:
        sent = path.origin.custom_headers
        routes: dict[tuple, list] = {}
        for listener, rule in topo.reachable_rules(path):
            checks = [i for i, c in enumerate(rule.header_conditions) if condition_checks(c, sent)]
            if checks:
                routes.setdefault((listener.arn, rule.route_key), []).append(
                    (listener, rule, checks)
                )
        for members in routes.values():
            checked += 1
            verdicts = [_all_accept(topo, path, rule, checks) for _, rule, checks in members]
            if True in verdicts:
                continue
            if None in verdicts:
                raise DataUnavailable(UNDETERMINED)
            conditions = [r.header_conditions[i] for _, r, checks in members for i in checks]
            broken.append(
                dict(
                    path_evidence(path),
                    rules=[rule_evidence(li.port, r) for li, r, _ in members],
                    headers=sorted({c.name for c in conditions}),
                    value_sent="present",
                    values_accepted=sum(c.accepted_count for c in conditions),
                    match=False,
                )
            )
    related = path_related(paths, albs=False)
    if broken:
        return Verdict.fail(
            "The header value CloudFront sends matches no value the ALB accepts: requests "
            "through CloudFront fall to the default action",
            related,
            mismatched_routes=broken,
        )
    return Verdict.ok(
        f"Header values match on all {checked} reachable header-checked route(s)",
        related,
        routes_checked=checked,
    )


def _all_accept(topo: Topology, path, rule, checks: list[int]) -> bool | None:
    """Whether every checked condition of the rule accepts what the path sends."""
    verdicts = [topo.header_accepted(path, rule, i) for i in checks]
    if False in verdicts:
        return False
    return None if None in verdicts else True


def check_alb_not_behind_cloudfront(
    topo: Topology, alb: LoadBalancer, params: Params
) -> Verdict | None:
    if not alb.internet_facing:
        return None
    paths = topo.edge_paths_of_alb(alb)
    if not paths:
        return Verdict.fail(
            "Internet-facing Lambda ALB is the origin of no CloudFront distribution",
            dns_name=alb.dns_name,
        )
    return Verdict.ok(
        f"Fronted by {len(paths)} CloudFront origin(s)",
        path_related(paths, albs=False),
        distributions=sorted({p.distribution.id for p in paths}),
        links=[path_evidence(p) for p in paths],
    )


def _grants(statement: PolicyStatement, action: str) -> bool:
    """An Allow statement whose actions cover ``action``."""
    return statement.effect == "Allow" and any(
        fnmatchcase(action, a.lower()) for a in statement.actions)


URL_KEYS = {"lambda:functionurlauthtype", "lambda:invokedviafunctionurl"}


def _public_url_grants(url: FunctionUrl, policy: tuple[PolicyStatement, ...]) -> list[str]:
    """The statements that let anyone call this URL (AWS, "Control access to Lambda function
    URLs"): for AuthType NONE, lambda:InvokeFunctionUrl granted to ``*``; for AWS_IAM, the
    same grant with no condition that narrows the caller (an IAM-signed request from any
    account is then accepted)."""
    found = []
    for st in policy:
        if not _grants(st, "lambda:invokefunctionurl") or "*" not in st.principals:
            continue
        if st.url_auth_type and st.url_auth_type != url.auth_type:
            continue
        narrowing = set(st.condition_keys) - URL_KEYS
        if url.auth_type == "NONE" or not narrowing:
            found.append(st.sid or "(no sid)")
    return found


def check_function_url_public(topo: Topology, fn: LambdaFunction, params: Params) -> Verdict | None:
    urls = need(fn.urls)
    seen, public = [], []
    for url in urls:
        policy = need(fn.policy if url.policy is None else url.policy)
        grants = _public_url_grants(url, policy)
        entry = {"qualifier": url.qualifier or "(unqualified)", "auth_type": url.auth_type,
                 "public_grants": grants}
        if url.auth_type == "NONE" and not grants:
            entry["note"] = ("AuthType NONE, but no statement grants lambda:InvokeFunctionUrl "
                             "to everyone: Lambda answers 403")
        seen.append(entry)
        if grants:
            public.append(entry)
    albs = alb_arns_of(topo, fn)
    if public:
        which = ", ".join(f"{e['qualifier']} ({e['auth_type']})" for e in public)
        return Verdict.fail(
            f"Function URL {which} can be called by anyone, around CloudFront, WAF and the "
            "ALB: its resource policy grants lambda:InvokeFunctionUrl to *",
            albs,
            function_urls=seen,
        )
    if urls:
        return Verdict.ok("No function URL of the target is open to everyone", albs,
                          function_urls=seen)
    return Verdict.ok("No function URL", albs, function_urls=seen)


def _scoped_to_target_groups(statement: PolicyStatement) -> bool:
    """An AWS:SourceArn naming target groups: no wildcard in the target group's name
    (``targetgroup/NAME/*`` names one, since a name is unique in its account and region;
    a template must write it so, because the target group depends on the permission and
    its id is not known until it exists). AWS:SourceAccount alone does not scope: target
    groups that invoke a function are always in its own account, so it admits every one."""
    if not statement.source_arns:
        return False
    for arn in statement.source_arns:
        resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else ""
        kind, _, rest = resource.partition("/")
        name = rest.split("/", 1)[0]
        if kind != "targetgroup" or not name or any(c in name for c in "*?"):
            return False
        if any(c in arn.split(":", 5)[:5][-1] for c in "*?"):  # any account
            return False
    return True


def _target_groups_invoking(topo: Topology, fn: LambdaFunction) -> list[dict]:
    """The target groups registering the function (ARN as registered): what a scoped
    permission names as its source."""
    found = []
    for alb in topo.albs_of_function(fn):
        for tg in topo.target_groups_of(alb):
            targets = tg.targets if isinstance(tg.targets, tuple) else ()
            for target in targets:
                if (target == fn.arn or target.startswith(fn.arn + ":")) and \
                        all(f["target_group_arn"] != tg.arn for f in found):
                    found.append({"target_group_arn": tg.arn, "registered": target})
    return found


def check_invoke_permission_unscoped(
    topo: Topology, fn: LambdaFunction, params: Params
) -> Verdict | None:
    statements = need(fn.policy)
    loose = [
        s.sid or "(no sid)"
        for s in statements
        if _grants(s, "lambda:invokefunction")
        and any(p in (ELB_SERVICE, "*") for p in s.principals)
        and not URL_KEYS & set(s.condition_keys)  # function URL grants are BYP-006's
        and not _scoped_to_target_groups(s)
    ]
    albs = alb_arns_of(topo, fn)
    if loose:
        return Verdict.fail(
            "Resource policy lets any target group of this account invoke the function: no "
            "AWS:SourceArn naming its target groups",
            albs,
            statements=loose,
            target_groups=_target_groups_invoking(topo, fn),
        )
    return Verdict.ok(
        "Invoke permissions for Elastic Load Balancing name the target groups",
        albs,
        statements_checked=len(statements),
    )


def check_origin_not_https(topo: Topology, dist: Distribution, params: Params) -> Verdict | None:
    paths = topo.edge_paths_of_distribution(dist)
    if not paths:
        return None
    origins = [
        dict(path_evidence(p), origin_protocol_policy=p.origin.protocol_policy,
             effective_protocol=topo.effective_protocol(p)) for p in paths
    ]
    clear = [o for o in origins if o["effective_protocol"] == "HTTP"]
    related = path_related(paths, dists=False)
    if clear:
        return Verdict.fail(
            "Origin(s) reach the ALB over plain HTTP: the secret header and "
            "the data cross the internet unencrypted",
            related,
            origins=origins,
        )
    return Verdict.ok("CloudFront reaches every ALB origin over HTTPS", related,
                      origins=origins)


REC3 = "rec. 3: lock down the ALB with the CloudFront prefix list and a secret origin header"

RULES = (
    Rule(
        "BYP-001",
        "alb-open-to-internet",
        Severity.CRITICAL,
        "Fronted ALB reachable from the whole internet",
        "rec. 3",
        REC3,
        "Anyone who finds the ALB's DNS name can skip CloudFront, WAF, Shield and geo rules.",
        "Replace 0.0.0.0/0 and ::/0 ingress on the listener ports with the "
        "com.amazonaws.global.cloudfront.origin-facing managed prefix list.",
        SubjectKind.LAMBDA_ALB,
        check_alb_open_to_internet,
        needs=("security_groups", "prefix_list"),  # the list its fix admits
    ),
    Rule(
        "BYP-002",
        "origin-header-missing",
        Severity.HIGH,
        "CloudFront sends no secret header to the ALB",
        "rec. 3",
        REC3,
        "Without a header only CloudFront knows, the ALB cannot tell CloudFront's requests from "
        "anyone else's coming from CloudFront's address ranges.",
        "Add a custom origin header (for example X-Origin-Verify) with a random value kept in "
        "Secrets Manager, and require it in the ALB's listener rules.",
        SubjectKind.EDGE_DISTRIBUTION,
        check_origin_header_missing,
    ),
    Rule(
        "BYP-003",
        "origin-header-not-enforced",
        Severity.HIGH,
        "ALB forwards to Lambda without checking CloudFront's header",
        "rec. 3, AWS",
        REC3,
        "A header that no listener rule checks stops nothing: direct requests still reach "
        "the functions. The ALB is judged as a whole, against every header name its "
        "fronting distributions send (1.1); a rule only private source addresses can match "
        "is not reachable from the internet, and a check that accepts only guessable values "
        "(fewer than 16 literal characters, or a wildcard) guards nothing. The check may "
        "also sit in the ALB's web ACL, as AWS's own published pattern does (a blocking "
        "default with a rule allowing the header, or a rule blocking its absence).",
        "Add an http-header condition on the origin header to every rule that forwards to "
        "Lambda, and make the default action a fixed 403 response.",
        SubjectKind.LAMBDA_ALB,
        check_origin_header_not_enforced,
        needs=("alb_waf",),
    ),
    Rule(
        "BYP-004",
        "origin-header-mismatch",
        Severity.HIGH,
        "ALB rejects the header value CloudFront sends",
        "FM",
        "FM: intermittent 403s after a header rotation; coordinate the rotation",
        "CloudFront's requests match no header-checking rule and fall to the default action: "
        "the outage a half-finished secret rotation causes.",
        "Make the rule accept both the old and the new value during a rotation, update "
        "CloudFront, then remove the old value.",
        SubjectKind.LAMBDA_ALB,
        check_origin_header_mismatch,
        needs=("request_policies",),
    ),
    Rule(
        "BYP-005",
        "alb-not-behind-cloudfront",
        Severity.MEDIUM,
        "Internet-facing Lambda ALB has no CloudFront in front",
        "rec. 2",
        "rec. 2: always put CloudFront in front of the ALB",
        "Without CloudFront there is no edge cache, no edge WAF, no Shield at the edge and no "
        "edge TLS; the ALB only routes.",
        "Create a CloudFront distribution with the ALB as an https-only origin, then lock the "
        "ALB down to it (BYP-001, BYP-003).",
        SubjectKind.LAMBDA_ALB,
        check_alb_not_behind_cloudfront,
    ),
    Rule(
        "BYP-006",
        "function-url-public",
        Severity.HIGH,
        "Target function has a function URL anyone can call",
        "rec. 3, AWS",
        REC3,
        "A function URL that anyone may call is a second, unguarded front door to the same "
        "code. AWS (\"Control access to Lambda function URLs\"): AuthType NONE still needs a "
        "resource-policy grant of lambda:InvokeFunctionUrl to *, without which the URL "
        "answers 403; AuthType AWS_IAM with such a grant and no narrowing condition accepts "
        "a signed request from any AWS account.",
        "Delete the function URL, or set AuthType AWS_IAM and remove the statement granting "
        "lambda:InvokeFunctionUrl to * (if CloudFront must call the URL, use origin access "
        "control and a grant to cloudfront.amazonaws.com with AWS:SourceArn).",
        SubjectKind.TARGET_FUNCTION,
        check_function_url_public,
        needs=("targets", "function_urls", "function_policy"),
    ),
    Rule(
        "BYP-007",
        "alb-invoke-permission-unscoped",
        Severity.LOW,
        "Any target group of the account may invoke the target function",
        "rec. 3, AWS",
        REC3,
        "Without an AWS:SourceArn naming its target groups, anyone in the account who can "
        "create a target group can register the function behind another, unguarded ALB, "
        "with no lambda:AddPermission. (1.1, after AWS's ELB documentation: target groups "
        "must be in the function's own account, so a load balancer of another account "
        "cannot use the grant, and AWS:SourceAccount alone scopes nothing.)",
        "Name the target groups: aws lambda add-permission --principal "
        "elasticloadbalancing.amazonaws.com --source-arn <target-group-arn> (one statement "
        "per target group), then remove the broad statement. In CDK, LambdaTarget grants "
        "without a source ARN: add fn.addPermission('AlbInvoke', {principal: new "
        "ServicePrincipal('elasticloadbalancing.amazonaws.com'), sourceArn: "
        "targetGroup.targetGroupArn}) and drop the generated grant with an escape hatch, "
        "or accept the finding for CDK stacks (low).",
        SubjectKind.TARGET_FUNCTION,
        check_invoke_permission_unscoped,
        needs=("targets", "function_policy"),
    ),
    Rule(
        "BYP-008",
        "origin-not-https",
        Severity.HIGH,
        "CloudFront reaches the ALB over plain HTTP",
        "rec. 3",
        REC3,
        "An http-only origin, or a match-viewer origin that some behaviour lets viewers reach "
        "over HTTP, sends the secret header and the payload in clear text across the "
        "internet, where anyone on the path can copy the header. (1.1: match-viewer behind "
        "behaviours that all redirect to HTTPS always connects over HTTPS, and passes.)",
        "Set the origin protocol policy to https-only and give the ALB an HTTPS listener with "
        "an ACM certificate.",
        SubjectKind.EDGE_DISTRIBUTION,
        check_origin_not_https,
    ),
)
