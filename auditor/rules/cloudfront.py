"""CF: how CloudFront talks to viewers and to the ALB, and what it caches and records.

Only behaviours that route to an edge path's origin are judged: the distribution may serve
S3 or other origins too, and those are outside the pattern.
"""

from __future__ import annotations

import re

from auditor.findings import Severity, Verdict
from auditor.gaps import DataUnavailable, Unavailable, need
from auditor.inventory import Distribution
from auditor.rule import Params, Rule, SubjectKind
from auditor.rules._common import path_evidence, path_related
from auditor.topology import EdgePath, Topology

OUTDATED_TLS = ("SSLv3", "TLSv1", "TLSv1.1")


def _paths(topo: Topology, dist: Distribution) -> list[EdgePath] | None:
    return topo.edge_paths_of_distribution(dist) or None


def _behaviors(topo: Topology, paths: list[EdgePath]):
    seen, found = set(), []
    for path in paths:
        for behavior in topo.behaviors_to(path):
            if behavior.path_pattern not in seen:
                seen.add(behavior.path_pattern)
                found.append(behavior)
    return found


def check_viewer_http_allowed(topo: Topology, dist: Distribution, params: Params):
    paths = _paths(topo, dist)
    if paths is None:
        return None
    loose = [
        b.path_pattern for b in _behaviors(topo, paths) if b.viewer_protocol_policy == "allow-all"
    ]
    related = path_related(paths, dists=False)
    if loose:
        return Verdict.fail(
            f"Behaviour(s) {', '.join(loose)} serve viewers over plain HTTP",
            related,
            behaviors=loose,
        )
    return Verdict.ok("Every behaviour to the ALB redirects to or requires HTTPS", related)


def check_origin_tls_outdated(topo: Topology, dist: Distribution, params: Params):
    paths = _paths(topo, dist)
    if paths is None:
        return None
    # 1.1: an HTTP origin never negotiates TLS, so its protocol list is moot (BYP-008)
    origins = [
        dict(path_evidence(p), ssl_protocols=list(p.origin.ssl_protocols))
        for p in paths
        if topo.effective_protocol(p) == "HTTPS"
    ]
    if not origins:
        return None
    old = [o for o in origins if set(o["ssl_protocols"]) & set(OUTDATED_TLS)]
    related = path_related(paths, dists=False)
    if old:
        return Verdict.fail(
            "The ALB origin accepts SSLv3, TLS 1.0 or TLS 1.1 to the origin", related, origins=old
        )
    return Verdict.ok("Origin TLS is 1.2 or later", related, origins=origins)


def check_origin_keepalive_short(topo: Topology, dist: Distribution, params: Params):
    paths = _paths(topo, dist)
    if paths is None:
        return None
    floor = params["min_keepalive_seconds"]
    origins = [
        dict(path_evidence(p), keepalive_seconds=p.origin.keepalive_timeout_seconds) for p in paths
    ]
    short = [o for o in origins if o["keepalive_seconds"] < floor]
    related = path_related(paths, dists=False)
    if short:
        return Verdict.fail(
            f"Origin keep-alive under {floor} s: CloudFront reopens TLS "
            "connections to the ALB more often than it needs to",
            related,
            origins=short,
            min_keepalive_seconds=floor,
        )
    return Verdict.ok(f"Origin keep-alive is {floor} s or more", related, origins=origins)


def check_no_caching_anywhere(topo: Topology, dist: Distribution, params: Params):
    paths = _paths(topo, dist)
    if paths is None:
        return None
    behaviors = _behaviors(topo, paths)
    ttls = {b.path_pattern: topo.cache_ttls(dist, b) for b in behaviors}
    related = path_related(paths, dists=False)
    if behaviors and all(t[2] == 0 for t in ttls.values()):
        return Verdict.fail(
            "Every behaviour to the ALB disables caching: every request reaches Lambda",
            related,
            behaviors=sorted(ttls),
        )
    cached = sorted(p for p, t in ttls.items() if t[2] > 0)
    return Verdict.ok(f"Caching is possible on {', '.join(cached)}", related, cached=cached)


def check_personal_path_cached(topo: Topology, dist: Distribution, params: Params):
    paths = _paths(topo, dist)
    if paths is None:
        return None
    words = re.compile("|".join(re.escape(w) for w in params["path_words"]), re.IGNORECASE)
    risky = []
    for behavior in _behaviors(topo, paths):
        if behavior.path_pattern == "*" or not words.search(behavior.path_pattern):
            continue
        low, default, _ = topo.cache_ttls(dist, behavior)
        if low > 0 or default > 0:
            risky.append(
                {"path_pattern": behavior.path_pattern, "min_ttl": low, "default_ttl": default}
            )
    related = path_related(paths, dists=False)
    if risky:
        return Verdict.fail(
            "Per-user paths are cached: one user's response can be served to another",
            related,
            behaviors=risky,
        )
    return Verdict.ok("No per-user path is cached by default", related)


