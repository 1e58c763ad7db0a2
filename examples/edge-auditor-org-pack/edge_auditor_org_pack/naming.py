"""ORG-001: the issue's example rule, unchanged. This file also works on its own in a
``--rules-path`` folder."""

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
