"""The plan as data: the steps in order, each with its calls (service, operation,
parameters, and what the script computes when it runs), preconditions and the findings it
closes. For a change-management system, or a reviewer's own tooling."""

from __future__ import annotations

import json
from typing import Any

from auditor import __version__
from auditor.fix.model import Plan, Step

PLAN_VERSION = "1.0"


def step_dict(n: int, step: Step) -> dict[str, Any]:
    out: dict[str, Any] = {
        "step": n, "kind": step.kind, "phase": step.phase.name.lower(), "title": step.title,
        "account": step.account, "closes": [c.as_dict() for c in step.closes],
        "serves": [c.as_dict() for c in step.serves],
        "reveals": [c.as_dict() for c in step.reveals],
        "risk": step.risk, "preconditions": list(step.preconditions),
        "calls": [c.as_dict() for c in step.calls] if step.template is None else [],
        "enabled": step.accepted,
    }
    if step.accept_risk:
        out["accept_risk"] = step.accept_risk
    if step.template is not None:
        out["template"] = step.template.as_dict()
    if step.manual:
        out["manual"] = step.manual
    return out


def document(plan: Plan) -> dict[str, Any]:
    return {
        "plan_version": PLAN_VERSION,
        "tool": {"name": "edge-auditor", "version": __version__},
        "report": {"id": plan.report_id, "source": plan.source},
        "parameters": [{"name": k, "purpose": v, **({"value": plan.values[k]}
                                                    if k in plan.values else {})}
                       for k, v in plan.parameters.items()],
        "notes": list(plan.notes),
        "steps": [step_dict(n, s) for n, s in plan.numbered()],
        "not_planned": [c.as_dict() for c in plan.skipped],
    }


def render(plan: Plan) -> str:
    return json.dumps(document(plan), indent=2) + "\n"
