"""The operational side of a seeded app: ALB attributes, CloudFront additional metrics,
alarms, and a week of CloudWatch traffic, all through the public API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.demo.seed import AppSpec, SeededApp, Seeder

DAYS = 7


def _dims(**values: str) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in values.items()]


def _alarm(cw: Any, name: str, namespace: str, metric: str, dims: list, stat: str,
           threshold: float) -> None:
    cw.put_metric_alarm(AlarmName=name, Namespace=namespace, MetricName=metric,
                        Dimensions=dims, Statistic=stat, Period=300, EvaluationPeriods=3,
                        Threshold=threshold, ComparisonOperator="GreaterThanThreshold")


def _daily(cw: Any, namespace: str, metric: str, dims: list, per_day: float,
           unit: str = "Count") -> None:
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    cw.put_metric_data(Namespace=namespace, MetricData=[
        {"MetricName": metric, "Dimensions": dims, "Timestamp": today - timedelta(days=d),
         "Value": per_day, "Unit": unit} for d in range(1, DAYS + 1)])


def seed_operations(seeder: Seeder, spec: AppSpec, seeded: SeededApp) -> None:
    region = spec.region
    elb_dim = seeded.alb_arn.split(":", 5)[-1].removeprefix("loadbalancer/")
    if spec.alb_hardening:
        seeder.client("elbv2", region).modify_load_balancer_attributes(
            LoadBalancerArn=seeded.alb_arn, Attributes=[
                {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
                {"Key": "deletion_protection.enabled", "Value": "true"},
                {"Key": "access_logs.s3.enabled", "Value": "true"},
                {"Key": "access_logs.s3.bucket", "Value": "edge-logs"}])
    if spec.waf_fail_open:
        seeder.client("elbv2", region).modify_load_balancer_attributes(
            LoadBalancerArn=seeded.alb_arn,
            Attributes=[{"Key": "waf.fail_open.enabled", "Value": "true"}])
    dist_id = seeded.distribution_arn.rsplit("/", 1)[-1] if seeded.distribution_arn else ""
    edge = seeded.edge or seeder  # the distribution's account
    edge_cw = edge.client("cloudwatch", "us-east-1")
    if dist_id and spec.realtime_metrics:
        edge.client("cloudfront", "us-east-1").create_monitoring_subscription(
            DistributionId=dist_id, MonitoringSubscription={
                "RealtimeMetricsSubscriptionConfig": {
                    "RealtimeMetricsSubscriptionStatus": "Enabled"}})
    cw = seeder.client("cloudwatch", region)
    if spec.alarms:
        _alarm(cw, f"{spec.name}-latency", "AWS/ApplicationELB", "TargetResponseTime",
               _dims(LoadBalancer=elb_dim), "Average", 2.0)
        _alarm(cw, f"{region}-lambda-concurrency", "AWS/Lambda", "ConcurrentExecutions", [],
               "Maximum", 800)
        if dist_id:
            _alarm(edge_cw, f"{spec.name}-cache-hits", "AWS/CloudFront", "CacheHitRate",
                   _dims(DistributionId=dist_id, Region="Global"), "Average", 50)
    per_day = spec.monthly_requests / 30
    if per_day:
        _daily(cw, "AWS/ApplicationELB", "RequestCount", _dims(LoadBalancer=elb_dim), per_day)
        if dist_id:
            _daily(edge_cw, "AWS/CloudFront", "Requests",
                   _dims(DistributionId=dist_id, Region="Global"), per_day)
    for fn in spec.functions:
        name = f"{spec.name}-{fn.name}"
        dims = (_dims(FunctionName=name, Resource=f"{name}:{fn.alias}") if fn.alias
                else _dims(FunctionName=name))
        if spec.throttles:
            _daily(cw, "AWS/Lambda", "Throttles", dims, spec.throttles / DAYS)
        if fn.max_duration_ms:
            _daily(cw, "AWS/Lambda", "Duration", dims, fn.max_duration_ms, "Milliseconds")
        if fn.errors:
            tg_dim = seeded.target_groups[fn.name].split(":", 5)[-1]
            for scope in (_dims(LoadBalancer=elb_dim),
                          _dims(LoadBalancer=elb_dim, TargetGroup=tg_dim)):
                _daily(cw, "AWS/ApplicationELB", "LambdaUserError", scope, fn.errors / DAYS)


def seed_rest_api(seeder: Seeder, region: str, name: str, stages: int) -> str:
    """A REST API with ``stages`` stages (APIGW-001 counts them against the quota of 10)."""
    api = seeder.client("apigateway", region)
    api_id = api.create_rest_api(name=name)["id"]
    root = api.get_resources(restApiId=api_id)["items"][0]["id"]
    api.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    api.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    for i in range(stages):
        deployment = api.create_deployment(restApiId=api_id)["id"]
        api.create_stage(restApiId=api_id, stageName=f"env{i}", deploymentId=deployment)
    return api_id


def seed_dns(seeder: Seeder, zone: str, records: dict[str, list[str]]) -> str:
    """A public hosted zone whose names point to others: an alias to an ALB's DNS name
    (``dualstack.`` + name) or a CNAME to any other name; several targets of one name
    become a weighted set, as a blue/green or latency layout has."""
    r53 = seeder.client("route53", "us-east-1")
    zone_id = r53.create_hosted_zone(Name=zone, CallerReference=zone)["HostedZone"]["Id"]
    changes = []
    for name, targets in records.items():
        for i, target in enumerate(targets):
            record: dict[str, Any] = {"Name": name}
            if len(targets) > 1:
                record.update(SetIdentifier=f"w{i}", Weight=100 // len(targets))
            if ".elb.amazonaws.com" in target:
                record.update(Type="A", AliasTarget={
                    "HostedZoneId": "Z35SXDOTRQ7X7K", "DNSName": target,
                    "EvaluateTargetHealth": False})
            else:
                record.update(Type="CNAME", TTL=60, ResourceRecords=[{"Value": target}])
            changes.append({"Action": "CREATE", "ResourceRecordSet": record})
    r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})
    return zone_id
