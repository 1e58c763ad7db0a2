"""What the plan leaves to a person: one step per rule, with the rule's remediation, the
resources it names, and why no command is written for it."""

from __future__ import annotations

from collections.abc import Iterable

from auditor.fix.findings import Finding
from auditor.fix.model import Phase, Step

WAF = ("A web ACL is a design (managed rule groups, rate limits, the exceptions your clients "
       "need): a guessed one blocks real users, or nothing.")
WHY = {
    "ALB-001": "Redirecting HTTP to HTTPS while CloudFront reaches this listener over HTTP "
               "would answer CloudFront's own requests with a redirect: move the origin to "
               "HTTPS first (BYP-008), then redirect port 80.",
    "BYP-008": "HTTPS to the origin needs a listener with a certificate for a name of your "
               "own (no certificate can be issued for *.elb.amazonaws.com: CF-008) and a DNS "
               "record for it; then set the origin's protocol policy to https-only.",
    "CF-008": "The origin must be a name the listener's certificate covers (a record of your "
              "own pointing at the ALB); the certificate and the record are yours to make.",
    "WAF-001": WAF, "WAF-002": WAF, "WAF-003": WAF, "WAF-004": WAF, "WAF-005": WAF,
    "WAF-006": WAF,
    "ALB-011": "An internal ALB behind a CloudFront VPC origin is a new ALB and a new origin, "
               "a migration rather than a setting.",
    "BYP-005": "Putting CloudFront in front (or making the ALB internal) is an architecture "
               "change, and so is deciding that this ALB needs neither.",
    "ALB-009": "A cost decision: replacing the ALB with a function URL changes the request "
               "format the function receives.",
    "COST-001": "A cost decision that moves the API to another service.",
    "TG-002": "A Lambda target group holds one function: registering an alias means a new "
              "target, a change to how you deploy (publish a version, move the alias).",
    "HC-006": "Provisioned concurrency applies to an alias or version, which first needs "
              "TG-002's change; its cost is yours to weigh.",
    "TG-003": "Either register the function the route was meant for, or delete the route: "
              "which one is for you to say.",
    "LIM-004": "Uploads through presigned S3 URLs are a change to the application.",
    "LMB-001": "More concurrency (reserved, or a quota increase) has a cost; the plan cannot "
               "size it.",
    "LMB-002": "Failed invocations need their logs read: the cause is in the code or its "
               "dependencies.",
    "LMB-004": "Invocations running into the timeout need their cause found (a slow "
               "dependency, a cold start, a loop).",
    "LMB-005": "The handler is written for response streaming, which the ALB does not do: a "
               "code change.",
    "APIGW-001": "A quota increase request (Service Quotas), or fewer stages.",
}
DEFAULT_WHY = "No safe single change exists for this finding: it needs a decision."


def build(findings: Iterable[Finding]) -> list[Step]:
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    steps = []
    for rule_id, found in sorted(by_rule.items()):
        names = ", ".join(sorted({f.name for f in found}))
        steps.append(Step(
            Phase.MANUAL, f"{rule_id} ({found[0].title}): {names}",
            tuple(f.closes for f in found), WHY.get(rule_id, DEFAULT_WHY),
            manual=found[0].remediation, account=found[0].account))
    return steps
