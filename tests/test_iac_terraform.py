"""``edge-audit iac`` on Terraform: plans (``terraform show -json``) and source (``.tf``).

Real artifacts only, each with its provenance in tests/iac_terraform/PROVENANCE.md:
plans from terraform-compliance's and Checkov's test suites (none holds the whole pattern:
see the note there), Terraform source of a CloudFront -> ALB lab with origin cloaking
(Armageddon, tokyo-success) and of an ALB with a Lambda target group
(serverless-orders-pipeline). The one file of ours, additions/lambda_api.tf, puts a
Lambda function behind the lab's ALB so the lab's edge is judged as this pattern.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from auditor import cli
from auditor.iac.answers import Answers
from auditor.iac.estate import Options, build
from auditor.iac.source import collect_templates, evaluate_templates
from auditor.iac.terraform.plan import PlanReader
from auditor.packs import load_registry

HERE = Path(__file__).parent / "iac_terraform"
PLANS = HERE / "plans"
PLAN_249 = PLANS / "terraform-compliance-test_issue-249.json"  # ALB, listener, Lambda
PLAN_171 = PLANS / "terraform-compliance-test_issue-171.json"  # an NLB and its listeners
PLAN_522 = PLANS / "terraform-compliance-test_issue_522.json"  # Lambda and permissions
PLAN_UNKNOWN = PLANS / "checkov-plan_after_unknown.json"  # a distribution, bucket unknown
LAB = HERE / "armageddon_tokyo"
ORDERS = HERE / "orders_frontend"
ADDITION = HERE / "additions" / "lambda_api.tf"
REGION = "ap-northeast-1"  # the lab's provider region (var.aws_region's default)


def run(capsys, *argv):
    code = cli.run([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def report_of(*paths, **options):
    rules = list(load_registry(plugins=False).rules)
    iac_run, run_rules = collect_templates([str(p) for p in paths], Options(**options),
                                           rules)
    return evaluate_templates(iac_run, run_rules)


def verdicts(report):
    return {(r.rule_id, r.resource.name): r for r in report.results}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The public lab with our Lambda route added (a copy: the public files stay as
    they were published)."""
    folder = tmp_path_factory.mktemp("lab") / "tokyo"
    shutil.copytree(LAB, folder)
    shutil.copy(ADDITION, folder / ADDITION.name)
    return folder


@pytest.fixture(scope="module")
def lab_report(lab):
    return report_of(lab, variables={"db_password": "lab-only"})


# ------------------------------------------------------------------ plans


def test_a_plan_names_resources_by_address_with_their_place_in_the_file():
    estate = build([str(PLAN_249)], Options())
    by_name = {r.logical: r for r in estate.resources()}
    alb = by_name["module.alb.aws_alb.alb"]
    assert alb.type == "AWS::ElasticLoadBalancingV2::LoadBalancer"
    text = PLAN_249.read_text()
    offset = text.index('"address":"module.alb.aws_alb.alb"', text.index('"planned_values"'))
    assert (alb.location.line, alb.location.column) == (1, offset + 1)
    assert by_name["module.alb.aws_alb_listener.alb"].type == \
        "AWS::ElasticLoadBalancingV2::Listener"
    assert by_name["module.lambda_TFUpgradeTest.aws_lambda_function.lambda"].type == \
        "AWS::Lambda::Function"


def test_a_plan_of_existing_resources_links_them_by_the_arns_it_already_knows():
    """The listener's load_balancer_arn is the ALB's real ARN (the plan knows both): the
    ALB answers with that ARN, so its listener and target group are its own."""
    estate = build([str(PLAN_249)], Options())
    answers = Answers(estate, "123456789012")
    albs = answers.answer("elbv2", "describe_load_balancers", "us-east-1", {})
    (alb,) = albs["LoadBalancers"]
    assert alb["LoadBalancerArn"].endswith("/mybu-sandbox-myapp-instance-alb/2ae7b3df5b81f465")
    assert alb["Scheme"] == "internal"
    listeners = answers.answer("elbv2", "describe_listeners", "us-east-1",
                               {"LoadBalancerArn": alb["LoadBalancerArn"]})["Listeners"]
    assert [(li["Port"], li["Protocol"], li["SslPolicy"]) for li in listeners] == \
        [(443, "HTTPS", "ELBSecurityPolicy-2016-08")]
    (group,) = answers.answer("elbv2", "describe_target_groups", "us-east-1",
                              {})["TargetGroups"]
    assert group["TargetType"] == "instance"
    assert group["LoadBalancerArns"] == [alb["LoadBalancerArn"]]


