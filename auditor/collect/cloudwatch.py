"""CloudWatch: the payload-error metrics LIM-003 reads, batched in ``GetMetricData``.

Per Lambda ALB: ``LambdaUserError`` and ``HTTPCode_ELB_502_Count`` by ``LoadBalancer``, and
``LambdaUserError`` by ``TargetGroup`` + ``LoadBalancer``; daily sums over the window.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from auditor.collect.base import Calls
from auditor.gaps import Unavailable
from auditor.inventory import LoadBalancer, PayloadErrorMetrics, TargetGroup

OPERATIONS = ("cloudwatch:GetMetricData",)
NAMESPACE = "AWS/ApplicationELB"
QUERIES_PER_CALL = 500
DAY = 86400


def dimension(arn: str) -> str:
    """``app/name/id`` or ``targetgroup/name/id``: the metric dimension of an ELB ARN."""
    resource = arn.split(":", 5)[-1]
    return resource.removeprefix("loadbalancer/")


def _query(qid: str, metric: str, dims: dict[str, str]) -> dict:
    return {
        "Id": qid,
        "ReturnData": True,
        "MetricStat": {
            "Metric": {
                "Namespace": NAMESPACE,
                "MetricName": metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
            },
            "Period": DAY,
            "Stat": "Sum",
        },
    }


def payload_errors(
    calls: Calls,
    region: str,
    albs: list[LoadBalancer],
    target_groups: list[TargetGroup],
    window_days: int,
    now: datetime | None = None,
) -> dict[str, PayloadErrorMetrics | Unavailable]:
    if not albs:
        return {}
    queries, owners = [], {}
    for i, alb in enumerate(albs):
        lb_dim = dimension(alb.arn)
        for metric, tag in (("LambdaUserError", "u"), ("HTTPCode_ELB_502_Count", "e")):
            owners[f"{tag}{i}"] = (alb.arn, metric, None)
            queries.append(_query(f"{tag}{i}", metric, {"LoadBalancer": lb_dim}))
        for j, tg in enumerate(t for t in target_groups if alb.arn in t.load_balancer_arns):
            qid = f"t{i}x{j}"
            owners[qid] = (alb.arn, "LambdaUserError", tg.arn)
            queries.append(
                _query(
                    qid,
                    "LambdaUserError",
                    {"TargetGroup": dimension(tg.arn), "LoadBalancer": lb_dim},
                )
            )
    end = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=window_days)
    sums: dict[str, float] = {}
    for offset in range(0, len(queries), QUERIES_PER_CALL):
        results = calls.paginate(
            "cloudwatch",
            region,
            "get_metric_data",
            "MetricDataResults",
            MetricDataQueries=queries[offset : offset + QUERIES_PER_CALL],
            StartTime=start,
            EndTime=end,
        )
        if isinstance(results, Unavailable):
            return {alb.arn: results for alb in albs}
        for item in results:
            sums[item["Id"]] = sums.get(item["Id"], 0.0) + sum(item.get("Values") or [])
    metrics: dict[str, dict] = {a.arn: {"u": 0.0, "e": 0.0, "tg": {}} for a in albs}
    for qid, (alb_arn, metric, tg_arn) in owners.items():
        value = sums.get(qid, 0.0)
        if tg_arn:
            metrics[alb_arn]["tg"][tg_arn] = value
        elif metric == "LambdaUserError":
            metrics[alb_arn]["u"] = value
        else:
            metrics[alb_arn]["e"] = value
    return {
        arn: PayloadErrorMetrics(window_days, m["u"], m["e"], m["tg"]) for arn, m in metrics.items()
    }
