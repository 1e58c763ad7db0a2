"""Reporters: each turns a `Report` into text; the CLI writes it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from auditor.scan import Report


def chunked(fmt: str) -> Callable[[Report], Iterable[str]]:
    """The format as a stream of text pieces (the JSON report is written as it renders)."""
    if fmt == "json":
        from auditor.report.json_report import chunks

        return chunks
    render = renderer(fmt)
    return lambda report: [render(report)]


def renderer(fmt: str) -> Callable[[Report], str]:
    if fmt == "json":
        from auditor.report.json_report import render
    elif fmt == "table":
        from auditor.report.table import render
    elif fmt == "csv":
        from auditor.report.csv_report import render
    elif fmt == "asff":
        from auditor.report.asff import render
    elif fmt == "ocsf":
        from auditor.report.ocsf import render
    elif fmt == "html":
        from auditor.report.html import render
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return render


FORMATS = ("table", "json", "csv", "asff", "ocsf", "html")
