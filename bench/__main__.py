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

from bench.bounds import limit_bound
from bench.generate import REGIONS, seed
from bench.minimum import count, minimum_calls
from bench.proxy import FakeAws
from bench.server import moto_server

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


def markdown(rows: list[dict], command: str) -> str:
    lines = [
        "# Benchmark results", "",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}.  ",
        f"Command: `{command}`  ", f"Date: {time.strftime('%Y-%m-%d')}", "",
        "Each scan is the real `edge-audit scan` of all 51 rules, through `bench/proxy.py`: "
        "40 ms per call, and in `limits` mode AWS's documented token buckets "
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
    args = parser.parse_args()
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        rows += run_size(size, args.latency_ms / 1000, args.modes.split(","))
    command = "python -m bench " + " ".join(sys.argv[1:])
    Path(args.output).write_text(markdown(rows, command))
    Path(args.output).with_suffix(".json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
