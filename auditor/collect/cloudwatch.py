"""CloudWatch: daily metric series batched in ``GetMetricData``, and the alarms of a
region flattened to the metrics they watch (``DescribeAlarms`` once per region)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from auditor.collect.base import Calls
from auditor.gaps import Unavailable
from auditor.inventory import (
    AlarmWatch,
    Distribution,
    LambdaFunction,
    LoadBalancer,
    MetricSeries,
    TargetGroup,
    alb_dimensions,
    distribution_dimensions,
    function_dimensions,
    metric_key,
)

OPERATIONS = ("cloudwatch:GetMetricData", "cloudwatch:DescribeAlarms")
QUERIES_PER_CALL = 500
DAY = 86400
ELB, LAMBDA, CLOUDFRONT = "AWS/ApplicationELB", "AWS/Lambda", "AWS/CloudFront"


@dataclass(frozen=True)
class Query:
    namespace: str
    metric: str
    dimensions: dict[str, str]
    stat: str = "Sum"

    @property
    def key(self) -> str:
        return metric_key(self.metric, self.dimensions)


def region_queries(albs: list[LoadBalancer], target_groups: list[TargetGroup],
                   functions: list[LambdaFunction]) -> list[Query]:
    queries = []
    for alb in albs:
        for metric in ("LambdaUserError", "HTTPCode_ELB_502_Count", "RequestCount"):
            queries.append(Query(ELB, metric, alb_dimensions(alb.arn)))
        for tg in target_groups:
            if alb.arn in tg.load_balancer_arns:
                queries.append(Query(ELB, "LambdaUserError", alb_dimensions(alb.arn, tg.arn)))
    for fn in functions:
        queries.append(Query(LAMBDA, "Throttles", function_dimensions(fn)))
        # LMB-004: the longest run of each day, against the function's timeout.
        queries.append(Query(LAMBDA, "Duration", function_dimensions(fn), "Maximum"))
    return queries


def edge_queries(distributions: list[Distribution]) -> list[Query]:
    queries = []
    for dist in distributions:
        dims = distribution_dimensions(dist)
        queries.append(Query(CLOUDFRONT, "Requests", dims))
        queries.append(Query(CLOUDFRONT, "CacheHitRate", dims, "Average"))
    return queries


def daily_series(calls: Calls, region: str, queries: list[Query], days: int,
                 now: datetime | None = None) -> MetricSeries | Unavailable | None:
    """Daily values of every query over the last ``days`` whole days."""
    if not queries:
        return None
    end = (now or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    daily: dict[str, dict[str, float]] = {}
    for offset in range(0, len(queries), QUERIES_PER_CALL):
        batch = queries[offset:offset + QUERIES_PER_CALL]
        by_id = {f"q{i}": q for i, q in enumerate(batch)}
        results = calls.paginate(
            "cloudwatch", region, "get_metric_data", "MetricDataResults",
            MetricDataQueries=[{"Id": qid, "ReturnData": True, "MetricStat": {
                "Metric": {"Namespace": q.namespace, "MetricName": q.metric,
                           "Dimensions": [{"Name": k, "Value": v}
                                          for k, v in q.dimensions.items()]},
                "Period": DAY, "Stat": q.stat}} for qid, q in by_id.items()],
            StartTime=start, EndTime=end, ScanBy="TimestampAscending")
        if isinstance(results, Unavailable):
            return results
        for item in results:
            series = daily.setdefault(by_id[item["Id"]].key, {})
            for stamp, value in zip(item.get("Timestamps") or [], item.get("Values") or [],
                                    strict=False):
                series[stamp.date().isoformat()] = float(value)
    last_day = (end - timedelta(days=1)).date().isoformat()
    return MetricSeries(days=days, end_date=last_day, daily=daily)


def _watches(alarm: dict) -> list[AlarmWatch]:
    name = alarm.get("AlarmName", "")
    if alarm.get("MetricName"):
        dims = {d["Name"]: d["Value"] for d in alarm.get("Dimensions") or []}
        return [AlarmWatch(name, alarm.get("Namespace", ""), alarm["MetricName"], dims)]
    watches = []
    for query in alarm.get("Metrics") or []:  # metric math: every metric it reads
        metric = (query.get("MetricStat") or {}).get("Metric") or {}
        if metric.get("MetricName"):
            dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []}
            watches.append(AlarmWatch(name, metric.get("Namespace", ""), metric["MetricName"],
                                      dims))
    return watches


def alarms(calls: Calls, region: str) -> tuple[AlarmWatch, ...] | Unavailable:
    raw = calls.paginate("cloudwatch", region, "describe_alarms", "MetricAlarms",
                         AlarmTypes=["MetricAlarm"])
    if isinstance(raw, Unavailable):
        return raw
    return tuple(w for alarm in raw for w in _watches(alarm))
