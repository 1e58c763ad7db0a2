"""Suppressions: by rule and ARN glob or tag, with a reason and an expiry; fail closed."""

from __future__ import annotations

import json
from datetime import date

import pytest
from botocore.stub import Stubber

from auditor.cli import run
from auditor.collect import tagging
from auditor.collect.base import Calls
from auditor.config import ConfigError, parse
from auditor.demo.seed import AppSpec, FunctionSpec, Seeder
from auditor.findings import Result, Severity, Status
from auditor.gaps import Unavailable
from auditor.inventory import T_LOAD_BALANCER, ResourceRef
from auditor.report.json_report import validate
from auditor.rules import load_rules
from auditor.session import AwsContext
from auditor.suppress import Entry, apply, tag_keys

TODAY = date(2026, 11, 21)
ALB = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/status-page/50dc6c"


def result(status=Status.FAIL, arn=ALB, rule_id="ALB-011") -> Result:
    return Result(rule_id, "slug", "title", Severity.HIGH, status,
                  ResourceRef(arn, T_LOAD_BALANCER, "status-page", "111122223333", "us-east-1"),
                  "message", {}, "rec. 3", "fix it")


def entry(**overrides) -> Entry:
    fields = {"rule": "ALB-011", "reason": "public by design", "expires": date(2027, 1, 1),
              "resource": "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/status-*"}
    return Entry(**{**fields, **overrides})


def test_an_arn_glob_suppresses_the_failure_with_its_reason():
    [out], [usage] = apply([result()], [entry()], {}, TODAY)
    assert out.status is Status.SUPPRESSED
    assert out.suppression.reason == "public by design"
    assert not out.suppression.expired
    assert usage.matched == 1


@pytest.mark.parametrize("other", [
    {"rule": "ALB-010"},
    {"resource": "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/shop-*"},
    {"rule": "CF-*"},
])
def test_a_suppression_for_another_rule_or_resource_leaves_the_failure(other):
    [out], [usage] = apply([result()], [entry(**other)], {}, TODAY)
    assert out.status is Status.FAIL and out.suppression is None
    assert usage.matched == 0


def test_an_expired_suppression_counts_as_a_failure_and_says_so():
    [out], [usage] = apply([result()], [entry(expires=date(2026, 11, 20))], {}, TODAY)
    assert out.status is Status.FAIL
    assert out.suppression.expired
    assert usage.expired and usage.matched == 1


def test_the_expiry_day_itself_is_still_suppressed():
    [out], _ = apply([result()], [entry(expires=TODAY)], {}, TODAY)
    assert out.status is Status.SUPPRESSED


def test_a_live_suppression_wins_over_an_expired_one():
    old, renewed = entry(expires=date(2025, 1, 1)), entry(reason="renewed for a year")
    [out], usage = apply([result()], [old, renewed], {}, TODAY)
    assert out.status is Status.SUPPRESSED and out.suppression.reason == "renewed for a year"
    assert [u.matched for u in usage] == [0, 1]


@pytest.mark.parametrize("status", [Status.PASS, Status.ERROR])
def test_passes_and_errors_are_never_suppressed(status):
    """An error did not see its data: hiding it would report what nobody checked."""
    [out], [usage] = apply([result(status)], [entry()], {}, TODAY)
    assert out.status is status and out.suppression is None and usage.matched == 0


def test_tags_match_by_key_and_value_glob():
    by_tag = entry(resource=None, tags={"team": "leg*"})
    [out], _ = apply([result()], [by_tag], {ALB: {"team": "legacy"}}, TODAY)
    assert out.status is Status.SUPPRESSED
    [out], _ = apply([result()], [by_tag], {ALB: {"team": "payments"}}, TODAY)
    assert out.status is Status.FAIL


def test_a_function_alias_carries_its_functions_tags():
    fn = "arn:aws:lambda:us-east-1:111122223333:function:legacy-app"
    [out], _ = apply([result(arn=fn + ":live", rule_id="HC-006")],
                     [entry(rule="HC-006", resource=None, tags={"team": "legacy"})],
                     {fn: {"team": "legacy"}}, TODAY)
    assert out.status is Status.SUPPRESSED


def test_tags_that_could_not_be_read_suppress_nothing():
    gap = Unavailable("resourcegroupstaggingapi:GetResources", "AccessDenied", "no")
    [out], _ = apply([result()], [entry(resource=None, tags={"team": "legacy"})], gap, TODAY)
    assert out.status is Status.FAIL


# ------------------------------------------------------------------ the config file

GOOD = """
[[suppressions]]
rule = "ALB-011"
resource = "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/status-*"
reason = "Public by design"
expires = 2027-03-31

[[suppressions]]
rule = "CF-*"
tags = { team = "legacy" }
reason = "Retiring"
expires = 2027-01-01
"""


def test_config_reads_suppressions_and_the_tag_keys_they_need():
    config = parse(GOOD, load_rules())
    assert [s.rule for s in config.suppressions] == ["ALB-011", "CF-*"]
    assert config.suppressions[0].expires == date(2027, 3, 31)
    assert tag_keys(config.suppressions) == {"team"}


