"""Hand-made reports for the formatter and publisher tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from auditor.findings import Result, Severity, Status
from auditor.inventory import T_DISTRIBUTION, T_LOAD_BALANCER, ResourceRef
from auditor.scan import Report, ScanInfo

ACCOUNT = "123456789012"
ALB = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/shop-alb/50dc6c"
DIST = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2QWRUHEXAMPLE"


def result(rule_id="BYP-001", status=Status.FAIL, arn=ALB, severity=Severity.CRITICAL,
           **changes) -> Result:
    kind = T_DISTRIBUTION if ":cloudfront:" in arn else T_LOAD_BALANCER
    region = "global" if kind == T_DISTRIBUTION else "us-east-1"
    base = Result(rule_id, "alb-open-to-internet", "Fronted ALB reachable from the internet",
                  severity, status, ResourceRef(arn, kind, arn.rsplit("/", 2)[-2], ACCOUNT,
                                                region),
                  "Security group admits 443 from 0.0.0.0/0", {"ports": [443]},
                  "rec. 3", "Use the CloudFront prefix list", (DIST,))
    return replace(base, **changes)


def report(*results: Result, secrets=(), scan_id="scan-1",
           finished=datetime(2026, 11, 21, 2, 5, tzinfo=UTC)) -> Report:
    info = ScanInfo(scan_id, datetime(2026, 11, 21, 2, 0, tzinfo=UTC), finished, (ACCOUNT,),
                    ("us-east-1",), 10, 0, (), tuple(sorted({r.rule_id for r in results})))
    return Report(info, tuple(results), tuple(secrets))
