"""Resource tags, read only when a suppression in ``--config`` matches by tag.

One Resource Groups Tagging API call (``tag:GetResources``) per region and tag key,
paginated, covers every load balancer, target group and function in that region; a key
that no suppression names is never read. CloudFront's tags are served from us-east-1.
Calls per key are needed because ``TagFilters`` are ANDed: one call with two keys would
miss a resource carrying only one of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.collect.base import Calls
from auditor.gaps import Unavailable
from auditor.session import GLOBAL_SERVICE_REGION

OPERATIONS = ("resourcegroupstaggingapi:GetResources",)
REGIONAL_TYPES = ("elasticloadbalancing:loadbalancer", "elasticloadbalancing:targetgroup",
                  "lambda:function")
EDGE_TYPES = ("cloudfront:distribution",)


def tags(calls: Calls, regions: Iterable[str],
         keys: Iterable[str]) -> dict[str, dict[str, str]] | Unavailable:
    """ARN -> {key: value} of the resources carrying any of ``keys``, or `Unavailable`."""
    found: dict[str, dict[str, str]] = {}
    regions = list(regions)
    wanted = {r: list(REGIONAL_TYPES) for r in regions}
    wanted.setdefault(GLOBAL_SERVICE_REGION, []).extend(EDGE_TYPES)
    for region, types in wanted.items():
        for key in sorted(set(keys)):
            mappings = calls.paginate("resourcegroupstaggingapi", region, "get_resources",
                                      "ResourceTagMappingList",
                                      TagFilters=[{"Key": key}], ResourceTypeFilters=types)
            if isinstance(mappings, Unavailable):
                return mappings
            for mapping in mappings:
                found.setdefault(mapping["ResourceARN"], {}).update(
                    {t["Key"]: t["Value"] for t in mapping.get("Tags", [])})
    return found