def test_a_module_variable_is_followed_to_the_root_of_a_real_plan():
    plan = PlanReader(str(PLAN_249))
    assert plan.follow("module.alb.", ["var.alb_listener_ssl_policy"]) == \
        "ELBSecurityPolicy-2016-08"
    assert plan.follow("module.alb.", ["var.alb_listener_port"]) == "443"  # as given
    assert plan.region() == "us-east-1"


def test_a_plan_value_known_only_after_apply_is_unknown():
    estate = build([str(PLAN_UNKNOWN)], Options())
    (dist,) = estate.resources("AWS::CloudFront::Distribution")
    logging = dist.props["DistributionConfig"]["Logging"]
    assert "known after apply" in logging["Bucket"].why


def test_a_terraform_0_12_reference_without_an_attribute_is_not_guessed():
    plan = PlanReader(str(PLAN_522))
    value = plan.follow("", ["aws_lambda_function.lambda"])
    assert "not which attribute" in value.why


@pytest.mark.parametrize("plan", [PLAN_249, PLAN_171, PLAN_522, PLAN_UNKNOWN])
def test_real_plans_without_the_pattern_give_no_result(plan, capsys):
    """None of the public plans holds a Lambda target group: nothing to judge, and the
    output says so in a template's terms (not 'scan another region')."""
    code, out, _err = run(capsys, "iac", plan)
    assert code == 0
    assert "these templates define no ALB with a Lambda target group" in out
    assert "--all-regions" not in out


def test_a_network_load_balancer_is_read_as_one(capsys):
    estate = build([str(PLAN_171)], Options())
    answers = Answers(estate, "123456789012")
    assert estate.regions == ["eu-west-1"]  # the plan's provider_config
    types = {lb["Type"] for lb in answers.answer("elbv2", "describe_load_balancers",
                                                 "eu-west-1", {})["LoadBalancers"]}
    assert types == {"network"}


def test_a_plan_of_another_format_version_is_refused_in_one_line(tmp_path, capsys):
    doc = json.loads(PLAN_UNKNOWN.read_text())
    doc["format_version"] = "2.0"
    path = tmp_path / "future.json"
    path.write_text(json.dumps(doc))
    code, _out, err = run(capsys, "iac", path)
    assert code == 2
    assert err.strip().count("\n") == 0
    assert f"{path}:1: plan JSON format_version 2.0" in err


def test_a_plan_that_is_not_json_is_refused_with_its_line(tmp_path, capsys):
    path = tmp_path / "broken.json"
    text = PLAN_UNKNOWN.read_text()
    path.write_text(text[: text.index('"resource_changes"')])
    code, _out, err = run(capsys, "iac", path)
    assert code == 2 and "not JSON" in err and str(path) in err


# ------------------------------------------------------------------ source: the lab


def test_the_lab_links_its_distribution_to_its_alb_by_reference(lab_report):
    """origin.domain_name = aws_lb.kandagawa_alb01.dns_name: the origin fronts that
    ALB (BYP-005 passes), the header comes from random_password and the ALB checks the
    same random_password (BYP-002, BYP-003, BYP-004 pass; BYP-009 passes: 32 generated
    characters)."""
    found = verdicts(lab_report)
    for rule in ("BYP-003", "BYP-004", "BYP-005", "BYP-009", "BYP-010"):
        assert found[(rule, "aws_lb.kandagawa_alb01")].status.value == "pass", rule
    for rule in ("BYP-002", "BYP-008"):
        key = (rule, "aws_cloudfront_distribution.kandagawa_cf01")
        assert found[key].status.value == "pass", rule


def test_the_lab_alb_open_to_the_world_fails_at_its_line(lab_report):
    result = verdicts(lab_report)[("BYP-001", "aws_lb.kandagawa_alb01")]
    assert result.status.value == "fail"
    assert result.resource.location["file"].endswith("bonus_b.tf")
    assert result.resource.location["line"] == 83
    assert result.resource.type == "AWS::ElasticLoadBalancingV2::LoadBalancer"


def test_the_lab_region_and_prefix_list_come_from_its_source(lab):
    """provider "aws" { region = var.aws_region } (default ap-northeast-1), and
    data.aws_ec2_managed_prefix_list by name: CloudFront's list of that region."""
    estate = build([str(lab)], Options(variables={"db_password": "lab-only"}))
    assert estate.regions == [REGION]
    rule = next(r for r in estate.resources("AWS::EC2::SecurityGroupIngress")
                if r.logical == "aws_security_group_rule.kandagawa_alb_ingress_cf44301")
    assert rule.props["SourcePrefixListId"] == ["pl-58a04531"]


