"""Reporters: each turns a `Report` into text; the CLI writes it."""

from __future__ import annotations

from collections.abc import Callable

from auditor.scan import Report


def renderer(fmt: str) -> Callable[[Report], str]:
    if fmt == "json":
        from auditor.report.json_report import render
    elif fmt == "table":
        from auditor.report.table import render
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return render


FORMATS = ("table", "json")
