"""STS, CloudWatch alarms and tags from the templates; metrics and REST API inventories are
not applicable before deploy (a template holds no metric data, and the rule about REST
APIs judges the account's, not a template's)."""

from __future__ import annotations

from typing import Any

from auditor.iac.answers import Answers, not_applicable, plain, text

TAGGED = {  # resource type -> (tagging API type, the attribute that is its ARN)
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("elasticloadbalancing:loadbalancer", None),
    "AWS::ElasticLoadBalancingV2::TargetGroup": ("elasticloadbalancing:targetgroup", None),
    "AWS::Lambda::Function": ("lambda:function", "Arn"),
    "AWS::CloudFront::Distribution": ("cloudfront:distribution", "Arn"),
}


class Other:
    def __init__(self, answers: Answers) -> None:
        self.a = answers

    def get_caller_identity(self, region: str, **_: Any) -> dict:
        return {"Account": self.a.account, "UserId": "edge-audit-iac",
                "Arn": f"arn:aws:iam::{self.a.account}:user/edge-audit-iac"}

    def describe_alarms(self, region: str, **_: Any) -> dict:
        alarms = []
        for alarm in self.a.of_type("AWS::CloudWatch::Alarm", region):
            props = plain(alarm.props)
            item = {"AlarmName": text(props.get("AlarmName") or alarm.logical)}
            for key in ("Namespace", "MetricName", "Dimensions", "Metrics"):
                if props.get(key) is not None:
                    item[key] = props[key]
            alarms.append(item)
        return {"MetricAlarms": alarms}

    def get_metric_data(self, region: str, **_: Any) -> dict:
        raise not_applicable("CloudWatch metrics")

    def get_rest_apis(self, region: str, **_: Any) -> dict:
        raise not_applicable("the account's API Gateway REST APIs")

    def get_resources(self, region: str, ResourceTypeFilters: list | None = None,
                      TagFilters: list | None = None, **_: Any) -> dict:
        types = set(ResourceTypeFilters or [])
        keys = {f.get("Key") for f in TagFilters or []}
        found = []
        for kind, (api_type, attribute) in TAGGED.items():
            if types and api_type not in types:
                continue
            for resource in self.a.estate.resources(kind):
                if api_type != "cloudfront:distribution" and resource.place.region != region:
                    continue
                if keys and not keys & set(resource.tags):
                    continue
                arn = text(resource.attr(attribute) if attribute else resource.ref())
                found.append({"ResourceARN": arn, "Tags": [{"Key": k, "Value": v} for k, v
                                                           in resource.tags.items()]})
        return {"ResourceTagMappingList": found}


def register(answers: Answers) -> None:
    other = Other(answers)
    answers.handlers[("sts", "get_caller_identity")] = other.get_caller_identity
    answers.handlers[("cloudwatch", "describe_alarms")] = other.describe_alarms
    answers.handlers[("cloudwatch", "get_metric_data")] = other.get_metric_data
    answers.handlers[("apigateway", "get_rest_apis")] = other.get_rest_apis
    answers.handlers[("resourcegroupstaggingapi", "get_resources")] = other.get_resources
