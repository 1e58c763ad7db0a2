"""The ``edge-audit`` command line: parse, build, run, write, exit.

Exit codes (the contract): 0 nothing failed at or above ``--fail-on``; 1 something did;
2 bad usage or configuration; 3 the scan was incomplete (some result is ``error``).
Incomplete wins over failing: a scheduler must learn that the audit did not see it all.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Sequence
from importlib import resources

from botocore.exceptions import BotoCoreError, NoCredentialsError, ProfileNotFound

from auditor.accounts import AccountsError, resolve_targets
from auditor.arguments import parse
from auditor.baseline import counted, mark
from auditor.collect.account import IdentityError
from auditor.collect.base import Calls
from auditor.collect.ec2 import enabled_regions
from auditor.config import ConfigError
from auditor.config import load as load_config
from auditor.config import parse as parse_config
from auditor.engine import UnknownRule, select_rules
from auditor.findings import Severity
from auditor.gaps import Unavailable
from auditor.output import read_text, write_output
from auditor.pacing import Pacer
from auditor.process import UsageError, fewer_malloc_arenas, stoppable
from auditor.progress import Progress
from auditor.publish import Delivery, DeliveryError
from auditor.report import chunked
from auditor.scan import Collection, Report, Targets, collect, evaluate
from auditor.session import AwsContext
from auditor.suppress import tag_keys

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")

log = logging.getLogger("auditor")


def exit_code(report: Report, fail_on: str) -> int:
    if not report.complete:
        return EXIT_INCOMPLETE
    if fail_on == "none":
        return EXIT_OK
    threshold = Severity(fail_on).rank
    failing = any(r.severity.rank >= threshold for r in counted(report.results))
    return EXIT_FAIL if failing else EXIT_OK


def _registry(args: argparse.Namespace):
    """The rule packs of this run (auditor.packs), loaded once: the built-in pack, then
    the installed ones and the ``--rules-path`` folders unless ``--no-plugins``. A pack that
    cannot be used is one line and exit 2 (``--debug``: its traceback)."""
    from auditor.packs import PackError, load_registry

    if getattr(args, "registry", None) is None:
        try:
            args.registry = load_registry(getattr(args, "rules_path", []),
                                          plugins=not getattr(args, "no_plugins", False))
        except PackError as exc:
            raise UsageError(str(exc)) from exc
    return args.registry


def _selected_rules(args: argparse.Namespace):
    registry = _registry(args)
    try:
        return select_rules(list(registry.rules), args.rules, args.skip_rules,
                            registry.retired)
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


def _delivery(args: argparse.Namespace) -> Delivery:
    """Clients for the sinks and for s3:// inputs: the scan's profile and endpoint. Made
    once per run, and only when something is read from or written to S3 or Security Hub."""
    if getattr(args, "delivery", None) is None:
        args.delivery = Delivery(getattr(args, "profile", None),
                                 getattr(args, "endpoint_url", None))
    return args.delivery


def _document(location: str, args: argparse.Namespace) -> dict:
    """A findings document from a path or S3; an S3 latest.json pointer is followed."""
    from auditor.merge import MergeError, parse_document
    from auditor.publish.s3 import followed

    text = read_text(location, lambda: _delivery(args))
    try:
        target = followed(json.loads(text))
    except json.JSONDecodeError:
        target = None
    if target:
        location, text = target, read_text(target, lambda: _delivery(args))
    try:
        return parse_document(text, location)
    except MergeError as exc:
        raise UsageError(str(exc)) from exc


def _writable(path: str | None, what: str) -> None:
    """A local output path that can be written: not a directory, in a folder that exists."""
    import os

    from auditor.publish.s3 import is_s3

    if not path or is_s3(path):
        return
    if os.path.isdir(path):
        raise UsageError(f"{what} {path} is a directory: give a file name, such as "
                         f"{os.path.join(path, 'report.json')}")
    if os.path.exists(path) and not os.path.isfile(path):
        return  # /dev/stdout, a FIFO: written in place
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {what} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write {what} {path}: {folder} is not writable")


def preflight(args: argparse.Namespace) -> None:
    """What can be checked before the first AWS call, checked: the output path, the
    baseline (read and parsed now, used at the end), and the sinks the command allows. A
    collect of an organisation can take an hour; a typo must not wait for it."""
    _writable(getattr(args, "output", None), "--output")
    if getattr(args, "format_from_extension", False) and not args.quiet:
        _say(args, f"writing {args.format} (from the extension of {args.output}; "
                   f"--format overrides)")
    baseline = getattr(args, "baseline", None)
    if baseline and getattr(args, "baseline_document", None) is None:
        from auditor.publish import s3

        try:
            args.baseline_document = _document(baseline, args)
        except s3.NoSuchObject:
            if not baseline.endswith("/" + s3.POINTER):
                raise
            args.baseline_document = {}  # the nightly job's first run: no earlier scan


def _local_only(args: argparse.Namespace) -> None:
    """The demo never talks to real AWS: no Security Hub, no S3."""
    from auditor.publish.s3 import is_s3

    if args.publish:
        raise UsageError("the demo never talks to real AWS: --publish is refused (write "
                         "the report to a file with -o, or publish a real scan)")
    for option, value in (("--output", args.output), ("--baseline", args.baseline),
                          ("--config", args.config)):
        if value and is_s3(value):
            raise UsageError(f"the demo never talks to real AWS: {option} {value} is "
                             f"refused; use a local file")


def deliver(report: Report, args: argparse.Namespace) -> int:
    """Write the report where --output says, publish it, and return the exit code. A sink
    that fails does not stop the others; the run then exits 3 (a scheduler must see it)."""
    from auditor.publish import s3, securityhub

    baseline = getattr(args, "baseline", None)
    if baseline:
        preflight(args)  # read once, before the scan's first call (a no-op by now)
        if args.baseline_document:
            report = mark(report, args.baseline_document)
        else:
            # The first run of a nightly job: no earlier scan, so every failure is new.
            _say(args, f"no baseline yet at {baseline}: every failure counts as new")
    pieces = chunked(args.format, table_options(args))(report)
    failures = []
    if s3.is_s3(args.output):
        try:
            uri = s3.write(_delivery(args), args.output, report, args.format, pieces)
            _say(args, f"report written to {uri}")
        except (DeliveryError, ValueError) as exc:
            failures.append(str(exc))
    else:
        write_output(pieces, args.output)
    for sink in getattr(args, "publish", []):
        if sink == "securityhub":
            try:
                done = securityhub.publish(_delivery(args), report, args.securityhub_region)
                _say(args, f"Security Hub ({done.region}): {done.imported} findings imported, "
                           f"{done.archived} of them archived")
            except DeliveryError as exc:
                failures.append(str(exc))
    for failure in failures:
        print(f"edge-audit: error: delivery failed: {failure}", file=sys.stderr)
    return EXIT_INCOMPLETE if failures else exit_code(report, args.fail_on)


def table_options(args: argparse.Namespace):
    from auditor.report.table import TableOptions

    return TableOptions.for_terminal(show_suppressed=getattr(args, "show_suppressed", False),
                                     group_by=getattr(args, "group_by", None) or "path")


def _say(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(f"edge-audit: {message}", file=sys.stderr)


def _config(args: argparse.Namespace):
    rules = list(_registry(args).rules)  # parameters validated from every pack's defaults
    location = getattr(args, "config", None)
    try:
        if location and location.startswith("s3://"):
            config = parse_config(read_text(location, lambda: _delivery(args)), rules,
                                  location)
        else:
            config = load_config(location, rules)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    for warning in config.warnings:
        _say(args, f"warning: {warning}")
    return config


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
                               keys, _registry(args).facets)
        finally:
            progress.close()
    except ValueError as exc:  # botocore rejects a malformed endpoint URL this way
        raise UsageError(str(exc)) from exc


def cmd_scan(args: argparse.Namespace) -> int:
    rules, config = _selected_rules(args), _config(args)
    preflight(args)
    params, suppressions = config.rule_params, config.suppressions
    collection, secrets = _collect(args, params, rules, tag_keys(suppressions))
    report = evaluate(collection, rules, params, secrets, suppressions)
    del collection  # the report holds what it needs; the inventory can go before rendering
    return deliver(report, args)


def cmd_collect(args: argparse.Namespace) -> int:
    from auditor.snapshot import dumps

    if args.output.startswith("s3://"):
        raise UsageError("collect writes a local snapshot file; copy it to S3 afterwards")
    _writable(args.output, "--output")
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
    preflight(args)
    try:
        with open(args.snapshot, encoding="utf-8") as handle:
            text = handle.read()
        collection = loads(text)
    except OSError as exc:
        raise UsageError(f"cannot read {args.snapshot}: {exc.strerror or exc}") from exc
    except SnapshotError as exc:
        raise UsageError(f"{args.snapshot}: {exc}{_what_evaluate_wants(text)}") from exc
    report = evaluate(collection, rules, config.rule_params, suppressions=config.suppressions)
    return deliver(report, args)


def cmd_merge(args: argparse.Namespace) -> int:
    from auditor.merge import MergeError, load, merge, merge_warnings
    from auditor.report.json_report import report_from_document

    _writable(args.output, "--output")
    try:
        docs = [load(path) for path in args.reports]
        for warning in merge_warnings(docs, list(args.reports)):
            _say(args, f"warning: {warning}")
        doc = merge(docs)
    except MergeError as exc:
        raise UsageError(str(exc)) from exc
    report = report_from_document(doc)
    return deliver(report, args)


def cmd_demo(args: argparse.Namespace) -> int:
    from auditor.demo import run_demo
    from auditor.demo.server import DemoUnavailable

    _local_only(args)
    if args.serve:
        return _serve_demo(args)
    rules, config = _selected_rules(args), _config(args)
    preflight(args)
    try:
        report = run_demo(rules, config.rule_params, config.suppressions,
                          _registry(args).facets)
    except DemoUnavailable as exc:
        raise UsageError(str(exc)) from exc
    return deliver(report, args)


def _serve_demo(args: argparse.Namespace) -> int:
    import threading

    from auditor.demo import DEMO_EDGE_ACCOUNT, DEMO_REGIONS, DEMO_WORKLOAD_ACCOUNT, serve_demo
    from auditor.demo.server import DemoUnavailable

    def announce(endpoint: str) -> None:
        regions = " ".join(f"--region {r}" for r in DEMO_REGIONS)
        print(f"The fake account is at {endpoint} (Ctrl-C stops it). In another terminal:\n"
              f"  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing\n"
              f"  edge-audit scan --endpoint-url {endpoint} {regions} \\\n"
              f"      --accounts {DEMO_WORKLOAD_ACCOUNT},{DEMO_EDGE_ACCOUNT}\n"
              f"(the second account holds one app's CloudFront, reached through its "
              f"EdgeAuditorRole)", flush=True)

    try:
        serve_demo(args.port, announce, threading.Event().wait)
    except DemoUnavailable as exc:
        raise UsageError(str(exc)) from exc
    except OSError as exc:  # the port is taken
        raise UsageError(f"cannot serve on 127.0.0.1:{args.port}: {exc.strerror or exc}; "
                         "choose another with --port") from exc
    return EXIT_OK


def _what_evaluate_wants(text: str) -> str:
    """The hint after a snapshot that is not one: a findings report is the usual mistake."""
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if isinstance(document, dict) and "results" in document and "schema_version" in document:
        return (": this is a findings report (scan --format json); evaluate reads a "
                "snapshot, written by `edge-audit collect -o snapshot.json`")
    return ("; evaluate reads a snapshot written by `edge-audit collect -o snapshot.json`")


def cmd_diff(args: argparse.Namespace) -> int:
    from auditor.baseline import diff
    from auditor.report.diff import render

    _writable(args.output, "--output")
    old, new = _document(args.old, args), _document(args.new, args)
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

    from auditor.rules import CATALOG_VERSION

    if args.check_pack:
        return _check_pack(args)
    registry = _registry(args)
    retired = [{"id": r.id, "slug": r.slug, "retired_in": r.retired_in,
                "replaced_by": r.replaced_by, "why": r.why} for r in registry.retired]
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
                "pack": r.pack.as_dict() if r.pack else None,
            }
            for r in registry.rules
        ]
        packs = [{**p.ref.as_dict(), "origin": p.origin, "rules": len(p.rules),
                  "facets": [f.name for f in p.facets]} for p in registry.packs]
        document = {"catalog_version": CATALOG_VERSION, "rules": rows, "retired": retired,
                    "packs": packs}
        write_output(json.dumps(document, indent=2) + "\n", None)
    else:
        rows = [[r.id, r.slug, r.severity.value, r.title, r.cites,
                 r.pack.name if r.pack else ""] for r in registry.rules]
        gone = [[r["id"], r["slug"], r["retired_in"], r["replaced_by"]] for r in retired]
        plugins = "".join(f"  {p.ref.name} {p.ref.version or ''}: {len(p.rules)} rule(s) "
                          f"from {p.origin}\n" for p in registry.plugins)
        write_output(
            f"Catalogue {CATALOG_VERSION}: {len(rows)} rules"
            + (f", {len(registry.rules) - len(registry.packs[0].rules)} of them from rule "
               f"packs:\n{plugins}" if registry.plugins else "") + "\n\n"
            + tabulate(rows, headers=["id", "slug", "severity", "title", "cites", "pack"])
            + "\n\nRetired (never reused)\n\n"
            + tabulate(gone, headers=["id", "slug", "retired in", "replaced by"]) + "\n",
            None)
    return EXIT_OK


def _check_pack(args: argparse.Namespace) -> int:
    """``rules --check-pack PATH``: load PATH as a pack beside the built-in one (ids
    checked against it), then run its declared cases."""
    from auditor.packs import PackError, check_pack

    try:
        outcome = check_pack(args.check_pack)
    except PackError as exc:
        raise UsageError(str(exc)) from exc
    write_output(outcome.render(), None)
    return EXIT_OK if outcome.passed else EXIT_FAIL


def cmd_explain(args: argparse.Namespace) -> int:
    """``edge-audit explain RULE-ID...``: a rule's card, from the registry (packs too)."""
    registry = _registry(args)
    by_id = {r.id: r for r in registry.rules}
    retired = {r.id: r for r in registry.retired}
    cards = []
    for wanted in args.rule_ids:
        key = wanted.strip().upper()
        if key in retired:
            raise UsageError(retired[key].notice())
        rule = by_id.get(key)
        if rule is None:
            close = sorted(i for i in by_id if i.split("-")[0] == key.split("-")[0])[:6]
            raise UsageError(f"unknown rule id {wanted!r}"
                             + (f"; that area has {', '.join(close)}" if close else
                                "; `edge-audit rules` lists them"))
        params = "".join(f"\n  {k} = {v!r}" for k, v in rule.params.items())
        pack = f"{rule.pack.name} {rule.pack.version or ''}".strip() if rule.pack else "?"
        cards.append(
            f"{rule.id} {rule.slug} ({rule.severity.value}): {rule.title}\n"
            f"Recommendation ({rule.cites}): {rule.recommendation}\n"
            f"Why it matters: {rule.rationale}\n"
            f"How to fix it: {rule.remediation}\n"
            + (f"Parameters (--config [rules.{rule.id}]):{params}\n" if params else "")
            + f"Rule pack: {pack}\n")
    write_output("\n".join(cards), None)
    return EXIT_OK


