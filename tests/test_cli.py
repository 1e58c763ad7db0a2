"""The command line contract: subcommands, exit codes, one-line usage errors."""

from __future__ import annotations

import json
import os

import jsonschema
import pytest

from auditor import cli
from auditor.findings import Severity, Status
from auditor.inventory import ResourceRef
from auditor.scan import Report, ScanInfo, now
from tests.scenario import ACCOUNT


def run(capsys, *argv):
    code = cli.run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_rules_lists_the_catalogue(capsys):
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "BYP-001" in out and "APIGW-001" in out
    assert "Retired" in out and "LIM-003" in out.split("Retired")[1]
    assert "LIM-003" not in out.split("Retired")[0]
    code, out, _ = run(capsys, "rules", "--format", "json")
    doc = json.loads(out)
    assert doc["catalog_version"] == "1.1" and len(doc["rules"]) == 62
    assert [r["id"] for r in doc["retired"]] == ["LIM-003"]
    assert doc["retired"][0]["replaced_by"] == "LMB-002"
    assert "LIM-003" not in {r["id"] for r in doc["rules"]}


def test_a_retired_rule_id_is_a_usage_error_naming_its_replacement(capsys):
    code, _, err = run(capsys, "demo", "--rules", "LIM-003")
    assert code == 2 and "retired" in err and "LMB-002" in err


def test_a_config_naming_a_retired_rule_warns_and_still_runs(capsys, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[rules.LIM-003]\nwindow_days = 7\n\n[[suppressions]]\n'
                      'rule = "LIM-003"\nresource = "*"\nreason = "old"\n'
                      'expires = 2099-01-01\n')
    code, _, err = run(capsys, "demo", "--rules", "HC-001", "--config", str(config))
    assert code in (0, 1)
    assert err.count("LMB-002") == 2 and "rules.LIM-003 ignored" in err
    assert "suppressions.0 ignored" in err


def test_schema_is_a_valid_schema(capsys):
    code, out, _ = run(capsys, "schema")
    jsonschema.Draft202012Validator.check_schema(json.loads(out))
    assert code == 0


def test_iam_policy_prints(capsys):
    code, out, _ = run(capsys, "iam-policy")
    assert code == 0 and json.loads(out)["Version"] == "2012-10-17"


@pytest.mark.parametrize(
    "argv, words",
    [
        (["scan", "--rules", "XYZ-999"], "unknown rule"),
        (["scan", "--region", "mars"], "not a region"),
    (["scan", "--region", "xx-nowhere-9"], "unknown region"),
    (["scan", "--timeout", "0"], "--timeout"),
    (["scan", "--shard", "5/4"], "shard"),
        (["scan", "--profile", "no-such-profile"], "no-such-profile"),
        (["scan", "--endpoint-url", "not a url", "--region", "us-east-1"], "endpoint"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(capsys, monkeypatch, tmp_path, argv, words):
    config = tmp_path / "config"
    config.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(config))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert words.lower() in err.lower()
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_unwritable_output_is_exit_2(tmp_path):
    with pytest.raises(cli.UsageError):
        cli.write_output("x", str(tmp_path / "missing-dir" / "out.json"))


def test_output_is_written_atomically(tmp_path):
    target = tmp_path / "out.json"
    cli.write_output("{}", str(target))
    assert target.read_text() == "{}"
    assert os.listdir(tmp_path) == ["out.json"]


def test_output_into_a_fifo_writes_into_it_and_keeps_the_node(tmp_path):
    """Renaming over /dev/null or a FIFO would replace the node with a regular file."""
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    cli.write_output(["{", "}"], str(fifo))
    reader.join(timeout=10)
    assert received == ["{}"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


def _report(*statuses_and_severities) -> Report:
    from auditor.findings import Result

    ref = ResourceRef("arn:aws:x", "AWS::X::Y", "n", ACCOUNT, "us-east-1")
    results = tuple(
        Result(f"BYP-00{i}", "s", "t", sev, status, ref, "m", {}, "r", "r")
        for i, (status, sev) in enumerate(statuses_and_severities, 1)
    )
    info = ScanInfo("id", now(), now(), (ACCOUNT,), ("us-east-1",), 0, 0, (), ())
    return Report(info, results)


@pytest.mark.parametrize(
    "results, fail_on, expected",
    [
        ([], "high", 0),
        ([(Status.FAIL, Severity.HIGH)], "high", 1),
        ([(Status.FAIL, Severity.CRITICAL)], "high", 1),
        ([(Status.FAIL, Severity.MEDIUM)], "high", 0),
        ([(Status.FAIL, Severity.LOW)], "low", 1),
        ([(Status.FAIL, Severity.CRITICAL)], "none", 0),
        ([(Status.PASS, Severity.CRITICAL)], "info", 0),
        ([(Status.FAIL, Severity.CRITICAL), (Status.ERROR, Severity.INFO)], "high", 3),
        ([(Status.ERROR, Severity.INFO)], "none", 3),
    ],
)
def test_exit_codes(results, fail_on, expected):
    assert cli.exit_code(_report(*results), fail_on) == expected


def test_bad_config_is_exit_2_naming_rule_and_key(capsys, tmp_path):
    config = tmp_path / "edge.toml"
    config.write_text("[rules.HC-001]\nmin_intervall = 5\n")
    code, _, err = run(capsys, "demo", "--config", str(config))
    assert code == 2 and "rules.HC-001" in err and "min_intervall" in err
    assert len(err.strip().splitlines()) == 1


def test_evaluate_rejects_what_is_not_a_snapshot(capsys, tmp_path):
    bogus = tmp_path / "findings.json"
    bogus.write_text('{"schema_version": "1.0"}')
    code, _, err = run(capsys, "evaluate", str(bogus))
    assert code == 2 and "snapshot" in err
    code, _, err = run(capsys, "evaluate", str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read" in err


def test_config_changes_the_demo_verdict(capsys, tmp_path):
    config = tmp_path / "edge.toml"
    config.write_text("[rules.HC-001]\nmin_interval_seconds = 90\n")
    code, out, _ = run(capsys, "demo", "--rules", "HC-001", "--config", str(config),
                       "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert {r["resource"]["name"] for r in doc["results"] if r["status"] == "fail"} >= {
        "shop-catalog"}
