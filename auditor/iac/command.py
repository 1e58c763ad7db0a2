"""``edge-audit iac PATH...``: the scan's rules and outputs on templates, before deploy.

Takes the output, rule, configuration, suppression and baseline options of ``scan``; exits
as a scan would (0, 1 failing, 2 usage or a template that cannot be read, 3 incomplete:
some result needs a value known only at deploy time).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from auditor.process import UsageError

INSTALL_HINT = "pip install 'edge-auditor[iac]'"


def parameters(args: argparse.Namespace) -> dict[str, Any]:
    """--parameters-file, then --parameter KEY=VALUE (which wins)."""
    found: dict[str, Any] = {}
    if args.parameters_file:
        try:
            with open(args.parameters_file, encoding="utf-8") as handle:
                raw = json.load(handle)
        except (OSError, json.JSONDecodeError) as exc:
            raise UsageError(f"--parameters-file {args.parameters_file}: {exc}") from exc
        if isinstance(raw, list) and all(isinstance(p, dict) and "ParameterKey" in p
                                         for p in raw):
            found.update({p["ParameterKey"]: p.get("ParameterValue", "") for p in raw})
        elif isinstance(raw, dict) and all(isinstance(v, str) for v in raw.values()):
            found.update(raw)
        else:
            raise UsageError(f"--parameters-file {args.parameters_file}: expected "
                             '[{"ParameterKey": ..., "ParameterValue": ...}] or '
                             '{"Key": "Value"}')
    found.update(pairs(args.parameter, "--parameter", "KEY"))
    return found


def pairs(items: list[str], option: str, word: str) -> dict[str, str]:
    """``KEY=VALUE`` options (--parameter; --var, as terraform's -var) as a mapping."""
    found: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"{option} {item!r}: give {word}=VALUE")
        found[key] = value
    return found


def run_iac(args: argparse.Namespace) -> int:
    from auditor.cli import _config, _say, _selected_rules, deliver, preflight

    if args.publish:
        raise UsageError("iac judges templates, not an account: --publish is refused")
    try:
        import cfnlint.decode  # noqa: F401  (cfn-lint reads the templates)
    except ImportError as exc:
        raise UsageError(f"edge-audit iac needs cfn-lint, aws-sam-translator and "
                         f"python-hcl2: {INSTALL_HINT}") from exc
    from auditor.iac.estate import Options
    from auditor.iac.source import collect_templates, evaluate_templates
    from auditor.suppress import tag_keys

    rules, config = _selected_rules(args), _config(args)
    preflight(args)
    options = Options(account=args.account, region=args.region,
                      parameters=parameters(args), variables=pairs(args.var, "--var", "NAME"),
                      var_files=tuple(args.var_file))
    run, run_rules = collect_templates(args.paths, options, rules, config.rule_params,
                                       tag_keys(config.suppressions))
    report = evaluate_templates(run, run_rules, config.rule_params, config.suppressions)
    for warning in report.scan.warnings:
        _say(args, f"warning: {warning}")
    if report.scan.not_applicable:
        ids = ", ".join(n["rule_id"] for n in report.scan.not_applicable)
        _say(args, f"not applicable before deploy (no template holds CloudWatch data or "
                   f"the account's quotas and other resources): {ids}")
    return deliver(report, args)
