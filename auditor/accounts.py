"""Many accounts: which to scan, and a context for each (an assumed role).

The targets come from ``--accounts``, ``--accounts-file`` or ``--organization`` (the
active accounts of the caller's organization). In each target the scan assumes
``--role-name`` (with ``--external-id`` when the role's trust policy asks for one); the
caller's own account is scanned with the caller's credentials. ``--shard K/N`` keeps a
stable 1/N of the targets, chosen by a hash of the account id, so N workers (an AWS Batch
array job, one ECS task per shard) split an organization without coordinating.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from auditor.collect.base import Calls
from auditor.gaps import Unavailable
from auditor.inventory import CallFailure
from auditor.session import AwsContext

ACCOUNT_ID = re.compile(r"^\d{12}$")
DEFAULT_ROLE = "EdgeAuditorRole"
OPERATIONS = ("organizations:ListAccounts", "sts:AssumeRole")


class AccountsError(ValueError):
    """Bad account list or shard: exit 2."""


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            raise AccountsError(f"--shard takes K/N with 1 <= K <= N, not {text!r}")
        return cls(int(match[1]), int(match[2]))

    def keeps(self, account: str) -> bool:
        digest = int(hashlib.sha256(account.encode()).hexdigest(), 16)
        return digest % self.count == self.index - 1


def parse_accounts(values: list[str], file: str | None) -> list[str]:
    accounts = [a.strip() for v in values for a in v.split(",") if a.strip()]
    if file:
        try:
            lines = Path(file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise AccountsError(f"cannot read {file}: {exc.strerror or exc}") from exc
        accounts += [line.split("#", 1)[0].strip() for line in lines]
    accounts = [a for a in accounts if a]
    bad = [a for a in accounts if not ACCOUNT_ID.match(a)]
    if bad:
        raise AccountsError(f"not 12-digit account ids: {', '.join(bad[:5])}")
    return list(dict.fromkeys(accounts))


def organization_accounts(ctx: AwsContext) -> list[str] | Unavailable:
    calls = Calls(ctx, "")
    found = calls.paginate("organizations", ctx.default_region, "list_accounts", "Accounts")
    if isinstance(found, Unavailable):
        return found
    return sorted(a["Id"] for a in found if a.get("Status", "ACTIVE") == "ACTIVE")


def assume(base: AwsContext, account: str, partition: str, role_name: str,
           external_id: str | None) -> AwsContext | CallFailure:
    """A context in ``account`` through its role, or the failure to get one."""
    calls = Calls(base, account)
    params = {"RoleArn": f"arn:{partition}:iam::{account}:role/{role_name}",
              "RoleSessionName": "edge-auditor", "DurationSeconds": 3600}
    if external_id:
        params["ExternalId"] = external_id
    response = calls.call("sts", base.default_region, "assume_role", **params)
    if isinstance(response, Unavailable):
        return CallFailure(account, "global", response.operation, response.code,
                           response.message, params["RoleArn"])
    creds = response["Credentials"]
    return base.for_account(account, {"aws_access_key_id": creds["AccessKeyId"],
                                      "aws_secret_access_key": creds["SecretAccessKey"],
                                      "aws_session_token": creds["SessionToken"]})


def resolve_targets(ctx: AwsContext, accounts: list[str], accounts_file: str | None,
                    organization: bool, shard: str | None, role_name: str,
                    external_id: str | None, parallel: int):
    """The accounts a run scans, from the command line's many-account options."""
    from auditor.collect.account import IdentityError, identify
    from auditor.scan import Targets

    chosen = parse_accounts(accounts, accounts_file)
    slice_ = Shard.parse(shard) if shard else None
    if organization:
        found = organization_accounts(ctx)
        if isinstance(found, Unavailable):
            raise IdentityError(f"cannot list the organization's accounts: {found.reason}")
        chosen = list(dict.fromkeys([*chosen, *found]))
    if slice_ is not None:
        chosen = [a for a in (chosen or [identify(ctx)[0]]) if slice_.keeps(a)]
        if not chosen:
            raise AccountsError(f"shard {shard} holds no account")
    if parallel < 1:
        raise AccountsError("--parallel-accounts takes a number from 1")
    return Targets(tuple(chosen), role_name, external_id, parallel)
