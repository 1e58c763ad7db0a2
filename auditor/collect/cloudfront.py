"""CloudFront: every distribution with its origins; ``ListDistributions`` carries all the
fields the rules read (origins, custom headers, timeouts, web ACL id), so one paginated
call per account is enough. CloudFront is global: its API lives in us-east-1.
"""

from __future__ import annotations

from auditor.collect.base import Calls
from auditor.gaps import Unavailable
from auditor.inventory import Distribution, Origin, OriginHeader
from auditor.secrets import Secret
from auditor.session import GLOBAL_SERVICE_REGION

OPERATIONS = ("cloudfront:ListDistributions",)
READ_TIMEOUT_DEFAULT = 30
KEEPALIVE_DEFAULT = 5


def parse_origin(raw: dict) -> Origin:
    custom = raw.get("CustomOriginConfig")
    headers = (raw.get("CustomHeaders") or {}).get("Items") or []
    vpc = raw.get("VpcOriginConfig") or {}
    cfg = custom or vpc
    return Origin(
        origin_id=raw.get("Id", ""),
        domain_name=raw.get("DomainName", ""),
        custom_headers=tuple(
            OriginHeader(h["HeaderName"], Secret(h.get("HeaderValue", ""))) for h in headers
        ),
        protocol_policy=custom.get("OriginProtocolPolicy") if custom else None,
        http_port=int((custom or {}).get("HTTPPort", 80)),
        https_port=int((custom or {}).get("HTTPSPort", 443)),
        read_timeout_seconds=int(cfg.get("OriginReadTimeout", READ_TIMEOUT_DEFAULT)),
        keepalive_timeout_seconds=int(cfg.get("OriginKeepaliveTimeout", KEEPALIVE_DEFAULT)),
        vpc_origin_id=vpc.get("VpcOriginId"),
    )


def collect(calls: Calls, account: str) -> tuple[Distribution, ...] | Unavailable:
    raw = calls.paginate(
        "cloudfront", GLOBAL_SERVICE_REGION, "list_distributions", "DistributionList.Items"
    )
    if isinstance(raw, Unavailable):
        return raw
    return tuple(
        Distribution(
            id=d["Id"],
            arn=d["ARN"],
            domain_name=d.get("DomainName", ""),
            account=account,
            origins=tuple(parse_origin(o) for o in (d.get("Origins") or {}).get("Items") or []),
            web_acl_id=d.get("WebACLId") or "",
        )
        for d in raw
    )
