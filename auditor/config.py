"""``--config FILE``: a TOML file of per-rule parameter overrides.

```toml
[rules.HC-001]
min_interval_seconds = 90

[rules.LMB-001]
window_days = 7

[[suppressions]]                 # see auditor.suppress
rule = "ALB-011"
resource = "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/status-*"
reason = "Public by design"
expires = 2027-03-31
```

The file is validated by a JSON Schema built from the rules' own parameters (their
defaults give the types), so a typo names the rule and the key instead of being ignored.
A suppression must name a known rule (or a glob), a resource ARN glob or tags, a reason
and an expiry date: a suppression that never ends is a finding nobody will look at again.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema

from auditor.rule import Rule
from auditor.suppress import Entry


class ConfigError(ValueError):
    """The config file cannot be read or does not fit the schema: exit 2."""


@dataclass(frozen=True)
class Config:
    rule_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    suppressions: tuple[Entry, ...] = ()
    warnings: tuple[str, ...] = ()  # entries naming retired ids: ignored, not an error


SUPPRESSION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["rule", "reason", "expires"],
    "anyOf": [{"required": ["resource"]}, {"required": ["tags"]}],
    "additionalProperties": False,
    "properties": {
        "rule": {"type": "string", "pattern": r"^[A-Z0-9*?\[\]-]+$"},
        "resource": {"type": "string", "pattern": "^arn:|^\\*$"},
        "tags": {"type": "object", "minProperties": 1,
                 "additionalProperties": {"type": "string"}},
        "reason": {"type": "string", "minLength": 3},
        "expires": {"description": "a TOML date (checked in code: JSON has no date type)"},
    },
}


def _type_of(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer", "minimum": 0}
    if isinstance(value, float):
        return {"type": "number", "minimum": 0}
    if isinstance(value, list):
        item = _type_of(value[0]) if value else {}
        return {"type": "array", "items": item}
    return {"type": "string"}


def schema(rules: Sequence[Rule]) -> dict[str, Any]:
    per_rule = {
        r.id: {
            "type": "object",
            "properties": {name: _type_of(default) for name, default in r.params.items()},
            "additionalProperties": False,
        }
        for r in rules
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "rules": {"type": "object", "properties": per_rule, "additionalProperties": False},
            "suppressions": {"type": "array", "items": SUPPRESSION_SCHEMA},
        },
        "additionalProperties": False,
    }


def _describe(error: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    if error.validator == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - known)
        what = "rule" if where == "rules" else "key"
        hint = f"; known: {', '.join(sorted(known))}" if known and what == "key" else ""
        return f"{where}: unknown {what} {', '.join(map(repr, unknown))}{hint}"
    if error.validator == "anyOf" and where.startswith("suppressions"):
        return f"{where}: needs a resource ARN glob (resource = \"arn:...\") or tags"
    return f"{where}: {error.message}"


def parse(text: str, rules: Sequence[Rule], source: str = "config") -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    warnings, data = _without_retired(data, source)
    errors = sorted(
        jsonschema.Draft202012Validator(schema(rules)).iter_errors(data),
        key=lambda e: list(e.absolute_path),
    )
    if errors:
        raise ConfigError(f"{source}: " + "; ".join(_describe(e) for e in errors))
    return Config(rule_params={k: dict(v) for k, v in data.get("rules", {}).items()},
                  suppressions=tuple(_suppression(i, entry, rules, source)
                                     for i, entry in enumerate(data.get("suppressions", []))),
                  warnings=tuple(warnings))


def _without_retired(data: dict[str, Any], source: str) -> tuple[list[str], dict[str, Any]]:
    """The config less its entries for retired ids, and a warning for each: a file written
    for an older catalogue still loads, and says what to change."""
    from auditor.rules import RETIRED

    gone = {r.id: r for r in RETIRED}
    warnings = [f"{source}: rules.{key} ignored: {gone[key].notice()}"
                for key in data.get("rules", {}) if key in gone]
    kept_rules = {k: v for k, v in data.get("rules", {}).items() if k not in gone}
    suppressions = []
    for index, entry in enumerate(data.get("suppressions", [])):
        rule = entry.get("rule") if isinstance(entry, dict) else None
        if rule in gone:
            warnings.append(f"{source}: suppressions.{index} ignored: {gone[rule].notice()}")
        else:
            suppressions.append(entry)
    data = dict(data)
    if "rules" in data:
        data["rules"] = kept_rules
    if "suppressions" in data:
        data["suppressions"] = suppressions
    return warnings, data


def _suppression(index: int, entry: dict[str, Any], rules: Sequence[Rule],
                 source: str) -> Entry:
    where = f"{source}: suppressions.{index}"
    expires = entry["expires"]
    if not isinstance(expires, date) or isinstance(expires, datetime):
        raise ConfigError(f"{where}.expires: must be a TOML date such as 2027-03-31, "
                          f"not {expires!r}")
    pattern = entry["rule"]
    known = [r.id for r in rules if fnmatch.fnmatchcase(r.id, pattern)]
    if not known:
        raise ConfigError(f"{where}.rule: {pattern!r} names no rule")
    return Entry(rule=pattern, reason=entry["reason"], expires=expires,
                 resource=entry.get("resource"), tags=dict(entry.get("tags", {})))


def load(path: str | None, rules: Sequence[Rule]) -> Config:
    if not path:
        return Config()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from exc
    return parse(text, rules, path)
