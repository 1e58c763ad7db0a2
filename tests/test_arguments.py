"""Options from EDGE_AUDIT_* variables (the container and Lambda entry points)."""

from __future__ import annotations

import pytest

from auditor.arguments import parse


def test_variables_fill_the_options_a_command_line_leaves_unset():
    env = {"EDGE_AUDIT_REGION": "us-east-1, eu-west-1", "EDGE_AUDIT_FORMAT": "json",
           "EDGE_AUDIT_OUTPUT": "s3://audit/nightly/", "EDGE_AUDIT_ALL_REGIONS": "false",
           "EDGE_AUDIT_ORGANIZATION": "true", "EDGE_AUDIT_PUBLISH": "securityhub",
           "EDGE_AUDIT_RULES": "BYP-001,BYP-003", "EDGE_AUDIT_FAIL_ON": "critical"}
    args = parse(["scan"], env)
    assert args.region == ["us-east-1", "eu-west-1"]
    assert (args.format, args.output, args.fail_on) == ("json", "s3://audit/nightly/",
                                                         "critical")
    assert args.organization is True and args.all_regions is False
    assert args.publish == ["securityhub"] and args.rules == ["BYP-001", "BYP-003"]


def test_the_command_line_wins_over_a_variable():
    args = parse(["scan", "--format", "csv", "--region", "ap-south-1"],
                 {"EDGE_AUDIT_FORMAT": "json", "EDGE_AUDIT_REGION": "us-east-1"})
    assert args.format == "csv" and args.region == ["ap-south-1"]


def test_without_variables_the_defaults_stand():
    args = parse(["scan"], {})
    assert (args.format, args.fail_on, args.region) == ("table", "high", [])


@pytest.mark.parametrize("env", [{"EDGE_AUDIT_FORMAT": "yaml"},
                                 {"EDGE_AUDIT_PUBLISH": "splunk"},
                                 {"EDGE_AUDIT_FAIL_ON": "urgent"}])
def test_a_bad_variable_is_a_usage_error(env, capsys):
    with pytest.raises(SystemExit) as stop:
        parse(["scan"], env)
    assert stop.value.code == 2
    assert next(iter(env)) in capsys.readouterr().err


def test_commands_a_job_does_not_run_ignore_the_variables():
    args = parse(["rules"], {"EDGE_AUDIT_FORMAT": "bogus"})
    assert args.format == "table"
