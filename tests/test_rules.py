"""Runs every case of rule_cases.CASES: each rule fires, stays quiet, or says error."""

from __future__ import annotations

import json

import pytest

from auditor.engine import evaluate
from auditor.findings import Status
from auditor.report.json_report import result_dict
from auditor.rules import load_rules
from tests.rule_cases import CASES, SECRET_VALUES

RULES = {r.id: r for r in load_rules()}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule_case(case):
    results = evaluate(case.scenario.build(), [RULES[case.rule]])
    statuses = [r.status.value for r in results]
    if case.expect == "none":
        assert statuses == []
    else:
        assert statuses and set(statuses) == {case.expect}, [r.message for r in results]
        result = results[0]
        assert result.rule_id == case.rule
        assert result.message
        text = json.dumps(result_dict(result))
        for value in SECRET_VALUES:
            assert value not in text
        if case.expect == "error":
            assert result.evidence["reason"]
            if "denied" in case.name:
                assert "AccessDenied" in result.evidence["reason"]


def test_error_result_names_the_failed_operation():
    case = next(c for c in CASES if c.rule == "BYP-007" and c.expect == "error")
    [result] = evaluate(case.scenario.build(), [RULES["BYP-007"]])
    assert result.status is Status.ERROR
    assert "lambda:GetPolicy" in result.message
