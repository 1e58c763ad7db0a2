"""A Lambda entry point: the same scan, for teams that schedule a Lambda container
instead of a Fargate task (``deploy/lambda.Dockerfile``).

The scan is configured like the container: ``EDGE_AUDIT_*`` variables on the function,
or an ``args`` list in the event (``{"args": ["scan", "--region", "eu-west-1"]}``), which
wins. Writes go to S3 and Security Hub (``EDGE_AUDIT_OUTPUT=s3://...``,
``EDGE_AUDIT_PUBLISH=securityhub``); a local ``--output`` may only be under /tmp.

Findings (exit 1) are a normal outcome and return. A scan that could not see everything
(exit 3) or was misconfigured (exit 2) raises, so the invocation counts as an error:
Lambda's Errors metric, its retries and an on-failure destination then work as for any
failed job.
"""

from __future__ import annotations

from typing import Any

from auditor.cli import EXIT_FAIL, EXIT_OK, run
from auditor.process import fewer_malloc_arenas

OUTCOMES = {EXIT_OK: "passed", EXIT_FAIL: "findings"}


class AuditFailed(RuntimeError):
    """The audit did not complete (exit 3) or could not start (exit 2)."""


def handler(event: dict[str, Any] | None, context: Any = None) -> dict[str, Any]:
    fewer_malloc_arenas()
    args = (event or {}).get("args") or ["scan"]
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise AuditFailed('event "args" must be a list of strings')
    code = run(["--quiet", *args])
    if code not in OUTCOMES:
        raise AuditFailed(f"edge-audit {' '.join(args)} exited {code}: "
                          + ("incomplete scan" if code == 3 else "usage or configuration"))
    return {"exit_code": code, "outcome": OUTCOMES[code]}
