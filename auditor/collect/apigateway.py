"""API Gateway: REST APIs and how many of their 10 stages (a soft quota) they use."""

from __future__ import annotations

from auditor.collect.base import Calls
from auditor.gaps import Unavailable
from auditor.inventory import RestApi

OPERATIONS = ("apigateway:GetRestApis", "apigateway:GetStages")


def rest_apis(calls: Calls, region: str, account: str) -> tuple[RestApi, ...] | Unavailable:
    apis = calls.paginate("apigateway", region, "get_rest_apis", "items")
    if isinstance(apis, Unavailable):
        return apis
    found = []
    for api in apis:
        stages = calls.call("apigateway", region, "get_stages", resource=api["id"],
                            restApiId=api["id"])
        if isinstance(stages, Unavailable):
            return stages
        found.append(RestApi(api["id"], api.get("name", ""), account, region,
                             len(stages.get("item") or [])))
    return tuple(found)
