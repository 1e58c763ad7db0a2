"""Elastic Load Balancing v2 from ``AWS::ElasticLoadBalancingV2::*`` resources.

CloudFormation's shapes for conditions and actions are the API's, so rules and actions pass
through; a target group's ``LoadBalancerArns`` is what AWS derives from the listeners and
rules that forward to it; a Lambda target group's health check takes AWS's Lambda defaults
(off; 35 s interval, 30 s timeout, thresholds 5 and 2) where the template is silent.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from auditor.iac.answers import (
    Answers,
    deploy_time,
    flag,
    known,
    not_applicable,
    not_found,
    number,
    plain,
    strings,
    text,
)
from auditor.iac.estate import Resource
from auditor.iac.values import Unknown

LB = "AWS::ElasticLoadBalancingV2::LoadBalancer"
TG = "AWS::ElasticLoadBalancingV2::TargetGroup"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
LISTENER_CERTIFICATE = "AWS::ElasticLoadBalancingV2::ListenerCertificate"
LAMBDA_HEALTH_DEFAULTS = {"HealthCheckIntervalSeconds": 35, "HealthCheckTimeoutSeconds": 30,
                          "HealthyThresholdCount": 5, "UnhealthyThresholdCount": 2}


@cache
def predefined_policies() -> dict[str, list[str]]:
    text_ = resources.files("auditor.data").joinpath("elb_ssl_policies.json").read_text("utf-8")
    return json.loads(text_)["policies"]


def _target_groups_of(actions: Any) -> list[str]:
    found = []
    for action in actions if isinstance(actions, list) else []:
        if not isinstance(action, dict):
            continue
        if action.get("TargetGroupArn"):
            found.append(text(action["TargetGroupArn"]))
        for group in ((action.get("ForwardConfig") or {}).get("TargetGroups") or []):
            if isinstance(group, dict) and group.get("TargetGroupArn"):
                found.append(text(group["TargetGroupArn"]))
    return found


class Elb:
    def __init__(self, answers: Answers) -> None:
        self.a = answers

    def _listeners(self, region: str) -> list[Resource]:
        return self.a.of_type(LISTENER, region)

    def _rules_of(self, listener_arn: str, region: str) -> list[Resource]:
        return [r for r in self.a.of_type(RULE, region)
                if text(r.props.get("ListenerArn")) == listener_arn]

    def _attached(self, region: str) -> dict[str, set[str]]:
        """Target group ARN -> the ALBs whose listeners or rules forward to it."""
        found: dict[str, set[str]] = {}
        for listener in self._listeners(region):
            lb = text(listener.props.get("LoadBalancerArn"))
            groups = _target_groups_of(listener.props.get("DefaultActions"))
            for rule in self._rules_of(text(listener.ref()), region):
                groups += _target_groups_of(rule.props.get("Actions"))
            for group in groups:
                found.setdefault(group, set()).add(lb)
        return found

    # ---------------------------------------------------------------- listings

    def describe_target_groups(self, region: str, **_: Any) -> dict:
        attached = self._attached(region)
        groups = []
        for tg in self.a.of_type(TG, region):
            props, arn = tg.props, text(tg.ref())
            kind = text(props.get("TargetType") or "instance")
            lambda_defaults = LAMBDA_HEALTH_DEFAULTS if kind == "lambda" else {}
            item = {"TargetGroupArn": arn, "TargetGroupName": text(tg.attr("TargetGroupName")),
                    "TargetType": kind, "LoadBalancerArns": sorted(attached.get(arn, ())),
                    "HealthCheckEnabled": flag(props.get("HealthCheckEnabled"),
                                               f"{tg.logical}.HealthCheckEnabled",
                                               kind != "lambda"),
                    "HealthCheckPath": text(props.get("HealthCheckPath") or "/")}
            for key, default in {**{k: None for k in LAMBDA_HEALTH_DEFAULTS},
                                 **lambda_defaults}.items():
                value = number(props.get(key), f"{tg.logical}.{key}", default)
                if value is not None:
                    item[key] = value
            groups.append(item)
        return {"TargetGroups": groups}

    def describe_load_balancers(self, region: str, **_: Any) -> dict:
        found = []
        for lb in self.a.of_type(LB, region):
            props, arn = lb.props, text(lb.ref())
            groups = lb.attr("SecurityGroups")
            found.append({
                "LoadBalancerArn": arn, "LoadBalancerName": text(lb.attr("LoadBalancerName")),
                "DNSName": text(lb.attr("DNSName")),
                "Scheme": text(props.get("Scheme") or "internet-facing"),
                "Type": text(props.get("Type") or "application"),
                "SecurityGroups": strings(groups) if isinstance(groups, list)
                else [text(groups)], "VpcId": self._vpc_of(lb)})
        return {"LoadBalancers": found}

    def _vpc_of(self, lb: Resource) -> str:
        listed = lb.props.get("Subnets")
        if isinstance(listed, Unknown):
            return ""  # the VPC is judged from the groups' side
        subnets = [text(s) for s in listed or []] + [
            text((m or {}).get("SubnetId")) for m in lb.props.get("SubnetMappings") or []]
        for subnet in self.a.of_type("AWS::EC2::Subnet"):
            if text(subnet.ref()) in subnets:
                return text(subnet.props.get("VpcId"))
        return ""

    # ---------------------------------------------------------------- per ALB

    def describe_listeners(self, region: str, LoadBalancerArn: str, **_: Any) -> dict:
        found = []
        for li in self._listeners(region):
            if text(li.props.get("LoadBalancerArn")) != LoadBalancerArn:
                continue
            props = li.props
            protocol = text(props.get("Protocol") or "HTTP")
            item = {"ListenerArn": text(li.ref()), "LoadBalancerArn": LoadBalancerArn,
                    "Port": number(props.get("Port"), f"{li.logical}.Port",
                                   443 if protocol == "HTTPS" else 80),
                    "Protocol": protocol}
            if protocol == "HTTPS":
                policy = props.get("SslPolicy")
                item["SslPolicy"] = text(policy) if policy is not None else \
                    "<the policy AWS picks when SslPolicy is omitted>"
            mode = (props.get("MutualAuthentication") or {}).get("Mode")
            if mode:
                item["MutualAuthentication"] = {"Mode": text(mode)}
            found.append(item)
        return {"Listeners": found}

    def describe_rules(self, region: str, ListenerArn: str, **_: Any) -> dict:
        listener = next((li for li in self._listeners(region)
                         if text(li.ref()) == ListenerArn), None)
        if listener is None:
            raise not_found("ListenerNotFound", ListenerArn)
        rules = [{"RuleArn": f"{ListenerArn}/default", "Priority": "default",
                  "Conditions": [], "IsDefault": True,
                  "Actions": plain(known(listener.props.get("DefaultActions") or [],
                                         f"{listener.logical}.DefaultActions"))}]
        for rule in self._rules_of(ListenerArn, region):
            rules.append({"RuleArn": text(rule.ref()),
                          "Priority": str(known(rule.props.get("Priority"),
                                                f"{rule.logical}.Priority")),
                          "Conditions": plain(rule.props.get("Conditions") or []),
                          "Actions": plain(rule.props.get("Actions") or []),
                          "IsDefault": False})
        return {"Rules": rules}

    def describe_load_balancer_attributes(self, region: str, LoadBalancerArn: str,
                                          **_: Any) -> dict:
        lb = self._find(LB, region, LoadBalancerArn)
        return {"Attributes": self._attributes(lb, "LoadBalancerAttributes")}

    def describe_target_group_attributes(self, region: str, TargetGroupArn: str,
                                         **_: Any) -> dict:
        tg = self._find(TG, region, TargetGroupArn)
        return {"Attributes": self._attributes(tg, "TargetGroupAttributes")}

    def _attributes(self, resource: Resource, key: str) -> list[dict]:
        """The attributes the template sets (an omitted one keeps AWS's default, which the
        rules apply and say so)."""
        found = []
        for item in resource.props.get(key) or []:
            if isinstance(item, dict) and "Key" in item:
                value = known(item.get("Value"), f"{resource.logical} attribute {item['Key']}")
                if isinstance(value, bool):
                    value = str(value).lower()
                found.append({"Key": text(item["Key"]), "Value": text(value)})
        return found

    def _find(self, kind: str, region: str, arn: str) -> Resource:
        found = next((r for r in self.a.of_type(kind, region) if text(r.ref()) == arn), None)
        if found is None:
            raise not_found("LoadBalancerNotFound" if kind == LB else "TargetGroupNotFound", arn)
        return found

    def describe_target_health(self, region: str, TargetGroupArn: str, **_: Any) -> dict:
        tg = self._find(TG, region, TargetGroupArn)
        targets = known(tg.props.get("Targets") or [], f"{tg.logical}.Targets")
        return {"TargetHealthDescriptions": [
            {"Target": {"Id": text(known((t or {}).get("Id"), f"a target of {tg.logical}"))},
             "TargetHealth": {"State": "unavailable"}} for t in targets]}

    def describe_ssl_policies(self, region: str, Names: list[str] | None = None,
                              **_: Any) -> dict:
        policies = predefined_policies()
        found = []
        for name in Names or sorted(policies):
            if name not in policies:
                raise deploy_time(f"the TLS protocols of security policy {name}")
            found.append({"Name": name, "SslProtocols": policies[name]})
        return {"SslPolicies": found}

    def describe_account_limits(self, region: str, **_: Any) -> dict:
        raise not_applicable("the account's rules-per-ALB quota")

    def describe_listener_certificates(self, region: str, ListenerArn: str,
                                       **_: Any) -> dict:
        listener = next((li for li in self._listeners(region)
                         if text(li.ref()) == ListenerArn), None)
        if listener is None:
            raise not_found("ListenerNotFound", ListenerArn)
        arns = [(c or {}).get("CertificateArn") for c in
                listener.props.get("Certificates") or []]
        for extra in self.a.of_type(LISTENER_CERTIFICATE, region):
            if text(extra.props.get("ListenerArn")) == ListenerArn:
                arns += [(c or {}).get("CertificateArn") for c in
                         extra.props.get("Certificates") or []]
        return {"Certificates": [
            {"CertificateArn": text(known(a, f"a certificate of {listener.logical}")),
             "IsDefault": i == 0} for i, a in enumerate(arns)]}


def register(answers: Answers) -> None:
    elb = Elb(answers)
    for name in ("describe_target_groups", "describe_load_balancers", "describe_listeners",
                 "describe_rules", "describe_load_balancer_attributes",
                 "describe_target_group_attributes", "describe_target_health",
                 "describe_ssl_policies", "describe_account_limits",
                 "describe_listener_certificates"):
        answers.handlers[("elbv2", name)] = getattr(elb, name)