@pytest.mark.parametrize(("body", "says"), [
    ('rule = "ALB-011"\nreason = "why"\nexpires = 2027-01-01', "resource ARN glob"),
    ('rule = "ALB-011"\nresource = "*"\nexpires = 2027-01-01', "reason"),
    ('rule = "ALB-011"\nresource = "*"\nreason = "why"', "expires"),
    ('rule = "ALB-011"\nresource = "*"\nreason = "why"\nexpires = "soon"', "TOML date"),
    ('rule = "ALB-011"\nresource = "*"\nreason = "why"\nexpires = 2027-01-01T00:00:00',
     "TOML date"),
    ('rule = "ALB-999"\nresource = "*"\nreason = "why"\nexpires = 2027-01-01', "names no rule"),
    ('rule = "ALB-011"\nresource = "alb/*"\nreason = "why"\nexpires = 2027-01-01', "resource"),
    ('rule = "ALB-011"\nresource = "*"\nreason = "why"\nexpires = 2027-01-01\nowner = "me"',
     "owner"),
])
def test_a_bad_suppression_is_a_configuration_error(body, says):
    with pytest.raises(ConfigError, match=says):
        parse("[[suppressions]]\n" + body, load_rules())


# ------------------------------------------------------------------ tags from AWS

TAGGED = AppSpec("legacy", "us-east-1", functions=(FunctionSpec("app", None),),
                 tags={"team": "legacy", "cost-centre": "42"})


def test_the_tag_collector_reads_albs_functions_and_distributions(moto_session):
    seeded = Seeder(moto_session).seed(TAGGED)
    calls = Calls(AwsContext(moto_session), "123456789012")
    found = tagging.tags(calls, ["us-east-1"], {"team"})
    function = seeded.targets["app"].rsplit(":", 1)[0]  # registered as the alias "live"
    for arn in (seeded.alb_arn, seeded.distribution_arn, function):
        assert found[arn]["team"] == "legacy", arn
    assert calls.failures == []


def test_a_denied_tag_lookup_is_recorded_and_returns_unavailable(moto_session):
    ctx = AwsContext(moto_session)
    calls = Calls(ctx, "123456789012")
    client = ctx.client("resourcegroupstaggingapi", "us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("get_resources", "AccessDeniedException", "not allowed", 400)
        found = tagging.tags(calls, ["us-east-1"], {"team"})
    assert isinstance(found, Unavailable) and found.code == "AccessDeniedException"
    assert [f.operation for f in calls.failures] == ["resourcegroupstaggingapi:GetResources"]


# ------------------------------------------------------------------ end to end (demo)

DEMO_CONFIG = """
[[suppressions]]
rule = "CF-*"
tags = { team = "legacy" }
reason = "The legacy distribution is being retired"
expires = 2099-01-01

[[suppressions]]
rule = "HC-006"
resource = "arn:aws:lambda:*:*:function:legacy-*"
reason = "An acceptance that ran out"
expires = 2020-01-01

[[suppressions]]
rule = "BYP-*"
resource = "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/nothing-*"
reason = "Matches nothing"
expires = 2099-01-01
"""


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("suppress")
    config = folder / "edge-audit.toml"
    config.write_text(DEMO_CONFIG)
    plain, suppressed = folder / "plain.json", folder / "suppressed.json"
    assert run(["--quiet", "demo", "--format", "json", "-o", str(plain)]) == 0
    code = run(["--quiet", "demo", "--format", "json", "-o", str(suppressed),
                "--config", str(config), "--fail-on", "info"])
    return json.loads(plain.read_text()), json.loads(suppressed.read_text()), code


def test_demo_suppressions_stay_in_the_json_with_their_reason(demo_reports):
    plain, doc, _ = demo_reports
    validate(doc)
    suppressed = [r for r in doc["results"] if r["status"] == "suppressed"]
    assert suppressed and all(r["rule_id"].startswith("CF-") for r in suppressed)
    assert all(r["suppression"]["reason"] == "The legacy distribution is being retired"
               and r["suppression"]["matched_by"] == "tags team=legacy" for r in suppressed)
    tagged = {r["resource"]["arn"] for r in suppressed}
    assert len(tagged) == 1  # only the legacy app's distribution carries team=legacy
    legacy = {r["rule_id"] for r in plain["results"] if r["rule_id"].startswith("CF-")
              and r["status"] == "fail" and any("/legacy-alb/" in a for a in r["related"])}
    assert {r["rule_id"] for r in suppressed} == legacy
    assert doc["summary"]["by_status"]["suppressed"] == len(suppressed)
    assert (doc["summary"]["by_status"]["fail"] + len(suppressed)
            == plain["summary"]["by_status"]["fail"])


def test_demo_expired_suppressions_fail_and_are_reported_expired(demo_reports):
    _, doc, code = demo_reports
    expired = [r for r in doc["results"] if r.get("suppression", {}).get("expired")]
    assert {r["rule_id"] for r in expired} == {"HC-006"}
    assert all(r["status"] == "fail" for r in expired)
    usage = {s["reason"]: s for s in doc["scan"]["suppressions"]}
    assert usage["An acceptance that ran out"]["expired"] is True
    assert usage["An acceptance that ran out"]["matched"] == len(expired)
    assert usage["Matches nothing"]["matched"] == 0
    assert code == 1  # the expired ones count again


def test_suppressed_failures_do_not_fail_the_run(tmp_path):
    config = tmp_path / "all.toml"
    config.write_text('[[suppressions]]\nrule = "*"\nresource = "*"\n'
                      'reason = "accept everything"\nexpires = 2099-01-01\n')
    assert run(["--quiet", "demo", "--fail-on", "info", "--config", str(config),
                "-o", str(tmp_path / "out.txt")]) == 0
    assert "suppressed" in (tmp_path / "out.txt").read_text()


def test_the_example_config_in_the_readme_is_valid():
    from pathlib import Path

    text = (Path(__file__).parent.parent / "examples" / "edge-audit.toml").read_text()
    config = parse(text, load_rules())
    assert len(config.suppressions) == 3
    assert [s.expired(TODAY) for s in config.suppressions] == [False, False, True]
