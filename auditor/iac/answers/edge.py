"""CloudFront, WAFv2, ACM, Route 53 and CloudWatch Logs deliveries from their resources.

CloudFormation writes a distribution's lists bare where the API wraps them in
``{Quantity, Items}``, and names a few fields differently (``OriginSSLProtocols``,
``OriginCustomHeaders``); this module converts. Where a property is omitted,
CloudFormation's default applies, which is not always the API's: an origin's SSL
protocols default to ``TLSv1`` and ``SSLv3`` (the ``AWS::CloudFront::Distribution``
resource schema of the CloudFormation registry), where the API requires the field.
"""

from __future__ import annotations

from typing import Any

from auditor.iac.answers import Answers, ApiError, deploy_time, flag, known, number, plain, text
from auditor.iac.estate import Resource

DISTRIBUTION = "AWS::CloudFront::Distribution"
CFN_ORIGIN_SSL_DEFAULT = ["TLSv1", "SSLv3"]
CF_REGION = "us-east-1"


def _items(values: Any) -> dict:
    values = values if isinstance(values, list) else []
    return {"Quantity": len(values), "Items": values}


def _origin(raw: dict, where: str) -> dict:
    out = {"Id": text(raw.get("Id")), "DomainName": text(known(raw.get("DomainName"),
                                                              f"{where} DomainName")),
           "OriginPath": text(raw.get("OriginPath")),
           "CustomHeaders": _items([{"HeaderName": text(h.get("HeaderName")),
                                     "HeaderValue": text(h.get("HeaderValue"))}
                                    for h in raw.get("OriginCustomHeaders") or []])}
    for key in ("ConnectionAttempts", "ResponseCompletionTimeout"):
        if raw.get(key) is not None:
            out[key] = number(raw[key], f"{where} {key}")
    custom = raw.get("CustomOriginConfig")
    if isinstance(custom, dict):
        out["CustomOriginConfig"] = {
            "HTTPPort": number(custom.get("HTTPPort"), f"{where} HTTPPort", 80),
            "HTTPSPort": number(custom.get("HTTPSPort"), f"{where} HTTPSPort", 443),
            "OriginProtocolPolicy": text(known(custom.get("OriginProtocolPolicy"),
                                               f"{where} OriginProtocolPolicy")),
            "OriginSslProtocols": _items([text(p) for p in custom.get(
                "OriginSSLProtocols", CFN_ORIGIN_SSL_DEFAULT)]),
            "OriginReadTimeout": number(custom.get("OriginReadTimeout"),
                                        f"{where} OriginReadTimeout", 30),
            "OriginKeepaliveTimeout": number(custom.get("OriginKeepaliveTimeout"),
                                             f"{where} OriginKeepaliveTimeout", 5),
            "IpAddressType": text(custom.get("IpAddressType") or "ipv4")}
        mtls = custom.get("OriginMtlsConfig")
        if isinstance(mtls, dict):
            out["CustomOriginConfig"]["OriginMtlsConfig"] = plain(mtls)
    vpc = raw.get("VpcOriginConfig")
    if isinstance(vpc, dict):
        out["VpcOriginConfig"] = {"VpcOriginId": text(vpc.get("VpcOriginId")),
                                  "OriginReadTimeout": number(vpc.get("OriginReadTimeout"),
                                                              f"{where} OriginReadTimeout", 30),
                                  "OriginKeepaliveTimeout": number(
                                      vpc.get("OriginKeepaliveTimeout"),
                                      f"{where} OriginKeepaliveTimeout", 5)}
    if isinstance(raw.get("S3OriginConfig"), dict):
        out["S3OriginConfig"] = plain(raw["S3OriginConfig"])
    return out


def _behavior(raw: dict) -> dict:
    out = plain({k: v for k, v in raw.items() if k != "ForwardedValues"})
    forwarded = raw.get("ForwardedValues")
    if isinstance(forwarded, dict):
        out["ForwardedValues"] = {**plain(forwarded),
                                  "Headers": _items(plain(forwarded.get("Headers") or []))}
    return out


def _groups(raw: Any) -> dict:
    items = (raw or {}).get("Items") if isinstance(raw, dict) else None
    return _items([{"Id": text(g.get("Id")), "Members": _items(plain(
        ((g.get("Members") or {}).get("Items")) or []))} for g in items or []])


