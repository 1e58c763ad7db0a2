"""Prowler, side by side: the same account, the same fake AWS, the services that matter.

Prowler is installed into a throwaway venv (never into the project's environment) and run
with only its elbv2, cloudfront, wafv2, awslambda and ec2 checks, through the same proxy,
so both tools are measured the same way: wall time, calls the proxy saw, peak RSS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VENV = Path(tempfile.gettempdir()) / "edge-auditor-bench-prowler"
SERVICES = ("elbv2", "cloudfront", "wafv2", "awslambda", "ec2")
# Run the child and report its peak RSS: the only child this small wrapper waits for (its
# ru_maxrss can carry the wrapper's own pre-exec size, about 10 MB, not the benchmark's).
MEASURE = ("import resource, subprocess, sys, json; "
           "code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, "
           "stderr=subprocess.DEVNULL); "
           "print(json.dumps({'exit': code, 'peak_rss_mb': "
           "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))")


def install() -> Path:
    prowler = VENV / "bin" / "prowler"
    if not prowler.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", "prowler"], check=True)
    return prowler


def version(prowler: Path) -> str:
    out = subprocess.run([str(prowler), "--version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).strip().splitlines()[-1] if out.returncode == 0 else "?"


def run(endpoint: str, regions, env: dict[str, str]) -> dict:
    prowler = install()
    with tempfile.TemporaryDirectory() as out:
        command = [str(prowler), "aws", "--services", *SERVICES, "--region", *regions,
                   "--output-formats", "json-ocsf", "--output-directory", out, "--no-banner"]
        started = time.perf_counter()
        measured = subprocess.run(
            [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True,
            env={**os.environ, **env, "AWS_ENDPOINT_URL": endpoint})
        wall = time.perf_counter() - started
        result = json.loads(measured.stdout.strip().splitlines()[-1])
        findings = sum(len(json.loads(p.read_text() or "[]"))
                       for p in Path(out).rglob("*.ocsf.json"))
    return {"tool": f"prowler {version(prowler)}", "wall_s": round(wall, 1),
            "peak_rss_mb": round(result["peak_rss_mb"], 1), "exit": result["exit"],
            "findings": findings}
