"""The plan as a bash script of AWS CLI commands: reviewable, resumable, never interactive.

Every step is a function with a comment naming the rule, the resource and the risk; every
command names its region; ``--list``, ``--from N``, ``--to N`` and ``--after-step CMD`` (a
check of your own after each step, which stops the run when it fails) drive it.
"""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime
from importlib import resources

from botocore import xform_name

from auditor import __version__
from auditor.fix.context import compact
from auditor.fix.model import Call, Plan, Shell, Step

PARAMETER = re.compile(r"\$\{([A-Z_]+)\}")


def word(value: str) -> str:
    """A shell word: single-quoted, unless it refers to a run-time parameter (then double
    quotes, with everything but the parameter escaped)."""
    if not PARAMETER.search(value):
        return shlex.quote(value)
    out, last = [], 0
    for m in PARAMETER.finditer(value):
        out += [_dq(value[last:m.start()]), m.group(0)]
        last = m.end()
    return '"' + "".join([*out, _dq(value[last:])]) + '"'


def cli_words(call: Call) -> list[str]:
    """``aws SERVICE OPERATION --region R --param value ...`` (structures as JSON)."""
    words = ["aws", call.service, xform_name(call.operation, "-"), "--region", call.region]
    for name, value in call.parameters.items():
        flag = "--" + xform_name(name, "-")
        if isinstance(value, bool):
            words.append(flag if value else "--no-" + flag[2:])
            continue
        text = value if isinstance(value, str) else (
            str(value) if isinstance(value, int | float) else compact(value))
        words += [flag, word(text)]
    return [*words, "--output", "json"]


def call_line(call: Call) -> str:
    parts = cli_words(call)
    return " ".join(parts[:5]) + " \\\n    " + " ".join(parts[5:]) + " > /dev/null"


def shell_line(step: Step, item: Shell) -> str:
    if item.helper == "CALL":
        return call_line(step.calls[int(item.args[0])])
    return " ".join([item.helper, *(word(a) for a in item.args)])


def step_lines(step: Step) -> list[str]:
    """The commands of an ``aws`` step, as the script runs them."""
    lines = [f"fix_account {step.account}"] if step.account else []
    if step.shell:
        return lines + [shell_line(step, s) for s in step.shell]
    return lines + [call_line(c) for c in step.calls]


def _comment(text: str, width: int = 92) -> list[str]:
    import textwrap

    return ["# " + line for line in textwrap.wrap(text, width)] or ["#"]


def _function(n: int, step: Step) -> list[str]:
    out = [f"step_{n}() {{"]
    for c in step.closes:
        out.append(f"  # closes {c.rule_id} on {c.resource_name} ({c.resource_arn})")
    for c in step.serves:
        out.append(f"  # part of the fix of {c.rule_id} on {c.resource_name} ({c.resource_arn})")
    for c in step.reveals:
        out.append(f"  # afterwards {c.rule_id} fails on {c.resource_name}: see Risk")
    out += ["  " + line for line in _comment("Risk: " + step.risk)]
    for p in step.preconditions:
        out.append(f"  # checked first: {p}")
    if step.kind == "aws" and step.accepted:
        out += ["  " + line for line in "\n".join(step_lines(step)).splitlines()]
    elif step.kind == "aws":
        out.append(f"  # --accept-risk {step.accept_risk} writes these lines live:")
        out += ["  # " + line for line in "\n".join(step_lines(step)).splitlines()]
        out.append(f"  fix_skip {n} 'needs --accept-risk {step.accept_risk}'")
    elif step.kind == "template":
        t = step.template
        where = (f"stack {t.stack}, " if t.stack else "") + (
            f"{t.file}:{t.line}, " if t.file else "")
        out += ["  " + line for line in _comment(
            f"Template change ({where}{t.logical_id}, {t.resource_type}): {t.change}")]
        out.append(f"  fix_skip {n} 'a template change: edit the template and deploy it'")
    else:
        out += ["  " + line for line in _comment(("What to do: " + step.manual)
                                                 if step.manual else "")]
        label = "read this before the next step" if step.kind == "warning" else "for a person"
        out.append(f"  fix_skip {n} {shlex.quote(label)}")
    return [*out, "}", ""]


def render(plan: Plan) -> str:
    steps = plan.numbered()
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = [
        "#!/usr/bin/env bash",
        f"# edge-audit fix plan: report {plan.report_id} ({plan.source}), edge-auditor "
        f"{__version__}, {made}.",
        "# Nothing here has been run. Read every step, then run it yourself:",
        "#   bash fix.sh --list              the steps",
        "#   bash fix.sh [--from N] [--to N] [--after-step CMD]",
        "# --after-step runs CMD after every step (STEP=N in its environment) and stops the "
        "plan when",
        "# it fails: a check that your site still answers, for example. Origin secrets are "
        "made",
        "# while it runs and live only in its environment: a run that stops after a "
        "secret's step",
        "# starts again at that step.",
    ]
    for note in plan.notes:
        head += _comment("Note: " + note)
    for name, purpose in plan.parameters.items():
        head.append(f"# Needs {name}: {purpose}")
    head += ["set -euo pipefail", ""]
    helpers = resources.files("auditor.fix").joinpath("helpers.sh").read_text("utf-8")
    body = [helpers, "", "fix_skip() {", '  echo "edge-audit fix: step $1 not run: $2" >&2',
            "}", ""]
    for name, value in sorted(plan.values.items()):
        if name in plan.parameters:
            body.append(f": \"${{{name}:={_dq(value)}}}\"")
    checks = []
    for name in plan.parameters:  # before the first change, not half-way
        checks += [f'  if [ -z "${{{name}:-}}" ]; then',
                   f'    echo "edge-audit fix: set {name} ({plan.parameters[name]})" >&2',
                   "    exit 2", "  fi"]
    for n, step in steps:
        body += _function(n, step)
    body += [
        "FIX_TITLES=(''", *("  " + shlex.quote(f"[{s.kind}] {s.title}") for _, s in steps), ")",
        f"FIX_FROM=1 FIX_TO={len(steps)} FIX_LIST=0 FIX_AFTER=''",
        "while [ $# -gt 0 ]; do",
        '  case "$1" in',
        "    --list) FIX_LIST=1 ;;",
        '    --from) FIX_FROM="$2"; shift ;;',
        '    --to) FIX_TO="$2"; shift ;;',
        '    --after-step) FIX_AFTER="$2"; shift ;;',
        '    *) echo "usage: bash $0 [--list] [--from N] [--to N] [--after-step CMD]" >&2; '
        "exit 2 ;;",
        "  esac",
        "  shift",
        "done",
        *(['if [ "$FIX_LIST" = 0 ]; then', *checks, "fi"] if checks else []),
        'for ((n = FIX_FROM; n <= FIX_TO; n++)); do',
        '  if [ "$FIX_LIST" = 1 ]; then',
        '    printf \'%3d  %s\\n\' "$n" "${FIX_TITLES[$n]}"',
        "    continue",
        "  fi",
        f'  echo "edge-audit fix: step $n of {len(steps)}: ${{FIX_TITLES[$n]}}" >&2',
        '  "step_$n"',
        '  if [ -n "$FIX_AFTER" ]; then',
        '    STEP="$n" bash -c "$FIX_AFTER"',
        "  fi",
        "done",
    ]
    return "\n".join(head + body) + "\n"


def _dq(value: str) -> str:
    return re.sub(r'(["\\$`])', r"\\\1", value)