class Edge:
    def __init__(self, answers: Answers) -> None:
        self.a = answers

    # ---------------------------------------------------------------- CloudFront

    def _distribution(self, dist_id: str) -> Resource:
        found = next((d for d in self.a.of_type(DISTRIBUTION) if text(d.ref()) == dist_id),
                     None)
        if found is None:
            raise ApiError("NoSuchDistribution", f"distribution {dist_id} is not in the "
                           "templates", 404)
        return found

    def list_distributions(self, region: str, **_: Any) -> dict:
        items = []
        for dist in self.a.of_type(DISTRIBUTION):
            config = known(dist.props.get("DistributionConfig") or {},
                           f"{dist.logical}.DistributionConfig")
            where = f"{dist.logical} origin"
            items.append({
                "Id": text(dist.ref()), "ARN": text(dist.attr("Arn")),
                "DomainName": text(dist.attr("DomainName")),
                "Aliases": _items([text(a) for a in config.get("Aliases") or []]),
                "Origins": _items([_origin(o, f"{where} {text(o.get('Id'))}")
                                   for o in config.get("Origins") or []]),
                "OriginGroups": _groups(config.get("OriginGroups")),
                "DefaultCacheBehavior": _behavior(config.get("DefaultCacheBehavior") or {}),
                "CacheBehaviors": _items([_behavior(b) for b in
                                          config.get("CacheBehaviors") or []]),
                "WebACLId": text(config.get("WebACLId")),
                "Enabled": flag(config.get("Enabled"), f"{dist.logical} Enabled", True),
                "Staging": flag(config.get("Staging"), f"{dist.logical} Staging", False),
                "ConnectionMode": text(config.get("ConnectionMode") or "direct"),
                "Status": "Deployed"})
        return {"DistributionList": {"Items": items, "IsTruncated": False,
                                     "Quantity": len(items)}}

    def get_distribution_config(self, region: str, Id: str, **_: Any) -> dict:
        config = self._distribution(Id).props.get("DistributionConfig") or {}
        logging = config.get("Logging")
        return {"DistributionConfig": {"Logging": {"Enabled": isinstance(logging, dict)
                                                   and bool(logging.get("Bucket"))}},
                "ETag": "ETEMPLATE"}

    def get_monitoring_subscription(self, region: str, DistributionId: str, **_: Any) -> dict:
        for sub in self.a.of_type("AWS::CloudFront::MonitoringSubscription"):
            if text(sub.props.get("DistributionId")) == DistributionId:
                return {"MonitoringSubscription": plain(sub.props.get(
                    "MonitoringSubscription") or {})}
        raise ApiError("NoSuchMonitoringSubscription", "no monitoring subscription", 404)

    def _policy(self, kind: str, policy_id: str) -> Resource:
        found = next((p for p in self.a.of_type(kind) if text(p.ref()) == policy_id), None)
        if found is None:
            raise deploy_time(f"{kind.split('::')[-1]} {policy_id} (not defined in these "
                              "templates)")
        return found

    def get_cache_policy(self, region: str, Id: str, **_: Any) -> dict:
        policy = self._policy("AWS::CloudFront::CachePolicy", Id)
        config = policy.props.get("CachePolicyConfig") or {}
        return {"CachePolicy": {"Id": Id, "CachePolicyConfig": {
            "Name": text(config.get("Name")),
            **{k: number(config.get(k), f"{policy.logical}.{k}", 0)
               for k in ("MinTTL", "DefaultTTL", "MaxTTL")}}}}

    def get_origin_request_policy(self, region: str, Id: str, **_: Any) -> dict:
        policy = self._policy("AWS::CloudFront::OriginRequestPolicy", Id)
        headers = (policy.props.get("OriginRequestPolicyConfig") or {}).get(
            "HeadersConfig") or {}
        return {"OriginRequestPolicy": {"Id": Id, "OriginRequestPolicyConfig": {
            "HeadersConfig": {"HeaderBehavior": text(known(
                headers.get("HeaderBehavior"), f"{policy.logical} HeaderBehavior")),
                "Headers": _items([text(h) for h in headers.get("Headers") or []])}}}}

    def list_vpc_origins(self, region: str, **_: Any) -> dict:
        items = [{"Id": text(v.ref()), "OriginEndpointArn": text(
            (v.props.get("VpcOriginEndpointConfig") or {}).get("Arn"))}
            for v in self.a.of_type("AWS::CloudFront::VpcOrigin")]
        return {"VpcOriginList": {"Items": items, "IsTruncated": False,
                                  "Quantity": len(items)}}

    def get_vpc_origin(self, region: str, Id: str, **_: Any) -> dict:
        for v in self.a.of_type("AWS::CloudFront::VpcOrigin"):
            if text(v.ref()) == Id:
                config = v.props.get("VpcOriginEndpointConfig") or {}
                return {"VpcOrigin": {"VpcOriginEndpointConfig": {
                    "OriginProtocolPolicy": text(config.get("OriginProtocolPolicy")
                                                 or "match-viewer"),
                    "HTTPPort": number(config.get("HTTPPort"), f"{v.logical} HTTPPort", 80),
                    "HTTPSPort": number(config.get("HTTPSPort"), f"{v.logical} HTTPSPort",
                                        443)}}}
        raise deploy_time(f"VPC origin {Id} (not defined in these templates)")

    def list_distribution_tenants(self, region: str, **_: Any) -> dict:
        return {"DistributionTenantList": []}

    # ---------------------------------------------------------------- WAFv2

    def _acl_body(self, acl: Resource) -> dict:
        body = plain({k: v for k, v in acl.props.items() if k != "Tags"})
        body["Rules"] = [self._rule(r) for r in body.get("Rules") or []]
        return {**body, "ARN": text(acl.attr("Arn")), "Id": text(acl.attr("Id")),
                "Name": text(acl.ids.physical_name(acl.logical, "Name", 128))}

    def _rule(self, rule: Any) -> Any:
        """A rule as the API returns it: ``RuleGroupReferenceStatement.ARN`` (``Arn`` in
        CloudFormation), search strings as bytes."""
        if isinstance(rule, dict):
            out = {}
            for key, value in rule.items():
                if key == "RuleGroupReferenceStatement" and isinstance(value, dict):
                    value = {("ARN" if k == "Arn" else k): v for k, v in value.items()}
                if key == "SearchString" and isinstance(value, str):
                    value = value.encode()
                out[key] = self._rule(value)
            return out
        if isinstance(rule, list):
            return [self._rule(r) for r in rule]
        return rule

    def _acl_by_arn(self, arn: str) -> Resource:
        found = next((w for w in self.a.of_type("AWS::WAFv2::WebACL")
                      if text(w.attr("Arn")) == arn), None)
        if found is None:
            raise deploy_time(f"web ACL {arn} (not defined in these templates)")
        return found

    def get_web_acl(self, region: str, Name: str = "", Scope: str = "", Id: str = "",
                    ARN: str = "", **_: Any) -> dict:
        for acl in self.a.of_type("AWS::WAFv2::WebACL"):
            if (ARN and text(acl.attr("Arn")) == ARN) or text(acl.attr("Id")) == Id:
                return {"WebACL": self._acl_body(acl), "LockToken": "template"}
        raise deploy_time(f"web ACL {Name or ARN} (not defined in these templates)")

    def get_web_acl_for_resource(self, region: str, ResourceArn: str, **_: Any) -> dict:
        for assoc in self.a.of_type("AWS::WAFv2::WebACLAssociation", region):
            if text(assoc.props.get("ResourceArn")) == ResourceArn:
                acl_arn = known(assoc.props.get("WebACLArn"), f"{assoc.logical}.WebACLArn")
                return {"WebACL": self._acl_body(self._acl_by_arn(text(acl_arn)))}
        return {}

    def list_web_acls(self, region: str, Scope: str = "REGIONAL", **_: Any) -> dict:
        acls = [w for w in self.a.of_type("AWS::WAFv2::WebACL")
                if text(w.props.get("Scope")) == Scope
                and (Scope == "CLOUDFRONT" or w.place.region == region)]
        return {"WebACLs": [{"Name": text(w.ids.physical_name(w.logical, "Name", 128)),
                             "Id": text(w.attr("Id")), "ARN": text(w.attr("Arn"))}
                            for w in acls]}

    def list_resources_for_web_acl(self, region: str, WebACLArn: str, **_: Any) -> dict:
        return {"ResourceArns": [text(a.props.get("ResourceArn")) for a in self.a.of_type(
            "AWS::WAFv2::WebACLAssociation", region)
            if text(a.props.get("WebACLArn")) == WebACLArn]}

    def get_rule_group(self, region: str, ARN: str = "", **_: Any) -> dict:
        for group in self.a.of_type("AWS::WAFv2::RuleGroup"):
            if text(group.attr("Arn")) == ARN:
                body = plain(group.props)
                body["Rules"] = [self._rule(r) for r in body.get("Rules") or []]
                return {"RuleGroup": {**body, "ARN": ARN}, "LockToken": "template"}
        raise deploy_time(f"rule group {ARN} (not defined in these templates)")

    # ---------------------------------------------------------------- ACM

    def describe_certificate(self, region: str, CertificateArn: str, **_: Any) -> dict:
        for cert in self.a.of_type("AWS::CertificateManager::Certificate"):
            if text(cert.ref()) == CertificateArn:
                names = [text(known(cert.props.get("DomainName"), f"{cert.logical}.DomainName"))]
                names += [text(n) for n in cert.props.get("SubjectAlternativeNames") or []]
                return {"Certificate": {"CertificateArn": CertificateArn,
                                        "DomainName": names[0],
                                        "SubjectAlternativeNames": list(dict.fromkeys(names))}}
        raise deploy_time(f"the names of certificate {CertificateArn} (not defined in these "
                          "templates)")

    # ---------------------------------------------------------------- Route 53

    def _zones(self) -> list[tuple[Resource, str]]:
        return [(z, text(z.props.get("Name")).rstrip(".").lower() + ".")
                for z in self.a.of_type("AWS::Route53::HostedZone")
                if not z.props.get("VPCs")]

    def list_hosted_zones(self, region: str, **_: Any) -> dict:
        return {"HostedZones": [{"Id": f"/hostedzone/{text(z.ref())}", "Name": name,
                                 "CallerReference": z.logical, "Config": {"PrivateZone": False}}
                                for z, name in self._zones()], "IsTruncated": False,
                "MaxItems": "100"}

    def _records(self) -> list[tuple[str, dict]]:
        """(zone name, record) of every record set and record set group."""
        zones = {text(z.ref()): name for z, name in self._zones()}
        found = []
        sets = [(r, r.props) for r in self.a.of_type("AWS::Route53::RecordSet")]
        for group in self.a.of_type("AWS::Route53::RecordSetGroup"):
            sets += [(group, {**{k: v for k, v in group.props.items() if k != "RecordSets"},
                              **record}) for record in group.props.get("RecordSets") or []]
        for _, record in sets:
            zone = zones.get(text(record.get("HostedZoneId")).split("/")[-1]) or \
                (text(record.get("HostedZoneName")).rstrip(".").lower() + ".")
            found.append((zone, record))
        return found

    def list_resource_record_sets(self, region: str, HostedZoneId: str,
                                  StartRecordName: str = "", **_: Any) -> dict:
        zone = dict((text(z.ref()), n) for z, n in self._zones()).get(
            HostedZoneId.split("/")[-1], "")
        out = []
        for owner, record in self._records():
            if owner != zone:
                continue
            name = text(record.get("Name")).rstrip(".").lower() + "."
            item: dict[str, Any] = {"Name": name, "Type": text(record.get("Type"))}
            alias = record.get("AliasTarget")
            if isinstance(alias, dict):
                item["AliasTarget"] = {"DNSName": text(known(alias.get("DNSName"),
                                                             f"alias target of {name}")),
                                       "HostedZoneId": text(alias.get("HostedZoneId")),
                                       "EvaluateTargetHealth": False}
            else:
                item["ResourceRecords"] = [{"Value": text(v)} for v in
                                           record.get("ResourceRecords") or []]
            out.append(item)
        start = StartRecordName.rstrip(".").lower() + "." if StartRecordName else ""
        out = sorted((r for r in out if r["Name"] >= start), key=lambda r: r["Name"])
        return {"ResourceRecordSets": out, "IsTruncated": False, "MaxItems": "300"}

    # ---------------------------------------------------------------- log deliveries

    def describe_delivery_sources(self, region: str, **_: Any) -> dict:
        return {"deliverySources": [
            {"name": text(s.props.get("Name")), "resourceArns": [text(s.props.get(
                "ResourceArn"))], "service": "cloudfront"
             if ":cloudfront:" in text(s.props.get("ResourceArn")) else "other",
             "logType": text(s.props.get("LogType"))}
            for s in self.a.of_type("AWS::Logs::DeliverySource")]}

    def describe_deliveries(self, region: str, **_: Any) -> dict:
        return {"deliveries": [{"id": d.logical, "deliverySourceName": text(
            d.props.get("DeliverySourceName"))} for d in self.a.of_type("AWS::Logs::Delivery")]}


def register(answers: Answers) -> None:
    edge = Edge(answers)
    names = {"cloudfront": ("list_distributions", "get_distribution_config",
                            "get_monitoring_subscription", "get_cache_policy",
                            "get_origin_request_policy", "list_vpc_origins", "get_vpc_origin",
                            "list_distribution_tenants"),
             "wafv2": ("get_web_acl", "get_web_acl_for_resource", "list_web_acls",
                       "list_resources_for_web_acl", "get_rule_group"),
             "acm": ("describe_certificate",),
             "route53": ("list_hosted_zones", "list_resource_record_sets"),
             "logs": ("describe_delivery_sources", "describe_deliveries")}
    for service, operations in names.items():
        for name in operations:
            answers.handlers[(service, name)] = getattr(edge, name)
