"""The rule catalogue as Markdown: the README's rule and parameter tables are this output.

``python -m auditor.report.catalogue README.md`` rewrites the parts of the README between
the ``<!-- rules:begin -->`` / ``<!-- rules:end -->`` and ``<!-- params:begin -->`` /
``<!-- params:end -->`` markers; a test fails when the README and the rules disagree.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from auditor.rule import RetiredRule, Rule


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rules_table(rules: Sequence[Rule], retired: Sequence[RetiredRule],
                version: str) -> str:
    lines = [f"Catalogue {version}: {len(rules)} rules.", "",
             "| ID | slug | severity | cites | what it checks | why it matters |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r.id} | {r.slug} | {r.severity.value} | {_cell(r.cites)} | "
              f"{_cell(r.title)} | {_cell(r.rationale)} |" for r in rules]
    lines += ["", "Retired ids (never reused):", "",
              "| ID | slug | retired in | replaced by | why |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {r.id} | {r.slug} | {r.retired_in} | {r.replaced_by} | {_cell(r.why)} |"
              for r in retired]
    return "\n".join(lines)


def params_table(rules: Sequence[Rule]) -> str:
    lines = ["| rule | parameter | default |", "| --- | --- | --- |"]
    lines += [f"| {r.id} | `{name}` | `{json.dumps(default)}` |"
              for r in rules for name, default in r.params.items()]
    return "\n".join(lines)


def sections() -> dict[str, str]:
    from auditor.rules import CATALOG_VERSION, RETIRED, load_rules

    rules = load_rules()
    return {"rules": rules_table(rules, RETIRED, CATALOG_VERSION),
            "params": params_table(rules)}


def _marked(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name}:begin -->\n)(.*?)(\n<!-- {name}:end -->)", re.DOTALL)


def rewrite(text: str) -> str:
    for name, body in sections().items():
        text, found = _marked(name).subn(lambda m, b=body: m[1] + b + m[3], text)
        if not found:
            raise ValueError(f"no <!-- {name}:begin --> ... <!-- {name}:end --> markers")
    return text


def marked_section(text: str, name: str) -> str | None:
    match = _marked(name).search(text)
    return match[2] if match else None


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(rewrite(path.read_text(encoding="utf-8")), encoding="utf-8")
