"""--config: per-rule parameter overrides, validated with messages naming rule and key."""

from __future__ import annotations

import pytest

from auditor.config import ConfigError, load, parse
from auditor.engine import evaluate
from auditor.findings import Status
from auditor.rules import load_rules
from tests.scenario import Scenario

RULES = load_rules()


def test_override_changes_the_verdict():
    config = parse('[rules.HC-001]\nmin_interval_seconds = 90\n', RULES)
    hc001 = [r for r in RULES if r.id == "HC-001"]
    inventory = Scenario().build()  # interval 60
    [default] = evaluate(inventory, hc001)
    [stricter] = evaluate(inventory, hc001, config.rule_params)
    assert (default.status, stricter.status) == (Status.PASS, Status.FAIL)
    assert stricter.evidence["min_interval_seconds"] == 90


@pytest.mark.parametrize("text, words", [
    ('[rules.HC-999]\nx = 1\n', ["rules", "unknown rule", "HC-999"]),
    ('[rules.HC-001]\nmin_intervall = 1\n', ["rules.HC-001", "unknown key", "min_intervall",
                                             "min_interval_seconds"]),
    ('[rules.HC-001]\nmin_interval_seconds = "soon"\n', ["rules.HC-001.min_interval_seconds",
                                                         "integer"]),
    ('[rules.HC-001]\nmin_interval_seconds = -5\n', ["rules.HC-001.min_interval_seconds"]),
    ('[rules.LIM-004]\nmethods = [1]\n', ["rules.LIM-004.methods.0", "string"]),
    ('[rulez]\n', ["unknown key", "rulez"]),
    ('rules = [', ["not valid TOML"]),
])
def test_bad_config_names_the_rule_and_key(text, words):
    with pytest.raises(ConfigError) as info:
        parse(text, RULES, "edge.toml")
    message = str(info.value)
    assert message.startswith("edge.toml: ")
    for word in words:
        assert word in message, message


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config"):
        load(str(tmp_path / "none.toml"), RULES)


def test_every_parameter_has_a_typed_default():
    for rule in RULES:
        for name, default in rule.params.items():
            assert name.islower() and default is not None, (rule.id, name)
