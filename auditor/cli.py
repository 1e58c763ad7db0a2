"""The ``edge-audit`` command line: parse, build, run, write, exit.

Exit codes (the contract): 0 nothing failed at or above ``--fail-on``; 1 something did;
2 bad usage or configuration; 3 the scan was incomplete (some result is ``error``).
Incomplete wins over failing: a scheduler must learn that the audit did not see it all.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from importlib import resources

from botocore.exceptions import BotoCoreError, NoCredentialsError, ProfileNotFound

from auditor import TOOL_NAME, __version__
from auditor.accounts import DEFAULT_ROLE, AccountsError, resolve_targets
from auditor.baseline import counted, mark
from auditor.collect.account import IdentityError
from auditor.collect.base import Calls
from auditor.collect.ec2 import enabled_regions
from auditor.config import ConfigError
from auditor.config import load as load_config
from auditor.engine import UnknownRule, select_rules
from auditor.findings import Severity
from auditor.gaps import Unavailable
from auditor.pacing import Pacer
from auditor.process import UsageError, fewer_malloc_arenas, stoppable
from auditor.progress import Progress
from auditor.report import FORMATS, chunked
from auditor.scan import Collection, Report, Targets, collect, evaluate
from auditor.session import AwsContext
from auditor.suppress import tag_keys

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
FAIL_ON_CHOICES = [s.value for s in Severity] + ["none"]
REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")

log = logging.getLogger("auditor")


def _csv(value: str) -> list[str]:
    return [v for v in (p.strip() for p in value.split(",")) if v]


def _output_options(p: argparse.ArgumentParser, fail_on_default: str) -> None:
    p.add_argument("--format", choices=FORMATS, default="table", help="output format")
    p.add_argument("--output", "-o", metavar="PATH", help="write here instead of stdout")
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        default=fail_on_default,
        help=f"exit 1 when a result at or above this severity fails (default {fail_on_default})",
    )
    p.add_argument("--rules", type=_csv, default=[], metavar="ID,...", help="only these rules")
    p.add_argument(
        "--skip-rules", type=_csv, default=[], metavar="ID,...", help="all rules but these"
    )
    p.add_argument("--config", metavar="FILE",
                   help="TOML file of per-rule parameters and suppressions")
    p.add_argument("--baseline", metavar="REPORT",
                   help="an earlier JSON report: --fail-on judges only failures new since it")


def _scope_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    p.add_argument("--region", action="append", default=[], metavar="REGION",
                   help="region to scan; repeatable (default: the profile's, else us-east-1)")
    p.add_argument("--all-regions", action="store_true",
                   help="every region enabled for the account")
    p.add_argument("--endpoint-url", default=None,
                   help="send every call here (moto, LocalStack); AWS_ENDPOINT_URL works too")
    p.add_argument("--pacing", choices=("aws", "off"), default="aws",
                   help="keep each account and region inside AWS's API rate limits (aws, the "
                        "default), or send as fast as the fan-out allows (off: for endpoints "
                        "without AWS's limits)")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="stop collecting after this long; what was not reached is an error")
    many = p.add_argument_group("many accounts")
    many.add_argument("--accounts", action="append", default=[], metavar="ID,...",
                      help="accounts to scan (default: the caller's own)")
    many.add_argument("--accounts-file", metavar="FILE",
                      help="accounts to scan, one per line (# comments allowed)")
    many.add_argument("--organization", action="store_true",
                      help="every active account of the caller's organization")
    many.add_argument("--role-name", default=DEFAULT_ROLE,
                      help=f"role assumed in each account (default {DEFAULT_ROLE})")
    many.add_argument("--external-id", help="external id the role's trust policy requires")
    many.add_argument("--shard", metavar="K/N",
                      help="scan only the K-th of N stable slices of the accounts")
    many.add_argument("--parallel-accounts", type=int, default=4, metavar="N",
                      help="accounts scanned at once (default 4)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edge-audit",
        description="Audit the CloudFront -> ALB -> Lambda pattern of an AWS account.",
    )
    parser.add_argument("--version", action="version", version=f"{TOOL_NAME} {__version__}")
    parser.add_argument("--verbose", "-v", action="store_true", help="log AWS calls and progress")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="no progress bar and no warnings on stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    scan = sub.add_parser("scan", help="scan an account")
    _scope_options(scan)
    _output_options(scan, "high")

    collect = sub.add_parser("collect", help="read an account into a snapshot (no secrets)")
    _scope_options(collect)
    collect.add_argument("--output", "-o", metavar="SNAPSHOT", required=True,
                         help="where to write the snapshot")
    collect.add_argument("--config", metavar="FILE", help="TOML rule parameters")

    evaluate = sub.add_parser("evaluate", help="run the rules over a snapshot, offline")
    evaluate.add_argument("snapshot", metavar="SNAPSHOT")
    _output_options(evaluate, "high")

    demo = sub.add_parser("demo", help="scan a built-in fake account (no credentials needed)")
    _output_options(demo, "none")

    merge = sub.add_parser("merge", help="join reports (the shards of one scan) into one")
    merge.add_argument("reports", nargs="+", metavar="REPORT")
    merge.add_argument("--format", choices=FORMATS, default="json")
    merge.add_argument("--output", "-o", metavar="PATH")
    merge.add_argument("--fail-on", choices=FAIL_ON_CHOICES, default="high")

    diff = sub.add_parser("diff", help="new, resolved and unchanged failures of two reports")
    diff.add_argument("old", metavar="OLD_REPORT")
    diff.add_argument("new", metavar="NEW_REPORT")
    diff.add_argument("--format", choices=("table", "json"), default="table")
    diff.add_argument("--output", "-o", metavar="PATH")
    diff.add_argument("--fail-on", choices=FAIL_ON_CHOICES, default="high",
                      help="exit 1 when a new failure is at or above this severity")

    rules = sub.add_parser("rules", help="list the rule catalogue")
    rules.add_argument("--format", choices=FORMATS, default="table")
    sub.add_parser("schema", help="print the JSON Schema of --format json")
    sub.add_parser("iam-policy", help="print the least-privilege IAM policy a scan needs")
    return parser


def exit_code(report: Report, fail_on: str) -> int:
    if not report.complete:
        return EXIT_INCOMPLETE
    if fail_on == "none":
        return EXIT_OK
    threshold = Severity(fail_on).rank
    failing = any(r.severity.rank >= threshold for r in counted(report.results))
    return EXIT_FAIL if failing else EXIT_OK


def write_output(text, path: str | None) -> None:
    """Write text (or an iterable of text pieces) to stdout, or atomically to a file: a
    temporary file renamed into place, so a reader never sees half a report."""
    pieces = [text] if isinstance(text, str) else text
    if not path:
        for piece in pieces:
            sys.stdout.write(piece)
        sys.stdout.flush()
        return
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".edge-audit-", dir=directory)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for piece in pieces:
                handle.write(piece)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _selected_rules(args: argparse.Namespace):
    from rules import load_rules

    try:
        return select_rules(load_rules(), args.rules, args.skip_rules)
    except UnknownRule as exc:
        raise UsageError(str(exc)) from exc


def known_regions(ctx: AwsContext) -> set[str]:
    """Every region of every partition in botocore's endpoint data."""
    session = ctx.session
    return {region for partition in session.get_available_partitions()
            for region in session.get_available_regions("ec2", partition)}


