"""Monthly cost of five ways to serve Lambda over HTTP, from the price file.

The deep-dive compares API Gateway REST, API Gateway HTTP, CloudFront + ALB, a function
URL, and CloudFront + a function URL. Prices and assumptions live in
``auditor/data/prices.json`` (dated, with sources), so they can be updated without code.
With a cache hit rate, CloudFront paths pay Lambda and the ALB only for origin requests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

OPTIONS = ("api_gateway_rest", "api_gateway_http", "cloudfront_alb", "function_url",
           "cloudfront_function_url")


@cache
def prices() -> dict[str, Any]:
    text = resources.files("auditor.data").joinpath("prices.json").read_text("utf-8")
    return json.loads(text)


def tiered(requests: float, tiers: list[list]) -> float:
    """Cost of ``requests`` under cumulative tiers [[up_to_total, per_million], ...]."""
    total, floor = 0.0, 0.0
    for ceiling, per_million in tiers:
        top = requests if ceiling is None else min(requests, ceiling)
        if top > floor:
            total += (top - floor) / 1e6 * per_million
        if ceiling is None or requests <= ceiling:
            break
        floor = ceiling
    return total


@dataclass(frozen=True)
class Estimate:
    monthly_requests: float
    cache_hit_rate: float
    costs: dict[str, float]

    def as_evidence(self) -> dict[str, Any]:
        p = prices()
        return {"monthly_requests": round(self.monthly_requests),
                "cache_hit_rate": round(self.cache_hit_rate, 4),
                "monthly_cost_usd": {k: round(v, 2) for k, v in self.costs.items()},
                "prices_as_of": p["as_of"], "assumptions": p["assumptions"]}


def estimate(monthly_requests: float, cache_hit_rate: float | None = None) -> Estimate:
    p = prices()
    a = p["assumptions"]
    hit = a["cache_hit_rate"] if cache_hit_rate is None else max(0.0, min(1.0, cache_hit_rate))
    n, origin = monthly_requests, monthly_requests * (1 - hit)
    gb_seconds = a["lambda_memory_mb"] / 1024 * a["lambda_duration_ms"] / 1000

    def lam(count: float) -> float:
        return count / 1e6 * p["lambda"]["per_million_requests"] + (
            count * gb_seconds * p["lambda"]["per_gb_second"])

    edge = n / 1e6 * p["cloudfront"]["per_million_https_requests"] + (
        n * a["bytes_per_request"] / a["gb"] * p["cloudfront"]["per_gb_out"])
    alb = p["alb"]["fixed_per_month"] + (
        origin / p["alb"]["requests_per_lcu_hour"] * p["alb"]["per_lcu_hour"])
    costs = {
        "api_gateway_rest": tiered(n, p["api_gateway_rest"]["tiers"]) + lam(n),
        "api_gateway_http": tiered(n, p["api_gateway_http"]["tiers"]) + lam(n),
        "cloudfront_alb": edge + alb + lam(origin),
        "function_url": lam(n),
        "cloudfront_function_url": edge + lam(origin),
    }
    return Estimate(n, hit, costs)
