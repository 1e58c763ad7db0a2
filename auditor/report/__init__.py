"""Reporters: each turns a `Report` into text; the CLI writes it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from auditor.scan import Report


def chunked(fmt: str, table_options=None) -> Callable[[Report], Iterable[str]]:
    """The format as a stream of text pieces (the JSON report is written as it renders);
    ``table_options`` (auditor.report.table.TableOptions): the terminal table's layout."""
    if fmt == "json":
        from auditor.report.json_report import chunks

        return chunks
    if fmt == "table" and table_options is not None:
        from auditor.report.table import render as table

        return lambda report: [table(report, table_options)]
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
    elif fmt == "sarif":
        from auditor.report.sarif import render
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return render


FORMATS = ("table", "json", "csv", "asff", "ocsf", "html", "sarif")
