"""Route 53: where a custom origin domain points, through the alias and CNAME records of
the public hosted zones of the run's accounts, so a distribution whose origin is
``api.example.com`` still links to the ALB behind that name.

Every record of a set counts (weighted, latency, failover, geolocation, multivalue: one
name, several records), and chains are followed hop by hop: the topology names the next
domains to look up (`Topology.unlinked_custom_domains`), and `Zones.lookup` answers them.
An account's zones are listed once per run, and each domain is asked once per account.
"""

from __future__ import annotations

import threading

from auditor.collect.base import Calls
from auditor.gaps import Unavailable
from auditor.session import GLOBAL_SERVICE_REGION

OPERATIONS = ("route53:ListHostedZones", "route53:ListResourceRecordSets")
PAGE = "100"  # records per ListResourceRecordSets page: a whole weighted set, mostly


def _name(value: str) -> str:
    return value.strip().rstrip(".").lower()


class Zones:
    """One account's public hosted zones, and the domains already asked of them."""

    def __init__(self, calls: Calls) -> None:
        self.calls = calls
        self.asked: set[str] = set()
        self._public: list[tuple[str, str]] | Unavailable | None = None
        self._lock = threading.Lock()

    def _zones(self) -> list[tuple[str, str]] | Unavailable:
        with self._lock:
            if self._public is None:
                zones = self.calls.paginate("route53", GLOBAL_SERVICE_REGION,
                                            "list_hosted_zones", "HostedZones")
                self._public = zones if isinstance(zones, Unavailable) else [
                    (_name(z["Name"]), z["Id"]) for z in zones
                    if not (z.get("Config") or {}).get("PrivateZone")]
            return self._public

    def lookup(self, domains: list[str]) -> dict[str, tuple[str, ...]] | Unavailable:
        """domain -> every name its alias or CNAME records point to, for the domains not
        asked before; `Unavailable` when a listing failed."""
        fresh = sorted({_name(d) for d in domains} - self.asked)
        if not fresh:
            return {}
        public = self._zones()
        if isinstance(public, Unavailable):
            return public
        found: dict[str, tuple[str, ...]] = {}
        for domain in fresh:
            self.asked.add(domain)
            owners = [z for z in public if domain == z[0] or domain.endswith("." + z[0])]
            if not owners:
                continue
            zone_id = max(owners, key=lambda z: len(z[0]))[1]
            targets = self._records(zone_id, domain)
            if isinstance(targets, Unavailable):
                return targets
            if targets:
                found[domain] = targets
        return found

    def _records(self, zone_id: str, domain: str) -> tuple[str, ...] | Unavailable:
        targets: list[str] = []
        params = {"StartRecordName": domain, "MaxItems": PAGE}
        while True:
            response = self.calls.call("route53", GLOBAL_SERVICE_REGION,
                                       "list_resource_record_sets", resource=domain,
                                       HostedZoneId=zone_id, **params)
            if isinstance(response, Unavailable):
                return response
            for record in response.get("ResourceRecordSets") or []:
                if _name(record.get("Name", "")) != domain:
                    return tuple(dict.fromkeys(targets))  # sorted by name: the set is over
                alias = (record.get("AliasTarget") or {}).get("DNSName")
                if alias:
                    targets.append(_name(alias))
                elif record.get("Type") == "CNAME":
                    targets += [_name(r["Value"]) for r in record.get("ResourceRecords") or []]
            next_name = response.get("NextRecordName")
            if not response.get("IsTruncated") or _name(next_name or "") != domain:
                return tuple(dict.fromkeys(targets))
            params = {"StartRecordName": next_name, "MaxItems": PAGE,
                      **({"StartRecordType": response["NextRecordType"]}
                         if response.get("NextRecordType") else {}),
                      **({"StartRecordIdentifier": response["NextRecordIdentifier"]}
                         if response.get("NextRecordIdentifier") else {})}


def merge(known: dict[str, tuple[str, ...]] | Unavailable,
          found: dict[str, tuple[str, ...]] | Unavailable
          ) -> dict[str, tuple[str, ...]] | Unavailable:
    """An inventory's answers with new ones; a failed lookup fails the whole map."""
    if isinstance(known, Unavailable):
        return known
    if isinstance(found, Unavailable):
        return found
    return {**known, **found}
