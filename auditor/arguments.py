"""The command line's arguments: every subcommand's options, and their defaults from the
environment (``EDGE_AUDIT_<OPTION>``), so the container image and the Lambda handler run a
scan configured by environment variables alone.

An option given on the command line wins over its variable. Lists take commas
(``EDGE_AUDIT_REGION=us-east-1,eu-west-1``); switches take 1/true/yes.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence

from auditor import TOOL_NAME, __version__
from auditor.accounts import DEFAULT_ROLE
from auditor.findings import Severity
from auditor.report import FORMATS

FAIL_ON_CHOICES = [s.value for s in Severity] + ["none"]
ENV_PREFIX = "EDGE_AUDIT_"
ENV_COMMANDS = ("scan", "evaluate", "demo", "collect")  # the ones a scheduled job runs
# Read from the environment by every command that has them: the rule packs of a machine
# are the same for `rules` and `iam-policy` as for the scan they describe.
PACK_OPTIONS = ("rules_path", "no_plugins")
PATH_LISTS = ("rules_path",)  # list options whose variable is split on os.pathsep


def _csv(value: str) -> list[str]:
    return [v for v in (p.strip() for p in value.split(",")) if v]


# The output format a file's extension implies, when --format is not given.
EXTENSIONS = {".json": "json", ".csv": "csv", ".html": "html", ".htm": "html",
              ".sarif": "sarif"}


def _global_flags(p: argparse.ArgumentParser, subcommand: bool) -> None:
    """--verbose, --debug and --quiet, accepted before and after the subcommand. After it
    they default to SUPPRESS, so a flag given before the subcommand is not reset."""
    extra = {"default": argparse.SUPPRESS} if subcommand else {}
    p.add_argument("--verbose", "-v", action="store_true", help="log AWS calls and progress",
                   **extra)
    p.add_argument("--debug", action="store_true", help="show tracebacks", **extra)
    p.add_argument("--quiet", "-q", action="store_true",
                   help="no progress bar and no warnings on stderr", **extra)


def _output_options(p: argparse.ArgumentParser, fail_on_default: str) -> None:
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: from the --output file's extension, "
                        ".json .csv .html .sarif; else table)")
    p.add_argument("--show-suppressed", action="store_true",
                   help="list suppressed failures in the table too")
    p.add_argument("--group-by", choices=("path", "severity", "rule"), default="path",
                   help="group the table's results by edge path (default), severity or rule")
    p.add_argument("--output", "-o", metavar="PATH",
                   help="write here instead of stdout; s3://bucket/prefix/ writes a "
                        "date-partitioned key and a latest.json pointer")
    p.add_argument("--publish", action="append", default=[], choices=("securityhub",),
                   help="also import the findings into Security Hub (repeatable)")
    p.add_argument("--securityhub-region", metavar="REGION",
                   help="Security Hub region to import into (default: the first scanned)")
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
                   help="TOML file (a path or an s3:// URL) of rule parameters and "
                        "suppressions")
    p.add_argument("--baseline", metavar="REPORT",
                   help="an earlier JSON report (a path, an s3:// URL, or an S3 latest.json "
                        "pointer): --fail-on judges only failures new since it")


def _pack_options(p: argparse.ArgumentParser) -> None:
    packs = p.add_argument_group("rule packs")
    packs.add_argument("--rules-path", action="append", default=[], metavar="DIR",
                       help="load every *.py in DIR as a rule pack (repeatable; "
                            "EDGE_AUDIT_RULES_PATH takes folders separated by ':')")
    packs.add_argument("--no-plugins", action="store_true",
                       help="the built-in rules alone: no installed packs, no --rules-path")


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
    _global_flags(parser, subcommand=False)
    flags = argparse.ArgumentParser(add_help=False)
    _global_flags(flags, subcommand=True)
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser

    def add_parser(name: str, **kwargs):  # every subcommand takes the global flags too
        return add(name, parents=[flags], **kwargs)

    sub.add_parser = add_parser

    scan = sub.add_parser("scan", help="scan an account")
    _scope_options(scan)
    _output_options(scan, "high")
    _pack_options(scan)

    collect = sub.add_parser("collect", help="read an account into a snapshot (no secrets)")
    _scope_options(collect)
    collect.add_argument("--output", "-o", metavar="SNAPSHOT", required=True,
                         help="where to write the snapshot")
    collect.add_argument("--config", metavar="FILE", help="TOML rule parameters")
    _pack_options(collect)

    evaluate = sub.add_parser("evaluate", help="run the rules over a snapshot, offline")
    evaluate.add_argument("snapshot", metavar="SNAPSHOT")
    _output_options(evaluate, "high")
    _pack_options(evaluate)

    demo = sub.add_parser("demo", help="scan a built-in fake account (no credentials needed)")
    _output_options(demo, "none")
    _pack_options(demo)
    rehearse = demo.add_argument_group("rehearse a real scan")
    rehearse.add_argument("--serve", action="store_true",
                          help="serve the fake account on 127.0.0.1 until Ctrl-C, to run "
                               "`edge-audit scan --endpoint-url` against it")
    rehearse.add_argument("--port", type=int, default=5000,
                          help="the port --serve listens on (default 5000; 0: a free one)")

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

    rules = sub.add_parser("rules", help="list the rules: the catalogue and loaded packs")
    rules.add_argument("--format", choices=("table", "json"), default="table")
    rules.add_argument("--check-pack", metavar="PATH",
                       help="load the pack in PATH (a .py file or a folder of them), "
                            "validate it, run its CASES; exit 1 when a case fails")
    _pack_options(rules)
    explain = sub.add_parser("explain", help="why a rule matters, how to fix it, its source")
    explain.add_argument("rule_ids", nargs="+", metavar="RULE-ID")
    _pack_options(explain)
    iac = sub.add_parser("iac", help="the same rules on CloudFormation, SAM, CDK and "
                                     "Terraform, before deploy")
    iac.add_argument("paths", nargs="+", metavar="PATH",
                     help="a CloudFormation or SAM template (YAML or JSON), a CDK cloud "
                          "assembly folder (cdk.out), a Terraform plan in JSON (terraform "
                          "show -json) or a folder of Terraform source (.tf)")
    iac.add_argument("--parameter", action="append", default=[], metavar="KEY=VALUE",
                     help="a template parameter's value (repeatable; else its default)")
    iac.add_argument("--parameters-file", metavar="FILE",
                     help="parameter values: the CLI's [{\"ParameterKey\": ..., "
                          "\"ParameterValue\": ...}] or a {\"Key\": \"Value\"} object")
    iac.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                     help="a Terraform variable's value, as terraform's -var (repeatable)")
    iac.add_argument("--var-file", action="append", default=[], metavar="FILE",
                     help="Terraform variable values (.tfvars or .tfvars.json), as "
                          "terraform's -var-file (repeatable; after terraform.tfvars and "
                          "*.auto.tfvars, before --var)")
    iac.add_argument("--region", default="us-east-1",
                     help="the region the stacks deploy to (default us-east-1; a CDK "
                          "stack's own env and a Terraform aws provider's literal region "
                          "win)")
    iac.add_argument("--account", default="123456789012",
                     help="the account the stacks deploy to (default 123456789012)")
    _output_options(iac, "high")
    _pack_options(iac)
    fix = sub.add_parser("fix", help="write an ordered remediation plan for a report's "
                                     "failures (never run; no AWS call)")
    fix.add_argument("report", metavar="REPORT.json",
                     help="a findings report of scan, demo, evaluate or iac (--format json)")
    fix.add_argument("--format", choices=("sh", "md", "json"), default=None,
                     help="sh: a bash script of AWS CLI commands; md: a runbook; json: the "
                          "plan as data (default: from -o's extension, else sh)")
    fix.add_argument("--output", "-o", metavar="PATH")
    fix.add_argument("--rules", type=_csv, action="extend", default=[], metavar="ID,...",
                     help="plan only these rules (comma-separated or repeated; globs: BYP-*)")
    fix.add_argument("--accept-risk", type=_csv, action="extend", default=[], metavar="ID,...",
                     help="write the steps of this rule live, not commented out, once the "
                          "application is ready for them (TG-001, HC-005, ALB-012, LMB-003, "
                          "SG-001)")
    fix.add_argument("--alarm-topic", metavar="ARN",
                     help="the SNS topic new alarms notify (else ALARM_TOPIC_ARN at run time)")
    fix.add_argument("--alb-log-bucket", metavar="BUCKET",
                     help="the bucket for ALB access logs (else ALB_LOG_BUCKET at run time)")
    fix.add_argument("--cf-log-bucket", metavar="BUCKET",
                     help="the bucket for CloudFront logs (else CF_LOG_BUCKET at run time)")
    sub.add_parser("schema", help="print the JSON Schema of --format json")
    policy = sub.add_parser("iam-policy",
                            help="print the least-privilege IAM policy a scan needs (with "
                                 "the actions of the loaded packs' facets)")
    _pack_options(policy)
    return parser


def env_name(action: argparse.Action) -> str | None:
    longs = [o for o in action.option_strings if o.startswith("--")]
    return ENV_PREFIX + longs[0][2:].upper().replace("-", "_") if longs else None


def _from_env(action: argparse.Action, raw: str):
    if isinstance(action, argparse._StoreTrueAction):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(action, argparse._AppendAction):
        sep = os.pathsep if action.dest in PATH_LISTS else ","
        values = [v.strip() for v in raw.split(sep) if v.strip()]
    else:
        values = [action.type(raw) if action.type else raw]
    for value in values:
        if action.choices is not None and value not in action.choices:
            raise argparse.ArgumentTypeError(
                f"{env_name(action)}={raw!r}: choose from "
                f"{', '.join(map(str, action.choices))}")
    return values if isinstance(action, argparse._AppendAction) else values[0]


def parse(argv: Sequence[str] | None = None,
          environ: Mapping[str, str] | None = None) -> argparse.Namespace:
    """Parse the command line; options it leaves unset take ``EDGE_AUDIT_*`` variables."""
    parser = build_parser()
    args = parser.parse_args(argv)
    environ = os.environ if environ is None else environ
    sub = parser._subparsers._group_actions[0].choices[args.command]
    for action in sub._actions:
        name = env_name(action)
        if args.command not in ENV_COMMANDS and action.dest not in PACK_OPTIONS:
            continue
        if (not name or name not in environ or not hasattr(args, action.dest)
                or getattr(args, action.dest) != action.default):
            continue
        try:
            setattr(args, action.dest, _from_env(action, environ[name]))
        except (argparse.ArgumentTypeError, ValueError) as exc:
            parser.error(str(exc))
    _format_from_extension(args)
    return args


def _format_from_extension(args: argparse.Namespace) -> None:
    """--format left out: the --output file's extension chooses it (``report.html`` is an
    HTML report, not a table in a file named .html), else the table."""
    if not hasattr(args, "format") or args.format is not None or args.command == "fix":
        return  # fix plans choose from their own formats (auditor.fix.command)
    output = getattr(args, "output", None) or ""
    found = EXTENSIONS.get(os.path.splitext(output)[1].lower()) if output else None
    args.format = found or "table"
    args.format_from_extension = found is not None


