"""``edge-audit iac``: the scan's rules on CloudFormation and SAM templates, before deploy.

The templates under tests/iac_templates were written for these tests (the pattern naive,
hardened, and as SAM); the SAM one is transformed by aws-sam-translator itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from auditor import cli
from auditor.iac.estate import Options
from auditor.iac.source import collect_templates, evaluate_templates
from auditor.packs import load_registry

HERE = Path(__file__).parent / "iac_templates"
NAIVE, HARDENED, SAM = (str(HERE / n) for n in ("naive.yaml", "hardened.yaml",
                                                 "sam_function_url.yaml"))
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


def run(capsys, *argv):
    code = cli.run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def report_of(*paths, **options):
    rules = list(load_registry(plugins=False).rules)
    iac_run, run_rules = collect_templates(list(paths), Options(**options), rules)
    return evaluate_templates(iac_run, run_rules)


def verdicts(report):
    return {(r.rule_id, r.resource.name): r for r in report.results}


@pytest.fixture(scope="module")
def naive():
    return report_of(NAIVE)


@pytest.fixture(scope="module")
def hardened():
    return report_of(HARDENED)


# ------------------------------------------------------------------ verdicts

@pytest.mark.parametrize("rule, resource", [
    ("BYP-001", "Alb"),  # 0.0.0.0/0 on the listener port
    ("BYP-003", "Alb"),  # the default action forwards without the header
    ("BYP-009", "Alb"),  # "let-me-in" is guessable
    ("BYP-008", "Distribution"),  # http-only origin
    ("LIM-002", "ApiFunction"),  # 120 s timeout beyond CloudFront's 30 s
    ("TG-001", "ApiTargetGroup"),  # multi-value headers omitted: AWS's default, off
])
def test_the_naive_template_fails_where_the_deployed_stack_would(naive, rule, resource):
    found = verdicts(naive)[(rule, resource)]
    assert found.status.value == "fail", found.message


def test_results_name_the_logical_id_and_where_it_is_written(naive):
    found = verdicts(naive)[("BYP-001", "Alb")]
    assert found.resource.type == "AWS::ElasticLoadBalancingV2::LoadBalancer"
    assert found.resource.location == {"file": NAIVE, "line": 19, "column": 3}


def test_an_origin_is_linked_by_reference_not_by_string(naive):
    """The origin's domain is !GetAtt Alb.DNSName: it fronts that ALB, so BYP-005
    (an ALB no distribution fronts) is quiet and the path has one verdict."""
    assert verdicts(naive)[("BYP-005", "Alb")].status.value == "pass"
    assert len(naive.paths) == 1


def test_the_hardened_template_passes_what_it_hardens(hardened):
    found = verdicts(hardened)
    for rule, resource in [("BYP-001", "Alb"), ("BYP-003", "Alb"), ("BYP-004", "Alb"),
                           ("BYP-007", "ApiAlias"), ("TG-001", "ApiTargetGroup"),
                           ("WAF-001", "Distribution"), ("MON-001", "Alb"),
                           ("CF-008", "Distribution"), ("ALB-002", "Alb")]:
        assert found[(rule, resource)].status.value == "pass", (rule, found[(rule,
                                                                             resource)].message)
    assert not [r for r in hardened.results if r.status.value == "error"]


def test_two_dynamic_references_to_one_secret_match(hardened):
    """CloudFront sends {{resolve:secretsmanager:edge/origin-verify...}} and the ALB
    accepts the same reference: whatever the value, they agree."""
    assert verdicts(hardened)[("BYP-004", "Alb")].status.value == "pass"


def test_a_dynamic_reference_against_a_literal_is_undetermined(tmp_path):
    text = Path(HARDENED).read_text().replace(
        'Values: ["{{resolve:secretsmanager:edge/origin-verify:SecretString:value}}"]',
        'Values: ["a-literal-value-of-enough-length-1234"]')
    path = tmp_path / "mixed.yaml"
    path.write_text(text)
    found = verdicts(report_of(str(path)))[("BYP-004", "Alb")]
    assert found.status.value == "error", found.message


def test_a_secret_the_template_generates_is_judged_by_its_length(tmp_path):
    """The hardened template generates edge/origin-verify (GenerateSecretString, 48
    characters): BYP-009 passes. Generated at 12 characters it fails; held elsewhere
    (not defined in the template) its strength is known only at deploy time: error."""
    assert verdicts(report_of(HARDENED))[("BYP-009", "Alb")].status.value == "pass"
    short = tmp_path / "short.yaml"
    short.write_text(Path(HARDENED).read_text().replace("PasswordLength: 48",
                                                        "PasswordLength: 12"))
    assert verdicts(report_of(str(short)))[("BYP-009", "Alb")].status.value == "fail"
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(Path(HARDENED).read_text().replace("Name: edge/origin-verify",
                                                            "Name: edge/another-secret"))
    found = verdicts(report_of(str(elsewhere)))[("BYP-009", "Alb")]
    assert found.status.value == "error"
    assert "known only at deploy time" in found.message


def test_an_imported_value_is_known_only_at_deploy_time(tmp_path):
    text = Path(NAIVE).read_text().replace("Timeout: 120", 'Timeout: !ImportValue shared-timeout')
    path = tmp_path / "imported.yaml"
    path.write_text(text)
    report = report_of(str(path))
    found = verdicts(report)[("LIM-002", "ApiFunction")]
    assert found.status.value == "error"
    assert "known only at deploy time" in found.message and "shared-timeout" in found.message
    assert not report.complete


def test_rules_that_need_cloudwatch_are_listed_once_not_run(naive):
    skipped = {n["rule_id"] for n in naive.scan.not_applicable}
    assert {"LMB-001", "LMB-002", "LMB-004", "COST-001", "ALB-007"} <= skipped
    assert not [r for r in naive.results if r.rule_id in skipped]


def test_parameters_override_defaults(tmp_path):
    strong = "Q7v-" * 8
    report = report_of(NAIVE, parameters={"OriginSecret": strong})
    assert verdicts(report)[("BYP-009", "Alb")].status.value != "fail"


def test_conditions_choose_values(tmp_path):
    """deletion_protection is !If [IsProd, true, false]: ALB-005 follows Stage."""
    assert verdicts(report_of(HARDENED))[("ALB-005", "Alb")].status.value == "pass"
    test = report_of(HARDENED, parameters={"Stage": "test"})
    assert verdicts(test)[("ALB-005", "Alb")].status.value == "fail"


# ------------------------------------------------------------------ SAM, nested stacks

def test_sam_is_transformed_by_aws_sam_translator():
    found = verdicts(report_of(SAM))
    url = found[("BYP-006", "ApiFunctionAliaslive")]
    assert url.status.value == "fail"  # FunctionUrlConfig AuthType NONE
    assert url.resource.location["line"] == 5  # the AWS::Serverless::Function


def test_a_nested_stack_with_a_local_template_is_followed(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text(Path(NAIVE).read_text())
    parent = tmp_path / "parent.yaml"
    parent.write_text("Resources:\n  App:\n    Type: AWS::CloudFormation::Stack\n"
                      "    Properties:\n      TemplateURL: child.yaml\n")
    found = verdicts(report_of(str(parent)))[("BYP-001", "Alb")]
    assert found.status.value == "fail"
    assert found.resource.location["file"] == str(child)


def test_a_duplicate_key_is_read_as_cloudformation_reads_it(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(Path(NAIVE).read_text().replace(
        "      Timeout: 120\n", "      Timeout: 120\n      Timeout: 10\n"))
    report = report_of(str(path))
    assert any("duplicate keys" in w for w in report.scan.warnings)
    assert verdicts(report)[("LIM-002", "ApiFunction")].status.value == "pass"


# ------------------------------------------------------------------ bad input: one line, exit 2

@pytest.mark.parametrize("body, words", [
    ("Resources: [unclosed\n", ["bad.yaml:"]),
    ("just text\n", ["not a CloudFormation template"]),
    ("Resources:\n  A:\n    Type: AWS::Lambda::Function\n    Properties:\n"
     "      Timeout: !Frobnicate x\n", ["bad.yaml", "Frobnicate"]),
    ("Resources:\n  A:\n    Type: AWS::Lambda::Function\n    Properties:\n"
     "      Timeout: {\"Fn::Frobnicate\": 1}\n", ["bad.yaml:5", "unknown intrinsic function"]),
    ("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n"
     "      BucketName: {\"Fn::Frobnicate\": 1}\n",  # a type the pattern does not read
     ["bad.yaml:5", "unknown intrinsic function Fn::Frobnicate"]),
    ("Resources:\n  A:\n    Type: AWS::Lambda::Function\n    Properties:\n"
     "      Timeout: !Ref Nothing\n", ["bad.yaml:5", "Ref to Nothing"]),
    ("Resources:\n  A:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
     "    Properties:\n      SecurityGroups: !GetAtt A.SecurityGroups\n",
     ["circular reference", "A.SecurityGroups"]),
    ("Resources:\n  N:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
     "      TemplateURL: missing.yaml\n", ["bad.yaml:2", "missing.yaml", "not found"]),
])
def test_a_bad_template_is_one_line_and_exit_2(capsys, tmp_path, body, words):
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    code, _, err = run(capsys, "iac", str(path), "-q")
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    for word in words:
        assert word in err


# ------------------------------------------------------------------ the command, SARIF, secrets

def test_the_command_exits_as_a_scan_would(capsys):
    assert run(capsys, "iac", NAIVE, "-q")[0] == 1  # high failures
    assert run(capsys, "iac", HARDENED, "-q")[0] == 0


def test_the_json_says_it_judged_templates(capsys):
    code, out, _ = run(capsys, "iac", NAIVE, "--format", "json", "-q")
    doc = json.loads(out)
    assert code == 1
    assert doc["scan"]["source"] == "iac" and doc["scan"]["inputs"] == [NAIVE]
    assert doc["scan"]["api_calls"] == 0
    assert {"rule_id": "LMB-001", "reason": "it reads CloudWatch metrics of the running "
            "functions and ALBs"} in doc["scan"]["not_applicable"]


def test_sarif_validates_and_points_at_the_resource(capsys):
    code, out, _ = run(capsys, "iac", NAIVE, "--format", "sarif", "-q")
    doc = json.loads(out)
    assert code == 1
    jsonschema.validate(doc, json.loads(SARIF_SCHEMA.read_text()))
    results = doc["runs"][0]["results"]
    byp = next(r for r in results if r["ruleId"] == "BYP-001")
    region = byp["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 19, "startColumn": 3}
    assert byp["level"] == "error"
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rules[byp["ruleIndex"]]["id"] == "BYP-001" and rules[byp["ruleIndex"]]["help"]


def test_sarif_of_a_live_scan_validates_too(capsys):
    from auditor.demo import run_demo
    from auditor.report.sarif import render

    doc = json.loads(render(run_demo(load_registry(plugins=False).rules)))
    jsonschema.validate(doc, json.loads(SARIF_SCHEMA.read_text()))
    assert doc["runs"][0]["results"]


@pytest.mark.parametrize("fmt", ["table", "json", "sarif", "csv", "html"])
def test_an_inline_origin_secret_never_leaves(capsys, tmp_path, fmt):
    secret = "Inline-Origin-Secret-" + "x9" * 10
    code, out, err = run(capsys, "iac", NAIVE, "--parameter", f"OriginSecret={secret}",
                         "--format", fmt)
    assert code == 1, err
    assert secret not in out and secret not in err
    assert secret[:12] not in out


def test_parameters_file_in_the_cli_form(capsys, tmp_path):
    params = tmp_path / "params.json"
    params.write_text(json.dumps([{"ParameterKey": "OriginSecret",
                                   "ParameterValue": "Q7v-" * 8}]))
    code, out, _ = run(capsys, "iac", NAIVE, "--parameters-file", str(params), "--rules",
                       "BYP-009", "--format", "json", "-q")
    assert code == 0
    assert json.loads(out)["results"][0]["status"] == "pass"


def test_publishing_is_refused(capsys):
    code, _, err = run(capsys, "iac", NAIVE, "--publish", "securityhub")
    assert code == 2 and "refused" in err


@pytest.mark.parametrize("source_arn, scoped", [
    ("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123abcd", True),
    # a template must write it so: the target group depends on the permission
    ("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/*", True),
    ("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/*", False),
    ("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api-*/*", False),
    ("arn:aws:elasticloadbalancing:us-east-1:*:targetgroup/api/*", False),
])
def test_byp_007_accepts_a_target_group_named_with_any_id(source_arn, scoped):
    from auditor.inventory import PolicyStatement
    from auditor.rules.bypass import _scoped_to_target_groups

    statement = PolicyStatement("s", "Allow", ("lambda:InvokeFunction",),
                                ("elasticloadbalancing.amazonaws.com",), ("aws:sourcearn",),
                                source_arns=(source_arn,))
    assert _scoped_to_target_groups(statement) is scoped


def test_the_pre_commit_hook_runs_the_command(capsys):
    import shlex

    import yaml

    hook = yaml.safe_load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml")
                          .read_text())[0]
    argv = shlex.split(hook["entry"])
    assert argv[0] == "edge-audit"
    assert run(capsys, *argv[1:], HARDENED)[0] == 0
    assert run(capsys, *argv[1:], NAIVE)[0] == 1


def test_the_terraform_hook_takes_the_folder_not_the_files(capsys, tmp_path):
    import shlex

    import yaml

    hooks = yaml.safe_load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml")
                           .read_text())
    hook = next(h for h in hooks if h["id"] == "edge-audit-terraform")
    assert hook["pass_filenames"] is False
    folder = Path(__file__).parent / "iac_terraform" / "orders_frontend"
    argv = shlex.split(hook["entry"])
    assert argv[0] == "edge-audit"
    assert run(capsys, *argv[1:], str(folder))[0] == 3  # the function is known at deploy