def cmd_iac(args: argparse.Namespace) -> int:
    from auditor.iac.command import run_iac

    return run_iac(args)


def cmd_schema(_: argparse.Namespace) -> int:
    from auditor.report.json_report import schema

    write_output(json.dumps(schema(), indent=2) + "\n", None)
    return EXIT_OK


def iam_policy() -> dict:
    return json.loads(
        resources.files("auditor.data").joinpath("iam-policy.json").read_text("utf-8")
    )


def with_pack_actions(policy: dict, registry) -> dict:
    """The shipped policy plus one statement for the loaded packs' facets (reads only:
    auditor.facets refuses any other action)."""
    from auditor.facets import facet_actions

    actions = facet_actions(registry.facets)
    if not actions:
        return policy
    statement = {"Sid": "EdgeAuditorRulePackFacets", "Effect": "Allow", "Action": actions,
                 "Resource": "*"}
    return {**policy, "Statement": [*policy["Statement"], statement]}


def cmd_fix(args: argparse.Namespace) -> int:
    """``edge-audit fix REPORT.json``: the plan for its failures (auditor.fix)."""
    from auditor.fix.command import write_plan

    return write_plan(args)


def cmd_iam_policy(args: argparse.Namespace) -> int:
    policy = with_pack_actions(iam_policy(), _registry(args))
    write_output(json.dumps(policy, indent=2) + "\n", None)
    return EXIT_OK