def check_cache_metrics_off(topo: Topology, dist: Distribution, params: Params):
    paths = _paths(topo, dist)
    if paths is None:
        return None
    related = path_related(paths, dists=False)
    if not need(dist.realtime_metrics):
        return Verdict.fail(
            "Additional CloudFront metrics are off: no cache hit rate to watch",
            related,
            realtime_metrics=False,
        )
    return Verdict.ok("Additional metrics (cache hit rate) are on", related, realtime_metrics=True)


def check_logging_off(topo: Topology, dist: Distribution, params: Params):
    paths = _paths(topo, dist)
    if paths is None:
        return None
    related = path_related(paths, dists=False)
    if need(dist.logging_enabled):
        return Verdict.ok("Standard logging (legacy, to S3) is on", related, logging="legacy")
    realtime = sorted({b.path_pattern for b in dist.behaviors if b.realtime_log_config})
    if realtime:
        return Verdict.ok("Real-time logs are configured", related, logging="real-time",
                          behaviors=realtime)
    if dist.logging_v2 is None:
        raise DataUnavailable(Unavailable("logs:DescribeDeliveries", "NotCollected",
                                          "standard logging v2 was not read"))
    if need(dist.logging_v2):
        return Verdict.ok("Standard logging v2 (a CloudWatch Logs delivery) is on", related,
                          logging="v2")
    return Verdict.fail("No access logging: neither standard logging (legacy or v2) nor "
                        "real-time logs", related, logging=False)


def _certificate_check(topo: Topology, path: EdgePath) -> dict | None:
    """The names CloudFront checks on this HTTPS path against the listener's certificate
    names: evidence of the names no certificate covers, or None when all are covered."""
    from auditor.routes import certificate_covers

    listener = topo.tls_listener(path)
    checked = sorted(topo.hosts_seen(path))
    found = dict(path_evidence(path), port=path.origin.https_port, names_checked=checked)
    if listener is None:
        return dict(found, uncovered=checked, listener=None)
    if listener.certificate_names is None:
        raise DataUnavailable(Unavailable("elbv2:DescribeListenerCertificates",
                                          "NotCollected", "listener certificates not read"))
    names = need(listener.certificate_names)
    uncovered = [h for h in checked if not any(certificate_covers(n, h) for n in names)]
    if not uncovered:
        return None
    return dict(found, uncovered=uncovered, certificate_names=list(names),
                listener=listener.arn)


def check_origin_certificate_mismatch(topo: Topology, dist: Distribution, params: Params):
    paths = [p for p in _paths(topo, dist) or () if topo.effective_protocol(p) == "HTTPS"]
    if not paths:
        return None
    broken = [b for b in (_certificate_check(topo, p) for p in paths) if b]
    related = path_related(paths, dists=False)
    if broken:
        raw = [b for b in broken if any(".elb.amazonaws.com" in n for n in b["uncovered"])]
        hint = (": the origin is the ALB's own *.elb.amazonaws.com name, for which no "
                "certificate can be issued" if raw else "")
        return Verdict.fail(
            "CloudFront connects over HTTPS to a listener whose certificate does not cover "
            f"the name it checks{hint}. The TLS handshake fails, and every cache miss is a "
            "502", related, mismatched=broken)
    return Verdict.ok("The ALB's certificate covers every name CloudFront checks", related,
                      paths_checked=len(paths))


