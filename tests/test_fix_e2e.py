"""The fix plan, proven: the demo account on a moto server, scanned, its plan written as
bash and run with the real AWS CLI (awscli from PyPI, reaching moto by AWS_ENDPOINT_URL),
then scanned again.

- every failure a step claims to close passes; nothing that passed fails, except what a
  step says up front it will (``reveals``);
- the script touched only the resources the findings name (every request the AWS CLI sent
  is recorded by a layer in front of moto), and never the one CloudFormation manages;
- stopped after every step and scanned, no path rejects CloudFront's requests (BYP-004,
  SG-002) at any point of the origin-secret rollout;
- the secrets it made are in no plan, output, log or report.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from urllib.parse import parse_qs, unquote

import boto3
import pytest

from auditor.demo import DEMO_CREDENTIALS, seed_demo_account
from auditor.demo.server import FakeAwsServer
from auditor.fix.findings import listener_of

pytestmark = pytest.mark.server
REGIONS = ("--region", "us-east-1", "--region", "eu-west-1")
TOPIC = "arn:aws:sns:us-east-1:123456789012:ops-alarms"
RISKS = "TG-001,HC-005,ALB-012,LMB-003"
ARN = re.compile(r"arn:aws:[a-z0-9-]+:[a-z0-9-]*:\d*:[A-Za-z0-9/_.:+=@-]+")
STACK_TG = "legacy-upload"  # made CloudFormation's in the test (its aws:cloudformation tags)


class Recorder:
    """WSGI middleware: every request the AWS CLI sends (its User-Agent says aws-cli)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []

    def __call__(self, app):
        def recorded(environ, start_response):
            if "aws-cli" in environ.get("HTTP_USER_AGENT", ""):
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = environ["wsgi.input"].read(length) if length else b""
                environ["wsgi.input"] = io.BytesIO(body)
                scope = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/",
                                  environ.get("HTTP_AUTHORIZATION", ""))
                self.requests.append({
                    "method": environ["REQUEST_METHOD"], "path": environ.get("PATH_INFO", ""),
                    "body": body.decode("utf-8", "replace"),
                    "service": scope.group(1) if scope else ""})
            return app(environ, start_response)

        return recorded

    def mutations(self) -> list[dict]:
        found = []
        for r in self.requests:
            if r["service"] in ("lambda", "cloudfront"):
                if r["method"] != "GET":
                    found.append(r)
                continue
            action = parse_qs(r["body"]).get("Action", [""])[0]
            if action and not action.startswith(("Describe", "Get", "List")):
                found.append(dict(r, action=action))
        return found


def _env(endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, "AWS_ACCESS_KEY_ID": DEMO_CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": DEMO_CREDENTIALS["aws_secret_access_key"],
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_ENDPOINT_URL": endpoint}


def edge_audit(env, *args) -> subprocess.CompletedProcess:
    exe = shutil.which("edge-audit")
    assert exe, "the package must be installed (pip install -e '.[test]')"
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=300)


def scan(env, endpoint, out, *extra, regions=REGIONS) -> dict:
    proc = edge_audit(env, "scan", "--endpoint-url", endpoint, *regions, *extra,
                      "--format", "json", "-o", str(out))
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(out.read_text())


def statuses(doc) -> dict[tuple[str, str], str]:
    return {(r["rule_id"], r["resource"]["arn"]): r["status"] for r in doc["results"]}


def _seed(endpoint: str) -> None:
    seed_demo_account(endpoint)
    elbv2 = boto3.Session(region_name="us-east-1", **DEMO_CREDENTIALS).client(
        "elbv2", endpoint_url=endpoint)
    arn = elbv2.describe_target_groups(Names=[STACK_TG])["TargetGroups"][0]["TargetGroupArn"]
    elbv2.add_tags(ResourceArns=[arn], Tags=[  # what CloudFormation writes on what it makes
        {"Key": "aws:cloudformation:stack-name", "Value": "legacy-upload"},
        {"Key": "aws:cloudformation:logical-id", "Value": "UploadTargetGroup"}])


