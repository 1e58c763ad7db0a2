"""``edge-audit diff``: the changes between two reports, as a table or JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tabulate import tabulate

from auditor.baseline import Diff
from auditor.report.table import HEADERS, cells

SECTIONS = (("new", "New failures"), ("resolved", "Resolved"),
            ("unchanged", "Still failing"),
            ("unverified", "Not verified (the new scan could not judge them)"))


def render(changes: Diff, fmt: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    if fmt == "json":
        doc = {"old_scan": old["scan"]["id"], "new_scan": new["scan"]["id"],
               "new_complete": new["scan"]["complete"], **changes.as_dict()}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    lines = []
    for name, heading in SECTIONS:
        items = getattr(changes, name)
        lines.append(f"{heading}: {len(items)}")
        if items and name != "unchanged":
            rows = [cells(r["severity"].upper(), r["rule_id"], r["resource"]["name"],
                          r["resource"]["arn"], r["region"], r["message"], 80) for r in items]
            lines.append(tabulate(rows, headers=HEADERS))
        lines.append("")
    if not new["scan"]["complete"]:
        lines.append("INCOMPLETE: the new scan could not see all its data")
    return "\n".join(lines).rstrip() + "\n"
