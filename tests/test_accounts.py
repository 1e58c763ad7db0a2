"""Many accounts: targets, shards, assumed roles (moto's multi-account), failures per
account, organizations, and merging the shards' reports."""

from __future__ import annotations

import json

import boto3
import pytest

from auditor.accounts import AccountsError, Shard, organization_accounts, parse_accounts
from auditor.demo.seed import AppSpec, FunctionSpec, Seeder
from auditor.findings import Status
from auditor.merge import MergeError, merge
from auditor.report.json_report import render, validate
from auditor.rules import load_rules
from auditor.scan import Targets, collect, evaluate
from auditor.session import AwsContext

ACCOUNTS = ("111111111111", "222222222222")
DENIED = "333333333333"
RULES = [r for r in load_rules() if r.id in ("BYP-001", "BYP-005", "TG-001")]


def test_shards_split_accounts_exactly_once():
    accounts = [f"{i:012d}" for i in range(200)]
    shards = [Shard.parse(f"{k}/4") for k in range(1, 5)]
    owners = [[s for s in shards if s.keeps(a)] for a in accounts]
    assert all(len(o) == 1 for o in owners)
    assert min(sum(s.keeps(a) for a in accounts) for s in shards) > 20


@pytest.mark.parametrize("text", ["0/3", "4/3", "1-3", "x"])
def test_bad_shard_is_refused(text):
    with pytest.raises(AccountsError):
        Shard.parse(text)


def test_account_lists(tmp_path):
    listing = tmp_path / "accounts.txt"
    listing.write_text("# prod\n111111111111\n222222222222  # shop\n\n")
    assert parse_accounts(["333333333333,111111111111"], str(listing)) == [
        "333333333333", "111111111111", "222222222222"]
    with pytest.raises(AccountsError, match="12-digit"):
        parse_accounts(["12345"], None)


def _seed_in(session: boto3.Session, account: str, name: str) -> None:
    creds = session.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/EdgeAuditorRole",
        RoleSessionName="seed")["Credentials"]
    inside = boto3.Session(aws_access_key_id=creds["AccessKeyId"],
                           aws_secret_access_key=creds["SecretAccessKey"],
                           aws_session_token=creds["SessionToken"], region_name="us-east-1")
    Seeder(inside).seed(AppSpec(name, "us-east-1", functions=(FunctionSpec("api", "/api/*"),),
                                cloudfront=False, ingress="world"))


@pytest.fixture
def two_accounts(moto_session):
    for account, name in zip(ACCOUNTS, ("alpha", "beta"), strict=True):
        _seed_in(moto_session, account, name)
    return moto_session


def _deny_assume(ctx: AwsContext, account: str) -> None:
    def deny(params=None, **_):
        if account in str(params):  # the serialized request names the role
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not trusted"}},
                              "AssumeRole")

    ctx.client("sts", "us-east-1").meta.events.register("before-call.sts.AssumeRole", deny)


def test_each_account_is_scanned_in_its_own_role(two_accounts):
    ctx = AwsContext(two_accounts)
    _deny_assume(ctx, DENIED)
    collection, _ = collect(ctx, ["us-east-1"], rules=RULES,
                            targets=Targets((*ACCOUNTS, DENIED)))
    report = evaluate(collection, RULES)
    assert report.scan.accounts == (*ACCOUNTS, DENIED)
    by_account = {}
    for result in report.results:
        by_account.setdefault(result.account, []).append(result)
    for account, name in zip(ACCOUNTS, ("alpha", "beta"), strict=True):
        failing = {(r.rule_id, r.resource.name) for r in by_account[account]
                   if r.status is Status.FAIL}
        assert ("BYP-005", f"{name}-alb") in failing
        assert all(r.resource.arn.split(":")[4] == account for r in by_account[account])
    denied = by_account[DENIED]
    assert [r.rule_id for r in denied] == [r.id for r in RULES]
    assert all(r.status is Status.ERROR and "sts:AssumeRole" in r.message for r in denied)
    assert {r.resource.type for r in denied} == {"AWS::Organizations::Account"}
    assert not report.complete
    validate(json.loads(render(report)))


def test_organization_lists_active_accounts(moto_session):
    org = moto_session.client("organizations")
    org.create_organization(FeatureSet="ALL")
    created = [org.create_account(AccountName=n, Email=f"{n}@example.com")
               ["CreateAccountStatus"]["AccountId"] for n in ("a", "b")]
    found = organization_accounts(AwsContext(moto_session))
    assert set(created) < set(found)


def test_merge_joins_shards(two_accounts):
    docs = []
    for account in ACCOUNTS:
        ctx = AwsContext(two_accounts)
        collection, _ = collect(ctx, ["us-east-1"], rules=RULES, targets=Targets((account,)))
        docs.append(json.loads(render(evaluate(collection, RULES))))
    merged = merge(docs)
    assert merged["scan"]["accounts"] == list(ACCOUNTS)
    assert len(merged["results"]) == sum(len(d["results"]) for d in docs)
    assert merged["summary"]["total"] == len(merged["results"])
    assert merged["scan"]["api_calls"] == sum(d["scan"]["api_calls"] for d in docs)
    with pytest.raises(MergeError, match="same scan"):  # a shard twice: calls counted twice
        merge([docs[0], docs[0]])