@pytest.fixture(scope="module")
def fixed(tmp_path_factory):
    """Seed, scan, plan, run the plan with the AWS CLI, scan again."""
    aws = shutil.which("aws")
    assert aws, "awscli is in the test extra"
    folder = tmp_path_factory.mktemp("fix-e2e")
    recorder = Recorder()
    with FakeAwsServer(layer=recorder) as server:
        _seed(server.endpoint)
        env = _env(server.endpoint)
        before = scan(env, server.endpoint, folder / "before.json")
        for fmt in ("sh", "json"):
            proc = edge_audit(env, "fix", str(folder / "before.json"), "--accept-risk", RISKS,
                              "--alarm-topic", TOPIC, "--alb-log-bucket", "alb-logs",
                              "--cf-log-bucket", "cf-logs", "-o", str(folder / f"plan.{fmt}"))
            assert proc.returncode == 0, proc.stderr
        run = subprocess.run(["bash", str(folder / "plan.sh")], capture_output=True,
                             text=True, env=env, timeout=600)
        after = scan(env, server.endpoint, folder / "after.json")
        live = _live_secrets(server.endpoint)
    return {"before": before, "after": after, "run": run, "folder": folder,
            "plan": json.loads((folder / "plan.json").read_text()), "recorder": recorder,
            "secrets": live}


def _live_secrets(endpoint: str) -> list[str]:
    """The origin header values now configured: what the plan made."""
    session = boto3.Session(region_name="us-east-1", **DEMO_CREDENTIALS)
    cloudfront = session.client("cloudfront", endpoint_url=endpoint)
    values = []
    for d in cloudfront.list_distributions()["DistributionList"].get("Items", []):
        config = cloudfront.get_distribution_config(Id=d["Id"])["DistributionConfig"]
        for o in config["Origins"]["Items"]:
            values += [h["HeaderValue"] for h in o.get("CustomHeaders", {}).get("Items", [])]
    return values


def test_the_plan_runs_to_the_end(fixed):
    assert fixed["run"].returncode == 0, fixed["run"].stderr[-3000:]
    assert fixed["recorder"].mutations()


def test_every_claimed_fix_passes_and_nothing_regresses(fixed):
    before, after = statuses(fixed["before"]), statuses(fixed["after"])
    steps = [s for s in fixed["plan"]["steps"] if s["kind"] == "aws" and s["enabled"]]
    claimed = {(c["rule_id"], c["resource_arn"]) for s in steps for c in s["closes"]}
    declared = {(c["rule_id"], c["resource_arn"]) for s in steps for c in s["reveals"]}
    assert len(claimed) >= 30
    assert {k for k in claimed if after.get(k) != "pass"} == set()
    regressed = {k for k, v in before.items() if v == "pass" and after.get(k) != "pass"}
    assert regressed <= declared, regressed - declared
    assert {r for r, _ in claimed} >= {"BYP-001", "BYP-002", "BYP-003", "BYP-004", "BYP-006",
                                       "BYP-007", "BYP-009", "BYP-010", "TG-001", "LIM-001",
                                       "LIM-002", "HC-001", "CF-001", "CF-006", "MON-001",
                                       "ALB-003", "ALB-013"}
    assert fixed["after"]["scan"]["complete"]


def test_only_the_named_resources_were_touched(fixed):
    named: set[str] = {TOPIC}
    for r in fixed["before"]["results"]:
        if r["status"] != "fail":
            continue
        named |= {r["resource"]["arn"], *r["related"]}
        named |= set(ARN.findall(json.dumps(r["evidence"])))
    names = {a.split(":")[6] for a in named if ":function:" in a}
    names |= {a.rsplit("/", 1)[-1] for a in named if ":distribution/" in a}
    groups = {g for r in fixed["before"]["results"] if r["status"] == "fail"
              for g in re.findall(r"sg-[0-9a-f]+", json.dumps(r["evidence"]))}
    stack_tg = next(a for a in named if f":targetgroup/{STACK_TG}/" in a)
    listeners = {listener_of(a) for a in named if ":listener-rule/" in a}
    for request in fixed["recorder"].mutations():
        # a distribution update resends the whole config: its target is the path's id
        body = "" if request["service"] == "cloudfront" else unquote(request["body"])
        text = body + " " + unquote(request["path"])
        for arn in ARN.findall(text):
            arn = arn.rstrip(".")
            # a listener whose rules a finding names, and the rules the plan adds to it
            under = listener_of(arn) in listeners or arn in listeners
            assert arn in named or arn.rsplit(":", 1)[0] in named or under, (request, arn)
        target = parse_qs(request["body"]).get("TargetGroupArn", [""])[0]
        assert target != stack_tg or request.get("action") in ("CreateRule", "ModifyRule"), \
            f"CloudFormation's target group was changed directly: {request.get('action')}"
        for group in re.findall(r"sg-[0-9a-f]+", text):
            assert group in groups, request
        match = re.search(r"/(?:functions|distribution|distributions)/([^/]+)", request["path"])
        if match:
            assert unquote(match.group(1)).split(":")[-1] in names | {
                unquote(match.group(1))}, request


