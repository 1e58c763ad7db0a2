"""``--format csv``: one row per result, for spreadsheets.

Cells that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``, tab or
carriage return: OWASP's CSV injection list) get a leading apostrophe: resource names and
tag-derived text come from the audited account, and opening a report must not run them.
"""

from __future__ import annotations

import csv
import io

from auditor.findings import Result
from auditor.scan import Report
from auditor.secrets import Scrubber, scrub

COLUMNS = ("rule_id", "rule", "severity", "status", "account", "region", "resource_type",
           "resource_name", "resource_arn", "title", "message", "recommendation",
           "remediation", "related", "suppression_reason", "suppression_expires",
           "suppression_expired", "baseline", "scan_id", "rule_pack", "rule_pack_version")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def row(result: Result, scan_id: str) -> list[str]:
    sup, pack = result.suppression, result.rule_pack
    return [result.rule_id, result.rule, result.severity.value, result.status.value,
            result.account, result.region, result.resource.type, result.resource.name,
            result.resource.arn, result.title, result.message, result.recommendation,
            result.remediation, " ".join(result.related),
            sup.reason if sup else "", sup.expires.isoformat() if sup else "",
            ("true" if sup.expired else "false") if sup else "", result.baseline or "",
            scan_id, pack.name if pack else "", (pack.version or "") if pack else ""]


def render(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    scrubber = Scrubber(report.secrets)
    for result in report.results:
        writer.writerow([safe(scrub(cell, scrubber))
                         for cell in row(result, report.scan.id)])
    return buffer.getvalue()
