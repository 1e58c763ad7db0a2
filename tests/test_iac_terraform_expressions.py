"""Terraform expressions over python-hcl2's parse tree: what source alone can know is
evaluated, what only plan or apply can tell is Unknown with its reason (never a guess)."""

from __future__ import annotations

import pytest

from auditor.iac.estate import Options, build
from auditor.iac.terraform.model import Reference
from auditor.iac.values import Unknown

VARIABLES = '''
variable "names" {
  default = ["a", "b"]
}
variable "sizes" {
  default = { small = 1, large = 4 }
}
variable "on" {
  default = true
}
variable "secret" {
  type      = string
  sensitive = true
}
variable "plain" {
  type = string
}
'''


def value_of(tmp_path, expression: str, **given):
    """The Name of an aws_lb whose name is the expression."""
    (tmp_path / "main.tf").write_text(VARIABLES + f'''
resource "aws_security_group" "web" {{
  name = "web"
}}
resource "aws_subnet" "pub" {{
  count = 2
}}
resource "aws_lb" "x" {{
  name = {expression}
}}
''')
    estate = build([str(tmp_path)], Options(variables=given))
    (alb,) = estate.resources("AWS::ElasticLoadBalancingV2::LoadBalancer")
    return alb.props.get("Name")


@pytest.mark.parametrize("expression, expected", [
    ('"api-${var.names[1]}"', "api-b"),
    ("var.on ? \"yes\" : \"no\"", "yes"),
    ("!var.on || length(var.names) == 2", True),
    ("upper(join(\"-\", var.names))", "A-B"),
    ("lookup(var.sizes, \"large\", 0) * 2", 8),
    ("lookup(var.sizes, \"huge\", 3)", 3),
    ("try(var.sizes.huge, \"fallback\")", "fallback"),
    ("merge({ a = 1 }, { b = 2 })", {"a": 1, "b": 2}),
    ("[for n in var.names : upper(n) if n != \"a\"]", ["B"]),
    ("{ for k, v in var.sizes : k => v + 1 }", {"small": 2, "large": 5}),
    ("format(\"%s-%d\", \"lb\", 7)", "lb-7"),
    ("element(concat(var.names, [\"c\"]), 2)", "c"),
    ("\"a%{if var.on}b%{else}c%{endif}\"", "ab"),
])
def test_what_source_can_know_is_evaluated(tmp_path, expression, expected):
    assert value_of(tmp_path, expression) == expected


def test_a_reference_stays_a_reference_until_linked(tmp_path):
    (tmp_path / "main.tf").write_text('''
resource "aws_lb" "x" {
  name            = "x"
  security_groups = [aws_security_group.web.id]
  subnets         = aws_subnet.pub[*].id
}
resource "aws_security_group" "web" {}
resource "aws_subnet" "pub" {
  count = 2
}
''')
    estate = build([str(tmp_path)], Options())
    (alb,) = estate.resources("AWS::ElasticLoadBalancingV2::LoadBalancer")
    groups = {r.logical: r.ref() for r in estate.resources("AWS::EC2::SecurityGroup")}
    subnets = {r.logical: r.ref() for r in estate.resources("AWS::EC2::Subnet")}
    assert alb.props["SecurityGroups"] == [groups["aws_security_group.web"]]
    assert alb.props["Subnets"] == [subnets["aws_subnet.pub[0]"], subnets["aws_subnet.pub[1]"]]


def test_a_string_around_a_reference_is_joined_with_the_linked_value(tmp_path):
    (tmp_path / "main.tf").write_text('''
resource "aws_lb" "x" {
  name = "x"
}
resource "aws_route53_record" "r" {
  name    = "api"
  type    = "CNAME"
  records = ["dualstack.${aws_lb.x.dns_name}"]
}
''')
    estate = build([str(tmp_path)], Options())
    (alb,) = estate.resources("AWS::ElasticLoadBalancingV2::LoadBalancer")
    (record,) = estate.resources("AWS::Route53::RecordSet")
    assert record.props["ResourceRecords"] == [f"dualstack.{alb.attr('DNSName')}"]


@pytest.mark.parametrize("expression, reason", [
    ("var.plain", "no default and not given"),
    ("cidrsubnet(\"10.0.0.0/16\", 8, 1)", "cidrsubnet() (evaluated by terraform plan)"),
    ("aws_security_group.web.arn", "known after apply"),
    ("aws_security_group.web.id == \"sg-1\" ? \"a\" : \"b\"", "a condition on a value"),
    ("data.terraform_remote_state.net.outputs.name", "is not declared"),
    ("nothing.here.at_all", "not a resource of this configuration"),
])
def test_what_only_plan_or_apply_can_tell_is_unknown(tmp_path, expression, reason):
    value = value_of(tmp_path, expression)
    assert isinstance(value, Unknown), value
    assert reason in value.why


def test_a_given_var_wins_and_is_read_as_hcl(tmp_path):
    assert value_of(tmp_path, "var.plain", plain="given") == "given"
    assert value_of(tmp_path, "length(var.names)", names='["x", "y", "z"]') == 3


def test_a_sensitive_variable_without_a_value_is_a_deploy_time_secret(tmp_path):
    value = value_of(tmp_path, "var.secret")
    assert type(value).__name__ == "DeployTimeSecret"


def test_the_model_prints_references_as_terraform_writes_them():
    assert str(Reference("aws_lb.x[0]", "dns_name")) == "aws_lb.x[0].dns_name"
    assert str(Reference("aws_lb.x", "security_groups", (0,))) == \
        "aws_lb.x.security_groups[0]"