def test_the_stack_managed_target_group_gets_template_changes(fixed):
    tg_steps = [s for s in fixed["plan"]["steps"]
                if any(f"targetgroup/{STACK_TG}/" in c["resource_arn"] for c in s["closes"])]
    assert tg_steps and not [s for s in tg_steps if s["kind"] == "aws"]
    changes = [s["template"] for s in tg_steps if s["kind"] == "template"]
    assert changes and all(t["stack"] == "legacy-upload"
                           and t["logical_id"] == "UploadTargetGroup" for t in changes)
    after = statuses(fixed["after"])
    assert any(v == "fail" for (rule, arn), v in after.items()
               if f"targetgroup/{STACK_TG}/" in arn and rule == "HC-001")


def test_no_secret_in_the_plan_the_output_or_the_reports(fixed):
    made = [v for v in fixed["secrets"] if len(v) >= 40]  # the plan's: token_urlsafe(32)
    assert made, "the plan set new origin secrets"
    texts = [fixed["run"].stdout, fixed["run"].stderr,
             *(p.read_text() for p in fixed["folder"].iterdir() if p.is_file())]
    for value in made:
        assert all(value not in t for t in texts)


@pytest.fixture(scope="module")
def stepwise(tmp_path_factory):
    """The origin-secret and network part of the plan, scanned after every step."""
    folder = tmp_path_factory.mktemp("fix-order")
    with FakeAwsServer() as server:
        _seed(server.endpoint)
        env = _env(server.endpoint)
        rules = "BYP-001,BYP-002,BYP-003,BYP-004,BYP-009,BYP-010,SG-002"
        # the origin secrets and security groups to fix are all in us-east-1
        scan(env, server.endpoint, folder / "before.json", "--rules", rules,
             regions=("--region", "us-east-1"))
        proc = edge_audit(env, "fix", str(folder / "before.json"), "-o", str(folder / "plan.sh"))
        assert proc.returncode == 0, proc.stderr
        check = (f"{shutil.which('edge-audit')} scan --endpoint-url {server.endpoint} "
                 f"--region us-east-1 --rules {rules} --format json "
                 f"-o {folder}/step-$STEP.json; test -s {folder}/step-$STEP.json")
        run = subprocess.run(["bash", str(folder / "plan.sh"), "--after-step", check],
                             capture_output=True, text=True, env=env, timeout=900)
    return folder, run


def test_no_step_makes_a_path_reject_cloudfront(stepwise):
    folder, run = stepwise
    assert run.returncode == 0, run.stderr[-3000:]
    before = json.loads((folder / "before.json").read_text())
    broken_before = {k for k, v in statuses(before).items()
                     if k[0] in ("BYP-004", "SG-002") and v == "fail"}
    files = sorted(folder.glob("step-*.json"), key=lambda p: int(p.stem.split("-")[1]))
    assert len(files) >= 10
    for path in files:
        now = statuses(json.loads(path.read_text()))
        broken = {k for k, v in now.items() if k[0] in ("BYP-004", "SG-002") and v != "pass"}
        assert broken <= broken_before, (path.name, broken - broken_before)
    last = statuses(json.loads(files[-1].read_text()))
    assert {k for k, v in last.items() if v == "fail"} == set()