def _regions(args: argparse.Namespace, ctx: AwsContext) -> list[str]:
    for region in args.region:
        if not REGION_PATTERN.match(region):
            raise UsageError(f"not a region name: {region!r}")
        if region not in known_regions(ctx):
            raise UsageError(f"unknown region {region!r}: no AWS partition botocore knows "
                             "has it")
    if args.all_regions:
        regions = enabled_regions(Calls(ctx, ""), ctx.default_region)
        if isinstance(regions, Unavailable):
            raise IdentityError(f"cannot list the enabled regions: {regions.reason}")
        return regions
    return list(dict.fromkeys(args.region)) or [ctx.default_region]


def deliver(report: Report, args: argparse.Namespace) -> int:
    if getattr(args, "baseline", None):
        report = mark(report, _document(args.baseline))
    write_output(chunked(args.format)(report), args.output)
    return exit_code(report, args.fail_on)


def _config(args: argparse.Namespace):
    from rules import load_rules

    try:
        return load_config(getattr(args, "config", None), load_rules())
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc


def _context(args: argparse.Namespace) -> AwsContext:
    try:
        return AwsContext.from_options(profile=args.profile, endpoint_url=args.endpoint_url,
                                       pacer=Pacer() if args.pacing == "aws" else None)
    except ProfileNotFound as exc:
        raise UsageError(str(exc)) from exc


def _targets(args: argparse.Namespace, ctx: AwsContext) -> Targets:
    try:
        return resolve_targets(ctx, args.accounts, args.accounts_file, args.organization,
                               args.shard, args.role_name, args.external_id,
                               args.parallel_accounts)
    except AccountsError as exc:
        raise UsageError(str(exc)) from exc


def _collect(args: argparse.Namespace, params, rules=None,
             keys: frozenset[str] = frozenset()) -> tuple[Collection, tuple]:
    ctx = _context(args)
    try:
        targets = _targets(args, ctx)
        progress = Progress.for_terminal(max(1, len(targets.accounts)), args.quiet)
        try:
            with stoppable(ctx, args.timeout):
                return collect(ctx, _regions(args, ctx), params, rules, targets, progress,
                               keys)
        finally:
            progress.close()
    except ValueError as exc:  # botocore rejects a malformed endpoint URL this way
        raise UsageError(str(exc)) from exc


def _document(path: str) -> dict:
    from auditor.merge import MergeError, load

    try:
        return load(path)
    except MergeError as exc:
        raise UsageError(str(exc)) from exc


