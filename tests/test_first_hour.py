"""The first hour of a new user (issue 13): each defect seen from a fresh clone, as a test
that failed before its fix; and the table that fits the terminal and leads with verdicts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from auditor import cli
from auditor.report.table import TableOptions, render

UNREACHABLE = "http://127.0.0.1:9"  # nothing listens: a call would fail after retries


def run(capsys, *argv):
    code = cli.run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def demo_report():
    from auditor.demo import run_demo
    from auditor.packs import load_registry

    return run_demo(load_registry(plugins=False).rules)


# ------------------------------------------------------------------ defects 2 and 3

@pytest.mark.parametrize("argv, words", [
    (["scan", "-o", "/no/such/dir/x.json"], ["/no/such/dir", "does not exist"]),
    (["scan", "--baseline", "/no/such.json"], ["/no/such.json"]),
    (["scan", "--config", "/no/such.toml"], ["/no/such.toml"]),
    (["collect", "-o", "/no/such/dir/snap.json"], ["does not exist"]),
])
def test_bad_outputs_and_inputs_fail_before_the_first_call(capsys, argv, words):
    code, _, err = run(capsys, *argv, "--endpoint-url", UNREACHABLE)
    assert code == 2 and all(w in err for w in words), err
    assert "could not run" not in err and "Connect" not in err  # no call was tried


def test_an_output_that_is_a_directory_is_one_line_and_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "demo", "--format", "json", "--output", f"{tmp_path}/")
    assert code == 2 and "is a directory" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "scan", "-o", str(tmp_path), "--endpoint-url", UNREACHABLE)
    assert code == 2 and "is a directory" in err


# ------------------------------------------------------------------ defect 4

def test_the_demo_without_moto_says_how_to_install_it(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "moto.moto_server.werkzeug_app", None)
    code, _, err = run(capsys, "demo")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "pip install '.[demo]'" in err and "Traceback" not in err


# ------------------------------------------------------------------ defect 5

def test_global_flags_work_before_and_after_the_subcommand():
    from auditor.arguments import parse

    after = parse(["demo", "--quiet"], environ={})
    before = parse(["--quiet", "demo"], environ={})
    assert after.quiet and before.quiet and not after.debug
    assert parse(["scan", "--debug", "-v"], environ={}).debug
    assert parse(["--debug", "scan"], environ={}).debug  # not reset by the subcommand
    assert not parse(["scan"], environ={}).verbose


# ------------------------------------------------------------------ defect 6

@pytest.mark.parametrize("name, start", [("report.html", "<!doctype html>"),
                                         ("report.json", "{"), ("report.csv", "rule_id,")])
def test_the_output_extension_chooses_the_format(capsys, tmp_path, name, start):
    out = tmp_path / name
    code, _, err = run(capsys, "demo", "--rules", "BYP-001", "-o", str(out))
    assert code == 0 and out.read_text().startswith(start)
    assert f"writing {name.split('.')[1]} (from the extension" in err


def test_format_wins_over_the_extension(capsys, tmp_path):
    out = tmp_path / "report.html"
    code, _, err = run(capsys, "demo", "--rules", "BYP-001", "--format", "json", "-o", str(out))
    assert code == 0 and json.loads(out.read_text())["results"] and "extension" not in err


# ------------------------------------------------------------------ defect 7

def test_a_scan_that_finds_nothing_of_the_pattern_says_so(capsys, moto_session):
    code, out, _ = run(capsys, "scan", "--region", "eu-west-1", "--pacing", "off")
    assert code == 0
    assert "Nothing of the pattern here" in out and "eu-west-1" in out
    assert "--all-regions" in out and "No failing results." in out


# ------------------------------------------------------------------ defect 8

def _report(capsys, tmp_path, name: str) -> str:
    out = tmp_path / name
    assert run(capsys, "demo", "--rules", "HC-001", "--format", "json", "-o", str(out))[0] == 0
    return str(out)


def test_merge_refuses_the_same_scan_twice_and_warns_on_versions(capsys, tmp_path):
    one = _report(capsys, tmp_path, "a.json")
    code, _, err = run(capsys, "merge", one, one)
    assert code == 2 and "same scan" in err
    other = tmp_path / "old.json"
    doc = json.loads(Path(one).read_text())
    doc["scan"]["id"], doc["tool"]["version"] = "00000000-0000-4000-8000-000000000000", "0.3.0"
    other.write_text(json.dumps(doc))
    code, _, err = run(capsys, "merge", one, str(other))
    assert code in (0, 1) and "different versions" in err and "0.3.0" in err


# ------------------------------------------------------------------ defect 9

def test_only_suppressed_failures_are_counted_and_listed_on_demand(capsys, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # rows on one line each
    config = tmp_path / "c.toml"
    config.write_text('[[suppressions]]\nrule = "TG-002"\nresource = "*"\n'
                      'reason = "accepted until the alias rollout"\nexpires = 2099-01-01\n')
    code, out, _ = run(capsys, "demo", "--rules", "TG-002", "--config", str(config))
    assert code == 0 and "No failing results." in out
    assert "suppressed failure(s): list them with --show-suppressed" in out
    code, out, _ = run(capsys, "demo", "--rules", "TG-002", "--config", str(config),
                       "--show-suppressed")
    assert "SUPPR" in out and "TG-002" in out and "suppressed until 2099-01-01" in out


# ------------------------------------------------------------------ defect 10

@pytest.mark.parametrize("fmt", ["html", "csv", "asff"])
def test_rules_refuses_formats_it_cannot_write(capsys, fmt):
    with pytest.raises(SystemExit) as exited:
        cli.run(["rules", "--format", fmt])
    assert exited.value.code == 2 and "invalid choice" in capsys.readouterr().err


# ------------------------------------------------------------------ defect 11

@pytest.mark.parametrize("argv", [["--publish", "securityhub"], ["-o", "s3://bucket/x/"],
                                  ["--baseline", "s3://bucket/latest.json"]])
def test_the_demo_refuses_sinks_that_are_not_local(capsys, argv):
    code, _, err = run(capsys, "demo", *argv)
    assert code == 2 and "never talks to real AWS" in err


# ------------------------------------------------------------------ defect 12

def test_evaluate_of_a_findings_report_says_what_it_wants(capsys, tmp_path):
    report = _report(capsys, tmp_path, "r.json")
    code, _, err = run(capsys, "evaluate", report)
    assert code == 2 and "this is a findings report" in err
    assert "edge-audit collect -o snapshot.json" in err


@pytest.fixture
def no_credentials(monkeypatch, tmp_path):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_no_credentials_mentions_profile(capsys, no_credentials):
    code, _, err = run(capsys, "scan")
    assert code == 2 and "--profile" in err and "aws sts get-caller-identity" in err


def test_no_credentials_with_an_endpoint_mentions_dummy_keys(capsys, no_credentials):
    code, _, err = run(capsys, "scan", "--endpoint-url", UNREACHABLE)
    assert code == 2 and "AWS_ACCESS_KEY_ID=testing" in err


# ------------------------------------------------------------------ the table

@pytest.mark.parametrize("width", [80, 100, 200])
def test_the_table_fits_the_terminal_and_leads_with_verdicts(demo_report, width):
    text = render(demo_report, TableOptions(width=width))
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    assert lines[0].startswith("Can the functions be reached around CloudFront?")
    verdicts = "\n".join(lines[:20])
    assert "legacy-alb" in verdicts and "YES, around CloudFront by: header check" in verdicts
    assert "no CloudFront -> tools-alb" in verdicts
    [header, *_] = [line for line in lines if line.startswith("severity ")]
    assert header.split()[:4] == ["severity", "rule", "resource", "account"]  # two accounts


def test_the_table_names_cloudfront_by_domain_groups_and_ends_with_next_steps(demo_report):
    by_path = render(demo_report, TableOptions(width=160))
    distribution_ids = {r.resource.name for r in demo_report.results
                        if r.resource.type == "AWS::CloudFront::Distribution"}
    assert distribution_ids and not any(i in by_path for i in distribution_ids)
    assert ".cloudfront.net -> legacy-alb" in by_path
    assert "advice (info)" in by_path and "edge-audit explain" in by_path
    assert "--format html -o report.html" in by_path
    by_severity = render(demo_report, TableOptions(width=160, group_by="severity"))
    assert "== CRITICAL (1)" in by_severity and "== HIGH (" in by_severity
    by_rule = render(demo_report, TableOptions(width=160, group_by="rule"))
    assert "== BYP-001 Fronted ALB reachable from the whole internet (1)" in by_rule


def test_columns_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("COLUMNS", "83")
    assert TableOptions.for_terminal().width == 83


def test_the_json_carries_each_paths_exposure(capsys, tmp_path):
    out = tmp_path / "r.json"
    run(capsys, "demo", "--format", "json", "-o", str(out))
    paths = {p["alb"]["name"]: p["exposure"] for p in json.loads(out.read_text())["paths"]}
    assert paths["shop-alb"]["verdict"] == "no"
    assert paths["legacy-alb"]["verdict"] == "yes"
    assert {d["door"] for d in paths["legacy-alb"]["doors"]} == {
        "header check", "function URL", "security group"}
    assert paths["tools-alb"]["doors"] == [{"door": "no CloudFront", "rules": ["BYP-005"]}]


def test_an_exposure_is_unknown_when_its_door_rules_did_not_run(capsys, tmp_path):
    out = tmp_path / "r.json"
    run(capsys, "demo", "--rules", "HC-001", "--format", "json", "-o", str(out))
    exposures = [p["exposure"] for p in json.loads(out.read_text())["paths"]]
    assert {e["verdict"] for e in exposures} == {"unknown"}
    assert "BYP-003" in exposures[0]["unknown"]


# ------------------------------------------------------------------ explain

def test_explain_prints_a_rules_card(capsys):
    code, out, _ = run(capsys, "explain", "byp-003")
    assert code == 0 and out.startswith("BYP-003 origin-header-not-enforced (high)")
    for part in ("Why it matters:", "How to fix it:", "rec. 3", "Rule pack: edge-auditor"):
        assert part in out
    code, out, _ = run(capsys, "explain", "HC-001")
    assert "min_interval_seconds = 60" in out


@pytest.mark.parametrize("rule_id, words", [("BYP-099", ["unknown rule id", "BYP-001"]),
                                            ("LIM-003", ["retired", "LMB-002"])])
def test_explain_of_an_unknown_or_retired_id(capsys, rule_id, words):
    code, _, err = run(capsys, "explain", rule_id)
    assert code == 2 and all(w in err for w in words)


def test_demo_serve_is_a_fake_account_the_real_scan_command_reads(tmp_path):
    """The README's rehearsal, as written: `demo --serve`, then `scan --endpoint-url` with
    dummy keys, in another process."""
    import os
    import subprocess

    server = subprocess.Popen([sys.executable, "-m", "auditor", "demo", "--serve", "--port",
                               "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=tmp_path)
    try:
        first = server.stdout.readline()
        assert first.startswith("The fake account is at http://127.0.0.1:"), (
            first + server.stderr.read() if server.poll() is not None else first)
        endpoint = first.split(" is at ")[1].split()[0]
        lines = [server.stdout.readline() for _ in range(4)]
        assert "--accounts 123456789012,210987654321" in "".join(lines)
        env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": "testing", "COLUMNS": "120"}
        scan = subprocess.run(
            [sys.executable, "-m", "auditor", "scan", "--endpoint-url", endpoint, "--region",
             "us-east-1", "--region", "eu-west-1", "--accounts",
             "123456789012,210987654321"], capture_output=True, text=True, env=env,
            timeout=300, cwd=tmp_path)
        assert scan.returncode == 1, scan.stderr  # the demo's failures, at high and above
        assert scan.stdout.startswith("Can the functions be reached around CloudFront? (6")
    finally:
        server.terminate()
        server.wait(timeout=30)