RULES = (
    Rule(
        "CF-001",
        "viewer-http-allowed",
        Severity.MEDIUM,
        "CloudFront serves the API over plain HTTP",
        "edge TLS",
        "edge TLS: CloudFront terminates TLS at the edge; viewers should never use HTTP",
        "allow-all lets viewers (and their cookies and tokens) use unencrypted HTTP.",
        "Set the behaviour's viewer protocol policy to redirect-to-https or https-only.",
        SubjectKind.EDGE_DISTRIBUTION,
        check_viewer_http_allowed,
    ),
    Rule(
        "CF-002",
        "origin-tls-outdated",
        Severity.MEDIUM,
        "CloudFront may use old TLS to reach the ALB",
        "CloudFront.10",
        "CloudFront.10: no deprecated SSL/TLS protocols between edge and origin",
        "SSLv3, TLS 1.0 and TLS 1.1 are broken or deprecated; the secret header rides on them.",
        "Set the origin's SSL protocols to TLSv1.2 only.",
        SubjectKind.EDGE_DISTRIBUTION,
        check_origin_tls_outdated,
    ),
    Rule(
        "CF-003",
        "origin-keepalive-short",
        Severity.LOW,
        "Short keep-alive between CloudFront and the ALB",
        "CF config",
        "CF config: keep-alive of 30-60 s so CloudFront reuses connections to the ALB",
        "The 5 s default closes idle connections quickly: more TLS handshakes, more latency "
        "and more new-connection LCUs on the ALB.",
        "Set the origin keep-alive timeout to 30-60 s.",
        SubjectKind.EDGE_DISTRIBUTION,
        check_origin_keepalive_short,
        params={"min_keepalive_seconds": 30},
    ),
    Rule(
        "CF-004",
        "no-caching-anywhere",
        Severity.INFO,
        "Nothing on the ALB is ever cached",
        "rec. 2, cost",
        "rec. 2: CloudFront's cache is where the pattern saves origin requests",
        "With every behaviour on CachingDisabled, CloudFront adds cost and latency but "
        "saves no Lambda invocation.",
        "Give read-heavy, shareable paths (catalogues, reference data) a cache policy with a TTL.",
        SubjectKind.EDGE_DISTRIBUTION,
        check_no_caching_anywhere,
        needs=("cache_policies",),
    ),
    Rule(
        "CF-005",
        "personal-path-cached",
        Severity.MEDIUM,
        "Per-user path cached at the edge",
        "cache design",
        "cache design: user, auth and session paths use CachingDisabled",
        "A cached response for /account or /session can be served to the next user.",
        "Use CachingDisabled (and an origin request policy that forwards what the path "
        "needs) on per-user paths.",
        SubjectKind.EDGE_DISTRIBUTION,
        check_personal_path_cached,
        params={"path_words": ["auth", "login", "user", "account", "session", "cart"]},
        needs=("cache_policies",),
    ),
    Rule(
        "CF-006",
        "cache-metrics-off",
        Severity.LOW,
        "No cache hit rate metric for the distribution",
        "rec. 10",
        "rec. 10: watch the cache hit ratio",
        "Without the additional metrics, CloudFront publishes no cache hit rate: the saving "
        "the pattern is chosen for cannot be measured.",
        "Enable additional metrics (aws cloudfront create-monitoring-subscription).",
        SubjectKind.EDGE_DISTRIBUTION,
        check_cache_metrics_off,
        needs=("edge_monitoring",),
    ),
    Rule(
        "CF-007",
        "logging-off",
        Severity.LOW,
        "CloudFront access logging is off",
        "CloudFront.5",
        "CloudFront.5: distributions should have logging enabled",
        "Without access logs there is no record of who called what at the edge, for "
        "incidents or for WAF tuning. Any of the three kinds counts (1.1): legacy standard "
        "logging to S3, standard logging v2 (a CloudWatch Logs vended-log delivery), or a "
        "real-time log configuration on a behaviour.",
        "Enable standard logging to an S3 bucket (or a CloudWatch Logs delivery).",
        SubjectKind.EDGE_DISTRIBUTION,
        check_logging_off,
        needs=("edge_logging",),
    ),
    Rule(
        "CF-008",
        "origin-certificate-mismatch",
        Severity.HIGH,
        "ALB certificate does not match the name CloudFront checks",
        "AWS",
        "AWS: with HTTPS to a custom origin, the origin's certificate must match the origin "
        "domain, or the Host header when Host is forwarded",
        "CloudFront validates the origin's certificate: one of its names (one wildcard level "
        "allowed) must match the origin domain, or the viewer's Host when the origin request "
        "policy forwards Host (AWS, \"Requiring HTTPS for communication between CloudFront "
        "and your custom origin\"); otherwise it answers 502. The deep-dive's recipe, the "
        "raw *.elb.amazonaws.com name with HTTPS and Host not forwarded, always fails this "
        "check: ACM cannot issue a certificate for that name.",
        "Give the ALB a domain of your own (a Route 53 alias to it), attach an ACM "
        "certificate for that name to the HTTPS listener, and make that name the origin "
        "domain; or forward Host and cover the distribution's aliases. Add the certificate "
        "to the listener before changing the origin, or the distribution fails in between.",
        SubjectKind.EDGE_DISTRIBUTION,
        check_origin_certificate_mismatch,
        needs=("listener_certificates", "request_policies"),
    ),
)