def cmd_scan(args: argparse.Namespace) -> int:
    rules, config = _selected_rules(args), _config(args)
    params, suppressions = config.rule_params, config.suppressions
    collection, secrets = _collect(args, params, rules, tag_keys(suppressions))
    report = evaluate(collection, rules, params, secrets, suppressions)
    del collection  # the report holds what it needs; the inventory can go before rendering
    return deliver(report, args)


def cmd_collect(args: argparse.Namespace) -> int:
    from auditor.snapshot import dumps

    config = _config(args)
    collection, _ = _collect(args, config.rule_params, keys=tag_keys(config.suppressions))
    write_output(dumps(collection), args.output)
    failures = collection.failures
    if failures:
        ops = sorted({f"{f.operation} ({f.code})" for f in failures})
        print(f"edge-audit: collected with {len(failures)} failed call(s): {', '.join(ops)}",
              file=sys.stderr)
        return EXIT_INCOMPLETE
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    from auditor.snapshot import SnapshotError, loads

    rules, config = _selected_rules(args), _config(args)
    try:
        with open(args.snapshot, encoding="utf-8") as handle:
            collection = loads(handle.read())
    except OSError as exc:
        raise UsageError(f"cannot read {args.snapshot}: {exc.strerror or exc}") from exc
    except SnapshotError as exc:
        raise UsageError(f"{args.snapshot}: {exc}") from exc
    report = evaluate(collection, rules, config.rule_params, suppressions=config.suppressions)
    return deliver(report, args)


def cmd_merge(args: argparse.Namespace) -> int:
    from auditor.merge import MergeError, load, merge
    from auditor.report.json_report import report_from_document

    try:
        doc = merge([load(path) for path in args.reports])
    except MergeError as exc:
        raise UsageError(str(exc)) from exc
    report = report_from_document(doc)
    return deliver(report, args)


def cmd_demo(args: argparse.Namespace) -> int:
    from auditor.demo import run_demo

    rules, config = _selected_rules(args), _config(args)
    return deliver(run_demo(rules, config.rule_params, config.suppressions), args)


def cmd_diff(args: argparse.Namespace) -> int:
    from auditor.baseline import diff
    from auditor.report.diff import render

    old, new = _document(args.old), _document(args.new)
    changes = diff(old, new)
    write_output(render(changes, args.format, old, new), args.output)
    if not new["scan"]["complete"]:
        return EXIT_INCOMPLETE
    if args.fail_on == "none":
        return EXIT_OK
    threshold = Severity(args.fail_on).rank
    return EXIT_FAIL if any(Severity(r["severity"]).rank >= threshold
                            for r in changes.new) else EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    from rules import load_rules

    catalogue = load_rules()
    if args.format == "json":
        rows = [
            {
                "id": r.id,
                "slug": r.slug,
                "severity": r.severity.value,
                "title": r.title,
                "cites": r.cites,
                "recommendation": r.recommendation,
                "rationale": r.rationale,
                "remediation": r.remediation,
            }
            for r in catalogue
        ]
        write_output(json.dumps(rows, indent=2) + "\n", None)
    else:
        rows = [[r.id, r.slug, r.severity.value, r.title, r.cites] for r in catalogue]
        write_output(
            tabulate(rows, headers=["id", "slug", "severity", "title", "cites"]) + "\n", None
        )
    return EXIT_OK


def cmd_schema(_: argparse.Namespace) -> int:
    from auditor.report.json_report import schema

    write_output(json.dumps(schema(), indent=2) + "\n", None)
    return EXIT_OK


def iam_policy() -> dict:
    return json.loads(
        resources.files("auditor.data").joinpath("iam-policy.json").read_text("utf-8")
    )


def cmd_iam_policy(_: argparse.Namespace) -> int:
    write_output(json.dumps(iam_policy(), indent=2) + "\n", None)
    return EXIT_OK


COMMANDS = {
    "scan": cmd_scan,
    "collect": cmd_collect,
    "evaluate": cmd_evaluate,
    "merge": cmd_merge,
    "diff": cmd_diff,
    "demo": cmd_demo,
    "rules": cmd_rules,
    "schema": cmd_schema,
    "iam-policy": cmd_iam_policy,
}


def run(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = (logging.DEBUG if args.debug else logging.INFO if args.verbose
             else logging.ERROR)  # failed calls are in the report; --verbose logs them too
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("botocore").setLevel(logging.WARNING if not args.debug else logging.DEBUG)
    if args.verbose:  # every AWS call with its latency
        logging.getLogger("auditor.calls").setLevel(logging.DEBUG)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        if args.debug:
            raise
        print(f"edge-audit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("edge-audit: interrupted; no report written", file=sys.stderr)
        return EXIT_INCOMPLETE
    except (IdentityError, NoCredentialsError, BotoCoreError) as exc:
        if args.debug:
            raise
        configuration = isinstance(exc, NoCredentialsError) or (
            isinstance(exc, IdentityError) and exc.is_configuration
        )
        code = EXIT_USAGE if configuration else EXIT_INCOMPLETE
        print(f"edge-audit: error: the scan could not run: {exc}", file=sys.stderr)
        return code


def main() -> None:
    fewer_malloc_arenas()
    sys.exit(run())
