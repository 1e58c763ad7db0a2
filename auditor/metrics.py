"""The CloudWatch side of the model: daily metric series, the metrics alarms watch, and
the dimension names each resource's metrics carry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.inventory import Distribution, LambdaFunction


@dataclass(frozen=True)
class MetricSeries:
    """Daily CloudWatch values over the collected window, by `metric_key`.

    Each rule sums (or averages) the last N days it needs, N being its own parameter.
    """

    days: int
    end_date: str  # ISO date of the last day in the window
    daily: dict[str, dict[str, float]] = field(default_factory=dict)  # key -> {date: value}

    def values(self, key: str, days: int) -> list[float]:
        """The daily values of the last ``days`` days (days without data are absent)."""
        from datetime import date, timedelta

        cutoff = (date.fromisoformat(self.end_date) - timedelta(days=days)).isoformat()
        series = self.daily.get(key, {})
        return [series[d] for d in sorted(series) if d > cutoff]

    def total(self, key: str, days: int) -> float:
        return float(sum(self.values(key, days)))

    def span(self, key: str, days: int) -> int:
        """Days from the first day with data (within the last ``days``) to the end: a
        metric that began a week ago covers 7 days, not the whole window."""
        from datetime import date, timedelta

        end = date.fromisoformat(self.end_date)
        cutoff = end - timedelta(days=days)
        dates = [date.fromisoformat(d) for d in self.daily.get(key, {})
                 if date.fromisoformat(d) > cutoff]
        return (end - min(dates)).days + 1 if dates else 0


def metric_key(metric: str, dimensions: dict[str, str]) -> str:
    """A stable key for one metric and its dimensions."""
    return metric + "|" + ",".join(f"{k}={v}" for k, v in sorted(dimensions.items()))


def elb_dimension(arn: str) -> str:
    """``app/name/id`` or ``targetgroup/name/id``: the metric dimension of an ELB ARN."""
    return arn.split(":", 5)[-1].removeprefix("loadbalancer/")


def alb_dimensions(alb_arn: str, tg_arn: str | None = None) -> dict[str, str]:
    dims = {"LoadBalancer": elb_dimension(alb_arn)}
    if tg_arn:
        dims["TargetGroup"] = elb_dimension(tg_arn)
    return dims


def function_dimensions(fn: LambdaFunction) -> dict[str, str]:
    if fn.qualifier in (None, "$LATEST"):
        return {"FunctionName": fn.name}
    return {"FunctionName": fn.name, "Resource": f"{fn.name}:{fn.qualifier}"}


def distribution_dimensions(dist: Distribution) -> dict[str, str]:
    return {"DistributionId": dist.id, "Region": "Global"}


@dataclass(frozen=True)
class AlarmWatch:
    """One metric an alarm reads (an alarm on metric math reads several)."""

    alarm: str
    namespace: str
    metric: str
    dimensions: dict[str, str] = field(default_factory=dict)
