"""Route 53: where a custom origin domain points, when it is an alias or CNAME in a public
hosted zone of the same account, so a distribution whose origin is ``api.example.com``
still links to the ALB behind that name."""

from __future__ import annotations

from auditor.collect.base import Calls
from auditor.gaps import Unavailable
from auditor.session import GLOBAL_SERVICE_REGION

OPERATIONS = ("route53:ListHostedZones", "route53:ListResourceRecordSets")


def _name(value: str) -> str:
    return value.strip().rstrip(".").lower()


def targets(calls: Calls, domains: list[str]) -> dict[str, str] | Unavailable:
    """domain -> the DNS name its alias or CNAME record points to (one hop)."""
    if not domains:
        return {}
    zones = calls.paginate("route53", GLOBAL_SERVICE_REGION, "list_hosted_zones", "HostedZones")
    if isinstance(zones, Unavailable):
        return zones
    public = [(_name(z["Name"]), z["Id"]) for z in zones
              if not (z.get("Config") or {}).get("PrivateZone")]
    found: dict[str, str] = {}
    for domain in sorted({_name(d) for d in domains}):
        owners = [z for z in public if domain == z[0] or domain.endswith("." + z[0])]
        if not owners:
            continue
        zone_id = max(owners, key=lambda z: len(z[0]))[1]
        response = calls.call("route53", GLOBAL_SERVICE_REGION, "list_resource_record_sets",
                              resource=domain, HostedZoneId=zone_id,
                              StartRecordName=domain, MaxItems="10")
        if isinstance(response, Unavailable):
            return response
        for record in response.get("ResourceRecordSets") or []:
            if _name(record.get("Name", "")) != domain:
                continue
            alias = (record.get("AliasTarget") or {}).get("DNSName")
            if alias:
                found[domain] = _name(alias)
            elif record.get("Type") == "CNAME" and record.get("ResourceRecords"):
                found[domain] = _name(record["ResourceRecords"][0]["Value"])
    return found