COMMANDS = {
    "scan": cmd_scan,
    "collect": cmd_collect,
    "evaluate": cmd_evaluate,
    "merge": cmd_merge,
    "diff": cmd_diff,
    "demo": cmd_demo,
    "iac": cmd_iac,
    "rules": cmd_rules,
    "explain": cmd_explain,
    "fix": cmd_fix,
    "schema": cmd_schema,
    "iam-policy": cmd_iam_policy,
}


def run(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
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
    except DeliveryError as exc:  # an s3:// --config or --baseline that cannot be read
        from auditor.publish.s3 import NoSuchObject

        print(f"edge-audit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, NoSuchObject) else EXIT_INCOMPLETE
    except (IdentityError, NoCredentialsError, BotoCoreError) as exc:
        if args.debug:
            raise
        configuration = isinstance(exc, NoCredentialsError) or (
            isinstance(exc, IdentityError) and exc.is_configuration
        )
        code = EXIT_USAGE if configuration else EXIT_INCOMPLETE
        print(f"edge-audit: error: the scan could not run: {exc}"
              + (_credentials_hint(args) if configuration else ""), file=sys.stderr)
        return code


def _credentials_hint(args: argparse.Namespace) -> str:
    import os

    endpoint = getattr(args, "endpoint_url", None) or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        return (f". An endpoint ({endpoint}) still needs credentials: moto and LocalStack "
                "take any, e.g. AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing")
    return (". Give a profile with --profile NAME (see `aws configure list-profiles`), or "
            "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; `aws sts get-caller-identity` "
            "shows what the scan will use")


def main() -> None:
    fewer_malloc_arenas()
    sys.exit(run())
