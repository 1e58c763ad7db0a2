"""Terraform's ``aws_*`` resources as CloudFormation-shaped ones, references linked.

The virtual account (`auditor.iac.answers`) reads CloudFormation's shapes, which are the
API's with a few renames; Terraform's provider writes the same API fields in snake case
with nested blocks as lists. Converting once here lets every answer, default and rule serve
both. Each resource keeps its Terraform address as its logical id, so results name it the
way the code does (``module.edge.aws_lb.api``).

A reference becomes ``Ref``/``Fn::GetAtt`` of the resource it names; an attribute only
``apply`` can tell that is not such an identity is unknown ("known after apply"); an
attribute holding a secret Terraform makes (``random_password.x.result``) becomes a secret
that only matches other references to the same one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from auditor.iac.template import LoadedTemplate
from auditor.iac.terraform.model import (
    SECRET_ATTRIBUTES,
    Concat,
    Reference,
    TfResource,
    secret_type,
)
from auditor.iac.values import Unknown

Props = dict[str, Any]
CLOUDFRONT_HOSTED_ZONE = "Z2FDTNDATAQYW2"  # every distribution's alias target zone
CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"

# ---------------------------------------------------------------- small readers


def one(block: Any) -> Any:
    """A nested block written once: Terraform gives a list of one (or none)."""
    if isinstance(block, Unknown):
        return block
    if isinstance(block, list):
        return block[0] if block and isinstance(block[0], (dict, Unknown)) else {}
    return block if isinstance(block, dict) else {}


def many(blocks: Any) -> list:
    if isinstance(blocks, list):
        return [b for b in blocks if isinstance(b, (dict, Unknown))]
    return [blocks] if isinstance(blocks, dict) else []


def get(block: Any, key: str) -> Any:
    if isinstance(block, Unknown):
        return Unknown(block.why)
    return block.get(key) if isinstance(block, dict) else None


def empty(value: Any) -> bool:
    return value is None or value == [] or value == {}


def pick(values: Any, names: dict[str, str]) -> Props:
    """``{cfn: values[tf]}`` for the arguments set (null and empty blocks are not)."""
    return {cfn: get(values, tf) for tf, cfn in names.items() if not empty(get(values, tf))}


def tags(values: Any) -> list[dict]:
    raw = get(values, "tags")
    return [{"Key": k, "Value": v} for k, v in raw.items()] if isinstance(raw, dict) else []


def attributes(values: Any, names: dict[str, str]) -> list[dict]:
    """Arguments that CloudFormation and the API write as ``{Key, Value}`` attributes."""
    found = []
    for tf, key in names.items():
        path = tf.split("/")
        value = values
        for step in path:
            value = get(one(value) if value is not values else value, step)
        if not empty(value):
            found.append({"Key": key, "Value": value})
    return found


# ---------------------------------------------------------------- ELB


LB_ATTRIBUTES = {
    "drop_invalid_header_fields": "routing.http.drop_invalid_header_fields.enabled",
    "desync_mitigation_mode": "routing.http.desync_mitigation_mode",
    "idle_timeout": "idle_timeout.timeout_seconds",
    "enable_deletion_protection": "deletion_protection.enabled",
    "enable_http2": "routing.http2.enabled",
    "enable_waf_fail_open": "waf.fail_open.enabled",
    "xff_header_processing_mode": "routing.http.xff_header_processing.mode",
    "preserve_host_header": "routing.http.preserve_host_header.enabled",
    "client_keep_alive": "client_keep_alive.seconds",
    "enable_tls_version_and_cipher_suite_headers":
        "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
    "access_logs/enabled": "access_logs.s3.enabled",
    "access_logs/bucket": "access_logs.s3.bucket",
    "access_logs/prefix": "access_logs.s3.prefix",
    "connection_logs/enabled": "connection_logs.s3.enabled",
    "connection_logs/bucket": "connection_logs.s3.bucket",
}


def load_balancer(v: Any, r: TfResource) -> Props:
    internal = get(v, "internal")
    props = pick(v, {"name": "Name", "load_balancer_type": "Type",
                     "security_groups": "SecurityGroups", "subnets": "Subnets",
                     "ip_address_type": "IpAddressType"})
    if internal is not None:
        props["Scheme"] = internal if isinstance(internal, Unknown) else \
            ("internal" if internal is True or str(internal).lower() == "true"
             else "internet-facing")
    mappings = [pick(m, {"subnet_id": "SubnetId"}) for m in many(get(v, "subnet_mapping"))]
    if mappings:
        props["SubnetMappings"] = mappings
    props["LoadBalancerAttributes"] = attributes(v, LB_ATTRIBUTES)
    return props


def actions(blocks: Any) -> list:
    found = []
    for a in many(blocks):
        if isinstance(a, Unknown):
            found.append(a)
            continue
        item = pick(a, {"type": "Type", "order": "Order", "target_group_arn": "TargetGroupArn"})
        forward = one(get(a, "forward"))
        if forward:
            item["ForwardConfig"] = {"TargetGroups": [
                pick(g, {"arn": "TargetGroupArn", "weight": "Weight"})
                for g in many(get(forward, "target_group"))]}
            stickiness = one(get(forward, "stickiness"))
            if stickiness:
                item["ForwardConfig"]["TargetGroupStickinessConfig"] = pick(
                    stickiness, {"enabled": "Enabled", "duration": "DurationSeconds"})
        fixed = one(get(a, "fixed_response"))
        if fixed:
            item["FixedResponseConfig"] = pick(fixed, {
                "content_type": "ContentType", "message_body": "MessageBody",
                "status_code": "StatusCode"})
        redirect = one(get(a, "redirect"))
        if redirect:
            item["RedirectConfig"] = pick(redirect, {
                "protocol": "Protocol", "port": "Port", "host": "Host", "path": "Path",
                "query": "Query", "status_code": "StatusCode"})
        for tf, cfn in (("authenticate_oidc", "AuthenticateOidcConfig"),
                        ("authenticate_cognito", "AuthenticateCognitoConfig")):
            if one(get(a, tf)):
                item[cfn] = {"Configured": True}
        found.append(item)
    return found


CONDITION_FIELDS = {  # block -> (Field, config key, config fields)
    "host_header": ("host-header", "HostHeaderConfig",
                    {"values": "Values", "regex_values": "RegexValues"}),
    "path_pattern": ("path-pattern", "PathPatternConfig",
                     {"values": "Values", "regex_values": "RegexValues"}),
    "http_header": ("http-header", "HttpHeaderConfig",
                    {"http_header_name": "HttpHeaderName", "values": "Values",
                     "regex_values": "RegexValues"}),
    "http_request_method": ("http-request-method", "HttpRequestMethodConfig",
                            {"values": "Values"}),
    "source_ip": ("source-ip", "SourceIpConfig", {"values": "Values"}),
}


def conditions(blocks: Any) -> list:
    found = []
    for c in many(blocks):
        if isinstance(c, Unknown):
            found.append(c)
            continue
        if get(c, "field"):  # the provider's old form: field and values
            found.append(pick(c, {"field": "Field", "values": "Values"}))
            continue
        for block, (name, key, fields) in CONDITION_FIELDS.items():
            for config in many(get(c, block)):
                found.append({"Field": name, key: pick(config, fields)})
        for query in many(get(c, "query_string")):
            found.append({"Field": "query-string", "QueryStringConfig": {
                "Values": [pick(query, {"key": "Key", "value": "Value"})]}})
    return found


def listener(v: Any, r: TfResource) -> Props:
    props = pick(v, {"load_balancer_arn": "LoadBalancerArn", "port": "Port",
                     "protocol": "Protocol", "ssl_policy": "SslPolicy"})
    if not empty(get(v, "certificate_arn")):
        props["Certificates"] = [{"CertificateArn": get(v, "certificate_arn")}]
    props["DefaultActions"] = actions(get(v, "default_action"))
    mutual = one(get(v, "mutual_authentication"))
    if mutual:
        props["MutualAuthentication"] = pick(mutual, {"mode": "Mode"})
    return props


def listener_rule(v: Any, r: TfResource) -> Props:
    return {**pick(v, {"listener_arn": "ListenerArn", "priority": "Priority"}),
            "Actions": actions(get(v, "action")), "Conditions": conditions(get(v, "condition"))}


def listener_certificate(v: Any, r: TfResource) -> Props:
    return {"ListenerArn": get(v, "listener_arn"),
            "Certificates": [{"CertificateArn": get(v, "certificate_arn")}]}


def target_group(v: Any, r: TfResource) -> Props:
    props = pick(v, {"name": "Name", "target_type": "TargetType", "port": "Port",
                     "protocol": "Protocol", "vpc_id": "VpcId"})
    health = one(get(v, "health_check"))
    props.update(pick(health, {
        "enabled": "HealthCheckEnabled", "path": "HealthCheckPath",
        "interval": "HealthCheckIntervalSeconds", "timeout": "HealthCheckTimeoutSeconds",
        "healthy_threshold": "HealthyThresholdCount",
        "unhealthy_threshold": "UnhealthyThresholdCount"}))
    props["TargetGroupAttributes"] = attributes(v, {
        "lambda_multi_value_headers_enabled": "lambda.multi_value_headers.enabled"})
    return props


# ---------------------------------------------------------------- Lambda


def function(v: Any, r: TfResource) -> Props:
    props = pick(v, {"function_name": "FunctionName", "runtime": "Runtime",
                     "handler": "Handler", "role": "Role", "timeout": "Timeout",
                     "memory_size": "MemorySize", "architectures": "Architectures",
                     "package_type": "PackageType"})
    reserved = get(v, "reserved_concurrent_executions")
    if not empty(reserved) and reserved != -1:  # -1: the provider's "unreserved"
        props["ReservedConcurrentExecutions"] = reserved
    environment = one(get(v, "environment"))
    if environment:
        props["Environment"] = pick(environment, {"variables": "Variables"})
    tracing = one(get(v, "tracing_config"))
    if tracing:
        props["TracingConfig"] = pick(tracing, {"mode": "Mode"})
    dlq = one(get(v, "dead_letter_config"))
    if dlq:
        props["DeadLetterConfig"] = pick(dlq, {"target_arn": "TargetArn"})
    vpc = one(get(v, "vpc_config"))
    if vpc:
        props["VpcConfig"] = pick(vpc, {"subnet_ids": "SubnetIds",
                                        "security_group_ids": "SecurityGroupIds"})
    return props


def qualified(name: Any, qualifier: Any) -> Any:
    if empty(qualifier):
        return name
    return {"Fn::Join": [":", [name, qualifier]]}


def permission(v: Any, r: TfResource) -> Props:
    props = pick(v, {"action": "Action", "principal": "Principal",
                     "source_arn": "SourceArn", "source_account": "SourceAccount",
                     "principal_org_id": "PrincipalOrgID",
                     "function_url_auth_type": "FunctionUrlAuthType",
                     "event_source_token": "EventSourceToken"})
    props["FunctionName"] = qualified(get(v, "function_name"), get(v, "qualifier"))
    return props


def alias(v: Any, r: TfResource) -> Props:
    return pick(v, {"name": "Name", "function_name": "FunctionName",
                    "function_version": "FunctionVersion"})


def function_url(v: Any, r: TfResource) -> Props:
    return pick(v, {"function_name": "TargetFunctionArn", "qualifier": "Qualifier",
                    "authorization_type": "AuthType", "invoke_mode": "InvokeMode"})


# ---------------------------------------------------------------- EC2


def ingress_entry(rule: Any, own: Any) -> Props:
    """One rule; CIDRs, prefix lists and groups stay lists (the answers read either)."""
    entry = pick(rule, {"from_port": "FromPort", "to_port": "ToPort"})
    entry["IpProtocol"] = get(rule, "protocol") if not empty(get(rule, "protocol")) \
        else get(rule, "ip_protocol")
    for tf, cfn in (("cidr_blocks", "CidrIp"), ("ipv6_cidr_blocks", "CidrIpv6"),
                    ("prefix_list_ids", "SourcePrefixListId"),
                    ("security_groups", "SourceSecurityGroupId"),
                    ("source_security_group_id", "SourceSecurityGroupId"),
                    ("cidr_ipv4", "CidrIp"), ("cidr_ipv6", "CidrIpv6"),
                    ("prefix_list_id", "SourcePrefixListId"),
                    ("referenced_security_group_id", "SourceSecurityGroupId")):
        value = get(rule, tf)
        if not empty(value):
            entry[cfn] = value
    if get(rule, "self") is True:
        entry["SourceSecurityGroupId"] = own
    return entry


def security_group(v: Any, r: TfResource) -> Props:
    props = pick(v, {"name": "GroupName", "description": "GroupDescription",
                     "vpc_id": "VpcId"})
    ingress = get(v, "ingress")
    props["SecurityGroupIngress"] = ingress if isinstance(ingress, Unknown) else [
        ingress_entry(rule, Reference(r.address, "id")) for rule in many(ingress)]
    return props


def security_group_rule(v: Any, r: TfResource) -> Props | None:
    if get(v, "type") != "ingress":
        return None  # egress does not decide who reaches the ALB
    own = Reference(r.address, "security_group_id")
    return {"GroupId": get(v, "security_group_id"), **ingress_entry(v, own)}


def ingress_rule(v: Any, r: TfResource) -> Props:
    return {"GroupId": get(v, "security_group_id"), **ingress_entry(v, None)}


def prefix_list(v: Any, r: TfResource) -> Props:
    return {**pick(v, {"name": "PrefixListName", "address_family": "AddressFamily"}),
            "Entries": [pick(e, {"cidr": "Cidr"}) for e in many(get(v, "entry"))]}


# ---------------------------------------------------------------- CloudFront


def origin(o: Any) -> Props:
    props = pick(o, {"origin_id": "Id", "domain_name": "DomainName",
                     "origin_path": "OriginPath", "connection_attempts": "ConnectionAttempts",
                     "connection_timeout": "ConnectionTimeout",
                     "origin_access_control_id": "OriginAccessControlId",
                     "response_completion_timeout": "ResponseCompletionTimeout"})
    headers = [pick(h, {"name": "HeaderName", "value": "HeaderValue"})
               for h in many(get(o, "custom_header"))]
    if headers:
        props["OriginCustomHeaders"] = headers
    custom = one(get(o, "custom_origin_config"))
    if custom:
        props["CustomOriginConfig"] = pick(custom, {
            "http_port": "HTTPPort", "https_port": "HTTPSPort",
            "origin_protocol_policy": "OriginProtocolPolicy",
            "origin_ssl_protocols": "OriginSSLProtocols",
            "origin_read_timeout": "OriginReadTimeout",
            "origin_keepalive_timeout": "OriginKeepaliveTimeout",
            "ip_address_type": "IpAddressType"})
    vpc = one(get(o, "vpc_origin_config"))
    if vpc:
        props["VpcOriginConfig"] = pick(vpc, {
            "vpc_origin_id": "VpcOriginId", "origin_read_timeout": "OriginReadTimeout",
            "origin_keepalive_timeout": "OriginKeepaliveTimeout"})
    s3 = one(get(o, "s3_origin_config"))
    if s3:
        props["S3OriginConfig"] = pick(s3, {"origin_access_identity": "OriginAccessIdentity"})
    return props


def behavior(b: Any) -> Props:
    props = pick(b, {"path_pattern": "PathPattern", "target_origin_id": "TargetOriginId",
                     "viewer_protocol_policy": "ViewerProtocolPolicy",
                     "allowed_methods": "AllowedMethods", "cached_methods": "CachedMethods",
                     "cache_policy_id": "CachePolicyId",
                     "origin_request_policy_id": "OriginRequestPolicyId",
                     "response_headers_policy_id": "ResponseHeadersPolicyId",
                     "compress": "Compress", "realtime_log_config_arn": "RealtimeLogConfigArn",
                     "min_ttl": "MinTTL", "default_ttl": "DefaultTTL", "max_ttl": "MaxTTL"})
    forwarded = one(get(b, "forwarded_values"))
    if forwarded:
        props["ForwardedValues"] = {
            **pick(forwarded, {"query_string": "QueryString", "headers": "Headers"}),
            "Cookies": pick(one(get(forwarded, "cookies")), {"forward": "Forward"})}
    lambdas = [pick(a, {"event_type": "EventType", "lambda_arn": "LambdaFunctionARN",
                        "include_body": "IncludeBody"})
               for a in many(get(b, "lambda_function_association"))]
    if lambdas:
        props["LambdaFunctionAssociations"] = lambdas
    functions = [pick(a, {"event_type": "EventType", "function_arn": "FunctionARN"})
                 for a in many(get(b, "function_association"))]
    if functions:
        props["FunctionAssociations"] = functions
    return props


def distribution(v: Any, r: TfResource) -> Props:
    config = pick(v, {"enabled": "Enabled", "aliases": "Aliases", "web_acl_id": "WebACLId",
                      "price_class": "PriceClass", "http_version": "HttpVersion",
                      "staging": "Staging", "comment": "Comment"})
    config["Origins"] = [origin(o) for o in many(get(v, "origin"))]
    config["DefaultCacheBehavior"] = behavior(one(get(v, "default_cache_behavior")))
    ordered = [behavior(b) for b in many(get(v, "ordered_cache_behavior"))]
    if ordered:
        config["CacheBehaviors"] = ordered
    groups = [{"Id": get(g, "origin_id"), "Members": {"Items": [
        {"OriginId": get(m, "origin_id")} for m in many(get(g, "member"))]}}
        for g in many(get(v, "origin_group"))]
    if groups:
        config["OriginGroups"] = {"Items": groups}
    logging = one(get(v, "logging_config"))
    if logging:
        config["Logging"] = pick(logging, {"bucket": "Bucket", "prefix": "Prefix",
                                           "include_cookies": "IncludeCookies"})
    certificate = one(get(v, "viewer_certificate"))
    if certificate:
        config["ViewerCertificate"] = pick(certificate, {
            "acm_certificate_arn": "AcmCertificateArn",
            "minimum_protocol_version": "MinimumProtocolVersion",
            "ssl_support_method": "SslSupportMethod",
            "cloudfront_default_certificate": "CloudFrontDefaultCertificate"})
    return {"DistributionConfig": config}


def cache_policy(v: Any, r: TfResource) -> Props:
    return {"CachePolicyConfig": pick(v, {"name": "Name", "min_ttl": "MinTTL",
                                          "default_ttl": "DefaultTTL", "max_ttl": "MaxTTL"})}


def origin_request_policy(v: Any, r: TfResource) -> Props:
    headers = one(get(v, "headers_config"))
    return {"OriginRequestPolicyConfig": {"Name": get(v, "name"), "HeadersConfig": {
        **pick(headers, {"header_behavior": "HeaderBehavior"}),
        "Headers": get(one(get(headers, "headers")), "items") or []}}}


def monitoring_subscription(v: Any, r: TfResource) -> Props:
    config = one(get(one(get(v, "monitoring_subscription")),
                     "realtime_metrics_subscription_config"))
    return {"DistributionId": get(v, "distribution_id"), "MonitoringSubscription": {
        "RealtimeMetricsSubscriptionConfig": pick(config, {
            "realtime_metrics_subscription_status": "RealtimeMetricsSubscriptionStatus"})}}


def vpc_origin(v: Any, r: TfResource) -> Props:
    config = one(get(v, "vpc_origin_endpoint_config"))
    return {"VpcOriginEndpointConfig": pick(config, {
        "arn": "Arn", "name": "Name", "http_port": "HTTPPort", "https_port": "HTTPSPort",
        "origin_protocol_policy": "OriginProtocolPolicy"})}


# ---------------------------------------------------------------- WAF


WAF_LISTS = {"rule": "Rules", "text_transformation": "TextTransformations",
             "excluded_rule": "ExcludedRules", "rule_action_override": "RuleActionOverrides",
             "custom_key": "CustomKeys", "custom_request_handling_header": "InsertHeaders"}
WAF_NAMES = {"cloudwatch_metrics_enabled": "CloudWatchMetricsEnabled",
             "ip_set_reference_statement": "IPSetReferenceStatement",
             "ip_set_forwarded_ip_config": "IPSetForwardedIPConfig",
             "arn": "Arn", "json_body": "JsonBody", "uri_path": "UriPath"}


def _pascal(name: str) -> str:
    return WAF_NAMES.get(name) or "".join(p[:1].upper() + p[1:] for p in name.split("_"))


def waf(value: Any, parent: str = "") -> Any:
    """A WAF block as CloudFormation writes it: Pascal case; a block written once an
    object (an empty one, ``allow {}``, is present all the same); repeated blocks lists;
    ``statement`` of an and/or statement ``Statements``."""
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, inner in value.items():
        if inner is None or inner == []:
            continue  # an absent block or a null argument
        repeated = key in WAF_LISTS or (key == "statement" and
                                        parent in ("and_statement", "or_statement"))
        name = "Statements" if repeated and key == "statement" else \
            WAF_LISTS.get(key) or _pascal(key)
        if isinstance(inner, list) and inner and all(isinstance(i, dict) for i in inner):
            out[name] = [waf(i, key) for i in inner] if repeated else waf(inner[0], key)
        else:
            out[name] = inner
    return out


def web_acl(v: Any, r: TfResource) -> Props:
    props = pick(v, {"name": "Name", "scope": "Scope", "description": "Description"})
    for key in ("default_action", "visibility_config"):
        if not empty(get(v, key)):
            props[_pascal(key)] = waf({key: get(v, key)})[_pascal(key)]
    props["Rules"] = [waf(rule) for rule in many(get(v, "rule"))]
    return props


def web_acl_association(v: Any, r: TfResource) -> Props:
    return pick(v, {"resource_arn": "ResourceArn", "web_acl_arn": "WebACLArn"})


# ---------------------------------------------------------------- others


def certificate(v: Any, r: TfResource) -> Props:
    return pick(v, {"domain_name": "DomainName",
                    "subject_alternative_names": "SubjectAlternativeNames",
                    "validation_method": "ValidationMethod"})


def alarm(v: Any, r: TfResource) -> Props:
    props = pick(v, {"alarm_name": "AlarmName", "metric_name": "MetricName",
                     "namespace": "Namespace", "statistic": "Statistic",
                     "extended_statistic": "ExtendedStatistic", "period": "Period",
                     "evaluation_periods": "EvaluationPeriods", "threshold": "Threshold",
                     "comparison_operator": "ComparisonOperator",
                     "alarm_actions": "AlarmActions", "treat_missing_data": "TreatMissingData"})
    dimensions = get(v, "dimensions")
    if isinstance(dimensions, dict):
        props["Dimensions"] = [{"Name": k, "Value": d} for k, d in dimensions.items()]
    return props


def record(v: Any, r: TfResource) -> Props:
    props = pick(v, {"zone_id": "HostedZoneId", "name": "Name", "type": "Type",
                     "records": "ResourceRecords", "ttl": "TTL"})
    target = one(get(v, "alias"))
    if target:
        props["AliasTarget"] = pick(target, {"name": "DNSName", "zone_id": "HostedZoneId",
                                             "evaluate_target_health": "EvaluateTargetHealth"})
    return props


def named(key: str) -> Callable[[Any, TfResource], Props]:
    return lambda v, r: pick(v, {"name": key})


def delivery_source(v: Any, r: TfResource) -> Props:
    return pick(v, {"name": "Name", "log_type": "LogType", "resource_arn": "ResourceArn"})


def delivery(v: Any, r: TfResource) -> Props:
    return pick(v, {"delivery_source_name": "DeliverySourceName",
                    "delivery_destination_arn": "DeliveryDestinationArn"})


def subnet(v: Any, r: TfResource) -> Props:
    return pick(v, {"vpc_id": "VpcId", "cidr_block": "CidrBlock"})


# Terraform type -> (CloudFormation type, converter). aws_alb* are the provider's aliases.
CONVERTERS: dict[str, tuple[str, Callable[[Any, TfResource], Props | None]]] = {
    "aws_lb": ("AWS::ElasticLoadBalancingV2::LoadBalancer", load_balancer),
    "aws_lb_listener": ("AWS::ElasticLoadBalancingV2::Listener", listener),
    "aws_lb_listener_rule": ("AWS::ElasticLoadBalancingV2::ListenerRule", listener_rule),
    "aws_lb_listener_certificate": ("AWS::ElasticLoadBalancingV2::ListenerCertificate",
                                    listener_certificate),
    "aws_lb_target_group": ("AWS::ElasticLoadBalancingV2::TargetGroup", target_group),
    "aws_lambda_function": ("AWS::Lambda::Function", function),
    "aws_lambda_permission": ("AWS::Lambda::Permission", permission),
    "aws_lambda_alias": ("AWS::Lambda::Alias", alias),
    "aws_lambda_function_url": ("AWS::Lambda::Url", function_url),
    "aws_security_group": ("AWS::EC2::SecurityGroup", security_group),
    "aws_security_group_rule": ("AWS::EC2::SecurityGroupIngress", security_group_rule),
    "aws_vpc_security_group_ingress_rule": ("AWS::EC2::SecurityGroupIngress", ingress_rule),
    "aws_ec2_managed_prefix_list": ("AWS::EC2::PrefixList", prefix_list),
    "aws_subnet": ("AWS::EC2::Subnet", subnet),
    "aws_vpc": ("AWS::EC2::VPC", lambda v, r: {}),
    "aws_cloudfront_distribution": ("AWS::CloudFront::Distribution", distribution),
    "aws_cloudfront_cache_policy": ("AWS::CloudFront::CachePolicy", cache_policy),
    "aws_cloudfront_origin_request_policy": ("AWS::CloudFront::OriginRequestPolicy",
                                             origin_request_policy),
    "aws_cloudfront_monitoring_subscription": ("AWS::CloudFront::MonitoringSubscription",
                                               monitoring_subscription),
    "aws_cloudfront_vpc_origin": ("AWS::CloudFront::VpcOrigin", vpc_origin),
    "aws_wafv2_web_acl": ("AWS::WAFv2::WebACL", web_acl),
    "aws_wafv2_web_acl_association": ("AWS::WAFv2::WebACLAssociation", web_acl_association),
    "aws_acm_certificate": ("AWS::CertificateManager::Certificate", certificate),
    "aws_cloudwatch_metric_alarm": ("AWS::CloudWatch::Alarm", alarm),
    "aws_route53_zone": ("AWS::Route53::HostedZone", named("Name")),
    "aws_route53_record": ("AWS::Route53::RecordSet", record),
    "aws_sns_topic": ("AWS::SNS::Topic", named("TopicName")),
    "aws_iam_role": ("AWS::IAM::Role", named("RoleName")),
    "aws_cloudwatch_log_delivery_source": ("AWS::Logs::DeliverySource", delivery_source),
    "aws_cloudwatch_log_delivery": ("AWS::Logs::Delivery", delivery),
}
for _alias in ("", "_listener", "_listener_rule", "_listener_certificate", "_target_group"):
    CONVERTERS["aws_alb" + _alias] = CONVERTERS["aws_lb" + _alias]

# Terraform attribute -> how CloudFormation names it: "" for Ref, else the Fn::GetAtt name.
IDENTITY: dict[str, dict[str, str]] = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": {
        "arn": "", "id": "", "dns_name": "DNSName", "zone_id": "CanonicalHostedZoneID",
        "arn_suffix": "LoadBalancerFullName", "name": "LoadBalancerName",
        "security_groups": "SecurityGroups"},
    "AWS::ElasticLoadBalancingV2::TargetGroup": {
        "arn": "", "id": "", "arn_suffix": "TargetGroupFullName", "name": "TargetGroupName"},
    "AWS::ElasticLoadBalancingV2::Listener": {"arn": "", "id": ""},
    "AWS::ElasticLoadBalancingV2::ListenerRule": {"arn": "", "id": ""},
    "AWS::Lambda::Function": {"arn": "Arn", "function_name": "", "id": ""},
    "AWS::Lambda::Alias": {"arn": "", "id": ""},
    "AWS::Lambda::Url": {"function_url": "FunctionUrl"},
    "AWS::EC2::SecurityGroup": {"id": ""},
    "AWS::EC2::PrefixList": {"id": ""},
    "AWS::EC2::VPC": {"id": ""},
    "AWS::EC2::Subnet": {"id": ""},
    "AWS::CloudFront::Distribution": {"id": "", "arn": "Arn", "domain_name": "DomainName"},
    "AWS::CloudFront::CachePolicy": {"id": "Id"},
    "AWS::CloudFront::OriginRequestPolicy": {"id": "Id"},
    "AWS::CloudFront::VpcOrigin": {"id": "Id", "arn": "Arn"},
    "AWS::WAFv2::WebACL": {"arn": "Arn", "id": "Id"},
    "AWS::CertificateManager::Certificate": {"arn": "", "id": ""},
    "AWS::SNS::Topic": {"arn": "", "id": ""},
    "AWS::Route53::HostedZone": {"zone_id": "", "id": ""},
    "AWS::IAM::Role": {"arn": "Arn", "name": "", "id": ""},
}

# data sources whose answer a plan-free reading knows
PSEUDO = {("aws_caller_identity", "account_id"): "AWS::AccountId",
          ("aws_region", "name"): "AWS::Region", ("aws_region", "id"): "AWS::Region",
          ("aws_region", "region"): "AWS::Region",
          ("aws_partition", "partition"): "AWS::Partition"}

INDEX = re.compile(r"\[[^\]]*\]$")


class Linker:
    """Turns references into intrinsics of the converted resources (by address)."""

    def __init__(self, resources: list[TfResource], cfn_types: dict[str, str],
                 region: str) -> None:
        self.by_address = {r.address: r for r in resources}
        self.cfn_types, self.region = cfn_types, region
        self._following: list[str] = []

    def target(self, address: str) -> TfResource | None:
        found = self.by_address.get(address)
        if found is None and not INDEX.search(address):
            instances = [a for a in self.by_address if INDEX.sub("", a) == address]
            found = self.by_address[instances[0]] if len(instances) == 1 else None
        return found

    def link(self, value: Any) -> Any:
        if isinstance(value, Reference):
            return self.reference(value)
        if isinstance(value, Concat):
            parts = [self.link(p) for p in value.parts]
            if any(isinstance(p, Unknown) for p in parts):
                return next(p for p in parts if isinstance(p, Unknown))
            if all(isinstance(p, (str, int, float)) for p in parts):
                return "".join(str(p) for p in parts)
            return {"Fn::Join": ["", parts]}
        if isinstance(value, dict):
            return {k: self.link(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.link(v) for v in value]
        return value

    def reference(self, ref: Reference) -> Any:
        kind = secret_type(ref.address)
        if ref.attribute in SECRET_ATTRIBUTES.get(kind, ()):
            return "{{resolve:secretsmanager:terraform/" + f"{ref.address}:{ref.attribute}" \
                   + self._generated(ref) + "}}"
        if ref.address.startswith("data.") or ".data." in ref.address:
            pseudo = PSEUDO.get((kind, ref.attribute))
            if pseudo:
                return {"Ref": pseudo}
        target = self.target(ref.address)
        if target is None:
            return Unknown(f"{ref} (not a resource of this configuration)")
        cfn_type = self.cfn_types.get(target.address, "")
        found = self._attribute(target, cfn_type, ref.attribute)
        for step in ref.path:
            found = self._step(found, step, ref)
        return found

    def _generated(self, ref: Reference) -> str:
        """``:generated=N`` for a value Terraform generates with N random characters (its
        configured length, not the secret), so BYP-009 can judge it; else nothing."""
        target = self.target(ref.address)
        if target is None:
            return ""
        if target.type in ("random_password", "random_string") and ref.attribute == "result":
            length = target.values.get("length")
            return f":generated={length}" if isinstance(length, int) else ""
        if target.type == "random_uuid" and ref.attribute == "result":
            return ":generated=32"  # 122 random bits in 32 hex digits
        return ""

    def _attribute(self, target: TfResource, cfn_type: str, attribute: str) -> Any:
        if attribute in target.known:
            return target.known[attribute]
        if cfn_type == "AWS::CloudFront::Distribution" and attribute == "hosted_zone_id":
            return CLOUDFRONT_HOSTED_ZONE
        name = IDENTITY.get(cfn_type, {}).get(attribute)
        if name is not None:
            return {"Ref": target.address} if name == "" else \
                {"Fn::GetAtt": [target.address, name]}
        if target.type == "aws_ec2_managed_prefix_list" and target.mode == "data" \
                and attribute == "id":
            return self._cloudfront_prefix_list(target)
        value = target.values.get(attribute)
        if value is not None and not isinstance(value, Unknown):
            if target.address in self._following:
                return Unknown(f"{target.address}.{attribute} (a circular reference)")
            self._following.append(target.address)
            try:
                return self.link(value)
            finally:
                self._following.pop()
        return Unknown(f"{target.address}.{attribute} (known after apply)")

    def _cloudfront_prefix_list(self, target: TfResource) -> Any:
        from auditor.iac.answers.network import CLOUDFRONT_PREFIX_LISTS

        if target.values.get("name") == CLOUDFRONT_ORIGIN_FACING and \
                self.region in CLOUDFRONT_PREFIX_LISTS:
            return CLOUDFRONT_PREFIX_LISTS[self.region]
        return Unknown(f"{target.address}.id (read by terraform plan)")

    @staticmethod
    def _step(value: Any, step: Any, ref: Reference) -> Any:
        if isinstance(value, list) and isinstance(step, int) and step < len(value):
            return value[step]
        if isinstance(value, dict) and not any(k.startswith(("Fn::", "Ref")) for k in value):
            return value.get(step, Unknown(f"{ref} (no such element)"))
        if isinstance(value, dict) and isinstance(step, int):
            return {"Fn::Select": [step, value]}
        return Unknown(f"{ref} (known after apply)")


def to_template(resources: list[TfResource], path: str, region: str,
                warnings: list[str]) -> LoadedTemplate:
    """The resources as one template body; locations by address."""
    body: dict[str, dict] = {}
    cfn_types: dict[str, str] = {}
    for r in resources:
        converter = CONVERTERS.get(r.type) if r.mode == "managed" else None
        cfn_types[r.address] = converter[0] if converter else f"Terraform::{r.mode}::{r.type}"
    linker = Linker(resources, cfn_types, region)
    attachments = []
    for r in resources:
        if r.mode == "managed" and r.type in ("aws_lb_target_group_attachment",
                                              "aws_alb_target_group_attachment",
                                              "aws_lambda_provisioned_concurrency_config"):
            attachments.append(r)
            continue
        converter = CONVERTERS.get(r.type) if r.mode == "managed" else None
        props = converter[1](r.values, r) if converter else {}
        if props is None:
            continue
        if converter and (found_tags := tags(r.values)):
            props["Tags"] = found_tags
        entry: dict[str, Any] = {"Type": cfn_types[r.address], "Properties": props}
        known = _known_identity(r, cfn_types[r.address])
        if known:
            entry["KnownAttributes"] = known
        body[r.address] = entry
    for attachment in attachments:
        if attachment.type == "aws_lambda_provisioned_concurrency_config":
            _provision(attachment, resources, body, warnings)
        else:
            _attach(attachment, body, linker, warnings)
    linked = {address: {**entry, "Properties": linker.link(entry["Properties"])}
              for address, entry in body.items()}
    return LoadedTemplate(path, {"Resources": linked},
                          {r.address: r.location for r in resources})


def _known_identity(r: TfResource, cfn_type: str) -> dict[str, Any]:
    """What a plan already knows of an existing resource's names, by CloudFormation's
    names (``""`` is Ref), so literal ARNs elsewhere in the plan match it."""
    found = {}
    for attribute, name in IDENTITY.get(cfn_type, {}).items():
        value = r.known.get(attribute)
        if isinstance(value, (str, list)) and value and name not in found:
            found[name] = value
    return found


def _attach(attachment: TfResource, body: dict, linker: Linker, warnings: list[str]) -> None:
    """``aws_lb_target_group_attachment``: a target of the group it names (CloudFormation
    writes targets in the group)."""
    group = attachment.values.get("target_group_arn")
    address = group.address if isinstance(group, Reference) else next(
        (a for a, e in body.items() if e.get("KnownAttributes", {}).get("") == group), None)
    target = linker.target(address) if address else None
    if target is None or target.address not in body:
        warnings.append(f"{attachment.location}: {attachment.address} attaches to a target "
                        "group that is not in this configuration (not judged)")
        return
    props = body[target.address]["Properties"]
    props.setdefault("Targets", []).append({"Id": attachment.values.get("target_id")})


def _provision(config: TfResource, resources: list[TfResource], body: dict,
               warnings: list[str]) -> None:
    """``aws_lambda_provisioned_concurrency_config``: the alias it names (CloudFormation
    writes it in the alias). A version qualifier or an alias not in the configuration is
    not judged, and a warning says so."""
    qualifier, function = config.values.get("qualifier"), config.values.get("function_name")
    for alias in (r for r in resources if r.type == "aws_lambda_alias" and r.address in body):
        named = (isinstance(qualifier, Reference) and qualifier.address == alias.address) or (
            isinstance(qualifier, str) and alias.values.get("name") == qualifier
            and _same(alias.values.get("function_name"), function))
        if named:
            body[alias.address]["Properties"]["ProvisionedConcurrencyConfig"] = {
                "ProvisionedConcurrentExecutions":
                    config.values.get("provisioned_concurrent_executions")}
            return
    warnings.append(f"{config.location}: {config.address} provisions a qualifier that is not "
                    "an alias of this configuration (not judged)")


def _same(a: Any, b: Any) -> bool:
    """Two function_name arguments naming one function (the same reference or string)."""
    if isinstance(a, Reference) and isinstance(b, Reference):
        return a.address == b.address
    return a == b