def test_count_from_a_variable_expands_the_subnets(lab):
    estate = build([str(lab)], Options(variables={"db_password": "lab-only"}))
    names = {r.logical for r in estate.resources("AWS::EC2::Subnet")}
    assert {"aws_subnet.kandagawa_public_subnets[0]",
            "aws_subnet.kandagawa_public_subnets[1]"} <= names
    (alb,) = estate.resources("AWS::ElasticLoadBalancingV2::LoadBalancer")
    subnets = {r.logical: r.ref() for r in estate.resources("AWS::EC2::Subnet")}
    assert alb.props["Subnets"] == [subnets["aws_subnet.kandagawa_public_subnets[0]"],
                                    subnets["aws_subnet.kandagawa_public_subnets[1]"]]


def test_a_variable_switches_off_the_header_check_and_byp_003_fires(lab):
    """The addition's header condition is a dynamic block on a bool variable."""
    report = report_of(lab, variables={"db_password": "x",
                                       "api_route_checks_header": "false"})
    assert verdicts(report)[("BYP-003", "aws_lb.kandagawa_alb01")].status.value == "fail"


def test_a_var_file_is_read_as_terraform_reads_it(lab, tmp_path, capsys):
    values = tmp_path / "off.tfvars"
    values.write_text('api_route_checks_header = false\ndb_password = "x"\n')
    code, out, _err = run(capsys, "iac", lab, "--var-file", values, "--format", "json")
    found = {(r["rule_id"], r["resource"]["name"]): r["status"]
             for r in json.loads(out)["results"]}
    assert found[("BYP-003", "aws_lb.kandagawa_alb01")] == "fail"
    assert code == 1


def test_a_literal_accepted_against_a_generated_secret_is_undetermined(lab, tmp_path,
                                                                       capsys):
    """The ALB accepts a literal (from --var) where CloudFront sends random_password:
    whether they match is known only at deploy time (BYP-004 error, never a pass), and
    the literal appears in no output."""
    folder = tmp_path / "literal"
    shutil.copytree(lab, folder)
    addition = (folder / ADDITION.name).read_text().replace(
        "values           = [random_password.kandagawa_origin_header_value01.result]",
        "values           = [var.accepted_header]")
    (folder / ADDITION.name).write_text(
        addition + '\nvariable "accepted_header" {\n  type = string\n}\n')
    secret = "Wq9-literal-value-0f-the-header-7Zr"
    for fmt in ("json", "table", "sarif", "csv", "html"):
        _code, out, err = run(capsys, "iac", folder, "--var", f"accepted_header={secret}",
                             "--var", "db_password=x", "--format", fmt)
        assert secret not in out and secret not in err, fmt
    code, out, _err = run(capsys, "iac", folder, "--var", f"accepted_header={secret}",
                          "--var", "db_password=x", "--format", "json")
    found = {(r["rule_id"], r["resource"]["name"]): r for r in json.loads(out)["results"]}
    byp4 = found[("BYP-004", "aws_lb.kandagawa_alb01")]
    assert byp4["status"] == "error"
    assert code == 3  # incomplete: not a pass


def test_a_sensitive_variable_without_a_value_matches_only_itself(lab, tmp_path):
    """db_password is sensitive with no default: not given, it is a secret known at
    deploy time; the run still evaluates (nothing of the pattern needs it)."""
    report = report_of(lab)
    assert verdicts(report)[("BYP-005", "aws_lb.kandagawa_alb01")].status.value == "pass"


def test_a_local_module_is_followed_with_its_inputs(lab, tmp_path):
    """A root that calls the lab as ./tokyo: addresses carry module.edge., the module's
    variables come from the call, and the edge is judged the same."""
    root = tmp_path / "root"
    shutil.copytree(lab, root / "tokyo")
    (root / "main.tf").write_text(
        'module "edge" {\n  source = "./tokyo"\n  db_password = "x"\n'
        '  api_route_checks_header = var.checks\n}\n'
        'variable "checks" {\n  type = bool\n  default = false\n}\n'
        'provider "aws" {\n  region = "ap-northeast-1"\n}\n')
    report = report_of(root)
    found = verdicts(report)
    assert found[("BYP-003", "module.edge.aws_lb.kandagawa_alb01")].status.value == "fail"
    assert found[("BYP-001", "module.edge.aws_lb.kandagawa_alb01")].resource.location[
        "file"].endswith("tokyo/bonus_b.tf")


def test_a_registry_module_is_not_read_and_says_so(tmp_path, capsys):
    (tmp_path / "main.tf").write_text(
        'module "alb" {\n  source  = "terraform-aws-modules/alb/aws"\n'
        '  version = "9.4.0"\n}\n')
    code, _out, err = run(capsys, "iac", tmp_path)
    assert code == 0
    assert "module alb comes from 'terraform-aws-modules/alb/aws'" in err


