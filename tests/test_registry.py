"""The catalogue contract: ids, slugs, severities and citations, and a case of each kind."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from auditor.rules import load_rules
from tests.rule_cases import CASES

# From CATALOG.md: dashboards and suppression files key on these; they never change.
CONTRACT = {
    "BYP-001": ("alb-open-to-internet", "critical", "rec. 3"),
    "BYP-002": ("origin-header-missing", "high", "rec. 3"),
    "BYP-003": ("origin-header-not-enforced", "high", "rec. 3, AWS"),
    "BYP-004": ("origin-header-mismatch", "high", "FM"),
    "BYP-005": ("alb-not-behind-cloudfront", "medium", "rec. 2"),
    "BYP-006": ("function-url-public", "high", "rec. 3, AWS"),
    "BYP-007": ("alb-invoke-permission-unscoped", "low", "rec. 3, AWS"),
    "BYP-008": ("origin-not-https", "high", "rec. 3"),
    "SG-001": ("alb-sg-not-prefix-list", "medium", "rec. 3"),
    "SG-002": ("origin-port-blocked", "medium", "FM"),
    "TG-001": ("multi-value-headers-disabled", "medium", "rec. 4, FM"),
    "HC-001": ("health-check-interval-short", "low", "rec. 5"),
    "HC-002": ("health-check-timeout-short", "medium", "rec. 5, FM"),
    "HC-003": ("unhealthy-threshold-low", "medium", "rec. 5, FM"),
    "HC-004": ("healthy-threshold-high", "low", "rec. 5"),
    "HC-005": ("health-check-path-root", "low", "rec. 5"),
    "HC-006": ("cold-start-exposure", "info", "rec. 6"),
    "LIM-001": ("lambda-timeout-over-idle-timeout", "medium", "FM, AWS"),
    "LIM-002": ("lambda-timeout-over-origin-timeout", "medium", "FM, AWS"),
    "LIM-004": ("upload-route-to-lambda", "low", "rec. 7"),
    "WAF-001": ("edge-path-without-waf", "high", "rec. 2"),
    "WAF-002": ("waf-only-at-alb", "medium", "WAF placement"),
    "WAF-003": ("waf-at-both-layers", "info", "WAF placement"),
    "WAF-004": ("edge-waf-without-rate-limit", "medium", "WAF placement"),
    "WAF-005": ("edge-waf-without-managed-rules", "low", "WAF placement"),
    "WAF-006": ("public-alb-without-waf", "high", "rec. 2"),
    "CF-001": ("viewer-http-allowed", "medium", "edge TLS"),
    "CF-002": ("origin-tls-outdated", "medium", "CloudFront.10"),
    "CF-003": ("origin-keepalive-short", "low", "CF config"),
    "CF-004": ("no-caching-anywhere", "info", "rec. 2, cost"),
    "CF-005": ("personal-path-cached", "medium", "cache design"),
    "CF-006": ("cache-metrics-off", "low", "rec. 10"),
    "CF-007": ("logging-off", "low", "CloudFront.5"),
    "ALB-001": ("http-listener-serves", "medium", "ELB.1"),
    "ALB-002": ("tls-policy-outdated", "medium", "ELB.17"),
    "ALB-003": ("invalid-headers-kept", "medium", "ELB.4"),
    "ALB-004": ("desync-mode-monitor", "medium", "ELB.12"),
    "ALB-005": ("deletion-protection-off", "low", "ELB.6"),
    "ALB-006": ("access-logs-off", "low", "ELB.5"),
    "ALB-007": ("listener-rule-quota", "medium", "reuse, AWS"),
    "ALB-008": ("target-group-quota", "high", "reuse"),
    "ALB-009": ("single-function-alb", "info", "rec. 9"),
    "ALB-010": ("consolidate-albs", "info", "rec. 8"),
    "ALB-011": ("prefer-vpc-origin", "info", "reuse"),
    "LMB-001": ("throttles-observed", "medium", "FM"),
    "MON-001": ("no-target-response-alarm", "low", "rec. 10"),
    "MON-002": ("no-concurrency-alarm", "low", "rec. 10"),
    "MON-003": ("no-cache-hit-alarm", "low", "rec. 10"),
    "COST-001": ("pattern-below-break-even", "info", "rec. 1"),
    "APIGW-001": ("stage-quota", "low", "reuse"),
    # catalogue 1.1
    "BYP-009": ("origin-secret-weak", "high", "rec. 3"),
    "BYP-010": ("stale-origin-secret-accepted", "medium", "rec. 3, FM"),
    "SG-003": ("vpc-origin-sg-blocks", "medium", "reuse, AWS"),
    "TG-002": ("unqualified-target", "low", "rec. 6, AWS"),
    "TG-003": ("empty-target-group", "medium", "FM, AWS"),
    "CF-008": ("origin-certificate-mismatch", "high", "AWS"),
    "ALB-012": ("auth-allows-unauthenticated", "medium", "AWS"),
    "ALB-013": ("waf-fail-open", "medium", "AWS"),
    "LMB-002": ("target-errors-observed", "medium", "FM, AWS"),
    "LMB-003": ("reserved-concurrency-zero", "high", "FM, AWS"),
    "LMB-004": ("timeout-reached", "medium", "FM, AWS"),
    "LMB-005": ("streaming-behind-alb", "low", 'deep-dive "Response streaming"'),
}


# Retired ids: never reused, listed apart, replaced by the id named.
RETIRED_CONTRACT = {"LIM-003": ("payload-errors-observed", "1.1", "LMB-002")}


def test_retired_ids_are_listed_apart_and_never_reused():
    from auditor.rules import RETIRED

    assert {r.id: (r.slug, r.retired_in, r.replaced_by) for r in RETIRED} == RETIRED_CONTRACT
    assert not set(RETIRED_CONTRACT) & {r.id for r in load_rules()}


def test_catalogue_matches_contract():
    rules = load_rules()
    assert {r.id: (r.slug, r.severity.value, r.cites) for r in rules} == CONTRACT


def test_every_rule_has_metadata():
    for rule in load_rules():
        for text in (rule.title, rule.recommendation, rule.rationale, rule.remediation):
            assert text and text.strip() == text and len(text) > 10, rule.id
        assert rule.cites.split(",")[0].split(":")[0] in rule.recommendation or (
            rule.cites == "FM" and rule.recommendation.startswith("FM")
        ), rule.id
        assert callable(rule.check)


def test_every_rule_has_a_firing_and_a_quiet_case():
    kinds = Counter((c.rule, c.expect) for c in CASES)
    for rule in load_rules():
        assert kinds[(rule.id, "fail")] >= 1, f"{rule.id} has no firing case"
        assert kinds[(rule.id, "pass")] >= 1, f"{rule.id} has no quiet case"
    assert {c.rule for c in CASES} == set(CONTRACT)


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def test_readme_documents_every_rule():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for rule_id, (slug, _, _) in CONTRACT.items():
        assert f"| {rule_id} | {slug} |" in readme, rule_id


def test_readme_tables_are_the_generated_catalogue():
    """The README's rule and parameter tables are `auditor.report.catalogue`'s output
    (regenerate: python -m auditor.report.catalogue README.md)."""
    from auditor.report.catalogue import marked_section, sections

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for name, body in sections().items():
        assert marked_section(readme, name) == body, f"README {name} table is stale"
