"""Rule packs (issue 12): a team's own rules from a folder or an installed distribution,
loaded, validated, run and reported like the built-in ones."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from auditor import cli
from auditor.facets import Facet, FacetScope, ReadOnlyViolation, collect_facet
from auditor.findings import Status
from auditor.gaps import Unavailable
from auditor.packs import PackError, check_pack, load_registry
from auditor.report import FORMATS
from auditor.testing import (
    assert_errors,
    assert_fires,
    assert_out_of_scope,
    assert_quiet,
    topology_from_moto,
)

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "edge-auditor-org-pack"
EXAMPLE_PACKAGE = EXAMPLE / "edge_auditor_org_pack"
sys.path.insert(0, str(EXAMPLE))
from edge_auditor_org_pack import _estate  # noqa: E402  (the example pack's moto estate)

# The snippet, character for character: it must work unchanged.
SNIPPET = '''\
from auditor.api import Rule, Severity, SubjectKind, Verdict

def check_tg_name(topology, tg, params):
    prefix = params["prefix"]
    if tg.name.startswith(prefix):
        return Verdict.ok(f"named with {prefix}", [tg.arn])
    return Verdict.fail(f"{tg.name} does not start with {prefix}", [tg.arn], prefix=prefix)

RULES = [Rule(id="ORG-001", slug="tg-team-prefix", severity=Severity.LOW,
              title="Target group not named by team", cites="org policy",
              recommendation="Name target groups <team>-<service>",
              rationale="Ownership is read from the name.",
              remediation="Recreate the target group with the team prefix.",
              subject=SubjectKind.LAMBDA_TARGET_GROUP, check=check_tg_name,
              params={"prefix": "team-"})]
'''


def run(capsys, *argv):
    code = cli.run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def folder(tmp_path: Path, **files: str) -> Path:
    """A --rules-path folder holding the given modules (name -> source)."""
    where = tmp_path / "packs"
    where.mkdir(exist_ok=True)
    for name, text in files.items():
        (where / f"{name}.py").write_text(textwrap.dedent(text))
    return where


def rule_source(rule_id: str = "ORG-009", slug: str = "org-thing", check: str = "ok",
                **fields: str) -> str:
    """A pack module with one rule; ``fields`` replace Rule(...) keyword sources."""
    body = {"id": repr(rule_id), "slug": repr(slug), "severity": "Severity.LOW",
            "title": "'t'", "cites": "'org'", "recommendation": "'r'", "rationale": "'why'",
            "remediation": "'fix'", "subject": "SubjectKind.LAMBDA_TARGET_GROUP",
            "check": check, "params": "{}", **fields}
    args = ", ".join(f"{k}={v}" for k, v in body.items())
    return ("from auditor.api import Rule, Severity, SubjectKind, Verdict\n"
            "def ok(topology, tg, params):\n    return Verdict.ok('fine', [tg.arn])\n"
            "def boom(topology, tg, params):\n    return 1 / 0\n"
            f"RULES = [Rule({args})]\n")


@pytest.fixture
def estate():
    """The example pack's moto account (one ALB, a 'team-orders' and a 'legacy' Lambda
    target group, an instance target group), in process."""
    with mock_aws():
        _estate.seed(boto3.Session(region_name="us-east-1"))
        yield


def scan(capsys, *argv):
    return run(capsys, "scan", "--region", "us-east-1", "--pacing", "off", "--fail-on",
               "none", *argv)


# ------------------------------------------------------------------ the snippet, both ways

def test_the_example_pack_ships_the_snippet_unchanged():
    assert SNIPPET.replace("\n\n", "\n") in (EXAMPLE_PACKAGE / "naming.py").read_text(
    ).replace("\n\n\n", "\n").replace("\n\n", "\n")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_snippet_from_a_folder_on_scan_in_every_format(estate, capsys, tmp_path, fmt):
    packs = folder(tmp_path, org=SNIPPET)
    out = tmp_path / f"report.{fmt}"
    code, _, err = scan(capsys, "--rules-path", str(packs), "--rules", "ORG-001,TG-001",
                        "--format", fmt, "-o", str(out))
    assert code == 0, err
    text = out.read_text()
    assert "ORG-001" in text and "legacy does not start with team-" in text, text[:2000]
    if fmt == "json":
        doc = json.loads(text)
        mine = [r for r in doc["results"] if r["rule_id"] == "ORG-001"]
        assert {(r["resource"]["name"], r["status"]) for r in mine} == {
            ("team-orders", "pass"), ("legacy", "fail")}
        assert all(r["rule_pack"] == {"name": "org", "version": None} for r in mine)
        builtin = [r for r in doc["results"] if r["rule_id"] == "TG-001"]
        assert builtin and builtin[0]["rule_pack"]["name"] == "edge-auditor"
    if fmt == "csv":
        header, *rows = text.splitlines()
        assert header.endswith("rule_pack,rule_pack_version")
        assert any(row.startswith("ORG-001") or ",ORG-001," in row for row in rows)
    if fmt == "asff":
        found = [f for f in json.loads(text) if "ORG-001" in f["GeneratorId"]]
        assert found and found[0]["ProductFields"]["edge-auditor/RulePack"] == "org"
    if fmt == "html":
        assert "Ownership is read from the name." in text  # the pack's rationale


def test_env_variable_folders_and_no_plugins(estate, capsys, tmp_path, monkeypatch):
    one = folder(tmp_path, org=SNIPPET)
    other = tmp_path / "other"
    other.mkdir()
    (other / "more.py").write_text(rule_source("ORG-002", "org-more"))
    monkeypatch.setenv("EDGE_AUDIT_RULES_PATH", f"{one}{os.pathsep}{other}")
    code, out, _ = run(capsys, "rules", "--format", "json")
    packs = {r["id"]: r["pack"]["name"] for r in json.loads(out)["rules"]}
    assert code == 0 and packs["ORG-001"] == "org" and packs["ORG-002"] == "more"
    assert packs["BYP-001"] == "edge-auditor"
    code, out, _ = run(capsys, "rules")
    assert "ORG-002" in out and "2 of them from rule packs" in out
    code, _, err = scan(capsys, "--no-plugins", "--rules", "ORG-001")
    assert code == 2 and "unknown rule id(s): ORG-001" in err


def test_collect_then_evaluate_carries_the_facet_data(estate, capsys, tmp_path):
    snapshot, report = tmp_path / "snap.json", tmp_path / "r.json"
    code, _, err = run(capsys, "collect", "--region", "us-east-1", "--pacing", "off",
                       "--rules-path", str(EXAMPLE_PACKAGE), "-o", str(snapshot))
    assert code in (0, 3) and "DescribeTags" not in err, err  # 3: what moto lacks
    regions = json.loads(snapshot.read_text())["collection"]["inventories"][0]["regions"]
    tags = regions[0]["pack_data"]["org.target-group-tags"]
    assert {t.get("owner") for t in tags.values()} == {"orders", None}
    code, _, err = run(capsys, "evaluate", str(snapshot), "--rules-path", str(EXAMPLE_PACKAGE),
                       "--rules", "ORG-001,ORG-002", "--format", "json", "-o", str(report),
                       "--fail-on", "none")
    assert code == 0, err
    got = {(r["rule_id"], r["resource"]["name"]): r["status"]
           for r in json.loads(report.read_text())["results"]}
    assert got == {("ORG-001", "team-orders"): "pass", ("ORG-001", "legacy"): "fail",
                   ("ORG-002", "team-orders"): "pass", ("ORG-002", "legacy"): "fail"}


def test_a_snapshot_taken_without_the_pack_makes_its_facet_rules_error(estate, capsys,
                                                                       tmp_path):
    snapshot, report = tmp_path / "snap.json", tmp_path / "r.json"
    assert run(capsys, "collect", "--region", "us-east-1", "--pacing", "off",
               "--no-plugins", "-o", str(snapshot))[0] in (0, 3)  # 3: what moto lacks
    code, _, _ = run(capsys, "evaluate", str(snapshot), "--rules-path", str(EXAMPLE_PACKAGE),
                     "--rules", "ORG-002", "--format", "json", "-o", str(report))
    results = json.loads(report.read_text())["results"]
    assert code == 3 and {r["status"] for r in results} == {"error"}
    assert all("not collected" in r["message"] for r in results)


def test_config_parameters_suppressions_and_baselines_reach_pack_rules(estate, capsys,
                                                                       tmp_path):
    packs = folder(tmp_path, org=SNIPPET)
    config = tmp_path / "c.toml"
    config.write_text('[rules.ORG-001]\nprefix = "legacy"\n\n[[suppressions]]\n'
                      'rule = "ORG-001"\nresource = "*team-orders*"\nreason = "renaming"\n'
                      'expires = 2099-01-01\n'.replace('"*team', '"arn:*team'))
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    code, _, err = scan(capsys, "--rules-path", str(packs), "--rules", "ORG-001", "--config",
                        str(config), "--format", "json", "-o", str(first))
    assert code == 0, err
    got = {r["resource"]["name"]: r["status"] for r in json.loads(first.read_text())["results"]}
    assert got == {"legacy": "pass", "team-orders": "suppressed"}
    config.write_text('[rules.ORG-001]\nprefix = 7\n')
    code, _, err = scan(capsys, "--rules-path", str(packs), "--config", str(config))
    assert code == 2 and "rules.ORG-001.prefix" in err
    # a baseline: the failure it knew is not new
    code, _, _ = scan(capsys, "--rules-path", str(packs), "--rules", "ORG-001",
                      "--format", "json", "-o", str(first))
    code, _, _ = scan(capsys, "--rules-path", str(packs), "--rules", "ORG-001",
                      "--format", "json", "-o", str(second), "--baseline", str(first))
    [failed] = [r for r in json.loads(second.read_text())["results"] if r["status"] == "fail"]
    assert failed["baseline"] == "unchanged"


def test_demo_shows_a_folder_pack_and_its_facet(capsys, tmp_path):
    out = tmp_path / "demo.json"
    code, _, err = run(capsys, "demo", "--rules-path", str(EXAMPLE_PACKAGE), "--rules",
                       "ORG-001,ORG-002,BYP-001", "--format", "json", "-o", str(out))
    assert code == 0, err
    doc = json.loads(out.read_text())
    packs = {r["rule_id"]: r["rule_pack"]["name"] for r in doc["results"]}
    assert packs == {"ORG-001": "naming", "ORG-002": "tags", "BYP-001": "edge-auditor"}
    assert {r["status"] for r in doc["results"] if r["rule_id"] == "ORG-002"} == {"fail"}
    assert doc["scan"]["operations"]["elbv2:DescribeTags"] >= 1


# ------------------------------------------------------------------ installed

def test_an_installed_pack_in_a_fresh_venv(tmp_path):
    """pip install examples/edge-auditor-org-pack into a fresh venv (edge-auditor itself
    from this tree, through the system site), then the demo shows its rules."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True)
    python = str(venv / "bin" / "python")
    source = tmp_path / "pack"  # a copy: building leaves build/ and *.egg-info behind
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", str(source)],
                   check=True, timeout=300,
                   cwd=tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "EDGE_AUDIT_RULES_PATH"}

    def audit(*argv):
        return subprocess.run([python, "-m", "auditor", *argv], capture_output=True,
                              text=True, timeout=300, env=env, cwd=tmp_path)

    listed = audit("rules", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    doc = json.loads(listed.stdout)
    assert {"name": "org", "version": "1.0.0", "origin":
            "entry point org = edge_auditor_org_pack in edge-auditor-org-pack 1.0.0",
            "rules": 2, "facets": ["org.target-group-tags"]} in doc["packs"]
    demo = audit("demo", "--rules", "ORG-001,ORG-002", "--format", "json")
    assert demo.returncode == 0, demo.stderr
    results = json.loads(demo.stdout)["results"]
    assert {r["rule_id"] for r in results} == {"ORG-001", "ORG-002"}
    assert all(r["rule_pack"] == {"name": "org", "version": "1.0.0"} for r in results)
    plain = audit("demo", "--no-plugins", "--rules", "ORG-001")
    assert plain.returncode == 2 and "unknown rule id(s): ORG-001" in plain.stderr
    checked = audit("rules", "--check-pack", "edge_auditor_org_pack")
    assert checked.returncode == 0 and "8 case(s), 0 failed" in checked.stdout, checked.stdout
    policy = json.loads(audit("iam-policy").stdout)
    [facets] = [s for s in policy["Statement"] if s["Sid"] == "EdgeAuditorRulePackFacets"]
    assert facets["Action"] == ["elasticloadbalancing:DescribeTags"]


# ------------------------------------------------------------------ guard rails

@pytest.mark.parametrize("source, words", [
    (rule_source("BYP-001", "org-thing"), ["BYP-001", "'org1'", "'edge-auditor' (built-in)"]),
    (rule_source("ORG-009", "alb-open-to-internet"), ["slug alb-open-to-internet", "'org1'",
                                                   "'edge-auditor'"]),
    (rule_source("LIM-003", "org-thing"), ["LIM-003", "retired id", "'org1'"]),
])
def test_an_id_or_slug_clash_is_exit_2_naming_both_packs(capsys, tmp_path, source, words):
    packs = folder(tmp_path, org1=source)
    code, out, err = run(capsys, "rules", "--rules-path", str(packs))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert all(w in err for w in words), err


def test_two_packs_with_one_id_name_both(capsys, tmp_path):
    packs = folder(tmp_path, alpha=rule_source("ORG-009", "a-thing"),
                   beta=rule_source("ORG-009", "b-thing"))
    code, _, err = run(capsys, "demo", "--rules-path", str(packs))
    assert code == 2 and "'beta'" in err and "'alpha'" in err and "ORG-009" in err


@pytest.mark.parametrize("source, words", [
    ("import no_such_module_anywhere\n", ["'broken'", "ModuleNotFoundError",
                                         "no_such_module_anywhere"]),
    ("def f(:\n", ["'broken'", "SyntaxError"]),
    ("raise RuntimeError('the pack fell over')\n", ["RuntimeError: the pack fell over"]),
    (rule_source("org-1", "x"), ["'broken'", "ValueError", "bad rule id 'org-1'"]),
])
def test_a_pack_that_fails_to_import_is_one_line_and_exit_2(capsys, tmp_path, source, words):
    packs = folder(tmp_path, broken=source)
    code, _, err = run(capsys, "scan", "--rules-path", str(packs))
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "failed to import" in err and all(w in err for w in words), err
    assert "Traceback" not in err
    with pytest.raises(cli.UsageError) as raised:  # --debug: the traceback, with its cause
        cli.run(["--debug", "scan", "--rules-path", str(packs)])
    assert raised.value.__cause__ is not None


@pytest.mark.parametrize("fields, words", [
    ({"severity": "'low'"}, ["severity must be a Severity"]),
    ({"subject": "'target_group'"}, ["subject must be a SubjectKind"]),
    ({"params": "{'Prefix': 'x'}"}, ["parameter name 'Prefix'"]),
    ({"params": "{'when': object()}"}, ["parameter when must be a bool"]),
    ({"params": "{'ok': [1, {}]}"}, ["parameter ok"]),
    ({"title": "''"}, ["title must be a non-empty string"]),
    ({"check": "'ok'"}, ["check is not callable"]),
    ({"needs": "('org.nothing',)"}, ["needs unknown facet(s) org.nothing"]),
])
def test_every_rule_is_validated_on_load(tmp_path, fields, words):
    packs = folder(tmp_path, org=rule_source(**fields))
    with pytest.raises(PackError) as raised:
        load_registry([str(packs)])
    assert all(w in str(raised.value) for w in words) and "'org'" in str(raised.value)


@pytest.mark.parametrize("source, words", [
    ("RULE = []\n", ["has no RULES"]),
    ("RULES = ['ORG-001']\n", ["RULES holds str"]),
    ("RULES = lambda: 1 / 0\n", ["cannot read its RULES", "ZeroDivisionError"]),
])
def test_a_module_that_is_not_a_pack_is_refused(tmp_path, source, words):
    with pytest.raises(PackError) as raised:
        load_registry([str(folder(tmp_path, org=source))])
    assert all(w in str(raised.value) for w in words)


def test_rules_may_be_a_callable_and_helpers_are_not_packs(tmp_path):
    packs = folder(tmp_path, _helpers="RULES = None\n",
                   org=rule_source().replace("RULES = [", "RULES = lambda: ["))
    registry = load_registry([str(packs)])
    assert [p.ref.name for p in registry.plugins] == ["org"]
    assert registry.rules[-1].id == "ORG-009"


def test_a_missing_folder_is_a_usage_error(capsys, tmp_path):
    code, _, err = run(capsys, "rules", "--rules-path", str(tmp_path / "nope"))
    assert code == 2 and "not a directory" in err


def test_a_check_that_raises_is_an_error_for_its_subject(estate, capsys, tmp_path):
    packs = folder(tmp_path, org=rule_source(check="boom"))
    out = tmp_path / "r.json"
    code, _, _ = scan(capsys, "--rules-path", str(packs), "--rules", "ORG-009",
                      "--format", "json", "-o", str(out))
    results = json.loads(out.read_text())["results"]
    assert code == 3 and len(results) == 2
    assert {r["status"] for r in results} == {"error"}
    assert all("internal error in rule: ZeroDivisionError" in r["message"] for r in results)


# ------------------------------------------------------------------ facets: read only

def _scope() -> FacetScope:
    return FacetScope("123456789012", "us-east-1", (), (), ())


@pytest.mark.parametrize("action", ["elasticloadbalancing:DeleteTargetGroup",
                                    "elasticloadbalancing:AddTags", "DescribeTags", "iam:*"])
def test_a_facet_may_declare_only_read_actions(action):
    with pytest.raises(ValueError, match="not a read action"):
        Facet("org.x", (action,), lambda clients, scope: {})


@pytest.mark.parametrize("call", [
    lambda c: c("elbv2").delete_target_group(TargetGroupArn="arn:x"),  # a write
    lambda c: c("elbv2").describe_load_balancers(),  # a read it did not declare
    lambda c: c("lambda").list_tags(Resource="arn:x"),  # another service's read
    lambda c: c("elbv2").get_waiter("load_balancer_available"),
])
def test_a_facet_collector_can_send_only_its_declared_reads(call):
    failures = []
    facet = Facet("org.x", ("elasticloadbalancing:DescribeTags",),
                  lambda clients, scope: call(clients))

    def failed(op, region, exc):
        failures.append(exc)
        return Unavailable(op, type(exc).__name__, str(exc))

    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        found = collect_facet(facet, lambda s, r: session.client(s, region_name=r), _scope(),
                              failed)
    assert isinstance(found, Unavailable) and isinstance(failures[0], ReadOnlyViolation)


def test_facet_data_must_be_json(estate):
    facet = Facet("org.x", ("elasticloadbalancing:DescribeTags",),
                  lambda clients, scope: {"when": object()})
    found = collect_facet(facet, lambda s, r: boto3.client(s, region_name=r), _scope(),
                          lambda op, region, exc: Unavailable(op, "Bad", str(exc)))
    assert isinstance(found, Unavailable) and "not JSON" in found.message


def test_iam_policy_adds_the_loaded_packs_actions(capsys):
    code, out, _ = run(capsys, "iam-policy", "--rules-path", str(EXAMPLE_PACKAGE))
    statements = json.loads(out)["Statement"]
    assert code == 0 and statements[-1] == {
        "Sid": "EdgeAuditorRulePackFacets", "Effect": "Allow",
        "Action": ["elasticloadbalancing:DescribeTags"], "Resource": "*"}
    code, out, _ = run(capsys, "iam-policy", "--no-plugins")
    assert "EdgeAuditorRulePackFacets" not in out


# ------------------------------------------------------------------ the author's kit

def test_the_kit_asserts_each_outcome_and_fails_loudly(estate):
    [org1] = load_registry([str(EXAMPLE_PACKAGE)]).plugins[0].rules
    [org2] = load_registry([str(EXAMPLE_PACKAGE)]).plugins[1].rules
    facets = load_registry([str(EXAMPLE_PACKAGE)]).facets
    topology = topology_from_moto(facets=facets)
    assert_fires(topology, org1, "targetgroup/legacy/")
    assert_quiet(topology, org1, "targetgroup/team-orders/")
    assert_out_of_scope(topology, org1, "legacy-instances")
    with pytest.raises(AssertionError, match="expected pass, got legacy: fail"):
        assert_quiet(topology, org1, "targetgroup/legacy/")
    with pytest.raises(AssertionError, match="expected out of scope"):
        assert_out_of_scope(topology, org1, "team-orders")
    with pytest.raises(AssertionError, match="no result at all"):
        assert_fires(topology, org1, "no-such-thing")
    assert_errors(topology_from_moto(facets=()), org2)  # its facet not collected
    denied = topology_from_moto(facets=facets, deny=["elbv2:DescribeTags"])
    [result, _] = assert_errors(denied, org2)
    assert "AccessDenied" in result.message


def test_check_pack_runs_the_cases_and_fails_on_a_wrong_one(capsys, tmp_path):
    code, out, _ = run(capsys, "rules", "--check-pack", str(EXAMPLE_PACKAGE))
    assert code == 0 and out.count("\nok   ") == 8 and "8 case(s), 0 failed" in out
    wrong = tmp_path / "wrong.py"
    wrong.write_text(SNIPPET + textwrap.dedent('''
        from auditor.api import Case
        from edge_auditor_org_pack._estate import topology
        CASES = [Case("ORG-001", "pass", topology, resource="targetgroup/legacy/")]
    '''))
    code, out, _ = run(capsys, "rules", "--check-pack", str(wrong))
    assert code == 1 and "FAIL ORG-001 pass on targetgroup/legacy/" in out
    assert "1 case(s), 1 failed" in out
    clash = folder(tmp_path, org=rule_source("BYP-001"))
    code, _, err = run(capsys, "rules", "--check-pack", str(clash))
    assert code == 2 and "BYP-001" in err


def test_check_pack_of_nothing_is_a_usage_error():
    with pytest.raises(PackError, match="no such file, folder or module"):
        check_pack("/no/such/pack.py")


def test_results_of_a_pack_carry_its_status_like_builtins(estate):
    registry = load_registry([str(EXAMPLE_PACKAGE)])
    topology = topology_from_moto(facets=registry.facets)
    from auditor.testing import results_for

    [pack_rule] = registry.plugins[0].rules
    results = results_for(topology, pack_rule)
    assert {r.status for r in results} == {Status.PASS, Status.FAIL}
    assert all(r.rule_pack == pack_rule.pack for r in results)


def test_the_readme_teaches_the_snippet_and_the_kit():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Writing your own checks")[1].split("\n## ")[0]
    assert SNIPPET.replace("\n\n", "\n") in section.replace("\n\n", "\n")
    for name in ("--rules-path", "EDGE_AUDIT_RULES_PATH", "--no-plugins", "--check-pack",
                 "edge_auditor.rules", "topology_from_moto", "assert_fires", "Facet",
                 "EdgeAuditorRulePackFacets"):
        assert name in section, name


def test_a_version_3_snapshot_still_loads_without_facet_data(estate, capsys, tmp_path):
    from auditor.snapshot import loads

    snapshot = tmp_path / "snap.json"
    run(capsys, "collect", "--region", "us-east-1", "--pacing", "off", "-o", str(snapshot),
        "--rules-path", str(EXAMPLE_PACKAGE))
    document = json.loads(snapshot.read_text())
    assert document["snapshot_version"] == 4
    document["snapshot_version"] = 3
    for inventory in document["collection"]["inventories"]:
        for region in inventory["regions"]:
            del region["pack_data"], region["pack_gaps"]
    [inventory] = loads(json.dumps(document)).inventories
    assert all(r.pack_data == {} for r in inventory.regions)
