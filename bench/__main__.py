"""``python -m bench``: seed, scan through the fake AWS, measure, write bench/RESULTS.md.

For each size N: a fresh moto server seeded with N applications over two regions, then
one scan per mode through the proxy: ``plain`` (40 ms per call, no limits) and ``limits``
(40 ms per call and AWS's token buckets). Each scan is the real ``edge-audit`` command in
its own process, so wall time and peak RSS are the tool's own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from auditor.rules import load_rules
from bench.bounds import limit_bound
from bench.generate import REGIONS, seed
from bench.minimum import count, minimum_calls
from bench.proxy import FakeAws
from bench.server import moto_server

RULE_COUNT = len(load_rules())

CREDS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench",
         "region_name": "us-east-1"}
ENV = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
       "AWS_DEFAULT_REGION": "us-east-1"}


def scan(endpoint: str, regions, extra: list[str] | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out, measure = Path(tmp, "findings.json"), Path(tmp, "measure.json")
        args = [sys.executable, "-m", "bench.run_scan", str(measure), "scan",
                "--endpoint-url", endpoint, "--format", "json", "--output", str(out),
                "--fail-on", "none", *[a for r in regions for a in ("--region", r)],
                *(extra or [])]
        subprocess.run(args, env={**os.environ, **ENV}, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        result = json.loads(measure.read_text())
        result["doc"] = json.loads(out.read_text())
        return result


def per_region(endpoint: str) -> tuple[list[int], list[int]]:
    import boto3

    session = boto3.Session(**CREDS)
    albs, acls = [], []
    for region in REGIONS:
        elb = session.client("elbv2", region_name=region, endpoint_url=endpoint)
        tgs = [g for p in elb.get_paginator("describe_target_groups").paginate()
               for g in p["TargetGroups"] if g["TargetType"] == "lambda"]
        albs.append(len({a for g in tgs for a in g["LoadBalancerArns"]}))
        waf = session.client("wafv2", region_name=region, endpoint_url=endpoint)
        acls.append(len(waf.list_web_acls(Scope="REGIONAL")["WebACLs"]))
    return albs, acls


def run_size(apps: int, latency: float, modes: list[str]) -> list[dict]:
    rows = []
    with moto_server() as upstream:
        started = time.perf_counter()
        seed(upstream, apps)
        seeded_s = time.perf_counter() - started
        counts = count(upstream, REGIONS, {k: v for k, v in CREDS.items()
                                           if k != "region_name"})
        albs, acls = per_region(upstream)
        minimum = minimum_calls(counts, albs, acls)
        for mode in modes:
            with FakeAws(upstream, latency=latency, throttle=mode == "limits") as fake:
                pacing = ["--pacing", "aws" if mode == "limits" else "off"]
                result = scan(fake.endpoint, REGIONS, pacing)
                bound, binding = limit_bound(fake.stats.scoped, latency)
                throttled = sum(fake.stats.throttled.values())
            doc = result["doc"]
            calls = doc["scan"]["api_calls"]
            rows.append({
                "apps": apps, "mode": mode, "wall_s": round(result["wall_s"], 2),
                "calls": calls, "minimum": minimum, "calls_per_app": round(calls / apps, 1),
                "ratio": round(calls / minimum, 3), "retries": doc["scan"]["api_retries"],
                "throttled": throttled, "throttled_pct": round(100 * throttled / calls, 2),
                "bound_s": round(bound, 2) if mode == "limits" else None,
                "binding": binding if mode == "limits" else "",
                "peak_rss_mb": round(result["peak_rss_mb"], 1), "seed_s": round(seeded_s, 1),
                "results": len(doc["results"]), "operations": doc["scan"]["operations"],
                "resources": counts.__dict__})
            print(json.dumps({k: v for k, v in rows[-1].items()
                              if k not in ("operations", "resources")}), flush=True)
    return rows


def side_by_side(apps: int, latency: float) -> list[dict]:
    """edge-audit and Prowler on the same account through the same fake AWS (limits on)."""
    from bench import prowler

    rows = []
    with moto_server() as upstream:
        seed(upstream, apps)
        with FakeAws(upstream, latency=latency, throttle=True) as fake:
            mine = scan(fake.endpoint, REGIONS, ["--pacing", "aws"])
            calls = sum(fake.stats.calls.values())
            throttled = sum(fake.stats.throttled.values())
        rows.append({"tool": f"edge-audit ({RULE_COUNT} rules)", "wall_s": round(mine["wall_s"], 1),
                     "calls": calls, "throttled": throttled,
                     "peak_rss_mb": round(mine["peak_rss_mb"], 1),
                     "findings": len(mine["doc"]["results"])})
        with FakeAws(upstream, latency=latency, throttle=True) as fake:
            theirs = prowler.run(fake.endpoint, REGIONS, ENV)
            theirs.update(calls=sum(fake.stats.calls.values()),
                          throttled=sum(fake.stats.throttled.values()))
        rows.append(theirs)
    for row in rows:
        print(json.dumps(row), flush=True)
    return rows


def account_ids(count: int) -> list[str]:
    return [f"{100000000000 + i:012d}" for i in range(1, count + 1)]


def run_accounts(accounts: int, apps_per_region: int, latency: float) -> dict:
    """Many accounts: each seeded through its own assumed role, scanned in one run."""
    import boto3

    ids = account_ids(accounts)
    with moto_server() as upstream:
        sts = boto3.Session(**CREDS).client("sts", endpoint_url=upstream)
        started = time.perf_counter()
        for account in ids:
            creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/EdgeAuditorRole",
                                    RoleSessionName="seed")["Credentials"]
            seed(upstream, apps_per_region * len(REGIONS), credentials={
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"]})
        seeded_s = time.perf_counter() - started
        args = ["--accounts", ",".join(ids), "--parallel-accounts", "8"]
        # The moto server's saturated rate: the same scan, no latency, no limits, no pacing.
        with FakeAws(upstream, latency=0.0, throttle=False) as fake:
            saturated = scan(fake.endpoint, REGIONS, [*args, "--pacing", "off"])
        rate = saturated["doc"]["scan"]["api_calls"] / saturated["wall_s"]
        with FakeAws(upstream, latency=latency, throttle=True) as fake:
            result = scan(fake.endpoint, REGIONS, [*args, "--pacing", "aws"])
            bound, binding = limit_bound(fake.stats.scoped, latency)
            throttled = sum(fake.stats.throttled.values())
    doc = result["doc"]
    calls = doc["scan"]["api_calls"]
    limit = max(bound, calls / rate)
    row = {"accounts": accounts, "apps": accounts * apps_per_region * len(REGIONS),
           "wall_s": round(result["wall_s"], 1), "calls": calls,
           "saturated_calls_per_s": round(rate), "server_bound_s": round(calls / rate, 1),
           "account_region_bound_s": round(bound, 1), "goal_s": round(1.25 * limit, 1),
           "binding": binding, "throttled_pct": round(100 * throttled / calls, 2),
           "errors": sum(r["status"] == "error" for r in doc["results"]),
           "peak_rss_mb": round(result["peak_rss_mb"], 1), "seed_s": round(seeded_s, 1)}
    print(json.dumps(row), flush=True)
    return row


def _table(rows: list[dict]) -> list[str]:
    keys = list(rows[0])
    return ["| " + " | ".join(keys) + " |", "|" + " --- |" * len(keys),
            *["| " + " | ".join(str(r.get(k, "")) for k in keys) + " |" for r in rows]]


def markdown(rows: list[dict], command: str, many: dict | None = None,
             versus: list[dict] | None = None) -> str:
    lines = [
        "# Benchmark results", "",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}.  ",
        f"Command: `{command}`  ", f"Date: {time.strftime('%Y-%m-%d')}", "",
        f"Each scan is the real `edge-audit scan` of all {RULE_COUNT} rules, through "
        "`bench/proxy.py`: 40 ms per call, and in `limits` mode AWS's documented token buckets "
        "(`auditor/pacing.py`). `minimum` is the formula in `bench/minimum.py`; `bound` is "
        "what those limits impose (`bench/bounds.py`): no client could finish sooner.", "",
        "| apps | mode | wall s | bound s | wall / bound | calls | minimum | calls / min | "
        "calls per app | retries | throttled % | peak RSS MB | binding bucket |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        ratio = f"{r['wall_s'] / r['bound_s']:.2f}" if r["bound_s"] else "-"
        lines.append(
            f"| {r['apps']} | {r['mode']} | {r['wall_s']} | {r['bound_s'] or '-'} | {ratio} | "
            f"{r['calls']} | {r['minimum']} | {r['ratio']} | {r['calls_per_app']} | "
            f"{r['retries']} | {r['throttled_pct']} | {r['peak_rss_mb']} | {r['binding']} |")
    if many:
        lines += ["", "Many accounts (each through its own assumed role, 8 at a time):", "",
                  *_table([many])]
    if versus:
        lines += ["", "Side by side, same account and fake AWS with limits (Prowler limited to "
                  "its elbv2, cloudfront, wafv2, awslambda and ec2 checks):", "",
                  *_table(versus)]
    if not rows:
        return "\n".join(lines) + "\n"
    largest = max(rows, key=lambda r: r["apps"])
    lines += ["", f"Calls by operation at {largest['apps']} apps ({largest['mode']}):", "",
              "| operation | calls |", "| --- | --- |"]
    lines += [f"| {op} | {n} |" for op, n in sorted(largest["operations"].items())]
    lines += ["", f"Resources at {largest['apps']} apps: {largest['resources']}", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100,300")
    parser.add_argument("--modes", default="plain,limits")
    parser.add_argument("--latency-ms", type=float, default=40)
    parser.add_argument("--output", default="bench/RESULTS.md")
    parser.add_argument("--accounts", type=int, default=0,
                        help="also run the many-accounts scenario with this many accounts")
    parser.add_argument("--apps-per-region", type=int, default=5)
    parser.add_argument("--prowler", type=int, default=0, metavar="N",
                        help="also run Prowler side by side on an account of N apps")
    args = parser.parse_args()
    rows = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        rows += run_size(size, args.latency_ms / 1000, args.modes.split(","))
    many = run_accounts(args.accounts, args.apps_per_region, args.latency_ms / 1000) \
        if args.accounts else None
    versus = side_by_side(args.prowler, args.latency_ms / 1000) if args.prowler else []
    command = "python -m bench " + " ".join(sys.argv[1:])
    Path(args.output).write_text(markdown(rows, command, many, versus))
    Path(args.output).with_suffix(".json").write_text(json.dumps(
        {"sizes": rows, "accounts": many, "side_by_side": versus}, indent=1))


if __name__ == "__main__":
    main()
