"""Seeds an account (or several) with N applications of the pattern, spread over regions.

Each application: a distribution, an ALB with an HTTPS listener (one rule per function)
and an HTTP listener that redirects, 3 to 5 Lambda target groups and functions, a security
group, web ACLs. The settings mix good and bad the way a real estate does: most apps are
hardened, some carry one or several of the classic mistakes, chosen by a seeded random
generator so every run builds the same account.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import boto3

from auditor.demo.seed import DEFAULT_HEALTH, AppSpec, FunctionSpec, Seeder

REGIONS = ("us-east-1", "eu-west-1")


@dataclass(frozen=True)
class Estate:
    """What was seeded: counts the minimum-calls formula reads."""

    apps: int
    functions: int
    aliased_functions: int
    regions: tuple[str, ...]


def app_spec(index: int, region: str, rng: random.Random) -> AppSpec:
    count = rng.randint(3, 5)
    functions = tuple(FunctionSpec(f"fn{j}", f"/api/v{j}/*", timeout=rng.choice((10, 20, 25)),
                                   provisioned=0) for j in range(count))
    spec = AppSpec(f"app{index:04d}", region, functions=functions, http_redirect=True,
                   monthly_requests=0, alarms=False)
    roll = rng.random()
    if roll < 0.15:  # world-open, no header, HTTP origin
        spec = replace(spec, ingress="world", origin_header=None, origin_protocol="http-only")
    elif roll < 0.30:  # default health checks, multi-value off
        spec = replace(spec, health=DEFAULT_HEALTH, multi_value=False)
    elif roll < 0.40:  # no WAF anywhere
        spec = replace(spec, edge_waf=False)
    elif roll < 0.45:  # half-done rotation
        spec = replace(spec, alb_value_mismatch=True)
    return spec


def seed(endpoint: str, apps: int, regions=REGIONS, seed_value: int = 42,
         credentials: dict | None = None, workers: int = 8) -> Estate:
    """Seed ``apps`` applications round-robin over ``regions``."""
    creds = credentials or {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
    session = boto3.Session(region_name=regions[0], **creds)
    seeder = Seeder(session, endpoint, shared_network=True)
    seeder.role_arn()
    rng = random.Random(seed_value)
    specs = [app_spec(i, regions[i % len(regions)], rng) for i in range(apps)]
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(seeder.seed, specs))
    functions = sum(len(s.functions) for s in specs)
    return Estate(apps, functions, functions, tuple(regions))
