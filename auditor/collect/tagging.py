"""Resource tags: CloudFormation's stack tag (for fix plans), and the keys the suppressions
in ``--config`` match on.

One Resource Groups Tagging API call (``tag:GetResources``) per region and tag key,
paginated, covers every load balancer, target group and function in that region; a key
that no suppression names (other than the stack's) is never read. CloudFront's tags are
served from us-east-1.
Calls per key are needed because ``TagFilters`` are ANDed: one call with two keys would
miss a resource carrying only one of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.collect.base import Calls
from auditor.gaps import Unavailable
from auditor.session import GLOBAL_SERVICE_REGION

OPERATIONS = ("resourcegroupstaggingapi:GetResources",)
# CloudFormation tags what it creates: the stack, and the resource's logical id in it. A
# scan of the pattern always reads the stack key (one call per region, flat per app): a
# fix plan must change a stack's resource in its template, not drift it with the CLI.
STACK_KEY, LOGICAL_ID_KEY = "aws:cloudformation:stack-name", "aws:cloudformation:logical-id"
STACK_KEYS = frozenset({STACK_KEY})


def stack_of(tags: dict[str, str]) -> dict[str, str] | None:
    """{name, logical_id} of the stack that manages a resource, from its tags."""
    if STACK_KEY not in tags:
        return None
    return {"name": tags[STACK_KEY], "logical_id": tags.get(LOGICAL_ID_KEY, "")}
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
