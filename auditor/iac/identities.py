"""The names AWS will give a template's resources: ARNs, ids and DNS names, made up once
per resource and the same wherever it is referenced.

A reference is followed, not string-matched: an origin whose domain is
``!GetAtt Alb.DNSName`` gets exactly the DNS name this module gives ``Alb``, so the
topology links them as it links a live origin to its ALB. The values are stand-ins (AWS
picks the real ones at deploy time) in AWS's own formats, so every parser downstream reads
them as it reads AWS's.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from auditor.iac.values import Unknown


def _token(*parts: str, size: int = 8) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:size]


def _name(value: Any, fallback: str, limit: int = 32) -> str:
    if isinstance(value, str) and value:
        return value
    return re.sub(r"[^A-Za-z0-9-]", "-", fallback)[:limit].strip("-") or "resource"


@dataclass(frozen=True)
class Place:
    """Where a stack deploys: account, region, partition, stack name."""

    account: str
    region: str
    stack: str
    partition: str = "aws"


class Identities:
    """Ref and Fn::GetAtt of a stack's resources, in AWS's formats."""

    def __init__(self, place: Place, resources: dict[str, dict],
                 resolve: Any = None) -> None:
        self.place = place
        self.resources = resources
        self.resolve = resolve or (lambda value: value)  # the stack's intrinsic resolver

    def _props(self, logical: str) -> dict:
        props = (self.resources.get(logical) or {}).get("Properties")
        return props if isinstance(props, dict) else {}

    def _type(self, logical: str) -> str:
        return str((self.resources.get(logical) or {}).get("Type", ""))

    def token(self, logical: str) -> str:
        return _token(self.place.account, self.place.region, self.place.stack, logical)

    def physical_name(self, logical: str, key: str, limit: int = 32) -> str:
        """The resource's name: its name property when the template sets a plain one,
        else one made the way CloudFormation makes them (stack, logical id, suffix)."""
        value = self._props(logical).get(key)
        made = f"{self.place.stack[:12]}-{logical}"[: limit - 9] + "-" + self.token(logical)
        return _name(value, made, limit)

    # ---------------------------------------------------------------- Ref

    def _known(self, logical: str, name: str) -> Any:
        """What a Terraform plan already knows of an existing resource ("" is Ref)."""
        known = (self.resources.get(logical) or {}).get("KnownAttributes")
        return known.get(name) if isinstance(known, dict) else None

    def ref(self, logical: str) -> Any:
        known = self._known(logical, "")
        if known is not None:
            return known
        kind, p = self._type(logical), self.place
        arn = f"arn:{p.partition}"
        if kind == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            return self.attribute(logical, "LoadBalancerArn")
        if kind == "AWS::ElasticLoadBalancingV2::TargetGroup":
            return self.attribute(logical, "TargetGroupArn")
        if kind == "AWS::ElasticLoadBalancingV2::Listener":
            return self.attribute(logical, "ListenerArn")
        if kind == "AWS::ElasticLoadBalancingV2::ListenerRule":
            return self.attribute(logical, "RuleArn")
        if kind == "AWS::Lambda::Function":
            return self.physical_name(logical, "FunctionName", 64)
        if kind in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            return self.attribute(logical, "Arn" if kind.endswith("Alias") else "Version_arn")
        if kind == "AWS::EC2::SecurityGroup":
            return f"sg-{self.token(logical)}{_token(logical, size=9)}"
        if kind == "AWS::EC2::VPC":
            return f"vpc-{self.token(logical)}"
        if kind == "AWS::EC2::Subnet":
            return f"subnet-{self.token(logical)}"
        if kind == "AWS::EC2::PrefixList":
            return f"pl-{self.token(logical)}"
        if kind == "AWS::CloudFront::Distribution":
            return "E" + self.token(logical).upper() + _token(logical, size=5).upper()
        if kind in ("AWS::CloudFront::CachePolicy", "AWS::CloudFront::OriginRequestPolicy",
                    "AWS::CloudFront::VpcOrigin", "AWS::CloudFront::ResponseHeadersPolicy"):
            return self.attribute(logical, "Id")
        if kind == "AWS::WAFv2::WebACL":
            props = self._props(logical)
            return "|".join((self.physical_name(logical, "Name", 128), self.token(logical),
                             str(props.get("Scope", "REGIONAL"))))
        if kind == "AWS::CertificateManager::Certificate":
            return f"{arn}:acm:{p.region}:{p.account}:certificate/{self._uuid(logical)}"
        if kind == "AWS::SNS::Topic":
            return f"{arn}:sns:{p.region}:{p.account}:{self.physical_name(logical, 'TopicName')}"
        if kind == "AWS::Route53::HostedZone":
            return "Z" + self.token(logical).upper() + _token(logical, size=5).upper()
        if kind == "AWS::IAM::Role":
            return self.physical_name(logical, "RoleName", 64)
        if kind == "AWS::SecretsManager::Secret":  # Ref is the ARN, with AWS's 6-char suffix
            return (f"{arn}:secretsmanager:{p.region}:{p.account}:secret:"
                    f"{self.physical_name(logical, 'Name', 256)}-{self.token(logical)[:6]}")
        return f"{logical}-{self.token(logical)}"

    def _uuid(self, logical: str) -> str:
        h = _token(self.place.stack, logical, "uuid", size=32)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    # ---------------------------------------------------------------- Fn::GetAtt

    def attribute(self, logical: str, name: str) -> Any:
        known = self._known(logical, name)
        if known is not None:
            return known
        kind, p = self._type(logical), self.place
        arn = f"arn:{p.partition}"
        elb = f"{arn}:elasticloadbalancing:{p.region}:{p.account}"
        if kind == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            lb_name = self.physical_name(logical, "Name", 32)
            full = f"app/{lb_name}/{self.token(logical)}{_token(logical, size=8)}"
            values = {"LoadBalancerArn": f"{elb}:loadbalancer/{full}",
                      "LoadBalancerFullName": full, "LoadBalancerName": lb_name,
                      "DNSName": f"{lb_name}-{self.token(logical)}.{p.region}.elb.amazonaws.com",
                      "CanonicalHostedZoneID": "Z" + _token(p.region, size=12).upper()}
            if name == "SecurityGroups":
                groups = self._props(logical).get("SecurityGroups")
                return self.resolve(groups) if groups is not None else Unknown(
                    f"the default security group of {logical}'s VPC")
            return values.get(name, Unknown(f"{logical}.{name}"))
        if kind == "AWS::ElasticLoadBalancingV2::TargetGroup":
            tg_name = self.physical_name(logical, "Name", 32)
            full = f"targetgroup/{tg_name}/{self.token(logical)}{_token(logical, size=8)}"
            values = {"TargetGroupArn": f"{elb}:{full}", "TargetGroupFullName": full,
                      "TargetGroupName": tg_name}
            return values.get(name, Unknown(f"{logical}.{name}"))
        if kind == "AWS::ElasticLoadBalancingV2::Listener" and name == "ListenerArn":
            return f"{elb}:listener/app/{logical}/{self.token(logical)}"
        if kind == "AWS::ElasticLoadBalancingV2::ListenerRule" and name == "RuleArn":
            return f"{elb}:listener-rule/app/{logical}/{self.token(logical)}"
        if kind == "AWS::Lambda::Function" and name == "Arn":
            return (f"{arn}:lambda:{p.region}:{p.account}:function:"
                    f"{self.ref(logical)}")
        if kind == "AWS::Lambda::Alias" and name in ("Arn", "AliasArn"):
            return self._qualified(logical, str(self._props(logical).get("Name", logical)))
        if kind == "AWS::Lambda::Version" and name in ("Version", "Version_arn"):
            version = str(int(self.token(logical)[:4], 16) % 900 + 1)
            return version if name == "Version" else self._qualified(logical, version)
        if kind == "AWS::Lambda::Url" and name == "FunctionUrl":
            return f"https://{self.token(logical)}{_token(logical, size=24)}.lambda-url." \
                   f"{p.region}.on.aws/"
        if kind == "AWS::EC2::SecurityGroup" and name == "GroupId":
            return self.ref(logical)
        if kind == "AWS::CloudFront::Distribution":
            values = {"Id": self.ref(logical),
                      "DomainName": f"d{self.token(logical)}{_token(logical, size=5)}"
                                    ".cloudfront.net"}
            if name == "Arn":
                return f"{arn}:cloudfront::{p.account}:distribution/{self.ref(logical)}"
            return values.get(name, Unknown(f"{logical}.{name}"))
        if kind in ("AWS::CloudFront::CachePolicy", "AWS::CloudFront::OriginRequestPolicy",
                    "AWS::CloudFront::ResponseHeadersPolicy") and name == "Id":
            return self._uuid(logical)
        if kind == "AWS::CloudFront::VpcOrigin" and name in ("Id", "Arn"):
            vid = "vo_" + _token(p.stack, logical, size=22)
            return vid if name == "Id" else f"{arn}:cloudfront::{p.account}:vpcorigin/{vid}"
        if kind == "AWS::WAFv2::WebACL" and name in ("Arn", "Id"):
            props = self._props(logical)
            scope = "global" if props.get("Scope") == "CLOUDFRONT" else "regional"
            region = "us-east-1" if scope == "global" else p.region
            acl_name = self.physical_name(logical, "Name", 128)
            acl_id = self._uuid(logical)
            return acl_id if name == "Id" else \
                f"{arn}:wafv2:{region}:{p.account}:{scope}/webacl/{acl_name}/{acl_id}"
        if kind == "AWS::WAFv2::RuleGroup" and name == "Arn":
            props = self._props(logical)
            scope = "global" if props.get("Scope") == "CLOUDFRONT" else "regional"
            region = "us-east-1" if scope == "global" else p.region
            return (f"{arn}:wafv2:{region}:{p.account}:{scope}/rulegroup/"
                    f"{self.physical_name(logical, 'Name', 128)}/{self._uuid(logical)}")
        if kind == "AWS::SNS::Topic" and name == "TopicArn":
            return self.ref(logical)
        if kind == "AWS::IAM::Role" and name == "Arn":
            return f"{arn}:iam::{p.account}:role/{self.ref(logical)}"
        if kind == "AWS::EC2::VPC" and name == "VpcId":
            return self.ref(logical)
        if kind == "AWS::EC2::PrefixList" and name in ("PrefixListId", "Id"):
            return self.ref(logical)
        if kind == "AWS::Route53::HostedZone" and name == "Id":
            return self.ref(logical)
        return Unknown(f"{logical}.{name}")

    def _qualified(self, logical: str, qualifier: str) -> Any:
        """The ARN of a version or alias: its function's ARN and the qualifier."""
        function = self.resolve(self._props(logical).get("FunctionName"))
        if isinstance(function, Unknown) or not isinstance(function, str):
            return Unknown(f"the function of {logical}")
        return f"{function_arn(function, self.place)}:{qualifier}"


def function_arn(name_or_arn: str, place: Place) -> str:
    """The unqualified ARN of a function given by name, partial or full ARN (the forms
    ``FunctionName`` properties accept)."""
    parts = name_or_arn.split(":")
    if name_or_arn.startswith("arn:") and len(parts) >= 7:
        return ":".join(parts[:7])
    if len(parts) >= 3 and parts[1] == "function":  # 123456789012:function:name
        return f"arn:{place.partition}:lambda:{place.region}:{parts[0]}:function:{parts[2]}"
    return (f"arn:{place.partition}:lambda:{place.region}:{place.account}:function:"
            f"{parts[0]}")