# ------------------------------------------------------------------ source: orders


def test_a_function_from_remote_state_is_known_only_at_deploy(capsys):
    """serverless-orders-pipeline's frontend attaches a function ARN read from another
    state: what needs the target is error with that reason, the run is incomplete, and
    the ALB's own settings are judged."""
    code, out, _err = run(capsys, "iac", ORDERS, "--format", "json")
    doc = json.loads(out)
    found = {(r["rule_id"], r["resource"]["name"]): r for r in doc["results"]}
    tg = found[("TG-002", "aws_lb_target_group.lambda_tg")]
    assert tg["status"] == "error"
    assert "terraform_remote_state.compute" in json.dumps(tg)
    assert found[("ALB-003", "aws_lb.this")]["status"] == "fail"
    assert found[("BYP-005", "aws_lb.this")]["status"] == "fail"
    assert doc["scan"]["complete"] is False
    assert code == 3  # incomplete: a scheduler must know the verdicts are partial


# ------------------------------------------------------------------ bad source


def test_terraform_that_is_not_hcl_is_refused_with_file_and_line(tmp_path, capsys):
    (tmp_path / "main.tf").write_text('resource "aws_lb" "x" {\n  name = \n}\n')
    code, _out, err = run(capsys, "iac", tmp_path)
    assert code == 2
    assert f"{tmp_path / 'main.tf'}:2:10:" in err and "not Terraform" in err


def test_a_missing_local_module_is_refused(tmp_path, capsys):
    (tmp_path / "main.tf").write_text('module "x" {\n  source = "./nowhere"\n}\n')
    code, _out, err = run(capsys, "iac", tmp_path)
    assert code == 2 and "main.tf:1:1: module x: folder ./nowhere not found" in err


def test_a_circular_local_is_unknown_not_a_crash(tmp_path):
    (tmp_path / "main.tf").write_text(
        'locals {\n  a = local.b\n  b = local.a\n}\n'
        'resource "aws_lb" "x" {\n  name = local.a\n}\n')
    estate = build([str(tmp_path)], Options())
    (alb,) = estate.resources("AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert "circular" in alb.props["Name"].why


def test_an_unknown_var_is_refused(capsys, tmp_path):
    code, _out, err = run(capsys, "iac", tmp_path, "--var", "novalue")
    assert code == 2 and "--var 'novalue': give NAME=VALUE" in err


def test_pathless_folder_is_refused(tmp_path, capsys):
    code, _out, err = run(capsys, "iac", tmp_path)
    assert code == 2 and "nor Terraform source" in err



def test_sarif_of_terraform_validates_and_points_at_the_block(tmp_path, capsys):
    import jsonschema

    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json")
                        .read_text())
    out = tmp_path / "tf.sarif"
    code, _out, _err = run(capsys, "iac", ORDERS, "--format", "sarif", "-o", out)
    assert code == 3
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, schema)
    located = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"])
               for r in doc["runs"][0]["results"]}
    lb_line = next(i for i, line in enumerate((ORDERS / "main.tf").read_text().splitlines(), 1)
                   if line.startswith('resource "aws_lb" "this"'))
    assert any(rule == "ALB-003" and uri.endswith("orders_frontend/main.tf")
               and line == lb_line for rule, uri, line in located)


def test_provisioned_concurrency_of_an_alias_quiets_hc_006(lab, tmp_path):
    """HC-006 advises provisioned concurrency; Terraform writes it as its own resource
    naming the alias, and it counts for that alias."""
    key = ("HC-006", "aws_lambda_alias.kandagawa_api_live01")
    folder = tmp_path / "provisioned"
    shutil.copytree(lab, folder)
    addition = folder / ADDITION.name
    addition.write_text(addition.read_text().replace(
        "  lambda_multi_value_headers_enabled = true\n",
        "  lambda_multi_value_headers_enabled = true\n"
        "  health_check {\n    enabled = true\n    path = \"/health\"\n  }\n"))
    before = verdicts(report_of(folder, variables={"db_password": "x"}))
    (folder / "provisioned.tf").write_text(
        'resource "aws_lambda_provisioned_concurrency_config" "live" {\n'
        '  function_name                     = aws_lambda_function.kandagawa_api01.function_name\n'
        '  qualifier                         = aws_lambda_alias.kandagawa_api_live01.name\n'
        '  provisioned_concurrent_executions = 2\n}\n')
    after = verdicts(report_of(folder, variables={"db_password": "x"}))
    assert before[key].status.value == "fail"
    assert after[key].status.value == "pass"
