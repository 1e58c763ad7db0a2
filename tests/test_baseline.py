"""Baselines: ``edge-audit diff`` and ``scan --baseline``, keyed by (rule, account, ARN)."""

from __future__ import annotations

import copy
import json

import pytest

from auditor.baseline import diff
from auditor.cli import run
from auditor.report.json_report import validate


@pytest.fixture(scope="module")
def demo_doc(tmp_path_factory):
    path = tmp_path_factory.mktemp("baseline") / "demo.json"
    assert run(["--quiet", "demo", "--format", "json", "-o", str(path)]) == 0
    return json.loads(path.read_text())


def _write(tmp_path, name, doc):
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return str(path)


def _first(doc, status="fail", severity=None):
    return next(r for r in doc["results"] if r["status"] == status
                and (severity is None or r["severity"] == severity))


def test_the_demo_account_is_the_same_every_run(demo_doc, tmp_path):
    """Its ids come from a seeded random source, so demo reports baseline each other."""
    again = tmp_path / "again.json"
    assert run(["--quiet", "demo", "--format", "json", "-o", str(again)]) == 0
    keys = lambda doc: sorted((r["rule_id"], r["resource"]["arn"], r["status"])  # noqa: E731
                              for r in doc["results"])
    assert keys(json.loads(again.read_text())) == keys(demo_doc)


def test_the_same_report_twice_is_all_unchanged(demo_doc):
    changes = diff(demo_doc, demo_doc)
    failing = [r for r in demo_doc["results"] if r["status"] == "fail"]
    assert len(changes.unchanged) == len(failing) > 0
    assert changes.new == changes.resolved == changes.unverified == ()


def test_new_resolved_and_unverified_are_told_apart(demo_doc):
    old, new = copy.deepcopy(demo_doc), copy.deepcopy(demo_doc)
    appeared = _first(new, severity="critical")
    old_copy = next(r for r in old["results"] if r["resource"] == appeared["resource"]
                    and r["rule_id"] == appeared["rule_id"])
    old_copy["status"] = "pass"                    # it failed only in the new scan: new
    fixed = [r for r in new["results"] if r["status"] == "fail"][-1]
    fixed["status"] = "pass"                       # it passes now: resolved
    blind = [r for r in new["results"] if r["status"] == "fail"][-1]
    blind["status"] = "error"                      # the new scan could not see it: unverified
    gone = [r for r in new["results"] if r["status"] == "fail"][-1]
    new["results"].remove(gone)                    # not found where the scan looked: resolved
    changes = diff(old, new)
    key = lambda r: (r["rule_id"], r["resource"]["arn"])  # noqa: E731
    assert [key(r) for r in changes.new] == [key(appeared)]
    assert {key(r) for r in changes.resolved} == {key(fixed), key(gone)}
    assert [key(r) for r in changes.unverified] == [key(blind)]


def test_an_old_failure_outside_the_new_scope_is_unverified_not_resolved(demo_doc):
    new = copy.deepcopy(demo_doc)
    new["scan"]["regions"] = ["us-east-1"]
    new["results"] = [r for r in new["results"] if r["region"] != "eu-west-1"]
    changes = diff(demo_doc, new)
    assert changes.unverified and all(r["region"] == "eu-west-1" for r in changes.unverified)
    assert not changes.resolved


def test_diff_command_lists_changes_and_fails_on_new_high(demo_doc, tmp_path, capsys):
    old = copy.deepcopy(demo_doc)
    high = _first(old, severity="high")
    high["status"] = "pass"
    old_path, new_path = _write(tmp_path, "old.json", old), _write(tmp_path, "new.json", demo_doc)
    assert run(["diff", old_path, new_path]) == 1
    text = capsys.readouterr().out
    assert "New failures: 1" in text and high["rule_id"] in text
    assert run(["diff", old_path, new_path, "--fail-on", "critical"]) == 0
    capsys.readouterr()
    assert run(["diff", new_path, old_path, "--format", "json"]) == 0  # the other way round
    reverse = json.loads(capsys.readouterr().out)
    assert reverse["new"] == [] and [r["rule_id"] for r in reverse["resolved"]] == [
        high["rule_id"]]


def test_diff_json_names_both_scans(demo_doc, tmp_path, capsys):
    path = _write(tmp_path, "r.json", demo_doc)
    capsys.readouterr()
    assert run(["diff", path, path, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["old_scan"] == doc["new_scan"] == demo_doc["scan"]["id"]
    assert doc["new"] == [] and len(doc["unchanged"]) > 0


def test_diff_refuses_a_file_that_is_not_a_report(tmp_path, demo_doc):
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"results": []}')
    assert run(["diff", str(bogus), _write(tmp_path, "r.json", demo_doc)]) == 2


def test_scan_with_baseline_fails_only_on_new_failures(demo_doc, tmp_path):
    base = _write(tmp_path, "base.json", demo_doc)
    out = tmp_path / "again.json"
    assert run(["--quiet", "demo", "--fail-on", "high", "--baseline", base,
                "--format", "json", "-o", str(out)]) == 0
    again = json.loads(out.read_text())
    validate(again)
    failing = [r for r in again["results"] if r["status"] == "fail"]
    assert failing and {r["baseline"] for r in failing} == {"unchanged"}
    assert again["scan"]["baseline"]["new"] == 0
    assert again["scan"]["baseline"]["scan_id"] == demo_doc["scan"]["id"]


def test_scan_with_baseline_fails_when_a_high_failure_is_new(demo_doc, tmp_path):
    older = copy.deepcopy(demo_doc)
    high = _first(older, severity="high")
    older["results"].remove(high)
    base = _write(tmp_path, "base.json", older)
    out = tmp_path / "again.json"
    assert run(["--quiet", "demo", "--fail-on", "high", "--baseline", base,
                "--format", "json", "-o", str(out)]) == 1
    again = json.loads(out.read_text())
    new = [r for r in again["results"] if r.get("baseline") == "new"]
    assert [(r["rule_id"], r["resource"]["name"]) for r in new] == [
        (high["rule_id"], high["resource"]["name"])]
    # the same scan with a higher bar passes: the new failure is below it
    assert run(["--quiet", "demo", "--fail-on", "critical", "--baseline", base,
                "-o", str(tmp_path / "t.txt")]) == 0
    assert "1 new" in (tmp_path / "t.txt").read_text()
